/**
 * A mounted API keeps its state under its own API and stage, so two APIs (or stages, or a canary on
 * another deployment) on one gateway never share throttle buckets or cache entries. (That it keeps
 * it in the gateway's stores, memory or Redis: test/stores/mount.test.ts.)
 */
import { describe, expect, it } from 'vitest'
import { createGateway } from '../gateway.js'
import { ManualClock } from '../testing/clock.js'
import { simulate } from '../testing/simulate.js'
import { createApi } from './api.js'
import type { ApiDefinition } from './definition.js'

const T0 = Date.UTC(2026, 10, 22, 6, 0, 0)

/** A definition whose GET /pets runs a handler that counts its calls. */
function petsApi(name: string): { api: ApiDefinition; calls: () => number; integrations: Record<string, () => Promise<unknown>> } {
  let n = 0
  return {
    api: { name, paths: { '/pets': { GET: { integration: { type: 'AWS_PROXY', handler: 'list' } } } } },
    calls: () => n,
    integrations: { list: async () => ({ statusCode: 200, body: `${name}:${++n}` }) },
  }
}

const text = (b: string | Uint8Array): string => (typeof b === 'string' ? b : Buffer.from(b).toString('utf8'))

describe('a mounted API\'s state is its own', () => {
  it('two APIs with the same resource under /v1 and /v2 have their own stage buckets and cache entries', async () => {
    const gw = createGateway({ clock: new ManualClock(T0), stage: { name: 'prod', methodSettings: { '/pets/GET': { throttlingRateLimit: 1, throttlingBurstLimit: 1 } } } })
    const v1 = petsApi('Pets v1')
    const v2 = petsApi('Pets v2')
    const m1 = gw.mount(v1.api, { integrations: v1.integrations, basePath: '/v1', caching: true })
    const m2 = gw.mount(v2.api, { integrations: v2.integrations, basePath: '/v2', caching: true })
    expect(text((await simulate(m1, { url: '/v1/pets' })).response.body)).toBe('Pets v1:1')
    // not v1's cached entry, and not v1's exhausted bucket
    expect(text((await simulate(m2, { url: '/v2/pets' })).response.body)).toBe('Pets v2:1')
    expect((await simulate(m1, { url: '/v1/pets', headers: { 'cache-control': 'max-age=0' } })).response.status).toBe(429)
  })

  it('two stages of one API have their own entries; a canary on another deployment does not share the stage\'s', async () => {
    const p = petsApi('Staged')
    const api = createApi(p.api, { integrations: p.integrations })
    const first = api.deploy({ stageName: 'prod' })
    api.createStage('beta', { deploymentId: first.id })
    const gw = createGateway({ clock: new ManualClock(T0) })
    const prod = gw.mount(api, { stage: 'prod', caching: true, basePath: '/prod' })
    const beta = gw.mount(api, { stage: 'beta', caching: true, basePath: '/beta' })
    expect(text((await simulate(prod, { url: '/prod/pets' })).response.body)).toBe('Staged:1')
    expect(text((await simulate(beta, { url: '/beta/pets' })).response.body)).toBe('Staged:2')
    expect(text((await simulate(prod, { url: '/prod/pets' })).response.body)).toBe('Staged:1')

    const next = api.deploy()
    api.updateStage('prod', { canary: { deploymentId: next.id, percentTraffic: 100, useStageCache: true } })
    expect(text((await simulate(prod, { url: '/prod/pets' })).response.body)).toBe('Staged:3')
    expect(text((await simulate(prod, { url: '/prod/pets' })).response.body)).toBe('Staged:3')
  })
})

describe('authorizers of mounted APIs', () => {
  it('two APIs whose authorizers share a name mount side by side and cache their results apart', async () => {
    const gw = createGateway({ clock: new ManualClock(T0) })
    const calls: string[] = []
    const api = (name: string): ApiDefinition => ({
      name,
      authorizers: { auth: { type: 'TOKEN', handler: 'auth', authorizerResultTtlInSeconds: 300 } },
      paths: { '/pets': { GET: { authorizer: 'auth', integration: { type: 'AWS_PROXY', handler: 'list' } } } },
    })
    const mountOne = (name: string) =>
      gw.mount(api(name), {
        basePath: `/${name}`,
        integrations: {
          auth: async (e: { methodArn: string }) => (calls.push(name), { principalId: name, policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: e.methodArn }] }, context: { api: name } }),
          list: async (e: { requestContext: { authorizer: { api: string } } }) => ({ statusCode: 200, body: e.requestContext.authorizer.api }),
        },
      })
    const a = mountOne('a')
    const b = mountOne('b')
    const headers = { authorization: 'same-token' }
    expect(text((await simulate(a, { url: '/a/pets', headers })).response.body)).toBe('a')
    expect(text((await simulate(b, { url: '/b/pets', headers })).response.body)).toBe('b')
    expect(text((await simulate(a, { url: '/a/pets', headers })).response.body)).toBe('a')
    expect(calls).toEqual(['a', 'b'])
  })
})
