import type { APIGatewayProxyEvent, APIGatewayProxyEventV2, APIGatewayProxyResult } from 'aws-lambda'
import { createApi, type ApiDefinition, type IntegrationHandler } from '@sluice/core'
import { afterAll, beforeAll, describe, expect } from 'vitest'
import type { AppSpec } from '../support/apps.js'
import { startBackend, type Backend } from '../support/backend.js'
import { scenario } from '../support/scenario.js'

let backend: Backend
beforeAll(async () => {
  backend = await startBackend()
})
afterAll(async () => {
  await backend.close()
})

const KEY = 'mountkey1234abcdefghij0123456789'

/** A v1 handler that tells which resource ran, with the event's main fields. */
const echoV1 = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({
    resource: event.resource,
    path: event.path,
    method: event.httpMethod,
    pathParameters: event.pathParameters,
    query: event.queryStringParameters,
    multiQuery: event.multiValueQueryStringParameters,
    stageVariables: event.stageVariables,
    stage: event.requestContext.stage,
    apiKeyId: event.requestContext.identity.apiKeyId,
    body: event.body,
    isBase64Encoded: event.isBase64Encoded,
  }),
})

const echoV2 = async (event: APIGatewayProxyEventV2): Promise<unknown> => ({ routeKey: event.routeKey, rawPath: event.rawPath, cookies: event.cookies ?? null, query: event.queryStringParameters ?? null, params: event.pathParameters ?? null })

const proxy = (handler = 'echo'): { integration: { type: 'AWS_PROXY'; handler: string } } => ({ integration: { type: 'AWS_PROXY', handler } })

const integrations: Record<string, IntegrationHandler> = {
  echo: echoV1,
  echoV2,
  malformed: async () => ({ statusCode: 200, body: 'x', extra: true }),
  throws: async () => {
    throw new Error('boom')
  },
  slow: () => new Promise((r) => setTimeout(() => r({ statusCode: 200, body: 'late' }), 1000)),
  cookies: async () => ({ statusCode: 201, multiValueHeaders: { 'Set-Cookie': ['a=1; Path=/', 'b=2; Path=/'] }, headers: { 'X-Custom': 'yes' }, body: '{"ok":true}' }),
  binary: async () => ({ statusCode: 200, headers: { 'content-type': 'image/png' }, body: Buffer.from('PNGDATA').toString('base64'), isBase64Encoded: true }),
  callback: (_event: unknown, _ctx: unknown, cb: (e: unknown, r: unknown) => void) => void cb(null, { statusCode: 202, body: 'cb' }),
  module: { handler: async () => ({ statusCode: 200, body: 'from a module' }) },
  v2plain: async () => ({ hello: 'world' }),
  v2cookies: async () => ({ statusCode: 200, cookies: ['c1=1', 'c2=2'], body: 'ok' }),
  custom: async (event: unknown) => {
    const e = event as { fail?: string; n?: number }
    if (e.fail !== undefined) throw new Error(e.fail)
    return { doubled: (e.n ?? 0) * 2 }
  },
  which: async (event: APIGatewayProxyEvent) => ({ statusCode: 200, body: JSON.stringify({ v: event.stageVariables?.['v'] ?? null, canary: event.stageVariables?.['canaryOnly'] ?? null }) }),
}

const restApi = (): ApiDefinition => ({
  name: 'routing',
  paths: {
    '/': { GET: proxy() },
    '/pets': { GET: proxy(), POST: { integration: { type: 'NEXT' } } },
    '/pets/dog': { GET: proxy() },
    '/pets/{id}': { GET: proxy(), DELETE: { apiKeyRequired: true, ...proxy() } },
    '/part1': { GET: proxy() },
    '/test': { POST: proxy() },
    '/{proxy+}': { ANY: proxy() },
  },
})

const spec = (api: () => Parameters<AppSpecGw['mount']>[0], options: () => Parameters<AppSpecGw['mount']>[1] = () => ({}), extra: Partial<AppSpec> = {}): AppSpec => ({
  options: { apiKeys: [{ id: 'k1', value: KEY }], stage: { name: 'prod', variables: { v: 'stage' } } },
  features: (gw) => [gw.mount(api(), options())],
  routes: [],
  ...extra,
})
type AppSpecGw = Parameters<AppSpec['features']>[0]

const json = (body: string): Record<string, unknown> => JSON.parse(body) as Record<string, unknown>

describe('a mounted REST API on every adapter', () => {
  scenario('routing precedence: static beats variable beats greedy; fallback to an ancestor greedy; unknown → 403', spec(() => restApi(), () => ({ integrations })), async ({ send }) => {
    const resource = async (method: string, path: string): Promise<unknown> => {
      const r = await send({ method, path })
      expect(r.status, `${method} ${path}`).toBe(200)
      return json(r.body)['resource']
    }
    expect(await resource('GET', '/')).toBe('/')
    expect(await resource('GET', '/pets')).toBe('/pets')
    expect(await resource('GET', '/pets/dog')).toBe('/pets/dog')
    expect(await resource('GET', '/pets/cat')).toBe('/pets/{id}')
    expect(await resource('GET', '/part1/random-value')).toBe('/{proxy+}')
    expect(await resource('OPTIONS', '/test')).toBe('/{proxy+}')
    expect(await resource('GET', '/pets/cat/toys')).toBe('/{proxy+}')
    expect(await resource('GET', '/pets/')).toBe('/pets')
    const p = json((await send({ path: '/a//b/?x=1&x=2&y=%2B+z' })).body)
    expect(p['pathParameters']).toEqual({ proxy: 'a//b' })
    expect(p['path']).toBe('/a//b/')
    expect(p['query']).toEqual({ x: '2', y: '+ z' })
    expect(p['multiQuery']).toEqual({ x: ['1', '2'], y: ['+ z'] })
    expect(p['stage']).toBe('prod')
    expect(p['stageVariables']).toEqual({ v: 'stage' })
    // an encoded unreserved character is the same path: the framework and sluice agree on it
    expect(await resource('GET', '/p%65ts/dog')).toBe('/pets/dog')
  })

  scenario('unknown route and method → 403 Missing Authentication Token', spec(() => ({ paths: { '/pets': { GET: proxy() } } }), () => ({ integrations })), async ({ send }) => {
    for (const [method, path] of [['GET', '/nope'], ['DELETE', '/pets'], ['GET', '/']] as const) {
      const r = await send({ method, path })
      expect(r.status).toBe(403)
      expect(r.body).toBe('{"message":"Missing Authentication Token"}')
    }
  })

  scenario('API key required per method', spec(() => restApi(), () => ({ integrations })), async ({ send }) => {
    expect((await send({ method: 'DELETE', path: '/pets/1' })).status).toBe(403)
    const ok = await send({ method: 'DELETE', path: '/pets/1', headers: { 'x-api-key': KEY } })
    expect(ok.status).toBe(200)
    expect(json(ok.body)['apiKeyId']).toBe('k1')
  })

  scenario(
    'Lambda proxy: response contract (malformed and errors → 502, timeout → 504, cookies, base64, callback and module handlers)',
    spec(
      () => ({
        binaryMediaTypes: ['image/png'],
        paths: {
          '/malformed': { GET: proxy('malformed') },
          '/throws': { GET: proxy('throws') },
          '/slow': { GET: { integration: { type: 'AWS_PROXY', handler: 'slow', timeoutInMillis: 100 } } },
          '/cookies': { GET: proxy('cookies') },
          '/binary': { GET: proxy('binary') },
          '/callback': { GET: proxy('callback') },
          '/module': { GET: { integration: { type: 'AWS_PROXY', uri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:module/invocations' } } },
          '/echo': { POST: proxy() },
        },
      }),
      () => ({ integrations }),
    ),
    async ({ send }) => {
      for (const p of ['/malformed', '/throws']) {
        const r = await send({ path: p })
        expect(r.status).toBe(502)
        expect(r.body).toBe('{"message":"Internal server error"}')
      }
      const slow = await send({ path: '/slow' })
      expect(slow.status).toBe(504)
      expect(slow.body).toBe('{"message":"Endpoint request timed out"}')
      const c = await send({ path: '/cookies' })
      expect(c.status).toBe(201)
      expect(c.cookieLines).toBe(2)
      expect(c.headers['x-custom']).toBe('yes')
      const png = await send({ path: '/binary', headers: { accept: 'image/png' } })
      expect(png.body).toBe('PNGDATA')
      const text = await send({ path: '/binary', headers: { accept: 'application/json' } })
      expect(text.body).toBe(Buffer.from('PNGDATA').toString('base64'))
      expect((await send({ path: '/callback' })).status).toBe(202)
      expect((await send({ path: '/module' })).body).toBe('from a module')
      const posted = json((await send({ method: 'POST', path: '/echo', body: '{"a":1}', headers: { 'content-type': 'application/json' } })).body)
      expect(posted['body']).toBe('{"a":1}')
      expect(posted['isBase64Encoded']).toBe(false)
    },
  )

  scenario(
    'Lambda non-proxy (AWS): error-message selection patterns',
    spec(
      () => ({
        paths: {
          '/custom': {
            POST: {
              integration: {
                type: 'AWS',
                handler: 'custom',
                responses: [
                  { statusCode: '200' },
                  { selectionPattern: '.*not found.*', statusCode: '404', responseTemplates: { 'application/json': '{"error":"missing"}' } },
                  { selectionPattern: '.+', statusCode: '500' },
                ],
              },
              methodResponses: { '200': {}, '404': {}, '500': {} },
            },
          },
        },
      }),
      () => ({ integrations }),
    ),
    async ({ send }) => {
      const ok = await send({ method: 'POST', path: '/custom', body: '{"n":21}', headers: { 'content-type': 'application/json' } })
      expect(ok.status).toBe(200)
      expect(ok.body).toBe('{"doubled":42}')
      const nf = await send({ method: 'POST', path: '/custom', body: '{"fail":"pet not found"}', headers: { 'content-type': 'application/json' } })
      expect(nf.status).toBe(404)
      expect(nf.body).toBe('{"error":"missing"}')
      const other = await send({ method: 'POST', path: '/custom', body: '{"fail":"kaput"}', headers: { 'content-type': 'application/json' } })
      expect(other.status).toBe(500)
      expect(json(other.body)['errorMessage']).toBe('kaput')
    },
  )

  scenario(
    'MOCK: status from the request template, body from the response template',
    spec(() => ({
      paths: {
        '/mock': {
          GET: {
            integration: {
              type: 'MOCK',
              requestTemplates: { 'application/json': '{"statusCode": 201}' },
              responses: [
                { statusCode: '200', responseTemplates: { 'application/json': '{"ok":true}' } },
                { selectionPattern: '201', statusCode: '201', responseParameters: { 'method.response.header.x-mock': "'yes'" }, responseTemplates: { 'application/json': '{"created":true}' } },
              ],
            },
          },
        },
        '/broken': { GET: { integration: { type: 'MOCK', requestTemplates: { 'application/json': '{"nostatus": 1}' } } } },
      },
    })),
    async ({ send }) => {
      const r = await send({ path: '/mock' })
      expect(r.status).toBe(201)
      expect(r.body).toBe('{"created":true}')
      expect(r.headers['x-mock']).toBe('yes')
      expect(r.headers['content-type']).toBe('application/json')
      const b = await send({ path: '/broken' })
      expect(b.status).toBe(500)
      expect(b.body).toBe('{"message":"Internal server error"}')
    },
  )

  scenario(
    'HTTP_PROXY: path, greedy proxy and query pass through; hop-by-hop headers stripped both ways; refused → 502; timeout → 504',
    spec(
      () => ({
        paths: {
          '/api/{proxy+}': { ANY: { integration: { type: 'HTTP_PROXY', uri: `${backend.url}/site/{proxy}` } } },
          '/items/{id}': { GET: { integration: { type: 'HTTP_PROXY', uri: `${backend.url}/items/{id}/detail` } } },
          '/staged': { GET: { integration: { type: 'HTTP_PROXY', uri: '${stageVariables.backend}/staged' } } },
          '/refused': { GET: { integration: { type: 'HTTP_PROXY', uri: `${backend.refusedUrl}/x` } } },
          '/slow': { GET: { integration: { type: 'HTTP_PROXY', uri: `${backend.url}/slow`, timeoutInMillis: 100 } } },
          '/reset': { GET: { integration: { type: 'HTTP_PROXY', uri: `${backend.url}/reset` } } },
          '/cookies': { GET: { integration: { type: 'HTTP_PROXY', uri: `${backend.url}/cookies` } } },
        },
      }),
      () => ({ variables: { backend: backend.url } }),
    ),
    async ({ send }) => {
      const r = await send({ method: 'POST', path: '/api/a/b%2Fc?x=1&x=2', body: 'hello', headers: { 'content-type': 'text/plain', te: 'trailers', connection: 'close, x-secret-hop', 'x-secret-hop': 'no', 'x-pass': 'yes' } })
      expect(r.status).toBe(200)
      const echoed = json(r.body) as { method: string; url: string; headers: Record<string, string>; body: string }
      expect(echoed.method).toBe('POST')
      expect(echoed.url).toBe('/site/a/b%2Fc?x=1&x=2')
      expect(echoed.body).toBe('hello')
      expect(echoed.headers['x-pass']).toBe('yes')
      expect(echoed.headers['x-secret-hop']).toBeUndefined()
      expect(echoed.headers['te']).toBeUndefined()
      expect(echoed.headers['host']).toBe(new URL(backend.url).host)
      expect(r.headers['x-backend']).toBe('yes')
      expect(r.headers['x-hop']).toBeUndefined()
      expect(r.headers['keep-alive']).toBeUndefined()
      expect(r.headers['x-amzn-remapped-server']).toBe('loopback')
      expect(json((await send({ path: '/items/42' })).body)['url']).toBe('/items/42/detail')
      expect(json((await send({ path: '/staged' })).body)['url']).toBe('/staged')
      const climb = await send({ path: '/api/%2E%2E/%2e%2e/etc', raw: true })
      expect(climb.status).toBe(403)
      const refused = await send({ path: '/refused' })
      expect(refused.status).toBe(502)
      expect(refused.body).toBe('{"message":"Internal server error"}')
      const slow = await send({ path: '/slow' })
      expect(slow.status).toBe(504)
      expect(slow.body).toBe('{"message":"Endpoint request timed out"}')
      expect((await send({ path: '/reset' })).status).toBe(502)
      const cookies = await send({ path: '/cookies' })
      expect(cookies.cookieLines).toBe(2)
    },
  )

  scenario(
    'HTTP (non-proxy): the backend status selects the integration response',
    spec(() => ({
      paths: {
        '/status/{code}': {
          GET: {
            integration: {
              type: 'HTTP',
              uri: `${backend.url}/status/{code}`,
              requestParameters: { 'integration.request.header.x-from-query': 'method.request.querystring.tag' },
              responses: [
                { statusCode: '200', responseParameters: { 'method.response.header.x-backend': 'integration.response.header.x-backend' } },
                { selectionPattern: '4\\d{2}', statusCode: '400', responseTemplates: { 'application/json': '{"error":"client"}' } },
              ],
            },
          },
        },
      },
    })),
    async ({ send }) => {
      const ok = await send({ path: '/status/200?tag=t1' })
      expect(ok.status).toBe(200)
      expect(ok.headers['x-backend']).toBe('yes')
      expect((json(ok.body) as { headers: Record<string, string> }).headers['x-from-query']).toBe('t1')
      const bad = await send({ path: '/status/404' })
      expect(bad.status).toBe(400)
      expect(bad.body).toBe('{"error":"client"}')
    },
  )
})

describe('a mounted HTTP API on every adapter', () => {
  const httpApi = (): ApiDefinition => ({
    protocol: 'HTTP',
    routes: {
      'GET /pets': { integration: { type: 'AWS_PROXY', handler: 'echoV2' } },
      'GET /pets/{id}': { integration: { type: 'AWS_PROXY', handler: 'echoV2' } },
      'GET /pets/dog/1': { integration: { type: 'AWS_PROXY', handler: 'echoV2' } },
      'ANY /pets/{proxy+}': { integration: { type: 'AWS_PROXY', handler: 'echoV2' } },
      'GET /plain': { integration: { type: 'AWS_PROXY', handler: 'v2plain' } },
      'GET /cookies': { integration: { type: 'AWS_PROXY', handler: 'v2cookies' } },
      'GET /v1': { integration: { type: 'AWS_PROXY', handler: 'malformed', payloadFormatVersion: '1.0' } },
    },
  })

  scenario('route keys, priority, 404, v2 events and response inference', spec(() => httpApi(), () => ({ integrations })), async ({ send }) => {
    const key = async (path: string, method = 'GET'): Promise<unknown> => json((await send({ method, path })).body)['routeKey']
    expect(await key('/pets')).toBe('GET /pets')
    expect(await key('/pets/dog/1')).toBe('GET /pets/dog/1')
    expect(await key('/pets/dog/2')).toBe('ANY /pets/{proxy+}')
    expect(await key('/pets/cat')).toBe('GET /pets/{id}')
    expect(await key('/pets/cat', 'POST')).toBe('ANY /pets/{proxy+}')
    const e = json((await send({ path: '/pets/7?a=1&a=2', headers: { cookie: 'x=1; y=2' } })).body)
    expect(e['cookies']).toEqual(['x=1', 'y=2'])
    expect(e['query']).toEqual({ a: '1,2' })
    expect(e['params']).toEqual({ id: '7' })
    const nf = await send({ path: '/nope' })
    expect(nf.status).toBe(404)
    expect(nf.body).toBe('{"message":"Not Found"}')
    const plain = await send({ path: '/plain' })
    expect(plain.status).toBe(200)
    expect(plain.body).toBe('{"hello":"world"}')
    expect(plain.headers['content-type']).toBe('application/json')
    const c = await send({ path: '/cookies' })
    expect(c.cookieLines).toBe(2)
    const v1 = await send({ path: '/v1' })
    expect(v1.status).toBe(500)
    expect(v1.body).toBe('{"message":"Internal Server Error"}')
  })

  scenario(
    '$default catches what no route matches',
    spec(() => ({ protocol: 'HTTP', routes: { 'GET /pets': { integration: { type: 'AWS_PROXY', handler: 'echoV2' } }, $default: { integration: { type: 'AWS_PROXY', handler: 'echoV2' } } } }), () => ({ integrations })),
    async ({ send }) => {
      expect(json((await send({ path: '/anything/else' })).body)['routeKey']).toBe('$default')
    },
  )
})

describe('stages, versions and canary on every adapter', () => {
  scenario(
    'a mounted API under /v1 and /v2 beside host routes; NEXT hands the request to the host route',
    spec(
      () => restApi(),
      () => ({ integrations, basePath: '/v1' }),
      {
        features: (gw) => [
          gw.mount(restApi(), { integrations, basePath: '/v1' }),
          gw.mount({ paths: { '/pets': { GET: { integration: { type: 'MOCK', responses: [{ statusCode: '200', responseTemplates: { 'application/json': '{"version":2}' } }] } } } } }, { basePath: '/v2' }),
        ],
        routes: [
          { method: 'GET', path: '/health', body: '{"host":true}' },
          { method: 'POST', path: '/v1/pets', body: '{"host":"pets"}' },
        ],
      },
    ),
    async ({ send }) => {
      expect(json((await send({ path: '/v1/pets' })).body)['resource']).toBe('/pets')
      expect((await send({ path: '/v2/pets' })).body).toBe('{"version":2}')
      expect((await send({ path: '/health' })).body).toBe('{"host":true}')
      const next = await send({ method: 'POST', path: '/v1/pets' })
      expect(next.status).toBe(200)
      expect(next.body).toBe('{"host":"pets"}')
      expect(next.headers['x-amzn-requestid']).toBeDefined()
      expect((await send({ path: '/v2/cats' })).status).toBe(403)
    },
  )

  const seeded = (seed: number): (() => number) => {
    let s = seed >>> 0
    return () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0
      return s / 4294967296
    }
  }
  let current: ReturnType<typeof createApi> | undefined
  const canaryApi = (): ReturnType<typeof createApi> => {
    const api = (current = createApi({ paths: { '/which': { GET: { integration: { type: 'AWS_PROXY', handler: 'which' } } } } }, { integrations }))
    api.deploy({ stageName: 'prod', variables: { v: 'stable' } })
    const next = api.deploy({ description: 'canary' })
    api.updateStage('prod', { canary: { deploymentId: next.id, percentTraffic: 30, stageVariableOverrides: { v: 'canary', canaryOnly: 'yes' } } })
    return api
  }

  scenario('canary split is deterministic under a seeded random source; promotion makes it the stage', spec(() => canaryApi(), () => ({ random: seeded(42) })), async ({ send }) => {
    const seen: string[] = []
    for (let i = 0; i < 40; i++) seen.push(String(json((await send({ path: '/which' })).body)['v']))
    const canary = seen.filter((v) => v === 'canary').length
    expect(canary).toBeGreaterThan(4)
    expect(canary).toBeLessThan(20)
    const r = seeded(42)
    expect(seen).toEqual(Array.from({ length: 40 }, () => (r() * 100 < 30 ? 'canary' : 'stable')))
    current?.promoteCanary('prod')
    for (let i = 0; i < 5; i++) expect((await send({ path: '/which' })).body).toBe('{"v":"canary","canary":"yes"}')
  })

  scenario('stage variables select the handler and reach the event', spec(() => ({ paths: { '/h': { GET: { integration: { type: 'AWS_PROXY', handler: '${stageVariables.fn}' } } } } }), () => ({ integrations, variables: { fn: 'which', v: 'x1' } })), async ({ send }) => {
    expect((await send({ path: '/h' })).body).toBe('{"v":"x1","canary":null}')
  })
})
