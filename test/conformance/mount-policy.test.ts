/**
 * A mounted API's resource policy on every adapter: API Gateway's 403 ACCESS_DENIED answer (with
 * its capital-M `Message`), the explicit Deny checked before the authorizer is called, and the
 * authorizer's and the policy's decisions combined.
 */
import type { ApiDefinition, PolicyDocument } from '@sluice/core'
import { describe, expect } from 'vitest'
import type { AppSpec } from '../support/apps.js'
import { scenario } from '../support/scenario.js'

const ARN = 'arn:aws:execute-api:us-east-1:123456789012:pets'
const mock = (text: string) => ({ type: 'MOCK' as const, responses: [{ statusCode: '200', responseTemplates: { 'application/json': text } }] })

/** Allows everything; explicitly denies callers outside 10.0.0.0/8. */
const policy: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*' },
    { Effect: 'Deny', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*/*/private/*', Condition: { NotIpAddress: { 'aws:SourceIp': ['10.0.0.0/8'] } } },
  ],
}

let authorizerCalls = 0
const api = (): ApiDefinition => ({
  name: 'Pets',
  policy,
  authorizers: { tok: { type: 'TOKEN', handler: 'auth', authorizerResultTtlInSeconds: 0 } },
  paths: {
    '/public': { GET: { integration: mock('{"public":true}') } },
    '/private/{id}': { GET: { integration: mock('{"private":true}') } },
    '/private/guarded/{id}': { GET: { authorizer: 'tok', integration: mock('{"guarded":true}') } },
  },
})

const spec = (): AppSpec => ({
  options: { stage: { name: 'prod' }, trustProxy: ['127.0.0.1'] },
  features: (gw) => [
    gw.mount(api(), {
      basePath: '/v1',
      integrations: {
        auth: async (e: { authorizationToken: string; methodArn: string }) => {
          authorizerCalls++
          if (e.authorizationToken !== 'good') throw new Error('Unauthorized')
          return { principalId: 'me', policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: e.methodArn }] } }
        },
      },
    }),
  ],
  routes: [],
})

describe('a mounted API\'s resource policy on every adapter', () => {
  scenario('an explicit Deny answers 403 ACCESS_DENIED before the authorizer runs; others pass to the authorizer', spec(), async ({ send }) => {
    const outside = { 'x-forwarded-for': '192.0.2.7' }
    const inside = { 'x-forwarded-for': '10.1.2.3' }
    const pub = await send({ path: '/v1/public', headers: outside })
    expect(pub.status).toBe(200)
    expect(pub.body).toBe('{"public":true}')

    const denied = await send({ path: '/v1/private/7', headers: outside })
    expect(denied.status).toBe(403)
    expect(denied.body).toBe(`{"Message":"User: anonymous is not authorized to perform: execute-api:Invoke on resource: ${ARN}/prod/GET/private/7 with an explicit deny"}`)
    expect(denied.headers['x-amzn-errortype']).toBe('AccessDeniedException')
    expect(denied.headers['content-type']).toBe('application/json')
    expect((await send({ path: '/v1/private/7', headers: inside })).body).toBe('{"private":true}')

    authorizerCalls = 0
    const early = await send({ path: '/v1/private/guarded/1', headers: { ...outside, authorization: 'good' } })
    expect(early.status).toBe(403)
    expect(early.body).toContain('with an explicit deny')
    expect(authorizerCalls).toBe(0)
    const unauthorized = await send({ path: '/v1/private/guarded/1', headers: { ...inside, authorization: 'bad' } })
    expect(unauthorized.status).toBe(401)
    expect(unauthorized.body).toBe('{"message":"Unauthorized"}')
    const ok = await send({ path: '/v1/private/guarded/1', headers: { ...inside, authorization: 'good' } })
    expect(ok.body).toBe('{"guarded":true}')
    expect(authorizerCalls).toBe(2)
  })
})
