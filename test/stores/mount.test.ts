/**
 * A mounted API keeps its state in the gateway's stores (`store.throttle`, `store.cache`,
 * `store.authorizer`), passed explicitly: two gateways on one store (two processes, for Redis)
 * share a mounted API's stage throttle buckets and cache entries; two APIs, two stages, or a canary
 * on another deployment keep theirs apart; same-named authorizers of two APIs cache apart — on the
 * memory stores and on Redis alike.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { createApi, createGateway, type ApiDefinition, type GatewayOptions } from '@sluice/core'
import { ManualClock, simulate } from '@sluice/core/testing'
import { memoryTarget, redisTarget, type StoreTarget } from './targets.js'
import { redisAvailable } from '../support/redis.js'

const T0 = Date.UTC(2026, 10, 22, 6, 0, 0)
const text = (b: string | Uint8Array): string => (typeof b === 'string' ? b : Buffer.from(b).toString('utf8'))
/** A stage throttle of one request, refilled only after 100 s. */
const stage = { name: 'prod', methodSettings: { '/pets/GET': { throttlingRateLimit: 0.01, throttlingBurstLimit: 1 } } }

const targets: StoreTarget[] = [memoryTarget]
if (await redisAvailable()) targets.push(await redisTarget('mount'))
afterAll(async () => {
  for (const t of targets) await t.close()
})

/** A definition whose GET /pets runs a handler that counts its calls. */
function petsApi(name: string): { api: ApiDefinition; calls: () => number; integrations: Record<string, () => Promise<unknown>> } {
  let n = 0
  return {
    api: { name, paths: { '/pets': { GET: { integration: { type: 'AWS_PROXY', handler: 'list' } } } } },
    calls: () => n,
    integrations: { list: async () => ({ statusCode: 200, body: `${name}:${++n}` }) },
  }
}

describe.each(targets.map((t) => [t.name, t] as const))('mounted APIs on the %s stores', (_name, target) => {
  it("two gateways on one store share a mounted API's stage throttle and cache entries", async () => {
    const stores = target.make()
    const options = (store: NonNullable<GatewayOptions['store']>): GatewayOptions => ({ clock: new ManualClock(T0), stage, store })
    const t = petsApi('Throttled')
    const one = createGateway(options(stores)).mount(t.api, { integrations: t.integrations })
    const two = createGateway(options(stores.twin())).mount(t.api, { integrations: t.integrations })
    expect((await simulate(one, { url: '/pets' })).response.status).toBe(200)
    const throttled = await simulate(two, { url: '/pets' })
    expect(throttled.response.status).toBe(429)
    expect(text(throttled.response.body)).toBe('{"message":"Too Many Requests"}')

    const c = petsApi('Cached')
    const cachedOne = createGateway({ clock: new ManualClock(T0), store: stores }).mount(c.api, { integrations: c.integrations, caching: true })
    const cachedTwo = createGateway({ clock: new ManualClock(T0), store: stores.twin() }).mount(c.api, { integrations: c.integrations, caching: true })
    expect(text((await simulate(cachedOne, { url: '/pets' })).response.body)).toBe('Cached:1')
    expect(text((await simulate(cachedTwo, { url: '/pets' })).response.body)).toBe('Cached:1')
    expect(c.calls()).toBe(1)
  })

  it('two versions of one API (one name) under /v1 and /v2 keep their own stage buckets and cache entries', async () => {
    const gw = createGateway({ clock: new ManualClock(T0), stage, store: target.make() })
    const v1 = petsApi('Pets v1')
    const v2 = petsApi('Pets v2')
    v2.api.name = 'Pets v1'
    const m1 = gw.mount(v1.api, { integrations: v1.integrations, basePath: '/v1', caching: true })
    const m2 = gw.mount(v2.api, { integrations: v2.integrations, basePath: '/v2', caching: true })
    expect(text((await simulate(m1, { url: '/v1/pets' })).response.body)).toBe('Pets v1:1')
    // neither v1's cached entry nor v1's exhausted bucket
    expect(text((await simulate(m2, { url: '/v2/pets' })).response.body)).toBe('Pets v2:1')
    expect((await simulate(m1, { url: '/v1/pets', headers: { 'cache-control': 'max-age=0' } })).response.status).toBe(429)
  })

  it('two stages of one API have their own entries; a canary on another deployment does not share the stage\'s', async () => {
    const p = petsApi('Staged')
    const api = createApi(p.api, { integrations: p.integrations })
    const first = api.deploy({ stageName: 'prod' })
    api.createStage('beta', { deploymentId: first.id })
    const gw = createGateway({ clock: new ManualClock(T0), store: target.make() })
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

  it('two APIs whose authorizers share a name mount side by side and cache their results apart', async () => {
    const gw = createGateway({ clock: new ManualClock(T0), store: target.make() })
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
