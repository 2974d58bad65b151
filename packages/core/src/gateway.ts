import { randomUUID } from 'node:crypto'
import { systemClock, type Clock } from './clock.js'
import { isGatewayError, isStoreUnavailableError, SluiceConfigError } from './errors.js'
import { Exchange } from './exchange.js'
import { createIpResolver, type IpResolver, type TrustProxy } from './ip.js'
import { cacheStep, type CacheStats, type MethodCacheSetting } from './cache/cache.js'
import { validateBoolean, validateStageCache, validateStrategy, validateTtl, type CacheOptions, type StageCacheSettings } from './cache/settings.js'
import { memoryCacheStore, type CacheFlushFilter, type CacheStore } from './cache/store.js'
import { chainSteps } from './chain.js'
import { apiKeyStep, type ApiKeyOptions } from './keys/api-key.js'
import { ApiKeyRegistry, type ApiKeyInit } from './keys/registry.js'
import { CONTINUE, isPromise, respond, type Continue, type Outcome, type Step } from './outcome.js'
import { dropStaleBodyHeaders, type GatewayResponse } from './response.js'
import type { GatewayRequest } from './request.js'
import { GatewayResponses, type GatewayResponsesOptions } from './responses.js'
import { memoryThrottleStore } from './throttle/memory-store.js'
import { UsagePlans, type PreparedPlan, type UsagePlan } from './throttle/plans.js'
import { bucketSpec, methodKey, type BucketSpec, type ThrottleSettings } from './throttle/settings.js'
import type { ThrottleStore } from './throttle/store.js'
import { throttleStep, type ThrottleOptions } from './throttle/throttle.js'
import { getUsage, resetUsage, updateUsage, type GetUsageInput, type Usage } from './throttle/usage.js'
import { requestValidationStep, validationConfig, type ValidateOptions } from './validation/validate.js'
import { corsStep, type CorsOptions } from './cors/cors.js'
import { mountStep, type MountedApi, type MountOptions } from './api/mount.js'
import type { Api } from './api/api.js'
import type { ApiDefinition } from './api/definition.js'
import type { AuthorizerResultStore } from './auth/store.js'
import { memoryAuthorizerResultStore } from './auth/store.js'
import { expandShorthand, resolveAws, type AwsIdentity } from './auth/arn.js'
import { authorizeStep, prepareAuthorizer, type AuthorizeEnv, type PreparedAuthorizer } from './auth/authorize.js'
import { compilePolicy, PolicyError, type CompiledPolicy, type PolicyDocument } from './auth/policy.js'
import type { AuthorizeMethodOptions, AuthorizerConfig } from './auth/types.js'
import { transformStep, type TransformOptions } from './templates/transform.js'
import { setInternals } from './internals.js'

/** The stage this gateway serves (`$context.stage`, `$stageVariables`). */
export interface StageOptions {
  /** Default `$default`. */
  name?: string
  /** Stage variables: names of alphanumerics and `_`, string values. */
  variables?: Record<string, string>
  /**
   * Per-method settings (API Gateway's `MethodSetting`), keyed `/pets/GET`, `GET /pets`, `//GET`
   * for the root, or `*\/*` for every method. Each method gets its own bucket, shared by all callers.
   */
  methodSettings?: Record<string, MethodSetting>
  /** Stage-wide cache settings; `gw.cache()` options and method settings override them. */
  cache?: StageCacheSettings
}

/**
 * A stage's per-method settings (API Gateway's `MethodSetting` names): a throttle (both throttling
 * fields) and cache overrides.
 */
export interface MethodSetting extends MethodCacheSetting {
  throttlingRateLimit?: number
  throttlingBurstLimit?: number
}

/** The stores a gateway keeps its state in. Default: in memory. */
export interface GatewayStore {
  throttle?: ThrottleStore
  cache?: CacheStore
  /** Cached Lambda-style authorizer results (`authorizerResultTtlInSeconds`). */
  authorizer?: AuthorizerResultStore
}

/** Options of {@link createGateway} (and of every adapter's `gateway()`). */
export interface GatewayOptions {
  /** The API keys; change them later through `gw.apiKeys`. */
  apiKeys?: readonly ApiKeyInit[]
  stage?: StageOptions
  /** Customised gateway responses by type. */
  gatewayResponses?: GatewayResponsesOptions
  /** Usage plans: per-key throttle, per-method limits and quotas. Keys join plans through `usagePlanIds`. */
  usagePlans?: readonly UsagePlan[]
  /**
   * The account-level bucket every request passes, shared by all callers. Default 10,000 rps with
   * a burst of 5,000 (API Gateway's default); `false` for none.
   */
  accountThrottle?: ThrottleSettings | false
  /** Where state lives. Default: memory stores. */
  store?: GatewayStore
  /** Which proxies may name the client in `X-Forwarded-For`. Default: nobody. */
  trustProxy?: TrustProxy
  /** Where time comes from. Default: the system clock. */
  clock?: Clock
  /** Called when a feature fails unexpectedly (the client gets a 500 gateway response). */
  onError?: (error: unknown, exchange: Exchange) => void
  /** Generates `$context.requestId`. Default: `crypto.randomUUID`. */
  requestId?: () => string
  /**
   * Where the API pretends to live, for method ARNs (`arn:aws:execute-api:{region}:{accountId}:{apiId}/...`)
   * and the SigV4 scope. Default `us-east-1`, `123456789012`, `sluice`.
   */
  aws?: AwsIdentity
  /** The API's resource policy (IAM policy JSON; `execute-api:/...` shorthand expanded). */
  resourcePolicy?: PolicyDocument
}

const OPTION_KEYS = new Set(['apiKeys', 'usagePlans', 'accountThrottle', 'store', 'stage', 'gatewayResponses', 'trustProxy', 'clock', 'onError', 'requestId', 'aws', 'resourcePolicy'])
const ACCOUNT_DEFAULT: ThrottleSettings = { rateLimit: 10_000, burstLimit: 5_000 }
const STAGE_NAME = /^[A-Za-z0-9_$-]{1,128}$/
const VARIABLE_NAME = /^[A-Za-z0-9_]{1,64}$/
const VARIABLE_VALUE = /^[A-Za-z0-9\-._~:/?#&=,]*$/

/** A gateway: the features, their shared state, and the runtime adapters drive. */
export interface Gateway {
  readonly apiKeys: ApiKeyRegistry
  readonly responses: GatewayResponses
  readonly clock: Clock
  readonly stage: Readonly<Required<StageOptions>>
  /** Resolves the client address from the socket address and `X-Forwarded-For`, per `trustProxy`. */
  readonly resolveIp: IpResolver

  readonly usagePlans: UsagePlans

  /**
   * API key check: missing, unknown or disabled key → 403 INVALID_API_KEY; on success
   * `$context.identity.apiKey` / `apiKeyId` are set. When the gateway has usage plans, a key must
   * also be in a plan that covers this stage.
   */
  apiKey(options?: ApiKeyOptions): Step

  /**
   * Throttle and quota. Without a plan, the caller's API key's usage plan applies (if any); with
   * one (a plan, or a registered plan's id), that plan applies to every caller through this step.
   * Stage per-method settings and the account bucket apply in both cases.
   */
  throttle(plan?: UsagePlan | string, options?: ThrottleOptions): Step

  /**
   * Response cache (API Gateway's stage cache): TTL, declared key parameters, `max-age=0`
   * invalidation, coalesced misses; identified callers never share entries.
   */
  cache(options?: CacheOptions): Step
  /** Flushes the whole cache, or the entries under a path prefix (or one exact path). Returns how many were removed. */
  flushCache(filter?: CacheFlushFilter): Promise<number>
  /** Hit, miss, store, invalidation and coalescing counts since the gateway started. */
  cacheStats(): CacheStats

  /** API Gateway's GetUsage for a plan (one `[used, remaining]` pair per key per day). */
  getUsage(input: GetUsageInput): Promise<Usage>
  /** API Gateway's UpdateUsage: sets the quota remaining in the current period for a key. */
  updateUsage(input: { usagePlanId: string; keyId: string; remaining: number }): Promise<void>
  /** Resets a key's quota count in the current period and its plan buckets. */
  resetUsage(input: { usagePlanId: string; keyId: string }): Promise<void>

  /** Makes a user-written step this gateway's (so `chain` and `simulate` take it). */
  adopt(step: Step): Step
  /** Several features as one step (one middleware): run in order, the first denial ends it. */
  chain(...steps: Step[]): Step

  /**
   * The after-handler phase: runs a `continue`'s `finalize` on the handler's response. Never
   * throws: a failing finalize becomes a 500 gateway response (and calls `onError`).
   */
  finalize(finalize: NonNullable<Continue['finalize']>, response: GatewayResponse, exchange: Exchange): Promise<GatewayResponse>

  /** Starts an exchange for a request. */
  exchange(request: GatewayRequest): Exchange
  /** The exchange of a native request object (created on first use): one per request across middleware. */
  exchangeFor(native: object, request: () => GatewayRequest): Exchange
  /**
   * Runs a step: never throws. Unexpected errors become a 500 gateway response; the first
   * `continue` of an exchange carries the `x-amzn-requestid` header.
   */
  run(step: Step, exchange: Exchange): Outcome | Promise<Outcome>

  /**
   * Serves a whole API (a definition, or an {@link Api} with deployments and stages): routing,
   * authorizers, API keys, throttling, caching and integrations in API Gateway's order.
   */
  mount(api: Api | ApiDefinition, options?: MountOptions): MountedApi
  /** Where the API pretends to live (method ARNs, SigV4 scope). */
  readonly aws: Readonly<Required<AwsIdentity>>
  /**
   * Access control for a method: an authorizer (`token`, `request`, `jwt`, `cognito_user_pools`,
   * `aws_iam`) or `none` (the resource policy alone), combined with the gateway's resource policy.
   * Pass the same config object for every method of one authorizer: they share its key set, its
   * verified-token memory and its result cache.
   */
  authorize(config?: AuthorizerConfig, method?: AuthorizeMethodOptions): Step
  /**
   * Request validation (API Gateway's request validators): required parameters present and
   * non-blank (400 BAD_REQUEST_PARAMETERS), then the body against its model (400 BAD_REQUEST_BODY).
   * Schemas are compiled now.
   */
  validate(options?: ValidateOptions): Step
  /**
   * CORS (HTTP API `corsConfiguration`): answers preflights, adds CORS headers to responses for
   * allowed origins (gateway error responses of later steps included) and replaces the backend's.
   */
  cors(options?: CorsOptions): Step
  /**
   * Mapping templates around a host route: the request template (by Content-Type, with
   * `passthroughBehavior` and 415) rewrites the request the route sees; integration responses and
   * response templates (by Accept) rewrite its response. Templates are compiled now.
   */
  transform(options: TransformOptions): Step
}

function validate(options: GatewayOptions): void {
  if (options === null || typeof options !== 'object') throw new SluiceConfigError('ERR_INVALID_OPTION', 'options', 'must be an object')
  for (const k of Object.keys(options)) {
    if (!OPTION_KEYS.has(k)) throw new SluiceConfigError('ERR_INVALID_OPTION', k, `unknown option; expected one of ${[...OPTION_KEYS].join(', ')}`)
  }
  const stage = options.stage
  if (stage !== undefined) {
    if (stage === null || typeof stage !== 'object') throw new SluiceConfigError('ERR_INVALID_OPTION', 'stage', 'must be an object')
    if (stage.name !== undefined && (typeof stage.name !== 'string' || !STAGE_NAME.test(stage.name))) {
      throw new SluiceConfigError('ERR_INVALID_OPTION', 'stage.name', 'must be 1 to 128 characters: letters, digits, _, - or $')
    }
    for (const [k, v] of Object.entries(stage.variables ?? {})) {
      if (!VARIABLE_NAME.test(k)) throw new SluiceConfigError('ERR_INVALID_OPTION', `stage.variables.${k}`, 'names must be 1 to 64 letters, digits or _')
      if (typeof v !== 'string' || v.length > 512 || !VARIABLE_VALUE.test(v)) {
        throw new SluiceConfigError('ERR_INVALID_OPTION', `stage.variables.${k}`, 'values must be strings of at most 512 characters from A-Z a-z 0-9 - . _ ~ : / ? # & = ,')
      }
    }
  }
  if (options.clock !== undefined && typeof options.clock?.now !== 'function') throw new SluiceConfigError('ERR_INVALID_OPTION', 'clock', 'must have a now() method')
  if (options.onError !== undefined && typeof options.onError !== 'function') throw new SluiceConfigError('ERR_INVALID_OPTION', 'onError', 'must be a function')
  if (options.requestId !== undefined && typeof options.requestId !== 'function') throw new SluiceConfigError('ERR_INVALID_OPTION', 'requestId', 'must be a function')
}

const owners = new WeakMap<Step, Gateway>()

/** The gateway that made a step (the test harness runs steps through it). */
export function gatewayOf(step: Step): Gateway | undefined {
  return owners.get(step)
}


/**
 * Creates a gateway from options, validating them all now: a misconfiguration throws a
 * {@link SluiceConfigError} naming the option.
 *
 * @example
 * const gw = createGateway({ apiKeys: [{ id: 'k1', name: 'first', value: generateApiKeyValue() }] })
 * const step = gw.apiKey()
 */
export function createGateway(options: GatewayOptions = {}): Gateway {
  validate(options)
  const stageName = options.stage?.name ?? '$default'
  const usagePlans = new UsagePlans(options.usagePlans, stageName)
  const apiKeys = new ApiKeyRegistry(options.apiKeys ?? [], 'apiKeys', (key, option) => usagePlans.validateKey(key, option))
  const responses = new GatewayResponses(options.gatewayResponses ?? {})
  const clock = options.clock ?? systemClock
  const stage = Object.freeze({
    name: stageName,
    variables: Object.freeze(Object.assign(Object.create(null) as Record<string, string>, options.stage?.variables ?? {})),
    methodSettings: Object.freeze({ ...options.stage?.methodSettings }),
    cache: Object.freeze({ ...options.stage?.cache }),
  })
  const account = options.accountThrottle === false ? undefined : bucketSpec(options.accountThrottle ?? ACCOUNT_DEFAULT, 'accountThrottle')
  const stageMethods = new Map<string, BucketSpec>()
  const cacheMethods = new Map<string, MethodCacheSetting>()
  const METHOD_SETTING_FIELDS = ['throttlingRateLimit', 'throttlingBurstLimit', 'cachingEnabled', 'cacheTtlInSeconds', 'requireAuthorizationForCacheControl', 'unauthorizedCacheControlHeaderStrategy']
  for (const [k, v] of Object.entries(options.stage?.methodSettings ?? {})) {
    const o = `stage.methodSettings["${k}"]`
    if (v === null || typeof v !== 'object') throw new SluiceConfigError('ERR_INVALID_OPTION', o, 'must be a method setting object')
    for (const f of Object.keys(v)) {
      if (!METHOD_SETTING_FIELDS.includes(f)) throw new SluiceConfigError('ERR_INVALID_OPTION', `${o}.${f}`, `unknown field; expected ${METHOD_SETTING_FIELDS.join(', ')}`)
    }
    const mk = methodKey(k, o, true)
    if (v.throttlingRateLimit !== undefined || v.throttlingBurstLimit !== undefined) {
      const spec = bucketSpec({ rateLimit: v.throttlingRateLimit, burstLimit: v.throttlingBurstLimit }, o)
      if (account !== undefined && (spec.rateLimit > account.rateLimit || spec.burstLimit > account.burstLimit)) {
        throw new SluiceConfigError('ERR_INVALID_THROTTLE', o, `a stage limit above the account limit (${account.rateLimit} rps, burst ${account.burstLimit}) can never be reached`)
      }
      stageMethods.set(mk, spec)
    }
    const c: MethodCacheSetting = {}
    if (v.cachingEnabled !== undefined) c.cachingEnabled = validateBoolean(v.cachingEnabled, `${o}.cachingEnabled`)
    if (v.cacheTtlInSeconds !== undefined) c.cacheTtlInSeconds = validateTtl(v.cacheTtlInSeconds, `${o}.cacheTtlInSeconds`)
    if (v.requireAuthorizationForCacheControl !== undefined) c.requireAuthorizationForCacheControl = validateBoolean(v.requireAuthorizationForCacheControl, `${o}.requireAuthorizationForCacheControl`)
    if (v.unauthorizedCacheControlHeaderStrategy !== undefined) c.unauthorizedCacheControlHeaderStrategy = validateStrategy(v.unauthorizedCacheControlHeaderStrategy, `${o}.unauthorizedCacheControlHeaderStrategy`)
    if (Object.keys(c).length > 0) cacheMethods.set(mk, c)
  }
  const stageCache = validateStageCache(options.stage?.cache)
  const cacheStore = options.store?.cache ?? memoryCacheStore()
  if (typeof cacheStore.get !== 'function' || typeof cacheStore.set !== 'function') throw new SluiceConfigError('ERR_INVALID_OPTION', 'store.cache', 'must implement CacheStore (get, set, delete, flush)')
  const cacheStats: CacheStats = { hits: 0, misses: 0, stores: 0, invalidations: 0, coalesced: 0 }
  const cacheEnv = { store: cacheStore, clock, responses, stage: stageName, stageCache, methodSettings: cacheMethods, stats: cacheStats }
  const sharedCaches = new WeakSet<Step>()
  const cacheSteps = new WeakSet<Step>()
  const identitySteps = new WeakSet<Step>()
  const checkAccount = (plan: PreparedPlan, option: string): PreparedPlan => {
    if (plan.bucket !== undefined && account !== undefined && (plan.bucket.rateLimit > account.rateLimit || plan.bucket.burstLimit > account.burstLimit)) {
      throw new SluiceConfigError('ERR_INVALID_THROTTLE', option, `a per-caller limit above the account limit (${account.rateLimit} rps, burst ${account.burstLimit}) can never be reached`)
    }
    return plan
  }
  usagePlans.list().forEach((plan, i) => checkAccount(plan, `usagePlans[${i}].throttle`))
  if (options.store !== undefined && (options.store === null || typeof options.store !== 'object')) throw new SluiceConfigError('ERR_INVALID_OPTION', 'store', 'must be an object of stores')
  const throttleStore = options.store?.throttle ?? memoryThrottleStore()
  if (typeof throttleStore.consume !== 'function') throw new SluiceConfigError('ERR_INVALID_OPTION', 'store.throttle', 'must implement ThrottleStore (consume, usage, setUsed, resetBuckets)')
  const throttleEnv = { plans: usagePlans, stage: stageName, stageMethods, account, store: throttleStore, clock, responses }
  const usageEnv = { plans: usagePlans, keys: apiKeys, store: throttleStore, clock }
  let inline = 0
  const aws = resolveAws(options.aws)
  const authStore = options.store?.authorizer ?? memoryAuthorizerResultStore()
  if (typeof authStore.get !== 'function' || typeof authStore.set !== 'function') throw new SluiceConfigError('ERR_INVALID_OPTION', 'store.authorizer', 'must implement AuthorizerResultStore (get, set, delete, clear)')
  let resourcePolicy: CompiledPolicy | undefined
  if (options.resourcePolicy !== undefined) {
    try {
      resourcePolicy = compilePolicy(options.resourcePolicy, { expandResource: expandShorthand(aws), requirePrincipal: true })
    } catch (e) {
      if (e instanceof PolicyError) throw new SluiceConfigError('ERR_INVALID_POLICY', `resourcePolicy.${e.path}`, e.message.slice(e.path.length + 2))
      throw e
    }
  }
  const authEnv: AuthorizeEnv = { clock, aws, stage: stageName, store: authStore, responses, resourcePolicy }
  const preparedAuthorizers = new WeakMap<object, PreparedAuthorizer>()
  const authorizerNames = new Map<string, object>()
  const NONE: AuthorizerConfig = { type: 'none' }
  const resolveIp = createIpResolver(options.trustProxy)
  const nextId = options.requestId ?? randomUUID
  const onError = options.onError
  const exchanges = new WeakMap<object, Exchange>()
  const SLOT = Symbol('sluice.exchange')

  const exchange = (request: GatewayRequest): Exchange =>
    new Exchange({ request, requestId: nextId(), now: clock.now(), stage: stage.name, stageVariables: stage.variables })

  const finish = (outcome: Outcome, ex: Exchange): Outcome => {
    if (outcome.kind === 'respond' || ex.requestIdSent) return outcome
    ex.requestIdSent = true
    const headers = { ...outcome.headers, 'x-amzn-requestid': ex.context.requestId }
    return { kind: 'continue', headers, finalize: outcome.finalize, request: outcome.request, responseHeaders: outcome.responseHeaders } satisfies Continue
  }

  const fail = (error: unknown, ex: Exchange, step: Step): Outcome => {
    if (isStoreUnavailableError(error)) return unavailable(error.retryAfter, ex, step)
    if (isGatewayError(error)) {
      ex.record({ feature: step.feature, decision: 'deny', reason: error.type })
      return respond(responses.render(error.type, ex, error.errorMessage))
    }
    ex.record({ feature: step.feature, decision: 'error', reason: error instanceof Error ? error.message : String(error) })
    try {
      onError?.(error, ex)
    } catch {
      // a failing error hook must not take the request down with it
    }
    return respond(responses.render('API_CONFIGURATION_ERROR', ex))
  }

  // a store that cannot answer under a fail-closed policy: 503 through DEFAULT_5XX with Retry-After (never a fake 429)
  const unavailable = (retryAfter: number, ex: Exchange, step: Step): Outcome => {
    ex.record({ feature: step.feature, decision: 'error', reason: 'store-unavailable' })
    const r = responses.render('DEFAULT_5XX', ex, 'Service Unavailable', { 'retry-after': String(retryAfter) })
    return respond(responses.statusOf('DEFAULT_5XX', ex) === 500 ? { ...r, status: 503 } : r)
  }

  const own = (step: Step): Step => {
    owners.set(step, gw)
    return step
  }

  const gw: Gateway = {
    apiKeys,
    responses,
    clock,
    stage,
    resolveIp,
    usagePlans,
    apiKey: (opts?: ApiKeyOptions) => {
      const step = own(apiKeyStep(apiKeys, responses, opts, usagePlans))
      identitySteps.add(step)
      return step
    },
    cache: (opts?: CacheOptions) => {
      const step = own(cacheStep(cacheEnv, opts))
      cacheSteps.add(step)
      if (opts?.shared === true) sharedCaches.add(step)
      return step
    },
    flushCache: async (filter?: CacheFlushFilter) => {
      if (filter !== undefined && (filter === null || typeof filter !== 'object' || (filter.pathPrefix !== undefined && typeof filter.pathPrefix !== 'string'))) {
        throw new SluiceConfigError('ERR_INVALID_CACHE', 'flushCache()', 'takes { pathPrefix?, exact? }')
      }
      return cacheStore.flush(filter)
    },
    cacheStats: () => ({ ...cacheStats }),
    throttle(plan, opts) {
      let prepared
      if (typeof plan === 'string') {
        prepared = usagePlans.get(plan)
        if (prepared === undefined) throw new SluiceConfigError('ERR_UNKNOWN_USAGE_PLAN', 'throttle(plan)', `no usage plan has the id "${plan}"`)
      } else if (plan !== undefined) {
        if (plan === null || typeof plan !== 'object') throw new SluiceConfigError('ERR_INVALID_USAGE_PLAN', 'throttle(plan)', 'must be a usage plan or a plan id')
        prepared = checkAccount(usagePlans.adopt(plan.id === undefined ? { ...plan, id: `inline-${++inline}` } : plan, 'throttle(plan)'), 'throttle(plan).throttle')
      }
      return own(throttleStep(throttleEnv, prepared, opts))
    },
    async finalize(fn, response, ex) {
      try {
        return dropStaleBodyHeaders(response, await fn(response, ex))
      } catch (e) {
        const out = fail(e, ex, { feature: 'finalize', run: () => CONTINUE })
        return out.kind === 'respond' ? out.response : response
      }
    },
    adopt(step) {
      if (step === null || typeof step !== 'object' || typeof step.run !== 'function' || typeof step.feature !== 'string') {
        throw new SluiceConfigError('ERR_INVALID_OPTION', 'use(step)', 'a step is { feature: string, run(exchange) }')
      }
      return own(step)
    },
    chain: (...steps) => {
      let identified = false
      let cached = false
      for (const s of steps) {
        if (owners.get(s) !== gw) throw new SluiceConfigError('ERR_INVALID_OPTION', 'chain()', 'every feature must come from this gateway')
        if (identitySteps.has(s)) {
          if (cached) {
            throw new SluiceConfigError('ERR_INVALID_CACHE', 'chain()', 'a cache before apiKey() or an authorizer answers callers before they are checked; put the cache after them')
          }
          identified = true
        }
        if (identified && sharedCaches.has(s)) {
          throw new SluiceConfigError('ERR_INVALID_CACHE', 'cache().shared', 'a shared cache behind an API key or authorizer would serve one caller\'s response to another; leave shared off so each caller has its own entries')
        }
        if (cacheSteps.has(s)) cached = true
      }
      const step = own(chainSteps(steps))
      // a chain carries what it contains, so nesting chains cannot hide an order
      if (steps.some((s) => identitySteps.has(s))) identitySteps.add(step)
      if (steps.some((s) => cacheSteps.has(s))) cacheSteps.add(step)
      if (steps.some((s) => sharedCaches.has(s))) sharedCaches.add(step)
      return step
    },
    getUsage: (input) => getUsage(usageEnv, input),
    updateUsage: (input) => updateUsage(usageEnv, input),
    resetUsage: (input) => resetUsage(usageEnv, input),
    exchange,
    exchangeFor(native, request) {
      // An own symbol property on the request object: a WeakMap keyed by short-lived requests
      // costs far more in garbage collection. Objects that cannot take one fall back to the WeakMap.
      const slot = native as Record<symbol, Exchange | undefined>
      let ex = slot[SLOT]
      if (ex !== undefined) return ex
      if (Object.isExtensible(native)) {
        ex = exchange(request())
        slot[SLOT] = ex
        return ex
      }
      ex = exchanges.get(native)
      if (ex === undefined) exchanges.set(native, (ex = exchange(request())))
      return ex
    },
    aws,
    authorize(config = NONE, method) {
      let prepared = preparedAuthorizers.get(config)
      if (prepared === undefined) {
        prepared = prepareAuthorizer(config, authEnv, `authorizer-${authorizerNames.size + 1}`)
        const other = authorizerNames.get(prepared.name)
        if (other !== undefined && other !== config) throw new SluiceConfigError('ERR_INVALID_AUTHORIZER', 'authorize().name', `another authorizer is already named "${prepared.name}"; pass the same config object to share it`)
        authorizerNames.set(prepared.name, config)
        preparedAuthorizers.set(config, prepared)
      }
      const step = own(authorizeStep(authEnv, prepared, method))
      identitySteps.add(step)
      return step
    },
    run(step, ex) {
      let out: Outcome | Promise<Outcome>
      try {
        out = step.run(ex)
      } catch (e) {
        return fail(e, ex, step)
      }
      if (isPromise(out)) return out.then((o) => finish(o, ex), (e: unknown) => fail(e, ex, step))
      return finish(out, ex)
    },
    mount: (api, opts) => mountStep(gw, api, opts),
    validate: (opts?: ValidateOptions) => own(requestValidationStep(validationConfig(opts ?? {}), responses)),
    cors: (opts?: CorsOptions) => own(corsStep(opts)),
    transform: (opts: TransformOptions) => own(transformStep(responses, opts)),
  }
  setInternals(gw, { authEnv, resourcePolicy: options.resourcePolicy, throttleEnv, cacheEnv })
  return gw
}
