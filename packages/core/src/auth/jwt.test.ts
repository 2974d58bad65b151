import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { CompactSign, exportJWK, generateKeyPair, SignJWT, type JWK, type CryptoKey } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createGateway } from '../gateway.js'
import { isSluiceConfigError } from '../errors.js'
import { ManualClock } from '../testing/clock.js'
import { simulate } from '../testing/simulate.js'
import type { AuthorizerConfig, JwtAuthorizerConfig } from './types.js'

const T0 = Date.UTC(2026, 10, 18, 12, 0, 0)
const NOW = T0 / 1000
const ISS = 'https://issuer.example.com'
const AUD = 'my-api'

let rsa: { privateKey: CryptoKey; publicKey: CryptoKey }
let rsa2: { privateKey: CryptoKey; publicKey: CryptoKey }
let jwk: JWK
let jwk2: JWK

beforeAll(async () => {
  rsa = await generateKeyPair('RS256', { extractable: true })
  rsa2 = await generateKeyPair('RS256', { extractable: true })
  jwk = { ...(await exportJWK(rsa.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }
  jwk2 = { ...(await exportJWK(rsa2.publicKey)), kid: 'k2', alg: 'RS256', use: 'sig' }
})

const sign = (claims: Record<string, unknown> = {}, header: { kid?: string; alg?: string } = {}, key: CryptoKey | Uint8Array = rsa.privateKey): Promise<string> =>
  new SignJWT({ iss: ISS, aud: AUD, sub: 'user-1', exp: NOW + 3600, iat: NOW - 10, scope: 'pets/read pets/write', ...claims })
    .setProtectedHeader({ alg: header.alg ?? 'RS256', kid: header.kid ?? 'k1' })
    .sign(key)

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url')

const setup = (extra: Partial<JwtAuthorizerConfig> = {}) => {
  const clock = new ManualClock(T0)
  const gw = createGateway({ clock, stage: { name: 'prod' } })
  const config: AuthorizerConfig = { type: 'jwt', jwtConfiguration: { issuer: ISS, audience: [AUD] }, jwks: { keys: [jwk as Record<string, unknown>] }, ...extra }
  return { gw, clock, config }
}

const call = async (step: ReturnType<ReturnType<typeof createGateway>['authorize']>, token: string | undefined) =>
  simulate(step, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } })

describe('JWT authorizer', () => {
  it('a valid token passes; claims and scopes land in $context.authorizer', async () => {
    const { gw, config } = setup()
    const r = await call(gw.authorize(config), await sign({ custom: 5 }))
    expect(r.response.status).toBe(200)
    expect(r.context.authorizer['claims']).toMatchObject({ sub: 'user-1', iss: ISS, custom: '5' })
    expect(r.context.authorizer['scopes']).toEqual(['pets/read', 'pets/write'])
    expect(r.context.authorizer['principalId']).toBe('user-1')
  })

  it('accepts a raw token without "Bearer "', async () => {
    const { gw, config } = setup()
    expect((await simulate(gw.authorize(config), { headers: { authorization: await sign() } })).response.status).toBe(200)
  })

  const cases: Array<[string, () => Promise<string>, string]> = [
    ['expired', () => sign({ exp: NOW - 1 }), 'the token has expired'],
    ['not yet valid', () => sign({ nbf: NOW + 60 }), 'the token is not valid yet'],
    ['issued in the future', () => sign({ iat: NOW + 60 }), 'the token was issued in the future'],
    ['without exp', () => sign({ exp: undefined }), 'the token does not have a valid exp'],
    ['from the wrong issuer', () => sign({ iss: 'https://evil.example.com' }), 'the token does not have a valid issuer'],
    ['for the wrong audience', () => sign({ aud: 'other' }), 'the token does not have a valid audience'],
    ['with an unknown kid', () => sign({}, { kid: 'nope' }), 'no key matches the token (kid)'],
    ['signed by another key under a known kid', () => sign({}, {}, rsa2.privateKey), 'the token signature is invalid'],
    ['with a disallowed algorithm (HS256 against a key set)', () => sign({}, { alg: 'HS256' }, new TextEncoder().encode('x'.repeat(32))), 'the token uses an algorithm that is not allowed'],
    ['with alg none', async () => `${b64({ alg: 'none', kid: 'k1' })}.${b64({ iss: ISS, aud: AUD, exp: NOW + 60 })}.`, 'the token uses an algorithm that is not allowed'],
    ['with a tampered payload', async () => { const [h, , s] = (await sign()).split('.'); return `${h}.${b64({ iss: ISS, aud: AUD, sub: 'admin', exp: NOW + 3600 })}.${s}` }, 'the token signature is invalid'],
    ['with malformed JSON in a correctly signed payload', () => new CompactSign(new TextEncoder().encode('{"iss":')).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).sign(rsa.privateKey), 'the token is malformed'],
    ['with a malformed header', async () => { const [, p, s] = (await sign()).split('.'); return `${b64('{"alg":')}.${p}.${s}` }, 'the token is malformed'],
    ['that is not a JWT', async () => 'abc.def', 'the token is malformed'],
    ['that is oversized', async () => `${'a'.repeat(20_000)}.b.c`, 'the token is too large'],
  ]
  it.each(cases)('a token %s is 401 with AWS\'s WWW-Authenticate', async (_, make, description) => {
    const { gw, config } = setup()
    const r = await call(gw.authorize(config), await make())
    expect(r.response.status).toBe(401)
    expect(JSON.parse(String(r.response.body))).toEqual({ message: 'Unauthorized' })
    expect(r.response.headers['www-authenticate']).toBe(`Bearer scope="" error="invalid_token" error_description="${description}"`)
    expect(r.handled).toBe(false)
  })

  it('a missing token is 401 with a bare Bearer challenge', async () => {
    const { gw, config } = setup()
    const r = await call(gw.authorize(config), undefined)
    expect(r.response.status).toBe(401)
    expect(r.response.headers['www-authenticate']).toBe('Bearer')
  })

  it('client_id stands for aud only when aud is absent', async () => {
    const { gw, config } = setup()
    const step = gw.authorize(config)
    expect((await call(step, await sign({ aud: undefined, client_id: AUD }))).response.status).toBe(200)
    expect((await call(step, await sign({ aud: 'x', client_id: AUD }))).response.status).toBe(401)
  })

  it('clock tolerance applies to exp and nbf; time is the gateway clock', async () => {
    const { gw, clock, config } = setup({ clockToleranceSeconds: 30 })
    const step = gw.authorize(config)
    const token = await sign({ exp: NOW + 10, nbf: NOW + 20 })
    expect((await call(step, token)).response.status).toBe(200)
    clock.advance(39_000)
    expect((await call(step, await sign({ exp: NOW + 10 }))).response.status).toBe(200)
    clock.advance(2_000)
    expect((await call(step, await sign({ exp: NOW + 10 }))).response.status).toBe(401)
  })

  it('route scopes: one must be in scope / scp, else 403 insufficient_scope', async () => {
    const { gw, config } = setup()
    const read = gw.authorize(config, { authorizationScopes: ['pets/read'] })
    const admin = gw.authorize(config, { authorizationScopes: ['admin', 'root'] })
    expect((await call(read, await sign())).response.status).toBe(200)
    expect((await call(read, await sign({ scope: undefined, scp: ['pets/read'] }))).response.status).toBe(200)
    const r = await call(admin, await sign())
    expect(r.response.status).toBe(403)
    expect(r.response.headers['www-authenticate']).toBe('Bearer scope="admin root" error="insufficient_scope" error_description="the token does not have the required scope"')
  })

  it('remembers a verified token until its exp, never past it', async () => {
    const { gw, clock, config } = setup()
    const step = gw.authorize(config)
    const token = await sign({ exp: NOW + 5 })
    expect((await call(step, token)).response.status).toBe(200)
    const again = gw.run(step, gw.exchange((await import('../request.js')).createRequest({ headers: { authorization: `Bearer ${token}` } })))
    expect('then' in again).toBe(false) // a remembered token is decided synchronously
    clock.advance(5_000)
    const late = await call(step, token)
    expect(late.response.status).toBe(401)
    expect(late.response.headers['www-authenticate']).toContain('the token has expired')
  })

  it('HS256 with a shared secret; an RS256 token is refused (no HS/RS confusion)', async () => {
    const secret = 's'.repeat(40)
    const { gw } = setup()
    const step = gw.authorize({ type: 'jwt', jwtConfiguration: { issuer: ISS, audience: [AUD] }, secret })
    expect((await call(step, await sign({}, { alg: 'HS256' }, new TextEncoder().encode(secret)))).response.status).toBe(200)
    expect((await call(step, await sign({}, { alg: 'HS256' }, new TextEncoder().encode('t'.repeat(40))))).response.status).toBe(401)
    const rs = await call(step, await sign())
    expect(rs.response.headers['www-authenticate']).toContain('algorithm that is not allowed')
  })

  it.each([
    [{ algorithms: ['none'] }, 'authorize().algorithms'],
    [{ algorithms: ['HS256'] }, 'authorize().algorithms'],
    [{ secret: 'short' , jwks: undefined }, 'authorize().secret'],
    [{ jwtConfiguration: { issuer: ISS, audience: [] } }, 'authorize().jwtConfiguration.audience'],
    [{ jwtConfiguration: { issuer: '', audience: ['a'] } }, 'authorize().jwtConfiguration.issuer'],
    [{ jwksUri: 'ftp://x' , jwks: undefined }, 'authorize().jwksUri'],
  ])('%j is refused naming %s', (extra, option) => {
    const { gw, config } = setup()
    const c = { ...config, ...extra } as Record<string, unknown>
    for (const k of Object.keys(c)) if (c[k] === undefined) delete c[k]
    try {
      gw.authorize(c as unknown as AuthorizerConfig)
      expect.unreachable()
    } catch (e) {
      expect(isSluiceConfigError(e) && e.option).toBe(option)
    }
  })
})

describe('Cognito user-pool authorizer', () => {
  it('ID token without scopes; access-token scopes; every failure is a plain 401', async () => {
    const clock = new ManualClock(T0)
    const gw = createGateway({ clock })
    const config: AuthorizerConfig = { type: 'cognito_user_pools', providerARNs: ['arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc'], issuer: ISS, jwks: { keys: [jwk as Record<string, unknown>] } }
    const open = gw.authorize(config)
    const scoped = gw.authorize(config, { authorizationScopes: ['admin'] })
    const ok = await simulate(open, { headers: { authorization: await sign() } })
    expect(ok.response.status).toBe(200)
    expect(ok.context.authorizer['claims']).toMatchObject({ sub: 'user-1' })
    const noScope = await simulate(scoped, { headers: { authorization: await sign() } })
    expect(noScope.response.status).toBe(401)
    expect(noScope.response.headers['www-authenticate']).toBeUndefined()
    expect((await simulate(open, { headers: { authorization: await sign({ exp: NOW - 1 }) } })).response.status).toBe(401)
  })

  it('derives the issuer from the pool ARN', async () => {
    const gw = createGateway({ clock: new ManualClock(T0) })
    const step = gw.authorize({ type: 'cognito_user_pools', providerARNs: ['arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_XyZ'], jwks: { keys: [jwk as Record<string, unknown>] } })
    expect((await simulate(step, { headers: { authorization: await sign() } })).response.status).toBe(401)
    expect((await simulate(step, { headers: { authorization: await sign({ iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_XyZ' }) } })).response.status).toBe(200)
  })
})

describe('remote key sets (local JWKS server on loopback)', () => {
  let server: Server
  let base = ''
  let hits = 0
  let keys: JWK[] = []
  beforeAll(async () => {
    server = createServer((req, res) => {
      hits++
      if (req.url === '/.well-known/openid-configuration') {
        res.setHeader('content-type', 'application/json')
        res.end(JSON.stringify({ issuer: base, jwks_uri: `${base}/jwks` }))
        return
      }
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ keys }))
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()) }))

  it('OIDC discovery, then key rotation picked up by one refetch after the cooldown', async () => {
    keys = [jwk]
    hits = 0
    const clock = new ManualClock(T0)
    const gw = createGateway({ clock })
    const config: AuthorizerConfig = { type: 'jwt', jwtConfiguration: { issuer: base, audience: [AUD] } }
    const step = gw.authorize(config)
    const t1 = await sign({ iss: base })
    expect((await call(step, t1)).response.status).toBe(200)
    expect(hits).toBe(2) // discovery + keys
    keys = [jwk, jwk2]
    const t2 = await sign({ iss: base }, { kid: 'k2' }, rsa2.privateKey)
    // the first fetch was just now: within the cooldown an unknown kid is refused without fetching
    expect((await call(step, t2)).response.status).toBe(401)
    expect(hits).toBe(2)
    clock.advance(30_000)
    expect((await call(step, t2)).response.status).toBe(200)
    expect(hits).toBe(3)
  })

  it('a flood of 10,000 random-kid tokens makes at most one fetch per cooldown while valid tokens pass', async () => {
    keys = [jwk]
    hits = 0
    const clock = new ManualClock(T0)
    const gw = createGateway({ clock })
    const step = gw.authorize({ type: 'jwt', jwtConfiguration: { issuer: ISS, audience: [AUD] }, jwksUri: `${base}/jwks`, verifiedTokenCacheSize: 0 })
    const valid = await sign()
    expect((await call(step, valid)).response.status).toBe(200)
    expect(hits).toBe(1)
    const header = b64({ alg: 'RS256', kid: 'x' })
    const [, payload, sig] = valid.split('.')
    const flood = async (n: number, offset: number) => {
      let denied = 0
      let passed = 0
      for (let i = 0; i < n; i += 500) {
        const batch = []
        for (let j = i; j < Math.min(n, i + 500); j++) {
          const h = j % 50 === 0 ? valid : `${b64({ alg: 'RS256', kid: `random-${offset + j}-${Math.random().toString(36).slice(2)}` })}.${payload}.${sig}`
          batch.push(call(step, h).then((r) => (h === valid ? (r.response.status === 200 ? passed++ : 0) : r.response.status === 401 ? denied++ : 0)))
        }
        await Promise.all(batch)
      }
      return { denied, passed }
    }
    void header
    const first = await flood(5_000, 0)
    expect(first.passed).toBe(100)
    expect(first.denied).toBe(4_900)
    expect(hits).toBe(1) // the startup fetch was within the cooldown: no refetch at all
    clock.advance(30_000)
    const second = await flood(5_000, 5_000)
    expect(second.passed).toBe(100)
    expect(second.denied).toBe(4_900)
    expect(hits).toBe(2) // one refetch in the new cooldown window
  }, 60_000)

  it('an unreachable key set is a 500, fast, and retried only after the cooldown', async () => {
    const clock = new ManualClock(T0)
    let calls = 0
    const gw = createGateway({ clock })
    const step = gw.authorize({
      type: 'jwt',
      jwtConfiguration: { issuer: ISS, audience: [AUD] },
      jwksUri: 'http://127.0.0.1:9/jwks',
      fetch: () => { calls++; return Promise.reject(new Error('ECONNREFUSED')) },
    })
    const t = await sign()
    expect((await call(step, t)).response.status).toBe(500)
    expect((await call(step, t)).response.status).toBe(500)
    expect(calls).toBe(1)
    clock.advance(30_000)
    await call(step, t)
    expect(calls).toBe(2)
  })
})
