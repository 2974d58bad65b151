import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MemoryThrottleStore } from './memory-store.js'
import { bucketSpec } from './settings.js'
import type { BucketRef, QuotaRef } from './store.js'
import { ThrottleModel as Model } from '../testing/throttle-model.js'

const specArb = fc.record({
  rateLimit: fc.constantFrom(0.1, 0.5, 1, 3, 7.5, 100, 0.001),
  burstLimit: fc.integer({ min: 1, max: 12 }),
})

describe('MemoryThrottleStore', () => {
  it('agrees with the reference model on random timelines (buckets and quota)', () => {
    fc.assert(
      fc.property(
        specArb,
        specArb,
        fc.integer({ min: 0, max: 8 }),
        fc.array(fc.record({ dt: fc.integer({ min: 0, max: 4000 }), who: fc.integer({ min: 0, max: 2 }), layers: fc.integer({ min: 1, max: 3 }) }), { maxLength: 150 }),
        (a, b, quotaLimit, timeline) => {
          const store = new MemoryThrottleStore()
          const model = new Model()
          const sa = bucketSpec(a, 'a')
          const sb = bucketSpec(b, 'b')
          let now = 1_700_000_000_000
          for (const step of timeline) {
            now += step.dt
            const buckets: BucketRef[] = [{ key: `a${step.who}`, spec: sa, layer: 'plan' }]
            if (step.layers >= 2) buckets.push({ key: 'shared', spec: sb, layer: 'account', pinned: true })
            const periodStart = Math.floor(now / 60_000) * 60_000
            const quota: QuotaRef | undefined =
              step.layers === 3 ? { key: `q${step.who}`, limit: quotaLimit, periodStart, periodEnd: periodStart + 60_000, day: periodStart } : undefined
            const got = store.consume({ buckets, quota }, now).allowed
            const want = model.decide(buckets, quota, now)
            if (got !== want) return false
          }
          return true
        },
      ),
      { numRuns: 300 },
    )
  })

  it('never admits more than burstLimit + rateLimit × t in any window', () => {
    fc.assert(
      fc.property(specArb, fc.array(fc.integer({ min: 0, max: 1500 }), { minLength: 1, maxLength: 120 }), (s, gaps) => {
        const spec = bucketSpec(s, 's')
        const store = new MemoryThrottleStore()
        const admitted: number[] = []
        let now = 0
        for (const g of gaps) {
          now += g
          if (store.consume({ buckets: [{ key: 'k', spec, layer: 'plan' }] }, now).allowed) admitted.push(now)
        }
        for (let i = 0; i < admitted.length; i++) {
          for (let j = i; j < admitted.length; j++) {
            const t = ((admitted[j] as number) - (admitted[i] as number)) / 1000
            if (j - i + 1 > spec.burstLimit + spec.rateLimit * t + 1e-9) return false
          }
        }
        return true
      }),
      { numRuns: 300 },
    )
  })

  it('reports remaining tokens, the wait for the next token and the time to full', () => {
    const store = new MemoryThrottleStore()
    const spec = bucketSpec({ rateLimit: 2, burstLimit: 3 }, 's')
    const q = { buckets: [{ key: 'k', spec, layer: 'plan' }] }
    store.consume(q, 0)
    store.consume(q, 0)
    const d = store.consume(q, 0)
    expect(d.allowed).toBe(true)
    expect(d.remaining).toEqual([0])
    expect(d.waitMs).toEqual([500])
    expect(d.fullMs).toEqual([1500])
    const no = store.consume(q, 100)
    expect(no.allowed).toBe(false)
    expect(no.boundBucket).toBe(0)
    expect(no.waitMs).toEqual([400])
  })

  it('stays flat under a flood of one million distinct callers, keeping shared buckets', () => {
    const store = new MemoryThrottleStore({ maxBuckets: 50_000 })
    const spec = bucketSpec({ rateLimit: 1, burstLimit: 5 }, 's')
    const account = bucketSpec({ rateLimit: 1, burstLimit: 2_000_000 }, 'a')
    const accountRef: BucketRef = { key: 'account', spec: account, layer: 'account', pinned: true }
    let last = 0
    for (let i = 0; i < 1_000_000; i++) {
      const d = store.consume({ buckets: [{ key: `caller:${i}`, spec, layer: 'plan' }, accountRef] }, 1000)
      if (!d.allowed) throw new Error(`refused at ${i}`)
      last = d.remaining[1] as number
      if (store.size > 50_001) throw new Error(`grew to ${store.size}`)
    }
    expect(store.size).toBeLessThanOrEqual(50_001)
    // the shared bucket was never evicted: it counted every request
    expect(last).toBe(1_000_000)
  })
})
