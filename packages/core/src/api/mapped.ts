/**
 * The non-proxy forms' mapping (AWS, HTTP, MOCK): the request payload through `contentHandling`
 * and the request template, and the integration result through the selected integration response,
 * its parameter mappings, template and overrides.
 */
import type { GatewayResponse } from '../response.js'
import type { Overrides } from '../templates/input.js'
import { configError, templateContext, text, type IntegrationCall, type IntegrationEnv } from './call.js'
import { finishRequest, finishResponse, payloadBody, requestPayload as startRequest, responseIsBinary, responseStart as startResponse, type Payload } from './content.js'
import type { IntegrationResponseDefinition } from './definition.js'
import { parseQuery, put } from './events.js'
import { mapResponseParameters, selectIntegrationResponse, selectRequestTemplate, selectResponseTemplate, type MappingSources, type TemplateInput } from './mapping.js'

export function sources(env: IntegrationEnv, call: IntegrationCall, extra: Partial<MappingSources> = {}): MappingSources {
  const headers = call.exchange.request.headers
  return {
    path: call.match.params,
    query: parseQuery(call.query),
    header: (n) => headers.get(n),
    body: text(call.body),
    stageVariables: call.stageVariables,
    context: templateContext(env, call),
    ...extra,
  }
}

function templateInput(env: IntegrationEnv, call: IntegrationCall, body: string): TemplateInput {
  const header: Record<string, string> = {}
  call.exchange.request.headers.forEach((v, k) => put(header, k, v))
  const querystring: Record<string, string> = {}
  for (const [k, v] of parseQuery(call.query)) put(querystring, k, v)
  return { body, params: { path: call.match.params, querystring, header }, context: templateContext(env, call), stageVariables: call.stageVariables }
}

/**
 * The integration request payload: converted per `contentHandling` (content.ts), through the
 * selected template when it is text (with the template's overrides) — or a response (415, 500).
 */
export async function requestPayload(env: IntegrationEnv, call: IntegrationCall): Promise<{ payload: Payload; overrides?: Overrides } | { response: GatewayResponse }> {
  const i = call.method.integration
  const contentType = call.exchange.request.headers.get('content-type')
  const choice = selectRequestTemplate(i.requestTemplates, contentType, i.passthroughBehavior)
  if (choice.kind === 'unsupported') return { response: env.responses.render('UNSUPPORTED_MEDIA_TYPE', call.exchange) }
  const start = startRequest(call.body, contentType, call.api.binaryMediaTypes, i.contentHandling)
  let payload: Payload = start
  let overrides: Overrides | undefined
  if (choice.kind !== 'passthrough' && 'text' in start) {
    try {
      const r = await env.render(choice.template, templateInput(env, call, start.text))
      payload = { text: r.body }
      overrides = r.overrides
    } catch (e) {
      call.exchange.record({ feature: 'integration', decision: 'error', reason: 'request-template', detail: { message: e instanceof Error ? e.message : String(e) } })
      return { response: configError(env, call) }
    }
  }
  const done = finishRequest(payload, i.contentHandling)
  if (done === undefined) return { response: conversionError(env, call, 'request') }
  return overrides === undefined ? { payload: done } : { payload: done, overrides }
}

/** CONVERT_TO_BINARY of text that is not base64: 500, as a failed transformation. */
function conversionError(env: IntegrationEnv, call: IntegrationCall, side: 'request' | 'response'): GatewayResponse {
  call.exchange.record({ feature: 'integration', decision: 'error', reason: 'content-handling', detail: { side, message: 'CONVERT_TO_BINARY of a payload that is not base64' } })
  return configError(env, call)
}

/** Maps an integration result through the selected integration response (non-proxy forms). */
export async function mapResponse(
  env: IntegrationEnv,
  call: IntegrationCall,
  selection: string | undefined,
  body: string | Uint8Array,
  responseHeader: (name: string) => string | null,
  overrides?: Overrides,
): Promise<GatewayResponse> {
  const chosen: IntegrationResponseDefinition | undefined = selectIntegrationResponse(call.method.integration.responses, selection)
  if (chosen === undefined) {
    call.exchange.record({ feature: 'integration', decision: 'error', reason: 'no-integration-response', detail: { selection: selection ?? null } })
    return configError(env, call)
  }
  const declared = call.method.definition.methodResponses
  if (declared !== undefined && !Object.hasOwn(declared, String(chosen.statusCode))) {
    // API Gateway maps an integration response onto a method response of its status: none declared → 500
    call.exchange.record({ feature: 'integration', decision: 'error', reason: 'no-method-response', detail: { status: String(chosen.statusCode) } })
    return configError(env, call)
  }
  const status = Number(chosen.statusCode)
  const accept = call.exchange.request.headers.get('accept')
  const binaryOut = responseIsBinary(accept, call.api.binaryMediaTypes, chosen.contentHandling)
  const start = startResponse(body, responseHeader('content-type'), call.api.binaryMediaTypes, binaryOut)
  const bodyText = 'text' in start ? start.text : ''
  const headers = mapResponseParameters(chosen.responseParameters, sources(env, call, { responseHeader, responseBody: bodyText }))
  const template = 'text' in start ? selectResponseTemplate(chosen.responseTemplates, accept) : undefined
  let out: Payload = start
  let contentType = 'application/json'
  let final = overrides
  if (template !== undefined) {
    contentType = template.contentType
    try {
      const r = await env.render(template.template, templateInput(env, call, bodyText), overrides)
      out = { text: r.body }
      final = r.overrides
    } catch (e) {
      call.exchange.record({ feature: 'integration', decision: 'error', reason: 'response-template', detail: { message: e instanceof Error ? e.message : String(e) } })
      return configError(env, call)
    }
  }
  const done = finishResponse(out, binaryOut)
  if (done === undefined) return conversionError(env, call, 'response')
  headers['content-type'] ??= contentType
  return applyResponseOverrides({ status, headers, body: payloadBody(done) }, final)
}

/** `$context.responseOverride.status` / `.header.X` set by a template win (status only if an integer 100–599). */
export function applyResponseOverrides(r: GatewayResponse, overrides: Overrides | undefined): GatewayResponse {
  if (overrides === undefined) return r
  const o = overrides.response
  const names = Object.keys(o.header)
  if (o.status === undefined && names.length === 0) return r
  const headers = { ...r.headers }
  for (const n of names) {
    const v = o.header[n]
    const text = Array.isArray(v) ? v.map(String).join(', ') : v === undefined || v === null ? undefined : String(v as string)
    if (text !== undefined && !/[\r\n\0]/.test(text) && /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(n)) put(headers, n.toLowerCase(), text)
  }
  const s = typeof o.status === 'number' ? o.status : typeof o.status === 'string' && /^\d{3}$/.test(o.status) ? Number(o.status) : NaN
  return { ...r, status: Number.isInteger(s) && s >= 100 && s <= 599 ? s : r.status, headers }
}
