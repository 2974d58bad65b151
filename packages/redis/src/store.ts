/**
 * `redisStore(client, options)`: every sluice store on one Redis, behind one connection guard
 * (bounded wait, circuit breaker, failure policy).
 */
import { SluiceConfigError, type GatewayStore } from '@sluice/core'
import { Redis } from 'ioredis'
import { RedisAuthorizerResultStore } from './authorizer-store.js'
import { RedisCacheStore } from './cache-store.js'
import { RECOMMENDED_CLIENT_OPTIONS, type RedisLike } from './client.js'
import { Guard } from './guard.js'
import { resolveOptions, type RedisStoreOptions } from './options.js'
import { RedisThrottleStore } from './throttle-store.js'

/** The stores for the gateway's `store` option, plus their shared connection's state. */
export interface RedisStores extends GatewayStore {
  readonly throttle: RedisThrottleStore
  readonly cache: RedisCacheStore
  readonly authorizer: RedisAuthorizerResultStore
  /** The client the stores use. */
  readonly client: RedisLike
  /** Whether a command would be sent now (connected, breaker closed). */
  readonly available: boolean
  /** Counts of Redis calls, failures, timeouts and breaker transitions. */
  readonly stats: Readonly<{ calls: number; failures: number; timeouts: number; breakerOpened: number; breakerClosed: number }>
  /** Stops the guard's timers; quits the client too when `redisStore` created it (from a URL). */
  close(): Promise<void>
}

const noop = (): void => undefined

/**
 * Every sluice store on Redis: throttle + quota + usage, response cache, authorizer results.
 * Pass an ioredis `Redis` (standalone or Sentinel) or `Cluster`, or a `redis://` URL (the client
 * is then created with {@link RECOMMENDED_CLIENT_OPTIONS} and closed by `close()`).
 *
 * @example
 * import Redis from 'ioredis'
 * const gw = gateway({ usagePlans, apiKeys, store: redisStore(new Redis(process.env.REDIS_URL, RECOMMENDED_CLIENT_OPTIONS)) })
 */
export function redisStore(client: RedisLike | string, options: RedisStoreOptions = {}): RedisStores {
  const o = resolveOptions(options)
  let owned = false
  if (typeof client === 'string') {
    if (!/^rediss?:\/\//.test(client)) throw new SluiceConfigError('ERR_INVALID_STORE', 'redisStore(client)', 'a URL must start with redis:// or rediss://')
    client = new Redis(client, { ...RECOMMENDED_CLIENT_OPTIONS })
    owned = true
  }
  const c = client as RedisLike | null
  if (c === null || typeof c !== 'object' || typeof c.evalsha !== 'function' || typeof c.status !== 'string') {
    throw new SluiceConfigError('ERR_INVALID_STORE', 'redisStore(client)', 'must be an ioredis Redis or Cluster client, or a redis:// URL')
  }
  // a connection error is the guard's to handle: never an unhandled 'error' event on a client we made
  if (owned) c.on('error', noop)
  const onError = o.onError
  const guard = new Guard(c, {
    timeoutMs: o.timeoutMs,
    failures: o.breakerFailures,
    probeIntervalMs: o.probeIntervalMs,
    onError: onError && ((error, operation) => onError(error, { operation })),
  })
  const throttle = new RedisThrottleStore(c, guard, o)
  const cache = new RedisCacheStore(c, guard, o)
  const authorizer = new RedisAuthorizerResultStore(c, guard, o)
  return {
    throttle,
    cache,
    authorizer,
    client: c,
    get available() {
      return guard.available
    },
    get stats() {
      return { ...guard.stats }
    },
    async close() {
      guard.stop()
      if (!owned || c.status === 'end') return
      const ended = new Promise<void>((resolve) => {
        c.once('end', () => resolve())
        setTimeout(resolve, 1_000).unref()
      })
      await c.quit().catch(noop)
      await ended
      // (read again: quit() changed it)
      if ((c.status as string) !== 'end') c.disconnect()
    },
  }
}
