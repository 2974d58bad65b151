/**
 * `@sluice/core/testing`: what we test sluice with, for testing your own policies without a server.
 */
export { ManualClock } from './clock.js'
export { simulate } from './simulate.js'
export type { SimulateOptions, SimulateResult, Simulatable } from './simulate.js'
export { createRequest } from '../request.js'
export type { RequestInit } from '../request.js'
export { memoryThrottleStore, MemoryThrottleStore } from '../throttle/memory-store.js'
export { memoryCacheStore, MemoryCacheStore } from '../cache/store.js'
export { memoryAuthorizerResultStore, MemoryAuthorizerResultStore } from '../auth/store.js'
export { ThrottleModel } from './throttle-model.js'
