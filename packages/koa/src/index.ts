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
import { adapt, createGateway, resourceFromRoute, withStep, type AdaptedGateway, type CarriesStep, type Gateway, type GatewayOptions, type GatewayResponse, type Outcome, type Step } from '@sluice/core'
import { nodeRequest, type NodeRequestLike } from '@sluice/core/node'

/** The parts of a Koa context the adapter reads and writes. */
export interface KoaContextLike {
  readonly req: NodeRequestLike
  readonly request: { readonly body?: unknown }
  readonly params?: Record<string, string>
  /** Set by @koa/router: the matched route. */
  readonly _matchedRoute?: string | RegExp
  status: number
  body: unknown
  set(field: string, value: string): void
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
  ctx.body = typeof response.body === 'string' ? Buffer.from(response.body) : Buffer.from(response.body.buffer, response.body.byteOffset, response.body.byteLength)
}

const isPromise = (v: unknown): v is Promise<Outcome> => typeof (v as Promise<Outcome> | undefined)?.then === 'function'

function after(ctx: KoaContextLike, outcome: Outcome, next: () => Promise<unknown>): Promise<unknown> | undefined {
  if (outcome.kind === 'respond') {
    send(ctx, outcome.response)
    return undefined
  }
  setHeaders(ctx, outcome.headers)
  return next()
}

function middleware(core: Gateway, step: Step): SluiceMiddleware {
  // Not an async function: a synchronous decision goes straight on to next() without an extra await.
  const sluice = (ctx: KoaContextLike, next: () => Promise<unknown>): Promise<void> => {
    const req = ctx.req
    const exchange = core.exchangeFor(req, () =>
      nodeRequest(req, {
        ip: core.resolveIp(req.socket?.remoteAddress, req.headers['x-forwarded-for'] as string | undefined),
        parsedBody: () => ctx.request.body,
        params: ctx.params,
      }),
    )
    if (typeof ctx._matchedRoute === 'string' && !exchange.routeMatched) exchange.setRoute(resourceFromRoute(ctx._matchedRoute))
    const outcome = core.run(step, exchange)
    const done = isPromise(outcome) ? outcome.then((o) => after(ctx, o, next)) : after(ctx, outcome, next)
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
