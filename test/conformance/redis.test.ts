/**
 * Throttling, quotas and caching on the Redis stores, on every adapter: the same transcripts as
 * with the memory stores. Each adapter's run starts from a clean state through the public API
 * (`resetUsage`, `flushCache`), as a second process sharing the Redis would see it.
 */
import { afterAll, describe, expect } from 'vitest'
import { redisStore, type RedisStores } from '@sluice/redis'
import { Redis } from 'ioredis'
import type { AppSpec } from '../support/apps.js'
import { CLIENT_OPTIONS, cleanPrefix, redisAvailable, testClient, testPrefix } from '../support/redis.js'
import { scenario } from '../support/scenario.js'

const GOLD = 'goldkey1234abcdefghij0123456789'
const T0 = Date.UTC(2026, 10, 18, 12, 0, 0)
const keys = [{ id: 'gold', name: 'Gold', value: GOLD, usagePlanIds: ['gold'] }]
const routes: AppSpec['routes'] = [{ method: 'GET', path: '/pets', echo: true }]
const get = (path: string) => ({ path, headers: { 'x-api-key': GOLD } })

const opened: RedisStores[] = []
const clients: Redis[] = []
const prefixes: string[] = []
afterAll(async () => {
  for (const s of opened) await s.close()
  const c = clients[0]
  if (c) for (const p of prefixes) await cleanPrefix(c, p)
  for (const c of clients) c.disconnect()
})

describe('fail-closed on every adapter (Redis unreachable)', () => {
  const dead = new Redis('redis://127.0.0.1:1', { ...CLIENT_OPTIONS, retryStrategy: () => 200 })
  dead.on('error', () => undefined)
  clients.push(dead)
  const store = redisStore(dead, { onStoreError: 'closed', prefix: 'sluice-test:redis:conformance-dead:' })
  opened.push(store)
  scenario(
    '503 Service Unavailable with Retry-After, never a 429',
    { options: { apiKeys: keys, usagePlans: [{ id: 'gold', throttle: { rateLimit: 1, burstLimit: 1 } }], store }, features: (gw) => [gw.apiKey(), gw.throttle()], routes, clockStart: T0 },
    async ({ send }) => {
      for (let i = 0; i < 3; i++) {
        const r = await send(get('/pets'))
        expect(r.status).toBe(503)
        expect(r.headers['retry-after']).toBe('1')
        expect(r.body).toBe('{"message":"Service Unavailable"}')
      }
    },
  )
})

if (await redisAvailable()) {
  const client = testClient()
  clients.unshift(client)
  const make = (name: string): RedisStores => {
    const prefix = testPrefix(`conformance-${name}`)
    prefixes.push(prefix)
    const s = redisStore(client, { prefix, clock: 'gateway', commandTimeoutMs: 10_000, onStoreError: 'closed' })
    opened.push(s)
    return s
  }

  describe('throttling on Redis, on every adapter', () => {
    scenario(
      'burst, then 429 THROTTLED with Retry-After, then refill; quota and usage shared',
      {
        options: { apiKeys: keys, accountThrottle: false, usagePlans: [{ id: 'gold', throttle: { rateLimit: 0.5, burstLimit: 2 }, quota: { limit: 4, period: 'DAY' } }], store: make('throttle') },
        features: (gw) => [gw.apiKey(), gw.throttle(undefined, { rateLimitHeaders: true })],
        routes,
        clockStart: T0,
      },
      async ({ send, clock, gw }) => {
        await gw.core.resetUsage({ usagePlanId: 'gold', keyId: 'gold' })
        expect((await send(get('/pets'))).status).toBe(200)
        expect((await send(get('/pets'))).status).toBe(200)
        const denied = await send(get('/pets'))
        expect(denied.status).toBe(429)
        expect(denied.body).toBe('{"message":"Too Many Requests"}')
        expect(denied.headers['retry-after']).toBe('2')
        expect(denied.headers['ratelimit']).toBe('"plan";r=0;t=4, "quota";r=2;t=43200')
        clock.advance(2000)
        expect((await send(get('/pets'))).status).toBe(200)
        clock.advance(2000)
        expect((await send(get('/pets'))).status).toBe(200)
        clock.advance(2000)
        const quota = await send(get('/pets'))
        expect(quota.status).toBe(429)
        expect(quota.body).toBe('{"message":"Limit Exceeded"}')
        const usage = await gw.getUsage({ usagePlanId: 'gold', startDate: '2026-11-18', endDate: '2026-11-18' })
        expect(usage.items['gold']?.[0]?.[1]).toBe(0)
      },
    )

    scenario(
      "on Redis's own clock: the burst, then 429 with Retry-After",
      {
        options: { apiKeys: keys, accountThrottle: false, usagePlans: [{ id: 'gold', throttle: { rateLimit: 0.5, burstLimit: 2 } }], store: (() => {
          const prefix = testPrefix('conformance-time')
          prefixes.push(prefix)
          const s = redisStore(client, { prefix, commandTimeoutMs: 10_000, onStoreError: 'closed' })
          opened.push(s)
          return s
        })() },
        features: (gw) => [gw.chain(gw.apiKey() as never, gw.throttle() as never)],
        routes,
      },
      async ({ send, gw }) => {
        await gw.core.resetUsage({ usagePlanId: 'gold', keyId: 'gold' })
        expect((await send(get('/pets'))).status).toBe(200)
        expect((await send(get('/pets'))).status).toBe(200)
        const denied = await send(get('/pets'))
        expect(denied.status).toBe(429)
        expect(denied.headers['retry-after']).toBe('2')
      },
    )
  })

  describe('caching on Redis, on every adapter', () => {
    scenario(
      'miss, then hit with Age from another gateway sharing the store; flush',
      { options: { apiKeys: [{ id: 'gold', name: 'Gold', value: GOLD }], store: make('cache') }, features: (gw) => [gw.apiKey(), gw.cache({ ttl: 60 })], routes, clockStart: T0 },
      async ({ send, clock, gw }) => {
        await gw.flushCache()
        const first = await send(get('/pets'))
        expect(first.headers['age']).toBeUndefined()
        clock.advance(3000)
        const hit = await send(get('/pets'))
        expect(hit.body).toBe(first.body)
        expect(hit.headers['age']).toBe('3')
        expect(await gw.flushCache({ pathPrefix: '/pets' })).toBe(1)
        const after = await send(get('/pets'))
        expect(after.headers['age']).toBeUndefined()
      },
    )
  })
}
