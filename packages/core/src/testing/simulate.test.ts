import { describe, expect, it } from 'vitest'
import { GatewayError } from '../errors.js'
import { createGateway } from '../gateway.js'
import { CONTINUE, proceed, respond, STEP, withStep, type Step } from '../outcome.js'
import { createRequest } from '../request.js'
import type { GatewayResponse } from '../response.js'
import { ManualClock } from './clock.js'
import { simulate } from './simulate.js'

const V1 = 'apikey1234abcdefghij0123456789'

function setup() {
  let n = 0
  return createGateway({ apiKeys: [{ id: 'k1', value: V1 }], requestId: () => `req-${++n}` })
}

describe('simulate', () => {
  it('answers 200 {} by default when every step lets the request through', async () => {
    const gw = setup()
    const res = await simulate(gw.apiKey(), { headers: { 'x-api-key': V1 } })
    expect(res.handled).toBe(true)
    expect(res.response).toEqual({ status: 200, headers: { 'content-type': 'application/json', 'x-amzn-requestid': 'req-1' }, body: '{}' })
  })

  it('runs the handler option, lower-casing its headers and adding the gateway headers', async () => {
    const gw = setup()
    const res = await simulate(gw.apiKey(), { url: '/pets/1?x=2', headers: { 'x-api-key': V1 } }, {
      handler: (ex) => ({ status: 201, headers: { 'Content-Type': 'text/plain', 'X-Path': ex.path }, body: `key ${ex.context.identity.apiKeyId ?? ''} q ${ex.query}` }),
    })
    expect(res.response).toEqual({ status: 201, headers: { 'content-type': 'text/plain', 'x-path': '/pets/1', 'x-amzn-requestid': 'req-1' }, body: 'key k1 q x=2' })
  })

  it('accepts an async handler', async () => {
    const gw = setup()
    const res = await simulate(gw.apiKey(), { headers: { 'x-api-key': V1 } }, { handler: () => Promise.resolve({ status: 204, headers: {}, body: '' }) })
    expect(res.response.status).toBe(204)
  })

  it('does not run the handler when a step denies', async () => {
    const gw = setup()
    let ran = false
    const res = await simulate(gw.apiKey(), {}, {
      handler: () => {
        ran = true
        return { status: 200, headers: {}, body: '' }
      },
    })
    expect(ran).toBe(false)
    expect(res.handled).toBe(false)
    expect(res.response.status).toBe(403)
    expect(res.trace).toEqual([{ feature: 'apiKey', decision: 'deny', reason: 'missing', detail: { source: 'HEADER' } }])
  })

  it('accepts a middleware object carrying the STEP symbol', async () => {
    const gw = setup()
    const middleware = withStep(function middleware() {}, gw.apiKey())
    expect(Object.keys(middleware)).toEqual([]) // the step is not enumerable
    expect(middleware[STEP].feature).toBe('apiKey')
    const ok = await simulate(middleware, { headers: { 'x-api-key': V1 } })
    expect(ok.response.status).toBe(200)
    expect(ok.trace[0]?.decision).toBe('allow')
    const denied = await simulate([middleware], {})
    expect(denied.response.status).toBe(403)
  })

  it('runs steps in order, stops at the first denial and keeps the whole trace', async () => {
    const gw = setup()
    const order: string[] = []
    const mark = (name: string): Step => ({
      feature: name,
      run(ex) {
        order.push(name)
        ex.record({ feature: name, decision: 'allow' })
        return CONTINUE
      },
    })
    const res = await simulate([mark('a'), gw.apiKey(), mark('b')], {}, { gateway: gw })
    expect(order).toEqual(['a'])
    expect(res.trace.map((t) => `${t.feature}:${t.decision}`)).toEqual(['a:allow', 'apiKey:deny'])
    const ok = await simulate([mark('a'), gw.apiKey(), mark('b')], { headers: { 'x-api-key': V1 } }, { gateway: gw })
    expect(order).toEqual(['a', 'a', 'b'])
    expect(ok.trace.map((t) => `${t.feature}:${t.decision}`)).toEqual(['a:allow', 'apiKey:allow', 'b:allow'])
  })

  it('merges step headers and runs finalizers in reverse order', async () => {
    const gw = setup()
    const calls: string[] = []
    const fin = (name: string) => (r: GatewayResponse): GatewayResponse => {
      calls.push(name)
      return { ...r, headers: { ...r.headers, [`x-fin-${name}`]: String(calls.length) } }
    }
    const s1: Step = { feature: 's1', run: () => proceed({ 'x-one': '1' }, fin('one')) }
    const s2: Step = { feature: 's2', run: () => Promise.resolve(proceed({ 'x-two': '2' }, fin('two'))) }
    const res = await simulate([s1, s2], {}, { gateway: gw })
    expect(calls).toEqual(['two', 'one'])
    expect(res.response.headers).toEqual({
      'content-type': 'application/json',
      'x-one': '1',
      'x-amzn-requestid': 'req-1',
      'x-two': '2',
      'x-fin-two': '1',
      'x-fin-one': '2',
    })
  })

  it('turns a thrown GatewayError or a crash in a step into a gateway response', async () => {
    const gw = setup()
    const thrower: Step = { feature: 't', run: () => { throw new GatewayError('RESOURCE_NOT_FOUND') } }
    const a = await simulate(thrower, {}, { gateway: gw })
    expect(a.response).toMatchObject({ status: 404, body: '{"message":"Not Found"}' })
    const crash: Step = { feature: 'c', run: () => { throw new Error('bug') } }
    const b = await simulate(crash, {}, { gateway: gw })
    expect(b.response).toMatchObject({ status: 500, body: '{"message":"Internal server error"}' })
    expect(b.trace).toEqual([{ feature: 'c', decision: 'error', reason: 'bug' }])
  })

  it('returns a respond outcome from a custom step as is', async () => {
    const gw = setup()
    const mock: Step = { feature: 'mock', run: () => respond({ status: 418, headers: { 'x-t': 'pot' }, body: 'teapot' }) }
    const res = await simulate(mock, {}, { gateway: gw })
    expect(res.response).toEqual({ status: 418, headers: { 'x-t': 'pot' }, body: 'teapot' })
    expect(res.handled).toBe(false)
  })

  it('needs a gateway for steps no gateway made', async () => {
    const bare: Step = { feature: 'bare', run: () => CONTINUE }
    await expect(simulate(bare)).rejects.toThrow(TypeError)
    await expect(simulate([])).rejects.toThrow('simulate() needs a gateway')
  })

  it('accepts an options.gateway different from the step\'s', async () => {
    const g1 = setup()
    const g2 = createGateway({ requestId: () => 'from-g2', clock: new ManualClock(5) })
    const res = await simulate(g1.apiKey(), { headers: { 'x-api-key': V1 } }, { gateway: g2 })
    expect(res.context.requestId).toBe('from-g2')
    expect(res.context.requestTimeEpoch).toBe(5)
  })

  it('accepts a ready GatewayRequest', async () => {
    const gw = setup()
    const req = createRequest({ method: 'put', url: 'https://api.example.com/a', headers: { 'x-api-key': V1 }, ip: '198.51.100.3' })
    const res = await simulate(gw.apiKey(), req)
    expect(res.exchange.request).toBe(req)
    expect(res.context.httpMethod).toBe('PUT')
    expect(res.context.identity.sourceIp).toBe('198.51.100.3')
    expect(res.response.status).toBe(200)
  })
})

describe('ManualClock', () => {
  it('moves only when told', () => {
    const c = new ManualClock()
    expect(c.now()).toBe(0)
    expect(c.advance(10).advance(5).now()).toBe(15)
    expect(c.set(100).now()).toBe(100)
    expect(c.set(new Date(Date.UTC(2026, 0, 1))).now()).toBe(Date.UTC(2026, 0, 1))
    expect(c.advance(0).now()).toBe(Date.UTC(2026, 0, 1))
  })

  it.each([-1, Number.NaN])('refuses to advance by %s', (ms) => {
    expect(() => new ManualClock(5).advance(ms)).toThrow(RangeError)
  })
})
