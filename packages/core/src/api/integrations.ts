/**
 * Runs a matched method's integration (reference section 5): Lambda proxy (AWS_PROXY), Lambda
 * non-proxy (AWS), HTTP_PROXY, HTTP, MOCK, and NEXT (the host framework's own route). Never
 * rejects: every failure becomes API Gateway's response for it.
 */
import type { GatewayResponse } from '../response.js'
import { backendUrl, BackendUrlError, callBackend, hopHeaders, substituteStageVariables, type BackendResult } from './backend.js'
import { badGateway, configError, JSON_TYPE, resourceId, timeout, timeoutOf, text, type IntegrationCall, type IntegrationEnv } from './call.js'
import { payloadBody } from './content.js'
import { proxyEventV1, proxyEventV2, put, type ProxyInput } from './events.js'
import { functionNameFromUri, invoke, isBinaryType, proxyResponseV1, proxyResponseV2, type LambdaHandler } from './lambda.js'
import { applyResponseOverrides, mapResponse, requestPayload, sources } from './mapped.js'
import { mapRequestParameters, mimeType } from './mapping.js'
import type { Overrides } from '../templates/input.js'

export { resourceId, templateContext, type IntegrationCall, type IntegrationEnv } from './call.js'

/** Returned when the integration is NEXT: the host framework's route answers. */
export const NEXT: unique symbol = Symbol('sluice.next')

function proxyInput(env: IntegrationEnv, call: IntegrationCall): ProxyInput {
  const ex = call.exchange
  const req = ex.request
  const contentType = req.headers.get('content-type')
  return {
    method: req.method.toUpperCase(),
    path: call.path,
    contextPath: call.contextPath,
    query: call.query,
    headers: req.headers,
    body: call.body,
    binary: isBinaryType(contentType, call.api.binaryMediaTypes),
    resource: call.match.resource,
    routeKey: call.match.routeKey,
    pathParameters: call.match.params,
    stage: call.stage,
    stageVariables: call.stageVariables,
    requestId: ex.context.requestId,
    extendedRequestId: ex.context.extendedRequestId,
    requestTimeEpoch: ex.context.requestTimeEpoch,
    sourceIp: ex.context.identity.sourceIp,
    userAgent: ex.context.identity.userAgent,
    apiKey: ex.context.identity.apiKey,
    apiKeyId: ex.context.identity.apiKeyId,
    domainName: ex.context.domainName,
    apiId: env.apiId,
    accountId: env.accountId,
    deploymentId: call.deploymentId,
    resourceId: resourceId(call.match.resource),
    authorizer: Object.keys(ex.context.authorizer).length > 0 ? ex.context.authorizer : undefined,
  }
}

function handlerFor(env: IntegrationEnv, call: IntegrationCall): { name: string; fn: LambdaHandler | undefined } {
  const i = call.method.integration
  const raw = i.handler ?? (i.uri !== undefined ? functionNameFromUri(i.uri) : undefined) ?? ''
  const name = substituteStageVariables(raw, call.stageVariables)
  return { name, fn: env.handler(name) }
}

/** Runs the integration of a matched method. */
export async function runIntegration(env: IntegrationEnv, call: IntegrationCall): Promise<GatewayResponse | typeof NEXT> {
  const type = call.method.integration.type
  call.exchange.record({ feature: 'integration', decision: 'allow', reason: type, detail: { resource: call.match.resource, method: call.match.method } })
  switch (type) {
    case 'NEXT':
      return NEXT
    case 'AWS_PROXY':
      return lambdaProxy(env, call)
    case 'AWS':
      return lambdaCustom(env, call)
    case 'HTTP_PROXY':
      return httpProxy(env, call)
    case 'HTTP':
      return httpCustom(env, call)
    case 'MOCK':
      return mock(env, call)
  }
}

async function lambdaProxy(env: IntegrationEnv, call: IntegrationCall): Promise<GatewayResponse> {
  const { name, fn } = handlerFor(env, call)
  if (fn === undefined) return configError(env, call)
  const v2 = (call.method.integration.payloadFormatVersion ?? (call.api.protocol === 'HTTP' ? '2.0' : '1.0')) === '2.0'
  const input = proxyInput(env, call)
  const event = v2 ? proxyEventV2(input) : proxyEventV1(input)
  const out = await invoke(fn, event, name, call.exchange.context.requestId, timeoutOf(call), env.now)
  if (!out.ok) {
    if ('timeout' in out) return timeout(env, call)
    call.exchange.record({ feature: 'integration', decision: 'error', reason: 'handler-error', detail: { message: out.error instanceof Error ? out.error.message : String(out.error) } })
    return badGateway(env, call, 'API_CONFIGURATION_ERROR')
  }
  const accept = call.exchange.request.headers.get('accept')
  const response = v2 ? proxyResponseV2({ result: out.result, accept, binaryMediaTypes: call.api.binaryMediaTypes }) : proxyResponseV1({ result: out.result, accept, binaryMediaTypes: call.api.binaryMediaTypes })
  if (response === undefined) {
    call.exchange.record({ feature: 'integration', decision: 'error', reason: 'malformed-proxy-response' })
    return badGateway(env, call, 'API_CONFIGURATION_ERROR')
  }
  return response
}

async function lambdaCustom(env: IntegrationEnv, call: IntegrationCall): Promise<GatewayResponse> {
  const { name, fn } = handlerFor(env, call)
  if (fn === undefined) return configError(env, call)
  const req = await requestPayload(env, call)
  if ('response' in req) return req.response
  // bytes (a binary payload passed through) reach the handler as a Buffer
  const p = req.payload
  let event: unknown = 'text' in p ? p.text : Buffer.from(p.bytes)
  if ('text' in p) {
    try {
      event = p.text === '' ? {} : JSON.parse(p.text)
    } catch {
      // not JSON: the handler gets the text
    }
  }
  const out = await invoke(fn, event, name, call.exchange.context.requestId, timeoutOf(call), env.now)
  if (!out.ok && 'timeout' in out) return timeout(env, call)
  if (!out.ok) {
    const e = out.error
    const errorMessage = e instanceof Error ? e.message : typeof e === 'string' ? e : JSON.stringify(e)
    const errorType = e instanceof Error ? e.name : 'Error'
    return mapResponse(env, call, errorMessage, JSON.stringify({ errorMessage, errorType, stackTrace: [] }), () => null, req.overrides)
  }
  const body = out.result === undefined ? 'null' : JSON.stringify(out.result)
  return mapResponse(env, call, undefined, body, () => null, req.overrides)
}

function forwardHeaders(call: IntegrationCall, url: URL, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const headers: Record<string, string> = {}
  const req = call.exchange.request.headers
  const drop = hopHeaders(req.get('connection'))
  req.forEach((value, name) => {
    const n = name.toLowerCase()
    if (drop.has(n) || n === 'host' || n === 'content-length' || /[\r\n\0]/.test(value)) return
    put(headers, n, value)
  })
  headers['host'] = url.host
  for (const [k, v] of Object.entries(extra)) if (!/[\r\n\0]/.test(v)) put(headers, k.toLowerCase(), v)
  return headers
}

function backendFailure(env: IntegrationEnv, call: IntegrationCall, r: Exclude<BackendResult, { kind: 'response' }>): GatewayResponse {
  call.exchange.record({ feature: 'integration', decision: 'error', reason: r.kind === 'timeout' ? 'backend-timeout' : 'backend-failure', detail: r.kind === 'failure' ? { reason: r.reason } : {} })
  return r.kind === 'timeout' ? timeout(env, call) : badGateway(env, call, 'INTEGRATION_FAILURE')
}

const REMAPPED = new Set(['date', 'server'])

/** The backend's response headers, hop-by-hop ones dropped; `set-cookie` lines kept apart. */
function responseHeaders(raw: Record<string, string | string[] | undefined>): { headers: Record<string, string>; cookies: string[] } {
  const headers: Record<string, string> = {}
  const cookies: string[] = []
  const drop = hopHeaders(raw['connection'])
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined) continue
    const n = k.toLowerCase()
    if (drop.has(n) || n === 'content-length') continue
    if (n === 'set-cookie') {
      cookies.push(...(Array.isArray(v) ? v : [v]))
      continue
    }
    put(headers, REMAPPED.has(n) ? `x-amzn-remapped-${n}` : n, Array.isArray(v) ? v.join(', ') : v)
  }
  return { headers, cookies }
}

function buildUrl(call: IntegrationCall, pathParams: Readonly<Record<string, string>>, query: string): URL | undefined {
  try {
    return backendUrl(call.method.integration.uri ?? '', pathParams, call.stageVariables, query)
  } catch (e) {
    if (!(e instanceof BackendUrlError)) throw e
    call.exchange.record({ feature: 'integration', decision: 'deny', reason: 'backend-url', detail: { message: e.message } })
    return undefined
  }
}

const methodFor = (call: IntegrationCall): string => {
  const m = call.method.integration.httpMethod?.toUpperCase()
  return m === undefined || m === 'ANY' ? call.exchange.request.method.toUpperCase() : m
}

async function httpProxy(env: IntegrationEnv, call: IntegrationCall): Promise<GatewayResponse> {
  const i = call.method.integration
  const mapped = mapRequestParameters(i.requestParameters, sources(env, call))
  const params = { ...call.match.params, ...mapped.path }
  const extraQuery = mapped.querystring.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')
  const url = buildUrl(call, params, [call.query, extraQuery].filter((s) => s !== '').join('&'))
  if (url === undefined) return env.responses.render('MISSING_AUTHENTICATION_TOKEN', call.exchange)
  const method = methodFor(call)
  const r = await callBackend({
    url,
    method,
    headers: forwardHeaders(call, url, mapped.header),
    body: method === 'GET' || method === 'HEAD' || call.body.byteLength === 0 ? undefined : call.body,
    timeoutMs: timeoutOf(call),
    tls: i.tlsConfig,
  })
  if (r.kind !== 'response') return backendFailure(env, call, r)
  const { headers, cookies } = responseHeaders(r.headers)
  return cookies.length > 0 ? { status: r.status, headers, body: r.body, cookies } : { status: r.status, headers, body: r.body }
}

async function httpCustom(env: IntegrationEnv, call: IntegrationCall): Promise<GatewayResponse> {
  const i = call.method.integration
  const req = await requestPayload(env, call)
  if ('response' in req) return req.response
  const mapped = mapRequestParameters(i.requestParameters, sources(env, call))
  const params = { ...call.match.params, ...mapped.path }
  const query = mapped.querystring.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')
  const url = buildUrl(call, params, query)
  if (url === undefined) return env.responses.render('MISSING_AUTHENTICATION_TOKEN', call.exchange)
  const method = methodFor(call)
  const headers: Record<string, string> = { accept: 'application/json', ...mapped.header }
  for (const [k, v] of Object.entries(req.overrides?.request.header ?? {})) {
    const t = Array.isArray(v) ? v.map(String).join(', ') : String(v)
    if (!/[\r\n\0]/.test(t)) put(headers, k.toLowerCase(), t)
  }
  headers['host'] = url.host
  const contentType = call.exchange.request.headers.get('content-type')
  const payload = payloadBody(req.payload)
  const empty = typeof payload === 'string' ? payload === '' : payload.byteLength === 0
  if (!empty && headers['content-type'] === undefined) headers['content-type'] = contentType === null ? 'application/json' : mimeType(contentType)
  const r = await callBackend({
    url,
    method,
    headers,
    body: method === 'GET' || method === 'HEAD' || empty ? undefined : typeof payload === 'string' ? Buffer.from(payload) : payload,
    timeoutMs: timeoutOf(call),
    tls: i.tlsConfig,
  })
  if (r.kind !== 'response') return backendFailure(env, call, r)
  const h = r.headers
  const header = (n: string): string | null => {
    const v = h[n.toLowerCase()]
    return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v
  }
  return mapResponse(env, call, String(r.status), r.body, header, req.overrides)
}

const STATUS_IN_TEMPLATE = /["']?statusCode["']?\s*:\s*["']?(\d{3})/

async function mock(env: IntegrationEnv, call: IntegrationCall): Promise<GatewayResponse> {
  const i = call.method.integration
  let status = '200'
  let overrides: Overrides | undefined
  const templates = i.requestTemplates
  if (templates !== undefined && Object.keys(templates).length > 0) {
    const req = await requestPayload(env, call)
    if ('response' in req) return req.response
    overrides = req.overrides
    const output = 'text' in req.payload ? req.payload.text : text(req.payload.bytes)
    const m = STATUS_IN_TEMPLATE.exec(output)
    if (!m) {
      call.exchange.record({ feature: 'integration', decision: 'error', reason: 'mock-status', detail: { output: output.slice(0, 200) } })
      return configError(env, call)
    }
    status = m[1] as string
  }
  if (i.responses === undefined || i.responses.length === 0) return applyResponseOverrides({ status: Number(status), headers: { ...JSON_TYPE }, body: '' }, overrides)
  return mapResponse(env, call, status, '', () => null, overrides)
}
