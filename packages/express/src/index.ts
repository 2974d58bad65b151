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
import { adapt, createGateway, resourceFromRoute, withStep, type AdaptedGateway, type CarriesStep, type Gateway, type GatewayOptions, type Outcome, type Step } from '@sluice/core'
import { nodeRequest, setNodeHeaders, writeNodeResponse, type NodeRequestLike, type NodeResponseLike } from '@sluice/core/node'

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

const isPromise = (v: unknown): v is Promise<Outcome> => typeof (v as Promise<Outcome> | undefined)?.then === 'function'

function middleware(core: Gateway, step: Step): SluiceMiddleware {
  const apply = (outcome: Outcome, res: NodeResponseLike, next: (error?: unknown) => void): void => {
    if (outcome.kind === 'respond') return writeNodeResponse(res, outcome.response)
    setNodeHeaders(res, outcome.headers)
    next()
  }
  const sluice = (req: ExpressRequestLike, res: NodeResponseLike, next: (error?: unknown) => void): void => {
    const exchange = core.exchangeFor(req, () =>
      nodeRequest(req, {
        ip: core.resolveIp(req.socket?.remoteAddress, req.headers['x-forwarded-for'] as string | undefined),
        parsedBody: () => req.body,
        params: req.params,
      }),
    )
    const routePath = req.route?.path
    if (typeof routePath === 'string' && !exchange.routeMatched) exchange.setRoute(resourceFromRoute(`${req.baseUrl ?? ''}${routePath}`))
    const outcome = core.run(step, exchange)
    if (isPromise(outcome)) outcome.then((o) => apply(o, res, next), next)
    else apply(outcome, res, next)
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
