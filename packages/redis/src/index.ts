/**
 * `@sluice/redis`: every sluice store on Redis — throttle, quota and usage, response cache,
 * authorizer results — with exact limits across processes and a chosen, tested failure policy.
 */
export { redisStore } from './store.js'
export type { RedisStores } from './store.js'
export type { RedisStoreOptions, StoreErrorPolicy } from './options.js'
export { RECOMMENDED_CLIENT_OPTIONS } from './client.js'
export type { RedisLike } from './client.js'
export { RedisThrottleStore } from './throttle-store.js'
export type { RedisThrottleDecision } from './throttle-store.js'
export { RedisCacheStore } from './cache-store.js'
export { RedisAuthorizerResultStore } from './authorizer-store.js'
