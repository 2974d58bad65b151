/**
 * The throttle store: one call decides every applicable token bucket and the quota, and consumes
 * only when all admit. The memory store answers synchronously; network stores return promises.
 */
import type { BucketSpec } from './settings.js'

/** One bucket a request must pass. `key` is built injectively by the caller. */
export interface BucketRef {
  readonly key: string
  readonly spec: BucketSpec
  /** The layer's name in traces and headers (`plan-method`, `plan`, `stage-method`, `account`). */
  readonly layer: string
  /**
   * Shared buckets (account, a stage method of a known route) are few and must never be evicted
   * to make room; per-caller buckets may be.
   */
  readonly pinned?: boolean
}

/** The quota counter a request counts against (one per usage plan and API key). */
export interface QuotaRef {
  readonly key: string
  /** The effective limit of the current period (the offset already subtracted), or -1 for none. */
  readonly limit: number
  readonly periodStart: number
  readonly periodEnd: number
  /** UTC day start of the request, for the daily usage record. */
  readonly day: number
}

export interface ThrottleQuery {
  readonly buckets: readonly BucketRef[]
  readonly quota?: QuotaRef | undefined
}

/** A store's answer. Memory stores may reuse one object between calls: read it at once. */
export interface ThrottleDecision {
  allowed: boolean
  /** The index of the first bucket that refused, or -1. */
  boundBucket: number
  /** True when the quota refused. */
  quotaExceeded: boolean
  /** Whole tokens left in each bucket after the decision (same order as the query). */
  readonly remaining: number[]
  /** Milliseconds until each bucket next holds a whole token (0 when it does). */
  readonly waitMs: number[]
  /** Milliseconds until each bucket is full again. */
  readonly fullMs: number[]
  /** Requests counted in the quota's period after the decision. */
  quotaUsed: number
}

/**
 * Daily usage of one counter: UTC day start (epoch ms) → requests counted that day, and the
 * change an administrator made to the period's count that day (`updateUsage`).
 */
export type DailyUsage = ReadonlyMap<number, { readonly used: number; readonly adjustment: number }>

/** The store every throttle layer and quota goes through. */
export interface ThrottleStore {
  /** Decides a request: every bucket and the quota, atomically; consumes one token each only if all admit. */
  consume(query: ThrottleQuery, now: number): ThrottleDecision | Promise<ThrottleDecision>
  /** Daily usage of a quota counter between two UTC day starts (inclusive). */
  usage(counterKey: string, fromDay: number, toDay: number): DailyUsage | Promise<DailyUsage>
  /**
   * Sets the requests counted in the current period of a counter (AWS's UpdateUsage); the change
   * is recorded as an adjustment on `day`.
   */
  setUsed(counterKey: string, periodStart: number, used: number, day: number): void | Promise<void>
  /** Forgets the buckets whose keys start with a prefix (used by `resetKey`). */
  resetBuckets(prefix: string): void | Promise<void>
}
