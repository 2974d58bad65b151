import type { RequestContext } from '../context.js'
import type { Exchange } from '../exchange.js'
import { gatewayOf, type Gateway } from '../gateway.js'
import { STEP, type CarriesStep, type Continue, type HeaderHook, type RequestRewrite, type Step } from '../outcome.js'
import { createRequest, type GatewayRequest, type RequestInit } from '../request.js'
import type { GatewayResponse } from '../response.js'
import type { TraceEntry } from '../trace.js'

/** What {@link simulate} runs: a feature step, a list of them, or an adapter's middleware. */
export type Simulatable = Step | CarriesStep | ReadonlyArray<Step | CarriesStep>

/** Options of {@link simulate}. */
export interface SimulateOptions {
  /** The gateway to run the steps through. Default: the gateway that made the first step. */
  gateway?: Gateway
  /**
   * Your route: what answers when every step lets the request through. Default: 200 `{}` (JSON).
   * `request` is the request as a mapping template rewrote it (`gw.transform()`), if one did.
   */
  handler?: (exchange: Exchange, request?: RequestRewrite) => GatewayResponse | Promise<GatewayResponse>
}

/** The outcome of a simulated request. */
export interface SimulateResult {
  readonly response: GatewayResponse
  /** True when the handler ran (every step let the request through). */
  readonly handled: boolean
  readonly trace: readonly TraceEntry[]
  readonly context: RequestContext
  readonly exchange: Exchange
}

const toStep = (s: Step | CarriesStep): Step => (STEP in s ? (s as CarriesStep)[STEP] : (s as Step))

/**
 * Runs a request through sluice features without a server: the response, and the trace of the
 * decisions that led to it.
 *
 * @example
 * const gw = createGateway({ apiKeys: [{ id: 'k', value: 'apikey1234abcdefghij0123456789' }] })
 * const { response, trace } = await simulate(gw.apiKey(), { url: '/pets' })
 * // response.status === 403, trace[0].reason === 'missing'
 */
export async function simulate(target: Simulatable, request: RequestInit | GatewayRequest = {}, options: SimulateOptions = {}): Promise<SimulateResult> {
  const steps = (Array.isArray(target) ? target : [target]).map((s) => toStep(s as Step | CarriesStep))
  const gw = options.gateway ?? (steps[0] ? gatewayOf(steps[0]) : undefined)
  if (!gw) throw new TypeError('simulate() needs a gateway: pass steps made by one, or options.gateway')
  const req = isGatewayRequest(request) ? request : createRequest(request)
  const exchange = gw.exchange(req)
  const headers: Record<string, string> = {}
  const finalizers: Array<NonNullable<Continue['finalize']>> = []
  const headerHooks: HeaderHook[] = []
  let rewrite: RequestRewrite | undefined
  const done = (response: GatewayResponse, handled: boolean): SimulateResult => ({ response, handled, trace: exchange.trace, context: exchange.context, exchange })

  for (const step of steps) {
    const out = await gw.run(step, exchange)
    if (out.kind === 'respond') {
      // as on a server: earlier steps' headers and after-handler hooks apply to a later denial too
      let denial: GatewayResponse = finalizers.length === 0 && Object.keys(headers).length === 0 ? out.response : { ...out.response, headers: { ...headers, ...out.response.headers } }
      for (let i = finalizers.length - 1; i >= 0; i--) denial = await (finalizers[i] as NonNullable<Continue['finalize']>)(denial, exchange)
      return done(withHeaderHooks(denial, headerHooks, exchange), false)
    }
    Object.assign(headers, out.headers)
    if (out.finalize) finalizers.push(out.finalize)
    if (out.responseHeaders) headerHooks.push(out.responseHeaders)
    if (out.request) rewrite = out.request
  }
  let response = options.handler ? await options.handler(exchange, rewrite) : { status: 200, headers: { 'content-type': 'application/json' }, body: '{}' }
  response = { ...response, headers: { ...lower(response.headers), ...headers } }
  for (let i = finalizers.length - 1; i >= 0; i--) response = await (finalizers[i] as NonNullable<Continue['finalize']>)(response, exchange)
  return done(withHeaderHooks(response, headerHooks, exchange), true)
}

/** Runs the steps' response-header hooks, latest first (set-cookie kept apart, as adapters do). */
function withHeaderHooks(response: GatewayResponse, hooks: ReadonlyArray<HeaderHook>, exchange: Exchange): GatewayResponse {
  if (hooks.length === 0) return response
  const { 'set-cookie': cookie, ...rest } = response.headers
  let headers: Record<string, string> = rest
  for (let i = hooks.length - 1; i >= 0; i--) headers = (hooks[i] as HeaderHook)(headers, response.status, exchange)
  return { ...response, headers: cookie === undefined ? headers : { ...headers, 'set-cookie': cookie } }
}

function lower(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v
  return out
}

function isGatewayRequest(value: RequestInit | GatewayRequest): value is GatewayRequest {
  return typeof (value as GatewayRequest).text === 'function' && typeof (value as GatewayRequest).headers?.get === 'function'
}
