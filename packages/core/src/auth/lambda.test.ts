import { describe, expect, it, vi } from 'vitest'
import { createGateway } from '../gateway.js'
import { ManualClock } from '../testing/clock.js'
import { simulate } from '../testing/simulate.js'
import { isSluiceConfigError } from '../errors.js'
import type { AuthorizerConfig, RequestAuthorizerEvent, RequestAuthorizerEventV2, TokenAuthorizerEvent } from './types.js'
import type { AuthorizerResultStore, StoredAuthorizerResult } from './store.js'

const T0 = Date.UTC(2026, 10, 18, 12, 0, 0)
const ARN = 'arn:aws:execute-api:us-east-1:123456789012:sluice/prod'
const policy = (effect: 'Allow' | 'Deny', resource: string | string[]) => ({ Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }] })
const setup = (options: Parameters<typeof createGateway>[0] = {}) => {
  const clock = new ManualClock(T0)
  const gw = createGateway({ clock, stage: { name: 'prod' }, requestId: () => '00000000-0000-4000-8000-000000000001', ...options })
  return { gw, clock }
}
const noop = (): undefined => undefined
const body = (r: { response: { body: string | Uint8Array } }) => JSON.parse(String(r.response.body)) as unknown

describe('TOKEN authorizer', () => {
  it('receives AWS\'s TOKEN event with the header value and the method ARN of the actual path', async () => {
    const { gw } = setup()
    const handler = vi.fn((e: TokenAuthorizerEvent) => ({ principalId: 'u1', policyDocument: policy('Allow', e.methodArn), context: { n: 1, b: true, s: 'x' } }))
    const r = await simulate(gw.authorize({ type: 'token', handler }), { url: '/pets/a1b2?x=1', headers: { authorization: 'Bearer abc' } })
    expect(handler).toHaveBeenCalledWith({ type: 'TOKEN', authorizationToken: 'Bearer abc', methodArn: `${ARN}/GET/pets/a1b2` }, expect.objectContaining({ requestId: '00000000-0000-4000-8000-000000000001' }))
    expect(r.handled).toBe(true)
    expect({ ...r.context.authorizer }).toEqual({ principalId: 'u1', n: '1', b: 'true', s: 'x' })
    expect(r.trace).toEqual([{ feature: 'authorizer', decision: 'allow', detail: { authorizer: 'authorizer-1', cached: false } }])
  })

  it('a context key named principalId never replaces the principal; __proto__ is ignored', async () => {
    const { gw } = setup()
    const r = await simulate(gw.authorize({ type: 'token', handler: () => ({ principalId: 'real', policyDocument: policy('Allow', '*'), context: JSON.parse('{"principalId":"fake","__proto__":"x","k":"v"}') as Record<string, string> }) }), { headers: { authorization: 't' } })
    expect({ ...r.context.authorizer }).toEqual({ principalId: 'real', k: 'v' })
    expect(JSON.stringify(r.context.authorizer)).toBe('{"principalId":"real","k":"v"}')
  })

  it('the root path is .../GET/', async () => {
    const { gw } = setup()
    let arn = ''
    await simulate(gw.authorize({ type: 'token', handler: (e) => ((arn = e.methodArn), { principalId: 'u', policyDocument: policy('Allow', '*') }) }), { url: '/', headers: { authorization: 't' } })
    expect(arn).toBe(`${ARN}/GET/`)
  })

  it('a missing or empty token is 401 without calling the handler', async () => {
    const { gw } = setup()
    const handler = vi.fn()
    const step = gw.authorize({ type: 'token', handler })
    for (const headers of [{}, { authorization: '' }]) {
      const r = await simulate(step, { headers })
      expect(r.response.status).toBe(401)
      expect(body(r)).toEqual({ message: 'Unauthorized' })
      expect(r.response.headers['x-amzn-errortype']).toBe('UnauthorizedException')
    }
    expect(handler).not.toHaveBeenCalled()
  })

  it('identityValidationExpression must match the whole token, else 401 without calling', async () => {
    const { gw } = setup()
    const handler = vi.fn(() => ({ principalId: 'u', policyDocument: policy('Allow', '*') }))
    const step = gw.authorize({ type: 'token', handler, identityValidationExpression: 'Bearer [a-z]+' })
    expect((await simulate(step, { headers: { authorization: 'Bearer abc!' } })).response.status).toBe(401)
    expect((await simulate(step, { headers: { authorization: 'xBearer abc' } })).response.status).toBe(401)
    expect(handler).not.toHaveBeenCalled()
    expect((await simulate(step, { headers: { authorization: 'Bearer abc' } })).response.status).toBe(200)
  })

  it('"Unauthorized" thrown or rejected is 401; other errors are 500 AUTHORIZER_CONFIGURATION_ERROR', async () => {
    const { gw } = setup()
    const cases: Array<[() => unknown, number]> = [
      [() => { throw new Error('Unauthorized') }, 401],
      [() => Promise.reject(new Error('Unauthorized')), 401],
      [() => Promise.reject('Unauthorized'), 401],
      [() => { throw new Error('boom') }, 500],
      [() => Promise.reject(new Error('unauthorized')), 500],
    ]
    for (const [handler, status] of cases) {
      const r = await simulate(gw.authorize({ type: 'token', handler: handler as never }), { headers: { authorization: 't' } })
      expect(r.response.status).toBe(status)
      if (status === 500) {
        expect(body(r)).toEqual({ message: null })
        expect(r.response.headers['x-amzn-errortype']).toBe('AuthorizerConfigurationException')
      }
    }
  })

  it('explicit and implicit denies are 403 ACCESS_DENIED with AWS\'s Message', async () => {
    const { gw } = setup()
    const deny = await simulate(gw.authorize({ type: 'token', handler: () => ({ principalId: 'u', policyDocument: policy('Deny', '*') }) }), { headers: { authorization: 't' } })
    expect(deny.response.status).toBe(403)
    expect(body(deny)).toEqual({ Message: 'User is not authorized to access this resource with an explicit deny' })
    expect(deny.response.headers['x-amzn-errortype']).toBe('AccessDeniedException')
    const none = await simulate(gw.authorize({ type: 'token', handler: () => ({ principalId: 'u', policyDocument: policy('Allow', `${ARN}/POST/*`) }) }), { headers: { authorization: 't' } })
    expect(body(none)).toEqual({ Message: 'User is not authorized to access this resource' })
  })

  it.each([
    ['no principalId', { policyDocument: policy('Allow', '*') }],
    ['no policy', { principalId: 'u' }],
    ['a broken policy', { principalId: 'u', policyDocument: { Statement: [{ Effect: 'Maybe', Action: '*', Resource: '*' }] } }],
    ['an object in context', { principalId: 'u', policyDocument: policy('Allow', '*'), context: { o: { a: 1 } } }],
    ['an array in context', { principalId: 'u', policyDocument: policy('Allow', '*'), context: { a: [1] } }],
    ['null', null],
    ['a string', 'Allow'],
  ])('a malformed result (%s) is 500', async (_, result) => {
    const { gw } = setup()
    const r = await simulate(gw.authorize({ type: 'token', handler: () => result as never }), { headers: { authorization: 't' } })
    expect(r.response.status).toBe(500)
    expect(r.trace[0]).toMatchObject({ feature: 'authorizer', decision: 'error', reason: 'invalid-result' })
  })

  it('a handler that never answers times out as a 500, it never hangs', async () => {
    const { gw } = setup()
    let aborted = false
    const r = await simulate(
      gw.authorize({ type: 'token', timeoutMs: 20, handler: (_e, inv) => new Promise(() => inv.signal.addEventListener('abort', () => (aborted = true))) }),
      { headers: { authorization: 't' } },
    )
    expect(r.response.status).toBe(500)
    expect(r.trace[0]).toMatchObject({ reason: 'timeout' })
    expect(aborted).toBe(true)
  })

  it('caches the policy by token and re-evaluates it against each method ARN', async () => {
    const { gw, clock } = setup()
    const handler = vi.fn(() => ({ principalId: 'u', policyDocument: policy('Allow', `${ARN}/GET/a`) }))
    const step = gw.authorize({ type: 'token', handler })
    expect((await simulate(step, { url: '/a', headers: { authorization: 't1' } })).response.status).toBe(200)
    const del = await simulate(step, { method: 'DELETE', url: '/b', headers: { authorization: 't1' } })
    expect(del.response.status).toBe(403)
    expect(handler).toHaveBeenCalledTimes(1)
    const again = await simulate(step, { url: '/a', headers: { authorization: 't1' } })
    expect(again.trace[0]).toMatchObject({ decision: 'allow', detail: { cached: true } })
    expect(handler).toHaveBeenCalledTimes(1)
    await simulate(step, { url: '/a', headers: { authorization: 't2' } })
    expect(handler).toHaveBeenCalledTimes(2)
    clock.advance(300_000)
    await simulate(step, { url: '/a', headers: { authorization: 't1' } })
    expect(handler).toHaveBeenCalledTimes(3)
  })

  it('TTL 0 turns caching off; errors and 401s are never cached', async () => {
    const { gw } = setup()
    const off = vi.fn(() => ({ principalId: 'u', policyDocument: policy('Allow', '*') }))
    const s = gw.authorize({ type: 'token', handler: off, authorizerResultTtlInSeconds: 0 })
    await simulate(s, { headers: { authorization: 't' } })
    await simulate(s, { headers: { authorization: 't' } })
    expect(off).toHaveBeenCalledTimes(2)
    const failing = vi.fn(() => { throw new Error('Unauthorized') })
    const f = gw.authorize({ type: 'token', handler: failing })
    await simulate(f, { headers: { authorization: 't' } })
    await simulate(f, { headers: { authorization: 't' } })
    expect(failing).toHaveBeenCalledTimes(2)
  })

  it('usageIdentifierKey feeds apiKey({ source: "AUTHORIZER" })', async () => {
    const value = 'authorizerkey0123456789abcdefgh'
    const { gw } = setup({ apiKeys: [{ id: 'k1', value }] })
    const auth = gw.authorize({ type: 'token', handler: () => ({ principalId: 'u', policyDocument: policy('Allow', '*'), usageIdentifierKey: value }) })
    const r = await simulate([auth, gw.apiKey({ source: 'AUTHORIZER' })], { headers: { authorization: 't' } })
    expect(r.handled).toBe(true)
    expect(r.context.identity.apiKeyId).toBe('k1')
  })

  it('a failing or asynchronous store never fails the request', async () => {
    const entries = new Map<string, StoredAuthorizerResult>()
    const slow: AuthorizerResultStore = {
      get: (k) => Promise.resolve(entries.get(k)),
      set: (k, v) => { entries.set(k, v); return Promise.resolve() },
      delete: () => undefined,
      clear: () => undefined,
    }
    const handler = vi.fn(() => ({ principalId: 'u', policyDocument: policy('Allow', '*') }))
    const { gw } = setup({ store: { authorizer: slow } })
    const s = gw.authorize({ type: 'token', handler })
    await simulate(s, { headers: { authorization: 't' } })
    expect((await simulate(s, { headers: { authorization: 't' } })).trace[0]).toMatchObject({ detail: { cached: true } })
    expect(handler).toHaveBeenCalledTimes(1)
    const broken: AuthorizerResultStore = { get: () => Promise.reject(new Error('down')), set: () => { throw new Error('down') }, delete: () => undefined, clear: () => undefined }
    const b = setup({ store: { authorizer: broken } }).gw
    expect((await simulate(b.authorize({ type: 'token', handler }), { headers: { authorization: 't' } })).response.status).toBe(200)
  })
})

describe('REQUEST authorizer', () => {
  it('receives AWS\'s REQUEST event; all identity sources must be present', async () => {
    const { gw } = setup({ stage: { name: 'prod', variables: { v: 'one' } } })
    let event: RequestAuthorizerEvent | undefined
    const step = gw.authorize({
      type: 'request',
      identitySource: 'method.request.header.X-User, method.request.querystring.name, stageVariables.v',
      handler: (e) => ((event = e as RequestAuthorizerEvent), { principalId: 'u', policyDocument: policy('Allow', '*') }),
    })
    const missing = await simulate(step, { url: '/pets?name=rex', headers: { 'x-user': '' } })
    expect(missing.response.status).toBe(401)
    expect(event).toBeUndefined()
    expect((await simulate(step, { url: '/pets?Name=rex', headers: { 'x-user': 'a' } })).response.status).toBe(401)
    const r = await simulate(step, { url: '/pets?name=rex&name=max&x', headers: { 'X-User': 'a', 'x-api-key': 'k' }, ip: '::ffff:10.0.0.1', params: { id: '7' } })
    expect(r.response.status).toBe(200)
    expect(JSON.parse(JSON.stringify(event))).toEqual({
      type: 'REQUEST',
      methodArn: `${ARN}/GET/pets`,
      resource: '/pets',
      path: '/pets',
      httpMethod: 'GET',
      headers: { 'x-user': 'a', 'x-api-key': 'k' },
      multiValueHeaders: { 'x-user': ['a'], 'x-api-key': ['k'] },
      queryStringParameters: { name: 'max', x: '' },
      multiValueQueryStringParameters: { name: ['rex', 'max'], x: [''] },
      pathParameters: { id: '7' },
      stageVariables: { v: 'one' },
      requestContext: {
        path: '/pets',
        accountId: '123456789012',
        resourceId: '',
        stage: 'prod',
        requestId: '00000000-0000-4000-8000-000000000001',
        identity: { apiKey: 'k', sourceIp: '10.0.0.1', userAgent: null },
        resourcePath: '/pets',
        httpMethod: 'GET',
        apiId: 'sluice',
      },
    })
  })

  it('prototype-named query keys and headers are plain data', async () => {
    const { gw } = setup()
    let event: RequestAuthorizerEvent | undefined
    const step = gw.authorize({ type: 'request', handler: (e) => ((event = e as RequestAuthorizerEvent), { principalId: 'u', policyDocument: policy('Allow', '*') }) })
    const r = await simulate(step, { url: '/?__proto__=a&constructor=b&toString=c&constructor=d' })
    expect(r.response.status).toBe(200)
    expect(event?.multiValueQueryStringParameters['constructor']).toEqual(['b', 'd'])
    expect(event?.queryStringParameters['__proto__']).toBe('a')
    expect(({} as Record<string, unknown>)['a']).toBeUndefined()
  })

  it('caches by all identity values together', async () => {
    const { gw } = setup()
    const handler = vi.fn(() => ({ principalId: 'u', policyDocument: policy('Allow', '*') }))
    const step = gw.authorize({ type: 'request', identitySource: ['$request.header.a', '$request.querystring.b'], handler })
    await simulate(step, { url: '/?b=1', headers: { a: 'x' } })
    await simulate(step, { url: '/?b=1', headers: { a: 'x' } })
    await simulate(step, { url: '/?b=2', headers: { a: 'x' } })
    expect(handler).toHaveBeenCalledTimes(2)
  })

  it('$context.routeKey as an identity source caches per route', async () => {
    const { gw } = setup()
    const handler = vi.fn(() => ({ isAuthorized: true }))
    const step = gw.authorize({ type: 'request', authorizerPayloadFormatVersion: '2.0', enableSimpleResponses: true, identitySource: ['$request.header.a', '$context.routeKey'], handler })
    await simulate(step, { url: '/x', headers: { a: '1' } })
    await simulate(step, { url: '/x', headers: { a: '1' } })
    await simulate(step, { url: '/y', headers: { a: '1' } })
    expect(handler).toHaveBeenCalledTimes(2)
    expect((handler.mock.calls[0] as unknown[])[0]).toMatchObject({ identitySource: ['1', 'GET /x'] })
  })

  it('HTTP API payload 2.0 with simple responses', async () => {
    const { gw } = setup()
    let event: RequestAuthorizerEventV2 | undefined
    const step = gw.authorize({
      type: 'request',
      authorizerPayloadFormatVersion: '2.0',
      enableSimpleResponses: true,
      identitySource: '$request.header.Authorization',
      handler: (e) => ((event = e as RequestAuthorizerEventV2), { isAuthorized: (e as RequestAuthorizerEventV2).headers['authorization'] === 'yes', context: { list: [1, 2], n: 3 } }),
    })
    const ok = await simulate(step, { url: '/pets?a=1&a=2', headers: { authorization: 'yes', cookie: 'c1=1; c2=2', host: 'abc.example.com' } })
    expect(ok.response.status).toBe(200)
    expect({ ...ok.context.authorizer }).toEqual({ list: '[1,2]', n: '3' })
    expect(event).toMatchObject({
      version: '2.0',
      type: 'REQUEST',
      routeArn: `${ARN}/GET/pets`,
      identitySource: ['yes'],
      routeKey: 'GET /pets',
      rawPath: '/pets',
      rawQueryString: 'a=1&a=2',
      cookies: ['c1=1', 'c2=2'],
      queryStringParameters: { a: '1,2' },
      requestContext: { accountId: '123456789012', apiId: 'sluice', domainName: 'abc.example.com', domainPrefix: 'abc', http: { method: 'GET', path: '/pets', sourceIp: '' }, stage: 'prod', timeEpoch: T0 },
    })
    expect(event?.headers['cookie']).toBeUndefined()
    const no = await simulate(step, { headers: { authorization: 'no' } })
    expect(no.response.status).toBe(403)
    expect(body(no)).toEqual({ Message: 'Forbidden' })
    const bad = await simulate(gw.authorize({ type: 'request', authorizerPayloadFormatVersion: '2.0', enableSimpleResponses: true, handler: () => ({ isAuthorized: 'true' }) as never }))
    expect(bad.response.status).toBe(500)
  })

  it('payload 1.0 adds identitySource and authorizationToken, comma-joined', async () => {
    const { gw } = setup()
    let event: RequestAuthorizerEvent | undefined
    await simulate(
      gw.authorize({ type: 'request', authorizerPayloadFormatVersion: '1.0', identitySource: '$request.header.u,$request.querystring.id', handler: (e) => ((event = e as RequestAuthorizerEvent), { principalId: 'u', policyDocument: policy('Allow', '*') }) }),
      { url: '/?id=123', headers: { u: 'user1' } },
    )
    expect(event).toMatchObject({ identitySource: 'user1,123', authorizationToken: 'user1,123' })
  })
})

describe('configuration', () => {
  it.each([
    [{ type: 'token' }, 'authorize().handler'],
    [{ type: 'token', handler: noop, authorizerResultTtlInSeconds: 3601 }, 'authorize().authorizerResultTtlInSeconds'],
    [{ type: 'token', handler: noop, identitySource: 'method.request.querystring.t' }, 'authorize().identitySource'],
    [{ type: 'token', handler: noop, identityValidationExpression: '(' }, 'authorize().identityValidationExpression'],
    [{ type: 'request', handler: noop, identitySource: 'method.request.path.id' }, 'authorize().identitySource'],
    [{ type: 'request', handler: noop, enableSimpleResponses: true }, 'authorize().enableSimpleResponses'],
    [{ type: 'request', handler: noop, timeoutMs: 0 }, 'authorize().timeoutMs'],
    [{ type: 'token', handler: noop, bogus: 1 }, 'authorize().bogus'],
    [{ type: 'lambda' }, 'authorize().type'],
  ])('%j is refused naming %s', (config, option) => {
    const { gw } = setup()
    try {
      gw.authorize(config as unknown as AuthorizerConfig)
      expect.unreachable()
    } catch (e) {
      expect(isSluiceConfigError(e) && e.code === 'ERR_INVALID_AUTHORIZER' && e.option).toBe(option)
    }
  })

  it('two configs cannot share a name; one config object is shared by its methods', async () => {
    const { gw } = setup()
    const handler = vi.fn(() => ({ principalId: 'u', policyDocument: policy('Allow', '*') }))
    const config: AuthorizerConfig = { type: 'token', name: 'main', handler }
    const a = gw.authorize(config)
    const b = gw.authorize(config)
    await simulate(a, { headers: { authorization: 't' } })
    await simulate(b, { url: '/other', headers: { authorization: 't' } })
    expect(handler).toHaveBeenCalledTimes(1)
    expect(() => gw.authorize({ type: 'token', name: 'main', handler })).toThrow(/already named "main"/)
  })
})
