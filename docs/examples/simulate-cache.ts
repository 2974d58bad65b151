/**
 * Unit-testing the response cache without a server or sleeps: `simulate` runs the middleware (each
 * carries its core step) with your route as `handler`, and `ManualClock` moves time for the TTL and
 * `Age`. Asserts with node:assert; exits non-zero if an assertion fails.
 */
import assert from 'node:assert/strict'
import { INVALIDATION_WARNING, isSluiceConfigError, type Exchange, type GatewayResponse } from '@sluice/core'
import { ManualClock, simulate } from '@sluice/core/testing'
import { gateway } from '@sluice/express'

const GOLD = 'goldkey1234abcdefghij0123456789'
const SILVER = 'silverkey1234abcdefghij012345678'
const T0 = Date.UTC(2026, 10, 18, 12) // 18 November 2026, 12:00 UTC

const clock = new ManualClock(T0)
const gw = gateway({
  apiKeys: [
    { id: 'gold', name: 'Gold', value: GOLD },
    { id: 'silver', name: 'Silver', value: SILVER },
  ],
  stage: { name: 'prod' },
  clock,
})

// The route: counts its calls and echoes what it saw.
let calls = 0
const handler = (ex: Exchange): GatewayResponse => {
  calls++
  return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ n: calls, path: ex.path, key: ex.apiKey?.id ?? null }) }
}
const n = (r: { response: GatewayResponse }): number => (JSON.parse(r.response.body.toString()) as { n: number }).n

// A miss calls the route and stores; the hit answers from the cache with Age and its own request id.
{
  const cache = gw.cache({ ttl: 60, key: ['querystring.type'] })
  const a = await simulate(cache, { url: '/pets?type=dog' }, { handler })
  assert.equal(a.handled, true)
  assert.deepEqual(a.trace.map((e) => `${e.decision}/${e.reason}`), ['allow/miss', 'allow/stored'])

  clock.advance(2_500)
  const b = await simulate(cache, { url: '/pets?type=dog&page=2' }, { handler }) // page is not declared
  assert.equal(b.handled, false)
  assert.equal(b.trace[0]?.reason, 'hit')
  assert.equal(b.response.headers['age'], '2')
  assert.equal(b.response.headers['content-type'], 'application/json')
  assert.equal(b.response.headers['x-amzn-requestid'], b.context.requestId)
  assert.notEqual(b.context.requestId, a.context.requestId)
  assert.equal(b.response.body.toString(), a.response.body.toString())

  // a declared parameter splits entries
  assert.equal(n(await simulate(cache, { url: '/pets?type=cat' }, { handler })), 2)

  // fresh until storedAt + 60 s, refetched at 60 s
  clock.advance(60_000 - 2_500 - 1)
  assert.equal(n(await simulate(cache, { url: '/pets?type=dog' }, { handler })), 1)
  clock.advance(1)
  assert.equal(n(await simulate(cache, { url: '/pets?type=dog' }, { handler })), 3)
}

// Behind apiKey(), each key has its own entries: gold never sees silver's response.
{
  const steps = [gw.apiKey(), gw.cache()]
  const g = await simulate(steps, { url: '/me', headers: { 'x-api-key': GOLD } }, { handler })
  const s = await simulate(steps, { url: '/me', headers: { 'x-api-key': SILVER } }, { handler })
  assert.equal(JSON.parse(g.response.body.toString()).key, 'gold')
  assert.equal(JSON.parse(s.response.body.toString()).key, 'silver')
  const again = await simulate(steps, { url: '/me', headers: { 'x-api-key': GOLD } }, { handler })
  assert.equal(again.handled, false)
  assert.equal(JSON.parse(again.response.body.toString()).key, 'gold')

  // a cache before apiKey() in a chain is refused
  assert.throws(
    () => gw.chain(gw.cache(), gw.apiKey()),
    (e: unknown) => isSluiceConfigError(e) && e.code === 'ERR_INVALID_CACHE' && e.option === 'chain()',
  )
}

// What must not be shared is never stored.
{
  const cache = gw.cache()
  const cookie = (): GatewayResponse => ({ status: 200, headers: { 'set-cookie': 'session=abc; HttpOnly' }, body: 'hello' })
  const r = await simulate(cache, { url: '/session' }, { handler: cookie })
  assert.equal(r.trace.at(-1)?.reason, 'not-stored:set-cookie')
  const broken = await simulate(cache, { url: '/broken' }, { handler: () => ({ status: 503, headers: {}, body: 'down' }) })
  assert.equal(broken.trace.at(-1)?.reason, 'not-stored:status-5xx')
  const empty = await simulate(cache, { url: '/empty' }, { handler: () => ({ status: 204, headers: {}, body: '' }) })
  assert.equal(empty.trace.at(-1)?.reason, 'not-stored:status-204')
}

// Cache-Control: max-age=0 and the three strategies for a caller who may not invalidate.
{
  const invalidate = { url: '/toys', headers: { 'cache-control': 'max-age=0' } }

  const warn = gw.cache() // default: SUCCEED_WITH_RESPONSE_HEADER
  await simulate(warn, { url: '/toys' }, { handler })
  const w = await simulate(warn, invalidate, { handler })
  assert.equal(w.handled, false) // still served from the cache
  assert.equal(w.response.headers['warning'], INVALIDATION_WARNING)

  const strict = gw.cache({ unauthorizedStrategy: 'FAIL_WITH_403', namespace: 'strict' })
  await simulate(strict, { url: '/toys' }, { handler })
  const denied = await simulate(strict, invalidate, { handler })
  assert.equal(denied.response.status, 403)
  assert.equal(denied.response.body, '{"Message":"User is not authorized to invalidate the cache"}')
  assert.equal(denied.response.headers['x-amzn-errortype'], 'AccessDeniedException')
  assert.equal(denied.trace.at(-1)?.reason, 'invalidation-unauthorized')

  const admin = gw.cache({ namespace: 'admin', authorizeInvalidation: (ex) => ex.request.headers.get('x-role') === 'admin' })
  const before = n(await simulate(admin, { url: '/toys' }, { handler }))
  const refreshed = await simulate(admin, { url: '/toys', headers: { 'cache-control': 'max-age=0', 'x-role': 'admin' } }, { handler })
  assert.equal(refreshed.trace[0]?.reason, 'invalidate')
  assert.equal(n(refreshed), before + 1)
  assert.equal(n(await simulate(admin, { url: '/toys' }, { handler })), before + 1) // the entry was replaced
}

// Concurrent misses for one key make one backend call.
{
  const cache = gw.cache({ namespace: 'slow' })
  let release!: () => void
  const gate = new Promise<void>((resolve) => (release = resolve))
  let slowCalls = 0
  const slow = async (): Promise<GatewayResponse> => {
    slowCalls++
    await gate
    return { status: 200, headers: {}, body: 'slow' }
  }
  const all = Array.from({ length: 4 }, () => simulate(cache, { url: '/slow' }, { handler: slow }))
  await new Promise((resolve) => setTimeout(resolve, 10))
  release()
  const results = await Promise.all(all)
  assert.equal(slowCalls, 1)
  assert.equal(results.filter((r) => r.trace[0]?.reason === 'coalesced').length, 3)
}

// Flushing and statistics.
{
  const cache = gw.cache({ namespace: 'flush' })
  for (const url of ['/shelf/1', '/shelf/2', '/desk/1']) await simulate(cache, { url }, { handler })
  assert.equal(await gw.flushCache({ pathPrefix: '/shelf/1', exact: true }), 1)
  assert.equal(await gw.flushCache({ pathPrefix: '/shelf' }), 1)
  const stats = gw.cacheStats()
  assert.ok(stats.hits > 0 && stats.misses > 0 && stats.stores > 0)
  assert.equal(stats.invalidations, 1)
  assert.equal(stats.coalesced, 3)
  await gw.flushCache() // everything
  assert.equal((await simulate(cache, { url: '/desk/1' }, { handler })).handled, true)
}

console.log('simulate-cache: all assertions passed')
