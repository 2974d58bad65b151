/**
 * Unit-testing throttling and quotas without a server or sleeps: `simulate` runs the middleware
 * (each carries its core step) and `ManualClock` moves time. Asserts with node:assert; exits
 * non-zero if an assertion fails.
 */
import assert from 'node:assert/strict'
import { ManualClock, simulate } from '@sluice/core/testing'
import { gateway } from '@sluice/express'

const GOLD = 'goldkey1234abcdefghij0123456789'
const SILVER = 'silverkey1234abcdefghij012345678'
const T0 = Date.UTC(2026, 10, 18, 12) // Wednesday 18 November 2026, 12:00 UTC

const clock = new ManualClock(T0)
const gw = gateway({
  apiKeys: [
    { id: 'gold', name: 'Gold', value: GOLD, usagePlanIds: ['gold'] },
    { id: 'silver', name: 'Silver', value: SILVER, usagePlanIds: ['gold'] },
  ],
  usagePlans: [{ id: 'gold', throttle: { rateLimit: 1, burstLimit: 3 }, quota: { limit: 5, period: 'DAY' } }],
  clock,
})
const steps = [gw.apiKey(), gw.throttle(undefined, { rateLimitHeaders: true })]
const call = (key: string) => simulate(steps, { url: '/pets', headers: { 'x-api-key': key }, ip: '203.0.113.7' })

// The gold plan allows a burst of 3, then 429s until 1,000 ms pass.
{
  for (let i = 0; i < 3; i++) assert.equal((await call(GOLD)).response.status, 200)
  const denied = await call(GOLD)
  assert.equal(denied.response.status, 429)
  assert.equal(denied.response.body, '{"message":"Too Many Requests"}')
  assert.equal(denied.response.headers['x-amzn-errortype'], 'TooManyRequestsException')
  assert.equal(denied.response.headers['retry-after'], '1')
  assert.equal(denied.response.headers['ratelimit'], '"plan";r=0;t=3, "account";r=4997;t=1, "quota";r=2;t=43200')
  const entry = denied.trace.at(-1)
  assert.equal(entry?.feature, 'throttle')
  assert.equal(entry?.reason, 'THROTTLED')
  assert.equal(entry?.detail?.['bound'], 'plan')

  clock.advance(999)
  assert.equal((await call(GOLD)).response.status, 429)
  clock.advance(1)
  assert.equal((await call(GOLD)).response.status, 200)
  assert.equal((await call(GOLD)).response.status, 429)
}

// Each key has its own bucket and its own quota.
assert.equal((await call(SILVER)).response.status, 200)

// The daily quota of 5: gold has spent 4 (refused requests are not counted).
{
  clock.advance(1000)
  assert.equal((await call(GOLD)).response.status, 200) // 5 of 5
  clock.advance(1000)
  const spent = await call(GOLD)
  assert.equal(spent.response.status, 429)
  assert.equal(spent.response.body, '{"message":"Limit Exceeded"}')
  assert.equal(spent.trace.at(-1)?.reason, 'QUOTA_EXCEEDED')
  // Retry-After: until 00:00 UTC (12 hours minus the 3 seconds the clock has moved)
  assert.equal(spent.response.headers['retry-after'], String(12 * 3600 - 3))

  clock.set(Date.UTC(2026, 10, 19) - 1)
  assert.equal((await call(GOLD)).response.status, 429)
  clock.set(Date.UTC(2026, 10, 19))
  assert.equal((await call(GOLD)).response.status, 200)
}

// GetUsage: one [used, remaining] pair per key per day.
{
  const usage = await gw.getUsage({ usagePlanId: 'gold', startDate: '2026-11-18', endDate: '2026-11-19' })
  assert.deepEqual(usage.items, {
    gold: [
      [5, 0],
      [1, 4],
    ],
    silver: [
      [1, 4],
      [0, 5],
    ],
  })
}

console.log('simulate-throttle: all assertions passed')
