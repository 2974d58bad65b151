import { describe, expect } from 'vitest'
import type { AppSpec } from '../support/apps.js'
import { scenario } from '../support/scenario.js'

const GOLD = 'goldkey1234abcdefghij0123456789'
const SILVER = 'silverkey1234abcdefghij012345678'
const OFF = 'disabledkey1234abcdefghij0123456'

const base: AppSpec = {
  options: {
    apiKeys: [
      { id: 'gold', name: 'Gold', value: GOLD },
      { id: 'silver', name: 'Silver', value: SILVER },
      { id: 'off', name: 'Off', value: OFF, enabled: false },
    ],
  },
  features: (gw) => [gw.apiKey()],
  routes: [{ method: 'GET', path: '/pets', body: '[{"id":1}]' }],
}

const FORBIDDEN = '{"message":"Forbidden"}'

describe('API keys (HEADER source) on every adapter', () => {
  scenario('a valid key reaches the route, with x-amzn-requestid', base, async ({ send }) => {
    const r = await send({ path: '/pets', headers: { 'x-api-key': GOLD } })
    expect(r.status).toBe(200)
    expect(r.body).toBe('[{"id":1}]')
    expect(r.headers['content-type']).toBe('application/json')
    expect(r.headers['x-amzn-requestid']).toBe('00000000-0000-4000-8000-000000000001')
    expect(r.headers['x-amzn-errortype']).toBeUndefined()
  })

  scenario('the header name is case-insensitive', base, async ({ send }) => {
    const r = await send({ path: '/pets', headers: { 'X-API-Key': SILVER } })
    expect(r.status).toBe(200)
  })

  scenario('a missing key is 403 INVALID_API_KEY', base, async ({ send }) => {
    const r = await send({ path: '/pets' })
    expect(r.status).toBe(403)
    expect(r.body).toBe(FORBIDDEN)
    expect(r.headers['content-type']).toBe('application/json')
    expect(r.headers['x-amzn-errortype']).toBe('ForbiddenException')
    expect(r.headers['x-amzn-requestid']).toBe('00000000-0000-4000-8000-000000000001')
    expect(r.headers['content-length']).toBe(String(FORBIDDEN.length))
  })

  scenario('an unknown, empty, malformed or absurdly long key is 403', base, async ({ send }) => {
    for (const key of ['unknownkey1234abcdefghij0123456789', '', 'short', `${GOLD}-`, 'A'.repeat(8000)]) {
      const r = await send({ path: '/pets', headers: { 'x-api-key': key } })
      expect(r.status, `key ${key.slice(0, 20)}`).toBe(403)
      expect(r.body).toBe(FORBIDDEN)
    }
  })

  scenario('a prefix of a real key is refused', base, async ({ send }) => {
    const r = await send({ path: '/pets', headers: { 'x-api-key': GOLD.slice(0, 25) } })
    expect(r.status).toBe(403)
  })

  scenario('a disabled key is 403 until it is enabled at run time', base, async ({ send, gw }) => {
    expect((await send({ path: '/pets', headers: { 'x-api-key': OFF } })).status).toBe(403)
    gw.apiKeys.enable('off')
    expect((await send({ path: '/pets', headers: { 'x-api-key': OFF } })).status).toBe(200)
    gw.apiKeys.disable('gold')
    expect((await send({ path: '/pets', headers: { 'x-api-key': GOLD } })).status).toBe(403)
  })

  scenario('a key rotated at run time: the old value stops, the new one works', base, async ({ send, gw }) => {
    expect((await send({ path: '/pets', headers: { 'x-api-key': GOLD } })).status).toBe(200)
    const NEW = 'rotatedkey1234abcdefghij0123456789'
    gw.apiKeys.rotate('gold', NEW)
    expect((await send({ path: '/pets', headers: { 'x-api-key': GOLD } })).status).toBe(403)
    expect((await send({ path: '/pets', headers: { 'x-api-key': NEW } })).status).toBe(200)
  })

  scenario('a key added at run time works at once; a removed one stops', base, async ({ send, gw }) => {
    const ADDED = 'addedkey1234abcdefghij0123456789'
    expect((await send({ path: '/pets', headers: { 'x-api-key': ADDED } })).status).toBe(403)
    gw.apiKeys.add({ id: 'added', name: 'Added', value: ADDED })
    expect((await send({ path: '/pets', headers: { 'x-api-key': ADDED } })).status).toBe(200)
    gw.apiKeys.remove('added')
    expect((await send({ path: '/pets', headers: { 'x-api-key': ADDED } })).status).toBe(403)
  })

  scenario('duplicate x-api-key headers are refused, even with the same valid key twice', base, async ({ send }) => {
    expect((await send({ path: '/pets', headers: { 'x-api-key': [GOLD, SILVER] } })).status).toBe(403)
    expect((await send({ path: '/pets', headers: { 'x-api-key': [GOLD, GOLD] } })).status).toBe(403)
  })

  scenario(
    'a customised INVALID_API_KEY response: status, headers and body template',
    {
      ...base,
      options: {
        ...base.options,
        stage: { name: 'prod', variables: { docs: 'https://example.test/keys' } },
        gatewayResponses: {
          INVALID_API_KEY: {
            statusCode: 401,
            responseParameters: {
              'gatewayresponse.header.WWW-Authenticate': "'ApiKey realm=\"pets\"'",
              'gatewayresponse.header.x-echo-client': 'method.request.header.x-client',
              'gatewayresponse.header.x-stage': 'context.stage',
            },
            responseTemplates: {
              'application/json': '{"error":$context.error.messageString,"type":"$context.error.responseType","requestId":"$context.requestId","docs":"$stageVariables.docs"}',
            },
          },
        },
      },
    },
    async ({ send }) => {
      const r = await send({ path: '/pets', headers: { 'x-client': 'cli/1.0' } })
      expect(r.status).toBe(401)
      expect(r.body).toBe(
        '{"error":"Forbidden","type":"INVALID_API_KEY","requestId":"00000000-0000-4000-8000-000000000001","docs":"https://example.test/keys"}',
      )
      expect(r.headers['www-authenticate']).toBe('ApiKey realm="pets"')
      expect(r.headers['x-echo-client']).toBe('cli/1.0')
      expect(r.headers['x-stage']).toBe('prod')
      expect(r.headers['x-amzn-errortype']).toBe('ForbiddenException')
    },
  )

  scenario(
    'DEFAULT_4XX customisation applies to INVALID_API_KEY when it has none of its own',
    {
      ...base,
      options: {
        ...base.options,
        gatewayResponses: {
          DEFAULT_4XX: {
            responseParameters: { 'gatewayresponse.header.Access-Control-Allow-Origin': "'*'" },
            responseTemplates: { 'application/json': '{"error":{"message":$context.error.messageString,"type":"$context.error.responseType"}}' },
          },
          DEFAULT_5XX: { statusCode: 503 },
        },
      },
    },
    async ({ send }) => {
      const r = await send({ path: '/pets' })
      expect(r.status).toBe(403)
      expect(r.body).toBe('{"error":{"message":"Forbidden","type":"INVALID_API_KEY"}}')
      expect(r.headers['access-control-allow-origin']).toBe('*')
    },
  )

  scenario(
    'DEFAULT_4XX with a status changes the status of INVALID_API_KEY',
    { ...base, options: { ...base.options, gatewayResponses: { DEFAULT_4XX: { statusCode: 400 } } } },
    async ({ send }) => {
      const r = await send({ path: '/pets', headers: { 'x-api-key': 'nope' } })
      expect(r.status).toBe(400)
      expect(r.body).toBe(FORBIDDEN)
    },
  )
})
