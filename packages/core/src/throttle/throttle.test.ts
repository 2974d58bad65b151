import { describe, expect, it } from 'vitest'
import { createGateway, type GatewayOptions } from '../gateway.js'
import { isSluiceConfigError } from '../errors.js'
import { ManualClock } from '../testing/clock.js'
import { simulate } from '../testing/simulate.js'
import type { Step } from '../outcome.js'

const GOLD = 'goldkey1234abcdefghij0123456789'
const SILVER = 'silverkey1234abcdefghij012345678'
const T0 = Date.UTC(2026, 10, 18, 12, 0, 0) // a Wednesday

function setup(options: GatewayOptions = {}, start = T0) {
  const clock = new ManualClock(start)
  const gw = createGateway({
    apiKeys: [
      { id: 'gold', value: GOLD, usagePlanIds: ['gold'] },
      { id: 'silver', value: SILVER, usagePlanIds: ['gold'] },
    ],
    usagePlans: [{ id: 'gold', throttle: { rateLimit: 1, burstLimit: 3 } }],
    clock,
    ...options,
  })
  return { gw, clock }
}

async function call(steps: Step[], key: string | undefined, url = '/pets', method = 'GET', ip = '203.0.113.7') {
  return simulate(steps, { url, method, ip, headers: key === undefined ? {} : { 'x-api-key': key } })
}

describe('token bucket', () => {
  it('admits the burst, then 429s until a token refills', async () => {
    const { gw, clock } = setup()
    const steps = [gw.apiKey(), gw.throttle()]
    for (let i = 0; i < 3; i++) expect((await call(steps, GOLD)).response.status).toBe(200)
    const denied = await call(steps, GOLD)
    expect(denied.response.status).toBe(429)
    expect(denied.response.body).toBe('{"message":"Too Many Requests"}')
    expect(denied.response.headers['x-amzn-errortype']).toBe('TooManyRequestsException')
    expect(denied.response.headers['retry-after']).toBe('1')
    expect(denied.trace.at(-1)).toMatchObject({ feature: 'throttle', decision: 'deny', reason: 'THROTTLED', detail: { bound: 'plan' } })
    clock.advance(999)
    expect((await call(steps, GOLD)).response.status).toBe(429)
    clock.advance(1)
    expect((await call(steps, GOLD)).response.status).toBe(200)
    expect((await call(steps, GOLD)).response.status).toBe(429)
  })

  it('refills at fractional rates such as 0.1 rps', async () => {
    const { gw, clock } = setup({ usagePlans: [{ id: 'gold', throttle: { rateLimit: 0.1, burstLimit: 1 } }] })
    const steps = [gw.apiKey(), gw.throttle()]
    expect((await call(steps, GOLD)).response.status).toBe(200)
    const d = await call(steps, GOLD)
    expect(d.response.status).toBe(429)
    expect(d.response.headers['retry-after']).toBe('10')
    clock.advance(9_999)
    expect((await call(steps, GOLD)).response.status).toBe(429)
    clock.advance(1)
    expect((await call(steps, GOLD)).response.status).toBe(200)
  })

  it('never lets two keys share a bucket', async () => {
    const { gw } = setup()
    const steps = [gw.apiKey(), gw.throttle()]
    for (let i = 0; i < 3; i++) expect((await call(steps, GOLD)).response.status).toBe(200)
    expect((await call(steps, GOLD)).response.status).toBe(429)
    for (let i = 0; i < 3; i++) expect((await call(steps, SILVER)).response.status).toBe(200)
  })
})

describe('layers and precedence', () => {
  const plans: GatewayOptions['usagePlans'] = [
    { id: 'gold', throttle: { rateLimit: 1, burstLimit: 5 }, apiStages: [{ stage: 'prod', throttle: { '/pets/GET': { rateLimit: 1, burstLimit: 2 } } }] },
  ]

  it('the per-method plan limit binds first, and a refused layer drains no other', async () => {
    const { gw } = setup({ usagePlans: plans, stage: { name: 'prod' } })
    const steps = [gw.apiKey(), gw.throttle()]
    expect((await call(steps, GOLD, '/pets')).response.status).toBe(200)
    expect((await call(steps, GOLD, '/pets')).response.status).toBe(200)
    const d = await call(steps, GOLD, '/pets')
    expect(d.response.status).toBe(429)
    expect(d.trace.at(-1)?.detail).toMatchObject({ bound: 'plan-method' })
    for (let i = 0; i < 5; i++) await call(steps, GOLD, '/pets') // refused by plan-method: must not spend plan tokens
    // the plan bucket still holds 5 - 2 = 3 tokens for other methods
    for (let i = 0; i < 3; i++) expect((await call(steps, GOLD, '/toys')).response.status, `toy ${i}`).toBe(200)
    const p = await call(steps, GOLD, '/toys')
    expect(p.response.status).toBe(429)
    expect(p.trace.at(-1)?.detail).toMatchObject({ bound: 'plan' })
  })

  it('per-method keys apply only on the stage the plan names', async () => {
    const { gw } = setup({ usagePlans: plans, stage: { name: 'beta' } })
    const steps = [gw.apiKey(), gw.throttle()]
    for (let i = 0; i < 5; i++) expect((await call(steps, GOLD, '/pets')).response.status).toBe(403)
  })

  it('the stage per-method setting is shared by every caller; the */* setting is the default per method', async () => {
    const { gw } = setup({
      usagePlans: [{ id: 'gold', throttle: { rateLimit: 100, burstLimit: 100 } }],
      stage: { name: 'prod', methodSettings: { 'GET /pets': { throttlingRateLimit: 1, throttlingBurstLimit: 2 }, '*/*': { throttlingRateLimit: 1, throttlingBurstLimit: 3 } } },
    })
    const steps = [gw.apiKey(), gw.throttle()]
    expect((await call(steps, GOLD, '/pets')).response.status).toBe(200)
    expect((await call(steps, SILVER, '/pets')).response.status).toBe(200)
    const d = await call(steps, SILVER, '/pets')
    expect(d.response.status).toBe(429)
    expect(d.trace.at(-1)?.detail).toMatchObject({ bound: 'stage-method' })
    for (let i = 0; i < 3; i++) expect((await call(steps, GOLD, '/toys')).response.status).toBe(200)
    expect((await call(steps, SILVER, '/toys')).response.status).toBe(429)
    expect((await call(steps, SILVER, '/', 'GET')).response.status).toBe(200)
  })

  it('the account bucket binds everyone last', async () => {
    const { gw } = setup({ usagePlans: [{ id: 'gold' }], accountThrottle: { rateLimit: 1, burstLimit: 2 } })
    const steps = [gw.apiKey(), gw.throttle()]
    expect((await call(steps, GOLD)).response.status).toBe(200)
    expect((await call(steps, SILVER)).response.status).toBe(200)
    const d = await call(steps, GOLD)
    expect(d.response.status).toBe(429)
    expect(d.trace.at(-1)?.detail).toMatchObject({ bound: 'account' })
  })

  it('an explicit plan applies per client address when there is no key; IPv6 is grouped by /64', async () => {
    const { gw } = setup()
    const step = gw.throttle({ id: 'per-ip', throttle: { rateLimit: 1, burstLimit: 1 } })
    expect((await call([step], undefined, '/pets', 'GET', '2001:db8:1:2::1')).response.status).toBe(200)
    expect((await call([step], undefined, '/pets', 'GET', '2001:db8:1:2:ffff::9')).response.status).toBe(429)
    expect((await call([step], undefined, '/pets', 'GET', '2001:db8:1:3::1')).response.status).toBe(200)
    expect((await call([step], undefined, '/pets', 'GET', '198.51.100.1')).response.status).toBe(200)
    expect((await call([step], undefined, '/pets', 'GET', '198.51.100.2')).response.status).toBe(200)
    expect((await call([step], undefined, '/pets', 'GET', '198.51.100.1')).response.status).toBe(429)
  })

  it('identity apiKey requires a key', async () => {
    const { gw } = setup()
    const r = await call([gw.throttle('gold', { identity: 'apiKey' })], undefined)
    expect(r.response.status).toBe(403)
    expect(r.trace.at(-1)).toMatchObject({ feature: 'throttle', reason: 'no-api-key' })
  })
})

describe('quota', () => {
  const quotaPlan = (period: 'DAY' | 'WEEK' | 'MONTH', extra: object = {}): GatewayOptions => ({
    usagePlans: [{ id: 'gold', quota: { limit: 3, period, ...extra } }],
  })

  it('429 QUOTA_EXCEEDED once the day is spent, until 00:00 UTC, never earlier', async () => {
    const { gw, clock } = setup(quotaPlan('DAY'))
    const steps = [gw.apiKey(), gw.throttle()]
    for (let i = 0; i < 3; i++) expect((await call(steps, GOLD)).response.status).toBe(200)
    const d = await call(steps, GOLD)
    expect(d.response.status).toBe(429)
    expect(d.response.body).toBe('{"message":"Limit Exceeded"}')
    expect(d.response.headers['x-amzn-errortype']).toBe('LimitExceededException')
    expect(d.response.headers['retry-after']).toBe(String(12 * 3600))
    expect(d.trace.at(-1)?.detail).toMatchObject({ bound: 'quota', quota: { used: 3, remaining: 0, limit: 3 } })
    const midnight = Date.UTC(2026, 10, 19)
    clock.set(midnight - 1)
    expect((await call(steps, GOLD)).response.status).toBe(429)
    clock.set(midnight)
    expect((await call(steps, GOLD)).response.status).toBe(200)
    clock.set(midnight + 1)
    expect((await call(steps, GOLD)).response.status).toBe(200)
  })

  it('a quota refusal spends no throttle token, and a throttle refusal counts no quota', async () => {
    const { gw, clock } = setup({ usagePlans: [{ id: 'gold', throttle: { rateLimit: 1, burstLimit: 1 }, quota: { limit: 2, period: 'DAY' } }] })
    const steps = [gw.apiKey(), gw.throttle()]
    expect((await call(steps, GOLD)).response.status).toBe(200)
    expect((await call(steps, GOLD)).response.status).toBe(429) // throttled
    clock.advance(1000)
    expect((await call(steps, GOLD)).response.status).toBe(200) // quota 2/2: the throttled one was not counted
    clock.advance(1000)
    const q = await call(steps, GOLD)
    expect(q.trace.at(-1)?.reason).toBe('QUOTA_EXCEEDED')
  })

  it('a clock that steps back never resets a quota', async () => {
    const { gw, clock } = setup(quotaPlan('DAY'))
    const steps = [gw.apiKey(), gw.throttle()]
    clock.set(Date.UTC(2026, 10, 19, 0, 0, 0, 5))
    for (let i = 0; i < 3; i++) expect((await call(steps, GOLD)).response.status).toBe(200)
    clock.set(Date.UTC(2026, 10, 18, 23, 59, 59))
    expect((await call(steps, GOLD)).response.status).toBe(429)
  })

  it('WEEK periods start on Sunday 00:00 UTC by default, Monday when chosen', async () => {
    const sunday = Date.UTC(2026, 10, 22)
    for (const [weekStart, boundary] of [
      [undefined, sunday],
      ['MONDAY', sunday + 86_400_000],
    ] as const) {
      const { gw, clock } = setup(quotaPlan('WEEK', weekStart ? { weekStart } : {}))
      const steps = [gw.apiKey(), gw.throttle()]
      for (let i = 0; i < 3; i++) await call(steps, GOLD)
      clock.set(boundary - 1)
      expect((await call(steps, GOLD)).response.status, `${weekStart} -1ms`).toBe(429)
      clock.set(boundary)
      expect((await call(steps, GOLD)).response.status, `${weekStart} +0`).toBe(200)
    }
  })

  it('MONTH periods start on the 1st 00:00 UTC', async () => {
    const { gw, clock } = setup(quotaPlan('MONTH'))
    const steps = [gw.apiKey(), gw.throttle()]
    for (let i = 0; i < 3; i++) await call(steps, GOLD)
    const first = Date.UTC(2026, 11, 1)
    clock.set(first - 1)
    expect((await call(steps, GOLD)).response.status).toBe(429)
    clock.set(first)
    expect((await call(steps, GOLD)).response.status).toBe(200)
  })

  it('offset is subtracted from the limit in the plan first period only', async () => {
    const { gw, clock } = setup({ usagePlans: [{ id: 'gold', createdDate: '2026-11-18T08:00:00Z', quota: { limit: 3, period: 'DAY', offset: 2 } }] })
    const steps = [gw.apiKey(), gw.throttle()]
    expect((await call(steps, GOLD)).response.status).toBe(200)
    expect((await call(steps, GOLD)).response.status).toBe(429)
    clock.set(Date.UTC(2026, 10, 19))
    for (let i = 0; i < 3; i++) expect((await call(steps, GOLD)).response.status).toBe(200)
    expect((await call(steps, GOLD)).response.status).toBe(429)
  })
})

describe('headers', () => {
  it('RateLimit and RateLimit-Policy list every active layer, opt-in', async () => {
    const { gw } = setup({
      usagePlans: [{ id: 'gold', throttle: { rateLimit: 2, burstLimit: 10 }, quota: { limit: 100, period: 'DAY' } }],
      accountThrottle: { rateLimit: 1000, burstLimit: 500 },
    })
    const r = await call([gw.apiKey(), gw.throttle(undefined, { rateLimitHeaders: true })], GOLD)
    expect(r.response.headers['ratelimit-policy']).toBe('"plan";q=10;w=5, "account";q=500;w=1, "quota";q=100;w=86400')
    expect(r.response.headers['ratelimit']).toBe('"plan";r=9;t=1, "account";r=499;t=1, "quota";r=99;t=43200')
    const plain = await call([gw.apiKey(), gw.throttle()], GOLD)
    expect(plain.response.headers['ratelimit']).toBeUndefined()
  })
})

describe('usage API', () => {
  it('GetUsage gives [used, remaining] per key per day; UpdateUsage and reset change the period count', async () => {
    const { gw, clock } = setup({ usagePlans: [{ id: 'gold', quota: { limit: 10, period: 'WEEK' } }] })
    const steps = [gw.apiKey(), gw.throttle()]
    for (let i = 0; i < 3; i++) await call(steps, GOLD)
    clock.set(Date.UTC(2026, 10, 19, 9))
    for (let i = 0; i < 2; i++) await call(steps, GOLD)
    await call(steps, SILVER)
    const usage = await gw.getUsage({ usagePlanId: 'gold', startDate: '2026-11-17', endDate: '2026-11-20' })
    expect(usage).toEqual({
      usagePlanId: 'gold',
      startDate: '2026-11-17',
      endDate: '2026-11-20',
      items: {
        gold: [[0, 10], [3, 7], [2, 5], [0, 5]],
        silver: [[0, 10], [0, 10], [1, 9], [0, 9]],
      },
    })
    await gw.updateUsage({ usagePlanId: 'gold', keyId: 'gold', remaining: 1 })
    expect((await call(steps, GOLD)).response.status).toBe(200)
    expect((await call(steps, GOLD)).response.status).toBe(429)
    const after = await gw.getUsage({ usagePlanId: 'gold', keyId: 'gold', startDate: '2026-11-19', endDate: '2026-11-19' })
    expect(after.items).toEqual({ gold: [[3, 0]] })
    await gw.resetUsage({ usagePlanId: 'gold', keyId: 'gold' })
    expect((await call(steps, GOLD)).response.status).toBe(200)
  })
})

describe('configuration that cannot do what was meant', () => {
  const code = (fn: () => unknown): string => {
    try {
      fn()
    } catch (e) {
      if (isSluiceConfigError(e)) return e.code
      throw e
    }
    throw new Error('no error')
  }
  it('reports each at construction', () => {
    expect(code(() => setup({ usagePlans: [{ id: 'gold', throttle: { rateLimit: 1, burstLimit: 0 } }] }))).toBe('ERR_INVALID_THROTTLE')
    expect(code(() => setup({ usagePlans: [{ id: 'gold', throttle: { rateLimit: 0, burstLimit: 1 } }] }))).toBe('ERR_INVALID_THROTTLE')
    expect(
      code(() =>
        setup({ usagePlans: [{ id: 'gold', throttle: { rateLimit: 1, burstLimit: 5 }, apiStages: [{ stage: 'p', throttle: { '/pets/GET': { rateLimit: 2, burstLimit: 5 } } }] }] }),
      ),
    ).toBe('ERR_INVALID_THROTTLE')
    expect(code(() => setup({ stage: { methodSettings: { '*/*': { throttlingRateLimit: 20_000, throttlingBurstLimit: 10 } } } }))).toBe('ERR_INVALID_THROTTLE')
    expect(code(() => setup({ stage: { methodSettings: { 'pets GET': { throttlingRateLimit: 1, throttlingBurstLimit: 1 } } } }))).toBe('ERR_INVALID_THROTTLE')
    expect(code(() => setup({ usagePlans: [{ id: 'gold', quota: { limit: 5, period: 'YEAR' as never } }] }))).toBe('ERR_INVALID_USAGE_PLAN')
    expect(code(() => setup({ usagePlans: [{ id: 'gold', quota: { limit: 5, period: 'DAY', offset: 1 } }] }))).toBe('ERR_INVALID_USAGE_PLAN')
    expect(code(() => setup({ usagePlans: [] }))).toBe('ERR_UNKNOWN_USAGE_PLAN')
    expect(
      code(() =>
        setup({
          apiKeys: [{ id: 'k', value: GOLD, usagePlanIds: ['a', 'b'] }],
          usagePlans: [{ id: 'a' }, { id: 'b', apiStages: [{ stage: '$default' }] }],
        }),
      ),
    ).toBe('ERR_USAGE_PLAN_CONFLICT')
    const { gw } = setup()
    expect(code(() => gw.throttle({ id: 'q', quota: { limit: 1, period: 'DAY' } }, { identity: 'ip' }))).toBe('ERR_QUOTA_WITHOUT_KEY')
    expect(code(() => gw.throttle('nope'))).toBe('ERR_UNKNOWN_USAGE_PLAN')
    expect(code(() => gw.throttle(undefined, { ipv6Prefix: 200 }))).toBe('ERR_INVALID_OPTION')
    expect(code(() => gw.apiKeys.add({ id: 'x', value: 'xkey1234abcdefghij0123456789', usagePlanIds: ['missing'] }))).toBe('ERR_UNKNOWN_USAGE_PLAN')
  })
  it('keys in two plans on different stages are fine', () => {
    expect(() =>
      setup({
        apiKeys: [{ id: 'k', value: GOLD, usagePlanIds: ['a', 'b'] }],
        usagePlans: [
          { id: 'a', apiStages: [{ stage: 'prod' }] },
          { id: 'b', apiStages: [{ stage: 'beta' }] },
        ],
      }),
    ).not.toThrow()
  })
})

describe('identity modes and method keys', () => {
  it("identity 'ip' without a plan ignores key plans and never refuses a valid key", async () => {
    const { gw } = setup({ usagePlans: [{ id: 'gold', quota: { limit: 1, period: 'DAY' } }] })
    const steps = [gw.apiKey(), gw.throttle(undefined, { identity: 'ip' })]
    for (let i = 0; i < 3; i++) expect((await call(steps, GOLD)).response.status).toBe(200)
  })

  it('ANY in a method key covers every method of the resource', async () => {
    const { gw } = setup({
      usagePlans: [{ id: 'gold', throttle: { rateLimit: 10, burstLimit: 10 }, apiStages: [{ stage: '$default', throttle: { '/pets/ANY': { rateLimit: 1, burstLimit: 1 } } }] }],
    })
    const steps = [gw.apiKey(), gw.throttle()]
    expect((await call(steps, GOLD, '/pets', 'POST')).response.status).toBe(200)
    expect((await call(steps, GOLD, '/pets', 'DELETE')).response.status).toBe(429)
  })

  it('refuses method keys that could never match, inline plans above the account, and usage of keys outside a plan', async () => {
    const errCode = (fn: () => unknown): string | undefined => {
      try {
        fn()
      } catch (e) {
        return isSluiceConfigError(e) ? e.code : 'other'
      }
      return undefined
    }
    expect(errCode(() => setup({ usagePlans: [{ id: 'gold', apiStages: [{ stage: 's', throttle: { '/pets/list': { rateLimit: 1, burstLimit: 1 } } }] }] }))).toBe('ERR_INVALID_THROTTLE')
    expect(errCode(() => setup({ usagePlans: [{ id: 'gold', apiStages: [{ stage: 's', throttle: { '*/*': { rateLimit: 1, burstLimit: 1 } } }] }] }))).toBe('ERR_INVALID_THROTTLE')
    expect(errCode(() => setup({ stage: { methodSettings: { '/pets/*': { throttlingRateLimit: 1, throttlingBurstLimit: 1 } } } }))).toBe('ERR_INVALID_THROTTLE')
    const { gw } = setup({ apiKeys: [{ id: 'gold', value: GOLD, usagePlanIds: ['gold'] }, { id: 'other', value: SILVER }], usagePlans: [{ id: 'gold' }, { id: 'spare' }] })
    expect(errCode(() => gw.throttle({ id: 'huge', throttle: { rateLimit: 50_000, burstLimit: 10 } }))).toBe('ERR_INVALID_THROTTLE')
    await expect(gw.getUsage({ usagePlanId: 'gold', keyId: 'other', startDate: '2026-11-18', endDate: '2026-11-18' })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION' })
  })
})
