/**
 * `requestContext.authorizer` of payload 2.0 events: `jwt: { claims, scopes }` after a JWT
 * authorizer, `lambda: <context>` after a Lambda authorizer; payload 1.0 keeps the values flat.
 */
import { SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { createGateway } from '../gateway.js'
import { ManualClock } from '../testing/clock.js'
import { simulate } from '../testing/simulate.js'
import type { ApiDefinition } from './definition.js'

const NOW = 1_790_000_000
const SECRET = 's'.repeat(40)
const ISS = 'https://issuer.example'

async function event(definition: ApiDefinition, headers: Record<string, string>, authorizers: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Promise<{ requestContext: { authorizer?: unknown } }> {
  let seen: unknown
  const gw = createGateway({ clock: new ManualClock(NOW * 1000) })
  const step = gw.mount(definition, { authorizers: authorizers as never, integrations: { capture: async (e: unknown) => ((seen = e), { statusCode: 200 }), ...extra } as never })
  const r = await simulate(step, { url: '/a', headers })
  expect(r.response.status).toBe(200)
  return JSON.parse(JSON.stringify(seen)) as { requestContext: { authorizer?: unknown } }
}

describe('requestContext.authorizer in proxy events', () => {
  it('2.0 after a JWT authorizer: { jwt: { claims, scopes } }', async () => {
    const token = await new SignJWT({ iss: ISS, aud: 'api', sub: 'user-1', exp: NOW + 3600, scope: 'pets/read' }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(SECRET))
    const definition: ApiDefinition = {
      protocol: 'HTTP',
      authorizers: { jwt: { type: 'JWT', identitySource: '$request.header.Authorization', jwtConfiguration: { issuer: ISS, audience: ['api'] } } },
      routes: { 'GET /a': { authorizer: 'jwt', authorizationType: 'JWT', integration: { type: 'AWS_PROXY', handler: 'capture' } } },
    }
    const e = await event(definition, { authorization: `Bearer ${token}` }, { jwt: { secret: SECRET } })
    expect(e.requestContext.authorizer).toEqual({ jwt: { claims: { iss: ISS, aud: 'api', sub: 'user-1', exp: String(NOW + 3600), scope: 'pets/read' }, scopes: ['pets/read'] } })
  })

  it('2.0 after a Lambda authorizer: { lambda: context }; 1.0 keeps principalId and context flat', async () => {
    const auth = async () => ({ isAuthorized: true, context: { tier: 'gold' } })
    const definition = (version: '1.0' | '2.0'): ApiDefinition => ({
      protocol: 'HTTP',
      authorizers: { fn: { type: 'REQUEST', handler: 'auth', identitySource: '$request.header.x-token', authorizerPayloadFormatVersion: '2.0', enableSimpleResponses: true, authorizerResultTtlInSeconds: 0 } },
      routes: { 'GET /a': { authorizer: 'fn', authorizationType: 'CUSTOM', integration: { type: 'AWS_PROXY', handler: 'capture', payloadFormatVersion: version } } },
    })
    expect((await event(definition('2.0'), { 'x-token': 't' }, {}, { auth })).requestContext.authorizer).toEqual({ lambda: { tier: 'gold' } })
    expect((await event(definition('1.0'), { 'x-token': 't' }, {}, { auth })).requestContext.authorizer).toMatchObject({ tier: 'gold' })
  })
})
