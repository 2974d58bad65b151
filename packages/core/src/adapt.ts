/**
 * What every adapter's `gateway()` returns, built once here so the four expose the same methods:
 * each feature method wraps the core step into the framework's middleware shape.
 */
import type { Gateway } from './gateway.js'
import type { ApiKeyOptions } from './keys/api-key.js'
import type { ApiKeyRegistry } from './keys/registry.js'
import { STEP, type CarriesStep, type Step } from './outcome.js'
import { SluiceConfigError } from './errors.js'

function stepOf(feature: unknown): Step {
  const step = (feature as Partial<CarriesStep> | null)?.[STEP]
  if (step === undefined) throw new SluiceConfigError('ERR_INVALID_OPTION', 'chain()', 'takes features made by this gateway (gw.apiKey(), gw.throttle(), ...)')
  return step
}
import type { UsagePlan } from './throttle/plans.js'
import type { ThrottleOptions } from './throttle/throttle.js'
import type { CacheOptions } from './cache/settings.js'
import type { ValidateOptions } from './validation/validate.js'
import type { CorsOptions } from './cors/cors.js'
import type { AuthorizeMethodOptions, AuthorizerConfig } from './auth/types.js'
import type { TransformOptions } from './templates/transform.js'
import type { Api } from './api/api.js'
import type { ApiDefinition } from './api/definition.js'
import type { MountOptions } from './api/mount.js'

/** A gateway whose features are middleware of type `M`. */
export interface AdaptedGateway<M> {
  /** The framework-neutral gateway underneath. */
  readonly core: Gateway
  /** The API keys, mutable at run time. */
  readonly apiKeys: ApiKeyRegistry
  /** API key check: 403 INVALID_API_KEY unless `x-api-key` is a known, enabled key (in a plan of this stage, when there are plans). */
  apiKey(options?: ApiKeyOptions): M
  /** Throttle and quota: the caller's usage plan (or `plan`), the stage's method setting and the account bucket, in one decision. */
  throttle(plan?: UsagePlan | string, options?: ThrottleOptions): M
  /** Response cache; see `Gateway.cache`. */
  cache(options?: CacheOptions): M
  /** Flushes the whole cache, or the entries under a path prefix. */
  flushCache: Gateway['flushCache']
  /** Cache hit / miss counts. */
  cacheStats: Gateway['cacheStats']
  /**
   * Several features as one middleware (they run in order; the first denial ends it). Cheaper than
   * mounting each: one framework middleware or hook instead of several.
   *
   * @example app.use(gw.chain(gw.apiKey(), gw.throttle()))
   */
  chain(...features: M[]): M
  /**
   * Your own policy step as middleware: `run(exchange)` returns an outcome (`proceed`, `respond`),
   * optionally with a `finalize` for the after-handler phase.
   */
  use(step: Step): M
  /** API Gateway's GetUsage. */
  getUsage: Gateway['getUsage']
  /** API Gateway's UpdateUsage. */
  updateUsage: Gateway['updateUsage']
  /** Resets a key's quota count and plan buckets. */
  resetUsage: Gateway['resetUsage']
  /**
   * Serves a whole API: a typed definition (or an imported OpenAPI document), or an `Api` with
   * deployments and stages. The middleware answers the API's routes itself; NEXT integrations
   * (and paths outside `basePath`) go on to your own routes.
   *
   * @example app.use(gw.mount(definition, { integrations: { listPets } }))
   */
  mount(api: Api | ApiDefinition, options?: MountOptions): M
  /** Access control for a method (an authorizer, or `none` for the resource policy alone); see `Gateway.authorize`. */
  authorize(config?: AuthorizerConfig, method?: AuthorizeMethodOptions): M
  /** Request validation: required parameters (400 BAD_REQUEST_PARAMETERS), then the body's model (400 BAD_REQUEST_BODY). */
  validate(options?: ValidateOptions): M
  /** CORS (HTTP API `corsConfiguration`); mount it first so denials of later features carry its headers. */
  cors(options?: CorsOptions): M
  /**
   * Mapping templates: the request template rewrites the body (and headers) the route sees; the
   * response mapping rewrites the route's response. On Fastify it runs as a `preParsing` hook (the rewritten request reaches the route through a `preHandler` hook).
   */
  transform(options: TransformOptions): M
}

/** Builds an adapter's gateway from a core gateway and the adapter's step wrapper. */
export function adapt<M>(core: Gateway, wrap: (step: Step) => M): AdaptedGateway<M> {
  return {
    core,
    apiKeys: core.apiKeys,
    apiKey: (options) => wrap(core.apiKey(options)),
    throttle: (plan, options) => wrap(core.throttle(plan, options)),
    cache: (options) => wrap(core.cache(options)),
    flushCache: (filter) => core.flushCache(filter),
    cacheStats: () => core.cacheStats(),
    chain: (...features) => wrap(core.chain(...features.map(stepOf))),
    use: (step) => wrap(core.adopt(step)),
    getUsage: (input) => core.getUsage(input),
    updateUsage: (input) => core.updateUsage(input),
    resetUsage: (input) => core.resetUsage(input),
    validate: (options) => wrap(core.validate(options)),
    cors: (options) => wrap(core.cors(options)),
    authorize: (config, method) => wrap(core.authorize(config, method)),
    transform: (options) => wrap(core.transform(options)),
    mount: (api, options) => wrap(core.mount(api, options)),
  }
}
