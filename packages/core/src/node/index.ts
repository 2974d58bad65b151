/**
 * Node helpers shared by the adapters that sit on `node:http` (Express, Koa, Fastify): a cheap
 * {@link GatewayRequest} view over an `IncomingMessage`, and writing a {@link GatewayResponse}.
 * Structural types only: no framework is imported.
 */
import type { IncomingHttpHeaders } from 'node:http'
import { BodyReader, bodyToBytes, RecordHeaders, type GatewayRequest } from '../request.js'
import type { GatewayResponse } from '../response.js'

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
    return this.#reader().json()
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
  const body = typeof response.body === 'string' ? Buffer.from(response.body) : response.body
  res.setHeader('content-length', String(body.byteLength))
  res.end(body)
}

/** Byte length of a response body. */
export function bodyLength(body: string | Uint8Array): number {
  return typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength
}
