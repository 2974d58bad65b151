/**
 * The Redis authorizer-result store: one JSON value per authorizer cache key (a digest of it),
 * expiring with the result's TTL, sealed with the cache's encryption key when one is set (results
 * carry principals and claims).
 */
import { MemoryAuthorizerResultStore, StoreUnavailableError, type AuthorizerResultStore, type StoredAuthorizerResult } from '@sluice/core'
import { globEscape, scanKeys, type RedisLike } from './client.js'
import { Codec, digest } from './codec.js'
import type { Guard } from './guard.js'
import type { ResolvedOptions, StoreErrorPolicy } from './options.js'

/** Authorizer-result store on Redis; see {@link redisStore}. */
export class RedisAuthorizerResultStore implements AuthorizerResultStore {
  readonly #client: RedisLike
  readonly #guard: Guard
  readonly #o: ResolvedOptions
  readonly #policy: StoreErrorPolicy
  readonly #codec: Codec
  readonly #local = new MemoryAuthorizerResultStore()

  constructor(client: RedisLike, guard: Guard, options: ResolvedOptions) {
    this.#client = client
    this.#guard = guard
    this.#o = options
    this.#policy = options.policy.authorizer
    this.#codec = new Codec(options.encryptionKey)
  }

  redisKey(key: string): string {
    return `${this.#o.prefix}{auth:${digest(key)}}`
  }

  get(key: string): StoredAuthorizerResult | undefined | Promise<StoredAuthorizerResult | undefined> {
    if (!this.#guard.available) return this.#fallback(() => this.#local.get(key), undefined)
    const rk = this.redisKey(key)
    return this.#guard.call('authorizer.get', () => this.#client.getBuffer(rk)).then(
      (value) => {
        const plain = value === null ? undefined : this.#codec.decode(value, rk)
        if (plain === undefined) return undefined
        try {
          return JSON.parse(plain.toString()) as StoredAuthorizerResult
        } catch {
          return undefined
        }
      },
      (error: unknown) => this.#fallback(() => this.#local.get(key), error),
    )
  }

  set(key: string, value: StoredAuthorizerResult, ttlMs: number): void | Promise<void> {
    if (!this.#guard.available) return this.#fallback(() => this.#local.set(key, value), undefined)
    const rk = this.redisKey(key)
    const sealed = this.#codec.encode(Buffer.from(JSON.stringify(value)), rk)
    return this.#guard.call('authorizer.set', () => this.#client.set(rk, sealed, 'PX', Math.max(1, Math.ceil(ttlMs)))).then(
      () => undefined,
      (error: unknown) => this.#fallback(() => this.#local.set(key, value), error),
    )
  }

  delete(key: string): void | Promise<void> {
    this.#local.delete(key)
    if (!this.#guard.available) return this.#fallback(() => undefined, undefined)
    return this.#guard.call('authorizer.delete', () => this.#client.del(this.redisKey(key))).then(
      () => undefined,
      (error: unknown) => this.#fallback(() => undefined, error),
    )
  }

  async clear(): Promise<void> {
    this.#local.clear()
    try {
      const keys = await this.#guard.call('authorizer.clear', () => scanKeys(this.#client, `${globEscape(this.#o.prefix)}{auth:*}`), 10_000)
      for (const k of keys) await this.#guard.call('authorizer.clear', () => this.#client.del(k), 10_000)
    } catch (error) {
      throw new StoreUnavailableError('the authorizer-result store (redis) is unavailable', this.#guard.retryAfterSeconds(), { cause: error })
    }
  }

  #fallback<T>(local: () => T, error: unknown): T | undefined {
    if (this.#policy === 'local') return local()
    if (this.#policy === 'open') return undefined
    throw new StoreUnavailableError('the authorizer-result store (redis) is unavailable', this.#guard.retryAfterSeconds(), { cause: error })
  }
}
