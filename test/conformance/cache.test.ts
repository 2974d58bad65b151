import fc from 'fast-check'
import { describe, expect } from 'vitest'
import type { AppSpec } from '../support/apps.js'
import { scenario } from '../support/scenario.js'

const GOLD = 'goldkey1234abcdefghij0123456789'
const SILVER = 'silverkey1234abcdefghij012345678'
const T0 = Date.UTC(2026, 10, 18, 12, 0, 0)
const WARNING = '199 - "Cache-Control: max-age=0 ignored: the caller is not authorized to invalidate the cache"'

const routes: AppSpec['routes'] = [
  { method: 'GET', path: '/pets', echo: true },
  { method: 'GET', path: '/users', echo: true },
  { method: 'GET', path: '/private', echo: true, headers: { 'cache-control': 'private, max-age=60' } },
  { method: 'GET', path: '/nostore', echo: true, headers: { 'cache-control': 'no-store' } },
  { method: 'GET', path: '/cookie', echo: true, cookies: ['session=abc; Path=/'] },
  { method: 'GET', path: '/broken', echo: true, status: 503 },
  { method: 'GET', path: '/slow', echo: true, delayMs: 150 },
  { method: 'GET', path: '/me/:n', echo: true },
  { method: 'GET', path: '/json', body: '{"pets":[1,2,3]}', kind: 'json' },
  { method: 'GET', path: '/stream', body: '{"pets":[1,2,3]}', kind: 'stream' },
  { method: 'GET', path: '/large', kind: 'large' },
]

const n = (body: string): number => (JSON.parse(body) as { n: number }).n
const spec = (cache: object = {}, extra: Partial<AppSpec> = {}): AppSpec => ({
  options: { apiKeys: [{ id: 'gold', value: GOLD }, { id: 'silver', value: SILVER }] },
  features: (gw) => [gw.cache(cache)],
  routes,
  clockStart: T0,
  ...extra,
})

describe('response cache on every adapter', () => {
  scenario('miss, then hit: the backend is called once; the hit carries Age', spec(), async ({ send, clock, gw }) => {
    const a = await send({ path: '/pets' })
    expect(a.status).toBe(200)
    expect(n(a.body)).toBe(1)
    expect(a.headers['age']).toBeUndefined()
    clock.advance(3000)
    const b = await send({ path: '/pets' })
    expect(b.body).toBe(a.body)
    expect(b.headers['age']).toBe('3')
    expect(b.headers['content-type']).toBe('application/json')
    expect(b.headers['x-amzn-requestid']).toBe('00000000-0000-4000-8000-000000000002')
    expect(gw.cacheStats()).toMatchObject({ hits: 1, misses: 1, stores: 1 })
  })

  scenario('TTL expiry on the manual clock', spec({ ttl: 60 }), async ({ send, clock }) => {
    await send({ path: '/pets' })
    clock.advance(59_999)
    expect(n((await send({ path: '/pets' })).body)).toBe(1)
    clock.advance(1)
    expect(n((await send({ path: '/pets' })).body)).toBe(2)
  })

  scenario('declared key parameters split entries; undeclared ones do not', spec({ key: ['querystring.type'] }), async ({ send }) => {
    expect(n((await send({ path: '/users?type=admin&department=A' })).body)).toBe(1)
    expect(n((await send({ path: '/users?type=admin&department=B' })).body)).toBe(1)
    expect(n((await send({ path: '/users?type=staff&department=A' })).body)).toBe(2)
  })

  scenario('no-store, private, Set-Cookie and 5xx responses are never cached', spec(), async ({ send }) => {
    for (const path of ['/nostore', '/private', '/cookie', '/broken']) {
      expect(n((await send({ path })).body), path).toBe(1)
      expect(n((await send({ path })).body), path).toBe(2)
    }
  })

  scenario('max-age=0 with authorization not required: refetched and replaced', spec({ requireAuthorization: false }), async ({ send }) => {
    await send({ path: '/pets' })
    expect(n((await send({ path: '/pets', headers: { 'cache-control': 'max-age=0' } })).body)).toBe(2)
    expect(n((await send({ path: '/pets' })).body)).toBe(2)
  })

  scenario(
    'max-age=0 from an authorized caller: refetched',
    spec({ authorizeInvalidation: (ex: { request: { headers: { get(n: string): string | null } } }) => ex.request.headers.get('x-role') === 'admin' }),
    async ({ send }) => {
      await send({ path: '/pets' })
      expect(n((await send({ path: '/pets', headers: { 'cache-control': 'max-age=0', 'x-role': 'admin' } })).body)).toBe(2)
    },
  )

  scenario('unauthorized max-age=0, FAIL_WITH_403: refused; the backend is not called; the entry stays', spec({ unauthorizedStrategy: 'FAIL_WITH_403' }), async ({ send }) => {
    await send({ path: '/pets' })
    const r = await send({ path: '/pets', headers: { 'cache-control': 'max-age=0' } })
    expect(r.status).toBe(403)
    expect(r.body).toBe('{"Message":"User is not authorized to invalidate the cache"}')
    expect(r.headers['x-amzn-errortype']).toBe('AccessDeniedException')
    expect(n((await send({ path: '/pets' })).body)).toBe(1)
  })

  scenario('unauthorized max-age=0, SUCCEED_WITH_RESPONSE_HEADER: the cached response, with a warning', spec({ unauthorizedStrategy: 'SUCCEED_WITH_RESPONSE_HEADER' }), async ({ send }) => {
    await send({ path: '/pets' })
    const r = await send({ path: '/pets', headers: { 'cache-control': 'no-cache, max-age=0' } })
    expect(n(r.body)).toBe(1)
    expect(r.headers['warning']).toBe(WARNING)
  })

  scenario('unauthorized max-age=0, SUCCEED_WITHOUT_RESPONSE_HEADER: the cached response, silently', spec({ unauthorizedStrategy: 'SUCCEED_WITHOUT_RESPONSE_HEADER' }), async ({ send }) => {
    await send({ path: '/pets' })
    const r = await send({ path: '/pets', headers: { 'cache-control': 'max-age=0' } })
    expect(n(r.body)).toBe(1)
    expect(r.headers['warning']).toBeUndefined()
  })

  scenario(
    'concurrent misses for one key make one backend call',
    spec(),
    async ({ send }) => {
      const all = await Promise.all(Array.from({ length: 5 }, () => send({ path: '/slow' })))
      expect(all.map((r) => n(r.body))).toEqual([1, 1, 1, 1, 1])
      expect(all.filter((r) => r.headers['age'] === '0')).toHaveLength(4)
    },
    { compare: 'unordered' },
  )

  scenario(
    'two API keys never see each other\'s cached response (random sequences, echoing backend)',
    spec({}, { features: (gw) => [gw.apiKey(), gw.cache()], mount: 'route' }),
    async ({ send }) => {
      const keys = [GOLD, SILVER]
      const seq = fc.sample(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 2 })), { numRuns: 24, seed: 7 })
      for (const [who, path] of seq) {
        const r = await send({ path: `/me/${path}`, headers: { 'x-api-key': keys[who] as string } })
        expect((JSON.parse(r.body) as { key: string }).key).toBe(keys[who])
      }
    },
  )

  scenario('JSON objects and streamed bodies are cached; a stream above the capture limit passes through uncached', spec(), async ({ send, clock }) => {
    for (const path of ['/json', '/stream']) {
      const a = await send({ path })
      clock.advance(1000)
      const b = await send({ path })
      expect(a.body, path).toBe('{"pets":[1,2,3]}')
      expect(b.body, path).toBe(a.body)
      expect(b.headers['age'], path).toBe('1')
    }
    const big = await send({ path: '/large' })
    const again = await send({ path: '/large' })
    expect(again.body.length).toBe(big.body.length)
    expect(again.headers['age']).toBeUndefined()
  })

  scenario('flushing the cache through the gateway API', spec(), async ({ send, gw }) => {
    await send({ path: '/pets' })
    await send({ path: '/users' })
    expect(await gw.flushCache({ pathPrefix: '/pets' })).toBe(1)
    expect(n((await send({ path: '/pets' })).body)).toBe(2)
    expect(n((await send({ path: '/users' })).body)).toBe(1)
  })
})
