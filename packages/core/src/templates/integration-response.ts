/**
 * Response mapping (API Gateway's integration responses): pick the integration response whose
 * `selectionPattern` matches the whole selection value (the backend's status code, or a Lambda
 * error message), map headers with `responseParameters`, render the response template chosen by
 * Accept, then apply `$context.responseOverride`.
 */
import { SluiceConfigError } from '../errors.js'
import type { HeaderReader } from '../request.js'
import type { GatewayResponse } from '../response.js'
import { Input, emptyOverrides, type Overrides } from './input.js'
import { compileJsonPath, type JsonPath } from './jsonpath.js'
import { unsafeRegexReason } from './regex-safety.js'
import { renderCompiled, type TemplateLimits } from './render.js'
import { compileTemplates, selectResponseTemplate, type TemplateSet } from './selection.js'
import { display, own, toJson } from './values.js'

/** An integration response, in API Gateway's terms. */
export interface IntegrationResponse {
  /** The method response status (100–599). Omitted: the backend's own status is kept. */
  statusCode?: number | string
  /**
   * A regular expression matched against the **whole** selection value (the backend status code
   * such as `404`, or a Lambda error message). Omitted, empty or `default`: the default response.
   */
  selectionPattern?: string
  /**
   * Response headers: `method.response.header.NAME` ← `integration.response.header.NAME`,
   * `integration.response.multivalueheader.NAME`, `integration.response.body`,
   * `integration.response.body.<JSONPath>`, `context.NAME`, `stageVariables.NAME` or `'static'`.
   */
  responseParameters?: Record<string, string>
  /** Response templates by media type (chosen by the request's Accept; the first is the fallback). */
  responseTemplates?: Record<string, string>
}

type Source =
  | { readonly k: 'static'; readonly value: string }
  | { readonly k: 'header'; readonly name: string }
  | { readonly k: 'body' }
  | { readonly k: 'bodyPath'; readonly path: JsonPath }
  | { readonly k: 'context'; readonly path: readonly string[] }
  | { readonly k: 'stage'; readonly name: string }

/** An integration response, compiled. */
export interface PreparedIntegrationResponse {
  readonly statusCode: number | undefined
  readonly selectionPattern: string | undefined
  readonly pattern: RegExp | undefined
  readonly templates: TemplateSet
  readonly parameters: ReadonlyArray<{ readonly header: string; readonly source: Source }>
}

/** Integration responses, compiled, with the selection. */
export interface PreparedResponses {
  readonly list: readonly PreparedIntegrationResponse[]
  /** The first patterned response whose pattern matches the whole value, else the default, else undefined. */
  select(value: string | undefined): PreparedIntegrationResponse | undefined
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

/**
 * Compiles a selection pattern as a whole-value match (Java's `Pattern.matches`). Refuses invalid
 * patterns and those that can backtrack catastrophically (`ERR_UNSAFE_REGEX`).
 */
export function compileSelectionPattern(pattern: string, option: string): RegExp {
  const reason = unsafeRegexReason(pattern)
  if (reason !== undefined) throw new SluiceConfigError('ERR_UNSAFE_REGEX', option, `${JSON.stringify(pattern)}: ${reason}`)
  try {
    return new RegExp(`^(?:${pattern})$`)
  } catch (e) {
    throw new SluiceConfigError('ERR_INVALID_TRANSFORM', option, `${JSON.stringify(pattern)} is not a valid regular expression: ${(e as Error).message}`)
  }
}

function parseSource(value: unknown, option: string): Source {
  if (typeof value !== 'string') throw new SluiceConfigError('ERR_INVALID_TRANSFORM', option, 'must be a mapping expression string')
  if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) return { k: 'static', value: value.slice(1, -1) }
  let m = /^integration\.response\.(?:multivalue)?header\.(.+)$/.exec(value)
  if (m !== null) return { k: 'header', name: (m[1] as string).toLowerCase() }
  if (value === 'integration.response.body') return { k: 'body' }
  m = /^integration\.response\.body\.(.+)$/.exec(value)
  if (m !== null) {
    try {
      return { k: 'bodyPath', path: compileJsonPath(`$.${m[1] as string}`) }
    } catch (e) {
      throw new SluiceConfigError('ERR_INVALID_TRANSFORM', option, (e as Error).message)
    }
  }
  m = /^context\.([A-Za-z0-9_.-]+)$/.exec(value)
  if (m !== null) return { k: 'context', path: (m[1] as string).split('.') }
  m = /^stageVariables\.([A-Za-z0-9_]+)$/.exec(value)
  if (m !== null) return { k: 'stage', name: m[1] as string }
  throw new SluiceConfigError(
    'ERR_INVALID_TRANSFORM',
    option,
    `${JSON.stringify(value)}: expected 'static', integration.response.header.NAME, integration.response.body[.path], context.NAME or stageVariables.NAME`,
  )
}

function prepareOne(r: IntegrationResponse, limits: TemplateLimits | undefined, option: string): PreparedIntegrationResponse {
  if (r === null || typeof r !== 'object') throw new SluiceConfigError('ERR_INVALID_TRANSFORM', option, 'must be an integration response object')
  for (const k of Object.keys(r)) {
    if (!['statusCode', 'selectionPattern', 'responseParameters', 'responseTemplates'].includes(k)) {
      throw new SluiceConfigError('ERR_INVALID_TRANSFORM', `${option}.${k}`, 'unknown field; expected statusCode, selectionPattern, responseParameters, responseTemplates')
    }
  }
  let statusCode: number | undefined
  if (r.statusCode !== undefined) {
    const given: unknown = typeof r.statusCode === 'string' && /^\d{3}$/.test(r.statusCode) ? Number(r.statusCode) : r.statusCode
    if (typeof given !== 'number' || !Number.isInteger(given) || given < 100 || given > 599) {
      throw new SluiceConfigError('ERR_INVALID_TRANSFORM', `${option}.statusCode`, 'must be a status code from 100 to 599')
    }
    statusCode = given
  }
  const sp = r.selectionPattern
  if (sp !== undefined && typeof sp !== 'string') throw new SluiceConfigError('ERR_INVALID_TRANSFORM', `${option}.selectionPattern`, 'must be a string')
  const isDefault = sp === undefined || sp === '' || sp === 'default'
  const pattern = isDefault ? undefined : compileSelectionPattern(sp, `${option}.selectionPattern`)
  const parameters: Array<{ header: string; source: Source }> = []
  if (r.responseParameters !== undefined) {
    if (r.responseParameters === null || typeof r.responseParameters !== 'object') throw new SluiceConfigError('ERR_INVALID_TRANSFORM', `${option}.responseParameters`, 'must be an object')
    for (const [k, v] of Object.entries(r.responseParameters)) {
      const o = `${option}.responseParameters["${k}"]`
      const m = /^method\.response\.header\.(.+)$/.exec(k)
      if (m === null || !HEADER_NAME.test(m[1] as string)) throw new SluiceConfigError('ERR_INVALID_TRANSFORM', o, 'keys are method.response.header.NAME')
      parameters.push({ header: (m[1] as string).toLowerCase(), source: parseSource(v, o) })
    }
  }
  return { statusCode, selectionPattern: isDefault ? undefined : sp, pattern, templates: compileTemplates(r.responseTemplates, limits, `${option}.responseTemplates`), parameters }
}

/**
 * Compiles integration responses: a list (API Gateway's API shape) or a record keyed by selection
 * pattern with `default` for the default one (the OpenAPI extension's shape).
 */
export function prepareIntegrationResponses(
  responses: readonly IntegrationResponse[] | Readonly<Record<string, IntegrationResponse>>,
  limits: TemplateLimits | undefined,
  option: string,
): PreparedResponses {
  if (responses === null || typeof responses !== 'object') throw new SluiceConfigError('ERR_INVALID_TRANSFORM', option, 'must be a list of integration responses or a record keyed by selection pattern')
  const list: PreparedIntegrationResponse[] = Array.isArray(responses)
    ? (responses as readonly IntegrationResponse[]).map((r, i) => prepareOne(r, limits, `${option}[${i}]`))
    : Object.entries(responses as Record<string, IntegrationResponse>).map(([k, r]) => prepareOne({ ...r, selectionPattern: k }, limits, `${option}["${k}"]`))
  const defaults = list.filter((r) => r.pattern === undefined)
  if (defaults.length > 1) throw new SluiceConfigError('ERR_INVALID_TRANSFORM', option, 'at most one integration response may be the default (no selectionPattern)')
  const fallback = defaults[0]
  const patterned = list.filter((r) => r.pattern !== undefined)
  return {
    list,
    select(value) {
      if (value !== undefined) for (const r of patterned) if ((r.pattern as RegExp).test(value)) return r
      return fallback
    },
  }
}

/** What response mapping needs besides the response. */
export interface ResponseMappingInput {
  /** The selection value. Default: the response status code. */
  readonly selectionValue?: string | undefined
  /** The request's Accept header (response template selection). */
  readonly accept?: string | null | undefined
  /** The method request's parameters (`$input.params()` in response templates). */
  readonly path?: Readonly<Record<string, string>> | undefined
  readonly query?: string | undefined
  readonly headers?: HeaderReader | undefined
  /** `$context`. */
  readonly context?: object | undefined
  readonly stageVariables?: Readonly<Record<string, string>> | undefined
  /** Overrides set so far (by a request template); the response template adds to them. */
  readonly overrides?: Overrides | undefined
  /**
   * API Gateway's non-proxy rule: only mapped headers are returned. Default false: the backend's
   * headers are kept and the mapped ones added over them (a host route's own headers survive).
   */
  readonly onlyMappedHeaders?: boolean | undefined
}

/** Thrown when no integration response matches and none is the default (a 500 for the client). */
export class NoIntegrationResponseError extends Error {
  override readonly name = 'NoIntegrationResponseError'
}

const textOf = (body: string | Uint8Array): string => (typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'))

function contextValue(context: object | undefined, path: readonly string[]): unknown {
  let v: unknown = context
  for (const p of path) {
    if (typeof v !== 'object' || v === null) return undefined
    v = (v as Record<string, unknown>)[p]
    if (typeof v === 'function') return undefined
  }
  return v
}

function sourceValue(s: Source, response: GatewayResponse, body: () => string, input: ResponseMappingInput): string | undefined {
  switch (s.k) {
    case 'static':
      return s.value
    case 'header':
      return own(response.headers, s.name) as string | undefined
    case 'body':
      return body()
    case 'bodyPath': {
      let parsed: unknown
      try {
        parsed = JSON.parse(body()) as unknown
      } catch {
        return undefined
      }
      const v = s.path.evaluate(parsed)
      if (v === null || v === undefined) return undefined
      return typeof v === 'object' ? toJson(v) : display(v)
    }
    case 'context': {
      const v = contextValue(input.context, s.path)
      return v === undefined || v === null ? undefined : typeof v === 'object' ? toJson(v) : display(v)
    }
    case 'stage':
      return input.stageVariables === undefined ? undefined : (own(input.stageVariables, s.name) as string | undefined)
  }
}

/**
 * Maps a backend response through the integration responses. Throws
 * {@link NoIntegrationResponseError} when nothing matches and there is no default, and
 * `TemplateError` when a response template fails.
 */
export function mapResponse(prepared: PreparedResponses, response: GatewayResponse, input: ResponseMappingInput = {}): GatewayResponse {
  const value = input.selectionValue ?? String(response.status)
  const chosen = prepared.select(value)
  if (chosen === undefined) throw new NoIntegrationResponseError(`no integration response matches ${JSON.stringify(value)} and none is the default`)
  let text: string | undefined
  const body = (): string => (text ??= textOf(response.body))
  const headers: Record<string, string> = {}
  if (input.onlyMappedHeaders !== true) Object.assign(headers, response.headers)
  for (const p of chosen.parameters) {
    const v = sourceValue(p.source, response, body, input)
    // a header value never carries a line break (no response splitting from a body or context value)
    if (v !== undefined && !/[\r\n\0]/.test(v)) headers[p.header] = v
  }
  const overrides = input.overrides ?? emptyOverrides()
  let out: string | Uint8Array = response.body
  const selected = selectResponseTemplate(chosen.templates, input.accept)
  if (selected !== undefined) {
    const $input = new Input({ body: body(), path: input.path, query: input.query, headers: input.headers })
    out = renderCompiled(selected.template, $input, input.context, input.stageVariables, overrides).body
    headers['content-type'] = selected.mediaType
  }
  return applyResponseOverrides({ status: chosen.statusCode ?? response.status, headers, body: out }, overrides)
}

/** Applies `$context.responseOverride.status` (an integer 100–599) and `.header.*` to a response. */
export function applyResponseOverrides(response: GatewayResponse, overrides: Overrides): GatewayResponse {
  const o = overrides.response
  const names = Object.keys(o.header)
  let status = response.status
  const s = typeof o.status === 'string' && /^\d{3}$/.test(o.status.trim()) ? Number(o.status.trim()) : o.status
  if (typeof s === 'number' && Number.isInteger(s) && s >= 100 && s <= 599) status = s
  if (names.length === 0 && status === response.status) return response
  const headers: Record<string, string> = { ...response.headers }
  for (const n of names) {
    const v = o.header[n]
    if (v === undefined || v === null || !HEADER_NAME.test(n)) continue
    const text = Array.isArray(v) ? v.map((x) => display(x)).join(',') : display(v)
    if (/[\r\n\0]/.test(text)) continue
    headers[n.toLowerCase()] = text
  }
  return { status, headers, body: response.body }
}
