import { describe, expect, it, vi } from 'vitest'
import { GatewayError, isGatewayError, isSluiceConfigError, SluiceConfigError } from './errors.js'
import type { Exchange } from './exchange.js'
import { createGateway, gatewayOf, type GatewayOptions } from './gateway.js'
import { CONTINUE, proceed, respond, type Outcome, type Step } from './outcome.js'
import { createRequest } from './request.js'
import { ManualClock } from './testing/clock.js'

function configError(fn: () => unknown): SluiceConfigError {
  try {
    fn()
  } catch (e) {
    if (isSluiceConfigError(e)) return e
    throw e
  }
  throw new Error('expected a SluiceConfigError')
}

const ids = (): (() => string) => {
  let n = 0
  return () => `req-${++n}`
}

const step = (run: Step['run'], feature = 'test'): Step => ({ feature, run })
const plain = (h: Readonly<Record<string, string>> | undefined): Record<string, string> => ({ ...h })

describe('createGateway options', () => {
  it('has working defaults', () => {
    const gw = createGateway()
    expect(gw.stage).toEqual({ name: '$default', variables: {}, methodSettings: {}, cache: {} })
    expect(gw.apiKeys.size).toBe(0)
    expect(typeof gw.clock.now()).toBe('number')
    const ex = gw.exchange(createRequest())
    expect(ex.context.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(gw.resolveIp('10.0.0.1', '1.1.1.1')).toBe('10.0.0.1')
  })

  it('refuses an unknown option with ERR_INVALID_OPTION naming it', () => {
    const e = configError(() => createGateway({ apikeys: [] } as unknown as GatewayOptions))
    expect(e.code).toBe('ERR_INVALID_OPTION')
    expect(e.option).toBe('apikeys')
    expect(e.message).toBe('apikeys: unknown option; expected one of apiKeys, usagePlans, accountThrottle, store, stage, gatewayResponses, trustProxy, clock, onError, requestId, aws, resourcePolicy (ERR_INVALID_OPTION)')
  })

  it('refuses options that are not an object', () => {
    expect(configError(() => createGateway(null as never))).toMatchObject({ code: 'ERR_INVALID_OPTION', option: 'options' })
    expect(configError(() => createGateway('x' as never))).toMatchObject({ code: 'ERR_INVALID_OPTION', option: 'options' })
  })

  it.each(['', 'has space', 'a/b', 'x'.repeat(129), 'ünicode'])('refuses the stage name %j', (name) => {
    expect(configError(() => createGateway({ stage: { name } }))).toMatchObject({ code: 'ERR_INVALID_OPTION', option: 'stage.name' })
  })

  it('accepts valid stage names and serves them as $context.stage', () => {
    for (const name of ['prod', '$default', 'dev_2-b', 'x'.repeat(128)]) {
      const gw = createGateway({ stage: { name } })
      expect(gw.stage.name).toBe(name)
      expect(gw.exchange(createRequest()).context.stage).toBe(name)
    }
    expect(configError(() => createGateway({ stage: 5 as never }))).toMatchObject({ code: 'ERR_INVALID_OPTION', option: 'stage' })
    expect(configError(() => createGateway({ stage: { name: 5 as never } }))).toMatchObject({ code: 'ERR_INVALID_OPTION', option: 'stage.name' })
  })

  it('validates stage variable names and values', () => {
    expect(configError(() => createGateway({ stage: { variables: { 'bad-name': 'x' } } }))).toMatchObject({ code: 'ERR_INVALID_OPTION', option: 'stage.variables.bad-name' })
    expect(configError(() => createGateway({ stage: { variables: { ['x'.repeat(65)]: 'x' } } })).code).toBe('ERR_INVALID_OPTION')
    expect(configError(() => createGateway({ stage: { variables: { v: 'has space' } } }))).toMatchObject({ code: 'ERR_INVALID_OPTION', option: 'stage.variables.v' })
    expect(configError(() => createGateway({ stage: { variables: { v: 'a\r\nb' } } }))).toMatchObject({ option: 'stage.variables.v' })
    expect(configError(() => createGateway({ stage: { variables: { v: 'x'.repeat(513) } } }))).toMatchObject({ option: 'stage.variables.v' })
    expect(configError(() => createGateway({ stage: { variables: { v: 1 as never } } }))).toMatchObject({ option: 'stage.variables.v' })
    const ok = { url: 'https://a.example/p?x=1&y=2#f', empty: '', long: 'x'.repeat(512), chars: 'A-z0_9.~:/?#&=,' }
    const gw = createGateway({ stage: { name: 'prod', variables: ok } })
    expect({ ...gw.stage.variables }).toEqual(ok)
    expect(Object.isFrozen(gw.stage.variables)).toBe(true)
    expect(Object.getPrototypeOf(gw.stage.variables)).toBeNull()
    expect(gw.exchange(createRequest()).stageVariables).toBe(gw.stage.variables)
  })

  it('copies stage variables so later changes do not leak in', () => {
    const variables: Record<string, string> = { a: '1' }
    const gw = createGateway({ stage: { variables } })
    variables['a'] = '2'
    expect(gw.stage.variables['a']).toBe('1')
  })

  it('refuses bad clock, onError and requestId', () => {
    expect(configError(() => createGateway({ clock: {} as never }))).toMatchObject({ code: 'ERR_INVALID_OPTION', option: 'clock' })
    expect(configError(() => createGateway({ clock: null as never }))).toMatchObject({ code: 'ERR_INVALID_OPTION', option: 'clock' })
    expect(configError(() => createGateway({ onError: 'log' as never }))).toMatchObject({ code: 'ERR_INVALID_OPTION', option: 'onError' })
    expect(configError(() => createGateway({ requestId: 'r' as never }))).toMatchObject({ code: 'ERR_INVALID_OPTION', option: 'requestId' })
  })

  it('passes errors of the parts through with their codes', () => {
    expect(configError(() => createGateway({ trustProxy: true as never }))).toMatchObject({ code: 'ERR_INVALID_TRUST_PROXY', option: 'trustProxy' })
    expect(configError(() => createGateway({ apiKeys: [{ value: 'short' }] }))).toMatchObject({ code: 'ERR_INVALID_API_KEY_VALUE', option: 'apiKeys[0].value' })
    expect(configError(() => createGateway({ gatewayResponses: { NOPE: {} } as never }))).toMatchObject({ code: 'ERR_INVALID_GATEWAY_RESPONSE', option: 'gatewayResponses.NOPE' })
  })

  it('uses the injected clock, request id generator and trust list', () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1))
    const gw = createGateway({ clock, requestId: ids(), trustProxy: ['10.0.0.0/8'] })
    const a = gw.exchange(createRequest())
    clock.advance(1500)
    const b = gw.exchange(createRequest())
    expect([a.context.requestId, b.context.requestId]).toEqual(['req-1', 'req-2'])
    expect(a.context.requestTimeEpoch).toBe(Date.UTC(2026, 0, 1))
    expect(b.context.requestTimeEpoch).toBe(Date.UTC(2026, 0, 1) + 1500)
    expect(b.context.requestTime).toBe('01/Jan/2026:00:00:01 +0000')
    expect(gw.clock).toBe(clock)
    expect(gw.resolveIp('10.0.0.1', '198.51.100.1')).toBe('198.51.100.1')
  })
})

describe('gateway.run', () => {
  it('converts a thrown GatewayError to its gateway response', () => {
    const gw = createGateway({ requestId: ids() })
    const ex = gw.exchange(createRequest())
    const out = gw.run(step(() => { throw new GatewayError('UNAUTHORIZED') }, 'auth'), ex) as Outcome
    expect(out.kind).toBe('respond')
    if (out.kind !== 'respond') return
    expect(out.response).toEqual({
      status: 401,
      headers: expect.objectContaining({ 'content-type': 'application/json', 'x-amzn-errortype': 'UnauthorizedException', 'x-amzn-requestid': 'req-1' }) as unknown,
      body: '{"message":"Unauthorized"}',
    })
    expect(ex.trace).toEqual([{ feature: 'auth', decision: 'deny', reason: 'UNAUTHORIZED' }])
  })

  it('uses the GatewayError message, including null', () => {
    const gw = createGateway()
    const r1 = gw.run(step(() => { throw new GatewayError('ACCESS_DENIED', 'User is not authorized to access this resource with an explicit deny') }), gw.exchange(createRequest())) as Outcome
    expect(r1.kind === 'respond' && r1.response.body).toBe('{"Message":"User is not authorized to access this resource with an explicit deny"}')
    const r2 = gw.run(step(() => { throw new GatewayError('THROTTLED', null) }), gw.exchange(createRequest())) as Outcome
    expect(r2.kind === 'respond' && r2.response.body).toBe('{"message":null}')
  })

  it('converts a rejected GatewayError the same way', async () => {
    const gw = createGateway()
    const out = await gw.run(step(() => Promise.reject(new GatewayError('QUOTA_EXCEEDED'))), gw.exchange(createRequest()))
    expect(out.kind === 'respond' && out.response.status).toBe(429)
    expect(out.kind === 'respond' && out.response.body).toBe('{"message":"Limit Exceeded"}')
  })

  it('honours customised gateway responses for thrown errors', () => {
    const gw = createGateway({ gatewayResponses: { UNAUTHORIZED: { statusCode: 403, responseTemplates: { 'text/plain': 'no: $context.error.message' } } } })
    const out = gw.run(step(() => { throw new GatewayError('UNAUTHORIZED', 'bad token') }), gw.exchange(createRequest())) as Outcome
    expect(out.kind === 'respond' && out.response).toMatchObject({ status: 403, body: 'no: bad token' })
  })

  it('turns any other error into a 500 API_CONFIGURATION_ERROR and calls onError', () => {
    const onError = vi.fn()
    const gw = createGateway({ onError, requestId: ids() })
    const ex = gw.exchange(createRequest())
    const boom = new TypeError('boom')
    const out = gw.run(step(() => { throw boom }, 'feat'), ex) as Outcome
    expect(out.kind).toBe('respond')
    if (out.kind !== 'respond') return
    expect(out.response.status).toBe(500)
    expect(out.response.body).toBe('{"message":"Internal server error"}')
    expect(plain(out.response.headers)).toEqual({ 'content-type': 'application/json', 'x-amzn-errortype': 'ApiConfigurationException', 'x-amzn-requestid': 'req-1' })
    expect(onError).toHaveBeenCalledTimes(1)
    expect(onError).toHaveBeenCalledWith(boom, ex)
    expect(ex.trace).toEqual([{ feature: 'feat', decision: 'error', reason: 'boom' }])
  })

  it('handles a rejected promise and a thrown non-Error value', async () => {
    const errors: unknown[] = []
    const gw = createGateway({ onError: (e) => errors.push(e) })
    const ex1 = gw.exchange(createRequest())
    const out1 = await gw.run(step(async () => { throw new Error('async boom') }), ex1)
    expect(out1.kind === 'respond' && out1.response.status).toBe(500)
    const ex2 = gw.exchange(createRequest())
    const out2 = gw.run(step(() => { throw 'a string' as unknown as Error }), ex2) as Outcome
    expect(out2.kind === 'respond' && out2.response.status).toBe(500)
    expect(ex2.trace).toEqual([{ feature: 'test', decision: 'error', reason: 'a string' }])
    expect(errors).toEqual([new Error('async boom'), 'a string'])
  })

  it('survives an onError hook that throws', async () => {
    const gw = createGateway({ onError: () => { throw new Error('hook failed') } })
    const out = gw.run(step(() => { throw new Error('boom') }), gw.exchange(createRequest())) as Outcome
    expect(out.kind === 'respond' && out.response.status).toBe(500)
    const out2 = await gw.run(step(() => Promise.reject(new Error('boom'))), gw.exchange(createRequest()))
    expect(out2.kind === 'respond' && out2.response.status).toBe(500)
  })

  it('gives x-amzn-requestid to the first continue only', async () => {
    const gw = createGateway({ requestId: ids() })
    const ex = gw.exchange(createRequest())
    const first = gw.run(step(() => CONTINUE), ex) as Outcome
    expect(first.kind).toBe('continue')
    expect(first.kind === 'continue' && plain(first.headers)).toEqual({ 'x-amzn-requestid': 'req-1' })
    expect(ex.requestIdSent).toBe(true)
    const second = gw.run(step(() => CONTINUE), ex) as Outcome
    expect(second).toBe(CONTINUE)
    const third = await gw.run(step(() => Promise.resolve(proceed({ 'x-a': '1' }))), ex)
    expect(third.kind === 'continue' && plain(third.headers)).toEqual({ 'x-a': '1' })
  })

  it('keeps a first continue\'s own headers and finalizer beside the request id', async () => {
    const gw = createGateway({ requestId: ids() })
    const ex = gw.exchange(createRequest())
    const finalize = (r: { status: number; headers: Readonly<Record<string, string>>; body: string | Uint8Array }) => r
    const out = await gw.run(step(() => Promise.resolve(proceed({ 'x-b': '2' }, finalize))), ex)
    expect(out.kind).toBe('continue')
    if (out.kind !== 'continue') return
    expect(plain(out.headers)).toEqual({ 'x-b': '2', 'x-amzn-requestid': 'req-1' })
    expect(out.finalize).toBe(finalize)
  })

  it('sends no request id on a continue after a gateway response was rendered', () => {
    const gw = createGateway({ requestId: ids() })
    const ex = gw.exchange(createRequest())
    const deny = gw.run(step(() => respond(gw.responses.render('THROTTLED', ex))), ex) as Outcome
    expect(deny.kind === 'respond' && deny.response.headers['x-amzn-requestid']).toBe('req-1')
    expect(gw.run(step(() => CONTINUE), ex)).toBe(CONTINUE)
  })

  it('passes a respond outcome through untouched', () => {
    const gw = createGateway()
    const ex = gw.exchange(createRequest())
    const r = respond({ status: 204, headers: {}, body: '' })
    expect(gw.run(step(() => r), ex)).toBe(r)
  })
})

describe('gateway.exchangeFor / gatewayOf', () => {
  it('returns the same exchange for the same native object', () => {
    const gw = createGateway({ requestId: ids() })
    const native = {}
    let made = 0
    const make = () => {
      made++
      return createRequest({ url: '/a' })
    }
    const a = gw.exchangeFor(native, make)
    const b = gw.exchangeFor(native, make)
    expect(b).toBe(a)
    expect(made).toBe(1)
    const c = gw.exchangeFor({}, make)
    expect(c).not.toBe(a)
    expect(made).toBe(2)
    expect([a.context.requestId, c.context.requestId]).toEqual(['req-1', 'req-2'])
  })

  it('keeps exchanges per gateway', () => {
    const g1 = createGateway()
    const g2 = createGateway()
    const native = {}
    expect(g1.exchangeFor(native, () => createRequest())).not.toBe(g2.exchangeFor(native, () => createRequest()))
  })

  it('knows which gateway made a step', () => {
    const gw = createGateway()
    const s = gw.apiKey()
    expect(gatewayOf(s)).toBe(gw)
    expect(gatewayOf(step(() => CONTINUE))).toBeUndefined()
  })
})

describe('errors and outcomes', () => {
  it('formats config errors and recognises them across copies', () => {
    const e = new SluiceConfigError('ERR_INVALID_OPTION', 'stage.name', 'bad')
    expect(e.message).toBe('stage.name: bad (ERR_INVALID_OPTION)')
    expect(e.name).toBe('SluiceConfigError')
    expect(e).toBeInstanceOf(Error)
    expect(isSluiceConfigError(e)).toBe(true)
    expect(isSluiceConfigError({ [Symbol.for('sluice.SluiceConfigError')]: true })).toBe(true)
    expect(isSluiceConfigError(new Error('x'))).toBe(false)
    expect(isSluiceConfigError(null)).toBe(false)
    expect(isSluiceConfigError('ERR_INVALID_OPTION')).toBe(false)
  })

  it('builds gateway errors', () => {
    const a = new GatewayError('THROTTLED')
    expect(a.message).toBe('THROTTLED')
    expect(a.errorMessage).toBeUndefined()
    expect(a.name).toBe('GatewayError')
    expect(new GatewayError('THROTTLED', 'slow').errorMessage).toBe('slow')
    expect(new GatewayError('THROTTLED', null).errorMessage).toBeNull()
    expect(isGatewayError(a)).toBe(true)
    expect(isGatewayError({ [Symbol.for('sluice.GatewayError')]: true, type: 'THROTTLED' })).toBe(true)
    expect(isGatewayError(new Error('THROTTLED'))).toBe(false)
    expect(isGatewayError(undefined)).toBe(false)
  })

  it('builds outcomes', () => {
    expect(proceed()).toBe(CONTINUE)
    expect(Object.isFrozen(CONTINUE)).toBe(true)
    expect(proceed({ a: '1' })).toEqual({ kind: 'continue', headers: { a: '1' }, finalize: undefined })
    const r = { status: 200, headers: {}, body: 'x' }
    expect(respond(r)).toEqual({ kind: 'respond', response: r })
  })

  it('lets a step read the exchange it runs on', () => {
    const gw = createGateway({ requestId: () => 'fixed' })
    let seen: Exchange | undefined
    const ex = gw.exchange(createRequest())
    gw.run(step((e) => { seen = e; return CONTINUE }), ex)
    expect(seen).toBe(ex)
  })
})
