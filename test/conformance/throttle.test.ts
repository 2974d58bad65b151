import { describe, expect } from 'vitest'
import type { AppSpec } from '../support/apps.js'
import { scenario } from '../support/scenario.js'

const GOLD = 'goldkey1234abcdefghij0123456789'
const SILVER = 'silverkey1234abcdefghij012345678'
const T0 = Date.UTC(2026, 10, 18, 12, 0, 0)
const TOO_MANY = '{"message":"Too Many Requests"}'

const keys = [
  { id: 'gold', name: 'Gold', value: GOLD, usagePlanIds: ['gold'] },
  { id: 'silver', name: 'Silver', value: SILVER, usagePlanIds: ['gold'] },
]
const routes: AppSpec['routes'] = [
  { method: 'GET', path: '/pets' },
  { method: 'GET', path: '/pets/:id' },
  { method: 'GET', path: '/toys' },
]

const get = (path: string, key: string) => ({ path, headers: { 'x-api-key': key } })

describe('throttling on every adapter', () => {
  scenario(
    'burst, then 429 THROTTLED with Retry-After, then refill',
    { options: { apiKeys: keys, usagePlans: [{ id: 'gold', throttle: { rateLimit: 0.5, burstLimit: 2 } }] }, features: (gw) => [gw.apiKey(), gw.throttle()], routes, clockStart: T0 },
    async ({ send, clock }) => {
      expect((await send(get('/pets', GOLD))).status).toBe(200)
      expect((await send(get('/pets', GOLD))).status).toBe(200)
      const denied = await send(get('/pets', GOLD))
      expect(denied.status).toBe(429)
      expect(denied.body).toBe(TOO_MANY)
      expect(denied.headers['x-amzn-errortype']).toBe('TooManyRequestsException')
      expect(denied.headers['retry-after']).toBe('2')
      clock.advance(1999)
      expect((await send(get('/pets', GOLD))).headers['retry-after']).toBe('1')
      clock.advance(1)
      expect((await send(get('/pets', GOLD))).status).toBe(200)
      expect((await send(get('/pets', GOLD))).status).toBe(429)
    },
  )

  scenario(
    'chain(apiKey, throttle) as one middleware decides exactly as the two mounted apart',
    { options: { apiKeys: keys, usagePlans: [{ id: 'gold', throttle: { rateLimit: 0.5, burstLimit: 2 } }] }, features: (gw) => [gw.chain(gw.apiKey() as never, gw.throttle() as never)], routes, clockStart: T0 },
    async ({ send, clock }) => {
      expect((await send({ path: '/pets' })).status).toBe(403)
      expect((await send(get('/pets', GOLD))).status).toBe(200)
      const ok = await send(get('/pets', GOLD))
      expect(ok.status).toBe(200)
      expect(ok.headers['x-amzn-requestid']).toBe('00000000-0000-4000-8000-000000000003')
      const denied = await send(get('/pets', GOLD))
      expect(denied.status).toBe(429)
      expect(denied.headers['retry-after']).toBe('2')
      clock.advance(2000)
      expect((await send(get('/pets', GOLD))).status).toBe(200)
    },
  )

  scenario(
    'two keys never share a bucket',
    { options: { apiKeys: keys, usagePlans: [{ id: 'gold', throttle: { rateLimit: 1, burstLimit: 1 } }] }, features: (gw) => [gw.apiKey(), gw.throttle()], routes, clockStart: T0 },
    async ({ send }) => {
      expect((await send(get('/pets', GOLD))).status).toBe(200)
      expect((await send(get('/pets', GOLD))).status).toBe(429)
      expect((await send(get('/pets', SILVER))).status).toBe(200)
      expect((await send(get('/pets', SILVER))).status).toBe(429)
    },
  )

  scenario(
    'per-method plan limit beats plan limit beats stage limit, on the matched route template',
    {
      options: {
        apiKeys: keys,
        stage: { name: 'prod', methodSettings: { '/toys/GET': { throttlingRateLimit: 1, throttlingBurstLimit: 4 } } },
        usagePlans: [{ id: 'gold', throttle: { rateLimit: 1, burstLimit: 6 }, apiStages: [{ stage: 'prod', throttle: { '/pets/{id}/GET': { rateLimit: 1, burstLimit: 2 } } }] }],
      },
      features: (gw) => [gw.apiKey(), gw.throttle(undefined, { rateLimitHeaders: true })],
      mount: 'route',
      routes,
      clockStart: T0,
    },
    async ({ send }) => {
      // per-method plan limit (2) on /pets/{id}, whatever the id
      expect((await send(get('/pets/1', GOLD))).status).toBe(200)
      expect((await send(get('/pets/2', GOLD))).status).toBe(200)
      const m = await send(get('/pets/3', GOLD))
      expect(m.status).toBe(429)
      expect(m.headers['ratelimit']).toBe('"plan-method";r=0;t=2, "plan";r=4;t=2, "account";r=4998;t=1')
      // stage limit (4) binds silver on /toys, shared by every caller
      for (let i = 0; i < 2; i++) expect((await send(get('/toys', GOLD))).status).toBe(200)
      for (let i = 0; i < 2; i++) expect((await send(get('/toys', SILVER))).status).toBe(200)
      const s = await send(get('/toys', SILVER))
      expect(s.status).toBe(429)
      expect(s.headers['ratelimit']).toBe('"plan";r=4;t=2, "stage-method";r=0;t=4, "account";r=4994;t=1')
      // plan limit (6) binds gold: 2 spent on /pets/{id}, 2 on /toys; 2 left for /pets
      expect((await send(get('/pets', GOLD))).status).toBe(200)
      expect((await send(get('/pets', GOLD))).status).toBe(200)
      const p = await send(get('/pets', GOLD))
      expect(p.status).toBe(429)
      expect(p.headers['ratelimit-policy']).toBe('"plan";q=6;w=6, "account";q=5000;w=1')
    },
  )

  scenario(
    'quota exhaustion, then reset exactly at the period boundary',
    { options: { apiKeys: keys, usagePlans: [{ id: 'gold', quota: { limit: 2, period: 'DAY' } }] }, features: (gw) => [gw.apiKey(), gw.throttle()], routes, clockStart: T0 },
    async ({ send, clock }) => {
      expect((await send(get('/pets', GOLD))).status).toBe(200)
      expect((await send(get('/pets', GOLD))).status).toBe(200)
      const q = await send(get('/pets', GOLD))
      expect(q.status).toBe(429)
      expect(q.body).toBe('{"message":"Limit Exceeded"}')
      expect(q.headers['x-amzn-errortype']).toBe('LimitExceededException')
      expect(q.headers['retry-after']).toBe(String(12 * 3600))
      clock.set(Date.UTC(2026, 10, 19) - 1)
      expect((await send(get('/pets', GOLD))).status).toBe(429)
      clock.set(Date.UTC(2026, 10, 19))
      expect((await send(get('/pets', GOLD))).status).toBe(200)
      expect((await send(get('/pets', SILVER))).status).toBe(200)
    },
  )

  scenario(
    'RateLimit and RateLimit-Policy headers on allowed requests, with the quota',
    {
      options: { apiKeys: keys, accountThrottle: { rateLimit: 100, burstLimit: 50 }, usagePlans: [{ id: 'gold', throttle: { rateLimit: 2, burstLimit: 10 }, quota: { limit: 1000, period: 'MONTH' } }] },
      features: (gw) => [gw.apiKey(), gw.throttle(undefined, { rateLimitHeaders: true })],
      routes,
      clockStart: T0,
    },
    async ({ send }) => {
      const r = await send(get('/pets', GOLD))
      expect(r.status).toBe(200)
      expect(r.headers['ratelimit-policy']).toBe('"plan";q=10;w=5, "account";q=50;w=1, "quota";q=1000;w=2592000')
      expect(r.headers['ratelimit']).toBe('"plan";r=9;t=1, "account";r=49;t=1, "quota";r=999;t=1080000')
    },
  )

  scenario(
    'a per-client limit without API keys counts client addresses',
    { options: {}, features: (gw) => [gw.throttle({ id: 'per-ip', throttle: { rateLimit: 1, burstLimit: 2 } })], routes, clockStart: T0 },
    async ({ send }) => {
      expect((await send({ path: '/pets' })).status).toBe(200)
      expect((await send({ path: '/pets', headers: { 'x-forwarded-for': '198.51.100.9' } })).status).toBe(200)
      const d = await send({ path: '/toys', headers: { 'x-forwarded-for': '198.51.100.10' } })
      expect(d.status).toBe(429)
      expect(d.body).toBe(TOO_MANY)
    },
  )
})

describe('client addresses behind a proxy, on every adapter', () => {
  const perIp: AppSpec['features'] = (gw) => [gw.throttle({ id: 'per-ip', throttle: { rateLimit: 1, burstLimit: 1 } })]

  scenario(
    'with the proxy trusted, two clients behind it get two buckets; a spoofed leftmost entry is ignored',
    { options: { trustProxy: ['127.0.0.1/32'] }, features: perIp, routes, clockStart: T0 },
    async ({ send }) => {
      expect((await send({ path: '/pets', headers: { 'x-forwarded-for': '198.51.100.1' } })).status).toBe(200)
      expect((await send({ path: '/pets', headers: { 'x-forwarded-for': '198.51.100.2' } })).status).toBe(200)
      expect((await send({ path: '/pets', headers: { 'x-forwarded-for': '198.51.100.1' } })).status).toBe(429)
      // the client wrote a first hop itself: only the hop the trusted proxy appended counts
      expect((await send({ path: '/pets', headers: { 'x-forwarded-for': '203.0.113.99, 198.51.100.2' } })).status).toBe(429)
      // an IPv4-mapped IPv6 hop is the same client as its IPv4 form
      expect((await send({ path: '/pets', headers: { 'x-forwarded-for': '::ffff:198.51.100.1' } })).status).toBe(429)
    },
  )

  scenario(
    'without trust, X-Forwarded-For mints no buckets: every request counts as the socket address',
    { options: {}, features: perIp, routes, clockStart: T0 },
    async ({ send }) => {
      expect((await send({ path: '/pets', headers: { 'x-forwarded-for': '198.51.100.1' } })).status).toBe(200)
      expect((await send({ path: '/pets', headers: { 'x-forwarded-for': '198.51.100.2' } })).status).toBe(429)
    },
  )
})
