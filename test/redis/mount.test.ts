/**
 * A mounted API on the Redis stores: its stage throttles and cache entries live in Redis, so two
 * gateways (two processes) on one Redis share them; two APIs on one gateway keep their own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createGateway, type ApiDefinition, type GatewayOptions } from '@sluice/core'
import { ManualClock, simulate } from '@sluice/core/testing'
import { redisStore, type RedisStores } from '@sluice/redis'
import type { Redis } from 'ioredis'
import { cleanPrefix, ready, redisAvailable, testClient, testPrefix } from '../support/redis.js'

const T0 = Date.UTC(2026, 10, 22, 6, 0, 0)
const text = (b: string | Uint8Array): string => (typeof b === 'string' ? b : Buffer.from(b).toString('utf8'))

function petsApi(name: string): { api: ApiDefinition; calls: () => number; integrations: Record<string, () => Promise<unknown>> } {
  let n = 0
  return {
    api: { name, paths: { '/pets': { GET: { integration: { type: 'AWS_PROXY', handler: 'list' } } } } },
    calls: () => n,
    integrations: { list: async () => ({ statusCode: 200, body: `${name}:${++n}` }) },
  }
}

if (await redisAvailable()) {
  describe('mounted APIs on Redis', () => {
    const clients: Redis[] = []
    const stores: RedisStores[] = []
    const prefix = testPrefix('mount')
    /** A store of its own client, as a second process would have. */
    const newProcess = async (): Promise<RedisStores> => {
      const client = testClient()
      clients.push(client)
      await ready(client)
      const s = redisStore(client, { prefix, commandTimeoutMs: 10_000, onStoreError: 'closed' })
      stores.push(s)
      return s
    }
    beforeAll(async () => {
      clients.push(testClient())
      await ready(clients[0] as Redis)
    })
    afterAll(async () => {
      for (const s of stores) await s.close()
      await cleanPrefix(clients[0] as Redis, prefix)
      for (const c of clients) c.disconnect()
    })

    it('two processes share a mounted API\'s stage throttle and cache entries through Redis', async () => {
      const settings = { name: 'prod', methodSettings: { '/pets/GET': { throttlingRateLimit: 0.01, throttlingBurstLimit: 1 } } }
      const gateway = async (): Promise<GatewayOptions> => ({ clock: new ManualClock(T0), stage: settings, store: await newProcess() })
      const t = petsApi('Throttled')
      const one = createGateway(await gateway()).mount(t.api, { integrations: t.integrations })
      const two = createGateway(await gateway()).mount(t.api, { integrations: t.integrations })
      expect((await simulate(one, { url: '/pets' })).response.status).toBe(200)
      expect((await simulate(two, { url: '/pets' })).response.status).toBe(429)
      const keys = await (clients[0] as Redis).keys(`${prefix}*`)
      expect(keys.length).toBeGreaterThan(0)

      const c = petsApi('Cached')
      const cachedOne = createGateway({ clock: new ManualClock(T0), store: await newProcess() }).mount(c.api, { integrations: c.integrations, caching: true })
      const cachedTwo = createGateway({ clock: new ManualClock(T0), store: await newProcess() }).mount(c.api, { integrations: c.integrations, caching: true })
      expect(text((await simulate(cachedOne, { url: '/pets' })).response.body)).toBe('Cached:1')
      expect(text((await simulate(cachedTwo, { url: '/pets' })).response.body)).toBe('Cached:1')
      expect(c.calls()).toBe(1)
    })

    it('two APIs on one gateway keep their own buckets and entries in Redis', async () => {
      const gw = createGateway({ clock: new ManualClock(T0), store: await newProcess(), stage: { name: 'prod', methodSettings: { '/pets/GET': { throttlingRateLimit: 0.01, throttlingBurstLimit: 1 } } } })
      const v1 = petsApi('Redis v1')
      const v2 = petsApi('Redis v2')
      const m1 = gw.mount(v1.api, { integrations: v1.integrations, basePath: '/v1', caching: true })
      const m2 = gw.mount(v2.api, { integrations: v2.integrations, basePath: '/v2', caching: true })
      expect(text((await simulate(m1, { url: '/v1/pets' })).response.body)).toBe('Redis v1:1')
      expect(text((await simulate(m2, { url: '/v2/pets' })).response.body)).toBe('Redis v2:1')
      expect((await simulate(m1, { url: '/v1/pets', headers: { 'cache-control': 'max-age=0' } })).response.status).toBe(429)
    })
  })
}
