/**
 * `@sluice/redis`: Redis stores for sluice (in progress).
 */
export {}
