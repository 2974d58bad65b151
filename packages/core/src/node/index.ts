/**
 * Node helpers shared by the adapters that sit on `node:http` (Express, Koa, Fastify): a cheap
 * {@link GatewayRequest} view over an `IncomingMessage`, and writing a {@link GatewayResponse}.
 * Structural types only: no framework is imported.
 */
import type { IncomingHttpHeaders } from 'node:http'
import { Readable } from 'node:stream'
import type { Exchange } from '../exchange.js'
import type { Gateway } from '../gateway.js'
import type { HeaderHook } from '../outcome.js'
import { BodyReader, bodyToBytes, RecordHeaders, type GatewayRequest } from '../request.js'
import type { GatewayResponse } from '../response.js'
import type { RequestRewrite } from '../outcome.js'

/** The parts of an `IncomingMessage` sluice reads. */
export interface NodeRequestLike {
  readonly method?: string | undefined
  readonly url?: string | undefined
  readonly headers: IncomingHttpHeaders
  readonly socket?: { readonly remoteAddress?: string | undefined; readonly encrypted?: boolean } | null
  readonly readableEnded?: boolean
  on(event: 'data', listener: (chunk: Uint8Array) => void): unknown
  on(event: 'end', listener: () => void): unknown
  on(event: 'error', listener: (error: Error) => void): unknown
}

/** The parts of a `ServerResponse` sluice writes. */
export interface NodeResponseLike {
  statusCode: number
  setHeader(name: string, value: string): unknown
  end(body?: string | Uint8Array): unknown
  readonly headersSent?: boolean
}

/** Options of {@link nodeRequest}. */
export interface NodeRequestOptions {
  /** The resolved client address. */
  ip: string
  /** An already-parsed body (Express `req.body`, Koa `ctx.request.body`, Fastify `request.body`). */
  parsedBody?: () => unknown
  /** Path parameters matched by the framework. */
  params?: Readonly<Record<string, string>> | undefined
  /** The most bytes read from the stream when no parsed body exists. Default 10 MiB (AWS's payload limit). */
  maxBodyBytes?: number
}

/** Read when no framework parsed the body: the stream itself, bounded. */
function readStream(req: NodeRequestLike, max: number): Promise<Uint8Array> {
  if (req.readableEnded) return Promise.resolve(new Uint8Array(0))
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = []
    let size = 0
    req.on('data', (chunk) => {
      size += chunk.byteLength
      if (size > max) reject(new RangeError(`request body larger than ${max} bytes`))
      else chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

class NodeRequest implements GatewayRequest {
  readonly method: string
  readonly headers: RecordHeaders
  readonly ip: string
  readonly params: Readonly<Record<string, string>> | undefined
  readonly #req: NodeRequestLike
  readonly #options: NodeRequestOptions
  #body: BodyReader | undefined
  #json: Promise<unknown> | undefined
  #url: string | undefined

  constructor(req: NodeRequestLike, options: NodeRequestOptions) {
    this.#req = req
    this.#options = options
    this.method = req.method ?? 'GET'
    this.headers = new RecordHeaders(req.headers)
    this.ip = options.ip
    this.params = options.params
  }

  get url(): string {
    if (this.#url === undefined) {
      const host = this.#req.headers.host ?? 'localhost'
      const scheme = this.#req.socket?.encrypted ? 'https' : 'http'
      const path = this.#req.url ?? '/'
      this.#url = `${scheme}://${host}${path.startsWith('/') ? path : `/${path}`}`
    }
    return this.#url
  }

  #reader(): BodyReader {
    return (this.#body ??= new BodyReader(() => {
      const parsed = this.#options.parsedBody?.()
      if (parsed !== undefined) return Promise.resolve(bodyToBytes(parsed))
      return readStream(this.#req, this.#options.maxBodyBytes ?? 10 * 1024 * 1024)
    }))
  }

  text(): Promise<string> {
    return this.#reader().text()
  }
  json(): Promise<unknown> {
    // a body the framework already parsed into a value (express.json(), a Koa body parser) is that
    // value: no round trip through text
    if (this.#json === undefined) {
      const parsed = this.#body === undefined ? this.#options.parsedBody?.() : undefined
      this.#json = parsed !== null && typeof parsed === 'object' && !(parsed instanceof Uint8Array) && !(parsed instanceof ArrayBuffer) ? Promise.resolve(parsed) : this.#reader().json()
    }
    return this.#json
  }
  arrayBuffer(): Promise<ArrayBuffer> {
    return this.#reader().arrayBuffer()
  }
}

/** A {@link GatewayRequest} view over a Node request; nothing is copied until asked for. */
export function nodeRequest(req: NodeRequestLike, options: NodeRequestOptions): GatewayRequest {
  return new NodeRequest(req, options)
}

/** Sets headers on a Node response. */
export function setNodeHeaders(res: NodeResponseLike, headers: Readonly<Record<string, string>> | undefined): void {
  if (headers === undefined) return
  for (const name in headers) res.setHeader(name, headers[name] as string)
}

/** Writes a whole {@link GatewayResponse} to a Node response and ends it. */
export function writeNodeResponse(res: NodeResponseLike, response: GatewayResponse): void {
  res.statusCode = response.status
  setNodeHeaders(res, response.headers)
  if (response.cookies !== undefined && response.cookies.length > 0) res.setHeader('set-cookie', response.cookies as unknown as string)
  // 204 and 304 carry no body and no Content-Length (RFC 9110 §8.6)
  if (response.status === 204 || response.status === 304) return void res.end()
  const body = typeof response.body === 'string' ? Buffer.from(response.body) : response.body
  res.setHeader('content-length', String(body.byteLength))
  res.end(body)
}


/** Snapshot of a Node response's headers as a {@link GatewayResponse} sees them. */
export interface HeaderSnapshot {
  readonly headers: Record<string, string>
  /** `set-cookie` as separate values (joined with ", " in `headers`). */
  readonly setCookie: readonly string[] | undefined
}

/** Reads the headers set so far on a Node response (lower-case names). */
export function snapshotHeaders(raw: Readonly<Record<string, number | string | readonly string[] | undefined>>): HeaderSnapshot {
  const headers: Record<string, string> = {}
  let setCookie: readonly string[] | undefined
  for (const name of Object.keys(raw)) {
    const v = raw[name]
    if (v === undefined) continue
    const key = name.toLowerCase()
    if (Array.isArray(v)) {
      if (key === 'set-cookie') setCookie = v
      headers[key] = v.join(', ')
    } else headers[key] = String(v)
  }
  return { headers, setCookie }
}

/** What an adapter sets, header by header, to turn the handler's response into the final one. */
export function headerPlan(final: GatewayResponse, before: HeaderSnapshot): { remove: string[]; set: Array<[string, string | readonly string[]]> } {
  const remove = Object.keys(before.headers).filter((k) => !(k in final.headers))
  const set: Array<[string, string | readonly string[]]> = []
  for (const [k, v] of Object.entries(final.headers)) {
    if (k === 'content-length' || k === 'transfer-encoding') continue
    set.push([k, k === 'set-cookie' && before.setCookie !== undefined && v === before.headers[k] ? before.setCookie : v])
  }
  if ('transfer-encoding' in before.headers) remove.push('transfer-encoding')
  return { remove, set }
}

/** Bytes of a body. */
export function bodyBytes(body: string | Uint8Array): Buffer {
  return typeof body === 'string' ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.byteLength)
}

/**
 * Reads a Node stream up to `limit` bytes: the whole body, or — past the limit — a stream that
 * replays what was read and then the rest, untouched.
 */
export async function readStreamUpTo(stream: AsyncIterable<unknown>, limit: number): Promise<{ bytes: Buffer } | { rest: Readable }> {
  const it = stream[Symbol.asyncIterator]()
  const chunks: Buffer[] = []
  let size = 0
  for (;;) {
    const r = await it.next()
    if (r.done) return { bytes: Buffer.concat(chunks) }
    const v = r.value
    const b = typeof v === 'string' ? Buffer.from(v) : Buffer.isBuffer(v) ? v : Buffer.from(v as Uint8Array)
    chunks.push(b)
    size += b.length
    if (size > limit) {
      async function* replay(): AsyncGenerator<Buffer> {
        yield* chunks
        for (;;) {
          const n = await it.next()
          if (n.done) return
          const c = n.value
          yield typeof c === 'string' ? Buffer.from(c) : Buffer.isBuffer(c) ? c : Buffer.from(c as Uint8Array)
        }
      }
      return { rest: Readable.from(replay()) }
    }
  }
}

/**
 * The exchange of a Node request, created on first use: the request viewed through
 * {@link nodeRequest}, the client address resolved by the gateway's trust-proxy setting.
 */
export function nodeExchange(
  core: Pick<Gateway, 'exchangeFor' | 'resolveIp'>,
  req: NodeRequestLike,
  parsedBody?: () => unknown,
  params?: Readonly<Record<string, string>>,
): Exchange {
  return core.exchangeFor(req, () => {
    const xff = req.headers['x-forwarded-for']
    return nodeRequest(req, {
      ip: core.resolveIp(req.socket?.remoteAddress, Array.isArray(xff) ? xff.join(', ') : xff),
      ...(parsedBody !== undefined ? { parsedBody } : {}),
      params,
    })
  })
}

/**
 * Applies a request rewrite (request mapping) to a Node request: `holder.body` (Express `req`, Koa
 * `ctx.request`, Fastify `request`) becomes the rewritten value, and the headers are set on
 * `req.headers`.
 */
export function rewriteNodeRequest(holder: object, req: NodeRequestLike, rewrite: RequestRewrite): void {
  ;(holder as { body?: unknown }).body = rewrite.value
  const headers = rewrite.headers
  if (headers !== undefined) for (const k of Object.keys(headers)) (req.headers as Record<string, string>)[k] = headers[k] as string
}

/**
 * Runs a response-header hook (`Continue.responseHeaders`) on headers held by a framework:
 * `raw` is what it would send, `set` / `remove` change it. `set-cookie` is neither shown nor changed.
 */
export function rewriteHeaders(
  raw: Readonly<Record<string, number | string | readonly string[] | undefined>>,
  status: number,
  exchange: Exchange,
  hook: HeaderHook,
  set: (name: string, value: string) => void,
  remove: (name: string) => void,
): void {
  const { headers: before } = snapshotHeaders(raw)
  delete before['set-cookie']
  const after = hook(before, status, exchange)
  for (const k of Object.keys(before)) if (!(k in after)) remove(k)
  for (const k of Object.keys(after)) {
    if (k === 'set-cookie' || before[k] === after[k]) continue
    set(k, after[k] as string)
  }
}
