import { describe, expect, it } from 'vitest'
import { isSluiceConfigError } from '../errors.js'
import type { Exchange } from '../exchange.js'
import { createGateway } from '../gateway.js'
import { CONTINUE, type Step } from '../outcome.js'
import { ManualClock } from '../testing/clock.js'
import { simulate } from '../testing/simulate.js'

const V1 = 'apikey1234abcdefghij0123456789'
const V2 = 'BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB'
const T0 = Date.UTC(2026, 10, 21, 23, 54, 45)

function setup(extra: Parameters<typeof createGateway>[0] = {}) {
  let n = 0
  const clock = new ManualClock(T0)
  const gw = createGateway({
    apiKeys: [
      { id: 'k1', name: 'first', value: V1, usagePlanIds: ['gold'] },
      { id: 'k2', value: V2, enabled: false, usagePlanIds: ['gold'] },
    ],
    usagePlans: [{ id: 'gold' }],
    clock,
    requestId: () => `req-${++n}`,
    ...extra,
  })
  return { gw, clock }
}

const FORBIDDEN_HEADERS = (id: string): Record<string, string> => ({
  'content-type': 'application/json',
  'x-amzn-errortype': 'ForbiddenException',
  'x-amzn-requestid': id,
})

describe('gw.apiKey() (HEADER source)', () => {
  it('lets a valid key through and sets identity and trace', async () => {
    const { gw } = setup()
    const res = await simulate(gw.apiKey(), { url: '/pets', headers: { 'X-API-Key': V1 } })
    expect(res.handled).toBe(true)
    expect(res.response).toEqual({ status: 200, headers: { 'content-type': 'application/json', 'x-amzn-requestid': 'req-1' }, body: '{}' })
    expect(res.context.identity.apiKey).toBe(V1)
    expect(res.context.identity.apiKeyId).toBe('k1')
    expect(res.exchange.apiKey).toBe(gw.apiKeys.get('k1'))
    expect(res.trace).toEqual([{ feature: 'apiKey', decision: 'allow', detail: { keyId: 'k1', source: 'HEADER' } }])
    // the trace never carries the key value
    expect(JSON.stringify(res.trace)).not.toContain(V1)
  })

  it.each(['x-api-key', 'X-Api-Key', 'X-API-KEY'])('reads the header case-insensitively (%s)', async (name) => {
    const { gw } = setup()
    const res = await simulate(gw.apiKey(), { headers: { [name]: V1 } })
    expect(res.response.status).toBe(200)
  })

  it.each([
    ['missing', {}],
    ['missing', { 'x-api-key': '' }],
    ['unknown', { 'x-api-key': 'CCCCCCCCCCCCCCCCCCCCCCCCCCCCCC' }],
    ['unknown', { 'x-api-key': 'short' }],
    ['unknown', { 'x-api-key': `${V1} ` }],
    ['missing', { authorization: V1 }],
    ['disabled', { 'x-api-key': V2 }],
  ] as const)('refuses a %s key with 403 {"message":"Forbidden"}', async (reason, headers) => {
    const { gw } = setup()
    const res = await simulate(gw.apiKey(), { headers })
    expect(res.handled).toBe(false)
    expect(res.response.status).toBe(403)
    expect(res.response.body).toBe('{"message":"Forbidden"}')
    expect({ ...res.response.headers }).toEqual(FORBIDDEN_HEADERS('req-1'))
    expect(res.trace).toEqual([{ feature: 'apiKey', decision: 'deny', reason, detail: { source: 'HEADER' } }])
    expect(res.context.identity.apiKey).toBeUndefined()
    expect(res.context.identity.apiKeyId).toBeUndefined()
    expect(res.exchange.apiKey).toBeUndefined()
    expect(res.context.error).toEqual({ message: 'Forbidden', messageString: '"Forbidden"', responseType: 'INVALID_API_KEY' })
  })

  it('sees registry changes on the next request', async () => {
    const { gw } = setup()
    const check = gw.apiKey()
    expect((await simulate(check, { headers: { 'x-api-key': V1 } })).response.status).toBe(200)
    gw.apiKeys.disable('k1')
    const denied = await simulate(check, { headers: { 'x-api-key': V1 } })
    expect(denied.response.status).toBe(403)
    expect(denied.trace[0]?.reason).toBe('disabled')
    const rotated = gw.apiKeys.enable('k1') && gw.apiKeys.rotate('k1', 'DDDDDDDDDDDDDDDDDDDDDDDDD')
    expect((await simulate(check, { headers: { 'x-api-key': V1 } })).trace[0]?.reason).toBe('unknown')
    expect((await simulate(check, { headers: { 'x-api-key': rotated.value } })).response.status).toBe(200)
    gw.apiKeys.remove('k1')
    expect((await simulate(check, { headers: { 'x-api-key': rotated.value } })).trace[0]?.reason).toBe('unknown')
  })

  it('renders a customised INVALID_API_KEY response', async () => {
    const { gw } = setup({
      gatewayResponses: {
        INVALID_API_KEY: {
          statusCode: 401,
          responseParameters: { 'gatewayresponse.header.WWW-Authenticate': "'ApiKey'" },
          responseTemplates: { 'application/json': '{"error":$context.error.messageString,"requestId":"$context.requestId"}' },
        },
      },
    })
    const res = await simulate(gw.apiKey(), {})
    expect(res.response.status).toBe(401)
    expect(res.response.body).toBe('{"error":"Forbidden","requestId":"req-1"}')
    expect(res.response.headers['www-authenticate']).toBe('ApiKey')
  })

  it('stamps requestTimeEpoch from the injected clock', async () => {
    const { gw, clock } = setup()
    const a = await simulate(gw.apiKey(), { headers: { 'x-api-key': V1 } })
    expect(a.context.requestTimeEpoch).toBe(T0)
    expect(a.context.requestTime).toBe('21/Nov/2026:23:54:45 +0000')
    clock.advance(61_000)
    const b = await simulate(gw.apiKey(), { headers: { 'x-api-key': V1 } })
    expect(b.context.requestTimeEpoch).toBe(T0 + 61_000)
    expect(b.context.requestTime).toBe('21/Nov/2026:23:55:46 +0000')
    clock.set(new Date(Date.UTC(2027, 0, 1)))
    const c = await simulate(gw.apiKey(), {})
    expect(c.context.requestTimeEpoch).toBe(Date.UTC(2027, 0, 1))
  })
})

describe('gw.apiKey({ source: "AUTHORIZER" })', () => {
  const authorizer = (key: string | undefined): Step => ({
    feature: 'authorizer',
    run(ex: Exchange) {
      ex.usageIdentifierKey = key
      return CONTINUE
    },
  })

  it('reads exchange.usageIdentifierKey and ignores x-api-key', async () => {
    const { gw } = setup()
    const res = await simulate([authorizer(V1), gw.apiKey({ source: 'AUTHORIZER' })], { headers: { 'x-api-key': V2 } }, { gateway: gw })
    expect(res.response.status).toBe(200)
    expect(res.context.identity.apiKeyId).toBe('k1')
    expect(res.trace).toEqual([{ feature: 'apiKey', decision: 'allow', detail: { keyId: 'k1', source: 'AUTHORIZER' } }])
  })

  it('refuses when the authorizer chose no key, even with a valid x-api-key header', async () => {
    const { gw } = setup()
    const res = await simulate([authorizer(undefined), gw.apiKey({ source: 'AUTHORIZER' })], { headers: { 'x-api-key': V1 } }, { gateway: gw })
    expect(res.response.status).toBe(403)
    expect(res.response.body).toBe('{"message":"Forbidden"}')
    expect(res.trace).toEqual([{ feature: 'apiKey', decision: 'deny', reason: 'missing', detail: { source: 'AUTHORIZER' } }])
  })

  it('refuses a disabled key chosen by the authorizer', async () => {
    const { gw } = setup()
    const res = await simulate([authorizer(V2), gw.apiKey({ source: 'AUTHORIZER' })], {}, { gateway: gw })
    expect(res.response.status).toBe(403)
    expect(res.trace[0]?.reason).toBe('disabled')
  })
})

describe('gw.apiKey() options', () => {
  it.each([
    [{ source: 'QUERY' }, 'apiKey().source'],
    [{ source: 'header' }, 'apiKey().source'],
    [{ header: 'x-key' }, 'apiKey().header'],
    [null, 'apiKey()'],
    ['HEADER', 'apiKey()'],
  ])('refuses %j with ERR_INVALID_OPTION', (options, option) => {
    const { gw } = setup()
    try {
      gw.apiKey(options as never)
      throw new Error('expected a throw')
    } catch (e) {
      expect(isSluiceConfigError(e)).toBe(true)
      expect(isSluiceConfigError(e) && e.code).toBe('ERR_INVALID_OPTION')
      expect(isSluiceConfigError(e) && e.option).toBe(option)
    }
  })

  it('accepts no options, an empty object and an explicit HEADER', async () => {
    const { gw } = setup()
    for (const step of [gw.apiKey(), gw.apiKey({}), gw.apiKey({ source: 'HEADER' })]) {
      expect(step.feature).toBe('apiKey')
      expect((await simulate(step, { headers: { 'x-api-key': V1 } })).response.status).toBe(200)
    }
  })
})
