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
