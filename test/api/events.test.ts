/**
 * Lambda proxy events as API Gateway builds them, checked against `@types/aws-lambda` (at compile
 * time: the assignments below fail type-checking if the shapes drift) and against the shapes the
 * reference recorded from AWS (section 5.2, 5.3), including prototype-named keys.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2, APIGatewayProxyHandler, APIGatewayProxyHandlerV2, Context } from 'aws-lambda'
import { createGateway, type ApiDefinition, type IntegrationHandler, type LambdaContext, type ProxyEventV1, type ProxyEventV2 } from '@sluice/core'
import { simulate } from '@sluice/core/testing'
import { describe, expect, it } from 'vitest'

// compile-time: sluice's events are the types' events, and typed handlers are integration handlers
const asV1 = (e: ProxyEventV1): APIGatewayProxyEvent => e
const asV2 = (e: ProxyEventV2): APIGatewayProxyEventV2 => e
const asContext = (c: LambdaContext): Context => c
const typedV1: APIGatewayProxyHandler = async (event) => ({ statusCode: 200, body: event.path })
const typedV2: APIGatewayProxyHandlerV2 = async (event) => ({ statusCode: 200, body: event.rawPath })
const handlers: Record<string, IntegrationHandler> = { typedV1, typedV2 }
void [asV1, asV2, asContext, handlers]

async function capture(definition: ApiDefinition, request: Parameters<typeof simulate>[1]): Promise<{ event: Record<string, unknown>; status: number }> {
  let seen: unknown
  const gw = createGateway({ stage: { name: 'prod', variables: { backend: 'b1' } }, requestId: () => '00000000-0000-4000-8000-000000000001', clock: { now: () => Date.UTC(2026, 10, 22, 1, 2, 3) } })
  const step = gw.mount(definition, { integrations: { capture: async (event: unknown) => ((seen = event), { statusCode: 200, body: 'ok' }) } })
  const { response } = await simulate(step, request)
  return { event: JSON.parse(JSON.stringify(seen ?? null)) as Record<string, unknown>, status: response.status }
}

const rest: ApiDefinition = { paths: { '/{proxy+}': { ANY: { integration: { type: 'AWS_PROXY', handler: 'capture' } } }, '/users/{id}': { GET: { integration: { type: 'AWS_PROXY', handler: 'capture' } } } } }
const http: ApiDefinition = { protocol: 'HTTP', routes: { 'ANY /{proxy+}': { integration: { type: 'AWS_PROXY', handler: 'capture' } } } }

describe('payload format 1.0', () => {
  it('matches the recorded AWS shape: empty maps are null, body null, path kept, query decoded, last value wins', async () => {
    const { event } = await capture(rest, { url: '/users/test%2Balias@gmail.com', headers: { 'user-agent': 'ua', host: 'api.example.com' }, ip: '203.0.113.9' })
    expect(event).toMatchObject({
      resource: '/users/{id}',
      path: '/users/test%2Balias@gmail.com',
      httpMethod: 'GET',
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      pathParameters: { id: 'test%2Balias@gmail.com' },
      stageVariables: { backend: 'b1' },
      body: null,
      isBase64Encoded: false,
      headers: { 'user-agent': 'ua', host: 'api.example.com' },
      multiValueHeaders: { 'user-agent': ['ua'], host: ['api.example.com'] },
    })
    const rc = event['requestContext'] as Record<string, unknown>
    expect(rc).toMatchObject({
      accountId: '123456789012',
      resourcePath: '/users/{id}',
      httpMethod: 'GET',
      stage: 'prod',
      requestId: '00000000-0000-4000-8000-000000000001',
      requestTime: '22/Nov/2026:01:02:03 +0000',
      requestTimeEpoch: Date.UTC(2026, 10, 22, 1, 2, 3),
      protocol: 'HTTP/1.1',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      // with the stage, as AWS records it (the event's own path has none)
      path: '/prod/users/test%2Balias@gmail.com',
      authorizer: null,
    })
    expect(rc['identity']).toMatchObject({ sourceIp: '203.0.113.9', userAgent: 'ua', apiKey: null, apiKeyId: null, user: null, clientCert: null })
    expect(typeof rc['deploymentId']).toBe('string')
    expect(typeof rc['resourceId']).toBe('string')
    expect(typeof rc['extendedRequestId']).toBe('string')
  })

  it('query strings: decoded, multi-valued, last value in the single map; {proxy+} without the trailing slash', async () => {
    const { event } = await capture(rest, { url: '/proxy-value/?a=1&a=2&b=%2B+c&empty=&flag' })
    expect(event['queryStringParameters']).toEqual({ a: '2', b: '+ c', empty: '', flag: '' })
    expect(event['multiValueQueryStringParameters']).toEqual({ a: ['1', '2'], b: ['+ c'], empty: [''], flag: [''] })
    expect(event['pathParameters']).toEqual({ proxy: 'proxy-value' })
    expect(event['path']).toBe('/proxy-value/')
  })

  it('a body is text, or base64 for a binary media type', async () => {
    const { event } = await capture(rest, { method: 'POST', url: '/x', body: '{"a":1}', headers: { 'content-type': 'application/json' } })
    expect(event).toMatchObject({ body: '{"a":1}', isBase64Encoded: false })
    const bin = await capture({ ...rest, binaryMediaTypes: ['application/octet-stream'] }, { method: 'POST', url: '/x', body: new Uint8Array([0, 255, 1]), headers: { 'content-type': 'application/octet-stream' } })
    expect(bin.event).toMatchObject({ body: Buffer.from([0, 255, 1]).toString('base64'), isBase64Encoded: true })
  })

  it('prototype-named keys in query, headers and path round-trip without crashing or polluting', async () => {
    const { event, status } = await capture(rest, {
      url: '/__proto__/constructor?__proto__=1&constructor=2&__proto__=3&toString=4',
      headers: { constructor: 'c', ['__proto__']: 'p', 'x-normal': 'n' } as Record<string, string>,
    })
    expect(status).toBe(200)
    expect(event['queryStringParameters']).toEqual(JSON.parse('{"__proto__":"3","constructor":"2","toString":"4"}'))
    expect(event['multiValueQueryStringParameters']).toEqual(JSON.parse('{"__proto__":["1","3"],"constructor":["2"],"toString":["4"]}'))
    expect(event['pathParameters']).toEqual({ proxy: '__proto__/constructor' })
    expect((event['headers'] as Record<string, string>)['constructor']).toBe('c')
    expect(({} as Record<string, unknown>)['1']).toBeUndefined()
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'constructor')).toBe(true)
  })
})

describe('payload format 2.0', () => {
  it('matches the documented shape: lower-case headers, cookies apart, comma-joined duplicates, absent parts omitted', async () => {
    const { event } = await capture(http, { url: '/pets/1?a=1&a=2', headers: { Cookie: 'c1=1; c2=2', 'X-Thing': 'v', 'user-agent': 'ua' }, ip: '198.51.100.7' })
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'ANY /{proxy+}',
      rawPath: '/pets/1',
      rawQueryString: 'a=1&a=2',
      cookies: ['c1=1', 'c2=2'],
      queryStringParameters: { a: '1,2' },
      pathParameters: { proxy: 'pets/1' },
      isBase64Encoded: false,
      stageVariables: { backend: 'b1' },
    })
    expect(event['headers']).toEqual({ 'x-thing': 'v', 'user-agent': 'ua' })
    expect(event['body']).toBeUndefined()
    const rc = event['requestContext'] as Record<string, unknown>
    expect(rc).toMatchObject({ routeKey: 'ANY /{proxy+}', stage: 'prod', time: '22/Nov/2026:01:02:03 +0000', http: { method: 'GET', path: '/pets/1', protocol: 'HTTP/1.1', sourceIp: '198.51.100.7', userAgent: 'ua' } })
    expect(rc['authorizer']).toBeUndefined()
  })

  it('prototype-named keys round-trip', async () => {
    const { event, status } = await capture(http, { url: '/x?__proto__=a&constructor=b', headers: { constructor: 'c' } })
    expect(status).toBe(200)
    expect(event['queryStringParameters']).toEqual(JSON.parse('{"__proto__":"a","constructor":"b"}'))
  })
})
