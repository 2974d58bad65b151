/**
 * A mounted API's resource policy (the definition's `policy`, else the gateway's `resourcePolicy`)
 * in API Gateway's order and with its answers (reference section 11).
 */
import { describe, expect, it } from 'vitest'
import { isSluiceConfigError } from '../errors.js'
import { createGateway } from '../gateway.js'
import { simulate } from '../testing/simulate.js'
import type { PolicyDocument } from '../auth/policy.js'
import { createApi } from './api.js'
import type { ApiDefinition, MethodDefinition } from './definition.js'

const mock = (text: string, extra: Partial<MethodDefinition> = {}): MethodDefinition => ({
  ...extra,
  integration: { type: 'MOCK', responses: [{ statusCode: '200', responseTemplates: { 'application/json': text } }] },
})

const ALLOW_ALL = { Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*' } as const
/** Allows everything, denies callers outside 10.0.0.0/8. */
const IP_POLICY: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [ALLOW_ALL, { Effect: 'Deny', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*', Condition: { NotIpAddress: { 'aws:SourceIp': ['10.0.0.0/8'] } } }],
}
const ARN = 'arn:aws:execute-api:us-east-1:123456789012:pets'

const body = (r: { body: string | Uint8Array }): string => (typeof r.body === 'string' ? r.body : Buffer.from(r.body).toString('utf8'))

describe('mounted resource policy: no authorizer', () => {
  const api: ApiDefinition = { name: 'Pets', policy: IP_POLICY, paths: { '/pets': { GET: mock('{"ok":true}') }, '/': { GET: mock('{"root":true}') } } }

  it('an explicit Deny answers 403 ACCESS_DENIED with AWS\'s Message; an allowed caller gets through', async () => {
    const step = createGateway({ stage: { name: 'prod' } }).mount(api)
    const denied = await simulate(step, { url: '/pets', ip: '192.0.2.7' })
    expect(denied.response.status).toBe(403)
    expect(body(denied.response)).toBe(`{"Message":"User: anonymous is not authorized to perform: execute-api:Invoke on resource: ${ARN}/prod/GET/pets with an explicit deny"}`)
    expect(denied.response.headers['x-amzn-errortype']).toBe('AccessDeniedException')
    const ok = await simulate(step, { url: '/pets', ip: '10.1.2.3' })
    expect(ok.response.status).toBe(200)
    expect(body(ok.response)).toBe('{"ok":true}')
  })

  it('needs an explicit Allow: a method no statement allows is an implicit deny', async () => {
    const policy: PolicyDocument = { Statement: [{ Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/prod/GET/pets' }] }
    const step = createGateway({ stage: { name: 'prod' } }).mount({ ...api, policy })
    expect((await simulate(step, { url: '/pets' })).response.status).toBe(200)
    const root = await simulate(step, { url: '/' })
    expect(root.response.status).toBe(403)
    expect(body(root.response)).toBe(`{"Message":"User: anonymous is not authorized to perform: execute-api:Invoke on resource: ${ARN}/prod/GET/"}`)
  })

  it('builds method ARNs from the API\'s id, the mounted stage and the path under the base path', async () => {
    const policy: PolicyDocument = { Statement: [{ Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: `${ARN}/beta/GET/pets` }] }
    const step = createGateway({ stage: { name: 'prod' } }).mount({ ...api, policy }, { stage: 'beta', basePath: '/v1' })
    expect((await simulate(step, { url: '/v1/pets' })).response.status).toBe(200)
    const other = await simulate(step, { url: '/v1/' })
    expect(body(other.response)).toContain(`${ARN}/beta/GET/"}`)
  })

  it('an unknown route is still 403 MISSING_AUTHENTICATION_TOKEN (routing comes first)', async () => {
    const r = await simulate(createGateway().mount(api), { url: '/nowhere', ip: '192.0.2.7' })
    expect(body(r.response)).toBe('{"message":"Missing Authentication Token"}')
  })
})

describe('mounted resource policy with authorizers', () => {
  const allowing = (resource: string) => ({ principalId: 'alice', policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: resource }] } })
  const definition = (policy: PolicyDocument): ApiDefinition => ({
    name: 'Pets',
    policy,
    authorizers: { tok: { type: 'TOKEN', handler: 'auth', authorizerResultTtlInSeconds: 0 } },
    paths: { '/pets': { GET: mock('{"ok":true}', { authorizer: 'tok' }) }, '/cats': { GET: mock('{"cats":true}', { authorizer: 'tok' }) } },
  })

  it('phase 1: an explicit Deny refuses before the authorizer is called', async () => {
    const calls: string[] = []
    const auth = async (e: { authorizationToken: string; methodArn: string }) => (calls.push(e.methodArn), allowing(e.methodArn))
    const step = createGateway({ stage: { name: 'prod' } }).mount(definition(IP_POLICY), { integrations: { auth } })
    const denied = await simulate(step, { url: '/pets', ip: '192.0.2.7', headers: { authorization: 'x' } })
    expect(denied.response.status).toBe(403)
    expect(body(denied.response)).toBe(`{"Message":"User: anonymous is not authorized to perform: execute-api:Invoke on resource: ${ARN}/prod/GET/pets with an explicit deny"}`)
    expect(calls).toEqual([])
    const ok = await simulate(step, { url: '/pets', ip: '10.0.0.1', headers: { authorization: 'x' } })
    expect(ok.response.status).toBe(200)
    expect(calls).toEqual([`${ARN}/prod/GET/pets`])
  })

  it('phase 2 (same-account table): either policy may allow; a Deny in either refuses', async () => {
    // the authorizer allows /pets only; the resource policy allows /cats only
    const auth = async () => allowing(`${ARN}/prod/GET/pets`)
    const policy: PolicyDocument = { Statement: [{ Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/prod/GET/cats' }] }
    const step = createGateway({ stage: { name: 'prod' } }).mount(definition(policy), { integrations: { auth } })
    expect((await simulate(step, { url: '/pets', headers: { authorization: 'x' } })).response.status).toBe(200) // (Allow, Neither)
    expect((await simulate(step, { url: '/cats', headers: { authorization: 'x' } })).response.status).toBe(200) // (Neither, Allow)
    const both = createGateway({ stage: { name: 'prod' } }).mount(
      definition({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*' }, { Effect: 'Deny', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/prod/GET/cats' }] }),
      { integrations: { auth: async () => allowing(`${ARN}/*`) } },
    )
    expect((await simulate(both, { url: '/pets', headers: { authorization: 'x' } })).response.status).toBe(200)
    const cats = await simulate(both, { url: '/cats', headers: { authorization: 'x' } })
    expect(cats.response.status).toBe(403) // (Allow, Deny)
    expect(body(cats.response)).toContain('with an explicit deny')
  })

  it('(Neither, Neither) is an implicit deny with the authorizer\'s message', async () => {
    const step = createGateway({ stage: { name: 'prod' } }).mount(definition({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/prod/GET/elsewhere' }] }), {
      integrations: { auth: async () => allowing(`${ARN}/prod/GET/elsewhere`) },
    })
    const r = await simulate(step, { url: '/pets', headers: { authorization: 'x' } })
    expect(r.response.status).toBe(403)
    expect(body(r.response)).toBe('{"Message":"User is not authorized to access this resource"}')
  })

  it('a step given in mount({ authorizers }) runs after the policy\'s explicit Deny check', async () => {
    let ran = 0
    const gw = createGateway({ stage: { name: 'prod' } })
    const step = gw.mount(definition(IP_POLICY), { authorizers: { tok: { feature: 'authorizer', run: () => (ran++, { kind: 'continue' }) } } })
    expect((await simulate(step, { url: '/pets', ip: '192.0.2.7' })).response.status).toBe(403)
    expect(ran).toBe(0)
    expect((await simulate(step, { url: '/pets', ip: '10.0.0.9' })).response.status).toBe(200)
    expect(ran).toBe(1)
  })
})

describe('which policy a mounted API uses', () => {
  const plain: ApiDefinition = { name: 'Pets', paths: { '/pets': { GET: mock('{"ok":true}') } } }

  it('the gateway\'s resourcePolicy when the definition has none, expanded for the API\'s own ARNs', async () => {
    const step = createGateway({ resourcePolicy: IP_POLICY }).mount(plain)
    expect((await simulate(step, { url: '/pets', ip: '192.0.2.7' })).response.status).toBe(403)
    expect((await simulate(step, { url: '/pets', ip: '10.0.0.1' })).response.status).toBe(200)
  })

  it("the definition's policy replaces the gateway's", async () => {
    const open: PolicyDocument = { Statement: [ALLOW_ALL] }
    const step = createGateway({ resourcePolicy: IP_POLICY }).mount({ ...plain, policy: open })
    expect((await simulate(step, { url: '/pets', ip: '192.0.2.7' })).response.status).toBe(200)
  })

  it('a changed policy applies when it is deployed (the policy is part of the deployment)', async () => {
    const api = createApi(plain)
    api.deploy({ stageName: 'prod' })
    const step = createGateway().mount(api, { stage: 'prod' })
    expect((await simulate(step, { url: '/pets', ip: '192.0.2.7' })).response.status).toBe(200)
    api.import({ ...plain, policy: IP_POLICY })
    expect((await simulate(step, { url: '/pets', ip: '192.0.2.7' })).response.status).toBe(200)
    api.deploy({ stageName: 'prod' })
    expect((await simulate(step, { url: '/pets', ip: '192.0.2.7' })).response.status).toBe(403)
  })

  it('an invalid policy fails the definition with its JSON pointer; HTTP APIs take none', () => {
    const check = (d: unknown): string => {
      try {
        createApi(d as ApiDefinition)
      } catch (e) {
        if (isSluiceConfigError(e) && e.code === 'ERR_INVALID_API_DEFINITION') return e.option
        throw e
      }
      throw new Error('expected ERR_INVALID_API_DEFINITION')
    }
    expect(check({ ...plain, policy: { Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: '*' }] } })).toBe('/policy/Statement/0/Principal')
    expect(check({ ...plain, policy: { Statement: [{ Effect: 'Maybe', Principal: '*', Action: 'execute-api:Invoke', Resource: '*' }] } })).toBe('/policy/Statement/0/Effect')
    expect(check({ ...plain, policy: { Statement: [{ ...ALLOW_ALL, Condition: { StringEquals: { 'aws:SourceVpc': 'vpc-1' } } }] } })).toBe('/policy/Statement/0/Condition/StringEquals')
    expect(check({ ...plain, protocol: 'HTTP', policy: { Statement: [ALLOW_ALL] } })).toBe('/policy')
  })
})
