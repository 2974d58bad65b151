import { DAY_MS } from './periods.js'
import { TOKEN } from './settings.js'
import type { DailyUsage, ThrottleDecision, ThrottleQuery, ThrottleStore } from './store.js'

interface Bucket {
  /** Micro-tokens at `at`. */
  tokens: number
  at: number
  readonly capacity: number
  readonly perMs: number
}

interface Counter {
  periodStart: number
  used: number
  /** The day being counted now, and its count (moved into `daily` when the day changes). */
  today: number
  todayUsed: number
  /** UTC day start → used that day (days before `today`). */
  readonly daily: Map<number, number>
  /** UTC day start → adjustment made that day. */
  readonly adjust: Map<number, number>
}

/** Options of {@link memoryThrottleStore}. */
export interface MemoryThrottleStoreOptions {
  /**
   * The most buckets kept. Past it, full (idle) buckets are dropped first, then the least recently
   * created: memory stays flat under a flood of distinct callers. Default 500,000.
   */
  maxBuckets?: number
  /** Days of daily usage kept per counter. Default 90. */
  usageRetentionDays?: number
}

/**
 * The in-memory throttle store: synchronous, allocation-light, bounded. Buckets hold integer
 * micro-tokens, so refill is exact: over any interval t a bucket admits at most
 * burstLimit + rateLimit × t requests.
 */
export class MemoryThrottleStore implements ThrottleStore {
  readonly #buckets = new Map<string, Bucket>()
  readonly #pinned = new Map<string, Bucket>()
  readonly #counters = new Map<string, Counter>()
  readonly #maxBuckets: number
  readonly #retentionMs: number
  readonly #decision: ThrottleDecision = { allowed: true, boundBucket: -1, quotaExceeded: false, remaining: [], waitMs: [], fullMs: [], quotaUsed: 0 }
  readonly #scratch: Bucket[] = []

  constructor(options: MemoryThrottleStoreOptions = {}) {
    const max = options.maxBuckets ?? 500_000
    if (!Number.isInteger(max) || max < 1) throw new RangeError('maxBuckets must be a positive integer')
    const days = options.usageRetentionDays ?? 90
    if (!Number.isInteger(days) || days < 1) throw new RangeError('usageRetentionDays must be a positive integer')
    this.#maxBuckets = max
    this.#retentionMs = days * DAY_MS
  }

  /** How many buckets are held now. */
  get size(): number {
    return this.#buckets.size + this.#pinned.size
  }

  consume(query: ThrottleQuery, now: number): ThrottleDecision {
    const d = this.#decision
    const buckets = query.buckets
    const n = buckets.length
    const scratch = this.#scratch
    if (d.remaining.length !== n) {
      d.remaining.length = n
      d.waitMs.length = n
      d.fullMs.length = n
    }
    d.allowed = true
    d.boundBucket = -1
    d.quotaExceeded = false
    d.quotaUsed = 0

    // 1. refill every bucket to `now`; find the first that cannot pay one token
    for (let i = 0; i < n; i++) {
      const ref = buckets[i]!
      const spec = ref.spec
      const map = ref.pinned === true ? this.#pinned : this.#buckets
      let b = map.get(ref.key)
      if (b === undefined) {
        b = { tokens: spec.capacity, at: now, capacity: spec.capacity, perMs: spec.perMs }
        if (map === this.#buckets && map.size >= this.#maxBuckets) this.#evict(now)
        map.set(ref.key, b)
      } else if (now > b.at) {
        const missing = spec.capacity - b.tokens
        const elapsed = now - b.at
        b.tokens = missing <= 0 || elapsed >= Math.ceil(missing / spec.perMs) ? spec.capacity : b.tokens + elapsed * spec.perMs
        b.at = now
      }
      scratch[i] = b
      if (b.tokens < TOKEN && d.boundBucket === -1) {
        d.allowed = false
        d.boundBucket = i
      }
    }

    // 2. the quota, only when every bucket admits
    const q = query.quota
    let counter: Counter | undefined
    if (q !== undefined) {
      counter = this.#counters.get(q.key)
      if (counter === undefined) {
        counter = { periodStart: q.periodStart, used: 0, today: q.day, todayUsed: 0, daily: new Map(), adjust: new Map() }
        this.#counters.set(q.key, counter)
      } else if (q.periodStart > counter.periodStart) {
        // a new period: never earlier than the stored one, so a clock step back cannot reset it
        counter.periodStart = q.periodStart
        counter.used = 0
      }
      if (d.allowed && q.limit >= 0 && counter.used >= q.limit) {
        d.allowed = false
        d.quotaExceeded = true
      }
    }

    // 3. consume everywhere, or nowhere
    for (let i = 0; i < n; i++) {
      const b = scratch[i]!
      const spec = buckets[i]!.spec
      if (d.allowed) b.tokens -= TOKEN
      const whole = Math.floor(b.tokens / TOKEN)
      d.remaining[i] = whole
      d.waitMs[i] = b.tokens >= TOKEN ? 0 : Math.ceil((TOKEN - b.tokens) / spec.perMs)
      d.fullMs[i] = Math.ceil((spec.capacity - b.tokens) / spec.perMs)
    }
    if (counter !== undefined && q !== undefined) {
      if (d.allowed) {
        counter.used++
        this.#countDay(counter, q.day)
      }
      d.quotaUsed = counter.used
    }
    return d
  }

  /**
   * Makes room for a tenth of the capacity: first the buckets that are full again (forgetting them
   * changes nothing), then the oldest created.
   */
  #evict(now: number): void {
    const buckets = this.#buckets
    const target = Math.floor(this.#maxBuckets * 0.9)
    for (const [key, b] of buckets) {
      if (buckets.size <= target) return
      if (b.tokens >= b.capacity || (now - b.at) * b.perMs >= b.capacity - b.tokens) buckets.delete(key)
    }
    for (const key of buckets.keys()) {
      if (buckets.size <= target) return
      buckets.delete(key)
    }
  }

  #countDay(counter: Counter, day: number): void {
    if (day === counter.today) {
      counter.todayUsed++
      return
    }
    const daily = counter.daily
    if (counter.todayUsed > 0) daily.set(counter.today, (daily.get(counter.today) ?? 0) + counter.todayUsed)
    counter.today = day
    counter.todayUsed = 1
    const oldest = day - this.#retentionMs
    for (const d of daily.keys()) if (d <= oldest) daily.delete(d)
  }

  usage(counterKey: string, fromDay: number, toDay: number): DailyUsage {
    const out = new Map<number, { used: number; adjustment: number }>()
    const counter = this.#counters.get(counterKey)
    if (counter === undefined) return out
    for (const [day, used] of counter.daily) if (day >= fromDay && day <= toDay) out.set(day, { used, adjustment: 0 })
    if (counter.todayUsed > 0 && counter.today >= fromDay && counter.today <= toDay) {
      const entry = out.get(counter.today)
      if (entry) entry.used += counter.todayUsed
      else out.set(counter.today, { used: counter.todayUsed, adjustment: 0 })
    }
    for (const [day, adjustment] of counter.adjust) {
      if (day < fromDay || day > toDay) continue
      const entry = out.get(day)
      if (entry) entry.adjustment = adjustment
      else out.set(day, { used: 0, adjustment })
    }
    return out
  }

  setUsed(counterKey: string, periodStart: number, used: number, day: number): void {
    let counter = this.#counters.get(counterKey)
    if (counter === undefined) {
      counter = { periodStart, used: 0, today: day, todayUsed: 0, daily: new Map(), adjust: new Map() }
      this.#counters.set(counterKey, counter)
    } else if (periodStart > counter.periodStart) {
      counter.periodStart = periodStart
      counter.used = 0
    }
    counter.adjust.set(day, (counter.adjust.get(day) ?? 0) + (used - counter.used))
    counter.used = used
  }

  resetBuckets(prefix: string): void {
    for (const key of this.#buckets.keys()) if (key.startsWith(prefix)) this.#buckets.delete(key)
    for (const key of this.#pinned.keys()) if (key.startsWith(prefix)) this.#pinned.delete(key)
  }
}

/** Creates the in-memory throttle store (the default). */
export function memoryThrottleStore(options?: MemoryThrottleStoreOptions): MemoryThrottleStore {
  return new MemoryThrottleStore(options)
}
