import { canonicalIp } from './ip.js'

/**
 * The neutral request model. Fetch-shaped, so a real `Request` (with an `ip`) satisfies it; adapters
 * supply cheap views over their framework's request instead of copying it.
 */

/** Read access to request headers. A WHATWG `Headers` satisfies it. Names are case-insensitive. */
export interface HeaderReader {
  get(name: string): string | null
  has(name: string): boolean
  forEach(callback: (value: string, name: string) => void): void
}

/** A request as sluice sees it. */
export interface GatewayRequest {
  readonly method: string
  /** The absolute URL, as in Fetch (`http://host/path?query`). */
  readonly url: string
  readonly headers: HeaderReader
  /** The client address resolved by the adapter (trust-proxy aware, IPv4-mapped IPv6 canonicalised). */
  readonly ip?: string | undefined
  /** Path parameters, when the framework's router matched some. */
  readonly params?: Readonly<Record<string, string>> | undefined
  /** The body as text; memoised. */
  text(): Promise<string>
  /** The body parsed as JSON; memoised. */
  json(): Promise<unknown>
  /** The body as bytes; memoised. */
  arrayBuffer(): Promise<ArrayBuffer>
}

/** Header values as Node and plain objects carry them. */
export type HeaderRecord = Readonly<Record<string, string | readonly string[] | number | undefined>>

/**
 * A {@link HeaderReader} over a record of lower-case header names (Node's `IncomingHttpHeaders`).
 * Repeated headers (arrays) read as their values joined with `", "`, as Fetch does.
 */
export class RecordHeaders implements HeaderReader {
  readonly #raw: HeaderRecord
  constructor(raw: HeaderRecord) {
    this.#raw = raw
  }

  get(name: string): string | null {
    const value = this.#raw[name.toLowerCase()]
    if (value === undefined) return null
    if (typeof value === 'string') return value
    if (Array.isArray(value)) return value.join(', ')
    return String(value)
  }

  has(name: string): boolean {
    return this.#raw[name.toLowerCase()] !== undefined
  }

  forEach(callback: (value: string, name: string) => void): void {
    for (const name of Object.keys(this.#raw)) {
      const value = this.get(name)
      if (value !== null) callback(value, name)
    }
  }
}

/** Splits an absolute or origin-form URL into its path and query string (without `?`). */
export function splitUrl(url: string): { path: string; query: string } {
  let start = 0
  const scheme = url.indexOf('://')
  if (scheme !== -1 && scheme < url.indexOf('/')) {
    // The authority ends at the first '/', '?' or '#' (`http://host?x=1` has a query but no path).
    start = url.length
    for (const c of ['/', '?', '#']) {
      const at = url.indexOf(c, scheme + 3)
      if (at !== -1 && at < start) start = at
    }
  }
  const q = url.indexOf('?', start)
  const hash = url.indexOf('#', start)
  const end = hash === -1 ? url.length : hash
  if (q === -1 || q > end) return { path: url.slice(start, end) || '/', query: '' }
  return { path: url.slice(start, q) || '/', query: url.slice(q + 1, end) }
}

/** Memoises a body source into the three Fetch readers. */
export class BodyReader {
  #bytes: Promise<Uint8Array> | undefined
  #text: Promise<string> | undefined
  #json: Promise<unknown> | undefined
  readonly #load: () => Promise<Uint8Array>

  constructor(load: () => Promise<Uint8Array>) {
    this.#load = load
  }

  bytes(): Promise<Uint8Array> {
    return (this.#bytes ??= this.#load())
  }

  text(): Promise<string> {
    return (this.#text ??= this.bytes().then((b) => new TextDecoder().decode(b)))
  }

  json(): Promise<unknown> {
    return (this.#json ??= this.text().then((t) => JSON.parse(t) as unknown))
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const b = await this.bytes()
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer
  }
}

/** Turns an already-parsed framework body into bytes (strings and buffers as they are, objects as JSON). */
export function bodyToBytes(body: unknown): Uint8Array {
  if (body === undefined || body === null) return new Uint8Array(0)
  if (typeof body === 'string') return new TextEncoder().encode(body)
  if (body instanceof Uint8Array) return body
  if (body instanceof ArrayBuffer) return new Uint8Array(body)
  return new TextEncoder().encode(JSON.stringify(body))
}

/** What {@link createRequest} accepts: a plain description of a request. */
export interface RequestInit {
  method?: string
  /** Absolute URL or a path with query, e.g. `/pets?type=dog`. */
  url?: string
  headers?: HeaderRecord | HeaderReader
  /** A string, bytes, or a value serialised as JSON. */
  body?: unknown
  ip?: string
  params?: Record<string, string>
}

function isHeaderReader(value: unknown): value is HeaderReader {
  return typeof (value as HeaderReader | undefined)?.get === 'function'
}

/** Builds a {@link GatewayRequest} from a plain description (used by the test harness). */
export function createRequest(init: RequestInit = {}): GatewayRequest {
  const headers = isHeaderReader(init.headers) ? init.headers : new RecordHeaders(lowerKeys(init.headers ?? {}))
  let url = init.url ?? '/'
  if (!url.includes('://')) url = `http://${headers.get('host') ?? 'localhost'}${url.startsWith('/') ? '' : '/'}${url}`
  const body = new BodyReader(() => Promise.resolve(bodyToBytes(init.body)))
  return {
    method: (init.method ?? 'GET').toUpperCase(),
    url,
    headers,
    ip: init.ip === undefined ? undefined : (canonicalIp(init.ip) ?? init.ip),
    params: init.params,
    text: () => body.text(),
    json: () => body.json(),
    arrayBuffer: () => body.arrayBuffer(),
  }
}

function lowerKeys(record: HeaderRecord): HeaderRecord {
  const out: Record<string, string | readonly string[] | number | undefined> = Object.create(null) as Record<string, never>
  for (const [k, v] of Object.entries(record)) {
    const name = k.toLowerCase()
    const prev = out[name]
    if (prev === undefined) out[name] = v
    else out[name] = [...(Array.isArray(prev) ? prev : [String(prev)]), ...(Array.isArray(v) ? v : [String(v)])]
  }
  return out
}
