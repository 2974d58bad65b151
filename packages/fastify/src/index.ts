/**
 * `@sluice/fastify`: sluice's features as Fastify 5 plugins (encapsulation-free, so they apply to
 * the routes of the instance that registers them) and as route-level hooks. The adapter only
 * translates: the policy lives in `@sluice/core`.
 *
 * @example
 * import Fastify from 'fastify'
 * import { gateway } from '@sluice/fastify'
 * const gw = gateway({ apiKeys: [{ id: 'k1', name: 'first', value: process.env.API_KEY! }] })
 * const app = Fastify()
 * await app.register(gw.apiKey())                              // every route
 * app.get('/one', { onRequest: gw.apiKey().hook }, handler)    // one route
 */
import { adapt, createGateway, resourceFromRoute, withStep, type AdaptedGateway, type CarriesStep, type Gateway, type GatewayOptions, type Outcome, type Step } from '@sluice/core'
import { nodeRequest, type NodeRequestLike } from '@sluice/core/node'
import fp from 'fastify-plugin'

/** The parts of a Fastify request the adapter reads. */
export interface FastifyRequestLike {
  readonly raw: NodeRequestLike
  readonly headers: NodeRequestLike['headers']
  readonly body?: unknown
  readonly params?: unknown
  /** The matched route (Fastify resolves it before `onRequest`). */
  readonly routeOptions?: { readonly url?: string | undefined }
}

/** The parts of a Fastify reply the adapter writes. */
export interface FastifyReplyLike {
  code(status: number): FastifyReplyLike
  header(name: string, value: string): FastifyReplyLike
  send(payload?: unknown): FastifyReplyLike
}

/** A Fastify `onRequest` hook (callback style). */
export type SluiceHook = (request: FastifyRequestLike, reply: FastifyReplyLike, done: (error?: Error) => void) => void

/** The instance methods the plugin uses. */
export interface FastifyInstanceLike {
  addHook(name: 'onRequest', hook: SluiceHook): unknown
}

/** A Fastify plugin that installs one feature as an `onRequest` hook; `.hook` is that hook, for one route. */
export type SluicePlugin = ((instance: FastifyInstanceLike, options: unknown, done: (error?: Error) => void) => void) &
  CarriesStep & { readonly hook: SluiceHook & CarriesStep }

/** A gateway whose features are Fastify plugins. */
export type FastifyGateway = AdaptedGateway<SluicePlugin>

const isPromise = (v: unknown): v is Promise<Outcome> => typeof (v as Promise<Outcome> | undefined)?.then === 'function'

function apply(outcome: Outcome, reply: FastifyReplyLike, done: (error?: Error) => void): void {
  if (outcome.kind === 'respond') {
    const { status, headers, body } = outcome.response
    reply.code(status)
    for (const name in headers) reply.header(name, headers[name] as string)
    reply.send(typeof body === 'string' ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.byteLength))
    return
  }
  const headers = outcome.headers
  if (headers !== undefined) for (const name in headers) reply.header(name, headers[name] as string)
  done()
}

function plugin(core: Gateway, step: Step): SluicePlugin {
  const hook: SluiceHook = (request, reply, done) => {
    const raw = request.raw
    const exchange = core.exchangeFor(raw, () =>
      nodeRequest(raw, {
        ip: core.resolveIp(raw.socket?.remoteAddress, request.headers['x-forwarded-for'] as string | undefined),
        parsedBody: () => request.body,
        params: request.params as Record<string, string> | undefined,
      }),
    )
    if (!exchange.routeMatched) {
      const url = request.routeOptions?.url
      if (url !== undefined) exchange.setRoute(resourceFromRoute(url))
    }
    const outcome = core.run(step, exchange)
    if (isPromise(outcome)) outcome.then((o) => apply(o, reply, done), done)
    else apply(outcome, reply, done)
  }
  Object.defineProperty(hook, 'name', { value: `sluice_${step.feature}` })
  withStep(hook, step)
  const register = (instance: FastifyInstanceLike, _options: unknown, done: (error?: Error) => void): void => {
    instance.addHook('onRequest', hook)
    done()
  }
  const wrapped = fp(register as never, { fastify: '5.x', name: `sluice-${step.feature}` }) as unknown as SluicePlugin
  Object.defineProperty(wrapped, 'hook', { value: hook, enumerable: false })
  return withStep(wrapped, step)
}

/** Creates a gateway whose features are Fastify plugins (options of `createGateway`). */
export function gateway(options: GatewayOptions = {}): FastifyGateway {
  const core = createGateway(options)
  return adapt(core, (step) => plugin(core, step))
}

export type { GatewayOptions, ApiKeyOptions, ThrottleOptions, UsagePlan } from '@sluice/core'
