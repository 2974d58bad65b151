/**
 * A mounted API's own gateway responses on every adapter: its denials and failures render through
 * its table (over the gateway's), while a second mounted API and the host's routes keep the
 * gateway's; an integration response whose status has no declared method response is a 500.
 */
import type { ApiDefinition, MethodDefinition } from '@sluice/core'
import { describe, expect } from 'vitest'
import type { AppSpec } from '../support/apps.js'
import { scenario } from '../support/scenario.js'

const KEY = 'mountrespkey1234abcdefghij012345'

const mock = (status = '200', text = '{"ok":true}'): MethodDefinition => ({
  integration: { type: 'MOCK', requestTemplates: { 'application/json': `{"statusCode": ${status}}` }, responses: [{ statusCode: status, responseTemplates: { 'application/json': text } }] },
})

const custom = (): ApiDefinition => ({
  name: 'custom',
  gatewayResponses: {
    MISSING_AUTHENTICATION_TOKEN: { statusCode: 404, responseTemplates: { 'application/json': '{"error":"no such route","id":"$context.requestId"}' } },
    DEFAULT_4XX: { responseParameters: { 'gatewayresponse.header.x-api': "'v1'" } },
    DEFAULT_5XX: { responseParameters: { 'gatewayresponse.header.x-api': "'v1-5xx'" } },
  },
  paths: {
    '/keyed': { GET: { apiKeyRequired: true, ...mock() } },
    '/pets': { POST: { integration: { type: 'NEXT' } } },
    '/undeclared': { GET: { ...mock('201'), methodResponses: { '200': {} } } },
    '/declared': { GET: { ...mock('201'), methodResponses: { '201': {} } } },
  },
})

const plain = (): ApiDefinition => ({ name: 'plain', paths: { '/pets': { GET: mock('200', '{"plain":true}') } } })

const spec: AppSpec = {
  options: {
    apiKeys: [{ id: 'k1', value: KEY }],
    // the gateway's own table: what the host's routes and the plain API answer with
    gatewayResponses: { INVALID_API_KEY: { responseParameters: { 'gatewayresponse.header.x-gw': "'gateway'" } } },
  },
  // the API key step runs after the mounts: on the host's routes, and on NEXT routes of the custom API
  features: (gw) => [gw.mount(custom(), { basePath: '/v1' }), gw.mount(plain(), { basePath: '/v2' }), gw.apiKey()],
  routes: [
    { method: 'GET', path: '/health', body: '{"host":true}' },
    { method: 'POST', path: '/v1/pets', body: '{"host":"pets"}' },
  ],
}

describe("a mounted API's gateway responses on every adapter", () => {
  scenario('its own MISSING_AUTHENTICATION_TOKEN and DEFAULT_4XX/5XX; the other API and the host routes keep the gateway table', spec, async ({ send }) => {
    const unknown = await send({ path: '/v1/nowhere' })
    expect(unknown.status).toBe(404)
    expect(unknown.headers['content-type']).toMatch(/^application\/json/)
    expect(JSON.parse(unknown.body)).toEqual({ error: 'no such route', id: unknown.headers['x-amzn-requestid'] })
    expect(unknown.headers['x-api']).toBeUndefined()

    const noKey = await send({ path: '/v1/keyed' })
    expect(noKey.status).toBe(403)
    expect(noKey.body).toBe('{"message":"Forbidden"}')
    expect(noKey.headers['x-api']).toBe('v1')
    // the API's DEFAULT_4XX comes before the gateway's INVALID_API_KEY in its lookup
    expect(noKey.headers['x-gw']).toBeUndefined()
    expect((await send({ path: '/v1/keyed', headers: { 'x-api-key': KEY } })).body).toBe('{"ok":true}')

    // a NEXT integration's host route is the API's method: a later denial there is the API's too
    const nextNoKey = await send({ method: 'POST', path: '/v1/pets' })
    expect(nextNoKey.status).toBe(403)
    expect(nextNoKey.headers['x-api']).toBe('v1')
    expect((await send({ method: 'POST', path: '/v1/pets', headers: { 'x-api-key': KEY } })).body).toBe('{"host":"pets"}')

    const undeclared = await send({ path: '/v1/undeclared' })
    expect(undeclared.status).toBe(500)
    expect(undeclared.body).toBe('{"message":"Internal server error"}')
    expect(undeclared.headers['x-api']).toBe('v1-5xx')
    expect((await send({ path: '/v1/declared' })).status).toBe(201)

    const other = await send({ path: '/v2/nowhere' })
    expect(other.status).toBe(403)
    expect(other.body).toBe('{"message":"Missing Authentication Token"}')
    expect(other.headers['x-api']).toBeUndefined()
    expect((await send({ path: '/v2/pets' })).body).toBe('{"plain":true}')

    const host = await send({ path: '/health' })
    expect(host.status).toBe(403)
    expect(host.body).toBe('{"message":"Forbidden"}')
    expect(host.headers['x-gw']).toBe('gateway')
    expect(host.headers['x-api']).toBeUndefined()
    expect((await send({ path: '/health', headers: { 'x-api-key': KEY } })).body).toBe('{"host":true}')
  })
})
