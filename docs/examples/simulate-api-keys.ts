/**
 * Unit-testing an API key policy without a server: `simulate` runs the adapter's middleware (it
 * carries its core step) and returns the response and the decision trace. Asserts with node:assert;
 * exits non-zero if an assertion fails.
 */
import assert from 'node:assert/strict'
import { ManualClock, simulate } from '@sluice/core/testing'
import { gateway } from '@sluice/express'

const GOLD = 'goldkey1234abcdefghij0123456789'
const OFF = 'disabledkey1234abcdefghij0123456'

const clock = new ManualClock(Date.UTC(2026, 0, 1))
let n = 0
const gw = gateway({
  apiKeys: [
    { id: 'gold', name: 'Gold', value: GOLD },
    { id: 'off', name: 'Off', value: OFF, enabled: false },
  ],
  stage: { name: 'prod' },
  clock,
  requestId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
})
const apiKey = gw.apiKey()

// No key: 403 INVALID_API_KEY, AWS's body and headers.
{
  const { response, handled, trace } = await simulate(apiKey, { url: '/pets' })
  assert.equal(handled, false)
  assert.equal(response.status, 403)
  assert.equal(response.body, '{"message":"Forbidden"}')
  assert.equal(response.headers['x-amzn-errortype'], 'ForbiddenException')
  assert.equal(response.headers['x-amzn-requestid'], '00000000-0000-4000-8000-000000000001')
  assert.deepEqual(trace, [{ feature: 'apiKey', decision: 'deny', reason: 'missing', detail: { source: 'HEADER' } }])
}

// A known key: the handler runs; $context.identity names the key.
{
  const { response, handled, context } = await simulate(
    apiKey,
    { url: '/pets', headers: { 'X-API-Key': GOLD }, ip: '203.0.113.7' },
    { handler: () => ({ status: 200, headers: { 'Content-Type': 'application/json' }, body: '[]' }) },
  )
  assert.equal(handled, true)
  assert.equal(response.status, 200)
  assert.equal(response.body, '[]')
  assert.equal(response.headers['content-type'], 'application/json')
  assert.equal(response.headers['x-amzn-requestid'], context.requestId)
  assert.equal(context.identity.apiKeyId, 'gold')
  assert.equal(context.identity.sourceIp, '203.0.113.7')
  assert.equal(context.stage, 'prod')
  assert.equal(context.requestTime, '01/Jan/2026:00:00:00 +0000')
}

// A disabled key is refused until it is enabled at run time.
{
  const before = await simulate(apiKey, { headers: { 'x-api-key': OFF } })
  assert.equal(before.response.status, 403)
  assert.equal(before.trace[0]?.reason, 'disabled')
  gw.apiKeys.enable('off')
  const after = await simulate(apiKey, { headers: { 'x-api-key': OFF } })
  assert.equal(after.response.status, 200)
}

// A rotated key: the old value stops working at once.
{
  const rotated = gw.apiKeys.rotate('gold')
  assert.equal((await simulate(apiKey, { headers: { 'x-api-key': GOLD } })).trace[0]?.reason, 'unknown')
  assert.equal((await simulate(apiKey, { headers: { 'x-api-key': rotated.value } })).response.status, 200)
}

console.log('simulate-api-keys: all assertions passed')
