/**
 * `gw.cors(options)`: API Gateway HTTP API's `corsConfiguration` — preflight requests answered by
 * the gateway, CORS headers on every response to an allowed origin (the route's and the gateway's
 * own error responses), and the backend's CORS headers replaced by the configured ones — through a
 * response-header hook, so no response body is ever held (server-sent events, downloads).
 */
import { SluiceConfigError } from '../errors.js'
import type { Exchange } from '../exchange.js'
import { respond, type Continue, type HeaderHook, type Outcome, type Step } from '../outcome.js'

/** Options of `gw.cors()`: the fields of API Gateway's `corsConfiguration`. */
export interface CorsOptions {
  /**
   * Origins allowed to call (`https://app.example.com`), `*` for any, or `https://*.example.com`
   * for any subdomain (a sluice extension). Default: none.
   */
  allowOrigins?: readonly string[]
  /** Methods a preflight allows (`GET`, `POST`, ... or `*`). Default: none listed. */
  allowMethods?: readonly string[]
  /** Request headers a preflight allows (or `*`). Default: none listed. */
  allowHeaders?: readonly string[]
  /** Response headers the browser may read (`Access-Control-Expose-Headers`). */
  exposeHeaders?: readonly string[]
  /** How long a browser may cache a preflight answer, in seconds (-1 to 86400). Default: not sent. */
  maxAge?: number
  /** Sends `Access-Control-Allow-Credentials: true`. Cannot be combined with the `*` origin. */
  allowCredentials?: boolean
}

const OPTION_KEYS = new Set(['allowOrigins', 'allowMethods', 'allowHeaders', 'exposeHeaders', 'maxAge', 'allowCredentials'])
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const ORIGIN = /^([a-z][a-z0-9+.-]*):\/\/(\*\.)?([a-z0-9.-]+|\[[0-9a-f:.]+\])(:\d{1,5})?$/

/** The CORS response headers; a backend's are dropped when CORS is configured. */
export const CORS_HEADERS: readonly string[] = Object.freeze([
  'access-control-allow-origin',
  'access-control-allow-credentials',
  'access-control-expose-headers',
  'access-control-allow-methods',
  'access-control-allow-headers',
  'access-control-max-age',
])

interface Resolved {
  readonly anyOrigin: boolean
  readonly exact: ReadonlySet<string>
  /** Wildcard-subdomain origins: scheme, host suffix (with its leading dot), port. */
  readonly wildcards: ReadonlyArray<{ readonly scheme: string; readonly suffix: string; readonly port: string }>
  readonly anyMethod: boolean
  readonly methods: ReadonlySet<string>
  readonly methodsValue: string
  readonly anyHeader: boolean
  readonly headers: ReadonlySet<string>
  readonly headersValue: string
  readonly exposeValue: string | undefined
  readonly maxAge: string | undefined
  readonly credentials: boolean
}

const fail = (option: string, message: string): never => {
  throw new SluiceConfigError('ERR_INVALID_CORS', option, message)
}

function list(value: unknown, option: string, check: (s: string) => boolean, what: string): string[] {
  if (value === undefined) return []
  if (!Array.isArray(value)) return fail(option, 'must be a list of strings')
  return (value as unknown[]).map((v, i) => {
    if (typeof v !== 'string' || !check(v)) fail(`${option}[${i}]`, `${JSON.stringify(v)} is not ${what}`)
    return v as string
  })
}

function resolve(options: CorsOptions): Resolved {
  if (options === null || typeof options !== 'object') fail('cors()', 'options must be an object')
  for (const k of Object.keys(options)) if (!OPTION_KEYS.has(k)) fail(`cors().${k}`, `unknown option; expected ${[...OPTION_KEYS].join(', ')}`)
  const origins = list(options.allowOrigins, 'cors().allowOrigins', (s) => s === '*' || s === 'null' || ORIGIN.test(s.toLowerCase()), 'an origin (scheme://host[:port], no path), * or null')
  const methods = list(options.allowMethods, 'cors().allowMethods', (s) => s === '*' || TOKEN.test(s), 'a method or *')
  const headers = list(options.allowHeaders, 'cors().allowHeaders', (s) => s === '*' || TOKEN.test(s), 'a header name or *')
  const expose = list(options.exposeHeaders, 'cors().exposeHeaders', (s) => s === '*' || TOKEN.test(s), 'a header name or *')
  const credentials = options.allowCredentials ?? false
  if (typeof credentials !== 'boolean') fail('cors().allowCredentials', 'must be a boolean')
  const anyOrigin = origins.includes('*')
  if (credentials && anyOrigin) fail('cors().allowCredentials', 'cannot be combined with the * origin: browsers refuse credentials for a wildcard origin, and echoing any origin with credentials lets every site act as the user')
  if (credentials && expose.includes('*')) fail('cors().exposeHeaders', '* is read literally by browsers when credentials are allowed; list the headers')
  let maxAge: string | undefined
  if (options.maxAge !== undefined) {
    if (typeof options.maxAge !== 'number' || !Number.isInteger(options.maxAge) || options.maxAge < -1 || options.maxAge > 86_400) fail('cors().maxAge', 'must be an integer number of seconds from -1 to 86400')
    maxAge = String(options.maxAge)
  }
  const exact = new Set<string>()
  const wildcards: Array<{ scheme: string; suffix: string; port: string }> = []
  for (const o of origins) {
    if (o === '*') continue
    const lower = o.toLowerCase()
    const m = ORIGIN.exec(lower)
    if (m !== null && m[2] !== undefined) wildcards.push({ scheme: m[1] as string, suffix: `.${m[3] as string}`, port: m[4] ?? '' })
    else exact.add(lower)
  }
  const methodNames = methods.filter((m) => m !== '*').map((m) => m.toUpperCase())
  const headerNames = headers.filter((h) => h !== '*').map((h) => h.toLowerCase())
  return {
    anyOrigin,
    exact,
    wildcards,
    anyMethod: methods.includes('*'),
    methods: new Set(methodNames),
    methodsValue: methods.includes('*') ? '*' : methodNames.join(','),
    anyHeader: headers.includes('*'),
    headers: new Set(headerNames),
    headersValue: headers.includes('*') ? '*' : headerNames.join(','),
    exposeValue: expose.length > 0 ? expose.join(',') : undefined,
    maxAge,
    credentials,
  }
}

/** True when `origin` is allowed by the configuration (exact, case-insensitive, or a wildcard subdomain). */
function allowed(r: Resolved, origin: string): boolean {
  if (r.anyOrigin) return true
  const lower = origin.toLowerCase()
  if (r.exact.has(lower)) return true
  for (const w of r.wildcards) {
    const m = ORIGIN.exec(lower)
    if (m === null || m[2] !== undefined || m[1] !== w.scheme || (m[4] ?? '') !== w.port) continue
    const host = m[3] as string
    if (host.length > w.suffix.length && host.endsWith(w.suffix)) return true
  }
  return false
}

/** Adds `Origin` to a Vary header value unless it is already covered. */
function varyWithOrigin(vary: string | undefined): string {
  if (vary === undefined || vary.trim() === '') return 'Origin'
  for (const part of vary.split(',')) {
    const p = part.trim().toLowerCase()
    if (p === 'origin' || p === '*') return vary
  }
  return `${vary}, Origin`
}

/** @internal builds the CORS step of a gateway. */
export function corsStep(options: CorsOptions = {}): Step {
  const r = resolve(options)
  // responses differ by Origin unless every origin gets `*`
  const varies = !r.anyOrigin

  /** The CORS headers of a response to an allowed origin. */
  const corsHeaders = (origin: string): Record<string, string> => {
    const headers: Record<string, string> = { 'access-control-allow-origin': r.anyOrigin ? '*' : origin }
    if (r.credentials) headers['access-control-allow-credentials'] = 'true'
    if (r.exposeValue !== undefined) headers['access-control-expose-headers'] = r.exposeValue
    return headers
  }

  /**
   * Just before the headers go out (the route's response or a later denial; the body is never
   * held, so streams flow): the backend's CORS headers out, ours in, Origin in Vary.
   */
  const rewrite: HeaderHook = (response, _status, exchange) => {
    const headers: Record<string, string> = {}
    for (const k of Object.keys(response)) if (!CORS_HEADERS.includes(k)) headers[k] = response[k] as string
    const origin = exchange.request.headers.get('origin')
    if (origin !== null && allowed(r, origin)) Object.assign(headers, corsHeaders(origin))
    if (varies) headers.vary = varyWithOrigin(headers.vary)
    return headers
  }
  // the headers also go out as ordinary continue headers, for hosts that only apply those
  const plain: Continue = Object.freeze({ kind: 'continue', responseHeaders: rewrite })

  const preflight = (exchange: Exchange, origin: string, method: string): Outcome => {
    const headers: Record<string, string> = Object.create(null) as Record<string, string>
    const requested = exchange.request.headers.get('access-control-request-headers')
    const names = requested === null ? [] : requested.split(',').map((h) => h.trim().toLowerCase()).filter((h) => h !== '')
    const methodOk = r.anyMethod || r.methods.has(method.toUpperCase())
    const headersOk = r.anyHeader || names.every((h) => r.headers.has(h))
    const ok = allowed(r, origin) && methodOk && headersOk
    if (ok) {
      headers['access-control-allow-origin'] = r.anyOrigin ? '*' : origin
      if (r.credentials) headers['access-control-allow-credentials'] = 'true'
      // with credentials a browser reads `*` literally: name what was asked for instead
      const methods = r.anyMethod && r.credentials ? method : r.methodsValue
      const allowHeaders = r.anyHeader && r.credentials ? names.join(',') : r.headersValue
      if (methods !== '') headers['access-control-allow-methods'] = methods
      if (allowHeaders !== '') headers['access-control-allow-headers'] = allowHeaders
      if (r.exposeValue !== undefined) headers['access-control-expose-headers'] = r.exposeValue
      if (r.maxAge !== undefined) headers['access-control-max-age'] = r.maxAge
    }
    if (varies) headers.vary = 'Origin'
    headers['x-amzn-requestid'] = exchange.context.requestId
    exchange.requestIdSent = true
    exchange.record({ feature: 'cors', decision: ok ? 'respond' : 'deny', reason: ok ? 'preflight' : allowed(r, origin) ? (methodOk ? 'header-not-allowed' : 'method-not-allowed') : 'origin-not-allowed' })
    return respond({ status: 204, headers, body: '' })
  }

  return {
    feature: 'cors',
    run(exchange: Exchange): Outcome {
      const h = exchange.request.headers
      if (exchange.request.method === 'OPTIONS') {
        const origin = h.get('origin')
        const method = h.get('access-control-request-method')
        if (origin !== null && method !== null) return preflight(exchange, origin, method)
      }
      const origin = h.get('origin')
      if (origin === null || !allowed(r, origin)) return plain
      return { kind: 'continue', headers: corsHeaders(origin), responseHeaders: rewrite }
    },
  }
}
