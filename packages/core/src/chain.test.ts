import { describe, expect, it } from 'vitest'
import { createGateway } from './gateway.js'
import { isSluiceConfigError } from './errors.js'
import { proceed, respond, type Step } from './outcome.js'
import { ManualClock } from './testing/clock.js'
import { simulate } from './testing/simulate.js'
import { chainSteps } from './chain.js'
import { createRequest } from './request.js'

const KEY = 'goldkey1234abcdefghij0123456789'

describe('chain', () => {
  it('runs features in order as one step: a denial ends it, allowed requests pass every one', async () => {
    const gw = createGateway({
      apiKeys: [{ id: 'gold', value: KEY, usagePlanIds: ['gold'] }],
      usagePlans: [{ id: 'gold', throttle: { rateLimit: 1, burstLimit: 1 } }],
      clock: new ManualClock(0),
    })
    const chain = gw.chain(gw.apiKey(), gw.throttle())
    expect(chain.feature).toBe('apiKey+throttle')
    const ok = await simulate(chain, { headers: { 'x-api-key': KEY } })
    expect(ok.response.status).toBe(200)
    expect(ok.response.headers['x-amzn-requestid']).toBeDefined()
    expect(ok.trace.map((t) => [t.feature, t.decision])).toEqual([
      ['apiKey', 'allow'],
      ['throttle', 'allow'],
    ])
    const throttled = await simulate(chain, { headers: { 'x-api-key': KEY } })
    expect(throttled.response.status).toBe(429)
    const noKey = await simulate(chain, {})
    expect(noKey.response.status).toBe(403)
    expect(noKey.trace.map((t) => t.feature)).toEqual(['apiKey'])
  })

  it('merges headers and composes finalize hooks in reverse order, through async steps', async () => {
    const order: string[] = []
    const a: Step = { feature: 'a', run: () => proceed({ 'x-a': '1' }, (r) => (order.push('a'), { ...r, headers: { ...r.headers, 'x-fa': order.join() } })) }
    const b: Step = { feature: 'b', run: () => Promise.resolve(proceed({ 'x-b': '2' }, (r) => (order.push('b'), r))) }
    const c: Step = { feature: 'c', run: () => proceed() }
    const out = await chainSteps([a, b, c]).run(createGateway().exchange(createRequest()))
    expect(out.kind).toBe('continue')
    if (out.kind !== 'continue') return
    expect(out.headers).toEqual({ 'x-a': '1', 'x-b': '2' })
    const final = await out.finalize?.({ status: 200, headers: {}, body: '' }, createGateway().exchange(createRequest()))
    expect(order).toEqual(['b', 'a'])
    expect(final?.headers['x-fa']).toBe('b,a')
    const denied = await chainSteps([a, { feature: 'no', run: () => respond({ status: 418, headers: {}, body: '' }) }, b]).run(createGateway().exchange(createRequest()))
    expect(denied.kind).toBe('respond')
  })

  it('takes only features of the same gateway', () => {
    const gw = createGateway()
    const other = createGateway()
    try {
      gw.chain(gw.apiKey(), other.apiKey())
      throw new Error('accepted')
    } catch (e) {
      expect(isSluiceConfigError(e) && e.code).toBe('ERR_INVALID_OPTION')
    }
    expect(() => chainSteps([])).toThrow(TypeError)
  })
})
