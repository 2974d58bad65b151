/**
 * `@sluice/koa`: sluice's features as Koa 3 middleware. The adapter only translates: the policy
 * lives in `@sluice/core`.
 *
 * @example
 * import Koa from 'koa'
 * import { gateway } from '@sluice/koa'
 * const gw = gateway({ apiKeys: [{ id: 'k1', name: 'first', value: process.env.API_KEY! }] })
 * const app = new Koa()
 * app.use(gw.apiKey())
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
  type GatewayResponse,
  type Outcome,
  type Step,
} from '@sluice/core'
import { bodyBytes, headerPlan, nodeExchange, rewriteHeaders, readStreamUpTo, rewriteNodeRequest, snapshotHeaders, type NodeRequestLike } from '@sluice/core/node'

/** The parts of a Koa context the adapter reads and writes. */
export interface KoaContextLike {
  readonly req: NodeRequestLike
  readonly request: { readonly body?: unknown }
  readonly params?: Record<string, string>
  /** Set by @koa/router: the matched route. */
  readonly _matchedRoute?: string | RegExp
  readonly res: { getHeaders(): Record<string, number | string | string[] | undefined> }
  status: number
  body: unknown
  set(field: string, value: string | string[]): void
  remove(field: string): void
}

/** Koa middleware that also carries its core step (for `simulate`). */
export type SluiceMiddleware = ((ctx: KoaContextLike, next: () => Promise<unknown>) => Promise<void>) & CarriesStep

/** A gateway whose features are Koa middleware. */
export type KoaGateway = AdaptedGateway<SluiceMiddleware>

function setHeaders(ctx: KoaContextLike, headers: Readonly<Record<string, string>> | undefined): void {
  if (headers === undefined) return
  for (const name in headers) ctx.set(name, headers[name] as string)
}

function send(ctx: KoaContextLike, response: GatewayResponse): void {
  ctx.status = response.status
  setHeaders(ctx, response.headers)
  if (response.cookies !== undefined && response.cookies.length > 0) ctx.set('set-cookie', [...response.cookies])
  ctx.body = typeof response.body === 'string' ? Buffer.from(response.body) : Buffer.from(response.body.buffer, response.body.byteOffset, response.body.byteLength)
}


/**
 * The after-handler phase on Koa, after `await next()`: the body the app set (string, Buffer,
 * object, stream up to CAPTURE_LIMIT) goes to `finalize`, and the final response replaces it. A
 * larger stream passes through untouched and `finalize` does not run.
 */
async function finish(core: Gateway, exchange: Exchange, ctx: KoaContextLike, finalize: NonNullable<Continue['finalize']>): Promise<void> {
  const body = ctx.body
  let bytes: Buffer
  if (body === undefined || body === null) bytes = Buffer.alloc(0)
  else if (typeof body === 'string') bytes = Buffer.from(body)
  else if (body instanceof Uint8Array) bytes = bodyBytes(body)
  else if (typeof (body as { pipe?: unknown }).pipe === 'function' || typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    const read = await readStreamUpTo(body as AsyncIterable<unknown>, CAPTURE_LIMIT)
    if ('rest' in read) {
      exchange.abandon()
      ctx.body = read.rest
      return
    }
    bytes = read.bytes
  } else bytes = Buffer.from(JSON.stringify(body))
  const before = snapshotHeaders(ctx.res.getHeaders())
  const final = await core.finalize(finalize, { status: ctx.status, headers: before.headers, body: bytes }, exchange)
  const plan = headerPlan(final, before)
  ctx.status = final.status
  for (const name of plan.remove) ctx.remove(name)
  for (const [name, value] of plan.set) ctx.set(name, value as string)
  ctx.body = bodyBytes(final.body)
}

function after(core: Gateway, exchange: Exchange, ctx: KoaContextLike, outcome: Outcome, next: () => Promise<unknown>): Promise<unknown> | undefined {
  if (outcome.kind === 'respond') {
    send(ctx, outcome.response)
    return undefined
  }
  setHeaders(ctx, outcome.headers)
  if (outcome.request !== undefined) rewriteNodeRequest(ctx.request, ctx.req, outcome.request)
  const finalize = outcome.finalize
  const hook = outcome.responseHeaders
  if (finalize === undefined && hook === undefined) return next()
  return next().then(
    async () => {
      if (finalize !== undefined) await finish(core, exchange, ctx, finalize)
      // headers only: a streamed body is piped by Koa after the middleware, untouched
      if (hook !== undefined) rewriteHeaders(ctx.res.getHeaders(), ctx.status, exchange, hook, (k, v) => ctx.set(k, v), (k) => ctx.remove(k))
    },
    (error: unknown) => {
      // the route failed: Koa's error handling answers, and this phase will not run
      exchange.abandon()
      throw error
    },
  )
}

function middleware(core: Gateway, step: Step): SluiceMiddleware {
  // Not an async function: a synchronous decision goes straight on to next() without an extra await.
  const sluice = (ctx: KoaContextLike, next: () => Promise<unknown>): Promise<void> => {
    const exchange = nodeExchange(core, ctx.req, () => ctx.request.body, ctx.params)
    if (ctx._matchedRoute !== undefined) exchange.routeFrom(() => (typeof ctx._matchedRoute === 'string' ? ctx._matchedRoute : undefined))
    const outcome = core.run(step, exchange)
    const done = isPromise(outcome) ? outcome.then((o) => after(core, exchange, ctx, o, next)) : after(core, exchange, ctx, outcome, next)
    return Promise.resolve(done).then(() => undefined)
  }
  Object.defineProperty(sluice, 'name', { value: `sluice_${step.feature}` })
  return withStep(sluice, step)
}

/** Creates a gateway whose features are Koa middleware (options of `createGateway`). */
export function gateway(options: GatewayOptions = {}): KoaGateway {
  const core = createGateway(options)
  return adapt(core, (step) => middleware(core, step))
}

export type { GatewayOptions, ApiKeyOptions, ThrottleOptions, UsagePlan } from '@sluice/core'
