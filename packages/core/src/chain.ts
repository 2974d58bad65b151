/**
 * Several steps as one: they run in order, the first `respond` ends the chain, and the headers and
 * `finalize` hooks of the others are combined. One middleware instead of several saves the
 * framework's per-middleware cost (on Fastify, each `onRequest` hook is a measurable share of a
 * trivial route).
 */
import type { Exchange } from './exchange.js'
import { isPromise, proceed, type Continue, type HeaderHook, type Outcome, type RequestRewrite, type Respond, type Step } from './outcome.js'
import type { GatewayResponse } from './response.js'

type Finalize = NonNullable<Continue['finalize']>


function merge(a: Continue | undefined, b: Continue): Continue {
  if (a === undefined) return b
  const merged = a.request !== undefined || b.request !== undefined ? withRequest(mergeHooks(a, b), a.request, b.request) : mergeHooks(a, b)
  const responseHeaders = composeHeaderHooks(a.responseHeaders, b.responseHeaders)
  return responseHeaders === merged.responseHeaders ? merged : { ...merged, responseHeaders }
}

/** The later step's header hook sees the headers first (like `finalize`, the phase unwinds in reverse). */
function composeHeaderHooks(ha: HeaderHook | undefined, hb: HeaderHook | undefined): HeaderHook | undefined {
  if (ha === undefined) return hb
  if (hb === undefined) return ha
  return (headers, status, exchange) => ha(hb(headers, status, exchange), status, exchange)
}

/** Applies a header hook to a whole response (set-cookie kept apart, as adapters do). */
function hookResponse(response: GatewayResponse, hook: HeaderHook, exchange: Exchange): GatewayResponse {
  const { 'set-cookie': cookie, ...rest } = response.headers
  const headers = hook(rest, response.status, exchange)
  return { ...response, headers: cookie === undefined ? headers : { ...headers, 'set-cookie': cookie } }
}

/** A later rewrite of the request wins; headers of both apply. */
function withRequest(c: Continue, a: RequestRewrite | undefined, b: RequestRewrite | undefined): Continue {
  const request = a === undefined ? b : b === undefined ? a : { ...b, headers: { ...a.headers, ...b.headers } }
  return { kind: 'continue', headers: c.headers, finalize: c.finalize, request }
}

function mergeHooks(a: Continue, b: Continue): Continue {
  if (b.headers === undefined && b.finalize === undefined) return a
  if (a.headers === undefined && a.finalize === undefined) return b
  const headers = a.headers === undefined ? b.headers : b.headers === undefined ? a.headers : { ...a.headers, ...b.headers }
  const fa = a.finalize
  const fb = b.finalize
  // the later step's finalize sees the response first (the after-handler phase unwinds in reverse)
  const finalize: Finalize | undefined =
    fa === undefined ? fb : fb === undefined ? fa : async (response, exchange) => fa(await fb(response, exchange), exchange)
  return proceed(headers, finalize)
}

/**
 * A denial after earlier steps let the request through gets what those steps asked for, as when
 * they are mounted one by one: their headers (the denial's own win) and their `finalize` (so CORS
 * headers reach a 429 of a later throttle in the same chain).
 */
function decorate(acc: Continue | undefined, out: Respond, exchange: Exchange): Outcome | Promise<Outcome> {
  if (acc === undefined || (acc.headers === undefined && acc.finalize === undefined && acc.responseHeaders === undefined)) return out
  const response = acc.headers === undefined ? out.response : { ...out.response, headers: { ...acc.headers, ...out.response.headers } }
  const finalize = acc.finalize
  const hook = acc.responseHeaders
  if (finalize === undefined) return { kind: 'respond', response: hook === undefined ? response : hookResponse(response, hook, exchange) }
  return Promise.resolve(finalize(response, exchange)).then((r): Outcome => ({ kind: 'respond', response: hook === undefined ? r : hookResponse(r, hook, exchange) }))
}

/** Combines steps into one step that runs them in order. */
export function chainSteps(steps: readonly Step[]): Step {
  if (steps.length === 0) throw new TypeError('chain() needs at least one feature')
  const feature = steps.map((s) => s.feature).join('+')
  const from = (exchange: Exchange, start: number, acc: Continue | undefined): Outcome | Promise<Outcome> => {
    for (let i = start; i < steps.length; i++) {
      const out = (steps[i] as Step).run(exchange)
      if (isPromise(out)) {
        return out.then((o) => (o.kind === 'respond' ? decorate(acc, o, exchange) : from(exchange, i + 1, merge(acc, o))))
      }
      if (out.kind === 'respond') return decorate(acc, out, exchange)
      acc = merge(acc, out)
    }
    return acc as Continue
  }
  const finalizes = steps.some((s) => s.finalizes !== false)
  const readsBody = steps.some((s) => s.readsBody === true)
  return { feature, finalizes, ...(readsBody ? { readsBody } : {}), run: (exchange) => from(exchange, 0, undefined) }
}
