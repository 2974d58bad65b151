import { Hash } from '@smithy/hash-node'
import { SignatureV4 } from '@smithy/signature-v4'
import { respond, type AuthorizerConfig, type PolicyDocument, type Step } from '@sluice/core'
import { createHmac } from 'node:crypto'
import { describe, expect } from 'vitest'
import type { AppSpec } from '../support/apps.js'
import { scenario } from '../support/scenario.js'

const T0 = Date.UTC(2026, 10, 18, 12, 0, 0)
const ARN = 'arn:aws:execute-api:us-east-1:123456789012:sluice/prod'
const routes: AppSpec['routes'] = [
  { method: 'GET', path: '/pets', echo: true },
  { method: 'DELETE', path: '/pets', echo: true },
  { method: 'GET', path: '/users', echo: true },
  { method: 'POST', path: '/pets', echo: true },
]
const policy = (effect: 'Allow' | 'Deny', Resource: string | string[]): PolicyDocument => ({ Version: '2012-10-17', Statement: [{ Effect: effect, Action: 'execute-api:Invoke', Resource }] })

/** A user step that answers with `$context.authorizer` and the identity fields: proves what the authorizer set. */
const echoContext: Step = {
  feature: 'echo-context',
  run: (ex) => {
    const { accessKey, caller, user, userArn } = ex.context.identity
    return respond({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ authorizer: ex.context.authorizer, identity: { accessKey, caller, user, userArn } }) })
  },
}

/** A TOKEN authorizer whose answer depends on the token; counts its calls in the context. */
function tokenConfig(): AuthorizerConfig {
  let calls = 0
  return {
    type: 'token',
    handler: (e) => {
      calls++
      switch (e.authorizationToken) {
        case 'allow':
          return { principalId: 'alice', policyDocument: policy('Allow', `${ARN}/*`), context: { calls, admin: false, tier: 'gold' } }
        case 'get-only':
          return { principalId: 'bob', policyDocument: policy('Allow', `${ARN}/GET/*`), context: { calls } }
        case 'deny':
          return { principalId: 'eve', policyDocument: policy('Deny', `${ARN}/*`) }
        case 'malformed':
          return { principalId: 'x', policyDocument: 'allow everything' } as never
        default:
          throw new Error('Unauthorized')
      }
    },
  }
}

const spec = (options: AppSpec['options'], features: AppSpec['features'], clockStart = T0): AppSpec => ({ options: { stage: { name: 'prod' }, ...options }, features, routes, clockStart })
const json = (body: string) => JSON.parse(body) as Record<string, unknown>

describe('authorizers on every adapter', () => {
  scenario(
    'Lambda TOKEN authorizer: allow, 401, 403 explicit deny, 500 malformed, with AWS shapes',
    spec({}, (gw) => {
      const config = tokenConfig()
      return [gw.authorize(config), gw.use(echoContext)]
    }),
    async ({ send }) => {
      const ok = await send({ path: '/pets', headers: { authorization: 'allow' } })
      expect(ok.status).toBe(200)
      expect(json(ok.body)['authorizer']).toEqual({ principalId: 'alice', calls: '1', admin: 'false', tier: 'gold' })
      const missing = await send({ path: '/pets' })
      expect(missing.status).toBe(401)
      expect(missing.body).toBe('{"message":"Unauthorized"}')
      expect(missing.headers['x-amzn-errortype']).toBe('UnauthorizedException')
      const thrown = await send({ path: '/pets', headers: { authorization: 'who?' } })
      expect(thrown.status).toBe(401)
      const deny = await send({ path: '/pets', headers: { authorization: 'deny' } })
      expect(deny.status).toBe(403)
      expect(deny.body).toBe('{"Message":"User is not authorized to access this resource with an explicit deny"}')
      expect(deny.headers['x-amzn-errortype']).toBe('AccessDeniedException')
      const broken = await send({ path: '/pets', headers: { authorization: 'malformed' } })
      expect(broken.status).toBe(500)
      expect(broken.body).toBe('{"message":null}')
      expect(broken.headers['x-amzn-errortype']).toBe('AuthorizerConfigurationException')
    },
  )

  scenario(
    'the cached policy is reused and re-evaluated against each method ARN',
    spec({}, (gw) => [gw.authorize(tokenConfig()), gw.use(echoContext)]),
    async ({ send, clock }) => {
      const first = await send({ path: '/pets', headers: { authorization: 'get-only' } })
      expect(json(first.body)['authorizer']).toEqual({ principalId: 'bob', calls: '1' })
      const again = await send({ path: '/users', headers: { authorization: 'get-only' } })
      expect(json(again.body)['authorizer']).toEqual({ principalId: 'bob', calls: '1' })
      const del = await send({ method: 'DELETE', path: '/pets', headers: { authorization: 'get-only' } })
      expect(del.status).toBe(403)
      expect(del.body).toBe('{"Message":"User is not authorized to access this resource"}')
      clock.advance(300_000)
      const fresh = await send({ path: '/pets', headers: { authorization: 'get-only' } })
      expect(json(fresh.body)['authorizer']).toEqual({ principalId: 'bob', calls: '2' })
    },
  )

  scenario(
    'the authorizer in front of the route: the route runs only when allowed',
    spec({}, (gw) => [gw.authorize(tokenConfig())]),
    async ({ send }) => {
      const ok = await send({ path: '/pets', headers: { authorization: 'allow' } })
      expect(ok.status).toBe(200)
      expect(json(ok.body)['n']).toBe(1)
      expect((await send({ method: 'DELETE', path: '/pets', headers: { authorization: 'get-only' } })).status).toBe(403)
      expect(json((await send({ path: '/pets', headers: { authorization: 'allow' } })).body)['n']).toBe(2)
    },
  )

  scenario(
    'resource policy: an IP deny (IPv4 and IPv4-mapped IPv6) wins over the authorizer',
    spec(
      {
        trustProxy: ['127.0.0.1'],
        resourcePolicy: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*' },
            { Effect: 'Deny', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*', Condition: { IpAddress: { 'aws:SourceIp': ['198.51.100.0/24'] } } },
          ],
        },
      },
      (gw) => [gw.authorize(tokenConfig())],
    ),
    async ({ send }) => {
      expect((await send({ path: '/pets', headers: { authorization: 'allow', 'x-forwarded-for': '203.0.113.5' } })).status).toBe(200)
      for (const ip of ['198.51.100.9', '::ffff:198.51.100.9']) {
        const r = await send({ path: '/pets', headers: { authorization: 'allow', 'x-forwarded-for': ip } })
        expect(r.status).toBe(403)
        expect(r.body).toBe(`{"Message":"User: anonymous is not authorized to perform: execute-api:Invoke on resource: ${ARN}/GET/pets with an explicit deny"}`)
      }
    },
  )

  const secret = 'conformance-secret-0123456789abcdef'
  /** An HS256 token (signed here with node:crypto: the test package does not depend on jose). */
  const jwt = async (claims: Record<string, unknown>) => {
    const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
    const input = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ iss: 'https://issuer.example.com', aud: 'api', sub: 'u-1', exp: T0 / 1000 + 60, scope: 'pets/read', ...claims })}`
    return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`
  }
  scenario(
    'JWT authorizer: allow with claims, 401 with WWW-Authenticate, 403 on insufficient scope',
    spec({}, (gw) => {
      const config: AuthorizerConfig = { type: 'jwt', jwtConfiguration: { issuer: 'https://issuer.example.com', audience: ['api'] }, secret }
      return [gw.authorize(config, { authorizationScopes: ['pets/read'] }), gw.use(echoContext)]
    }),
    async ({ send }) => {
      const ok = await send({ path: '/pets', headers: { authorization: `Bearer ${await jwt({})}` } })
      expect(ok.status).toBe(200)
      expect(json(ok.body)['authorizer']).toMatchObject({ principalId: 'u-1', claims: { sub: 'u-1', scope: 'pets/read' }, scopes: ['pets/read'] })
      const expired = await send({ path: '/pets', headers: { authorization: `Bearer ${await jwt({ exp: T0 / 1000 - 1 })}` } })
      expect(expired.status).toBe(401)
      expect(expired.headers['www-authenticate']).toBe('Bearer scope="pets/read" error="invalid_token" error_description="the token has expired"')
      const scope = await send({ path: '/pets', headers: { authorization: `Bearer ${await jwt({ scope: 'other' })}` } })
      expect(scope.status).toBe(403)
      expect(scope.headers['www-authenticate']).toContain('error="insufficient_scope"')
    },
  )

  const creds = { accessKeyId: 'AKIDCONFORMANCE', secretAccessKey: 'conformance/secret/key/0123456789' }
  const signer = new SignatureV4({ service: 'execute-api', region: 'us-east-1', credentials: creds, sha256: Hash.bind(null, 'sha256') })
  const signed = async (path: string, query: Record<string, string> = {}) => {
    const r = await signer.sign({ method: 'GET', protocol: 'http:', hostname: 'api.example.com', path, query, headers: { host: 'api.example.com' } }, { signingDate: new Date(T0) })
    return r.headers as Record<string, string>
  }
  scenario(
    'IAM SigV4: a request signed by AWS\'s signer is accepted; unsigned, tampered and stale ones are refused',
    // one chain: on Fastify a body-reading step runs in preParsing, after every onRequest feature
    spec({}, (gw) => [
      gw.chain(
        gw.authorize({
          type: 'aws_iam',
          credentials: (id) => (id === creds.accessKeyId ? { secretAccessKey: creds.secretAccessKey, userArn: 'arn:aws:iam::123456789012:user/ci', policies: [policy('Allow', [`${ARN}/GET/*`, `${ARN}/POST/*`])] } : undefined),
        }) as never,
        gw.use(echoContext) as never,
      ),
    ]),
    async ({ send, clock }) => {
      const ok = await send({ path: '/pets?kind=cat', headers: await signed('/pets', { kind: 'cat' }) })
      expect(ok.status).toBe(200)
      expect(json(ok.body)['identity']).toEqual({ accessKey: 'AKIDCONFORMANCE', caller: 'AKIDCONFORMANCE', user: 'AKIDCONFORMANCE', userArn: 'arn:aws:iam::123456789012:user/ci' })
      const unsigned = await send({ path: '/pets', headers: { host: 'api.example.com' } })
      expect(unsigned.status).toBe(403)
      expect(unsigned.body).toBe('{"message":"Missing Authentication Token"}')
      const tampered = await send({ path: '/pets?kind=dog', headers: await signed('/pets', { kind: 'cat' }) })
      expect(tampered.status).toBe(403)
      expect(tampered.headers['x-amzn-errortype']).toBe('InvalidSignatureException')
      const denied = await send({ method: 'DELETE', path: '/pets', headers: await signer.sign({ method: 'DELETE', protocol: 'http:', hostname: 'api.example.com', path: '/pets', headers: { host: 'api.example.com' } }, { signingDate: new Date(T0) }).then((r) => r.headers as Record<string, string>) })
      expect(denied.status).toBe(403)
      expect(json(denied.body)['Message']).toBe(`User: arn:aws:iam::123456789012:user/ci is not authorized to perform: execute-api:Invoke on resource: ${ARN}/DELETE/pets because no identity-based policy allows the execute-api:Invoke action`)
      const body = '{"name":"rex"}'
      const post = await signer.sign(
        { method: 'POST', protocol: 'http:', hostname: 'api.example.com', path: '/pets', headers: { host: 'api.example.com', 'content-type': 'application/json', 'content-length': String(body.length) }, body },
        { signingDate: new Date(T0) },
      )
      const posted = await send({ method: 'POST', path: '/pets', headers: post.headers as Record<string, string>, body })
      expect(posted.status).toBe(200)
      expect(json(posted.body)['identity']).toMatchObject({ accessKey: 'AKIDCONFORMANCE' })
      const forged = await send({ method: 'POST', path: '/pets', headers: post.headers as Record<string, string>, body: '{"name":"max"}' })
      expect(forged.status).toBe(403)
      expect(forged.headers['x-amzn-errortype']).toBe('InvalidSignatureException')
      clock.advance(6 * 60_000)
      const stale = await send({ path: '/pets', headers: await signed('/pets') })
      expect(stale.status).toBe(403)
      expect(stale.body).toBe('{"message":"Signature expired: 20261118T120000Z is now earlier than 20261118T120100Z (20261118T120600Z - 5 min.)"}')
    },
  )

  scenario(
    'IAM SigV4 with a body: the hash is verified and the route still gets the request (each framework parses it after us)',
    spec({}, (gw) => [
      gw.authorize({ type: 'aws_iam', credentials: (id) => (id === creds.accessKeyId ? { secretAccessKey: creds.secretAccessKey, policies: [policy('Allow', `${ARN}/*`)] } : undefined) }),
    ]),
    async ({ send }) => {
      const body = '{"name":"rex"}'
      const post = await signer.sign(
        { method: 'POST', protocol: 'http:', hostname: 'api.example.com', path: '/pets', headers: { host: 'api.example.com', 'content-type': 'application/json', 'content-length': String(body.length) }, body },
        { signingDate: new Date(T0) },
      )
      const ok = await send({ method: 'POST', path: '/pets', headers: post.headers as Record<string, string>, body })
      expect(ok.status).toBe(200)
      expect(json(ok.body)).toMatchObject({ n: 1, url: '/pets' })
      const forged = await send({ method: 'POST', path: '/pets', headers: post.headers as Record<string, string>, body: '{"name":"max"}' })
      expect(forged.status).toBe(403)
    },
  )
})
