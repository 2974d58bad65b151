/**
 * The gateway-responses table: how every denial and failure is rendered, with API Gateway's
 * defaults and per-type customisation (status, headers, body template), falling back through
 * DEFAULT_4XX / DEFAULT_5XX as AWS resolves it.
 */
import type { GatewayResponseType } from './errors.js'
import { SluiceConfigError } from './errors.js'
import type { Exchange } from './exchange.js'
import type { GatewayResponse } from './response.js'
import { compileSubstitution, lookup, printValue, renderSubstitution, type CompiledSubstitution } from './substitution.js'

interface BuiltIn {
  readonly status: number | null
  readonly message: string | null
  readonly errorType: string | null
  /** ACCESS_DENIED writes `Message`, every other type `message`. */
  readonly key: 'message' | 'Message'
}

const b = (status: number | null, message: string | null, errorType: string | null, key: 'message' | 'Message' = 'message'): BuiltIn => ({ status, message, errorType, key })

/** API Gateway's built-in gateway responses (see docs/features/gateway-responses.md for sources). */
export const BUILT_IN_RESPONSES: Readonly<Record<GatewayResponseType, BuiltIn>> = Object.freeze({
  ACCESS_DENIED: b(403, 'User is not authorized to access this resource', 'AccessDeniedException', 'Message'),
  API_CONFIGURATION_ERROR: b(500, 'Internal server error', 'ApiConfigurationException'),
  AUTHORIZER_CONFIGURATION_ERROR: b(500, null, 'AuthorizerConfigurationException'),
  AUTHORIZER_FAILURE: b(500, null, 'AuthorizerFailureException'),
  BAD_REQUEST_PARAMETERS: b(400, 'Missing required request parameters', 'BadRequestException'),
  BAD_REQUEST_BODY: b(400, 'Invalid request body', 'BadRequestException'),
  DEFAULT_4XX: b(null, null, null),
  DEFAULT_5XX: b(null, null, null),
  EXPIRED_TOKEN: b(403, 'The security token included in the request is expired', 'ExpiredTokenException'),
  INTEGRATION_FAILURE: b(504, 'Internal server error', 'InternalServerErrorException'),
  INTEGRATION_TIMEOUT: b(504, 'Endpoint request timed out', 'InternalServerErrorException'),
  INVALID_API_KEY: b(403, 'Forbidden', 'ForbiddenException'),
  INVALID_SIGNATURE: b(
    403,
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    'InvalidSignatureException',
  ),
  MISSING_AUTHENTICATION_TOKEN: b(403, 'Missing Authentication Token', 'MissingAuthenticationTokenException'),
  QUOTA_EXCEEDED: b(429, 'Limit Exceeded', 'LimitExceededException'),
  REQUEST_TOO_LARGE: b(413, 'Request Too Long', 'RequestTooLargeException'),
  RESOURCE_NOT_FOUND: b(404, 'Not Found', 'NotFoundException'),
  THROTTLED: b(429, 'Too Many Requests', 'TooManyRequestsException'),
  UNAUTHORIZED: b(401, 'Unauthorized', 'UnauthorizedException'),
  UNSUPPORTED_MEDIA_TYPE: b(415, 'Unsupported Media Type', 'BadRequestException'),
  WAF_FILTERED: b(403, 'Forbidden', 'WafFilteredException'),
})

/** Every gateway-response type, in a stable order. */
export const GATEWAY_RESPONSE_TYPES = Object.freeze(Object.keys(BUILT_IN_RESPONSES)) as readonly GatewayResponseType[]

/**
 * A customised gateway response, in API Gateway's own terms
 * (`x-amazon-apigateway-gateway-responses`).
 *
 * @example
 * gatewayResponses: {
 *   INVALID_API_KEY: {
 *     statusCode: 401,
 *     responseParameters: { 'gatewayresponse.header.x-reason': "'bad-key'" },
 *     responseTemplates: { 'application/json': '{"error":$context.error.messageString,"id":"$context.requestId"}' },
 *   },
 * }
 */
export interface GatewayResponseConfig {
  /** The status code (100–599). Defaults to the type's own (or DEFAULT_4XX/5XX's, when inherited). */
  statusCode?: number
  /**
   * Response headers as mapping expressions, keyed `gatewayresponse.header.NAME`: a quoted static
   * value (`"'value'"`), `method.request.header.X`, `method.request.querystring.X`,
   * `method.request.path.X`, `context.X` or `stageVariables.X`.
   */
  responseParameters?: Record<string, string>
  /** Body templates by content type; substitution of `$context.*` and `$stageVariables.*`. */
  responseTemplates?: Record<string, string>
}

/** Gateway-response customisations by type. */
export type GatewayResponsesOptions = Partial<Record<GatewayResponseType, GatewayResponseConfig>>

type HeaderSource =
  | { readonly kind: 'static'; readonly value: string }
  | { readonly kind: 'header' | 'querystring' | 'path'; readonly name: string }
  | { readonly kind: 'context' | 'stageVariables'; readonly path: readonly string[] }

interface Resolved {
  readonly type: GatewayResponseType
  readonly status: number
  readonly errorType: string | null
  readonly defaultMessage: string | null
  readonly headers: ReadonlyArray<readonly [string, HeaderSource]>
  readonly contentType: string
  readonly template: CompiledSubstitution
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const MAX_TEMPLATE = 300 * 1024

function defaultTemplate(key: 'message' | 'Message'): string {
  return `{"${key}":$context.error.messageString}`
}

function parseSource(expr: unknown, option: string): HeaderSource {
  if (typeof expr !== 'string') throw new SluiceConfigError('ERR_INVALID_GATEWAY_RESPONSE', option, 'must be a string mapping expression')
  if (/[\r\n\0]/.test(expr)) throw new SluiceConfigError('ERR_INVALID_GATEWAY_RESPONSE', option, 'must not contain CR, LF or NUL')
  if (expr.length >= 2 && expr.startsWith("'") && expr.endsWith("'")) return { kind: 'static', value: expr.slice(1, -1) }
  const m = /^method\.request\.(header|querystring|path)\.(.+)$/.exec(expr)
  if (m) return { kind: m[1] as 'header' | 'querystring' | 'path', name: m[1] === 'header' ? (m[2] as string).toLowerCase() : (m[2] as string) }
  const c = /^(context|stageVariables)\.([A-Za-z0-9_.]+)$/.exec(expr)
  if (c) return { kind: c[1] as 'context' | 'stageVariables', path: (c[2] as string).split('.') }
  throw new SluiceConfigError(
    'ERR_INVALID_GATEWAY_RESPONSE',
    option,
    `"${expr}" is not a mapping expression: use 'static' (in single quotes), method.request.{header|querystring|path}.NAME, context.NAME or stageVariables.NAME`,
  )
}

/**
 * Names where a problem is in the options: `(type, field?, key?)` → an option path
 * (`gatewayResponses.THROTTLED.statusCode`) or a JSON pointer (`/gatewayResponses/THROTTLED/statusCode`).
 */
export type GatewayResponsePath = (type: string, field?: string, key?: string) => string

const dotted =
  (option: string): GatewayResponsePath =>
  (type, field, key) =>
    `${option}.${type}${field === undefined ? '' : `.${field}`}${key === undefined ? '' : `["${key}"]`}`

function validateConfig(type: string, config: unknown, at: GatewayResponsePath): GatewayResponseConfig {
  if (!Object.hasOwn(BUILT_IN_RESPONSES, type)) {
    throw new SluiceConfigError('ERR_INVALID_GATEWAY_RESPONSE', at(type), `unknown gateway response type; expected one of ${GATEWAY_RESPONSE_TYPES.join(', ')}`)
  }
  if (config === null || typeof config !== 'object') throw new SluiceConfigError('ERR_INVALID_GATEWAY_RESPONSE', at(type), 'must be an object')
  const c = config as GatewayResponseConfig
  for (const key of Object.keys(c)) {
    if (key !== 'statusCode' && key !== 'responseParameters' && key !== 'responseTemplates') {
      throw new SluiceConfigError('ERR_INVALID_GATEWAY_RESPONSE', at(type, key), 'unknown field; expected statusCode, responseParameters or responseTemplates')
    }
  }
  if (c.statusCode !== undefined) {
    const s: unknown = typeof c.statusCode === 'string' ? Number(c.statusCode) : c.statusCode
    if (typeof s !== 'number' || !Number.isInteger(s) || s < 100 || s > 599) {
      throw new SluiceConfigError('ERR_INVALID_GATEWAY_RESPONSE', at(type, 'statusCode'), 'must be an integer status code from 100 to 599')
    }
  }
  for (const [field, map] of [
    ['responseParameters', c.responseParameters],
    ['responseTemplates', c.responseTemplates],
  ] as const) {
    if (map !== undefined && (map === null || typeof map !== 'object' || Array.isArray(map))) throw new SluiceConfigError('ERR_INVALID_GATEWAY_RESPONSE', at(type, field), 'must be an object')
  }
  for (const [name, expr] of Object.entries(c.responseParameters ?? {})) {
    const p = at(type, 'responseParameters', name)
    if (!name.startsWith('gatewayresponse.header.') || !HEADER_NAME.test(name.slice('gatewayresponse.header.'.length))) {
      throw new SluiceConfigError('ERR_INVALID_GATEWAY_RESPONSE', p, 'keys must be gatewayresponse.header.NAME with a valid header name')
    }
    parseSource(expr, p)
  }
  for (const [ct, tpl] of Object.entries(c.responseTemplates ?? {})) {
    const p = at(type, 'responseTemplates', ct)
    if (typeof tpl !== 'string') throw new SluiceConfigError('ERR_INVALID_GATEWAY_RESPONSE', p, 'must be a string')
    if (tpl.length > MAX_TEMPLATE) throw new SluiceConfigError('ERR_INVALID_GATEWAY_RESPONSE', p, 'is larger than 300 KB')
    if (!/^[\w.+-]+\/[\w.+-]+$/.test(ct)) throw new SluiceConfigError('ERR_INVALID_GATEWAY_RESPONSE', p, 'the key must be a content type such as application/json')
  }
  return c
}

/**
 * Validates gateway-response customisations (the gateway's option or an API definition's
 * `gatewayResponses`); throws `ERR_INVALID_GATEWAY_RESPONSE` naming the problem through `at`.
 */
export function checkGatewayResponses(options: unknown, top: string, at: GatewayResponsePath): Map<GatewayResponseType, GatewayResponseConfig> {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new SluiceConfigError('ERR_INVALID_GATEWAY_RESPONSE', top, 'must be an object keyed by gateway response type')
  const configs = new Map<GatewayResponseType, GatewayResponseConfig>()
  for (const [type, config] of Object.entries(options)) {
    if (config === undefined) continue
    configs.set(type as GatewayResponseType, validateConfig(type, config, at))
  }
  return configs
}

/** DEFAULT_4XX or DEFAULT_5XX: the class a type falls back to. */
function classOf(type: GatewayResponseType): GatewayResponseType {
  return type === 'DEFAULT_5XX' || (BUILT_IN_RESPONSES[type].status ?? 400) >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX'
}

/**
 * Renders gateway responses for one gateway, or for one deployment of a mounted API; built once.
 *
 * A table made with a `fallback` (a mounted API's, over its gateway's) resolves a type as API
 * Gateway does within one API — the type's own response, else the API's DEFAULT_4XX / DEFAULT_5XX —
 * and takes the fallback's resolution for a type whose class the API does not customise at all.
 */
export class GatewayResponses {
  readonly #resolved: Map<GatewayResponseType, Resolved>

  constructor(options: GatewayResponsesOptions = {}, option = 'gatewayResponses', fallback?: GatewayResponses) {
    const configs = checkGatewayResponses(options, option, dotted(option))
    this.#resolved = new Map()
    for (const type of GATEWAY_RESPONSE_TYPES) {
      const inherited = fallback !== undefined && !configs.has(type) && !configs.has(classOf(type))
      this.#resolved.set(type, inherited ? (fallback.#resolved.get(type) as Resolved) : resolve(type, configs))
    }
  }

  /**
   * Renders the response for `type`. `message` replaces the type's default message
   * (`$context.error.message`); pass `null` for a null message. `validationErrorString` sets
   * `$context.error.validationErrorString` (request validation's details).
   *
   * When a mounted API serves the request, the exchange carries that API's table
   * (`exchange.gatewayResponses`) and the response is rendered by it: every feature renders
   * through its gateway's table, and so through the API's without knowing of mounts.
   */
  render(type: GatewayResponseType, exchange: Exchange, message?: string | null, extraHeaders?: Readonly<Record<string, string>>, validationErrorString?: string): GatewayResponse {
    const table = exchange.gatewayResponses
    if (table !== undefined && table !== this) return table.render(type, exchange, message, extraHeaders, validationErrorString)
    const r = this.#resolved.get(type) as Resolved
    const msg = message === undefined ? r.defaultMessage : message
    exchange.context.error = { message: msg, messageString: msg === null ? 'null' : JSON.stringify(msg), responseType: type }
    if (validationErrorString !== undefined) exchange.context.error.validationErrorString = validationErrorString
    const headers: Record<string, string> = Object.create(null) as Record<string, string>
    headers['content-type'] = r.contentType
    if (r.errorType !== null) headers['x-amzn-errortype'] = r.errorType
    if (extraHeaders) for (const k of Object.keys(extraHeaders)) headers[k] = extraHeaders[k] as string
    for (const [name, source] of r.headers) {
      const value = headerValue(source, exchange)
      if (value !== undefined) headers[name] = value
    }
    headers['x-amzn-requestid'] = exchange.context.requestId
    exchange.requestIdSent = true
    return { status: r.status, headers, body: renderSubstitution(r.template, exchange) }
  }

  /** The status a type renders with (for `exchange`: by the table it carries, as {@link render}). */
  statusOf(type: GatewayResponseType, exchange?: Exchange): number {
    const table = exchange?.gatewayResponses
    if (table !== undefined && table !== this) return table.statusOf(type)
    return (this.#resolved.get(type) as Resolved).status
  }
}

function resolve(type: GatewayResponseType, configs: Map<GatewayResponseType, GatewayResponseConfig>): Resolved {
  const builtIn = BUILT_IN_RESPONSES[type]
  const fallbackType = classOf(type)
  // A configured type replaces the default; an unconfigured one inherits DEFAULT_4XX / DEFAULT_5XX.
  const config = configs.get(type) ?? configs.get(fallbackType) ?? {}
  const status = config.statusCode !== undefined ? Number(config.statusCode) : (builtIn.status ?? (fallbackType === 'DEFAULT_5XX' ? 500 : 400))
  const templates = config.responseTemplates && Object.keys(config.responseTemplates).length > 0 ? config.responseTemplates : { 'application/json': defaultTemplate(builtIn.key) }
  const contentType = 'application/json' in templates ? 'application/json' : (Object.keys(templates)[0] as string)
  const headers: Array<readonly [string, HeaderSource]> = []
  for (const [name, expr] of Object.entries(config.responseParameters ?? {})) {
    headers.push([name.slice('gatewayresponse.header.'.length).toLowerCase(), parseSource(expr, name)])
  }
  return {
    type,
    status,
    errorType: builtIn.errorType,
    defaultMessage: builtIn.message,
    headers,
    contentType,
    template: compileSubstitution(templates[contentType] as string),
  }
}

function headerValue(source: HeaderSource, exchange: Exchange): string | undefined {
  let value: string | null | undefined
  switch (source.kind) {
    case 'static':
      return source.value
    case 'header':
      value = exchange.request.headers.get(source.name)
      break
    case 'querystring':
      value = new URLSearchParams(exchange.query).get(source.name)
      break
    case 'path':
      value = exchange.request.params?.[source.name]
      break
    default: {
      const v = lookup(exchange, source.kind, source.path)
      value = v === undefined || v === null ? undefined : printValue(v)
    }
  }
  if (value === null || value === undefined) return undefined
  // Never let a request value split a response header.
  return value.replace(/[\r\n\0]/g, ' ')
}
