/**
 * The shared throttle-store suite: the same behaviour, decision for decision, from the memory
 * store and the Redis store (on the gateway's clock, so both see one timeline).
 */
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { composeKey, type BucketRef, type BucketSpec, type QuotaRef, type ThrottleStore } from '@sluice/core'
import { memoryTarget, redisTarget, type StoreTarget } from './targets.js'
import { ThrottleModel as Model } from '@sluice/core/testing'
import { redisAvailable } from '../support/redis.js'

const spec = (rateLimit: number, burstLimit: number): BucketSpec => ({ rateLimit, burstLimit, perMs: Math.round(rateLimit * 1000), capacity: burstLimit * 1_000_000 })
const T0 = Date.UTC(2026, 10, 18, 12, 0, 0)
const DAY = 86_400_000

const targets: StoreTarget[] = [memoryTarget]
if (await redisAvailable()) targets.push(await redisTarget('throttle'))
afterAll(async () => {
  for (const t of targets) await t.close()
})

const consume = async (store: ThrottleStore, buckets: BucketRef[], now: number, quota?: QuotaRef) => {
  const d = await store.consume({ buckets, quota }, now)
  return { ...d, remaining: [...d.remaining], waitMs: [...d.waitMs], fullMs: [...d.fullMs] }
}

const quotaRef = (key: string, limit: number, now: number): QuotaRef => {
  const day = Math.floor(now / DAY) * DAY
  return { key, limit, periodStart: day, periodEnd: day + DAY, day }
}

describe.each(targets.map((t) => [t.name, t] as const))('throttle store: %s', (_name, target) => {
  it('agrees with the reference model on random timelines (buckets and quota)', async () => {
    const specArb = fc.record({ rateLimit: fc.constantFrom(0.1, 0.5, 1, 3, 7.5, 100, 0.001), burstLimit: fc.integer({ min: 1, max: 12 }) })
    await fc.assert(
      fc.asyncProperty(
        specArb,
        specArb,
        fc.integer({ min: 0, max: 8 }),
        fc.array(fc.record({ dt: fc.integer({ min: 0, max: 4000 }), who: fc.integer({ min: 0, max: 2 }), layers: fc.integer({ min: 1, max: 3 }) }), { maxLength: 60 }),
        async (a, b, quotaLimit, timeline) => {
          const { throttle: store } = target.make()
          const model = new Model()
          const sa = spec(a.rateLimit, a.burstLimit)
          const sb = spec(b.rateLimit, b.burstLimit)
          let now = 1_700_000_000_000
          for (const step of timeline) {
            now += step.dt
            const buckets: BucketRef[] = [{ key: composeKey('p', 'plan', `k${step.who}`), spec: sa, layer: 'plan' }]
            if (step.layers >= 2) buckets.push({ key: 'a', spec: sb, layer: 'account', pinned: true })
            const periodStart = Math.floor(now / 60_000) * 60_000
            const quota: QuotaRef | undefined = step.layers === 3 ? { key: composeKey('q', 'plan', `k${step.who}`), limit: quotaLimit, periodStart, periodEnd: periodStart + 60_000, day: periodStart } : undefined
            const got = (await store.consume({ buckets, quota }, now)).allowed
            if (got !== model.decide(buckets, quota, now)) return false
          }
          return true
        },
      ),
      { numRuns: target.name === 'memory' ? 100 : 25 },
    )
  })

  it('consumes from every bucket only when all admit, and reports remaining, wait and full times', async () => {
    const { throttle } = target.make()
    const plan: BucketRef = { key: composeKey('p', 'gold', 'k1'), spec: spec(0.5, 2), layer: 'plan' }
    const account: BucketRef = { key: 'a', spec: spec(1, 3), layer: 'account', pinned: true }
    let d = await consume(throttle, [plan, account], T0)
    expect(d).toMatchObject({ allowed: true, boundBucket: -1, remaining: [1, 2], waitMs: [0, 0], fullMs: [2000, 1000] })
    d = await consume(throttle, [plan, account], T0)
    expect(d).toMatchObject({ allowed: true, remaining: [0, 1], waitMs: [2000, 0], fullMs: [4000, 2000] })
    d = await consume(throttle, [plan, account], T0 + 500)
    expect(d).toMatchObject({ allowed: false, boundBucket: 0, remaining: [0, 1], waitMs: [1500, 0] })
    // the refused request took nothing from the account bucket
    // (1 token + 0.5 refilled = 1.5; one taken leaves 0.5)
    d = await consume(throttle, [account], T0 + 500)
    expect(d).toMatchObject({ allowed: true, remaining: [0], waitMs: [500] })
    d = await consume(throttle, [plan, account], T0 + 2000)
    expect(d).toMatchObject({ allowed: true, remaining: [0, 1] })
  })

  it('counts the quota only when every bucket admits, per period, never going back', async () => {
    const { throttle } = target.make()
    const b: BucketRef = { key: composeKey('p', 'gold', 'k2'), spec: spec(1, 1), layer: 'plan' }
    const q = quotaRef(composeKey('q', 'gold', 'k2'), 2, T0)
    expect((await consume(throttle, [b], T0, q)).quotaUsed).toBe(1)
    const refused = await consume(throttle, [b], T0 + 1, q)
    expect(refused).toMatchObject({ allowed: false, boundBucket: 0, quotaExceeded: false, quotaUsed: 1 })
    expect((await consume(throttle, [b], T0 + 1000, q)).quotaUsed).toBe(2)
    const over = await consume(throttle, [b], T0 + 2000, q)
    expect(over).toMatchObject({ allowed: false, boundBucket: -1, quotaExceeded: true, quotaUsed: 2 })
    // the next day: a new period; an older period start afterwards cannot reset it
    const next = quotaRef(composeKey('q', 'gold', 'k2'), 2, T0 + DAY)
    expect(await consume(throttle, [b], T0 + DAY, next)).toMatchObject({ allowed: true, quotaUsed: 1 })
    expect(await consume(throttle, [b], T0 + DAY + 1000, q)).toMatchObject({ allowed: true, quotaUsed: 2 })
  })

  it('keeps daily usage and UpdateUsage adjustments, shared by every instance', async () => {
    const { throttle, twin } = target.make()
    const other = twin().throttle
    const key = composeKey('q', 'gold', 'k3')
    const b: BucketRef = { key: composeKey('p', 'gold', 'k3'), spec: spec(100, 100), layer: 'plan' }
    const day0 = Math.floor(T0 / DAY) * DAY
    for (let i = 0; i < 3; i++) await consume(throttle, [b], T0 + i, quotaRef(key, 100, T0))
    await consume(other, [b], T0 + 10, quotaRef(key, 100, T0))
    for (let i = 0; i < 2; i++) await consume(other, [b], T0 + DAY + i, quotaRef(key, 100, T0 + DAY))
    await other.setUsed(key, day0 + DAY, 10, day0 + DAY)
    const usage = await throttle.usage(key, day0 - DAY, day0 + 2 * DAY)
    expect([...usage.entries()].sort((x, y) => x[0] - y[0])).toEqual([
      [day0, { used: 4, adjustment: 0 }],
      [day0 + DAY, { used: 2, adjustment: 8 }],
    ])
    // the next decision counts from the updated figure, in either instance
    expect((await consume(throttle, [b], T0 + DAY + 100, quotaRef(key, 100, T0 + DAY))).quotaUsed).toBe(11)
  })

  it('resetBuckets forgets the buckets under a prefix and only those', async () => {
    const { throttle } = target.make()
    const mine: BucketRef = { key: composeKey('p', 'gold', composeKey('k', 'me')), spec: spec(1, 1), layer: 'plan' }
    const method: BucketRef = { key: composeKey('m', 'gold', composeKey('k', 'me'), 'prod', '/pets/GET'), spec: spec(1, 1), layer: 'plan-method' }
    const yours: BucketRef = { key: composeKey('p', 'gold', composeKey('k', 'you')), spec: spec(1, 1), layer: 'plan' }
    for (const b of [mine, method, yours]) expect((await consume(throttle, [b], T0)).allowed).toBe(true)
    for (const b of [mine, method, yours]) expect((await consume(throttle, [b], T0)).allowed).toBe(false)
    await throttle.resetBuckets(composeKey('p', 'gold', composeKey('k', 'me')))
    await throttle.resetBuckets(composeKey('m', 'gold', composeKey('k', 'me')))
    expect((await consume(throttle, [mine], T0)).allowed).toBe(true)
    expect((await consume(throttle, [method], T0)).allowed).toBe(true)
    expect((await consume(throttle, [yours], T0)).allowed).toBe(false)
  })

  it('a bucket shared by two instances is one bucket', async () => {
    const { throttle, twin } = target.make()
    const other = twin().throttle
    const shared: BucketRef = { key: composeKey('s', 'prod', '/pets/GET'), spec: spec(1, 3), layer: 'stage-method', pinned: true }
    expect((await consume(throttle, [shared], T0)).allowed).toBe(true)
    expect((await consume(other, [shared], T0)).allowed).toBe(true)
    expect((await consume(throttle, [shared], T0)).allowed).toBe(true)
    expect((await consume(other, [shared], T0)).allowed).toBe(false)
  })
})
