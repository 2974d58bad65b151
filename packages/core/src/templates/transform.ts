/**
 * `gw.transform()`: mapping templates around a host route. The request template rewrites the
 * request the route sees; the response mapping (integration responses, response templates,
 * `$context.responseOverride`) rewrites the route's response in the after-handler phase.
 */
import { SluiceConfigError } from '../errors.js'
import type { Exchange } from '../exchange.js'
import { proceed, respond, type Continue, type Outcome, type RequestRewrite, type Step } from '../outcome.js'
import type { GatewayResponse } from '../response.js'
import type { GatewayResponses } from '../responses.js'
import { emptyOverrides, Input, type Overrides } from './input.js'
import { applyResponseOverrides, mapResponse, prepareIntegrationResponses, type IntegrationResponse, type PreparedResponses } from './integration-response.js'
import { renderCompiled, resolveLimits, type TemplateLimits } from './render.js'
import { compileTemplates, PASSTHROUGH_BEHAVIORS, selectRequestTemplate, type PassthroughBehavior, type TemplateSet } from './selection.js'
import { display, TemplateError } from './values.js'

/** Options of `gw.transform()`. */
export interface TransformOptions {
  /** Request templates by Content-Type media type (API Gateway's `requestTemplates`). */
  request?: Record<string, string>
  /** What to do when no request template matches the Content-Type. Default `WHEN_NO_MATCH`. */
  passthroughBehavior?: PassthroughBehavior
  /**
   * Response templates by media type, chosen by the request's Accept (the first is the fallback):
   * shorthand for one default integration response that keeps the route's status.
   */
  response?: Record<string, string>
  /**
   * Integration responses, chosen by `selectionPattern` against the route's status code: a list, or
   * a record keyed by pattern (`default` for the default). Not with `response`.
   */
  responses?: readonly IntegrationResponse[] | Readonly<Record<string, IntegrationResponse>>
  /**
   * Keep only the headers `responseParameters` map (API Gateway's non-proxy rule). Default false:
   * the route's own headers are kept and the mapped ones set over them.
   */
  onlyMappedHeaders?: boolean
  /** Template limits (size, `#foreach` iterations, render time, output size, macro depth). */
  limits?: TemplateLimits
}

const OPTION_KEYS = ['request', 'passthroughBehavior', 'response', 'responses', 'onlyMappedHeaders', 'limits']

interface TransformConfig {
  readonly request: TemplateSet
  readonly behavior: PassthroughBehavior
  readonly responses: PreparedResponses | undefined
  readonly onlyMappedHeaders: boolean
}

function config(options: TransformOptions): TransformConfig {
  if (options === null || typeof options !== 'object') throw new SluiceConfigError('ERR_INVALID_TRANSFORM', 'transform()', 'takes an options object')
  for (const k of Object.keys(options)) {
    if (!OPTION_KEYS.includes(k)) throw new SluiceConfigError('ERR_INVALID_TRANSFORM', `transform().${k}`, `unknown option; expected one of ${OPTION_KEYS.join(', ')}`)
  }
  const behavior = options.passthroughBehavior ?? 'WHEN_NO_MATCH'
  if (!PASSTHROUGH_BEHAVIORS.includes(behavior)) throw new SluiceConfigError('ERR_INVALID_TRANSFORM', 'transform().passthroughBehavior', `must be one of ${PASSTHROUGH_BEHAVIORS.join(', ')}`)
  if (options.response !== undefined && options.responses !== undefined) throw new SluiceConfigError('ERR_INVALID_TRANSFORM', 'transform().response', 'give response templates or integration responses, not both')
  resolveLimits(options.limits, 'transform().limits')
  const request = compileTemplates(options.request, options.limits, 'transform().request')
  let responses: PreparedResponses | undefined
  if (options.response !== undefined) responses = prepareIntegrationResponses([{ responseTemplates: options.response }], options.limits, 'transform().response')
  else if (options.responses !== undefined) responses = prepareIntegrationResponses(options.responses, options.limits, 'transform().responses')
  if (options.onlyMappedHeaders !== undefined && typeof options.onlyMappedHeaders !== 'boolean') throw new SluiceConfigError('ERR_INVALID_TRANSFORM', 'transform().onlyMappedHeaders', 'must be a boolean')
  if (request.keys.length === 0 && behavior === 'WHEN_NO_MATCH' && responses === undefined) throw new SluiceConfigError('ERR_INVALID_TRANSFORM', 'transform()', 'needs request templates, response templates or integration responses')
  return { request, behavior, responses, onlyMappedHeaders: options.onlyMappedHeaders === true }
}

/** The text parsed as JSON when it is JSON, else the text. */
function valueOf(text: string): unknown {
  const c = text.trimStart()[0]
  if (c === undefined) return text
  if (c === '{' || c === '[' || c === '"' || c === '-' || (c >= '0' && c <= '9') || c === 't' || c === 'f' || c === 'n') {
    try {
      return JSON.parse(text) as unknown
    } catch {
      return text
    }
  }
  return text
}

/** Says which template failed, and keeps the failure an Error. */
function failed(where: string, e: unknown): Error {
  if (e instanceof Error) {
    e.message = `mapping template (${where}) failed: ${e.message}`
    return e
  }
  return new Error(`mapping template (${where}) failed: ${String(e)}`)
}

/** The request-mapping headers a template set with `$context.requestOverride.header.*`. */
function overrideHeaders(o: Overrides): Record<string, string> | undefined {
  const names = Object.keys(o.request.header)
  if (names.length === 0) return undefined
  const out: Record<string, string> = {}
  for (const n of names) {
    const v = o.request.header[n]
    if (v === undefined || v === null || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(n)) continue
    const text = Array.isArray(v) ? v.map((x) => display(x)).join(',') : display(v)
    if (!/[\r\n\0]/.test(text)) out[n.toLowerCase()] = text
  }
  return out
}

/** Builds the transform step. */
export function transformStep(responses: GatewayResponses, options: TransformOptions): Step {
  const cfg = config(options)
  const mapsRequest = cfg.request.keys.length > 0 || cfg.behavior !== 'WHEN_NO_MATCH'

  const finalizer = (overrides: Overrides | undefined) => (response: GatewayResponse, exchange: Exchange): GatewayResponse => {
    // gateway responses (denials of later steps) are not integration responses
    if (cfg.responses === undefined) return overrides === undefined ? response : applyResponseOverrides(response, overrides)
    const request = exchange.request
    try {
      return mapResponse(cfg.responses, response, {
        accept: request.headers.get('accept'),
        path: request.params,
        query: exchange.query,
        headers: request.headers,
        context: exchange.context,
        stageVariables: exchange.stageVariables,
        overrides,
        onlyMappedHeaders: cfg.onlyMappedHeaders,
      })
    } catch (e) {
      exchange.record({ feature: 'transform', decision: 'error', reason: 'response' })
      throw failed(`response, status ${response.status}`, e)
    }
  }
  const responseOnly: Continue | undefined = cfg.responses === undefined ? undefined : proceed(undefined, finalizer(undefined))

  const mapRequest = (exchange: Exchange, mediaType: string, render: (body: string) => ReturnType<typeof renderCompiled>): Promise<Outcome> =>
    exchange.request.text().then((text) => {
      let result
      try {
        result = render(text)
      } catch (e) {
        if (e instanceof TemplateError && e.code === 'BODY_NOT_JSON') {
          exchange.record({ feature: 'transform', decision: 'deny', reason: 'BAD_REQUEST_BODY' })
          return respond(responses.render('BAD_REQUEST_BODY', exchange, `Could not parse request body into json: ${e.message}`))
        }
        throw failed(`request, ${mediaType}`, e)
      }
      const overrides = result.overrides
      const rewrite: RequestRewrite = { body: result.body, value: valueOf(result.body), headers: overrideHeaders(overrides) }
      exchange.record({ feature: 'transform', decision: 'allow', reason: 'request', detail: { template: mediaType } })
      const touched = overrides.response.status !== undefined || Object.keys(overrides.response.header).length > 0
      const finalize = cfg.responses !== undefined || touched ? finalizer(overrides) : undefined
      return { kind: 'continue', finalize, request: rewrite } satisfies Continue
    })

  return {
    feature: 'transform',
    finalizes: true,
    readsBody: mapsRequest,
    run(exchange): Outcome | Promise<Outcome> {
      if (!mapsRequest) return responseOnly as Continue
      const choice = selectRequestTemplate(cfg.request, exchange.request.headers.get('content-type'), cfg.behavior)
      if (choice.kind === 'unsupported') {
        exchange.record({ feature: 'transform', decision: 'deny', reason: 'UNSUPPORTED_MEDIA_TYPE' })
        return respond(responses.render('UNSUPPORTED_MEDIA_TYPE', exchange))
      }
      if (choice.kind === 'passthrough') {
        exchange.record({ feature: 'transform', decision: 'skip', reason: 'passthrough' })
        return responseOnly ?? proceed()
      }
      const request = exchange.request
      const overrides = emptyOverrides()
      return mapRequest(exchange, choice.mediaType, (text) =>
        renderCompiled(choice.template, new Input({ body: text, path: request.params, query: exchange.query, headers: request.headers }), exchange.context, exchange.stageVariables, overrides),
      )
    },
  }
}
