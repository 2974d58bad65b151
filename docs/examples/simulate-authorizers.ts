/**
 * Unit-testing authorizers without a server or sleeps: a token authorizer whose cached policy is
 * re-evaluated per method, a JWT authorizer on a manual clock (expiry, scopes), and a resource policy
 * refusing an address range. Asserts with node:assert; exits non-zero if an assertion fails.
 */
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import type { AuthorizerConfig } from '@sluice/core'
import { ManualClock, simulate } from '@sluice/core/testing'
import { gateway } from '@sluice/express'

const T0 = Date.UTC(2026, 10, 18, 12) // 18 November 2026, 12:00 UTC
const ARN = 'arn:aws:execute-api:us-east-1:123456789012:petstore/prod'
const clock = new ManualClock(T0)
const gw = gateway({ clock, stage: { name: 'prod' }, aws: { apiId: 'petstore' } })

// Another gateway with a resource policy: it allows everyone but an address range. (With a resource
// policy that allows a method, an authorizer's implicit deny no longer refuses it: AWS's same-account
// table lets either allow. Only an explicit Deny wins.)
const guarded = gateway({
  clock,
  stage: { name: 'prod' },
  aws: { apiId: 'petstore' },
  resourcePolicy: {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*' },
      { Effect: 'Deny', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*', Condition: { IpAddress: { 'aws:SourceIp': '198.51.100.0/24' } } },
    ],
  },
})

// A token authorizer: "reader" may GET anything; its policy is cached for 300 s by token.
let calls = 0
const tokens: AuthorizerConfig = {
  type: 'token',
  handler: (event) => {
    calls++
    if (event.authorizationToken !== 'reader') throw new Error('Unauthorized')
    return { principalId: 'reader', policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: `${ARN}/GET/*` }] }, context: { level: 1 } }
  },
}
const reader = { authorization: 'reader' }

const get = await simulate(gw.authorize(tokens), { url: '/pets/1', headers: reader, ip: '203.0.113.5' })
assert.equal(get.response.status, 200)
assert.deepEqual({ ...get.context.authorizer }, { principalId: 'reader', level: '1' }) // context values as strings

const del = await simulate(gw.authorize(tokens), { method: 'DELETE', url: '/pets/1', headers: reader, ip: '203.0.113.5' })
assert.equal(del.response.status, 403) // the cached policy, evaluated against DELETE
assert.equal(calls, 1) // the handler ran once: the second answer came from the cache
assert.deepEqual(JSON.parse(String(del.response.body)), { Message: 'User is not authorized to access this resource' })

assert.equal((await simulate(gw.authorize(tokens), { url: '/pets', headers: { authorization: 'nobody' }, ip: '203.0.113.5' })).response.status, 401)

assert.equal(calls, 2)
const open = guarded.authorize() // no authorizer: the resource policy alone
assert.equal((await simulate(open, { url: '/pets', ip: '203.0.113.5' })).response.status, 200)
const blocked = await simulate(open, { url: '/pets', ip: '::ffff:198.51.100.7' }) // IPv4-mapped: still the range
assert.equal(blocked.response.status, 403)
assert.deepEqual(JSON.parse(String(blocked.response.body)), { Message: `User: anonymous is not authorized to perform: execute-api:Invoke on resource: ${ARN}/GET/pets with an explicit deny` })

// A JWT authorizer (HS256 so the example needs no identity provider).
const secret = 'simulate-example-secret-0123456789ab'
const token = (claims: Record<string, unknown>): string => {
  const part = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url')
  const input = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ iss: 'https://issuer.example.com', aud: 'petstore', sub: 'u-1', exp: T0 / 1000 + 60, ...claims })}`
  return `Bearer ${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`
}
const jwt: AuthorizerConfig = { type: 'jwt', jwtConfiguration: { issuer: 'https://issuer.example.com', audience: ['petstore'] }, secret }
const readPets = gw.authorize(jwt, { authorizationScopes: ['pets/read'] })

const ok = await simulate(readPets, { headers: { authorization: token({ scope: 'pets/read' }) } })
assert.equal(ok.response.status, 200)
assert.equal(ok.context.authorizer['principalId'], 'u-1')

const noScope = await simulate(readPets, { headers: { authorization: token({ scope: 'other' }) } })
assert.equal(noScope.response.status, 403)
assert.match(noScope.response.headers['www-authenticate'] ?? '', /error="insufficient_scope"/)

clock.advance(60_000) // the token's exp is now
const expired = await simulate(readPets, { headers: { authorization: token({ scope: 'pets/read' }) } })
assert.equal(expired.response.status, 401)
assert.equal(expired.response.headers['www-authenticate'], 'Bearer scope="pets/read" error="invalid_token" error_description="the token has expired"')

console.log('authorizer checks passed')
