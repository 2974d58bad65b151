/**
 * The Redis response-cache store: entries with a TTL (the key's expiry), a total byte cap
 * (expired entries leave first, then the soonest to expire), optional AES-256-GCM encryption at
 * rest, and flush by path prefix. Coalescing of concurrent misses stays per process (the cache
 * step's own): across processes, each may call the backend once per key.
 */
import { MemoryCacheStore, StoreUnavailableError, type CacheEntry, type CacheFlushFilter, type CacheStore } from '@sluice/core'
import type { RedisLike } from './client.js'
import { Codec, digest } from './codec.js'
import type { Guard } from './guard.js'
import type { ResolvedOptions, StoreErrorPolicy } from './options.js'
import { CACHE_DELETE, CACHE_FLUSH, CACHE_SET } from './scripts.js'

interface Meta {
  s: number
  h: Record<string, string>
  t: number
  x: number
  p: string
  r: string
}

export function serialiseEntry(entry: CacheEntry): Buffer {
  const r = entry.response
  const meta: Meta = { s: r.status, h: { ...r.headers }, t: entry.storedAt, x: entry.expiresAt, p: entry.path, r: entry.resourcePath }
  const head = Buffer.from(JSON.stringify(meta))
  const len = Buffer.alloc(4)
  len.writeUInt32BE(head.length)
  const body = typeof r.body === 'string' ? Buffer.from(r.body) : Buffer.from(r.body.buffer, r.body.byteOffset, r.body.byteLength)
  return Buffer.concat([len, head, body])
}

export function parseEntry(plain: Buffer): CacheEntry | undefined {
  if (plain.length < 4) return undefined
  const n = plain.readUInt32BE(0)
  if (4 + n > plain.length) return undefined
  let meta: Meta
  try {
    meta = JSON.parse(plain.subarray(4, 4 + n).toString()) as Meta
  } catch {
    return undefined
  }
  const body = Buffer.from(plain.subarray(4 + n))
  return Object.freeze({
    response: Object.freeze({ status: meta.s, headers: Object.freeze(meta.h), body }),
    storedAt: meta.t,
    expiresAt: meta.x,
    path: meta.p,
    resourcePath: meta.r,
  })
}

/** Cache store on Redis; see {@link redisStore}. */
export class RedisCacheStore implements CacheStore {
  readonly #client: RedisLike
  readonly #guard: Guard
  readonly #o: ResolvedOptions
  readonly #policy: StoreErrorPolicy
  readonly #codec: Codec
  readonly #local: MemoryCacheStore
  readonly #index: string
  readonly #sizes: string
  readonly #bytes: string

  constructor(client: RedisLike, guard: Guard, options: ResolvedOptions) {
    this.#client = client
    this.#guard = guard
    this.#o = options
    this.#policy = options.policy.cache
    this.#codec = new Codec(options.encryptionKey)
    this.#local = new MemoryCacheStore({ maxBytes: Math.min(options.cacheMaxBytes, 64 * 1024 * 1024) })
    // every cache key shares one hash slot: the cap and flush are one script each
    this.#index = `${options.prefix}{cache}idx`
    this.#sizes = `${options.prefix}{cache}sizes`
    this.#bytes = `${options.prefix}{cache}bytes`
  }

  /** The Redis key of a cache key (a digest: cache keys may hold header values). */
  redisKey(key: string): string {
    return `${this.#o.prefix}{cache}c:${digest(key)}`
  }

  get(key: string): CacheEntry | undefined | Promise<CacheEntry | undefined> {
    if (!this.#guard.available) return this.#fallback(() => this.#local.get(key), undefined)
    const rk = this.redisKey(key)
    return this.#guard.call('cache.get', () => this.#client.hgetBuffer(rk, 'v')).then(
      (value) => {
        if (value === null) return undefined
        const plain = this.#codec.decode(value, rk)
        return plain === undefined ? undefined : parseEntry(plain)
      },
      (error: unknown) => this.#fallback(() => this.#local.get(key), error),
    )
  }

  set(key: string, entry: CacheEntry): void | Promise<void> {
    if (!this.#guard.available) return this.#fallback(() => this.#local.set(key, entry), undefined)
    const rk = this.redisKey(key)
    const value = this.#codec.encode(serialiseEntry(entry), rk)
    const ttl = Math.max(1, Math.ceil(entry.expiresAt - entry.storedAt))
    const size = value.length + entry.path.length + entry.resourcePath.length + 64
    const args = [value, entry.path, entry.resourcePath, ttl, entry.expiresAt, size, this.#o.cacheMaxBytes, entry.storedAt]
    return this.#guard.call('cache.set', () => CACHE_SET.run(this.#client, [rk, this.#index, this.#sizes, this.#bytes], args)).then(
      () => undefined,
      (error: unknown) => this.#fallback(() => this.#local.set(key, entry), error),
    )
  }

  delete(key: string): void | Promise<void> {
    this.#local.delete(key)
    if (!this.#guard.available) return this.#fallback(() => undefined, undefined)
    return this.#guard.call('cache.delete', () => CACHE_DELETE.run(this.#client, [this.redisKey(key), this.#index, this.#sizes, this.#bytes], [])).then(
      () => undefined,
      (error: unknown) => this.#fallback(() => undefined, error),
    )
  }

  async flush(filter: CacheFlushFilter = {}): Promise<number> {
    const local = this.#local.flush(filter)
    const mode = filter.pathPrefix === undefined ? '' : filter.exact === true ? 'exact' : 'prefix'
    try {
      const n = await this.#guard.call('cache.flush', () => CACHE_FLUSH.run(this.#client, [this.#index, this.#sizes, this.#bytes], [mode, filter.pathPrefix ?? '']), 10_000)
      return Number(n) + local
    } catch (error) {
      throw new StoreUnavailableError('the cache store (redis) is unavailable', this.#guard.retryAfterSeconds(), { cause: error })
    }
  }

  /** Bytes of entries held in Redis now (as counted by the cap). */
  async bytes(): Promise<number> {
    return Number((await this.#client.get(this.#bytes)) ?? 0)
  }

  #fallback<T>(local: () => T, error: unknown): T | undefined {
    if (this.#policy === 'local') return local()
    if (this.#policy === 'open') return undefined
    throw new StoreUnavailableError('the cache store (redis) is unavailable', this.#guard.retryAfterSeconds(), { cause: error })
  }
}
