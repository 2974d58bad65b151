/**
 * A deliberately non-atomic throttle store (a test double, never shipped): it reads a bucket, decides
 * in JavaScript and writes the result back in separate round trips, like a limiter built from
 * GET and SET. Concurrent requests read the same state and are all admitted — the exactness test
 * must catch it.
 */
import type { BucketRef, ThrottleDecision, ThrottleQuery } from '@sluice/core'
import type { Redis } from 'ioredis'

const TOKEN = 1_000_000

export class NaiveThrottleStore {
  constructor(
    private readonly client: Redis,
    private readonly prefix: string,
  ) {}

  async consume(query: ThrottleQuery): Promise<ThrottleDecision & { at: number }> {
    const ref = query.buckets[0] as BucketRef
    const key = `${this.prefix}{naive}b:${ref.key}`
    const [sec, usec] = await this.client.time()
    const now = Number(sec) * 1000 + Math.floor(Number(usec) / 1000)
    const [t0, a0] = await this.client.hmget(key, 't', 'a')
    const cap = ref.spec.capacity
    let t = t0 === null ? cap : Number(t0)
    const at = a0 === null ? now : Number(a0)
    if (now > at) t = Math.min(cap, t + (now - at) * ref.spec.perMs)
    const allowed = t >= TOKEN
    if (allowed) t -= TOKEN
    await this.client.hset(key, 't', t, 'a', Math.max(now, at))
    await this.client.pexpire(key, 60_000)
    return { at: now, allowed, boundBucket: allowed ? -1 : 0, quotaExceeded: false, remaining: [Math.floor(t / TOKEN)], waitMs: [0], fullMs: [0], quotaUsed: 0 }
  }
}
