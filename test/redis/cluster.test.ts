/**
 * Redis Cluster (three masters the test starts on its own ports): one caller's keys share a hash
 * slot; with shared layers (the account bucket) in other slots, one script per slot runs and a
 * refusal in one slot gives back what the others took — decisions stay those of the exact model.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { composeKey, type BucketRef, type BucketSpec, type QuotaRef } from '@sluice/core'
import { redisStore, type RedisStores } from '@sluice/redis'
import { Cluster } from 'ioredis'
import { ThrottleModel as Model } from '@sluice/core/testing'
import { OwnCluster } from './support/server.js'
import { redisServerAvailable } from '../support/redis.js'

const spec = (rateLimit: number, burstLimit: number): BucketSpec => ({ rateLimit, burstLimit, perMs: Math.round(rateLimit * 1000), capacity: burstLimit * 1_000_000 })
const T0 = Date.UTC(2026, 10, 18, 12, 0, 0)

if (await redisServerAvailable()) describe('on Redis Cluster', () => {
  const cluster = new OwnCluster()
  let client: Cluster
  const stores: RedisStores[] = []
  const make = (options: Parameters<typeof redisStore>[1] = {}): RedisStores => {
    const s = redisStore(client, { prefix: `sluice-test:redis:cluster:${stores.length}:`, clock: 'gateway', commandTimeoutMs: 10_000, onStoreError: 'closed', ...options })
    stores.push(s)
    return s
  }

  beforeAll(async () => {
    await cluster.start()
    client = new Cluster([{ host: '127.0.0.1', port: cluster.ports[0] as number }], { enableOfflineQueue: false, redisOptions: { maxRetriesPerRequest: 0 } })
    client.on('error', () => undefined)
    await new Promise((r) => client.once('ready', r))
  }, 40_000)

  afterAll(async () => {
    for (const s of stores) await s.close()
    client?.disconnect()
    await cluster.stop()
  })

  it("keeps one caller's buckets, quota and usage in one slot; the account bucket in its own", async () => {
    const s = make({ hashTag: 'identity' })
    const id = composeKey('k', 'slot')
    const slot = async (key: string): Promise<number> => (await client.cluster('KEYSLOT', key)) as unknown as number
    const mine = await Promise.all([s.throttle.redisKey('b', composeKey('p', 'gold', id)), s.throttle.redisKey('b', composeKey('m', 'gold', id, 'prod', '/pets/GET')), s.throttle.redisKey('q', composeKey('q', 'gold', id)), s.throttle.redisKey('d', `${composeKey('q', 'gold', id)}:0`)].map(slot))
    expect(new Set(mine).size).toBe(1)
    expect(await slot(s.throttle.redisKey('b', 'a'))).not.toBe(mine[0])
    // the default on a Cluster client: every key in one slot
    expect(make().throttle.redisKey('b', 'a')).toContain('{}')
  })

  it('agrees with the exact model with identity slots and a shared account bucket (refunds across slots)', async () => {
    const specArb = fc.record({ rateLimit: fc.constantFrom(0.5, 1, 3, 100), burstLimit: fc.integer({ min: 1, max: 6 }) })
    await fc.assert(
      fc.asyncProperty(
        specArb,
        specArb,
        fc.integer({ min: 0, max: 6 }),
        fc.array(fc.record({ dt: fc.integer({ min: 0, max: 3000 }), who: fc.integer({ min: 0, max: 2 }), quota: fc.boolean() }), { maxLength: 40 }),
        async (a, b, quotaLimit, timeline) => {
          const s = make({ hashTag: 'identity' })
          const model = new Model()
          let now = T0
          for (const step of timeline) {
            now += step.dt
            const id = composeKey('k', `c${step.who}`)
            const buckets: BucketRef[] = [
              { key: composeKey('p', 'plan', id), spec: spec(a.rateLimit, a.burstLimit), layer: 'plan' },
              { key: 'a', spec: spec(b.rateLimit, b.burstLimit), layer: 'account', pinned: true },
            ]
            const day = Math.floor(now / 86_400_000) * 86_400_000
            const quota: QuotaRef | undefined = step.quota ? { key: composeKey('q', 'plan', id), limit: quotaLimit, periodStart: day, periodEnd: day + 86_400_000, day } : undefined
            const got = await s.throttle.consume({ buckets, quota }, now)
            if (got.allowed !== model.decide(buckets, quota, now)) return false
          }
          return true
        },
      ),
      { numRuns: 15, ...(process.env['FC_SEED'] ? { seed: Number(process.env['FC_SEED']), ...(process.env['FC_PATH'] ? { path: process.env['FC_PATH'] } : {}) } : {}) },
    )
  }, 60_000)

  it('usage and resets work across slots', async () => {
    const s = make({ hashTag: 'identity' })
    const id = composeKey('k', 'u')
    const q = composeKey('q', 'gold', id)
    const day = Math.floor(T0 / 86_400_000) * 86_400_000
    const plan: BucketRef = { key: composeKey('p', 'gold', id), spec: spec(1, 2), layer: 'plan' }
    const account: BucketRef = { key: 'a', spec: spec(100, 100), layer: 'account', pinned: true }
    const quota: QuotaRef = { key: q, limit: 10, periodStart: day, periodEnd: day + 86_400_000, day }
    for (let i = 0; i < 3; i++) await s.throttle.consume({ buckets: [plan, account], quota }, T0)
    expect([...(await s.throttle.usage(q, day, day)).values()]).toEqual([{ used: 2, adjustment: 0 }])
    await s.throttle.resetBuckets(composeKey('p', 'gold', id))
    expect((await s.throttle.consume({ buckets: [plan, account], quota }, T0)).allowed).toBe(true)
  })
})
