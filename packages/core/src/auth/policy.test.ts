import { describe, expect, it } from 'vitest'
import { combineDecisions, compilePolicy, PolicyError, wildcardMatch, type PolicyDecision, type PolicyDocument } from './policy.js'

const ARN = 'arn:aws:execute-api:us-east-1:123456789012:api1/prod'
const req = (resource: string, sourceIp = '10.0.0.1', action = 'execute-api:Invoke') => ({ action, resource, sourceIp })
const allow = (Resource: string | string[], extra: object = {}): PolicyDocument => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource, ...extra }] })

describe('wildcardMatch (IAM semantics)', () => {
  it('* crosses / and ? is exactly one character', () => {
    expect(wildcardMatch('a/*', 'a/b/c/d')).toBe(true)
    expect(wildcardMatch('a/?', 'a/b')).toBe(true)
    expect(wildcardMatch('a/?', 'a/bc')).toBe(false)
    expect(wildcardMatch('a/?', 'a/')).toBe(false)
    expect(wildcardMatch('*b*d', 'abcd')).toBe(true)
    expect(wildcardMatch('*b*d', 'abcde')).toBe(false)
  })
  it('is case-sensitive unless asked', () => {
    expect(wildcardMatch('GET/pets', 'get/pets')).toBe(false)
    expect(wildcardMatch('execute-api:invoke', 'execute-api:Invoke', true)).toBe(true)
  })
  it('treats regular-expression characters literally and stays linear on hostile patterns', () => {
    expect(wildcardMatch('a.c', 'abc')).toBe(false)
    expect(wildcardMatch('(a+)+$', '(a+)+$')).toBe(true)
    const text = 'a'.repeat(5000)
    expect(wildcardMatch('*a*a*a*a*a*a*a*a*a*a*b', text)).toBe(false)
  })
})

describe('compilePolicy / evaluate', () => {
  it('an exact resource matches only that method and path (no prefix matching)', () => {
    const p = compilePolicy(allow(`${ARN}/GET/organizations`))
    expect(p.evaluate(req(`${ARN}/GET/organizations`))).toBe('allow')
    expect(p.evaluate(req(`${ARN}/GET/organizations/0000/members`))).toBe('none')
    expect(p.evaluate(req(`${ARN}/POST/organizations`))).toBe('none')
  })
  it('wildcards in every field', () => {
    expect(compilePolicy(allow('arn:aws:execute-api:*:*:*')).evaluate(req(`${ARN}/DELETE/a/b`))).toBe('allow')
    expect(compilePolicy(allow('arn:aws:execute-api:*:*:api1/*/GET/pets/*')).evaluate(req(`${ARN}/GET/pets/1/toys`))).toBe('allow')
    expect(compilePolicy(allow('arn:aws:execute-api:*:*:api1/*/GET/pets/?')).evaluate(req(`${ARN}/GET/pets/12`))).toBe('none')
    expect(compilePolicy(allow('arn:aws:execute-api:**')).evaluate(req(`${ARN}/GET/`))).toBe('allow')
  })
  it('an explicit Deny wins wherever it is, also after an Allow', () => {
    const p = compilePolicy({
      Statement: [
        { Effect: 'Allow', Action: 'execute-api:Invoke', Resource: `${ARN}/*` },
        { Effect: 'Allow', Action: '*', Resource: '*' },
        { Effect: 'Deny', Action: 'execute-api:*', Resource: `${ARN}/DELETE/*` },
      ],
    })
    expect(p.evaluate(req(`${ARN}/GET/a`))).toBe('allow')
    expect(p.evaluate(req(`${ARN}/DELETE/a`))).toBe('deny')
  })
  it('a single statement object (not a list) and Action lists', () => {
    const p = compilePolicy({ Statement: { Effect: 'Allow', Action: ['execute-api:InvalidateCache'], Resource: '*' } })
    expect(p.evaluate(req(`${ARN}/GET/a`))).toBe('none')
    expect(p.evaluate(req(`${ARN}/GET/a`, '1.1.1.1', 'execute-api:InvalidateCache'))).toBe('allow')
  })
  it('NotAction and NotResource', () => {
    const p = compilePolicy({ Statement: [{ Effect: 'Allow', NotAction: 'execute-api:InvalidateCache', NotResource: `${ARN}/POST/*` }] })
    expect(p.evaluate(req(`${ARN}/GET/a`))).toBe('allow')
    expect(p.evaluate(req(`${ARN}/POST/a`))).toBe('none')
    expect(p.evaluate(req(`${ARN}/GET/a`, '1.1.1.1', 'execute-api:InvalidateCache'))).toBe('none')
  })
  it('IpAddress / NotIpAddress on aws:SourceIp with IPv4 and IPv6 CIDRs on canonical addresses', () => {
    const p = compilePolicy({
      Statement: [
        { Effect: 'Allow', Action: 'execute-api:Invoke', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '2001:db8::/32'] } } },
        { Effect: 'Deny', Action: 'execute-api:Invoke', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '192.0.2.66' } } },
      ],
    })
    expect(p.evaluate(req(ARN, '192.0.2.10'))).toBe('allow')
    expect(p.evaluate(req(ARN, '::ffff:192.0.2.10'))).toBe('allow')
    expect(p.evaluate(req(ARN, '::ffff:c000:20a'))).toBe('allow')
    expect(p.evaluate(req(ARN, '2001:0db8:0000::1'))).toBe('allow')
    expect(p.evaluate(req(ARN, '2001:db8::1%eth0'))).toBe('allow')
    expect(p.evaluate(req(ARN, '192.0.3.10'))).toBe('none')
    expect(p.evaluate(req(ARN, '192.0.2.66'))).toBe('deny')
    expect(p.evaluate(req(ARN, '::ffff:192.0.2.66'))).toBe('deny')
    expect(p.evaluate(req(ARN, '192.0.1.322'))).toBe('none')
    expect(p.evaluate(req(ARN, ''))).toBe('none')
    const not = compilePolicy({ Statement: [{ Effect: 'Deny', Action: 'execute-api:Invoke', Resource: '*', Condition: { NotIpAddress: { 'aws:SourceIp': ['10.0.0.0/8'] } } }] })
    expect(not.evaluate(req(ARN, '10.1.2.3'))).toBe('none')
    expect(not.evaluate(req(ARN, '11.1.2.3'))).toBe('deny')
  })
  it('principals: "*" matches everyone; AWS principals only a matching IAM caller', () => {
    const p = compilePolicy({ Statement: [{ Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::111122223333:root'] }, Action: 'execute-api:Invoke', Resource: '*' }] })
    expect(p.evaluate(req(ARN))).toBe('none')
    expect(p.evaluate({ ...req(ARN), principal: { arn: 'arn:aws:iam::111122223333:user/a', accountId: '111122223333' } })).toBe('allow')
    expect(p.evaluate({ ...req(ARN), principal: { arn: 'arn:aws:iam::999922223333:user/a', accountId: '999922223333' } })).toBe('none')
    expect(compilePolicy({ Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] }).evaluate(req(ARN))).toBe('allow')
  })
  it('expands the execute-api:/ shorthand when asked', () => {
    const p = compilePolicy(allow('execute-api:/prod/GET/*'), { expandResource: (r) => r.replace('execute-api:/', `arn:aws:execute-api:us-east-1:123456789012:api1/`) })
    expect(p.evaluate(req(`${ARN}/GET/x`))).toBe('allow')
  })
  it.each([
    [null, 'policyDocument'],
    [{}, 'Statement'],
    [{ Statement: [{ Effect: 'allow', Action: '*', Resource: '*' }] }, 'Statement[0].Effect'],
    [{ Statement: [{ Effect: 'Allow', Resource: '*' }] }, 'Statement[0].Action'],
    [{ Statement: [{ Effect: 'Allow', Action: '*' }] }, 'Statement[0].Resource'],
    [{ Statement: [{ Effect: 'Allow', Action: [], Resource: '*' }] }, 'Statement[0].Action'],
    [{ Statement: [{ Effect: 'Allow', Action: '*', Resource: 5 }] }, 'Statement[0].Resource'],
    [{ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:UserAgent': 'x' } } }] }, 'Statement[0].Condition.StringEquals'],
    [{ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '1.2.3.4/33' } } }] }, 'Statement[0].Condition.IpAddress.aws:SourceIp[0]'],
    [{ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '1.2.3.256' } } }] }, 'Statement[0].Condition.IpAddress.aws:SourceIp[0]'],
    [{ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Bogus: 1 }] }, 'Statement[0].Bogus'],
  ])('refuses %j naming %s', (doc, path) => {
    try {
      compilePolicy(doc)
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(PolicyError)
      expect((e as PolicyError).path).toBe(path)
    }
  })
})

describe('combineDecisions', () => {
  const d: PolicyDecision[] = ['allow', 'none', 'deny']
  it('same account (Table A): either allows, any explicit deny wins', () => {
    const table = d.map((c) => d.map((r) => combineDecisions(c, r)))
    expect(table).toEqual([
      ['allow', 'allow', 'deny'],
      ['allow', 'none', 'deny'],
      ['deny', 'deny', 'deny'],
    ])
  })
  it('cross account (Table B): both must allow', () => {
    const table = d.map((c) => d.map((r) => combineDecisions(c, r, true)))
    expect(table).toEqual([
      ['allow', 'none', 'deny'],
      ['none', 'none', 'deny'],
      ['deny', 'deny', 'deny'],
    ])
  })
})
