/**
 * Options of `redisStore`, validated at construction (a problem throws `SluiceConfigError`
 * `ERR_INVALID_STORE` naming the option) and resolved into a complete, readonly config.
 */
import { SluiceConfigError } from '@sluice/core'

/**
 * What a store does when Redis does not answer (down, frozen, slower than the timeout, not yet
 * connected):
 * - `open`: decide as if there were no limit (every request passes; cache and authorizer lookups miss);
 * - `closed`: answer 503 with `Retry-After` (through the `DEFAULT_5XX` gateway response);
 * - `local`: decide in this process (the memory stores), so per-process limits hold.
 */
export type StoreErrorPolicy = 'open' | 'closed' | 'local'

/** Options of {@link redisStore}. */
export interface RedisStoreOptions {
  /** Prepended to every key. Default `sluice:`. Must not contain `{` or `}`. */
  prefix?: string
  /**
   * The failure policy, for every store or per store (`{ throttle, cache, authorizer }`, each
   * defaulting to `local`). Default `local`.
   */
  onStoreError?: StoreErrorPolicy | { throttle?: StoreErrorPolicy; cache?: StoreErrorPolicy; authorizer?: StoreErrorPolicy }
  /** The longest a request waits for Redis, in ms. Default 100. */
  commandTimeoutMs?: number
  /** Consecutive failures that open the circuit breaker. Default 3. */
  breakerFailures?: number
  /** While the breaker is open, how often Redis is probed (`PING`), in ms. Default 250. */
  probeIntervalMs?: number
  /**
   * Where token buckets take the time from: `redis` (default: the server's `TIME`, so skewed
   * application clocks cannot skew limits) or `gateway` (the gateway's `clock`, for tests with a
   * manual clock).
   */
  clock?: 'redis' | 'gateway'
  /**
   * Remember a refused caller in this process until its bucket could admit again, so a rejected
   * flood costs no Redis call. Default true.
   */
  rememberDenials?: boolean
  /**
   * Key layout on Redis Cluster. `identity`: one caller's buckets and quota share a hash slot, so
   * callers spread over the cluster — only when no shared layer (account bucket, stage method
   * settings) is in use. `single`: every key in one slot (a cluster holds them on one shard).
   * Default: `single` on a Cluster client, `identity` otherwise (where slots do not matter).
   */
  hashTag?: 'identity' | 'single'
  /** Days of daily usage kept (GetUsage). Default 90. */
  usageRetentionDays?: number
  /** The response cache. */
  cache?: {
    /** Total bytes of entries. Default 64 MiB. */
    maxBytes?: number
    /**
     * AES-256-GCM key (32 bytes, or 64 hex / 44 base64 characters): entries are encrypted at rest,
     * bound to their key. Default: not encrypted.
     */
    encryptionKey?: Uint8Array | string
  }
  /** Called on each Redis failure (never throws into a request). */
  onError?: (error: unknown, info: { operation: string }) => void
}

export interface ResolvedOptions {
  readonly prefix: string
  readonly policy: { readonly throttle: StoreErrorPolicy; readonly cache: StoreErrorPolicy; readonly authorizer: StoreErrorPolicy }
  readonly timeoutMs: number
  readonly breakerFailures: number
  readonly probeIntervalMs: number
  readonly clock: 'redis' | 'gateway'
  readonly rememberDenials: boolean
  readonly hashTag: 'identity' | 'single' | undefined
  readonly retentionMs: number
  readonly cacheMaxBytes: number
  readonly encryptionKey: Buffer | undefined
  readonly onError: ((error: unknown, info: { operation: string }) => void) | undefined
}

const KEYS = new Set(['prefix', 'onStoreError', 'commandTimeoutMs', 'breakerFailures', 'probeIntervalMs', 'clock', 'rememberDenials', 'hashTag', 'usageRetentionDays', 'cache', 'onError'])
const POLICIES = new Set(['open', 'closed', 'local'])

const fail = (option: string, message: string): never => {
  throw new SluiceConfigError('ERR_INVALID_STORE', `redisStore().${option}`, message)
}

function int(value: unknown, option: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) fail(option, `must be an integer from ${min} to ${max}`)
  return value as number
}

function policy(value: unknown, option: string): StoreErrorPolicy {
  if (value === undefined) return 'local'
  if (typeof value !== 'string' || !POLICIES.has(value)) fail(option, "must be 'open', 'closed' or 'local'")
  return value as StoreErrorPolicy
}

function key(value: unknown): Buffer | undefined {
  if (value === undefined) return undefined
  let buf: Buffer | undefined
  if (value instanceof Uint8Array) buf = Buffer.from(value)
  else if (typeof value === 'string') buf = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64')
  if (buf === undefined || buf.length !== 32) fail('cache.encryptionKey', 'must be 32 bytes (a Uint8Array, 64 hex characters or base64 of 32 bytes)')
  return buf
}

export function resolveOptions(options: RedisStoreOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') fail('options', 'must be an object')
  for (const k of Object.keys(options)) if (!KEYS.has(k)) fail(k, `unknown option; expected one of ${[...KEYS].join(', ')}`)
  const prefix = options.prefix ?? 'sluice:'
  if (typeof prefix !== 'string' || prefix.length > 128 || /[{}]/.test(prefix)) fail('prefix', 'must be a string of at most 128 characters without { or }')
  const p = options.onStoreError
  let resolvedPolicy: ResolvedOptions['policy']
  if (p !== null && typeof p === 'object') {
    for (const k of Object.keys(p)) if (!['throttle', 'cache', 'authorizer'].includes(k)) fail(`onStoreError.${k}`, 'unknown store; expected throttle, cache or authorizer')
    resolvedPolicy = { throttle: policy(p.throttle, 'onStoreError.throttle'), cache: policy(p.cache, 'onStoreError.cache'), authorizer: policy(p.authorizer, 'onStoreError.authorizer') }
  } else {
    const all = policy(p, 'onStoreError')
    resolvedPolicy = { throttle: all, cache: all, authorizer: all }
  }
  if (options.clock !== undefined && options.clock !== 'redis' && options.clock !== 'gateway') fail('clock', "must be 'redis' or 'gateway'")
  if (options.rememberDenials !== undefined && typeof options.rememberDenials !== 'boolean') fail('rememberDenials', 'must be true or false')
  if (options.hashTag !== undefined && options.hashTag !== 'identity' && options.hashTag !== 'single') fail('hashTag', "must be 'identity' or 'single'")
  if (options.onError !== undefined && typeof options.onError !== 'function') fail('onError', 'must be a function')
  const cache = options.cache ?? {}
  if (cache === null || typeof cache !== 'object') fail('cache', 'must be { maxBytes?, encryptionKey? }')
  for (const k of Object.keys(cache)) if (k !== 'maxBytes' && k !== 'encryptionKey') fail(`cache.${k}`, 'unknown option; expected maxBytes or encryptionKey')
  return Object.freeze({
    prefix,
    policy: Object.freeze(resolvedPolicy),
    timeoutMs: int(options.commandTimeoutMs, 'commandTimeoutMs', 1, 60_000, 100),
    breakerFailures: int(options.breakerFailures, 'breakerFailures', 1, 1000, 3),
    probeIntervalMs: int(options.probeIntervalMs, 'probeIntervalMs', 10, 60_000, 250),
    clock: options.clock ?? 'redis',
    rememberDenials: options.rememberDenials ?? true,
    hashTag: options.hashTag,
    retentionMs: int(options.usageRetentionDays, 'usageRetentionDays', 1, 3660, 90) * 86_400_000,
    cacheMaxBytes: int(cache.maxBytes, 'cache.maxBytes', 1024, 2 ** 40, 64 * 1024 * 1024),
    encryptionKey: key(cache.encryptionKey),
    onError: options.onError,
  })
}
