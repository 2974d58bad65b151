import { describe, expect } from 'vitest'
import { LARGE_BYTES, type AppSpec } from '../support/apps.js'
import { scenario } from '../support/scenario.js'

const APP = 'https://app.example.com'
const KEY = 'corskey1234abcdefghij0123456789'
const T0 = Date.UTC(2026, 10, 18, 12, 0, 0)
const routes: AppSpec['routes'] = [
  { method: 'GET', path: '/pets' },
  { method: 'POST', path: '/pets' },
  { method: 'GET', path: '/backend-cors', headers: { 'access-control-allow-origin': '*', 'access-control-allow-credentials': 'false', 'access-control-expose-headers': 'x-secret', vary: 'Accept-Encoding' } },
  { method: 'GET', path: '/stream', kind: 'stream', body: '{"streamed":true}', headers: { 'access-control-allow-origin': '*' } },
  { method: 'GET', path: '/large', kind: 'large', headers: { 'access-control-allow-origin': '*' } },
]
const CORS = {
  allowOrigins: [APP, 'https://*.example.org'],
  allowMethods: ['GET', 'POST'],
  allowHeaders: ['content-type', 'x-api-key'],
  exposeHeaders: ['x-amzn-requestid'],
  maxAge: 300,
  allowCredentials: true,
}
const preflight = (origin: string, method = 'POST', headers = 'content-type') => ({
  method: 'OPTIONS',
  path: '/pets',
  headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers },
})

describe('CORS on every adapter', () => {
  scenario('preflight answered by the gateway: allowed, refused origin, refused method', { options: {}, features: (gw) => [gw.cors(CORS)], routes }, async ({ send }) => {
    const ok = await send(preflight(APP))
    expect(ok.status).toBe(204)
    expect(ok.body).toBe('')
    expect(ok.headers['access-control-allow-origin']).toBe(APP)
    expect(ok.headers['access-control-allow-credentials']).toBe('true')
    expect(ok.headers['access-control-allow-methods']).toBe('GET,POST')
    expect(ok.headers['access-control-allow-headers']).toBe('content-type,x-api-key')
    expect(ok.headers['access-control-max-age']).toBe('300')
    expect(ok.headers.vary).toBe('Origin')
    const sub = await send(preflight('https://shop.example.org', 'GET', 'x-api-key'))
    expect(sub.headers['access-control-allow-origin']).toBe('https://shop.example.org')
    for (const r of [await send(preflight('https://evil.example.com')), await send(preflight(APP, 'DELETE')), await send(preflight(APP, 'POST', 'x-other'))]) {
      expect(r.status).toBe(204)
      expect(r.headers['access-control-allow-origin']).toBeUndefined()
      expect(r.headers['access-control-allow-methods']).toBeUndefined()
    }
  })

  scenario('simple requests: headers for allowed origins only, Vary: Origin always', { options: {}, features: (gw) => [gw.cors(CORS)], routes }, async ({ send }) => {
    const ok = await send({ path: '/pets', headers: { origin: APP } })
    expect(ok.status).toBe(200)
    expect(ok.body).toBe('{"ok":true}')
    expect(ok.headers['access-control-allow-origin']).toBe(APP)
    expect(ok.headers['access-control-allow-credentials']).toBe('true')
    expect(ok.headers['access-control-expose-headers']).toBe('x-amzn-requestid')
    expect(ok.headers.vary).toBe('Origin')
    const post = await send({ method: 'POST', path: '/pets', headers: { origin: APP, 'content-type': 'text/plain' }, body: 'x' })
    expect(post.headers['access-control-allow-origin']).toBe(APP)
    const evil = await send({ path: '/pets', headers: { origin: 'https://evil.example.com' } })
    expect(evil.status).toBe(200)
    expect(evil.headers['access-control-allow-origin']).toBeUndefined()
    const none = await send({ path: '/pets' })
    expect(none.headers['access-control-allow-origin']).toBeUndefined()
    expect(none.headers.vary).toBe('Origin')
  })

  scenario("the backend's CORS headers are replaced by the configured ones", { options: {}, features: (gw) => [gw.cors(CORS)], routes }, async ({ send }) => {
    const r = await send({ path: '/backend-cors', headers: { origin: APP } })
    expect(r.headers['access-control-allow-origin']).toBe(APP)
    expect(r.headers['access-control-allow-credentials']).toBe('true')
    expect(r.headers['access-control-expose-headers']).toBe('x-amzn-requestid')
    expect(r.headers.vary).toBe('Accept-Encoding, Origin')
    const evil = await send({ path: '/backend-cors', headers: { origin: 'https://evil.example.com' } })
    expect(evil.headers['access-control-allow-origin']).toBeUndefined()
    expect(evil.headers['access-control-expose-headers']).toBeUndefined()
  })

  scenario(
    'streamed and large responses get the headers without being held (backend CORS headers replaced there too)',
    { options: {}, features: (gw) => [gw.cors(CORS)], routes },
    async ({ send }) => {
      const streamed = await send({ path: '/stream', headers: { origin: APP } })
      expect(streamed.body).toBe('{"streamed":true}')
      expect(streamed.headers['access-control-allow-origin']).toBe(APP)
      expect(streamed.headers.vary).toBe('Origin')
      const large = await send({ path: '/large', headers: { origin: APP } })
      expect(large.body.length).toBe(LARGE_BYTES)
      expect(large.headers['access-control-allow-origin']).toBe(APP)
      expect(large.headers['access-control-allow-credentials']).toBe('true')
    },
  )

  scenario(
    'gateway error responses of later features carry the CORS headers: 403, 429, 400',
    {
      options: { apiKeys: [{ id: 'k', value: KEY, usagePlanIds: ['p'] }], usagePlans: [{ id: 'p', throttle: { rateLimit: 1, burstLimit: 1 } }] },
      features: (gw) => [gw.cors(CORS), gw.apiKey(), gw.throttle(), gw.validate({ parameters: { querystring: ['q'] } })],
      routes,
      clockStart: T0,
    },
    async ({ send }) => {
      const forbidden = await send({ path: '/pets?q=1', headers: { origin: APP } })
      expect(forbidden.status).toBe(403)
      expect(forbidden.headers['access-control-allow-origin']).toBe(APP)
      expect(forbidden.headers['x-amzn-errortype']).toBe('ForbiddenException')
      const bad = await send({ path: '/pets', headers: { origin: APP, 'x-api-key': KEY } })
      expect(bad.status).toBe(400)
      expect(bad.body).toBe('{"message":"Missing required request parameters: [q]"}')
      expect(bad.headers['access-control-allow-origin']).toBe(APP)
      const throttled = await send({ path: '/pets?q=1', headers: { origin: APP, 'x-api-key': KEY } })
      expect(throttled.status).toBe(429)
      expect(throttled.headers['access-control-allow-origin']).toBe(APP)
      expect(throttled.headers['access-control-allow-credentials']).toBe('true')
      expect(throttled.headers.vary).toBe('Origin')
      // a preflight is answered before the key check: browsers send no credentials on it
      expect((await send(preflight(APP))).status).toBe(204)
    },
  )

  scenario(
    'a 400 of body validation (read in Fastify preParsing) carries the CORS headers too; the valid body reaches the route',
    { options: {}, features: (gw) => [gw.cors(CORS), gw.validate({ body: { 'application/json': { type: 'object', required: ['name'] } } })], routes },
    async ({ send }) => {
      const bad = await send({ method: 'POST', path: '/pets', headers: { origin: APP, 'content-type': 'application/json' }, body: '{"nom":"x"}' })
      expect(bad.status).toBe(400)
      expect(bad.body).toBe('{"message":"Invalid request body"}')
      expect(bad.headers['access-control-allow-origin']).toBe(APP)
      expect(bad.headers.vary).toBe('Origin')
      const ok = await send({ method: 'POST', path: '/pets', headers: { origin: APP, 'content-type': 'application/json' }, body: '{"name":"x"}' })
      expect(ok.status).toBe(200)
      expect(ok.headers['access-control-allow-origin']).toBe(APP)
    },
  )

  scenario(
    'the same in one chain()',
    {
      options: { apiKeys: [{ id: 'k', value: KEY }] },
      features: (gw) => [gw.chain(gw.cors(CORS) as never, gw.apiKey() as never)],
      routes,
    },
    async ({ send }) => {
      const forbidden = await send({ path: '/pets', headers: { origin: APP } })
      expect(forbidden.status).toBe(403)
      expect(forbidden.headers['access-control-allow-origin']).toBe(APP)
      expect((await send({ path: '/pets', headers: { origin: APP, 'x-api-key': KEY } })).headers['access-control-allow-origin']).toBe(APP)
      expect((await send(preflight(APP))).headers['access-control-allow-methods']).toBe('GET,POST')
    },
  )

  scenario('a wildcard origin answers *, without Vary', { options: {}, features: (gw) => [gw.cors({ allowOrigins: ['*'], allowMethods: ['*'], allowHeaders: ['*'] })], routes }, async ({ send }) => {
    const r = await send({ path: '/backend-cors', headers: { origin: 'https://anyone.test' } })
    expect(r.headers['access-control-allow-origin']).toBe('*')
    expect(r.headers['access-control-allow-credentials']).toBeUndefined()
    expect(r.headers['access-control-expose-headers']).toBeUndefined()
    expect(r.headers.vary).toBe('Accept-Encoding')
    const p = await send(preflight('https://anyone.test', 'PATCH', 'x-custom'))
    expect(p.headers['access-control-allow-methods']).toBe('*')
    expect(p.headers['access-control-allow-headers']).toBe('*')
  })
})
