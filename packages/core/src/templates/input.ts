/**
 * `$input` and `$context` as host objects over one request (or response) and its context.
 */
import type { HeaderReader } from '../request.js'
import { cachedJsonPath, type JsonPath } from './jsonpath.js'
import { display, HostObject, isMap, own, TemplateError, toJson } from './values.js'

/** Request parameters as templates see them (single values; the last of repeated query values). */
export interface TemplateParams {
  readonly path: Readonly<Record<string, string>>
  readonly querystring: Readonly<Record<string, string>>
  readonly header: Readonly<Record<string, string>>
}

/** Where `$input` reads from. */
export interface InputSource {
  /** The raw body text (`''` when empty). */
  readonly body: string
  /** Path parameters. */
  readonly path?: Readonly<Record<string, string>> | undefined
  /** Query parameters: a raw query string or a record (the last of repeated values counts). */
  readonly query?: string | Readonly<Record<string, string | readonly string[] | undefined>> | undefined
  /** Headers: a reader or a record. */
  readonly headers?: HeaderReader | Readonly<Record<string, string | readonly string[] | undefined>> | undefined
  /** The body already parsed as JSON, when the caller has it (saves a parse). */
  readonly json?: unknown
}

const NO_JSON = Symbol('unparsed')
const WHITESPACE = /\s/

const nullRecord = (): Record<string, string> => Object.create(null) as Record<string, string>

function lastOf(v: string | readonly string[] | undefined): string | undefined {
  if (v === undefined) return undefined
  return typeof v === 'string' ? v : v[v.length - 1]
}

function queryRecord(q: InputSource['query']): Record<string, string> {
  const out = nullRecord()
  if (q === undefined) return out
  if (typeof q === 'string') {
    if (q === '') return out
    for (const [k, v] of new URLSearchParams(q)) out[k] = v
    return out
  }
  for (const k of Object.keys(q)) {
    const v = lastOf(q[k])
    if (v !== undefined) out[k] = v
  }
  return out
}

function headerRecord(h: InputSource['headers']): Record<string, string> {
  const out = nullRecord()
  if (h === undefined) return out
  if (typeof (h as HeaderReader).forEach === 'function' && typeof (h as HeaderReader).get === 'function') {
    ;(h as HeaderReader).forEach((v, k) => {
      out[k] = v
    })
    return out
  }
  const rec = h as Readonly<Record<string, string | readonly string[] | undefined>>
  for (const k of Object.keys(rec)) {
    const v = rec[k]
    if (v !== undefined) out[k] = typeof v === 'string' ? v : v.join(',')
  }
  return out
}

/** `$input`. */
export class Input extends HostObject {
  readonly #src: InputSource
  #json: unknown = NO_JSON
  #params: TemplateParams | undefined

  constructor(src: InputSource) {
    super()
    this.#src = src
    if (src.json !== undefined) this.#json = src.json
  }

  /** `$input.body`: the raw payload; an empty body reads `{}`. */
  get body(): string {
    return this.#src.body === '' ? '{}' : this.#src.body
  }

  /** The body parsed as JSON (once per render). */
  parsed(): unknown {
    if (this.#json !== NO_JSON) return this.#json
    try {
      this.#json = JSON.parse(this.body) as unknown
    } catch (e) {
      throw new TemplateError('BODY_NOT_JSON', (e as Error).message)
    }
    return this.#json
  }

  /** `$input.path(p)` with a compiled path. */
  path(p: JsonPath): unknown {
    const v = p.evaluate(this.parsed())
    return v === null ? undefined : v
  }

  /** `$input.json(p)` with a compiled path. */
  json(p: JsonPath): string {
    if (p.source === '$' && this.#json === NO_JSON) {
      // pass-through: the raw body is already compact JSON once it parses and has no whitespace
      const raw = this.body
      this.parsed()
      if (!WHITESPACE.test(raw)) return raw
    }
    const v = p.evaluate(this.parsed())
    return v === null || v === undefined ? '""' : toJson(v)
  }

  params(): TemplateParams {
    if (this.#params !== undefined) return this.#params
    const path = nullRecord()
    const given = this.#src.path
    if (given !== undefined) for (const k of Object.keys(given)) path[k] = given[k] as string
    this.#params = { path, querystring: queryRecord(this.#src.query), header: headerRecord(this.#src.headers) }
    return this.#params
  }

  /** `$input.params(name)`: path, then query string, then header (case-insensitive); missing → empty. */
  param(name: string): string {
    const p = this.params()
    const v = own(p.path, name) ?? own(p.querystring, name) ?? own(p.header, name)
    if (v !== undefined) return v as string
    const lower = name.toLowerCase()
    for (const k of Object.keys(p.header)) if (k.toLowerCase() === lower) return p.header[k] as string
    return ''
  }

  prop(name: string): unknown {
    return name === 'body' ? this.body : undefined
  }

  call(name: string, args: readonly unknown[]): unknown {
    switch (name) {
      case 'path':
        return this.path(cachedJsonPath(display(args[0])))
      case 'json':
        return this.json(cachedJsonPath(display(args[0])))
      case 'params':
        return args.length === 0 ? this.params() : this.param(display(args[0]))
      case 'getBody':
        return this.body
      default:
        return undefined
    }
  }

  display(): string {
    return ''
  }
}

/** `$context` names read from a context object that are not its own properties (getters). */
const CONTEXT_NAMES = new Set([
  'accountId', 'apiId', 'authorizer', 'awsEndpointRequestId', 'deploymentId', 'domainName', 'domainPrefix', 'error', 'extendedRequestId',
  'httpMethod', 'identity', 'isCanaryRequest', 'path', 'protocol', 'requestId', 'requestTime', 'requestTimeEpoch', 'resourceId',
  'resourcePath', 'stage', 'wafResponseCode', 'webaclArn',
])

/** The overrides a template set (`$context.requestOverride.*`, `$context.responseOverride.*`). */
export interface Overrides {
  readonly request: { readonly header: Record<string, unknown>; readonly path: Record<string, unknown>; readonly querystring: Record<string, unknown> }
  readonly response: { readonly header: Record<string, unknown>; status?: unknown }
}

/** A fresh, empty set of overrides. */
export function emptyOverrides(): Overrides {
  return { request: { header: {}, path: {}, querystring: {} }, response: { header: {} } }
}

/** `$context`: the request context (own properties and API Gateway's names only) plus the overrides. */
export class Context extends HostObject {
  #overrides: Overrides | undefined

  constructor(
    readonly source: object | undefined,
    overrides?: Overrides,
  ) {
    super()
    this.#overrides = overrides
  }

  /** The overrides (created on first use: most templates never touch them). */
  get overrides(): Overrides {
    return (this.#overrides ??= emptyOverrides())
  }

  prop(name: string): unknown {
    if (name === 'requestOverride') return this.overrides.request
    if (name === 'responseOverride') return this.overrides.response
    const src = this.source
    if (src === undefined) return undefined
    if (Object.prototype.hasOwnProperty.call(src, name) || CONTEXT_NAMES.has(name)) {
      const v = (src as Record<string, unknown>)[name]
      return typeof v === 'function' ? undefined : v
    }
    return undefined
  }

  call(name: string, args: readonly unknown[]): unknown {
    if (name === 'get') return this.prop(display(args[0]))
    return undefined
  }

  display(): string {
    const src = this.source as { toJSON?: () => unknown } | undefined
    const plain = typeof src?.toJSON === 'function' ? src.toJSON() : src
    return isMap(plain) ? display(plain) : ''
  }

  override toJSON(): unknown {
    const src = this.source as { toJSON?: () => unknown } | undefined
    return typeof src?.toJSON === 'function' ? src.toJSON() : (src ?? {})
  }
}
