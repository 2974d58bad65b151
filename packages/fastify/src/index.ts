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
import {
  adapt,
  CAPTURE_LIMIT,
  createGateway,
  isPromise,
  SluiceConfigError,
  withStep,
  type AdaptedGateway,
  type CarriesStep,
  type Exchange,
  type Gateway,
  type GatewayOptions,
  type GatewayResponse,
  type Outcome,
  type RequestRewrite,
  type Step,
} from '@sluice/core'
import { bodyBytes, headerPlan, nodeExchange, rewriteHeaders, readStreamUpTo, rewriteNodeRequest, snapshotHeaders, type NodeRequestLike } from '@sluice/core/node'
import fp from 'fastify-plugin'
import { Readable } from 'node:stream'

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
  readonly statusCode: number
  code(status: number): FastifyReplyLike
  header(name: string, value: string | readonly string[]): FastifyReplyLike
  send(payload?: unknown): FastifyReplyLike
  getHeaders(): Record<string, number | string | string[] | undefined>
  removeHeader(name: string): FastifyReplyLike
}

/** A Fastify `onRequest` hook (callback style). */
export type SluiceHook = (request: FastifyRequestLike, reply: FastifyReplyLike, done: (error?: Error) => void) => void

/** A Fastify `onSend` hook (callback style): the after-handler phase. */
export type SluiceSendHook = (request: FastifyRequestLike, reply: FastifyReplyLike, payload: unknown, done: (error: Error | null, payload?: unknown) => void) => void

/** A Fastify `preParsing` hook (callback style): runs features that read the body before Fastify parses it. */
export type SluicePreParsingHook = (request: FastifyRequestLike, reply: FastifyReplyLike, payload: unknown, done: (error?: Error | null, payload?: unknown) => void) => void

/** The instance methods the plugin uses. */
export interface FastifyInstanceLike {
  addHook(name: 'onRequest' | 'preHandler', hook: SluiceHook): unknown
  addHook(name: 'onSend', hook: SluiceSendHook): unknown
  addHook(name: 'preParsing', hook: SluicePreParsingHook): unknown
}

/** A Fastify plugin that installs one feature as an `onRequest` hook; `.hook` is that hook, for one route. */
export type SluicePlugin = ((instance: FastifyInstanceLike, options: unknown, done: (error?: Error) => void) => void) &
  CarriesStep & {
    /** The `onRequest` hook, for one route: `{ onRequest: plugin.hook }`. */
    readonly hook: SluiceHook & CarriesStep
    /** The `onSend` hook, for one route when the feature has an after-handler phase: `{ onSend: plugin.onSend }`. */
    readonly onSend: SluiceSendHook
    /**
     * For features that read the body (`validate()`): the `preParsing` hook that runs them, for one
     * route: `{ preParsing: plugin.preParsing }`. Registered as a plugin, such a feature installs this
     * hook instead of an `onRequest` one (so it runs after every `onRequest` feature).
     */
    readonly preParsing: SluicePreParsingHook | undefined
    /**
     * For the same features: the `preHandler` hook that gives the route a request the feature
     * rewrote (mapping templates), for one route with `preParsing`: `{ preParsing: p.preParsing, preHandler: p.preHandler }`.
     */
    readonly preHandler: SluiceHook | undefined
  }

/** A gateway whose features are Fastify plugins. */
export type FastifyGateway = AdaptedGateway<SluicePlugin>


/**
 * The after-handler phase on Fastify (`onSend`): the serialised payload (string, Buffer, stream up
 * to CAPTURE_LIMIT) goes through the pending `finalize` hooks, latest first, and the final response
 * replaces it. A larger stream passes through untouched and the hooks do not run.
 */
async function finish(core: Gateway, exchange: Exchange, reply: FastifyReplyLike, payload: unknown): Promise<unknown> {
  const pending = exchange.pendingFinalize
  if (pending === undefined || pending.length === 0) return payload
  exchange.pendingFinalize = undefined
  let bytes: Buffer
  if (payload === undefined || payload === null) bytes = Buffer.alloc(0)
  else if (typeof payload === 'string') bytes = Buffer.from(payload)
  else if (payload instanceof Uint8Array) bytes = bodyBytes(payload)
  else if (typeof (payload as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    const read = await readStreamUpTo(payload as AsyncIterable<unknown>, CAPTURE_LIMIT)
    if ('rest' in read) {
      exchange.abandon()
      return read.rest
    }
    bytes = read.bytes
  } else {
    exchange.abandon()
    return payload
  }
  const before = snapshotHeaders(reply.getHeaders())
  let response: GatewayResponse = { status: reply.statusCode, headers: before.headers, body: bytes }
  for (let i = pending.length - 1; i >= 0; i--) response = await core.finalize(pending[i] as NonNullable<typeof pending>[number], response, exchange)
  const plan = headerPlan(response, before)
  reply.code(response.status)
  for (const name of plan.remove) reply.removeHeader(name)
  for (const [name, value] of plan.set) {
    if (name === 'set-cookie') reply.removeHeader(name) // Fastify appends set-cookie values
    reply.header(name, value)
  }
  const out = bodyBytes(response.body)
  reply.header('content-length', String(out.byteLength))
  return out
}

/** Runs the pending response-header hooks (latest first) on the reply's headers; the payload is not touched. */
function applyHeaderHooks(exchange: Exchange, reply: FastifyReplyLike): void {
  const hooks = exchange.pendingHeaders
  if (hooks === undefined) return
  exchange.pendingHeaders = undefined
  for (let i = hooks.length - 1; i >= 0; i--) {
    rewriteHeaders(reply.getHeaders(), reply.statusCode, exchange, hooks[i] as NonNullable<typeof hooks>[number], (k, v) => reply.header(k, v), (k) => reply.removeHeader(k))
  }
}

function apply(outcome: Outcome, reply: FastifyReplyLike, done: (error?: Error) => void, exchange?: Exchange, request?: FastifyRequestLike): void {
  if (outcome.kind === 'respond') {
    const { status, headers, body } = outcome.response
    reply.code(status)
    for (const name in headers) reply.header(name, headers[name] as string)
    if (outcome.response.cookies !== undefined && outcome.response.cookies.length > 0) reply.header('set-cookie', [...outcome.response.cookies] as never)
    reply.send(typeof body === 'string' ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.byteLength))
    return
  }
  const headers = outcome.headers
  if (headers !== undefined) for (const name in headers) reply.header(name, headers[name] as string)
  if (outcome.finalize !== undefined && exchange !== undefined) (exchange.pendingFinalize ??= []).push(outcome.finalize)
  if (outcome.responseHeaders !== undefined && exchange !== undefined) (exchange.pendingHeaders ??= []).push(outcome.responseHeaders)
  if (outcome.request !== undefined && request !== undefined) rewriteNodeRequest(request, request.raw, outcome.request)
  done()
}

function hasBody(headers: NodeRequestLike['headers']): boolean {
  const length = headers['content-length']
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')
}

/** A body-reading feature mounted as an `onRequest` hook: a 500 gateway response naming the fix (and `onError`). */
function misplacedBodyStep(step: Step): Step {
  return {
    feature: step.feature,
    run() {
      throw new SluiceConfigError('ERR_INVALID_OPTION', `${step.feature}().hook`, 'this feature reads the body: mount it with { preParsing: plugin.preParsing, preHandler: plugin.preHandler } (or register the plugin, or use { preHandler: plugin.hook } to read the parsed body), not as an onRequest hook')
    },
  }
}

/** A stream of `bytes` for Fastify's body parser (a body a feature already read). */
function replay(bytes: Buffer): Readable {
  const r = new Readable({ read: noop })
  r.push(bytes)
  r.push(null)
  return r
}

const noop = (): void => undefined

/** Request rewrites made in preParsing, waiting for Fastify to parse (keyed by the raw request). */
const rewrites = new WeakMap<object, RequestRewrite>()

function plugin(core: Gateway, step: Step): SluicePlugin {
  const hook: SluiceHook = (request, reply, done) => {
    const exchange = nodeExchange(core, request.raw, () => request.body, request.params as Record<string, string> | undefined)
    exchange.routeFrom(() => request.routeOptions?.url)
    // reading the body before Fastify parsed it (an onRequest hook) would leave Fastify's parser
    // waiting on a drained stream; as a preHandler hook the step reads the parsed body instead
    const misplaced = step.readsBody === true && hasBody(request.headers) && request.body === undefined && (request.raw as { readableEnded?: boolean }).readableEnded !== true
    const outcome = core.run(misplaced ? misplacedBodyStep(step) : step, exchange)
    if (isPromise(outcome)) outcome.then((o) => apply(o, reply, done, exchange, request), done)
    else apply(outcome, reply, done, exchange, request)
  }
  const exchangeOf = (request: FastifyRequestLike): Exchange => nodeExchange(core, request.raw)
  const onSend: SluiceSendHook = (request, reply, payload, done) => {
    const exchange = exchangeOf(request)
    if (exchange.pendingFinalize === undefined) {
      if (exchange.pendingHeaders !== undefined) applyHeaderHooks(exchange, reply)
      return done(null, payload)
    }
    finish(core, exchange, reply, payload).then(
      (out) => {
        applyHeaderHooks(exchange, reply)
        done(null, out)
      },
      (e: unknown) => done(e instanceof Error ? e : new Error(String(e))),
    )
  }
  // A feature that reads the body runs in preParsing: it reads the request stream, and Fastify's
  // parser then gets the same bytes from a replay of it.
  const preParsing: SluicePreParsingHook | undefined =
    step.readsBody !== true
      ? undefined
      : (request, reply, payload, done) => {
          const exchange = nodeExchange(core, request.raw, () => request.body, request.params as Record<string, string> | undefined)
          exchange.routeFrom(() => request.routeOptions?.url)
          const handOn = (o: Outcome): void => {
            if (o.kind === 'respond') return apply(o, reply, (e) => done(e), exchange)
            const rewrite = o.request
            if (rewrite !== undefined) {
              // the route gets the rewritten request: Fastify parses the new body (its length and
              // the new headers set on the raw request), then preHandler sets the rewrite's value
              const bytes = Buffer.from(rewrite.body)
              const rawHeaders = request.raw.headers as Record<string, string | undefined>
              for (const k of Object.keys(rewrite.headers ?? {})) rawHeaders[k] = rewrite.headers?.[k]
              rawHeaders['content-length'] = String(bytes.byteLength)
              delete rawHeaders['transfer-encoding']
              rewrites.set(request.raw, rewrite)
              const rest = { ...o, request: undefined }
              return apply(rest, reply, () => done(null, replay(bytes)), exchange)
            }
            const raw = request.raw as { readableFlowing?: boolean | null; readableEnded?: boolean }
            if (raw.readableFlowing !== true && raw.readableEnded !== true) return apply(o, reply, () => done(null, payload), exchange)
            exchange.request.arrayBuffer().then(
              (b) => apply(o, reply, () => done(null, replay(Buffer.from(b))), exchange),
              (e: unknown) => done(e instanceof Error ? e : new Error(String(e))),
            )
          }
          const outcome = core.run(step, exchange)
          if (isPromise(outcome)) outcome.then(handOn, (e: unknown) => done(e instanceof Error ? e : new Error(String(e))))
          else handOn(outcome)
        }
  // a request rewrite made in preParsing becomes the route's body once Fastify has parsed
  const applyRewrite: SluiceHook = (request, _reply, done) => {
    const rewrite = rewrites.get(request.raw)
    if (rewrite !== undefined) {
      rewrites.delete(request.raw)
      rewriteNodeRequest(request, request.raw, rewrite)
    }
    done()
  }
  if (preParsing !== undefined) Object.defineProperty(preParsing, 'name', { value: `sluice_${step.feature}` })
  Object.defineProperty(hook, 'name', { value: `sluice_${step.feature}` })
  withStep(hook, step)
  const register = (instance: FastifyInstanceLike, _options: unknown, done: (error?: Error) => void): void => {
    if (preParsing !== undefined) {
      instance.addHook('preParsing', preParsing)
      instance.addHook('preHandler', applyRewrite)
    } else instance.addHook('onRequest', hook)
    // the after-handler hook only for steps that may need it: every onSend hook costs every request
    if (step.finalizes !== false) instance.addHook('onSend', onSend)
    done()
  }
  const wrapped = fp(register as never, { fastify: '5.x', name: `sluice-${step.feature}` }) as unknown as SluicePlugin
  Object.defineProperty(wrapped, 'hook', { value: hook, enumerable: false })
  Object.defineProperty(wrapped, 'onSend', { value: onSend, enumerable: false })
  Object.defineProperty(wrapped, 'preParsing', { value: preParsing, enumerable: false })
  Object.defineProperty(wrapped, 'preHandler', { value: preParsing === undefined ? undefined : applyRewrite, enumerable: false })
  return withStep(wrapped, step)
}

/** Creates a gateway whose features are Fastify plugins (options of `createGateway`). */
export function gateway(options: GatewayOptions = {}): FastifyGateway {
  const core = createGateway(options)
  return adapt(core, (step) => plugin(core, step))
}

export type { GatewayOptions, ApiKeyOptions, ThrottleOptions, UsagePlan } from '@sluice/core'
