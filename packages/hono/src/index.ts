/**
 * `@sluice/hono`: sluice's features as Hono 4 middleware. The adapter only translates: the policy
 * lives in `@sluice/core`.
 *
 * @example
 * import { Hono } from 'hono'
 * import { gateway } from '@sluice/hono'
 * const gw = gateway({ apiKeys: [{ id: 'k1', name: 'first', value: process.env.API_KEY! }] })
 * const app = new Hono()
 * app.use(gw.apiKey())
 */
import {
  adapt,
  createGateway,
  isPromise,
  SluiceConfigError,
  toFetchResponse,
  withStep,
  type AdaptedGateway,
  type CarriesStep,
  type Gateway,
  type GatewayOptions,
  type GatewayRequest,
  type HeaderHook,
  type HeaderReader,
  type HeaderRecord,
  RecordHeaders,
  type Continue,
  type RequestRewrite,
  type Exchange,
  type Outcome,
  type Step,
  CAPTURE_LIMIT,
} from '@sluice/core'

/** The parts of a Hono context the adapter reads and writes. */
export interface HonoContextLike {
  readonly req: {
    readonly raw: Request
    readonly url: string
    readonly method: string
    param(): Record<string, string>
    arrayBuffer(): Promise<ArrayBuffer>
    /** The handlers that matched; the route is the last one that is not middleware (`ALL`). */
    readonly matchedRoutes?: ReadonlyArray<{ readonly method: string; readonly path: string }>
  }
  readonly env: unknown
  res: Response
}

/** Hono middleware that also carries its core step (for `simulate`). */
export type SluiceMiddleware = ((c: HonoContextLike, next: () => Promise<void>) => Promise<Response | undefined>) & CarriesStep

/** Options of the Hono adapter: those of `createGateway`, plus where the socket address comes from. */
export interface HonoGatewayOptions extends GatewayOptions {
  /**
   * Reads the peer's socket address from the context. Default: `c.env.incoming.socket.remoteAddress`
   * (`@hono/node-server`); supply one for other runtimes.
   */
  socketAddress?: (c: HonoContextLike) => string | undefined
}

/** A gateway whose features are Hono middleware. */
export type HonoGateway = AdaptedGateway<SluiceMiddleware>

function nodeSocketAddress(c: HonoContextLike): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined
  return env?.incoming?.socket?.remoteAddress
}

function setHeaders(c: HonoContextLike, headers: Readonly<Record<string, string>>): void {
  let res = c.res
  try {
    for (const name in headers) res.headers.set(name, headers[name] as string)
  } catch {
    // immutable headers (a fetched Response): copy the response once
    res = new Response(res.body, res)
    for (const name in headers) res.headers.set(name, headers[name] as string)
    c.res = res
  }
}

/** On `@hono/node-server`, Node's own header object: reading it avoids building a `Headers`. */
function nodeHeaders(c: HonoContextLike): HeaderReader | undefined {
  const incoming = (c.env as { incoming?: { headers?: HeaderRecord } } | undefined)?.incoming
  return incoming?.headers === undefined ? undefined : new RecordHeaders(incoming.headers)
}

/** The Node request `@hono/node-server` gives as `c.env.incoming` (structural: no Node import here). */
interface IncomingLike {
  readonly readableFlowing?: boolean | null
  readonly readableEnded?: boolean
  on(event: 'data', listener: (chunk: Uint8Array) => void): unknown
  on(event: 'end', listener: () => void): unknown
  on(event: 'error', listener: (error: Error) => void): unknown
}

/** Reads a Node request stream into one buffer, at most `max` bytes (past that: a RangeError). */
function readIncoming(incoming: IncomingLike, max: number): Promise<ArrayBuffer> {
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = []
    let size = 0
    incoming.on('data', (chunk) => {
      size += chunk.byteLength
      if (size > max) reject(new RangeError(`request body larger than ${max} bytes`))
      else chunks.push(chunk)
    })
    incoming.on('end', () => {
      if (size > max) return
      const out = new Uint8Array(size)
      let at = 0
      for (const c of chunks) {
        out.set(c, at)
        at += c.byteLength
      }
      resolve(out.buffer)
    })
    incoming.on('error', reject)
  })
}

/** A {@link GatewayRequest} view over a Hono request: nothing is copied until asked for. */
class HonoRequest implements GatewayRequest {
  readonly method: string
  readonly headers: HeaderReader
  readonly ip: string
  readonly #c: HonoContextLike
  #body: Promise<ArrayBuffer> | undefined

  constructor(c: HonoContextLike, headers: HeaderReader, ip: string) {
    this.#c = c
    this.method = c.req.raw.method
    this.headers = headers
    this.ip = ip
  }
  get url(): string {
    return this.#c.req.raw.url
  }
  get params(): Record<string, string> {
    return this.#c.req.param()
  }
  arrayBuffer(): Promise<ArrayBuffer> {
    return (this.#body ??= this.#read())
  }
  /**
   * On `@hono/node-server`, a body nobody has started reading is read from the Node stream
   * (`c.env.incoming`): bounded as it arrives, and far cheaper than the web stream over it. Hono's
   * body cache then answers `c.req.json()`, `text()`, `arrayBuffer()` from these bytes. Elsewhere
   * (or once the body is being read) through `c.req.arrayBuffer()`, checked after reading.
   */
  #read(): Promise<ArrayBuffer> {
    const req = this.#c.req as { bodyCache?: Record<string, Promise<unknown> | undefined> }
    const incoming = (this.#c.env as { incoming?: IncomingLike } | undefined)?.incoming
    const cache = req.bodyCache
    if (incoming !== undefined && typeof incoming.on === 'function' && incoming.readableFlowing === null && incoming.readableEnded !== true && cache !== undefined && Object.keys(cache).length === 0) {
      const read = readIncoming(incoming, CAPTURE_LIMIT)
      cache['arrayBuffer'] = read
      return read
    }
    // bounded like the Node adapters' readers (API Gateway's 10 MiB payload limit)
    return this.#c.req.arrayBuffer().then((b) => {
      if (b.byteLength > CAPTURE_LIMIT) throw new RangeError(`request body larger than ${CAPTURE_LIMIT} bytes`)
      return b
    })
  }
  text(): Promise<string> {
    return this.arrayBuffer().then((b) => new TextDecoder().decode(b))
  }
  json(): Promise<unknown> {
    return this.text().then((t) => JSON.parse(t) as unknown)
  }
}

function matchedRoute(c: HonoContextLike): string | undefined {
  const routes = c.req.matchedRoutes
  if (routes === undefined) return undefined
  for (let i = routes.length - 1; i >= 0; i--) {
    const r = routes[i] as { method: string; path: string }
    if (r.method !== 'ALL') return r.path
  }
  return undefined
}

/** Reads a web stream up to `limit` bytes: the whole body, or a stream replaying it then the rest. */
async function readUpTo(body: ReadableStream<Uint8Array>, limit: number): Promise<{ bytes: Uint8Array } | { rest: ReadableStream<Uint8Array> }> {
  const reader = body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const r = await reader.read()
    if (r.done) break
    chunks.push(r.value)
    size += r.value.byteLength
    if (size > limit) {
      const rest = new ReadableStream<Uint8Array>({
        start(controller) {
          for (const c of chunks) controller.enqueue(c)
        },
        async pull(controller) {
          const n = await reader.read()
          if (n.done) controller.close()
          else controller.enqueue(n.value)
        },
        cancel(reason) {
          return reader.cancel(reason)
        },
      })
      return { rest }
    }
  }
  const bytes = new Uint8Array(size)
  let at = 0
  for (const c of chunks) {
    bytes.set(c, at)
    at += c.byteLength
  }
  return { bytes }
}

/**
 * The after-handler phase on Hono, after `await next()`: `c.res` (up to CAPTURE_LIMIT) goes to
 * `finalize`, and the final response replaces it. A larger body passes through untouched and
 * `finalize` does not run.
 */
async function finish(core: Gateway, exchange: Exchange, c: HonoContextLike, finalize: NonNullable<Continue['finalize']>): Promise<void> {
  const res = c.res
  // headers first: on @hono/node-server, reading the body of a lightweight response rebuilds it
  // from its original init, dropping headers set on it since
  const headers: Record<string, string> = {}
  res.headers.forEach((value, name) => {
    headers[name] = value
  })
  const setCookie = res.headers.getSetCookie()
  if (setCookie.length > 0) headers['set-cookie'] = setCookie.join(', ')
  const status = res.status
  let bytes: Uint8Array = new Uint8Array(0)
  if (res.body !== null) {
    const read = await readUpTo(res.body, CAPTURE_LIMIT)
    if ('rest' in read) {
      exchange.abandon()
      const through = new Headers()
      for (const [name, value] of Object.entries(headers)) if (name !== 'set-cookie') through.set(name, value)
      for (const cookie of setCookie) through.append('set-cookie', cookie)
      c.res = undefined as never
      c.res = new Response(read.rest, { status, headers: through })
      return
    }
    bytes = read.bytes
  }
  const final = await core.finalize(finalize, { status, headers, body: bytes }, exchange)
  const out = new Headers()
  for (const [name, value] of Object.entries(final.headers)) {
    if (name === 'content-length' || name === 'transfer-encoding') continue
    if (name === 'set-cookie' && value === headers['set-cookie']) for (const cookie of setCookie) out.append(name, cookie)
    else out.set(name, value)
  }
  const body = final.status === 204 || final.status === 304 ? null : typeof final.body === 'string' ? final.body : new Uint8Array(final.body)
  c.res = undefined as never
  c.res = new Response(body, { status: final.status, headers: out })
}


/**
 * Request mapping on Hono: `c.req.text()`, `c.req.json()` (and the other body readers) read the
 * rewritten body through Hono's body cache; headers are set on `c.req.raw.headers`. The raw
 * request's own stream is left as it was.
 */
function rewrite(c: HonoContextLike, r: RequestRewrite): void {
  ;(c.req as { bodyCache?: Record<string, Promise<unknown>> }).bodyCache = { text: Promise.resolve(r.body) }
  const headers = r.headers
  if (headers === undefined) return
  for (const k of Object.keys(headers)) {
    try {
      c.req.raw.headers.set(k, headers[k] as string)
    } catch {
      // a runtime whose request headers are immutable: they stay as they were
    }
  }
}

/** A response-header hook on `c.res`: its headers change, its body (a stream, maybe) is not read. */
function rewriteResponseHeaders(c: HonoContextLike, exchange: Exchange, hook: HeaderHook): void {
  const before: Record<string, string> = {}
  c.res.headers.forEach((value, name) => {
    if (name !== 'set-cookie') before[name] = value
  })
  const after = hook(before, c.res.status, exchange)
  const apply = (res: Response): void => {
    for (const k of Object.keys(before)) if (!(k in after)) res.headers.delete(k)
    for (const k of Object.keys(after)) if (k !== 'set-cookie' && before[k] !== after[k]) res.headers.set(k, after[k] as string)
  }
  try {
    apply(c.res)
  } catch {
    // immutable headers (a fetched Response): copy the response once
    const res = new Response(c.res.body, c.res)
    apply(res)
    c.res = undefined as never
    c.res = res
  }
}

function middleware(core: Gateway, step: Step, socketAddress: (c: HonoContextLike) => string | undefined): SluiceMiddleware {
  const after = (c: HonoContextLike, exchange: Exchange, outcome: Outcome, next: () => Promise<void>): Promise<Response | undefined> | Response => {
    if (outcome.kind === 'respond') return toFetchResponse(outcome.response)
    if (outcome.request !== undefined) rewrite(c, outcome.request)
    const headers = outcome.headers
    const finalize = outcome.finalize
    const hook = outcome.responseHeaders
    if (headers === undefined && finalize === undefined && hook === undefined) return next().then(() => undefined)
    return next().then(async () => {
      if (headers !== undefined) setHeaders(c, headers)
      if (finalize !== undefined) await finish(core, exchange, c, finalize)
      if (hook !== undefined) rewriteResponseHeaders(c, exchange, hook)
      return undefined
    })
  }
  // Not an async function: a synchronous decision goes straight on to next() without an extra await.
  const sluice = (c: HonoContextLike, next: () => Promise<void>): Promise<Response | undefined> => {
    const raw = c.req.raw
    const exchange = core.exchangeFor(raw, () => {
      const headers = nodeHeaders(c) ?? raw.headers
      return new HonoRequest(c, headers, core.resolveIp(socketAddress(c), headers.get('x-forwarded-for')))
    })
    exchange.routeFrom(() => matchedRoute(c))
    const outcome = core.run(step, exchange)
    if (isPromise(outcome)) return outcome.then((o) => after(c, exchange, o, next))
    return Promise.resolve(after(c, exchange, outcome, next))
  }
  Object.defineProperty(sluice, 'name', { value: `sluice_${step.feature}` })
  return withStep(sluice, step)
}

/** Creates a gateway whose features are Hono middleware. */
export function gateway(options: HonoGatewayOptions = {}): HonoGateway {
  const { socketAddress = nodeSocketAddress, ...gatewayOptions } = options
  if (typeof socketAddress !== 'function') throw new SluiceConfigError('ERR_INVALID_OPTION', 'socketAddress', 'must be a function returning the peer address')
  const core = createGateway(gatewayOptions)
  return adapt(core, (step) => middleware(core, step, socketAddress))
}

export type { GatewayOptions, ApiKeyOptions, ThrottleOptions, UsagePlan } from '@sluice/core'
