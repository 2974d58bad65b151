/**
 * What only the Redis stores do: the server's clock, idle expiry, hash tags, the local memory of
 * refusals, failure policies, encryption at rest, option validation.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { composeKey, createGateway, isSluiceConfigError, isStoreUnavailableError, type BucketRef, type BucketSpec, type CacheEntry } from '@sluice/core'
import { simulate, createRequest } from '@sluice/core/testing'
import { RECOMMENDED_CLIENT_OPTIONS, redisStore, type RedisStores } from '@sluice/redis'
import { Redis } from 'ioredis'
import { CLIENT_OPTIONS, cleanPrefix, ready, redisAvailable, REDIS_URL, testClient, testPrefix } from '../support/redis.js'

const spec = (rateLimit: number, burstLimit: number): BucketSpec => ({ rateLimit, burstLimit, perMs: Math.round(rateLimit * 1000), capacity: burstLimit * 1_000_000 })
const T0 = Date.UTC(2026, 10, 18, 12, 0, 0)
const KEY = 'goldkey1234abcdefghij0123456789'

const unhandled: unknown[] = []
const onUnhandled = (e: unknown): void => void unhandled.push(e)
process.on('unhandledRejection', onUnhandled)
afterAll(() => void process.off('unhandledRejection', onUnhandled))

/** A client whose server is not there (nothing listens on port 1): it never becomes ready. */
function deadClient(): Redis {
  const c = new Redis('redis://127.0.0.1:1', { ...CLIENT_OPTIONS, retryStrategy: () => 100 })
  c.on('error', () => undefined)
  return c
}

describe('failure policies (no Redis at all: start-up before the first connection)', () => {
  const stores: RedisStores[] = []
  const clients: Redis[] = []
  const make = (policy: 'open' | 'closed' | 'local'): RedisStores => {
    const c = deadClient()
    clients.push(c)
    const s = redisStore(c, { onStoreError: policy, prefix: 'sluice-test:redis:dead:' })
    stores.push(s)
    return s
  }
  afterAll(async () => {
    for (const s of stores) await s.close()
    for (const c of clients) c.disconnect()
  })
  const plan: BucketRef = { key: composeKey('p', 'gold', 'k1'), spec: spec(1, 2), layer: 'plan' }

  it('open: every request passes, answered at once', () => {
    const s = make('open')
    for (let i = 0; i < 5; i++) expect(s.throttle.consume({ buckets: [plan] }, T0)).toMatchObject({ allowed: true })
    expect(s.cache.get('x')).toBeUndefined()
    expect(s.authorizer.get('x')).toBeUndefined()
  })

  it('local: this process keeps the limits', () => {
    const s = make('local')
    const got = [0, 1, 2].map(() => (s.throttle.consume({ buckets: [plan] }, T0) as { allowed: boolean }).allowed)
    expect(got).toEqual([true, true, false])
    const e: CacheEntry = { response: { status: 200, headers: {}, body: Buffer.from('x') }, storedAt: T0, expiresAt: T0 + 1000, path: '/', resourcePath: '/' }
    s.cache.set('k', e)
    expect(s.cache.get('k')).toBe(e)
  })

  it('closed: the store throws StoreUnavailableError with a retry delay', () => {
    const s = make('closed')
    let error: unknown
    try {
      s.throttle.consume({ buckets: [plan] }, T0)
    } catch (e) {
      error = e
    }
    expect(isStoreUnavailableError(error)).toBe(true)
    expect((error as { retryAfter: number }).retryAfter).toBe(1)
  })

  it('closed through a gateway: 503 Service Unavailable with Retry-After, never a 429', async () => {
    const s = make('closed')
    const gw = createGateway({ apiKeys: [{ id: 'gold', value: KEY, usagePlanIds: ['gold'] }], usagePlans: [{ id: 'gold', throttle: { rateLimit: 1, burstLimit: 2 } }], store: s })
    const r = await simulate(gw.chain(gw.apiKey(), gw.throttle()), createRequest({ url: 'http://localhost/pets', headers: { 'x-api-key': KEY } }))
    expect(r.response.status).toBe(503)
    expect(r.response.headers['retry-after']).toBe('1')
    expect(r.response.body).toBe('{"message":"Service Unavailable"}')
    expect(r.trace.at(-1)).toMatchObject({ decision: 'error', reason: 'store-unavailable' })
  })

  it('the usage API rejects with StoreUnavailableError whatever the policy', async () => {
    const s = make('open')
    await expect(s.throttle.usage('q', T0, T0)).rejects.toSatisfy(isStoreUnavailableError)
    await expect(s.cache.flush()).rejects.toSatisfy(isStoreUnavailableError)
  })

  it('validates its options', () => {
    const c = deadClient()
    clients.push(c)
    const bad = [{ onStoreError: 'maybe' }, { commandTimeoutMs: 0 }, { prefix: 'a{b}' }, { clock: 'local' }, { cache: { encryptionKey: 'short' } }, { colour: 'blue' }, { onStoreError: { queue: 'open' } }]
    for (const o of bad) {
      let error: unknown
      try {
        redisStore(c, o as never)
      } catch (e) {
        error = e
      }
      expect(isSluiceConfigError(error) && error.code === 'ERR_INVALID_STORE', JSON.stringify(o)).toBe(true)
    }
    expect(() => redisStore({} as never)).toThrow(/ERR_INVALID_STORE/)
    expect(() => redisStore('http://127.0.0.1')).toThrow(/ERR_INVALID_STORE/)
  })
})

describe('a reply the throttle script should never give', () => {
  it('fails every decision of the batch by the policy (closed: rejects), none left waiting', async () => {
    // a stand-in client that is connected and answers every script with an empty list
    const stub = { status: 'ready', isCluster: false, evalsha: async () => [], eval: async () => [], on: () => stub, connect: async () => undefined, ping: async () => 'PONG' }
    const s = redisStore(stub as unknown as Redis, { onStoreError: 'closed', prefix: 'sluice-test:stub:' })
    const plan: BucketRef = { key: composeKey('p', 'gold', 'k1'), spec: spec(1, 2), layer: 'plan' }
    // the first goes alone, the other four wait for it and go as one batch
    const all = await Promise.allSettled(Array.from({ length: 5 }, () => s.throttle.consume({ buckets: [plan] }, T0)))
    expect(all.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected', 'rejected'])
    for (const r of all) expect(isStoreUnavailableError((r as PromiseRejectedResult).reason)).toBe(true)
    expect(s.throttle.stats.batches).toBe(2)
    await s.close()
  })
})

if (await redisAvailable()) {
  describe('on Redis', () => {
    let client: Redis
    const prefixes: string[] = []
    const stores: RedisStores[] = []
    const make = (options: Parameters<typeof redisStore>[1] = {}): RedisStores => {
      const prefix = testPrefix('store')
      prefixes.push(prefix)
      // a generous wait and fail-closed: a busy machine makes a test fail loudly, never decide locally
      const s = redisStore(client, { prefix, commandTimeoutMs: 10_000, onStoreError: 'closed', ...options })
      stores.push(s)
      return s
    }
    beforeAll(async () => {
      client = testClient()
      await ready(client)
    })
    afterAll(async () => {
      for (const s of stores) await s.close()
      for (const p of prefixes) await cleanPrefix(client, p)
      client.disconnect()
    })
    afterEach(() => expect(unhandled).toEqual([]))

    it("takes the time from Redis's clock, whatever the application's clock says", async () => {
      const s = make()
      const plan: BucketRef = { key: composeKey('p', 'gold', composeKey('k', 'time')), spec: spec(1, 5), layer: 'plan' }
      const [sec, usec] = await client.time()
      const before = Number(sec) * 1000 + Math.floor(Number(usec) / 1000)
      // an application clock a year behind
      expect(await s.throttle.consume({ buckets: [plan] }, T0 - 365 * 86_400_000)).toMatchObject({ allowed: true })
      const at = Number((await client.get(s.throttle.redisKey('b', plan.key)))?.split(':')[1])
      const [sec2, usec2] = await client.time()
      expect(at).toBeGreaterThanOrEqual(before)
      expect(at).toBeLessThanOrEqual(Number(sec2) * 1000 + Math.floor(Number(usec2) / 1000))
    })

    it('keeps one caller in one hash slot, and lets idle buckets expire when they would be full again', async () => {
      const s = make({ clock: 'gateway' })
      const id = composeKey('k', 'slot')
      const plan: BucketRef = { key: composeKey('p', 'gold', id), spec: spec(2, 10), layer: 'plan' }
      const method: BucketRef = { key: composeKey('m', 'gold', id, 'prod', '/pets/GET'), spec: spec(1, 5), layer: 'plan-method' }
      const tags = [s.throttle.redisKey('b', plan.key), s.throttle.redisKey('b', method.key), s.throttle.redisKey('q', composeKey('q', 'gold', id))].map((k) => /\{([^}]*)\}/.exec(k)?.[1])
      expect(new Set(tags)).toEqual(new Set([id]))
      await s.throttle.consume({ buckets: [method, plan] }, T0)
      // one token short of full: 500 ms to refill plus the idle grace
      const pttl = await client.pttl(s.throttle.redisKey('b', plan.key))
      expect(pttl).toBeGreaterThan(10_000)
      expect(pttl).toBeLessThanOrEqual(10_500)
      const single = make({ hashTag: 'single' })
      expect(single.throttle.redisKey('b', plan.key)).toContain('{}b:')
    })

    it('remembers a refused caller: the rejected flood costs no Redis call until the bucket could admit again', async () => {
      const s = make({ clock: 'gateway' })
      const plan: BucketRef = { key: composeKey('p', 'gold', composeKey('k', 'flood')), spec: spec(1, 1), layer: 'plan' }
      expect(await s.throttle.consume({ buckets: [plan] }, T0)).toMatchObject({ allowed: true })
      expect(await s.throttle.consume({ buckets: [plan] }, T0 + 1)).toMatchObject({ allowed: false, waitMs: [999] })
      const calls = s.stats.calls
      for (let i = 0; i < 1000; i++) {
        const d = s.throttle.consume({ buckets: [plan] }, T0 + 2 + (i % 900))
        expect(d).not.toBeInstanceOf(Promise)
        expect(d).toMatchObject({ allowed: false, boundBucket: 0 })
      }
      expect(s.stats.calls).toBe(calls)
      expect(s.throttle.stats.remembered).toBe(1000)
      // when the bucket can admit again, Redis decides again
      expect(await s.throttle.consume({ buckets: [plan] }, T0 + 1000)).toMatchObject({ allowed: true })
      expect(s.stats.calls).toBe(calls + 1)
    })

    it('decides concurrent requests in batches, in order, exactly as one call each would', async () => {
      const s = make({ clock: 'gateway', rememberDenials: false })
      // a shared account bucket of 25 and per-caller plans of 3 with quotas of 2: the batch reads and writes each key once
      const account: BucketRef = { key: composeKey('a', 'batch'), spec: spec(0.001, 25), layer: 'account', pinned: true }
      const day = Date.UTC(2026, 10, 18)
      const queries = Array.from({ length: 20 }, (_, c) => {
        const id = composeKey('k', `batch-${c}`)
        return {
          buckets: [{ key: composeKey('p', 'gold', id), spec: spec(0.001, 3), layer: 'plan' } as BucketRef, account],
          quota: { key: composeKey('q', 'gold', id), limit: 2, periodStart: day, periodEnd: day + 86_400_000, day },
        }
      })
      const batchesBefore = s.throttle.stats.batches
      // 3 requests per caller, all in flight at once: per caller the quota admits 2; the account admits 25 of the 40
      const all = await Promise.all(queries.flatMap((q) => [0, 1, 2].map(() => s.throttle.consume(q, T0))))
      const sentBatches = s.throttle.stats.batches - batchesBefore
      expect(sentBatches).toBeGreaterThan(1)
      expect(sentBatches).toBeLessThan(60)
      const admitted = all.filter((d) => d.allowed)
      expect(admitted).toHaveLength(25)
      // order is kept: the first 25 admissible requests (2 per caller, in sending order) are the admitted ones
      const byCaller = queries.map((_, c) => all.slice(c * 3, c * 3 + 3).map((d) => d.allowed))
      for (const [c, row] of byCaller.entries()) {
        expect(row[2]).toBe(false)
        if (c < 12) expect(row.slice(0, 2)).toEqual([true, true])
      }
      expect(all[2]).toMatchObject({ allowed: false, quotaExceeded: true, quotaUsed: 2 })
      // the stored account bucket holds what is left after the last admitted decision
      const stored = await client.get(s.throttle.redisKey('b', account.key))
      expect(Number(stored?.split(':')[0])).toBe(0)
      const usage = await client.hget(s.throttle.redisKey('d', `${composeKey('q', 'gold', composeKey('k', 'batch-0'))}:${day}`), 'u')
      expect(usage).toBe('2')
    })

    it('encrypts cache entries at rest, bound to their key; names are digests', async () => {
      const key = Buffer.alloc(32, 7)
      const s = make({ cache: { encryptionKey: key } })
      const secret = 'the-secret-body-text'
      const cacheKey = composeKey('c', 'prod', 'GET', '/pets', '', 'header.authorization=["Bearer abc"]')
      await s.cache.set(cacheKey, { response: { status: 200, headers: { 'x-secret-header': 'hidden-value' }, body: Buffer.from(secret) }, storedAt: T0, expiresAt: T0 + 60_000, path: '/pets', resourcePath: '/pets' })
      const rk = s.cache.redisKey(cacheKey)
      expect(rk).not.toContain('Bearer')
      const raw = await client.hgetBuffer(rk, 'v')
      expect(raw).not.toBeNull()
      expect(raw?.includes(secret)).toBe(false)
      expect(raw?.includes('hidden-value')).toBe(false)
      expect(Buffer.from(((await s.cache.get(cacheKey)) as CacheEntry).response.body as Uint8Array).toString()).toBe(secret)
      // another key cannot read it; a value moved under another name does not open
      const other = redisStore(client, { prefix: prefixes.at(-1) as string, cache: { encryptionKey: Buffer.alloc(32, 8) } })
      stores.push(other)
      expect(await other.cache.get(cacheKey)).toBeUndefined()
      const moved = s.cache.redisKey('another')
      await client.hset(moved, 'v', raw as Buffer)
      expect(await s.cache.get('another')).toBeUndefined()
      // the entry expires with its TTL
      const pttl = await client.pttl(rk)
      expect(pttl).toBeGreaterThan(55_000)
      expect(pttl).toBeLessThanOrEqual(60_000)
    })

    it('the documented set-ups: a client with RECOMMENDED_CLIENT_OPTIONS, or a URL (closed by close())', async () => {
      const prefix = testPrefix('setup')
      prefixes.push(prefix)
      const own = new Redis(REDIS_URL, RECOMMENDED_CLIENT_OPTIONS)
      own.on('error', () => undefined)
      await ready(own)
      const a = redisStore(own, { prefix })
      const b = redisStore(REDIS_URL, { prefix })
      await new Promise<void>((r) => (b.client.status === 'ready' ? r() : b.client.once('ready', () => r())))
      const plan: BucketRef = { key: composeKey('p', 'gold', composeKey('k', 'setup')), spec: spec(1, 1), layer: 'plan' }
      expect(await a.throttle.consume({ buckets: [plan] }, T0)).toMatchObject({ allowed: true })
      expect(await b.throttle.consume({ buckets: [plan] }, T0)).toMatchObject({ allowed: false })
      await a.close()
      await b.close()
      expect(own.status).toBe('ready')
      expect(['end', 'close']).toContain(b.client.status)
      own.disconnect()
    })

    it('a gateway on Redis: apiKey + throttle admits the burst, then 429 with Retry-After', async () => {
      const s = make()
      const gw = createGateway({ apiKeys: [{ id: 'gold', value: KEY, usagePlanIds: ['gold'] }], usagePlans: [{ id: 'gold', throttle: { rateLimit: 0.5, burstLimit: 2 }, quota: { limit: 100, period: 'DAY' } }], store: s })
      const step = gw.chain(gw.apiKey(), gw.throttle())
      const req = (): ReturnType<typeof createRequest> => createRequest({ url: 'http://localhost/pets', headers: { 'x-api-key': KEY } })
      expect((await simulate(step, req())).response.status).toBe(200)
      expect((await simulate(step, req())).response.status).toBe(200)
      const denied = await simulate(step, req())
      expect(denied.response.status).toBe(429)
      expect(denied.response.headers['retry-after']).toBe('2')
      const today = new Date().toISOString().slice(0, 10)
      const usage = await gw.getUsage({ usagePlanId: 'gold', startDate: today, endDate: today })
      expect(usage.items['gold']).toEqual([[2, 98]])
    })
  })
}
