import { describe, expect, it, vi } from 'vitest'
import { createGateway, type GatewayOptions } from '../gateway.js'
import { isSluiceConfigError } from '../errors.js'
import { ManualClock } from '../testing/clock.js'
import { simulate } from '../testing/simulate.js'
import type { PolicyDocument } from './policy.js'

const T0 = Date.UTC(2026, 10, 18, 12, 0, 0)
const ARN = 'arn:aws:execute-api:eu-west-1:111122223333:api1/prod'
const setup = (options: GatewayOptions = {}) =>
  createGateway({ clock: new ManualClock(T0), stage: { name: 'prod' }, aws: { region: 'eu-west-1', accountId: '111122223333', apiId: 'api1' }, ...options })
const ipPolicy: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*' },
    { Effect: 'Deny', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*', Condition: { IpAddress: { 'aws:SourceIp': ['198.51.100.0/24', '2001:db8:bad::/48'] } } },
  ],
}
const json = (r: { response: { body: string | Uint8Array } }) => JSON.parse(String(r.response.body)) as unknown
const lambdaPolicy = (effect: 'Allow' | 'Deny', Resource: string, Action = 'execute-api:Invoke') => ({ principalId: 'u', policyDocument: { Version: '2012-10-17', Statement: [{ Effect: effect, Action, Resource }] } })

describe('resource policies', () => {
  it('alone (type none): an explicit Allow is needed; an IP deny wins, on canonical addresses', async () => {
    const gw = setup({ resourcePolicy: ipPolicy })
    const step = gw.authorize()
    expect((await simulate(step, { url: '/pets', ip: '203.0.113.1' })).response.status).toBe(200)
    for (const ip of ['198.51.100.7', '::ffff:198.51.100.7', '2001:db8:bad:0:0::1']) {
      const r = await simulate(step, { url: '/pets', ip })
      expect(r.response.status, ip).toBe(403)
      expect(json(r)).toEqual({ Message: `User: anonymous is not authorized to perform: execute-api:Invoke on resource: ${ARN}/GET/pets with an explicit deny` })
    }
    const onlyGet = setup({ resourcePolicy: { Statement: [{ Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/prod/GET/*' }] } }).authorize()
    const post = await simulate(onlyGet, { method: 'POST', url: '/pets' })
    expect(json(post)).toEqual({ Message: `User: anonymous is not authorized to perform: execute-api:Invoke on resource: ${ARN}/POST/pets` })
  })

  it('with a Lambda authorizer: an explicit Deny refuses before the authorizer is called', async () => {
    const handler = vi.fn(() => lambdaPolicy('Allow', '*'))
    const step = setup({ resourcePolicy: ipPolicy }).authorize({ type: 'token', handler })
    expect((await simulate(step, { ip: '198.51.100.7', headers: { authorization: 't' } })).response.status).toBe(403)
    expect(handler).not.toHaveBeenCalled()
    expect((await simulate(step, { ip: '203.0.113.1', headers: { authorization: 't' } })).response.status).toBe(200)
  })

  it('same account (Table A): the resource policy can allow what the authorizer policy does not mention', async () => {
    const allowPets: PolicyDocument = { Statement: [{ Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/prod/GET/pets' }] }
    const gw = setup({ resourcePolicy: allowPets })
    const step = gw.authorize({ type: 'token', handler: () => lambdaPolicy('Allow', `${ARN}/GET/users`) })
    expect((await simulate(step, { url: '/pets', headers: { authorization: 't' } })).response.status).toBe(200)
    expect((await simulate(step, { url: '/users', headers: { authorization: 't' } })).response.status).toBe(200)
    const r = await simulate(step, { url: '/orders', headers: { authorization: 't' } })
    expect(json(r)).toEqual({ Message: 'User is not authorized to access this resource' })
    const denying = setup({ resourcePolicy: allowPets }).authorize({ type: 'token', handler: () => lambdaPolicy('Deny', '*') })
    expect(json(await simulate(denying, { url: '/pets', headers: { authorization: 't' } }))).toEqual({ Message: 'User is not authorized to access this resource with an explicit deny' })
  })

  it.each([
    [{ Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: '*' }] }, 'resourcePolicy.Statement[0].Principal'],
    [{ Statement: [{ Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: '*', Condition: { DateLessThan: {} } }] }, 'resourcePolicy.Statement[0].Condition.DateLessThan'],
    [{}, 'resourcePolicy.Statement'],
  ])('%j is refused with ERR_INVALID_POLICY naming %s', (resourcePolicy, option) => {
    try {
      setup({ resourcePolicy: resourcePolicy as PolicyDocument })
      expect.unreachable()
    } catch (e) {
      expect(isSluiceConfigError(e) && e.code === 'ERR_INVALID_POLICY' && e.option).toBe(option)
    }
  })

  it.each([
    [{ region: 'EU' }, 'aws.region'],
    [{ accountId: '12' }, 'aws.accountId'],
    [{ apiId: 'a/b' }, 'aws.apiId'],
    [{ partition: 'aws' }, 'aws.partition'],
  ])('aws %j is refused naming %s', (aws, option) => {
    try {
      createGateway({ aws: aws as never })
      expect.unreachable()
    } catch (e) {
      expect(isSluiceConfigError(e) && e.option).toBe(option)
    }
  })

  it('defaults: us-east-1, 123456789012, sluice, stage $default', async () => {
    let arn = ''
    const gw = createGateway({})
    await simulate(gw.authorize({ type: 'token', handler: (e) => ((arn = e.methodArn), lambdaPolicy('Allow', '*')) }), { url: '/a/b', headers: { authorization: 't' } })
    expect(arn).toBe('arn:aws:execute-api:us-east-1:123456789012:sluice/$default/GET/a/b')
    expect(gw.aws).toEqual({ region: 'us-east-1', accountId: '123456789012', apiId: 'sluice' })
  })
})

describe('cache invalidation permission', () => {
  it('max-age=0 is honoured when the caller\'s policy allows execute-api:InvalidateCache on the method ARN', async () => {
    const gw = setup()
    let n = 0
    const handler = () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ n: ++n }) })
    const admin = gw.authorize({
      type: 'token',
      name: 'admin',
      handler: () => ({ principalId: 'admin', policyDocument: { Statement: [{ Effect: 'Allow', Action: ['execute-api:Invoke', 'execute-api:InvalidateCache'], Resource: `${ARN}/*` }] } }),
    })
    const user = gw.authorize({ type: 'token', name: 'user', handler: () => lambdaPolicy('Allow', `${ARN}/*`) })
    const cache = gw.cache({ shared: false })
    const send = (auth: typeof admin, cc?: string) => simulate([auth, cache], { url: '/pets', headers: { authorization: 't', ...(cc ? { 'cache-control': cc } : {}) } }, { handler })
    expect(json(await send(user))).toEqual({ n: 1 })
    const refused = await send(user, 'max-age=0')
    expect(json(refused)).toEqual({ n: 1 })
    expect(refused.response.headers['warning']).toContain('not authorized to invalidate')
    // the admin has its own entries (another principal), so fill them first
    expect(json(await send(admin))).toEqual({ n: 2 })
    expect(json(await send(admin, 'max-age=0'))).toEqual({ n: 3 })
  })
})

describe('IAM callers and resource policies', () => {
  const T = Date.UTC(2026, 0, 1)
  const amz = '20260101T000000Z'
  const secretAccessKey = 'iam-test-secret-0123456789'
  const signedGet = async (path: string) => {
    const { canonicalRequest, signature } = await import('./sigv4.js')
    const payload = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
    const headers: Record<string, string> = { host: 'api.example.com', 'x-amz-date': amz }
    const canonical = canonicalRequest('GET', path, '', ['host', 'x-amz-date'], (n) => headers[n] ?? null, payload)
    const sig = signature(secretAccessKey, '20260101', 'eu-west-1', 'execute-api', amz, canonical)
    headers['authorization'] = `AWS4-HMAC-SHA256 Credential=AKIDX/20260101/eu-west-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=${sig}`
    return { url: `http://api.example.com${path}`, headers }
  }
  const allowAll: PolicyDocument = { Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: '*' }] }
  const byAccount = (account: string): PolicyDocument => ({ Statement: [{ Effect: 'Allow', Principal: { AWS: [`arn:aws:iam::${account}:root`] }, Action: 'execute-api:Invoke', Resource: 'execute-api:/*' }] })

  it('same account: the resource policy alone may allow an identity without policies', async () => {
    const gw = setup({ clock: new ManualClock(T), resourcePolicy: byAccount('111122223333') })
    const step = gw.authorize({ type: 'aws_iam', credentials: () => ({ secretAccessKey }) })
    expect((await simulate(step, await signedGet('/pets'))).response.status).toBe(200)
  })

  it('another account (Table B): the identity policy and the resource policy must both allow', async () => {
    const gw = setup({ clock: new ManualClock(T), resourcePolicy: byAccount('999988887777') })
    const noIdentityPolicy = gw.authorize({ type: 'aws_iam', name: 'a', credentials: () => ({ secretAccessKey, accountId: '999988887777' }) })
    expect((await simulate(noIdentityPolicy, await signedGet('/pets'))).response.status).toBe(403)
    const both = gw.authorize({ type: 'aws_iam', name: 'b', credentials: () => ({ secretAccessKey, accountId: '999988887777', policies: [allowAll] }) })
    expect((await simulate(both, await signedGet('/pets'))).response.status).toBe(200)
    const other = setup({ clock: new ManualClock(T), resourcePolicy: byAccount('111122223333') })
    const notNamed = other.authorize({ type: 'aws_iam', credentials: () => ({ secretAccessKey, accountId: '999988887777', policies: [allowAll] }) })
    expect((await simulate(notNamed, await signedGet('/pets'))).response.status).toBe(403)
  })

  it('an explicit Deny of the resource policy names the IAM caller', async () => {
    const gw = setup({ clock: new ManualClock(T), resourcePolicy: { Statement: [{ Effect: 'Deny', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/prod/GET/pets' }] } })
    const step = gw.authorize({ type: 'aws_iam', credentials: () => ({ secretAccessKey, userArn: 'arn:aws:iam::111122223333:user/bob', policies: [allowAll] }) })
    const r = await simulate(step, await signedGet('/pets'))
    expect(json(r)).toEqual({ Message: `User: arn:aws:iam::111122223333:user/bob is not authorized to perform: execute-api:Invoke on resource: ${ARN}/GET/pets with an explicit deny` })
  })
})
