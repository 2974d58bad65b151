import { extendedIdFrom, formatRequestTime, type Identity, type RequestContext } from './context.js'
import type { ApiKey } from './keys/registry.js'
import type { GatewayRequest } from './request.js'
import type { GatewayResponse } from './response.js'
import type { GatewayResponses } from './responses.js'
import type { Continue } from './outcome.js'
import { splitUrl } from './request.js'
import { resourceFromRoute } from './route.js'
import type { TraceEntry } from './trace.js'

/** What the gateway hands every exchange it creates. */
export interface ExchangeInit {
  readonly request: GatewayRequest
  readonly requestId: string
  readonly now: number
  readonly stage: string
  readonly stageVariables: Readonly<Record<string, string>>
}

class Context implements RequestContext {
  readonly requestId: string
  readonly requestTimeEpoch: number
  readonly httpMethod: string
  readonly stage: string
  readonly identity: Identity
  readonly authorizer: Record<string, unknown> = Object.create(null) as Record<string, unknown>
  readonly #exchange: Exchange
  #resourcePath: string | undefined
  error?: RequestContext['error']

  constructor(exchange: Exchange, init: ExchangeInit) {
    this.#exchange = exchange
    this.requestId = init.requestId
    this.requestTimeEpoch = init.now
    this.httpMethod = init.request.method
    this.stage = init.stage
    this.identity = {
      sourceIp: init.request.ip ?? '',
      userAgent: init.request.headers.get('user-agent'),
    }
  }

  get extendedRequestId(): string {
    return extendedIdFrom(this.requestId)
  }
  get requestTime(): string {
    return formatRequestTime(this.requestTimeEpoch)
  }
  get path(): string {
    return this.#exchange.path
  }
  get resourcePath(): string {
    this.#exchange.resolveRoute()
    return this.#resourcePath ?? this.#exchange.path
  }
  set resourcePath(value: string) {
    this.#resourcePath = value
  }
  get domainName(): string {
    const host = this.#exchange.request.headers.get('host')
    if (host !== null) return host
    const url = this.#exchange.request.url
    const start = url.indexOf('://')
    if (start === -1) return ''
    const end = url.indexOf('/', start + 3)
    return url.slice(start + 3, end === -1 ? undefined : end)
  }
  get protocol(): string {
    return 'HTTP/1.1'
  }
  toJSON(): Record<string, unknown> {
    return {
      requestId: this.requestId,
      extendedRequestId: this.extendedRequestId,
      requestTime: this.requestTime,
      requestTimeEpoch: this.requestTimeEpoch,
      httpMethod: this.httpMethod,
      path: this.path,
      resourcePath: this.resourcePath,
      stage: this.stage,
      domainName: this.domainName,
      protocol: this.protocol,
      identity: this.identity,
      authorizer: this.authorizer,
      ...(this.error ? { error: this.error } : {}),
    }
  }
}

/**
 * One per request, shared by every sluice middleware on that request: the request, its
 * `$context`, the stage variables, the slots features fill in, and the trace of decisions.
 */
export class Exchange {
  readonly request: GatewayRequest
  readonly context: RequestContext
  readonly stageVariables: Readonly<Record<string, string>>
  readonly trace: TraceEntry[] = []
  /**
   * The key an authorizer chose for usage plans (`usageIdentifierKey`), read by
   * `apiKey({ source: 'AUTHORIZER' })`.
   */
  usageIdentifierKey: string | undefined
  /** The API key `apiKey()` accepted for this request. */
  apiKey: ApiKey | undefined
  #routeMatched = false
  #routeSource: (() => string | undefined) | undefined
  /**
   * After-handler hooks waiting for the response, for adapters whose framework runs that phase in
   * a separate hook (Fastify's `onSend`); in order of the steps that returned them.
   */
  pendingFinalize: Array<(response: GatewayResponse, exchange: Exchange) => GatewayResponse | Promise<GatewayResponse>> | undefined
  /** Response header hooks (`Continue.responseHeaders`) waiting for the response, for adapters that apply them in a separate hook (Fastify's `onSend`). */
  pendingHeaders: Array<NonNullable<Continue['responseHeaders']>> | undefined
  /** Set once the `x-amzn-requestid` header has been handed to the adapter. */
  requestIdSent = false
  /**
   * The gateway-responses table of the mounted API (its serving deployment) this request is in,
   * set by `gw.mount()`: every gateway response is then rendered by it (see `GatewayResponses.render`).
   */
  gatewayResponses: GatewayResponses | undefined
  #path: string | undefined
  #query: string | undefined

  constructor(init: ExchangeInit) {
    this.request = init.request
    this.stageVariables = init.stageVariables
    this.context = new Context(this, init)
  }

  /** The request path (no query), as received. */
  get path(): string {
    if (this.#path === undefined) this.#split()
    return this.#path as string
  }

  /** The raw query string, without `?`. */
  get query(): string {
    if (this.#query === undefined) this.#split()
    return this.#query as string
  }

  #split(): void {
    const { path, query } = splitUrl(this.request.url)
    this.#path = path
    this.#query = query
  }

  /** True once the matched route template is known: the resource path is a template, not a raw path. */
  get routeMatched(): boolean {
    this.resolveRoute()
    return this.#routeMatched
  }

  /** Sets `$context.resourcePath` to the matched route template (API Gateway form, `/pets/{id}`). */
  setRoute(resourcePath: string): void {
    this.context.resourcePath = resourcePath
    this.#routeMatched = true
    this.#routeSource = undefined
  }

  /**
   * Names the matched route lazily: `source` (returning the framework's route template, e.g.
   * `/pets/:id`) runs the first time the resource path is read, so requests no feature asks about
   * pay nothing for it. Ignored once a route is known.
   */
  routeFrom(source: () => string | undefined): void {
    if (!this.#routeMatched) this.#routeSource = source
  }

  /** @internal runs a pending `routeFrom` source. */
  resolveRoute(): void {
    const source = this.#routeSource
    if (source === undefined) return
    this.#routeSource = undefined
    const template = source()
    if (template !== undefined) this.setRoute(resourceFromRoute(template))
  }

  #abandonHooks: Array<() => void> | undefined

  /** Runs `hook` if the after-handler phase cannot run for this request (see {@link abandon}). */
  onAbandon(hook: () => void): void {
    ;(this.#abandonHooks ??= []).push(hook)
  }

  /**
   * Called by adapters when a pending `finalize` will not run (the body was too large to capture,
   * or the response failed): features waiting on it (coalesced cache misses) stop waiting.
   */
  abandon(): void {
    const hooks = this.#abandonHooks
    this.#abandonHooks = undefined
    if (hooks) for (const h of hooks) h()
  }

  /**
   * Moves the exchange into a mounted API's stage: `$context.stage` and `$stageVariables` become
   * the stage's (a canary request gets the merged variables).
   */
  enterStage(name: string, variables: Readonly<Record<string, string>>): void {
    ;(this as { stageVariables: Readonly<Record<string, string>> }).stageVariables = variables
    ;(this.context as { stage: string }).stage = name
  }

  /** Records a decision. */
  record(entry: TraceEntry): void {
    this.trace.push(entry)
  }
}
