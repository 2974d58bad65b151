/**
 * A mounted API's gateway responses (its deployment's `gatewayResponses`) over the gateway's table,
 * and the 500 for an integration response whose status has no declared method response.
 */
import { describe, expect, it } from 'vitest'
import { isSluiceConfigError } from '../errors.js'
import { createGateway } from '../gateway.js'
import { simulate } from '../testing/simulate.js'
import { createApi } from './api.js'
import type { ApiDefinition, MethodDefinition } from './definition.js'

const KEY = 'mountresp1234abcdefghij0123456789'
const mock = (status = '200', text = '{"ok":true}'): MethodDefinition => ({
  integration: { type: 'MOCK', requestTemplates: { 'application/json': `{"statusCode": ${status}}` }, responses: [{ statusCode: status, responseTemplates: { 'application/json': text } }] },
})

const withResponses = (gatewayResponses?: ApiDefinition['gatewayResponses']): ApiDefinition => ({
  name: 'custom',
  ...(gatewayResponses === undefined ? {} : { gatewayResponses }),
  paths: {
    '/open': { GET: mock() },
    '/keyed': { GET: { apiKeyRequired: true, ...mock() } },
    '/broken': { GET: { integration: { type: 'AWS_PROXY', handler: 'malformed' } } },
    '/pets': {
      POST: {
        requestValidator: 'body',
        requestModels: { 'application/json': 'Pet' },
        ...mock(),
      },
    },
  },
  requestValidators: { body: { validateRequestBody: true } },
  models: { Pet: { type: 'object', required: ['name'] } },
})

const integrations = { malformed: async () => ({ statusCode: 200, body: 'x', extra: true }) }

const CUSTOM: ApiDefinition['gatewayResponses'] = {
  MISSING_AUTHENTICATION_TOKEN: { statusCode: 404, responseTemplates: { 'application/json': '{"error":"no route","type":"$context.error.responseType"}' } },
  DEFAULT_4XX: { responseParameters: { 'gatewayresponse.header.x-api': "'custom'" } },
  DEFAULT_5XX: { responseParameters: { 'gatewayresponse.header.x-api-5xx': "'custom'" } },
}

describe("a mounted API's gateway responses", () => {
  const gw = createGateway({ apiKeys: [{ id: 'k1', value: KEY }] })
  const custom = gw.mount(withResponses(CUSTOM), { basePath: '/custom', integrations })
  const plain = gw.mount(withResponses(), { basePath: '/plain', integrations })

  it('render an unknown route with its own MISSING_AUTHENTICATION_TOKEN (status and template)', async () => {
    const r = await simulate(custom, { url: '/custom/nowhere' })
    expect(r.response.status).toBe(404)
    expect(r.response.body).toBe('{"error":"no route","type":"MISSING_AUTHENTICATION_TOKEN"}')
    expect(r.response.headers['x-amzn-errortype']).toBe('MissingAuthenticationTokenException')
    // MISSING_AUTHENTICATION_TOKEN has its own response: DEFAULT_4XX's header is not merged in (AWS: the type's own response wins whole)
    expect(r.response.headers['x-api']).toBeUndefined()
  })

  it("apply the API's DEFAULT_4XX to 4XX types it does not set: API key, request body validation", async () => {
    const noKey = await simulate(custom, { url: '/custom/keyed' })
    expect(noKey.response.status).toBe(403)
    expect(noKey.response.body).toBe('{"message":"Forbidden"}')
    expect(noKey.response.headers['x-api']).toBe('custom')
    const bad = await simulate(custom, { method: 'POST', url: '/custom/pets', headers: { 'content-type': 'application/json' }, body: '{}' })
    expect(bad.response.status).toBe(400)
    expect(bad.response.headers['x-api']).toBe('custom')
    expect((await simulate(custom, { url: '/custom/keyed', headers: { 'x-api-key': KEY } })).response.status).toBe(200)
  })

  it("apply the API's DEFAULT_5XX to integration failures (a malformed Lambda proxy response stays 502)", async () => {
    const r = await simulate(custom, { url: '/custom/broken' })
    expect(r.response.status).toBe(502)
    expect(r.response.body).toBe('{"message":"Internal server error"}')
    expect(r.response.headers['x-api-5xx']).toBe('custom')
  })

  it("leave another API on the same gateway, and the gateway's own steps, with the gateway's table", async () => {
    const r = await simulate(plain, { url: '/plain/nowhere' })
    expect(r.response.status).toBe(403)
    expect(r.response.body).toBe('{"message":"Missing Authentication Token"}')
    const noKey = await simulate(plain, { url: '/plain/keyed' })
    expect(noKey.response.headers['x-api']).toBeUndefined()
    const host = await simulate(gw.apiKey(), { url: '/elsewhere' })
    expect(host.response.status).toBe(403)
    expect(host.response.headers['x-api']).toBeUndefined()
    // both mounts in one chain: the request outside /custom is answered by the plain API with defaults
    const both = await simulate([custom, plain], { url: '/plain/nowhere' })
    expect(both.response.status).toBe(403)
  })

  it("fall back to the gateway's table for a class the API does not customise, and win over it for a class it does", async () => {
    const g = createGateway({
      apiKeys: [{ id: 'k1', value: KEY }],
      gatewayResponses: { INVALID_API_KEY: { statusCode: 401, responseParameters: { 'gatewayresponse.header.x-gw': "'gateway'" } }, MISSING_AUTHENTICATION_TOKEN: { statusCode: 400 } },
    })
    // only 5XX customised by the API: 4XX types come from the gateway's table
    const only5xx = g.mount(withResponses({ DEFAULT_5XX: { statusCode: 503 } }), { integrations })
    const noKey = await simulate(only5xx, { url: '/keyed' })
    expect(noKey.response.status).toBe(401)
    expect(noKey.response.headers['x-gw']).toBe('gateway')
    expect((await simulate(only5xx, { url: '/nowhere' })).response.status).toBe(400)
    expect((await simulate(only5xx, { url: '/broken' })).response.status).toBe(503)
    // the API's DEFAULT_4XX is its lookup's second step (type → DEFAULT_4XX → built-in): the gateway's INVALID_API_KEY no longer applies
    const own4xx = g.mount(withResponses({ DEFAULT_4XX: { statusCode: 418 } }), { integrations })
    const denied = await simulate(own4xx, { url: '/keyed' })
    expect(denied.response.status).toBe(418)
    expect(denied.response.headers['x-gw']).toBeUndefined()
    expect((await simulate(own4xx, { url: '/nowhere' })).response.status).toBe(418)
  })

  it('are part of a deployment: a changed table takes effect when deployed, not before', async () => {
    const g = createGateway()
    const api = createApi(withResponses({ MISSING_AUTHENTICATION_TOKEN: { statusCode: 404 } }), { integrations })
    api.deploy({ stageName: 'prod' })
    const step = g.mount(api)
    expect((await simulate(step, { url: '/nowhere' })).response.status).toBe(404)
    api.import(withResponses({ MISSING_AUTHENTICATION_TOKEN: { statusCode: 410 } }))
    expect((await simulate(step, { url: '/nowhere' })).response.status).toBe(404)
    api.deploy({ stageName: 'prod' })
    expect((await simulate(step, { url: '/nowhere' })).response.status).toBe(410)
  })

  it("a canary on another deployment answers with that deployment's table", async () => {
    const api = createApi(withResponses({ MISSING_AUTHENTICATION_TOKEN: { statusCode: 404 } }), { integrations })
    api.deploy({ stageName: 'prod' })
    api.import(withResponses({ MISSING_AUTHENTICATION_TOKEN: { statusCode: 410 } }))
    const next = api.deploy({ description: 'canary' })
    api.updateStage('prod', { canary: { deploymentId: next.id, percentTraffic: 50 } })
    let draw = 0
    const step = createGateway().mount(api, { random: () => [0.9, 0.1][draw++ % 2] as number })
    expect((await simulate(step, { url: '/nowhere' })).response.status).toBe(404)
    expect((await simulate(step, { url: '/nowhere' })).response.status).toBe(410)
  })

  it("with unmatched: 'next', the host's route is not the API's: the gateway's table answers there", async () => {
    const step = gw.mount(withResponses(CUSTOM), { unmatched: 'next', integrations })
    const r = await simulate([step, gw.apiKey()], { url: '/host-route' })
    expect(r.response.status).toBe(403)
    expect(r.response.headers['x-api']).toBeUndefined()
    expect(r.exchange.gatewayResponses).toBeUndefined()
  })

  it('are validated when the definition compiles, named by JSON pointer; HTTP APIs have none', () => {
    const option = (def: ApiDefinition): string => {
      try {
        createApi(def)
      } catch (e) {
        if (isSluiceConfigError(e)) return `${e.code} ${e.option}`
        throw e
      }
      return 'accepted'
    }
    const paths = { '/a': { GET: mock() } }
    expect(option({ paths, gatewayResponses: { THROTTLED: { statusCode: 99 } } })).toBe('ERR_INVALID_API_DEFINITION /gatewayResponses/THROTTLED/statusCode')
    expect(option({ paths, gatewayResponses: { NOPE: {} } as never })).toBe('ERR_INVALID_API_DEFINITION /gatewayResponses/NOPE')
    expect(option({ paths, gatewayResponses: { DEFAULT_4XX: { responseParameters: { 'gatewayresponse.header.a/b': "'x'" } } } })).toBe('ERR_INVALID_API_DEFINITION /gatewayResponses/DEFAULT_4XX/responseParameters/gatewayresponse.header.a~1b')
    expect(option({ paths, gatewayResponses: { DEFAULT_4XX: { responseParameters: { 'gatewayresponse.header.x': 'method.request.body' } } } })).toBe('ERR_INVALID_API_DEFINITION /gatewayResponses/DEFAULT_4XX/responseParameters/gatewayresponse.header.x')
    expect(option({ paths, gatewayResponses: { DEFAULT_4XX: { responseTemplates: { nope: '{}' } } } })).toBe('ERR_INVALID_API_DEFINITION /gatewayResponses/DEFAULT_4XX/responseTemplates/nope')
    expect(option({ paths, gatewayResponses: [] as never })).toBe('ERR_INVALID_API_DEFINITION /gatewayResponses')
    expect(option({ protocol: 'HTTP', routes: { 'GET /a': { integration: { type: 'AWS_PROXY', handler: 'h' } } }, gatewayResponses: { DEFAULT_4XX: {} } })).toBe('ERR_INVALID_API_DEFINITION /gatewayResponses')
    // prototype-named keys are data: an unknown type, never a crash or a polluted table
    expect(option({ paths, gatewayResponses: JSON.parse('{"__proto__":{"statusCode":400}}') as never })).toBe('ERR_INVALID_API_DEFINITION /gatewayResponses/__proto__')
    expect(option({ paths, gatewayResponses: { DEFAULT_4XX: { statusCode: 400 } } })).toBe('accepted')
  })
})

describe('an integration response whose status has no declared method response', () => {
  const gw = createGateway()
  const step = gw.mount(
    {
      paths: {
        '/declared': { GET: { ...mock('201'), methodResponses: { '201': {} } } },
        '/undeclared': { GET: { ...mock('201'), methodResponses: { '200': {} } } },
        '/none-declared': { GET: mock('201') },
        '/lambda': {
          GET: { integration: { type: 'AWS', handler: 'fails', responses: [{ statusCode: '200' }, { statusCode: '400', selectionPattern: 'bad.*' }] }, methodResponses: { '200': {} } },
        },
      },
      gatewayResponses: { DEFAULT_5XX: { responseParameters: { 'gatewayresponse.header.x-5xx': "'yes'" } } },
    },
    { integrations: { fails: async () => Promise.reject(new Error('bad input')) } },
  )

  it('is refused with 500 Internal server error (API_CONFIGURATION_ERROR, through the API table)', async () => {
    const r = await simulate(step, { url: '/undeclared' })
    expect(r.response.status).toBe(500)
    expect(r.response.body).toBe('{"message":"Internal server error"}')
    expect(r.response.headers['x-5xx']).toBe('yes')
    expect(r.trace).toContainEqual(expect.objectContaining({ feature: 'integration', decision: 'error', reason: 'no-method-response', detail: { status: '201' } }))
    const lambda = await simulate(step, { url: '/lambda' })
    expect(lambda.response.status).toBe(500)
    expect(lambda.response.body).toBe('{"message":"Internal server error"}')
  })

  it('passes when the status is declared, or when the method declares no method responses at all', async () => {
    expect((await simulate(step, { url: '/declared' })).response).toMatchObject({ status: 201, body: '{"ok":true}' })
    expect((await simulate(step, { url: '/none-declared' })).response).toMatchObject({ status: 201, body: '{"ok":true}' })
  })
})
