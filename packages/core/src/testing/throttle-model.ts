/**
 * The reference model of a throttle store: exact token buckets in BigInt micro-tokens and a plain
 * counter per quota period. Property tests run a store and the model on the same random timeline
 * and expect the same decisions — sluice's memory and Redis stores, or a store of your own.
 */
import type { BucketSpec } from '../throttle/settings.js'
import type { QuotaRef } from '../throttle/store.js'

/**
 * @example
 * const model = new ThrottleModel()
 * expect(store.consume({ buckets, quota }, now).allowed).toBe(model.decide(buckets, quota, now))
 */
export class ThrottleModel {
  readonly tokens = new Map<string, { t: bigint; at: number }>()
  readonly quota = new Map<string, { start: number; used: number }>()

  /** Admits (and takes a token from every bucket and one from the quota) only if all admit. */
  decide(buckets: ReadonlyArray<{ readonly key: string; readonly spec: BucketSpec }>, quota: QuotaRef | undefined, now: number): boolean {
    const states = buckets.map(({ key, spec }) => {
      const cap = BigInt(spec.burstLimit) * 1_000_000n
      const s = this.tokens.get(key) ?? { t: cap, at: now }
      const dt = BigInt(Math.max(0, now - s.at))
      const t = s.t + dt * BigInt(spec.perMs)
      return { key, t: t > cap ? cap : t, at: Math.max(now, s.at) }
    })
    let ok = states.every((s) => s.t >= 1_000_000n)
    let q = quota ? (this.quota.get(quota.key) ?? { start: quota.periodStart, used: 0 }) : undefined
    if (q && quota && quota.periodStart > q.start) q = { start: quota.periodStart, used: 0 }
    if (ok && q && quota && quota.limit >= 0 && q.used >= quota.limit) ok = false
    for (const s of states) this.tokens.set(s.key, { t: ok ? s.t - 1_000_000n : s.t, at: s.at })
    if (q && quota) this.quota.set(quota.key, { start: q.start, used: ok ? q.used + 1 : q.used })
    return ok
  }
}
