/**
 * Lambda proxy events against the shapes AWS recorded: LocalStack's AWS-validated snapshot
 * `tests/aws/services/apigateway/test_apigateway_lambda.snapshot.json`
 * (`test_lambda_aws_proxy_integration`, recorded 10-07-2024; localstack/localstack, Apache-2.0),
 * restated here as key lists and values, and against `@types/aws-lambda` for payload 2.0. Also the
 * parts the recording does not show: empty maps, API keys, authorizer context, binary bodies and
 * prototype-named keys in query, headers, cookies and path.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import { createGateway, type ApiDefinition, type GatewayOptions, type MountOptions } from '@sluice/core'
import { simulate } from '@sluice/core/testing'
import { describe, expect, it } from 'vitest'

type Event = Record<string, unknown>
const T = Date.UTC(2026, 10, 22, 7, 8, 9)

async function capture(definition: ApiDefinition, request: Parameters<typeof simulate>[1], options: { gateway?: GatewayOptions; mount?: MountOptions } = {}): Promise<Event> {
  let seen: unknown
  const gw = createGateway({ stage: { name: 'test' }, clock: { now: () => T }, ...options.gateway })
  const step = gw.mount(definition, { ...options.mount, integrations: { capture: async (event: unknown) => ((seen = event), { statusCode: 200, body: 'ok' }) } })
  const { response } = await simulate(step, request)
  expect(response.status).toBe(200)
  // through JSON, as a Lambda receives it
  return JSON.parse(JSON.stringify(seen)) as Event
}

const proxy = { integration: { type: 'AWS_PROXY' as const, handler: 'capture' } }
const rest: ApiDefinition = { name: 'recorded', paths: { '/{proxy+}': { ANY: proxy }, '/plain': { GET: proxy } } }
const keys = (o: unknown): string[] => Object.keys(o as object).sort()

/** The keys of the recorded event (payload 1.0). */
const RECORDED_TOP = ['body', 'headers', 'httpMethod', 'isBase64Encoded', 'multiValueHeaders', 'multiValueQueryStringParameters', 'path', 'pathParameters', 'queryStringParameters', 'requestContext', 'resource', 'stageVariables']
const RECORDED_CONTEXT = ['accountId', 'apiId', 'deploymentId', 'domainName', 'domainPrefix', 'extendedRequestId', 'httpMethod', 'identity', 'path', 'protocol', 'requestId', 'requestTime', 'requestTimeEpoch', 'resourceId', 'resourcePath', 'stage']
const RECORDED_IDENTITY = ['accessKey', 'accountId', 'caller', 'cognitoAuthenticationProvider', 'cognitoAuthenticationType', 'cognitoIdentityId', 'cognitoIdentityPoolId', 'principalOrgId', 'sourceIp', 'user', 'userAgent', 'userArn']

describe('payload 1.0 against the AWS recording', () => {
  it('has the recorded keys; sluice adds only what @types/aws-lambda requires (authorizer, apiKey, apiKeyId, clientCert)', async () => {
    const e = await capture(rest, { url: '/test-path', headers: { host: 'abc123.execute-api.us-east-1.amazonaws.com', 'user-agent': 'python-requests/testing', 'test-header': 'aValUE' } })
    expect(keys(e)).toEqual(RECORDED_TOP)
    const rc = e['requestContext'] as Event
    expect(keys(rc)).toEqual([...RECORDED_CONTEXT, 'authorizer'].sort())
    expect(keys(rc['identity'])).toEqual([...RECORDED_IDENTITY, 'apiKey', 'apiKeyId', 'clientCert'].sort())
    expect(e).toMatchObject({ body: null, httpMethod: 'GET', isBase64Encoded: false, multiValueQueryStringParameters: null, queryStringParameters: null, path: '/test-path', pathParameters: { proxy: 'test-path' }, resource: '/{proxy+}', stageVariables: null })
    expect(rc).toMatchObject({ domainName: 'abc123.execute-api.us-east-1.amazonaws.com', domainPrefix: 'abc123', httpMethod: 'GET', path: '/test/test-path', protocol: 'HTTP/1.1', resourcePath: '/{proxy+}', stage: 'test', requestTimeEpoch: T, authorizer: null })
    expect(rc['identity']).toMatchObject({ accessKey: null, accountId: null, caller: null, cognitoAuthenticationProvider: null, cognitoAuthenticationType: null, cognitoIdentityId: null, cognitoIdentityPoolId: null, principalOrgId: null, user: null, userAgent: 'python-requests/testing', userArn: null })
    expect(e['headers']).toMatchObject({ 'test-header': 'aValUE' })
    expect(e['multiValueHeaders']).toMatchObject({ 'test-header': ['aValUE'] })
  })

  it('a trailing slash stays in path and requestContext.path, not in {proxy+}', async () => {
    const e = await capture(rest, { url: '/test-path/?urlparam=test' })
    expect(e).toMatchObject({ path: '/test-path/', pathParameters: { proxy: 'test-path' }, queryStringParameters: { urlparam: 'test' }, multiValueQueryStringParameters: { urlparam: ['test'] } })
    expect((e['requestContext'] as Event)['path']).toBe('/test/test-path/')
  })

  it('the path is not decoded: %2B and + stay as sent, in path, {proxy+} and requestContext.path', async () => {
    const raw = '/test-path/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com'
    const e = await capture(rest, { url: raw })
    expect(e['path']).toBe(raw)
    expect(e['pathParameters']).toEqual({ proxy: raw.slice(1) })
    expect((e['requestContext'] as Event)['path']).toBe(`/test${raw}`)
  })

  it('query values are decoded as recorded: + is a space, %2B a plus', async () => {
    const e = await capture(rest, { url: '/test-path/api?dateTimeOffset=2023-06-12T18:05:10.123456+00:00&email=test%2Balias@gmail.com&plus=test+alias@gmail.com&url=https://www.google.com/&whitespace=foo%20bar&zhash=abort%2F' })
    expect(e['queryStringParameters']).toEqual({ dateTimeOffset: '2023-06-12T18:05:10.123456 00:00', email: 'test+alias@gmail.com', plus: 'test alias@gmail.com', url: 'https://www.google.com/', whitespace: 'foo bar', zhash: 'abort/' })
    expect(e['path']).toBe('/test-path/api')
  })

  it('repeated query keys: every value in the multi-value map, the last in the single one; a JSON body as text', async () => {
    const e = await capture(rest, { method: 'POST', url: '/test-path?category=electronics&category=books&price=10&price=20&price=30', headers: { 'content-type': 'application/json;charset=utf-8' }, body: '{"message":"hello world"}' })
    expect(e['multiValueQueryStringParameters']).toEqual({ category: ['electronics', 'books'], price: ['10', '20', '30'] })
    expect(e['queryStringParameters']).toEqual({ category: 'books', price: '30' })
    expect(e).toMatchObject({ httpMethod: 'POST', body: '{"message":"hello world"}', isBase64Encoded: false })
    expect((e['requestContext'] as Event)['httpMethod']).toBe('POST')
  })
})

describe('payload 1.0 beyond the recording', () => {
  it('pathParameters and stageVariables are null when there are none; stage variables otherwise', async () => {
    const e = await capture(rest, { url: '/plain' })
    expect(e).toMatchObject({ resource: '/plain', pathParameters: null, stageVariables: null })
    const v = await capture(rest, { url: '/plain' }, { mount: { variables: { backend: 'b1' } } })
    expect(v['stageVariables']).toEqual({ backend: 'b1' })
  })

  it('an API key the method requires is in requestContext.identity', async () => {
    const KEY = 'eventkey1234abcdefghij0123456789'
    const e = await capture({ paths: { '/k': { GET: { apiKeyRequired: true, ...proxy } } } }, { url: '/k', headers: { 'x-api-key': KEY } }, { gateway: { apiKeys: [{ id: 'key-1', value: KEY }] } })
    expect((e['requestContext'] as Event)['identity']).toMatchObject({ apiKey: KEY, apiKeyId: 'key-1' })
  })

  it("an authorizer's principal and context reach requestContext.authorizer, context values as strings", async () => {
    const definition: ApiDefinition = { authorizers: { tok: { type: 'TOKEN', handler: 'auth', authorizerResultTtlInSeconds: 0 } }, paths: { '/a': { GET: { authorizer: 'tok', ...proxy } } } }
    let seen: unknown
    const step = createGateway({ stage: { name: 'test' } }).mount(definition, {
      integrations: {
        auth: async (ev: { methodArn: string }) => ({ principalId: 'alice', policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: ev.methodArn }] }, context: { tier: 'gold', n: 1, ok: true } }),
        capture: async (event: unknown) => ((seen = event), { statusCode: 200 }),
      },
    })
    expect((await simulate(step, { url: '/a', headers: { authorization: 't' } })).response.status).toBe(200)
    expect((JSON.parse(JSON.stringify(seen)) as { requestContext: Event }).requestContext['authorizer']).toMatchObject({ principalId: 'alice', tier: 'gold', n: '1', ok: 'true' })
  })

  it('a binary media type body is base64 with isBase64Encoded true', async () => {
    const e = await capture({ ...rest, binaryMediaTypes: ['image/*'] }, { method: 'POST', url: '/x', headers: { 'content-type': 'image/png' }, body: new Uint8Array([137, 80, 78, 71, 0, 255]) })
    expect(e).toMatchObject({ body: Buffer.from([137, 80, 78, 71, 0, 255]).toString('base64'), isBase64Encoded: true })
  })

  it('prototype-named path parameter names and values, headers and multi-value maps round-trip as own keys', async () => {
    const definition: ApiDefinition = { paths: { '/items/{constructor}/{__proto__}': { GET: proxy } } }
    const e = await capture(definition, { url: '/items/__proto__/constructor?constructor=1&constructor=2&__proto__=x', headers: { ['__proto__']: 'p', constructor: 'c' } as Record<string, string> })
    expect(e['pathParameters']).toEqual(JSON.parse('{"constructor":"__proto__","__proto__":"constructor"}'))
    expect(Object.prototype.hasOwnProperty.call(e['pathParameters'], '__proto__')).toBe(true)
    expect(e['multiValueQueryStringParameters']).toEqual(JSON.parse('{"constructor":["1","2"],"__proto__":["x"]}'))
    expect(e['multiValueHeaders']).toMatchObject(JSON.parse('{"__proto__":["p"],"constructor":["c"]}'))
    expect(Object.prototype.hasOwnProperty.call(e['headers'], '__proto__')).toBe(true)
    expect(({} as Event)['x']).toBeUndefined()
  })
})

describe('payload 2.0 (HTTP APIs) against @types/aws-lambda', () => {
  const http: ApiDefinition = { protocol: 'HTTP', routes: { 'ANY /{proxy+}': proxy, 'GET /plain': proxy } }
  /** Required keys of APIGatewayProxyEventV2 and its requestContext (a type-level list: it fails to compile if the types drift). */
  const REQUIRED: Array<keyof APIGatewayProxyEventV2> = ['version', 'routeKey', 'rawPath', 'rawQueryString', 'headers', 'requestContext', 'isBase64Encoded']
  const CONTEXT: Array<keyof APIGatewayProxyEventV2['requestContext']> = ['accountId', 'apiId', 'domainName', 'domainPrefix', 'http', 'requestId', 'routeKey', 'stage', 'time', 'timeEpoch']

  it('absent parts are omitted: no cookies, query, body, path parameters or stage variables', async () => {
    const e = await capture(http, { url: '/plain', headers: { 'user-agent': 'ua' } })
    expect(keys(e)).toEqual([...REQUIRED].sort())
    expect(keys(e['requestContext'])).toEqual([...CONTEXT].sort())
    expect(e).toMatchObject({ version: '2.0', routeKey: 'GET /plain', rawPath: '/plain', rawQueryString: '', isBase64Encoded: false, headers: { 'user-agent': 'ua' } })
    expect((e['requestContext'] as Event)['http']).toEqual({ method: 'GET', path: '/plain', protocol: 'HTTP/1.1', sourceIp: '', userAgent: 'ua' })
    expect((e['requestContext'] as Event)['timeEpoch']).toBe(T)
  })

  it('present parts: cookies apart, comma-joined query values, path parameters, stage variables, base64 body', async () => {
    const e = await capture({ ...http, binaryMediaTypes: ['application/octet-stream'] }, { method: 'POST', url: '/a/b?x=1&x=2&y=', headers: { cookie: 'c1=1; c2=2', 'content-type': 'application/octet-stream' }, body: new Uint8Array([1, 2, 3]) }, { mount: { variables: { v: '1' } } })
    expect(e).toMatchObject({ cookies: ['c1=1', 'c2=2'], queryStringParameters: { x: '1,2', y: '' }, pathParameters: { proxy: 'a/b' }, stageVariables: { v: '1' }, body: 'AQID', isBase64Encoded: true, rawQueryString: 'x=1&x=2&y=' })
    expect((e['headers'] as Event)['cookie']).toBeUndefined()
  })

  it('prototype-named keys in query, headers, cookies and path round-trip', async () => {
    const e = await capture(http, { url: '/__proto__/constructor?__proto__=1&__proto__=2&constructor=3', headers: { cookie: '__proto__=c', constructor: 'h', ['__proto__']: 'p' } as Record<string, string> })
    expect(e['queryStringParameters']).toEqual(JSON.parse('{"__proto__":"1,2","constructor":"3"}'))
    expect(e['cookies']).toEqual(['__proto__=c'])
    expect(e['headers']).toMatchObject(JSON.parse('{"constructor":"h","__proto__":"p"}'))
    expect(e['pathParameters']).toEqual({ proxy: '__proto__/constructor' })
  })
})

describe('requestContext.path', () => {
  it('is the path as received under a base path (a custom domain) and on the $default stage', async () => {
    const under = await capture(rest, { url: '/v1/test-path' }, { mount: { basePath: '/v1' } })
    expect(under).toMatchObject({ path: '/v1/test-path', resource: '/{proxy+}', pathParameters: { proxy: 'test-path' } })
    expect((under['requestContext'] as Event)['path']).toBe('/v1/test-path')
    const root = await capture(rest, { url: '/test-path' }, { gateway: { stage: { name: '$default' } } })
    expect((root['requestContext'] as Event)['path']).toBe('/test-path')
  })
})
