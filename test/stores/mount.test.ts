/**
 * A mounted API keeps its state in the gateway's stores (`store.throttle`, `store.cache`), passed
 * explicitly: two gateways on one store (two processes, for Redis) share a mounted API's stage
 * throttle buckets and cache entries, and two APIs on one gateway keep theirs apart — on the memory
 * stores and on Redis alike.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { createGateway, type ApiDefinition, type GatewayOptions } from '@sluice/core'
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

  it('two APIs on one gateway keep their own stage buckets and cache entries', async () => {
    const gw = createGateway({ clock: new ManualClock(T0), stage, store: target.make() })
    const v1 = petsApi('Pets v1')
    const v2 = petsApi('Pets v2')
    const m1 = gw.mount(v1.api, { integrations: v1.integrations, basePath: '/v1', caching: true })
    const m2 = gw.mount(v2.api, { integrations: v2.integrations, basePath: '/v2', caching: true })
    expect(text((await simulate(m1, { url: '/v1/pets' })).response.body)).toBe('Pets v1:1')
    // neither v1's cached entry nor v1's exhausted bucket
    expect(text((await simulate(m2, { url: '/v2/pets' })).response.body)).toBe('Pets v2:1')
    expect((await simulate(m1, { url: '/v1/pets', headers: { 'cache-control': 'max-age=0' } })).response.status).toBe(429)
  })
})
