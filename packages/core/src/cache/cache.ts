/**
 * `gw.cache(options)`: API Gateway's stage cache as middleware — TTL, declared key parameters,
 * `Cache-Control: max-age=0` invalidation with AWS's three strategies, coalesced misses — and safe
 * by default: identified callers never share entries, and responses that must not be shared
 * (`Set-Cookie`, `Cache-Control: private` / `no-store`, 5xx, oversized) are never stored.
 */
import { createHash } from 'node:crypto'
import type { Clock } from '../clock.js'
import type { TraceEntry } from '../trace.js'
import { SluiceConfigError } from '../errors.js'
import type { Exchange } from '../exchange.js'
import { isPromise, proceed, respond, CONTINUE, type Continue, type Outcome, type Step } from '../outcome.js'
import type { GatewayResponse } from '../response.js'
import type { GatewayResponses } from '../responses.js'
import { composeKey } from '../throttle/identity.js'
import { parseKeyParam, validateBoolean, validateStrategy, validateTtl, type CacheOptions, type KeyParam, type StageCacheSettings, type UnauthorizedCacheControlStrategy } from './settings.js'
import type { CacheEntry, CacheStore } from './store.js'
import { INVALIDATE_CACHE, policyAllows } from '../auth/authorize.js'

/** A stage method setting's cache fields (API Gateway's `MethodSetting` names). */
export interface MethodCacheSetting {
  cachingEnabled?: boolean
  cacheTtlInSeconds?: number
  requireAuthorizationForCacheControl?: boolean
  unauthorizedCacheControlHeaderStrategy?: UnauthorizedCacheControlStrategy
}

/** Hit, miss and store counts of a gateway's caches (for metrics). */
export interface CacheStats {
  hits: number
  misses: number
  stores: number
  invalidations: number
  coalesced: number
}

/** What the gateway gives every cache step. */
export interface CacheEnv {
  readonly store: CacheStore
  readonly clock: Clock
  readonly responses: GatewayResponses
  readonly stage: string
  readonly stageCache: StageCacheSettings
  /** Method settings with cache fields, by method key (`/pets/GET`, `*\/*`). */
  readonly methodSettings: ReadonlyMap<string, MethodCacheSetting>
  readonly stats: CacheStats
}

const OPTION_KEYS = new Set([
  'ttl',
  'key',
  'namespace',
  'methods',
  'shared',
  'cacheableStatuses',
  'maxBodyBytes',
  'requireAuthorization',
  'authorizeInvalidation',
  'unauthorizedStrategy',
  'coalesce',
  'coalesceTimeoutMs',
])

/** Headers a cached response never carries over: per-request or per-connection ones. */
const NOT_STORED = new Set(['x-amzn-requestid', 'age', 'date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'set-cookie', 'warning'])

export const INVALIDATION_WARNING = '199 - "Cache-Control: max-age=0 ignored: the caller is not authorized to invalidate the cache"'

function defaultCacheable(status: number): boolean {
  return status >= 200 && status < 300 && status !== 204 && status !== 206
}

function validate(options: CacheOptions): void {
  if (options === null || typeof options !== 'object') throw new SluiceConfigError('ERR_INVALID_CACHE', 'cache()', 'options must be an object')
  for (const k of Object.keys(options)) {
    if (!OPTION_KEYS.has(k)) throw new SluiceConfigError('ERR_INVALID_CACHE', `cache().${k}`, `unknown option; expected ${[...OPTION_KEYS].join(', ')}`)
  }
  if (options.ttl !== undefined) validateTtl(options.ttl, 'cache().ttl')
  if (options.key !== undefined && !Array.isArray(options.key)) throw new SluiceConfigError('ERR_INVALID_CACHE', 'cache().key', 'must be a list of key parameters')
  if (options.namespace !== undefined && (typeof options.namespace !== 'string' || options.namespace.length > 256)) {
    throw new SluiceConfigError('ERR_INVALID_CACHE', 'cache().namespace', 'must be a string of at most 256 characters')
  }
  if (options.methods !== undefined && (!Array.isArray(options.methods) || options.methods.some((m) => typeof m !== 'string' || !/^[A-Za-z]+$/.test(m)))) {
    throw new SluiceConfigError('ERR_INVALID_CACHE', 'cache().methods', 'must be a list of HTTP methods')
  }
  if (options.shared !== undefined) validateBoolean(options.shared, 'cache().shared')
  if (options.requireAuthorization !== undefined) validateBoolean(options.requireAuthorization, 'cache().requireAuthorization')
  if (options.coalesce !== undefined) validateBoolean(options.coalesce, 'cache().coalesce')
  if (options.unauthorizedStrategy !== undefined) validateStrategy(options.unauthorizedStrategy, 'cache().unauthorizedStrategy')
  if (options.authorizeInvalidation !== undefined && typeof options.authorizeInvalidation !== 'function') {
    throw new SluiceConfigError('ERR_INVALID_CACHE', 'cache().authorizeInvalidation', 'must be a function of the exchange returning a boolean')
  }
  if (options.cacheableStatuses !== undefined) {
    if (!Array.isArray(options.cacheableStatuses) || options.cacheableStatuses.some((s) => !Number.isInteger(s) || s < 100 || s > 599)) {
      throw new SluiceConfigError('ERR_INVALID_CACHE', 'cache().cacheableStatuses', 'must be a list of status codes')
    }
    if (options.cacheableStatuses.some((s) => s >= 500)) throw new SluiceConfigError('ERR_INVALID_CACHE', 'cache().cacheableStatuses', 'a 5xx response is never cached')
  }
  const max = options.maxBodyBytes
  if (max !== undefined && (!Number.isInteger(max) || max < 0 || max > 10 * 1024 * 1024)) {
    throw new SluiceConfigError('ERR_INVALID_CACHE', 'cache().maxBodyBytes', 'must be an integer of bytes from 0 to 10 MiB')
  }
  const t = options.coalesceTimeoutMs
  if (t !== undefined && (!Number.isInteger(t) || t < 1 || t > 300_000)) throw new SluiceConfigError('ERR_INVALID_CACHE', 'cache().coalesceTimeoutMs', 'must be an integer of milliseconds from 1 to 300000')
}

/** Reads the request's `Cache-Control` for `max-age=0`. */
function wantsInvalidation(exchange: Exchange): boolean {
  const cc = exchange.request.headers.get('cache-control')
  return cc !== null && /(?:^|,)\s*max-age\s*=\s*"?0+"?\s*(?:,|$)/i.test(cc)
}

/** Whether a response may be stored, and if not, why (for the trace). */
export function uncacheableReason(response: GatewayResponse, cacheable: (status: number) => boolean, maxBodyBytes: number, keyHeaders: ReadonlySet<string> = new Set()): string | undefined {
  if (response.status >= 500) return 'status-5xx'
  if (!cacheable(response.status)) return `status-${response.status}`
  if (response.headers['set-cookie'] !== undefined) return 'set-cookie'
  const vary = response.headers['vary']
  // a response that varies on a request header the key does not hold would be replayed to callers who sent another value
  if (vary !== undefined && vary.split(',').some((h) => { const n = h.trim().toLowerCase(); return n !== '' && (n === '*' || !keyHeaders.has(n)) })) return 'vary'
  const cc = response.headers['cache-control']
  if (cc !== undefined && /(?:^|,)\s*(?:private|no-store)\s*(?:[=,]|$)/i.test(cc)) return 'cache-control'
  const size = typeof response.body === 'string' ? Buffer.byteLength(response.body) : response.body.byteLength
  if (size > maxBodyBytes) return 'too-large'
  return undefined
}

function stored(response: GatewayResponse): GatewayResponse {
  const headers: Record<string, string> = {}
  for (const [k, v] of Object.entries(response.headers)) if (!NOT_STORED.has(k)) headers[k] = v
  const body = typeof response.body === 'string' ? Buffer.from(response.body) : Buffer.from(response.body)
  return Object.freeze({ status: response.status, headers: Object.freeze(headers), body })
}

/**
 * A cache decision in the trace: the key as a digest (it may contain declared header values, such
 * as credentials) with its readable parts, computed only when read.
 */
class CacheTrace implements TraceEntry {
  readonly feature = 'cache'
  readonly #key: string
  readonly #resource: string
  readonly #identity: string | undefined
  readonly #storedAt: number | undefined
  constructor(
    readonly decision: 'allow' | 'respond',
    readonly reason: string,
    key: string,
    exchange: Exchange,
    storedAt: number | undefined,
  ) {
    this.#key = key
    this.#resource = exchange.context.resourcePath
    this.#identity = identityOf(exchange)
    this.#storedAt = storedAt
  }
  get detail(): Readonly<Record<string, unknown>> {
    return {
      key: createHash('sha256').update(this.#key).digest('base64url').slice(0, 22),
      resource: this.#resource,
      identity: this.#identity ?? null,
      ...(this.#storedAt !== undefined ? { storedAt: this.#storedAt } : {}),
    }
  }
  toJSON(): TraceEntry {
    return { feature: this.feature, decision: this.decision, reason: this.reason, detail: this.detail }
  }
}

/** The caller's identity for cache keys: the API key, else the authorizer's principal. */
function identityOf(exchange: Exchange): string | undefined {
  const key = exchange.apiKey
  if (key !== undefined) return `k:${key.id}`
  const principal = exchange.context.authorizer['principalId']
  return typeof principal === 'string' ? `p:${principal}` : undefined
}

interface Pending {
  readonly promise: Promise<CacheEntry | undefined>
  resolve(entry: CacheEntry | undefined): void
}


/** @internal builds a cache step. */
export function cacheStep(env: CacheEnv, options: CacheOptions = {}): Step {
  validate(options)
  const params: KeyParam[] = (options.key ?? []).map((p, i) => parseKeyParam(p, `cache().key[${i}]`))
  const namespace = options.namespace ?? ''
  const keyHeaders = new Set(params.filter((p) => p.in === 'header').map((p) => p.name))
  const methods = new Set((options.methods ?? ['GET']).map((m) => m.toUpperCase()))
  const shared = options.shared === true
  const statuses = options.cacheableStatuses ? new Set(options.cacheableStatuses) : undefined
  const cacheable = statuses ? (s: number): boolean => statuses.has(s) : defaultCacheable
  const maxBody = options.maxBodyBytes ?? 1024 * 1024
  const coalesce = options.coalesce !== false
  const coalesceMs = options.coalesceTimeoutMs ?? 10_000
  const { store, clock, responses, stage, stageCache, methodSettings, stats } = env
  const pending = new Map<string, Pending>()

  const settingFor = (resource: string, method: string): MethodCacheSetting | undefined => {
    if (methodSettings.size === 0) return undefined
    return methodSettings.get(`${resource}/${method}`) ?? methodSettings.get('*/*')
  }

  const keyOf = (exchange: Exchange, resource: string): string => {
    const parts: string[] = [stage, exchange.request.method, resource, namespace]
    if (!shared) parts.push(identityOf(exchange) ?? '-')
    let query: URLSearchParams | undefined
    for (const p of params) {
      let values: readonly string[]
      if (p.in === 'querystring') values = (query ??= new URLSearchParams(exchange.query)).getAll(p.name)
      else if (p.in === 'header') {
        const v = exchange.request.headers.get(p.name)
        values = v === null ? [] : [v]
      } else {
        const v = exchange.request.params?.[p.name]
        // a declared path parameter the router did not give us: key on the whole path, never share
        values = v === undefined ? [`\0path:${exchange.path}`] : [v]
      }
      parts.push(`${p.in}.${p.name}=${JSON.stringify(values)}`)
    }
    return composeKey('c', ...parts)
  }

  const hit = (exchange: Exchange, key: string, entry: CacheEntry, now: number, warning: boolean, reason: string): Outcome => {
    stats.hits++
    const headers: Record<string, string> = { ...entry.response.headers, age: String(Math.max(0, Math.floor((now - entry.storedAt) / 1000))) }
    if (warning) headers['warning'] = INVALIDATION_WARNING
    headers['x-amzn-requestid'] = exchange.context.requestId
    exchange.requestIdSent = true
    exchange.record(new CacheTrace('respond', reason, key, exchange, entry.storedAt))
    return respond({ status: entry.response.status, headers, body: entry.response.body })
  }

  const miss = (exchange: Exchange, key: string, resource: string, ttl: number, warning: boolean, reason: string, lead: Pending | undefined): Continue => {
    stats.misses++
    exchange.record(new CacheTrace('allow', reason, key, exchange, undefined))
    const anonymousAtLookup = !shared && identityOf(exchange) === undefined
    const finalize = (response: GatewayResponse): GatewayResponse => {
      // identified only after the lookup (the cache was mounted before apiKey / an authorizer):
      // the entry's key has no identity, so storing would share this caller's response
      const why = anonymousAtLookup && identityOf(exchange) !== undefined ? 'identified-after-lookup' : uncacheableReason(response, cacheable, maxBody, keyHeaders)
      let entry: CacheEntry | undefined
      if (why === undefined) {
        const now = clock.now()
        entry = Object.freeze({ response: stored(response), storedAt: now, expiresAt: now + ttl * 1000, path: exchange.path, resourcePath: resource })
        try {
          const done = store.set(key, entry)
          if (isPromise(done)) done.catch(() => undefined)
          stats.stores++
        } catch {
          // a store that cannot take the entry does not fail the response; the next request misses
          entry = undefined
        }
      }
      exchange.record({ feature: 'cache', decision: why === undefined ? 'allow' : 'skip', reason: why === undefined ? 'stored' : `not-stored:${why}` })
      if (lead !== undefined) {
        pending.delete(key)
        lead.resolve(entry)
      }
      return response
    }
    if (lead !== undefined) {
      exchange.onAbandon(() => {
        if (pending.get(key) === lead) pending.delete(key)
        lead.resolve(undefined)
      })
    }
    return proceed(warning ? { warning: INVALIDATION_WARNING } : undefined, finalize)
  }

  const lookup = (exchange: Exchange, key: string, resource: string, ttl: number, warning: boolean, now: number): Outcome | Promise<Outcome> => {
    const got = store.get(key)
    const decide = (entry: CacheEntry | undefined): Outcome | Promise<Outcome> => {
      if (entry !== undefined && entry.expiresAt > now) return hit(exchange, key, entry, now, warning, 'hit')
      if (!coalesce) return miss(exchange, key, resource, ttl, warning, 'miss', undefined)
      const waiting = pending.get(key)
      if (waiting === undefined) {
        let resolve!: (e: CacheEntry | undefined) => void
        const lead: Pending = { promise: new Promise((r) => (resolve = r)), resolve: (e) => resolve(e) }
        pending.set(key, lead)
        // a leader whose response never comes (a failed or abandoned request) releases the others
        const timer = setTimeout(() => {
          if (pending.get(key) === lead) pending.delete(key)
          lead.resolve(undefined)
        }, coalesceMs)
        timer.unref?.()
        void lead.promise.then(() => clearTimeout(timer))
        return miss(exchange, key, resource, ttl, warning, 'miss', lead)
      }
      stats.coalesced++
      return waiting.promise.then((entry) =>
        entry !== undefined ? hit(exchange, key, entry, clock.now(), warning, 'coalesced') : miss(exchange, key, resource, ttl, warning, 'miss-after-wait', undefined),
      )
    }
    return isPromise<CacheEntry | undefined>(got) ? got.then(decide) : decide(got)
  }

  return {
    feature: 'cache',
    run(exchange: Exchange): Outcome | Promise<Outcome> {
      const method = exchange.request.method
      const resource = exchange.context.resourcePath
      const setting = settingFor(resource, method)
      if (setting?.cachingEnabled === false || (!methods.has(method) && setting?.cachingEnabled !== true)) {
        exchange.record({ feature: 'cache', decision: 'skip', reason: 'method' })
        return CONTINUE
      }
      const ttl = options.ttl ?? setting?.cacheTtlInSeconds ?? stageCache.ttl ?? 300
      if (ttl === 0) {
        exchange.record({ feature: 'cache', decision: 'skip', reason: 'ttl-0' })
        return CONTINUE
      }
      const key = keyOf(exchange, resource)
      const now = clock.now()
      if (!wantsInvalidation(exchange)) return lookup(exchange, key, resource, ttl, false, now)

      const requireAuth = options.requireAuthorization ?? setting?.requireAuthorizationForCacheControl ?? stageCache.requireAuthorization ?? true
      const strategy = options.unauthorizedStrategy ?? setting?.unauthorizedCacheControlHeaderStrategy ?? stageCache.unauthorizedStrategy ?? 'SUCCEED_WITH_RESPONSE_HEADER'
      const decide = (allowed: boolean): Outcome | Promise<Outcome> => {
        if (allowed) {
          stats.invalidations++
          return miss(exchange, key, resource, ttl, false, 'invalidate', undefined)
        }
        if (strategy === 'FAIL_WITH_403') {
          exchange.record({ feature: 'cache', decision: 'deny', reason: 'invalidation-unauthorized' })
          return respond(responses.render('ACCESS_DENIED', exchange, 'User is not authorized to invalidate the cache'))
        }
        return lookup(exchange, key, resource, ttl, strategy === 'SUCCEED_WITH_RESPONSE_HEADER', now)
      }
      if (!requireAuth) return decide(true)
      const allowed = options.authorizeInvalidation?.(exchange) ?? policyAllows(exchange, INVALIDATE_CACHE) ?? false
      return isPromise<boolean>(allowed) ? allowed.then((a) => decide(a === true)) : decide(allowed === true)
    },
  }
}
