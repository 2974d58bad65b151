import { describe, expect, it } from 'vitest'
import { createGateway } from '../gateway.js'
import { isSluiceConfigError } from '../errors.js'
import { respond, type Step } from '../outcome.js'
import { simulate } from '../testing/simulate.js'

const gw = createGateway()

const preflight = (step: Step, origin: string, method = 'POST', headers?: string) =>
  simulate(step, {
    method: 'OPTIONS',
    url: '/pets',
    headers: { origin, 'access-control-request-method': method, ...(headers === undefined ? {} : { 'access-control-request-headers': headers }) },
  })

const codeOf = (fn: () => unknown): string => {
  try {
    fn()
  } catch (e) {
    if (isSluiceConfigError(e)) return `${e.code} ${e.option}`
    throw e
  }
  return 'no error'
}

describe('preflight', () => {
  const cors = gw.cors({
    allowOrigins: ['https://app.example.com', 'https://*.example.org'],
    allowMethods: ['GET', 'post'],
    allowHeaders: ['Content-Type', 'X-Api-Key'],
    exposeHeaders: ['X-Request-Id'],
    maxAge: 600,
    allowCredentials: true,
  })

  it('answers an allowed preflight with 204 and the configured headers, without calling the route', async () => {
    const r = await preflight(cors, 'https://app.example.com', 'POST', 'content-type, x-api-key')
    expect(r.handled).toBe(false)
    expect(r.response.status).toBe(204)
    expect(r.response.body).toBe('')
    expect({ ...r.response.headers }).toEqual({
      'access-control-allow-origin': 'https://app.example.com',
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET,POST',
      'access-control-allow-headers': 'content-type,x-api-key',
      'access-control-expose-headers': 'X-Request-Id',
      'access-control-max-age': '600',
      vary: 'Origin',
      'x-amzn-requestid': r.context.requestId,
    })
    expect(r.trace).toEqual([{ feature: 'cors', decision: 'respond', reason: 'preflight' }])
  })

  it('answers a refused preflight with 204 and no CORS headers', async () => {
    for (const [origin, method, headers, reason] of [
      ['https://evil.example.com', 'POST', undefined, 'origin-not-allowed'],
      ['https://app.example.com', 'DELETE', undefined, 'method-not-allowed'],
      ['https://app.example.com', 'POST', 'x-secret', 'header-not-allowed'],
    ] as const) {
      const r = await preflight(cors, origin, method, headers)
      expect(r.response.status).toBe(204)
      expect(r.response.headers['access-control-allow-origin']).toBeUndefined()
      expect(r.response.headers['access-control-allow-methods']).toBeUndefined()
      expect(r.trace[0]).toEqual({ feature: 'cors', decision: 'deny', reason })
    }
  })

  it('matches wildcard subdomains, never the bare domain or a look-alike', async () => {
    expect((await preflight(cors, 'https://a.example.org')).response.headers['access-control-allow-origin']).toBe('https://a.example.org')
    expect((await preflight(cors, 'https://a.b.example.org')).response.headers['access-control-allow-origin']).toBe('https://a.b.example.org')
    for (const o of ['https://example.org', 'https://evilexample.org', 'http://a.example.org', 'https://a.example.org:8443', 'https://a.example.org.evil.com', 'null']) {
      expect((await preflight(cors, o)).response.headers['access-control-allow-origin'], o).toBeUndefined()
    }
  })

  it('compares origins case-insensitively and echoes the request origin', async () => {
    expect((await preflight(cors, 'HTTPS://APP.EXAMPLE.COM')).response.headers['access-control-allow-origin']).toBe('HTTPS://APP.EXAMPLE.COM')
  })

  it('treats OPTIONS without Access-Control-Request-Method as an ordinary request', async () => {
    const r = await simulate(cors, { method: 'OPTIONS', url: '/pets', headers: { origin: 'https://app.example.com' } })
    expect(r.handled).toBe(true)
  })

  it("with '*' methods and headers and credentials, names what the preflight asked for", async () => {
    const star = gw.cors({ allowOrigins: ['https://a.com'], allowMethods: ['*'], allowHeaders: ['*'], allowCredentials: true })
    const r = await preflight(star, 'https://a.com', 'PATCH', 'X-One, x-two')
    expect(r.response.headers['access-control-allow-methods']).toBe('PATCH')
    expect(r.response.headers['access-control-allow-headers']).toBe('x-one,x-two')
    const open = gw.cors({ allowOrigins: ['*'], allowMethods: ['*'], allowHeaders: ['*'] })
    const o = await preflight(open, 'https://any.site', 'PATCH', 'x-one')
    expect(o.response.headers['access-control-allow-origin']).toBe('*')
    expect(o.response.headers['access-control-allow-methods']).toBe('*')
    expect(o.response.headers['access-control-allow-headers']).toBe('*')
    expect(o.response.headers.vary).toBeUndefined()
  })
})

describe('responses', () => {
  const cors = gw.cors({ allowOrigins: ['https://app.example.com'], exposeHeaders: ['x-total'], allowCredentials: true })
  const backend = {
    handler: () => ({
      status: 200,
      headers: { 'content-type': 'application/json', 'access-control-allow-origin': '*', 'access-control-allow-credentials': 'false', 'access-control-max-age': '9', vary: 'Accept-Encoding' },
      body: '{}',
    }),
  }

  it("adds the configured headers for an allowed origin and replaces the backend's", async () => {
    const r = await simulate(cors, { url: '/', headers: { origin: 'https://app.example.com' } }, backend)
    expect(r.response.headers['access-control-allow-origin']).toBe('https://app.example.com')
    expect(r.response.headers['access-control-allow-credentials']).toBe('true')
    expect(r.response.headers['access-control-expose-headers']).toBe('x-total')
    expect(r.response.headers['access-control-max-age']).toBeUndefined()
    expect(r.response.headers.vary).toBe('Accept-Encoding, Origin')
    expect(r.response.headers['content-type']).toBe('application/json')
  })

  it("drops the backend's CORS headers for a refused origin and for requests without Origin", async () => {
    for (const headers of [{ origin: 'https://evil.com' }, {}]) {
      const r = await simulate(cors, { url: '/', headers }, backend)
      expect(Object.keys(r.response.headers).filter((k) => k.startsWith('access-control-'))).toEqual([])
      expect(r.response.headers.vary).toBe('Accept-Encoding, Origin')
    }
  })

  it('decorates a denial of a later step, in a chain and in a list of steps', async () => {
    const deny: Step = { feature: 'deny', run: (ex) => respond(gw.responses.render('THROTTLED', ex)) }
    const steps = [gw.chain(cors, gw.adopt(deny)), [cors, gw.adopt(deny)]] as const
    for (const target of steps) {
      const r = await simulate(target as never, { url: '/', headers: { origin: 'https://app.example.com' } })
      expect(r.response.status).toBe(429)
      expect(r.response.headers['access-control-allow-origin']).toBe('https://app.example.com')
      expect(r.response.headers['x-amzn-errortype']).toBe('TooManyRequestsException')
    }
  })

  it('does not repeat Origin in Vary', async () => {
    const r = await simulate(cors, { url: '/', headers: { origin: 'https://app.example.com' } }, { handler: () => ({ status: 200, headers: { vary: 'origin' }, body: '' }) })
    expect(r.response.headers.vary).toBe('origin')
  })
})

describe('configuration', () => {
  it('never combines the wildcard origin with credentials', () => {
    expect(codeOf(() => gw.cors({ allowOrigins: ['*'], allowCredentials: true }))).toBe('ERR_INVALID_CORS cors().allowCredentials')
    expect(codeOf(() => gw.cors({ allowOrigins: ['https://a.com'], exposeHeaders: ['*'], allowCredentials: true }))).toBe('ERR_INVALID_CORS cors().exposeHeaders')
  })

  it('rejects malformed origins, methods, headers and maxAge', () => {
    expect(codeOf(() => gw.cors({ allowOrigins: ['https://a.com/path'] }))).toBe('ERR_INVALID_CORS cors().allowOrigins[0]')
    expect(codeOf(() => gw.cors({ allowOrigins: ['a.com'] }))).toBe('ERR_INVALID_CORS cors().allowOrigins[0]')
    expect(codeOf(() => gw.cors({ allowMethods: ['GE T'] }))).toBe('ERR_INVALID_CORS cors().allowMethods[0]')
    expect(codeOf(() => gw.cors({ allowHeaders: ['a\nb'] }))).toBe('ERR_INVALID_CORS cors().allowHeaders[0]')
    expect(codeOf(() => gw.cors({ maxAge: 86_401 }))).toBe('ERR_INVALID_CORS cors().maxAge')
    expect(codeOf(() => gw.cors({ maxAge: 1.5 }))).toBe('ERR_INVALID_CORS cors().maxAge')
    expect(codeOf(() => gw.cors({ allowOrigin: ['*'] } as never))).toBe('ERR_INVALID_CORS cors().allowOrigin')
    expect(codeOf(() => gw.cors({ allowOrigins: 'https://a.com' as never }))).toBe('ERR_INVALID_CORS cors().allowOrigins')
  })
})
