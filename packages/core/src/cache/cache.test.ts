import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isSluiceConfigError } from '../errors.js'
import type { Exchange } from '../exchange.js'
import { createGateway, type GatewayOptions } from '../gateway.js'
import type { GatewayResponse } from '../response.js'
import { ManualClock } from '../testing/clock.js'
import { simulate } from '../testing/simulate.js'
import { createRequest, type RequestInit } from '../request.js'
import { INVALIDATION_WARNING } from './cache.js'
import type { CacheOptions } from './settings.js'
import { MemoryCacheStore } from './store.js'

const GOLD = 'goldkey1234abcdefghij0123456789'
const SILVER = 'silverkey1234abcdefghij012345678'
const T0 = Date.UTC(2026, 10, 18, 12)

function setup(options: GatewayOptions = {}, cache: CacheOptions = {}) {
  const clock = new ManualClock(T0)
  const gw = createGateway({ apiKeys: [{ id: 'gold', value: GOLD }, { id: 'silver', value: SILVER }], clock, ...options })
  let calls = 0
  let respondWith: (ex: Exchange) => GatewayResponse = (ex) => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ n: calls, path: ex.path, query: ex.query, key: ex.apiKey?.id ?? null }) })
  const handler = (ex: Exchange): GatewayResponse => {
    calls++
    return respondWith(ex)
  }
  const step = gw.cache(cache)
  const call = (req: RequestInit, steps = [step]) => simulate(steps, req, { handler })
  return {
    gw,
    clock,
    call,
    step,
    get calls() {
      return calls
    },
    answer(fn: (ex: Exchange) => GatewayResponse) {
      respondWith = fn
    },
  }
}

describe('cache: miss, hit, TTL', () => {
  it('serves the second request from the cache, with Age and a fresh request id', async () => {
    const t = setup()
    const a = await t.call({ url: '/pets' })
    expect(a.handled).toBe(true)
    expect(a.trace.map((e) => e.reason)).toEqual(['miss', 'stored'])
    t.clock.advance(2500)
    const b = await t.call({ url: '/pets' })
    expect(b.handled).toBe(false)
    expect(t.calls).toBe(1)
    expect(b.response.body.toString()).toBe(a.response.body.toString())
    expect(b.response.headers['age']).toBe('2')
    expect(b.response.headers['content-type']).toBe('application/json')
    expect(b.response.headers['x-amzn-requestid']).toBe(b.context.requestId)
    expect(b.response.headers['x-amzn-requestid']).not.toBe(a.context.requestId)
    expect(b.trace[0]).toMatchObject({ feature: 'cache', decision: 'respond', reason: 'hit' })
    expect(t.gw.cacheStats()).toMatchObject({ hits: 1, misses: 1, stores: 1 })
  })

  it('expires after the TTL (default 300 s), never before', async () => {
    const t = setup()
    await t.call({ url: '/pets' })
    t.clock.advance(300_000 - 1)
    await t.call({ url: '/pets' })
    expect(t.calls).toBe(1)
    t.clock.advance(1)
    await t.call({ url: '/pets' })
    expect(t.calls).toBe(2)
  })

  it('takes the TTL from the option, then the method setting, then the stage; 0 disables', async () => {
    const byOption = setup({}, { ttl: 10 })
    await byOption.call({ url: '/a' })
    byOption.clock.advance(10_000)
    await byOption.call({ url: '/a' })
    expect(byOption.calls).toBe(2)
    const byMethod = setup({ stage: { cache: { ttl: 100 }, methodSettings: { '/a/GET': { cacheTtlInSeconds: 5 } } } })
    await byMethod.call({ url: '/a' })
    byMethod.clock.advance(5_000)
    await byMethod.call({ url: '/a' })
    await byMethod.call({ url: '/b' })
    byMethod.clock.advance(50_000)
    await byMethod.call({ url: '/b' })
    expect(byMethod.calls).toBe(3)
    const off = setup({}, { ttl: 0 })
    await off.call({ url: '/a' })
    await off.call({ url: '/a' })
    expect(off.calls).toBe(2)
  })

  it('caches GET only, unless a method setting opts a method in (or out)', async () => {
    const t = setup({ stage: { methodSettings: { '/orders/POST': { cachingEnabled: true }, '/live/GET': { cachingEnabled: false } } } })
    await t.call({ url: '/pets', method: 'POST' })
    await t.call({ url: '/pets', method: 'POST' })
    expect(t.calls).toBe(2)
    await t.call({ url: '/orders', method: 'POST' })
    await t.call({ url: '/orders', method: 'POST' })
    expect(t.calls).toBe(3)
    await t.call({ url: '/live' })
    await t.call({ url: '/live' })
    expect(t.calls).toBe(5)
  })
})

describe('cache keys', () => {
  it('declared parameters split entries; undeclared ones do not (AWS semantics)', async () => {
    const t = setup({}, { key: ['querystring.type', 'method.request.header.Accept-Language'] })
    await t.call({ url: '/users?type=admin&department=A' })
    const b = await t.call({ url: '/users?type=admin&department=B' })
    expect(b.handled).toBe(false)
    await t.call({ url: '/users?type=staff&department=A' })
    await t.call({ url: '/users?type=admin', headers: { 'accept-language': 'fr' } })
    expect(t.calls).toBe(3)
  })

  it('a declared path parameter splits by its value, or by the whole path when the router gave none', async () => {
    const t = setup({}, { key: ['path.id'] })
    await t.call({ url: '/pets/1', params: { id: '1' } })
    await t.call({ url: '/pets/1?x=1', params: { id: '1' } })
    await t.call({ url: '/pets/2', params: { id: '2' } })
    await t.call({ url: '/pets/3' })
    await t.call({ url: '/pets/4' })
    expect(t.calls).toBe(4)
  })

  it('identified callers never share an entry unless the response is declared shared', async () => {
    const t = setup()
    const steps = [t.gw.apiKey(), t.step]
    const g = await t.call({ url: '/me', headers: { 'x-api-key': GOLD } }, steps)
    const s = await t.call({ url: '/me', headers: { 'x-api-key': SILVER } }, steps)
    expect(JSON.parse(g.response.body.toString()).key).toBe('gold')
    expect(JSON.parse(s.response.body.toString()).key).toBe('silver')
    const shared = setup({}, { shared: true })
    const steps2 = [shared.gw.apiKey(), shared.step]
    await shared.call({ url: '/catalog', headers: { 'x-api-key': GOLD } }, steps2)
    await shared.call({ url: '/catalog', headers: { 'x-api-key': SILVER } }, steps2)
    expect(shared.calls).toBe(1)
  })

  it('a cache mounted before apiKey() never stores what an identified caller received', async () => {
    const t = setup()
    const steps = [t.step, t.gw.apiKey()]
    await t.call({ url: '/me', headers: { 'x-api-key': GOLD } }, steps)
    const r = await t.call({ url: '/me', headers: { 'x-api-key': SILVER } }, steps)
    expect(JSON.parse(r.response.body.toString()).key).toBe('silver')
    expect(r.trace.at(-1)?.reason).toBe('not-stored:identified-after-lookup')
  })

  it('property: N identities × M paths with an echoing backend never cross identities', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 40 }), async (calls) => {
        const keys = Array.from({ length: 4 }, (_, i) => ({ id: `k${i}`, value: `propertykey${i}abcdefghij0123456789` }))
        const gw = createGateway({ apiKeys: keys, clock: new ManualClock(T0) })
        const steps = [gw.apiKey(), gw.cache()]
        for (const [who, path] of calls) {
          const r = await simulate(steps, { url: `/p/${path}`, headers: { 'x-api-key': keys[who]?.value as string } }, {
            handler: (ex) => ({ status: 200, headers: {}, body: `${ex.apiKey?.id}|${ex.path}` }),
          })
          if (r.response.body.toString() !== `k${who}|/p/${path}`) return false
        }
        return true
      }),
      { numRuns: 100 },
    )
  })
})

describe('what is never stored', () => {
  const cases: Array<[string, GatewayResponse]> = [
    ['set-cookie', { status: 200, headers: { 'set-cookie': 'a=1' }, body: 'x' }],
    ['cache-control private', { status: 200, headers: { 'cache-control': 'private, max-age=60' }, body: 'x' }],
    ['cache-control no-store', { status: 200, headers: { 'cache-control': 'no-store' }, body: 'x' }],
    ['5xx', { status: 503, headers: {}, body: 'x' }],
    ['204', { status: 204, headers: {}, body: '' }],
    ['too large', { status: 200, headers: {}, body: 'x'.repeat(1024 * 1024 + 1) }],
    ['vary on an undeclared header', { status: 200, headers: { vary: 'Authorization' }, body: 'x' }],
    ['vary *', { status: 200, headers: { vary: '*' }, body: 'x' }],
  ]
  for (const [name, response] of cases) {
    it(name, async () => {
      const t = setup()
      t.answer(() => response)
      const a = await t.call({ url: '/x' })
      await t.call({ url: '/x' })
      expect(t.calls).toBe(2)
      expect(a.trace.at(-1)?.reason).toMatch(/^not-stored:/)
    })
  }
  it('a response varying only on declared headers is stored', async () => {
    const t = setup({}, { key: ['header.accept-language'] })
    t.answer(() => ({ status: 200, headers: { vary: 'Accept-Language' }, body: 'x' }))
    await t.call({ url: '/x', headers: { 'accept-language': 'fr' } })
    await t.call({ url: '/x', headers: { 'accept-language': 'fr' } })
    expect(t.calls).toBe(1)
  })

  it('the trace names the key by digest, never with declared header values', async () => {
    const t = setup({}, { key: ['header.authorization'] })
    const r = await t.call({ url: '/x', headers: { authorization: 'Bearer secret-token' } })
    expect(JSON.stringify(r.trace)).not.toContain('secret-token')
    expect(r.trace[0]?.detail).toMatchObject({ resource: '/x', identity: null })
    expect(String(r.trace[0]?.detail?.['key'])).toMatch(/^[A-Za-z0-9_-]{22}$/)
  })

  it('status codes are configurable (but never 5xx)', async () => {
    const t = setup({}, { cacheableStatuses: [200, 404] })
    t.answer(() => ({ status: 404, headers: {}, body: 'none' }))
    await t.call({ url: '/x' })
    await t.call({ url: '/x' })
    expect(t.calls).toBe(1)
  })
})

describe('invalidation with Cache-Control: max-age=0', () => {
  const invalidate = { url: '/pets', headers: { 'cache-control': 'max-age=0' } }

  it('without required authorization, refetches and replaces the entry', async () => {
    const t = setup({}, { requireAuthorization: false })
    await t.call({ url: '/pets' })
    const r = await t.call(invalidate)
    expect(r.handled).toBe(true)
    expect(JSON.parse(r.response.body.toString()).n).toBe(2)
    const after = await t.call({ url: '/pets' })
    expect(JSON.parse(after.response.body.toString()).n).toBe(2)
    expect(t.calls).toBe(2)
  })

  it('an authorized caller (predicate) may invalidate', async () => {
    const t = setup({}, { authorizeInvalidation: (ex) => ex.request.headers.get('x-admin') === 'yes' })
    await t.call({ url: '/pets' })
    await t.call({ ...invalidate, headers: { ...invalidate.headers, 'x-admin': 'yes' } })
    expect(t.calls).toBe(2)
  })

  it('FAIL_WITH_403: 403, the backend is not called and the entry stays', async () => {
    const t = setup({}, { unauthorizedStrategy: 'FAIL_WITH_403' })
    await t.call({ url: '/pets' })
    const r = await t.call(invalidate)
    expect(r.response.status).toBe(403)
    expect(r.response.body).toBe('{"Message":"User is not authorized to invalidate the cache"}')
    expect((await t.call({ url: '/pets' })).handled).toBe(false)
    expect(t.calls).toBe(1)
  })

  it('SUCCEED_WITH_RESPONSE_HEADER (default): served as usual, from the cache, with a warning', async () => {
    const t = setup()
    await t.call({ url: '/pets' })
    const r = await t.call(invalidate)
    expect(r.handled).toBe(false)
    expect(r.response.headers['warning']).toBe(INVALIDATION_WARNING)
    expect(t.calls).toBe(1)
  })

  it('SUCCEED_WITHOUT_RESPONSE_HEADER: served as usual, silently', async () => {
    const t = setup({ stage: { cache: { unauthorizedStrategy: 'SUCCEED_WITHOUT_RESPONSE_HEADER' } } })
    await t.call({ url: '/pets' })
    const r = await t.call(invalidate)
    expect(r.handled).toBe(false)
    expect(r.response.headers['warning']).toBeUndefined()
  })
})

describe('coalescing', () => {
  it('concurrent misses for one key make one backend call', async () => {
    const t = setup()
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    let calls = 0
    const handler = async (): Promise<GatewayResponse> => {
      calls++
      await gate
      return { status: 200, headers: {}, body: 'slow' }
    }
    const all = Array.from({ length: 5 }, () => simulate([t.step], { url: '/slow' }, { handler }))
    await new Promise((r) => setTimeout(r, 10))
    release()
    const results = await Promise.all(all)
    expect(calls).toBe(1)
    expect(results.map((r) => r.response.body.toString())).toEqual(Array(5).fill('slow'))
    expect(results.filter((r) => r.trace[0]?.reason === 'coalesced')).toHaveLength(4)
  })

  it('when the first response cannot be stored, each waiting request calls the backend itself', async () => {
    const t = setup()
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    let calls = 0
    const handler = async (): Promise<GatewayResponse> => {
      calls++
      await gate
      return { status: 502, headers: {}, body: `fail ${calls}` }
    }
    const all = Array.from({ length: 3 }, () => simulate([t.step], { url: '/flaky' }, { handler }))
    await new Promise((r) => setTimeout(r, 10))
    release()
    const results = await Promise.all(all)
    expect(calls).toBe(3)
    expect(results.every((r) => r.response.status === 502)).toBe(true)
  })

  it('waiting is bounded: a leader that never answers releases the others after coalesceTimeoutMs', async () => {
    const t = setup({}, { coalesceTimeoutMs: 30 })
    const never = simulate([t.step], { url: '/stuck' }, { handler: () => new Promise<GatewayResponse>(() => undefined) })
    void never
    await new Promise((r) => setTimeout(r, 5))
    const started = Date.now()
    const r = await simulate([t.step], { url: '/stuck' }, { handler: () => ({ status: 200, headers: {}, body: 'ok' }) })
    expect(r.response.body.toString()).toBe('ok')
    expect(Date.now() - started).toBeLessThan(5_000)
  })
})

describe('flush, capacity, configuration', () => {
  it('flushes everything, a path prefix, or one path', async () => {
    const t = setup()
    for (const p of ['/pets/1', '/pets/2', '/toys/1']) await t.call({ url: p })
    expect(await t.gw.flushCache({ pathPrefix: '/pets/1', exact: true })).toBe(1)
    expect(await t.gw.flushCache({ pathPrefix: '/pets' })).toBe(1)
    expect(await t.gw.flushCache()).toBe(1)
    await t.call({ url: '/toys/1' })
    expect(t.calls).toBe(4)
  })

  it('evicts the least recently used entries past its capacity in bytes', async () => {
    const store = new MemoryCacheStore({ maxBytes: 4096 })
    const t = setup({ store: { cache: store } })
    t.answer(() => ({ status: 200, headers: {}, body: 'y'.repeat(1000) }))
    for (let i = 0; i < 10; i++) await t.call({ url: `/big/${i}` })
    expect(store.bytes).toBeLessThanOrEqual(4096)
    expect(store.size).toBeLessThan(10)
    await t.call({ url: '/big/9' })
    expect(t.calls).toBe(10)
  })

  it('reports bad options at construction', () => {
    const code = (fn: () => unknown): string | undefined => {
      try {
        fn()
      } catch (e) {
        return isSluiceConfigError(e) ? e.code : 'other'
      }
      return undefined
    }
    const gw = createGateway({ apiKeys: [{ id: 'gold', value: GOLD }] })
    expect(code(() => gw.cache({ ttl: 3601 }))).toBe('ERR_INVALID_CACHE')
    expect(code(() => gw.cache({ key: ['query.type'] }))).toBe('ERR_INVALID_CACHE')
    expect(code(() => gw.cache({ cacheableStatuses: [200, 500] }))).toBe('ERR_INVALID_CACHE')
    expect(code(() => gw.cache({ unauthorizedStrategy: 'NOPE' as never }))).toBe('ERR_INVALID_CACHE')
    expect(code(() => gw.cache({ ttl: 10, colour: 'red' } as never))).toBe('ERR_INVALID_CACHE')
    expect(code(() => gw.chain(gw.apiKey(), gw.cache({ shared: true })))).toBe('ERR_INVALID_CACHE')
    expect(code(() => gw.chain(gw.cache({ shared: true }), gw.apiKey()))).toBe('ERR_INVALID_CACHE')
    expect(code(() => gw.chain(gw.cache(), gw.apiKey()))).toBe('ERR_INVALID_CACHE')
    expect(code(() => gw.chain(gw.apiKey(), gw.cache()))).toBeUndefined()
    expect(code(() => gw.chain(gw.chain(gw.throttle(), gw.cache()), gw.apiKey()))).toBe('ERR_INVALID_CACHE')
    expect(code(() => gw.chain(gw.apiKey(), gw.chain(gw.cache({ shared: true }), gw.throttle())))).toBe('ERR_INVALID_CACHE')
    expect(code(() => createGateway({ stage: { methodSettings: { '*/*': { cacheTtlInSeconds: -1 } } } }))).toBe('ERR_INVALID_CACHE')
    expect(code(() => createGateway({ stage: { cache: { ttl: 'long' as never } } }))).toBe('ERR_INVALID_CACHE')
  })
})

describe('abandoned after-handler phases', () => {
  it('an abandoned leader releases the waiting requests at once', async () => {
    const t = setup({}, { coalesceTimeoutMs: 60_000 })
    const leader = t.gw.exchange(createRequest({ url: '/gone' }))
    const out = await t.gw.run(t.step, leader)
    expect(out.kind).toBe('continue')
    const waiting = simulate([t.step], { url: '/gone' }, { handler: () => ({ status: 200, headers: {}, body: 'fresh' }) })
    await new Promise((r) => setTimeout(r, 5))
    leader.abandon()
    const r = await waiting
    expect(r.response.body.toString()).toBe('fresh')
    expect(r.trace[0]?.reason).toBe('miss-after-wait')
  })
})
