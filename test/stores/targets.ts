/**
 * The store implementations the shared store suite runs against: the memory stores, and the Redis
 * stores on `REDIS_URL` (their clock set to the gateway's, so both see the same timeline).
 */
import { memoryAuthorizerResultStore, memoryCacheStore, memoryThrottleStore, type AuthorizerResultStore, type CacheStore, type ThrottleStore } from '@sluice/core'
import { redisStore, type RedisStoreOptions } from '@sluice/redis'
import type { Redis } from 'ioredis'
import { cleanPrefix, ready, testClient, testPrefix } from '../support/redis.js'

export interface StoreTarget {
  readonly name: string
  /** Fresh stores; `twin` gives a second set sharing the same state (another process, for Redis). */
  make(options?: { cacheMaxBytes?: number }): { throttle: ThrottleStore; cache: CacheStore; authorizer: AuthorizerResultStore; twin(): { throttle: ThrottleStore; cache: CacheStore; authorizer: AuthorizerResultStore } }
  close(): Promise<void>
}

export const memoryTarget: StoreTarget = {
  name: 'memory',
  make(options = {}) {
    const stores = { throttle: memoryThrottleStore(), cache: memoryCacheStore(options.cacheMaxBytes ? { maxBytes: options.cacheMaxBytes } : {}), authorizer: memoryAuthorizerResultStore() }
    return { ...stores, twin: () => stores }
  },
  close: async () => undefined,
}

/** Redis stores, each `make()` under a fresh prefix; `close()` deletes the keys and quits. */
export async function redisTarget(name: string, extra: RedisStoreOptions = {}): Promise<StoreTarget & { client: Redis }> {
  const client = testClient()
  await ready(client)
  const prefixes: string[] = []
  const closers: Array<() => Promise<void>> = []
  return {
    name: 'redis',
    client,
    make(options = {}) {
      const prefix = testPrefix(name)
      prefixes.push(prefix)
      const opts: RedisStoreOptions = { prefix, clock: 'gateway', commandTimeoutMs: 10_000, onStoreError: 'closed', ...extra, ...(options.cacheMaxBytes ? { cache: { maxBytes: options.cacheMaxBytes } } : {}) }
      const a = redisStore(client, opts)
      closers.push(() => a.close())
      return {
        throttle: a.throttle,
        cache: a.cache,
        authorizer: a.authorizer,
        twin: () => {
          const b = redisStore(client, opts)
          closers.push(() => b.close())
          return b
        },
      }
    },
    async close() {
      for (const c of closers) await c()
      for (const p of prefixes) await cleanPrefix(client, p)
      client.disconnect()
    },
  }
}
