/**
 * The Redis throttle store: one script call decides every bucket and the quota of a request
 * (`CONSUME`; requests that arrive together share one call), with the memory store's integer
 * micro-token arithmetic and Redis's clock. A caller it refused is remembered in this process
 * until its bucket could admit again, so a rejected flood costs no Redis call. When Redis does not
 * answer, the failure policy decides.
 */
import { performance } from 'node:perf_hooks'
import { MemoryThrottleStore, StoreUnavailableError, type BucketRef, type DailyUsage, type ThrottleDecision, type ThrottleQuery, type ThrottleStore } from '@sluice/core'
import { globEscape, scanKeys, type RedisLike } from './client.js'
import type { Guard } from './guard.js'
import type { ResolvedOptions, StoreErrorPolicy } from './options.js'
import { CONSUME, REFUND, SET_USED } from './scripts.js'

const TOKEN = 1_000_000
const DAY_MS = 86_400_000
/** Idle buckets outlive the moment they are full again by this much (ms). */
const IDLE_GRACE_MS = 10_000
/** A quota refusal is remembered at most this long (another process may UpdateUsage). */
const QUOTA_MEMORY_MS = 1_000
const MAX_REMEMBERED = 10_000
/** Administrative calls (usage API, resets) may scan: they wait longer than a request. */
const ADMIN_TIMEOUT_MS = 10_000

/** Reads one `len:value` part of a core key starting at `at`; returns [value, next index]. */
function readPart(key: string, at: number): [string, number] | undefined {
  const colon = key.indexOf(':', at)
  if (colon === -1) return undefined
  const len = Number(key.slice(at, colon))
  if (!Number.isInteger(len) || len < 0 || colon + 1 + len > key.length) return undefined
  return [key.slice(colon + 1, colon + 1 + len), colon + 1 + len]
}

/**
 * The hash tag of a core key: the caller's identity for plan (`p`), plan-method (`m`) and quota
 * (`q`) keys, so one caller's keys share a Cluster slot; the key itself for shared buckets.
 */
export function identityTag(key: string): string {
  const t = key[0]
  if (t === 'p' || t === 'm' || t === 'q') {
    const plan = readPart(key, 1)
    const identity = plan && readPart(key, plan[1])
    if (identity) return identity[0].replace(/[{}]/g, '_')
  }
  return key.replace(/[{}]/g, '_')
}

/** A decision Redis took: `at` is the time the script used (epoch ms, the server's clock unless `clock: 'gateway'`). */
export interface RedisThrottleDecision extends ThrottleDecision {
  readonly at: number
}

interface Remembered {
  /** performance.now() until which the bucket (or quota) cannot admit. */
  readonly until: number
  readonly decision: ThrottleDecision
  readonly at: number
  /** The keys of the refused query: only the same query is answered from memory. */
  readonly keys: readonly string[]
}

/** The hash tag of a Redis key (the text between its first `{` and the next `}`). */
function tagOf(key: string): string {
  const open = key.indexOf('{')
  return key.slice(open + 1, key.indexOf('}', open))
}

/** Whether the keys of one query live in more than one hash slot. */
function spansSlots(keys: readonly string[]): boolean {
  const first = tagOf(keys[0] as string)
  for (let i = 1; i < keys.length; i++) if (tagOf(keys[i] as string) !== first) return true
  return false
}

/** Whether a query has the same bucket keys as a remembered one (so its other figures apply too). */
function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length < b.length) return false
  for (let i = 0; i < b.length; i++) if (a[i] !== b[i]) return false
  return true
}

function fullDecision(query: ThrottleQuery): ThrottleDecision {
  const n = query.buckets.length
  const remaining: number[] = new Array<number>(n)
  for (let i = 0; i < n; i++) remaining[i] = (query.buckets[i] as BucketRef).spec.burstLimit
  return { allowed: true, boundBucket: -1, quotaExceeded: false, remaining, waitMs: new Array<number>(n).fill(0), fullMs: new Array<number>(n).fill(0), quotaUsed: 0 }
}

/** A decision waiting for its batch's script call. */
interface PendingDecision {
  readonly query: ThrottleQuery
  readonly keys: string[]
  /** This decision's part of the script's ARGV. */
  readonly args: Array<string | number>
  readonly quotaKey: string | undefined
  readonly sent: number
  readonly now: number
  readonly resolve: (d: ThrottleDecision | Promise<ThrottleDecision>) => void
}

/** At most this many decisions go in one script call. */
const MAX_BATCH = 64

/** Throttle store on Redis; see {@link redisStore}. */
export class RedisThrottleStore implements ThrottleStore {
  readonly #client: RedisLike
  readonly #guard: Guard
  readonly #o: ResolvedOptions
  readonly #policy: StoreErrorPolicy
  readonly #single: boolean
  /** A Cluster with per-identity slots: a query whose keys span slots runs one script per slot. */
  readonly #split: boolean
  readonly #local = new MemoryThrottleStore()
  readonly #remembered = new Map<string, Remembered>()
  readonly #keys = new WeakMap<BucketRef, string>()
  /** Decisions taken by Redis, by the local memory of refusals, and by the failure policy; script calls (batches). */
  readonly stats = { redis: 0, remembered: 0, fallback: 0, batches: 0 }
  /** Whether decisions of different callers may share one script call (not across Cluster slots). */
  readonly #batching: boolean
  #queue: PendingDecision[] = []
  #inflight = 0
  #scheduled = false

  constructor(client: RedisLike, guard: Guard, options: ResolvedOptions) {
    this.#client = client
    this.#guard = guard
    this.#o = options
    this.#policy = options.policy.throttle
    this.#single = (options.hashTag ?? (client.isCluster ? 'single' : 'identity')) === 'single'
    this.#split = client.isCluster && !this.#single
    this.#batching = !client.isCluster || this.#single
  }

  /** The Redis key of a core key (`kind`: b bucket, q quota counter, d day record). */
  redisKey(kind: string, key: string): string {
    const tag = this.#single ? '' : identityTag(key)
    return `${this.#o.prefix}{${tag}}${kind}:${key}`
  }

  #bucketKey(ref: BucketRef): string {
    let k = this.#keys.get(ref)
    if (k === undefined) this.#keys.set(ref, (k = this.redisKey('b', ref.key)))
    return k
  }

  consume(query: ThrottleQuery, now: number): ThrottleDecision | Promise<ThrottleDecision> {
    const buckets = query.buckets
    const n = buckets.length
    const keys: string[] = new Array<string>(n)
    for (let i = 0; i < n; i++) keys[i] = this.#bucketKey(buckets[i] as BucketRef)
    const q = query.quota
    const quotaKey = q === undefined ? undefined : this.redisKey('q', q.key)

    // the memory of refusals runs on the decisions' time: the gateway's clock, or this process's monotonic one
    const t = this.#o.clock === 'gateway' ? now : performance.now()
    if (this.#o.rememberDenials && this.#remembered.size > 0) {
      const local = this.#recall(keys, quotaKey, t)
      if (local !== undefined) return local
    }
    if (!this.#guard.available) return this.#fallback(query, now, undefined)

    const args: Array<string | number> = [n, q === undefined ? 0 : 1, this.#o.clock === 'gateway' ? now : -1]
    for (let i = 0; i < n; i++) {
      const spec = (buckets[i] as BucketRef).spec
      args.push(spec.capacity, spec.perMs)
    }
    if (q !== undefined && quotaKey !== undefined) {
      keys.push(quotaKey, this.redisKey('d', `${q.key}:${q.day}`))
      args.push(q.limit, q.periodStart, q.periodEnd - now, this.#o.retentionMs)
    }
    const sent = t
    if (this.#split && spansSlots(keys)) {
      return this.#consumeSplit(query, keys, now).then(
        (reply) => this.#decide(query, reply, 0, keys, quotaKey, sent),
        (error: unknown) => this.#fallback(query, now, error),
      )
    }
    return new Promise<ThrottleDecision>((resolve) => {
      this.#enqueue({ query, keys, args, quotaKey, sent, now, resolve })
    })
  }

  /**
   * Queues a decision. With nothing in flight it is sent at once; otherwise the decisions that
   * arrive meanwhile go together in one call when this turn of the event loop ends (a batch of at
   * most `MAX_BATCH`), so a busy process makes one round trip, and Redis runs one script, for many
   * requests. On a Cluster with per-identity slots each decision goes alone (its keys' slot).
   */
  #enqueue(p: PendingDecision): void {
    if (!this.#batching || (this.#inflight === 0 && this.#queue.length === 0)) {
      this.#send([p])
      return
    }
    this.#queue.push(p)
    if (this.#queue.length >= MAX_BATCH) this.#flush()
    else if (!this.#scheduled) {
      this.#scheduled = true
      setImmediate(this.#flushSoon)
    }
  }

  readonly #flushSoon = (): void => {
    this.#scheduled = false
    this.#flush()
  }

  #flush(): void {
    if (this.#queue.length === 0) return
    const batch = this.#queue
    this.#queue = []
    this.#send(batch)
  }

  #send(batch: PendingDecision[]): void {
    const keys: string[] = []
    const args: Array<string | number> = [batch.length, IDLE_GRACE_MS]
    for (const p of batch) {
      for (const k of p.keys) keys.push(k)
      for (const a of p.args) args.push(a)
    }
    this.#inflight++
    this.stats.batches++
    this.#guard.call('throttle.consume', () => CONSUME.run(this.#client, keys, args)).then(
      (reply) => {
        this.#inflight--
        let at = 0
        for (const p of batch) {
          try {
            p.resolve(this.#decide(p.query, reply as number[], at, p.keys, p.quotaKey, p.sent))
          } catch (error) {
            this.#settleFailed(p, error)
          }
          at += 5 + p.query.buckets.length
        }
      },
      (error: unknown) => {
        this.#inflight--
        for (const p of batch) this.#settleFailed(p, error)
      },
    )
  }

  /** Answers a decision Redis did not take by the failure policy (`closed` rejects it). */
  #settleFailed(p: PendingDecision, error: unknown): void {
    try {
      p.resolve(this.#fallback(p.query, p.now, error))
    } catch (e) {
      p.resolve(Promise.reject(e instanceof Error ? e : new Error(String(e))))
    }
  }

  /**
   * One script per hash slot, in parallel; when one slot refuses and another admitted, the admitted
   * slots get their tokens (and quota count) back (`REFUND`). Exact but for one case: a refunded
   * bucket that would have filled up meanwhile keeps at most its capacity. Answers in `CONSUME`'s
   * reply layout.
   */
  async #consumeSplit(query: ThrottleQuery, keys: readonly string[], now: number): Promise<number[]> {
    const n = query.buckets.length
    const q = query.quota
    const groups = new Map<string, { idx: number[]; quota: boolean }>()
    const group = (tag: string): { idx: number[]; quota: boolean } => {
      let g = groups.get(tag)
      if (g === undefined) groups.set(tag, (g = { idx: [], quota: false }))
      return g
    }
    for (let i = 0; i < n; i++) group(tagOf(keys[i] as string)).idx.push(i)
    if (q !== undefined) group(tagOf(keys[n] as string)).quota = true
    const list = [...groups.values()]
    const replies = await Promise.all(
      list.map((g) => {
        const gk: string[] = g.idx.map((i) => keys[i] as string)
        const ga: Array<string | number> = [1, IDLE_GRACE_MS, g.idx.length, g.quota && q !== undefined ? 1 : 0, this.#o.clock === 'gateway' ? now : -1]
        for (const i of g.idx) {
          const spec = (query.buckets[i] as BucketRef).spec
          ga.push(spec.capacity, spec.perMs)
        }
        if (g.quota && q !== undefined) {
          gk.push(keys[n] as string, keys[n + 1] as string)
          ga.push(q.limit, q.periodStart, q.periodEnd - now, this.#o.retentionMs)
        }
        return this.#guard.call('throttle.consume', () => CONSUME.run(this.#client, gk, ga)) as Promise<number[]>
      }),
    )
    const allowed = replies.every((r) => r[0] === 1)
    const out: number[] = [allowed ? 1 : 0, -1, 0, 0, 0]
    const refunds: Array<Promise<unknown>> = []
    let quotaRefused = false
    list.forEach((g, gi) => {
      const r = replies[gi] as number[]
      out[4] = Math.max(out[4] as number, r[4] as number)
      const refund = !allowed && r[0] === 1
      g.idx.forEach((i, j) => {
        out[5 + i] = (r[5 + j] as number) + (refund ? TOKEN : 0)
      })
      if (r[0] !== 1) {
        const b = r[1] as number
        if (b >= 0) {
          const i = g.idx[b] as number
          if (out[1] === -1 || i < (out[1] as number)) out[1] = i
        } else if (r[2] === 1) quotaRefused = true
      }
      if (g.quota) out[3] = (r[3] as number) - (refund ? 1 : 0)
      if (refund) {
        const rk: string[] = g.idx.map((i) => keys[i] as string)
        const ra: Array<string | number> = [g.idx.length, ...g.idx.map((i) => (query.buckets[i] as BucketRef).spec.capacity)]
        if (g.quota && q !== undefined) {
          rk.push(keys[n] as string, keys[n + 1] as string)
          ra.push(q.periodStart)
        }
        refunds.push(this.#guard.call('throttle.refund', () => REFUND.run(this.#client, rk, ra)).catch(() => undefined))
      }
    })
    if (!allowed && out[1] === -1 && quotaRefused) out[2] = 1
    // answered once the tokens are back, so this caller's next request sees them
    if (refunds.length > 0) await Promise.all(refunds)
    return out
  }

  /** The decision in `reply` (a script's answer) from index `o` on. */
  #decide(query: ThrottleQuery, reply: number[], o: number, keys: readonly string[], quotaKey: string | undefined, sent: number): ThrottleDecision {
    const n = query.buckets.length
    if (!Array.isArray(reply) || reply.length < o + 5 + n) throw new Error('unexpected reply from the throttle script')
    this.stats.redis++
    const d: RedisThrottleDecision = {
      at: reply[o + 4] as number,
      allowed: reply[o] === 1,
      boundBucket: reply[o + 1] as number,
      quotaExceeded: reply[o + 2] === 1,
      remaining: new Array<number>(n),
      waitMs: new Array<number>(n),
      fullMs: new Array<number>(n),
      quotaUsed: reply[o + 3] as number,
    }
    for (let i = 0; i < n; i++) {
      const spec = (query.buckets[i] as BucketRef).spec
      const t = reply[o + 5 + i] as number
      d.remaining[i] = Math.floor(t / TOKEN)
      d.waitMs[i] = t >= TOKEN ? 0 : Math.ceil((TOKEN - t) / spec.perMs)
      d.fullMs[i] = Math.ceil((spec.capacity - t) / spec.perMs)
    }
    if (!d.allowed && this.#o.rememberDenials) {
      // measured from when the request was sent: the bucket cannot have refilled earlier than that
      if (d.quotaExceeded && quotaKey !== undefined) this.#remember(quotaKey, sent + QUOTA_MEMORY_MS, d, sent, keys)
      else if (d.boundBucket >= 0) this.#remember(keys[d.boundBucket] as string, sent + (d.waitMs[d.boundBucket] as number), d, sent, keys)
    }
    return d
  }

  #remember(key: string, until: number, decision: ThrottleDecision, at: number, keys: readonly string[]): void {
    const m = this.#remembered
    if (m.size >= MAX_REMEMBERED) {
      for (const [k, r] of m) if (r.until <= at) m.delete(k)
      if (m.size >= MAX_REMEMBERED) m.clear()
    }
    m.set(key, { until, decision, at, keys })
  }

  /** A refusal answered from this process's memory, when a bucket (or the quota) of the query cannot admit yet. */
  #recall(keys: readonly string[], quotaKey: string | undefined, now: number): ThrottleDecision | undefined {
    const m = this.#remembered
    let hit: Remembered | undefined
    let bound = -1
    for (let i = 0; i < keys.length; i++) {
      const r = m.get(keys[i] as string)
      if (r === undefined) continue
      if (r.until <= now) m.delete(keys[i] as string)
      else if (sameKeys(r.keys, keys)) {
        hit = r
        bound = i
        break
      }
    }
    let quota = false
    if (hit === undefined && quotaKey !== undefined) {
      const r = m.get(quotaKey)
      if (r !== undefined) {
        if (r.until <= now) m.delete(quotaKey)
        else if (sameKeys(r.keys, keys)) {
          hit = r
          quota = true
        }
      }
    }
    if (hit === undefined) return undefined
    this.stats.remembered++
    const elapsed = Math.floor(now - hit.at)
    const prev = hit.decision
    const n = keys.length
    const d: ThrottleDecision = { allowed: false, boundBucket: quota ? -1 : bound, quotaExceeded: quota, remaining: new Array<number>(n), waitMs: new Array<number>(n), fullMs: new Array<number>(n), quotaUsed: prev.quotaUsed }
    for (let i = 0; i < n; i++) {
      d.remaining[i] = i === bound ? 0 : (prev.remaining[i] ?? 0)
      d.waitMs[i] = i === bound ? Math.max(1, Math.ceil(hit.until - now)) : Math.max(0, (prev.waitMs[i] ?? 0) - elapsed)
      d.fullMs[i] = Math.max(0, (prev.fullMs[i] ?? 0) - elapsed)
    }
    return d
  }

  #fallback(query: ThrottleQuery, now: number, error: unknown): ThrottleDecision {
    this.stats.fallback++
    switch (this.#policy) {
      case 'open':
        return fullDecision(query)
      case 'local': {
        const d = this.#local.consume(query, now)
        // the memory store reuses its decision object; the caller may read it later
        return { ...d, remaining: d.remaining.slice(), waitMs: d.waitMs.slice(), fullMs: d.fullMs.slice() }
      }
      default:
        throw new StoreUnavailableError('the throttle store (redis) is unavailable', this.#guard.retryAfterSeconds(), { cause: error })
    }
  }

  async usage(counterKey: string, fromDay: number, toDay: number): Promise<DailyUsage> {
    const days: number[] = []
    for (let day = fromDay; day <= toDay; day += DAY_MS) days.push(day)
    const rows = await this.#admin('throttle.usage', () => {
      const pipe = this.#client.pipeline()
      for (const day of days) pipe.hmget(this.redisKey('d', `${counterKey}:${day}`), 'u', 'a')
      return pipe.exec()
    })
    const out = new Map<number, { used: number; adjustment: number }>()
    rows?.forEach(([error, value], i) => {
      if (error) throw error
      const [u, a] = value as [string | null, string | null]
      if (u === null && a === null) return
      out.set(days[i] as number, { used: Number(u ?? 0), adjustment: Number(a ?? 0) })
    })
    return out
  }

  async setUsed(counterKey: string, periodStart: number, used: number, day: number): Promise<void> {
    // the period's end is not given: keep the counter for the longest period (a month) past now
    await this.#admin('throttle.setUsed', () =>
      SET_USED.run(this.#client, [this.redisKey('q', counterKey), this.redisKey('d', `${counterKey}:${day}`)], [periodStart, used, 32 * DAY_MS, this.#o.retentionMs]),
    )
    this.#remembered.delete(this.redisKey('q', counterKey))
  }

  async resetBuckets(prefix: string): Promise<void> {
    for (const k of this.#remembered.keys()) if (k.includes(`}b:${prefix}`)) this.#remembered.delete(k)
    this.#local.resetBuckets(prefix)
    const pattern = this.#single ? `${globEscape(this.#o.prefix)}{}b:${globEscape(prefix)}*` : `${globEscape(this.#o.prefix)}{*}b:${globEscape(prefix)}*`
    const keys = await this.#admin('throttle.resetBuckets', () => scanKeys(this.#client, pattern))
    // one DEL per key: on a Cluster the keys may live in different slots
    for (const k of keys) await this.#admin('throttle.resetBuckets', () => this.#client.del(k))
  }

  /** Administrative calls (usage API) reject when Redis is unavailable, whatever the policy. */
  #admin<T>(operation: string, send: () => Promise<T>): Promise<T> {
    return this.#guard.call(operation, send, ADMIN_TIMEOUT_MS).catch((error: unknown) => {
      throw new StoreUnavailableError(`the throttle store (redis) is unavailable: ${error instanceof Error ? error.message : String(error)}`, this.#guard.retryAfterSeconds(), { cause: error })
    })
  }
}
