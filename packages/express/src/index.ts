/**
 * `@sluice/express`: sluice's features as Express 5 middleware. The adapter only translates: the
 * policy lives in `@sluice/core`.
 *
 * @example
 * import express from 'express'
 * import { gateway } from '@sluice/express'
 * const gw = gateway({ apiKeys: [{ id: 'k1', name: 'first', value: process.env.API_KEY! }] })
 * const app = express()
 * app.use(gw.apiKey())
 * app.get('/pets', (req, res) => res.json([]))
 */
import {
  adapt,
  CAPTURE_LIMIT,
  createGateway,
  isPromise,
  withStep,
  type AdaptedGateway,
  type CarriesStep,
  type Continue,
  type Exchange,
  type Gateway,
  type GatewayOptions,
  type HeaderHook,
  type Outcome,
  type Step,
} from '@sluice/core'
import { bodyBytes, headerPlan, nodeExchange, rewriteHeaders, rewriteNodeRequest, setNodeHeaders, snapshotHeaders, writeNodeResponse, type NodeRequestLike, type NodeResponseLike } from '@sluice/core/node'

/** The parts of an Express request the adapter reads. */
export interface ExpressRequestLike extends NodeRequestLike {
  readonly body?: unknown
  readonly params?: Record<string, string>
  /** Set by Express inside a route: the matched route. */
  readonly route?: { readonly path?: unknown } | undefined
  readonly baseUrl?: string
}

/** An Express middleware function that also carries its core step (for `simulate`). */
export type SluiceMiddleware = ((req: ExpressRequestLike, res: NodeResponseLike, next: (error?: unknown) => void) => void) & CarriesStep

/** A gateway whose features are Express middleware. */
export type ExpressGateway = AdaptedGateway<SluiceMiddleware>


/** The parts of an Express response the after-handler phase wraps (its own methods, on this response only). */
interface InterceptableResponse extends NodeResponseLike {
  write: (...args: unknown[]) => boolean
  end: (...args: unknown[]) => unknown
  writeHead: (...args: unknown[]) => unknown
  getHeaders(): Record<string, number | string | string[] | undefined>
  getHeaderNames(): string[]
  removeHeader(name: string): void
  setHeader(name: string, value: string | readonly string[]): unknown
}

const toBuffer = (chunk: unknown, encoding: unknown): Buffer =>
  typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8') : Buffer.from(chunk as Uint8Array)

/**
 * The after-handler phase on Express: this response's `writeHead`/`write`/`end` are wrapped so the
 * handler's response is buffered (up to CAPTURE_LIMIT), handed to `finalize`, and the final
 * response written. A larger body is passed through untouched and `finalize` does not run.
 */
function intercept(core: Gateway, exchange: Exchange, res: InterceptableResponse, finalize: NonNullable<Continue['finalize']>): void {
  const { write, end, writeHead } = res
  const chunks: Buffer[] = []
  let size = 0
  let passthrough = false
  const restore = (): void => {
    res.write = write
    res.end = end
    res.writeHead = writeHead
  }
  // a client gone before the response ended: the phase will not run; release whoever waits on it
  ;(res as unknown as { once(e: 'close', l: () => void): unknown }).once('close', () => {
    if (!passthrough && res.end !== end) exchange.abandon()
  })
  res.writeHead = (status: unknown, reason?: unknown, headers?: unknown): unknown => {
    res.statusCode = status as number
    const h = (typeof reason === 'object' && reason !== null ? reason : headers) as Record<string, string | string[]> | undefined
    if (h && !Array.isArray(h)) for (const k of Object.keys(h)) res.setHeader(k, h[k] as string)
    return res
  }
  res.write = (chunk: unknown, encoding?: unknown, cb?: unknown): boolean => {
    if (passthrough) return write.call(res, chunk, encoding, cb)
    const b = toBuffer(chunk, encoding)
    chunks.push(b)
    size += b.length
    if (size > CAPTURE_LIMIT) {
      passthrough = true
      restore()
      exchange.abandon()
      write.call(res, Buffer.concat(chunks))
    }
    const callback = typeof encoding === 'function' ? encoding : cb
    if (typeof callback === 'function') queueMicrotask(() => (callback as () => void)())
    return true
  }
  res.end = (chunk?: unknown, encoding?: unknown, cb?: unknown): unknown => {
    if (passthrough) return end.call(res, chunk, encoding, cb)
    restore()
    const callback = typeof chunk === 'function' ? chunk : typeof encoding === 'function' ? encoding : cb
    if (chunk !== undefined && chunk !== null && typeof chunk !== 'function') {
      const b = toBuffer(chunk, encoding)
      chunks.push(b)
      size += b.length
    }
    const body = Buffer.concat(chunks)
    if (size > CAPTURE_LIMIT) {
      exchange.abandon()
      return end.call(res, body, callback)
    }
    const before = snapshotHeaders(res.getHeaders())
    void core.finalize(finalize, { status: res.statusCode, headers: before.headers, body }, exchange).then((final) => {
      const plan = headerPlan(final, before)
      res.statusCode = final.status
      for (const name of plan.remove) res.removeHeader(name)
      for (const [name, value] of plan.set) res.setHeader(name, value)
      const out = bodyBytes(final.body)
      res.setHeader('content-length', String(out.byteLength))
      end.call(res, out, callback)
    })
    return res
  }
}

/**
 * A response-header hook on Express: this response's `writeHead` is wrapped (Node calls it for
 * implicit headers too), so the hook runs once, just before the headers go out, and the body is
 * never held.
 */
function beforeHead(exchange: Exchange, res: InterceptableResponse, hook: HeaderHook): void {
  const writeHead = res.writeHead
  res.writeHead = (status: unknown, reason?: unknown, headers?: unknown): unknown => {
    res.writeHead = writeHead
    const h = (typeof reason === 'object' && reason !== null ? reason : headers) as Record<string, string | string[]> | undefined
    if (h && !Array.isArray(h)) for (const k of Object.keys(h)) res.setHeader(k, h[k] as string)
    if (typeof status === 'number') res.statusCode = status
    rewriteHeaders(res.getHeaders(), res.statusCode, exchange, hook, (k, v) => res.setHeader(k, v), (k) => res.removeHeader(k))
    return typeof reason === 'string' ? writeHead.call(res, res.statusCode, reason) : writeHead.call(res, res.statusCode)
  }
}

function middleware(core: Gateway, step: Step): SluiceMiddleware {
  const apply = (outcome: Outcome, exchange: Exchange, res: NodeResponseLike, next: (error?: unknown) => void, req?: ExpressRequestLike): void => {
    if (outcome.kind === 'respond') return writeNodeResponse(res, outcome.response)
    setNodeHeaders(res, outcome.headers)
    if (outcome.request !== undefined && req !== undefined) rewriteNodeRequest(req, req, outcome.request)
    if (outcome.responseHeaders !== undefined) beforeHead(exchange, res as InterceptableResponse, outcome.responseHeaders)
    if (outcome.finalize !== undefined) intercept(core, exchange, res as InterceptableResponse, outcome.finalize)
    next()
  }
  const sluice = (req: ExpressRequestLike, res: NodeResponseLike, next: (error?: unknown) => void): void => {
    const exchange = nodeExchange(core, req, () => req.body, req.params)
    const route = req.route
    if (route !== undefined) exchange.routeFrom(() => (typeof route.path === 'string' ? `${req.baseUrl ?? ''}${route.path}` : undefined))
    const outcome = core.run(step, exchange)
    if (isPromise(outcome)) outcome.then((o) => apply(o, exchange, res, next, req), next)
    else apply(outcome, exchange, res, next, req)
  }
  Object.defineProperty(sluice, 'name', { value: `sluice_${step.feature}` })
  return withStep(sluice, step)
}

/**
 * Creates a gateway whose features are Express middleware. Options are those of
 * `createGateway` in `@sluice/core`, validated now.
 */
export function gateway(options: GatewayOptions = {}): ExpressGateway {
  const core = createGateway(options)
  return adapt(core, (step) => middleware(core, step))
}

export type { GatewayOptions, ApiKeyOptions, ThrottleOptions, UsagePlan } from '@sluice/core'
