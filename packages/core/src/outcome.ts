import type { Exchange } from './exchange.js'
import type { GatewayResponse } from './response.js'

/** Lets the request go on to the next layer, adding `headers` to the eventual response. */
export interface Continue {
  readonly kind: 'continue'
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** Runs after the handler produced its response (cache store, response mapping). */
  readonly finalize?: ((response: GatewayResponse, exchange: Exchange) => GatewayResponse | Promise<GatewayResponse>) | undefined
  /** Rewrites the request the host route sees (request mapping). Adapters apply it before `next()`. */
  readonly request?: RequestRewrite | undefined
  /**
   * Rewrites the response's headers just before they are sent — the route's response or a later
   * denial — without holding its body, so streamed responses flow as they come (CORS). Runs after
   * `finalize` when both are given.
   */
  readonly responseHeaders?: HeaderHook | undefined
}

/**
 * Given the headers about to be sent (lower-case names; `set-cookie` is left out and always kept)
 * and the status, returns the headers to send instead: names it leaves out are removed.
 */
export type HeaderHook = (headers: Readonly<Record<string, string>>, status: number, exchange: Exchange) => Record<string, string>

/**
 * How a step rewrites the request the host route then sees (a request mapping template's output).
 * Express sets `req.body`, Koa `ctx.request.body`, Fastify `request.body` (to `value`); Hono makes
 * `c.req.text()` / `c.req.json()` read `body`. Headers are set on the native request.
 */
export interface RequestRewrite {
  /** The new body as text. */
  readonly body: string
  /** The new body as frameworks with a parsed body hold it: `body` parsed as JSON when it is JSON, else `body`. */
  readonly value: unknown
  /** Request headers to set (lower-case names). */
  readonly headers?: Readonly<Record<string, string>> | undefined
}

/** Answers the request now (a denial, a cache hit, a mock). */
export interface Respond {
  readonly kind: 'respond'
  readonly response: GatewayResponse
}

/** What a policy step decides. Denials are values, not exceptions. */
export type Outcome = Continue | Respond

/** The shared "go on, nothing to add" outcome (no allocation). */
export const CONTINUE: Continue = Object.freeze({ kind: 'continue' })

/** Builds a {@link Continue} outcome. */
export function proceed(headers?: Readonly<Record<string, string>>, finalize?: Continue['finalize']): Continue {
  if (headers === undefined && finalize === undefined) return CONTINUE
  return { kind: 'continue', headers, finalize }
}

/** Builds a {@link Respond} outcome. */
export function respond(response: GatewayResponse): Respond {
  return { kind: 'respond', response }
}

/** A policy step: one feature's decision for one request. */
export interface Step {
  /** The feature's name, as the trace shows it. */
  readonly feature: string
  /**
   * False when the step never returns a `finalize` (adapters then install no after-handler hook for
   * it). Omitted: it may.
   */
  readonly finalizes?: boolean
  /**
   * True when the step may read the request body. Adapters whose framework parses the body from
   * the same stream run such steps where the stream can be handed on (Fastify: `preParsing`, which
   * hands Fastify's parser a replay of the bytes, or the rewritten body of a `Continue.request`).
   */
  readonly readsBody?: boolean
  run(exchange: Exchange): Outcome | Promise<Outcome>
}

/** Marks an adapter's middleware with the core step it runs, so the test harness can run it too. */
export const STEP: unique symbol = Symbol.for('sluice.step') as never

/** Something that carries a core step: adapters' middleware functions do. */
export interface CarriesStep {
  readonly [STEP]: Step
}

/** Attaches `step` to an adapter's middleware (as a property of the function object itself). */
export function withStep<T extends object>(middleware: T, step: Step): T & CarriesStep {
  Object.defineProperty(middleware, STEP, { value: step, enumerable: false })
  return middleware as T & CarriesStep
}

/** True for a promise (or any thenable): steps and stores may answer synchronously or not. */
export function isPromise<T = Outcome>(value: unknown): value is Promise<T> {
  return typeof (value as Promise<T> | undefined)?.then === 'function'
}
