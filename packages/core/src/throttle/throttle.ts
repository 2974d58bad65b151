/**
 * `gw.throttle(plan?, options?)`: API Gateway's four throttle layers and the usage-plan quota,
 * decided in one store call. Layers, in AWS's order: the usage plan's per-method limit for this
 * caller → the plan's per-caller limit → the stage's per-method setting (or `*\/*`) → the account
 * default. A request passes only if every applicable bucket admits it; tokens are taken only then.
 */
import type { Clock } from '../clock.js'
import { SluiceConfigError } from '../errors.js'
import type { Exchange } from '../exchange.js'
import type { ApiKey } from '../keys/registry.js'
import { isPromise, proceed, respond, CONTINUE, type Outcome, type Step } from '../outcome.js'
import type { GatewayResponses } from '../responses.js'
import { composeKey, ipIdentity } from './identity.js'
import { dayStart, periodEnd, periodStart } from './periods.js'
import type { PreparedPlan, UsagePlans } from './plans.js'
import type { BucketSpec } from './settings.js'
import type { TraceEntry } from '../trace.js'
import type { BucketRef, QuotaRef, ThrottleDecision, ThrottleStore } from './store.js'

/** Options of `gw.throttle()`. */
export interface ThrottleOptions {
  /**
   * Who is counted by the plan's layers. `auto` (default): the API key when `apiKey()` accepted one,
   * otherwise the client address (IPv6 grouped by `ipv6Prefix`). `apiKey`: a key is required
   * (403 INVALID_API_KEY without one). `ip`: always the client address. A function returns the
   * identity text (undefined: not counted by the plan).
   */
  identity?: 'auto' | 'apiKey' | 'ip' | ((exchange: Exchange) => string | undefined)
  /** The resource path for per-method limits (`/pets/{id}`). Default: the route the adapter matched, else the request path. */
  resource?: string
  /** Adds IETF `RateLimit` / `RateLimit-Policy` headers (one item per active layer). Default false. */
  rateLimitHeaders?: boolean
  /** Adds `Retry-After` to 429s. Default true. */
  retryAfter?: boolean
  /** IPv6 addresses are counted by this network prefix. Default 64. */
  ipv6Prefix?: number
}

/** What the gateway gives every throttle step. */
export interface ThrottleEnv {
  readonly plans: UsagePlans
  readonly stage: string
  /** Stage per-method settings by method key (`/pets/GET`, `*\/*`). */
  readonly stageMethods: ReadonlyMap<string, BucketSpec>
  readonly account: BucketSpec | undefined
  readonly store: ThrottleStore
  readonly clock: Clock
  readonly responses: GatewayResponses
}

interface CallerPrep {
  readonly plan: PreparedPlan
  readonly identity: string
  readonly planRef: BucketRef | undefined
  readonly methodRefs: Map<string, BucketRef | null>
  quota: QuotaRef | undefined
  readonly counterKey: string
}

const OPTION_KEYS = new Set(['identity', 'resource', 'rateLimitHeaders', 'retryAfter', 'ipv6Prefix'])
const MAX_CACHED_METHODS = 10_000
const ACCOUNT_KEY = 'a'

function validateOptions(options: ThrottleOptions): void {
  if (options === null || typeof options !== 'object') throw new SluiceConfigError('ERR_INVALID_OPTION', 'throttle()', 'options must be an object')
  for (const k of Object.keys(options)) {
    if (!OPTION_KEYS.has(k)) throw new SluiceConfigError('ERR_INVALID_OPTION', `throttle().${k}`, `unknown option; expected ${[...OPTION_KEYS].join(', ')}`)
  }
  const id = options.identity
  if (id !== undefined && id !== 'auto' && id !== 'apiKey' && id !== 'ip' && typeof id !== 'function') {
    throw new SluiceConfigError('ERR_INVALID_OPTION', 'throttle().identity', "must be 'auto', 'apiKey', 'ip' or a function")
  }
  if (options.resource !== undefined && (typeof options.resource !== 'string' || !options.resource.startsWith('/'))) {
    throw new SluiceConfigError('ERR_INVALID_OPTION', 'throttle().resource', 'must be a resource path starting with /')
  }
  const p = options.ipv6Prefix
  if (p !== undefined && (!Number.isInteger(p) || p < 1 || p > 128)) throw new SluiceConfigError('ERR_INVALID_OPTION', 'throttle().ipv6Prefix', 'must be an integer from 1 to 128')
}

/** The quota's effective limit in the period starting at `start`: the offset is taken in the plan's first period. */
export function effectiveLimit(plan: PreparedPlan, start: number, end: number): number {
  const q = plan.quota
  if (q === undefined) return -1
  const c = plan.createdAt
  return c !== undefined && c >= start && c < end ? q.limit - q.offset : q.limit
}

/** @internal builds a throttle step. */
export function throttleStep(env: ThrottleEnv, explicit: PreparedPlan | undefined, options: ThrottleOptions = {}): Step {
  validateOptions(options)
  const mode = options.identity ?? 'auto'
  if (explicit?.quota !== undefined && (mode === 'ip' || typeof mode === 'function')) {
    throw new SluiceConfigError(
      'ERR_QUOTA_WITHOUT_KEY',
      'throttle().identity',
      `usage plan "${explicit.id}" has a quota, and quotas count API keys (API Gateway applies them only to methods that require a key); use identity 'apiKey' or 'auto'`,
    )
  }
  const headersOn = options.rateLimitHeaders === true
  const retryAfter = options.retryAfter !== false
  const ipv6Prefix = options.ipv6Prefix ?? 64
  const fixedResource = options.resource
  const { store, clock, responses, plans, stage } = env
  const account: BucketRef | undefined = env.account && { key: ACCOUNT_KEY, spec: env.account, layer: 'account', pinned: true }
  const defaultStage = env.stageMethods.get('*/*')
  /** resource → method → stage bucket (null: none). Bounded; misses beyond it are computed per request. */
  const methods = new Map<string, Map<string, BucketRef | null>>()
  const callers = new WeakMap<ApiKey, CallerPrep>()

  const noStageSettings = env.stageMethods.size === 0
  const stageRef = (resource: string, method: string, pinned: boolean): BucketRef | null => {
    if (noStageSettings) return null
    let byMethod = methods.get(resource)
    let ref = byMethod?.get(method)
    if (ref !== undefined) return ref
    const mk = `${resource}/${method}`
    const any = `${resource}/ANY`
    const spec = env.stageMethods.get(mk) ?? env.stageMethods.get(any) ?? defaultStage
    const bucketKey = env.stageMethods.has(mk) || !env.stageMethods.has(any) ? mk : any
    ref = spec === undefined ? null : { key: composeKey('s', stage, bucketKey), spec, layer: 'stage-method', pinned }
    if (pinned && methods.size < MAX_CACHED_METHODS) {
      if (byMethod === undefined) methods.set(resource, (byMethod = new Map()))
      byMethod.set(method, ref)
    }
    return ref
  }

  const prepare = (plan: PreparedPlan, identity: string): CallerPrep => ({
    plan,
    identity,
    planRef: plan.bucket && { key: composeKey('p', plan.id, identity), spec: plan.bucket, layer: 'plan' },
    methodRefs: new Map(),
    quota: undefined,
    counterKey: composeKey('q', plan.id, identity),
  })

  const methodRef = (prep: CallerPrep, resource: string, method: string): BucketRef | null => {
    if (prep.plan.methods.size === 0) return null
    const mk = `${resource}/${method}`
    let ref = prep.methodRefs.get(mk)
    if (ref !== undefined) return ref
    let bucketKey = mk
    let spec = prep.plan.methods.get(mk)
    if (spec === undefined) spec = prep.plan.methods.get((bucketKey = `${resource}/ANY`))
    ref = spec === undefined ? null : { key: composeKey('m', prep.plan.id, prep.identity, stage, bucketKey), spec, layer: 'plan-method' }
    if (prep.methodRefs.size < MAX_CACHED_METHODS) prep.methodRefs.set(mk, ref)
    return ref
  }

  const quotaRef = (prep: CallerPrep, now: number): QuotaRef => {
    let q = prep.quota
    if (q === undefined || now >= q.day + 86_400_000 || now < q.day) {
      const plan = prep.plan
      const start = plan.quota ? periodStart(plan.quota.period, now, plan.quota.weekStart) : dayStart(now)
      const end = plan.quota ? periodEnd(plan.quota.period, start) : start + 86_400_000
      q = { key: prep.counterKey, limit: effectiveLimit(plan, start, end), periodStart: start, periodEnd: end, day: dayStart(now) }
      prep.quota = q
    }
    return q
  }

  const deny = (exchange: Exchange, reason: string): Outcome => {
    exchange.record({ feature: 'throttle', decision: 'deny', reason })
    return respond(responses.render('INVALID_API_KEY', exchange))
  }

  const finish = (exchange: Exchange, buckets: BucketRef[], quota: QuotaRef | undefined, d: ThrottleDecision, now: number): Outcome => {
    const headers = headersOn ? rateLimitHeaders(buckets, quota, d, now) : undefined
    if (d.allowed) {
      exchange.record(new ThrottleTrace('allow', undefined, -1, buckets, d.remaining.slice(), quota, d.quotaUsed))
      return headers === undefined ? CONTINUE : proceed(headers)
    }
    const quotaHit = d.quotaExceeded
    exchange.record(new ThrottleTrace('deny', quotaHit ? 'QUOTA_EXCEEDED' : 'THROTTLED', quotaHit ? -2 : d.boundBucket, buckets, d.remaining.slice(), quota, d.quotaUsed))
    const extra: Record<string, string> = headers ?? {}
    if (retryAfter) {
      const ms = quotaHit ? (quota as QuotaRef).periodEnd - now : (d.waitMs[d.boundBucket] as number)
      extra['retry-after'] = String(Math.max(1, Math.ceil(ms / 1000)))
    }
    return respond(responses.render(quotaHit ? 'QUOTA_EXCEEDED' : 'THROTTLED', exchange, undefined, extra))
  }

  return {
    feature: 'throttle',
    finalizes: false,
    run(exchange: Exchange): Outcome | Promise<Outcome> {
      const now = Math.floor(clock.now())
      const key = exchange.apiKey
      const method = exchange.request.method

      let prep: CallerPrep | undefined
      let keyed = false
      if (mode === 'apiKey' && key === undefined) return deny(exchange, 'no-api-key')
      const byKey = mode === 'auto' || mode === 'apiKey'
      const plan = explicit ?? (key !== undefined && byKey ? plans.planFor(key) : undefined)
      if (plan !== undefined) {
        if (key !== undefined && byKey) {
          keyed = true
          prep = callers.get(key)
          if (prep === undefined || prep.plan !== plan) callers.set(key, (prep = prepare(plan, composeKey('k', key.id))))
        } else if (plan.quota !== undefined) {
          return deny(exchange, 'no-api-key')
        } else {
          const id = typeof mode === 'function' ? mode(exchange) : ipIdentity(exchange.context.identity.sourceIp, ipv6Prefix)
          if (id !== undefined) prep = prepare(plan, typeof mode === 'function' ? composeKey('c', id) : composeKey('i', id))
        }
      }

      // the resource path only when a per-method layer could use it (reading it may ask the framework)
      const needsResource = !noStageSettings || (prep !== undefined && prep.plan.methods.size > 0)
      const resource = fixedResource ?? (needsResource ? exchange.context.resourcePath : '')
      const known = fixedResource !== undefined || (needsResource && exchange.routeMatched)
      const buckets: BucketRef[] = []
      let quota: QuotaRef | undefined
      if (prep !== undefined) {
        const m = methodRef(prep, resource, method)
        if (m !== null) buckets.push(m)
        if (prep.planRef !== undefined) buckets.push(prep.planRef)
        if (keyed) quota = quotaRef(prep, now)
      }
      const s = stageRef(resource, method, known)
      if (s !== null) buckets.push(s)
      if (account !== undefined) buckets.push(account)
      if (buckets.length === 0 && quota === undefined) {
        exchange.record({ feature: 'throttle', decision: 'skip', reason: 'no-layer' })
        return CONTINUE
      }

      const d = store.consume({ buckets, quota }, now)
      if (isPromise<ThrottleDecision>(d)) return d.then((r) => finish(exchange, buckets, quota, r, now))
      return finish(exchange, buckets, quota, d, now)
    },
  }
}

/**
 * A throttle decision in the trace. The detail is built only when read, so the hot path allocates
 * one entry and one copy of the remaining tokens.
 */
class ThrottleTrace implements TraceEntry {
  readonly feature = 'throttle'
  readonly decision: 'allow' | 'deny'
  readonly reason?: string
  readonly #bound: number
  readonly #buckets: readonly BucketRef[]
  readonly #remaining: readonly number[]
  readonly #quota: QuotaRef | undefined
  readonly #quotaUsed: number

  constructor(decision: 'allow' | 'deny', reason: string | undefined, bound: number, buckets: readonly BucketRef[], remaining: readonly number[], quota: QuotaRef | undefined, quotaUsed: number) {
    this.decision = decision
    if (reason !== undefined) this.reason = reason
    this.#bound = bound
    this.#buckets = buckets
    this.#remaining = remaining
    this.#quota = quota
    this.#quotaUsed = quotaUsed
  }

  get detail(): Readonly<Record<string, unknown>> {
    const layers = this.#buckets.map((b, i) => ({ layer: b.layer, remaining: this.#remaining[i] as number, burstLimit: b.spec.burstLimit, rateLimit: b.spec.rateLimit }))
    const q = this.#quota
    const out: Record<string, unknown> = {}
    if (this.#bound !== -1) out['bound'] = this.#bound === -2 ? 'quota' : (this.#buckets[this.#bound] as BucketRef).layer
    out['layers'] = layers
    if (q !== undefined && q.limit >= 0) out['quota'] = { used: this.#quotaUsed, remaining: Math.max(0, q.limit - this.#quotaUsed), limit: q.limit, resetsAt: q.periodEnd }
    return out
  }

  toJSON(): TraceEntry {
    return { feature: this.feature, decision: this.decision, ...(this.reason !== undefined ? { reason: this.reason } : {}), detail: this.detail }
  }
}

/**
 * IETF `RateLimit-Policy` / `RateLimit` (draft-ietf-httpapi-ratelimit-headers, structured fields):
 * one item per layer; for a token bucket q = burst and w = seconds to refill it from empty,
 * r = whole tokens left, t = seconds until full again; for the quota q = limit, w = period length.
 */
export function rateLimitHeaders(buckets: readonly BucketRef[], quota: QuotaRef | undefined, d: ThrottleDecision, now: number): Record<string, string> {
  const policy: string[] = []
  const state: string[] = []
  buckets.forEach((b, i) => {
    policy.push(`"${b.layer}";q=${b.spec.burstLimit};w=${Math.max(1, Math.ceil(b.spec.burstLimit / b.spec.rateLimit))}`)
    state.push(`"${b.layer}";r=${d.remaining[i] as number};t=${Math.ceil((d.fullMs[i] as number) / 1000)}`)
  })
  if (quota !== undefined && quota.limit >= 0) {
    policy.push(`"quota";q=${quota.limit};w=${Math.round((quota.periodEnd - quota.periodStart) / 1000)}`)
    state.push(`"quota";r=${Math.max(0, quota.limit - d.quotaUsed)};t=${Math.ceil((quota.periodEnd - now) / 1000)}`)
  }
  return { 'ratelimit-policy': policy.join(', '), ratelimit: state.join(', ') }
}
