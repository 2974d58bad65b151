/**
 * The shared cache-store and authorizer-result-store suite: memory and Redis behave alike.
 */
import { afterAll, describe, expect, it } from 'vitest'
import type { CacheEntry } from '@sluice/core'
import { memoryTarget, redisTarget, type StoreTarget } from './targets.js'
import { redisAvailable } from '../support/redis.js'

const T0 = Date.UTC(2026, 10, 18, 12, 0, 0)

const targets: StoreTarget[] = [memoryTarget]
if (await redisAvailable()) targets.push(await redisTarget('cache'))
afterAll(async () => {
  for (const t of targets) await t.close()
})

function entry(path: string, body: string | Uint8Array = `{"path":"${path}"}`, resourcePath = path, ttlMs = 60_000): CacheEntry {
  return { response: { status: 200, headers: { 'content-type': 'application/json', etag: '"1"' }, body: typeof body === 'string' ? Buffer.from(body) : body }, storedAt: T0, expiresAt: T0 + ttlMs, path, resourcePath }
}

const bodyText = (e: CacheEntry | undefined): string | undefined => (e === undefined ? undefined : Buffer.from(e.response.body as Uint8Array).toString())

describe.each(targets.map((t) => [t.name, t] as const))('cache store: %s', (_name, target) => {
  it('keeps an entry byte for byte: status, headers, body, times, paths', async () => {
    const { cache, twin } = target.make()
    const binary = new Uint8Array([0, 1, 2, 255, 254, 10, 13])
    await cache.set('k1', entry('/bin', binary, '/bin'))
    const got = await twin().cache.get('k1')
    expect(got?.response.status).toBe(200)
    expect(got?.response.headers).toEqual({ 'content-type': 'application/json', etag: '"1"' })
    expect([...(got?.response.body as Uint8Array)]).toEqual([...binary])
    expect(got).toMatchObject({ storedAt: T0, expiresAt: T0 + 60_000, path: '/bin', resourcePath: '/bin' })
    expect(await cache.get('missing')).toBeUndefined()
  })

  it('replaces and deletes entries', async () => {
    const { cache } = target.make()
    await cache.set('k', entry('/a', 'one'))
    await cache.set('k', entry('/a', 'two'))
    expect(bodyText(await cache.get('k'))).toBe('two')
    await cache.delete('k')
    expect(await cache.get('k')).toBeUndefined()
  })

  it('flushes all, by path or resource prefix, or one exact path, returning how many', async () => {
    const { cache } = target.make()
    await cache.set('1', entry('/pets/1', 'x', '/pets/{id}'))
    await cache.set('2', entry('/pets/2', 'x', '/pets/{id}'))
    await cache.set('3', entry('/pets', 'x', '/pets'))
    await cache.set('4', entry('/toys', 'x', '/toys'))
    expect(await cache.flush({ pathPrefix: '/pets', exact: true })).toBe(1)
    expect(await cache.get('3')).toBeUndefined()
    expect(await cache.flush({ pathPrefix: '/pets/' })).toBe(2)
    expect(await cache.get('1')).toBeUndefined()
    expect(bodyText(await cache.get('4'))).toBe('x')
    expect(await cache.flush()).toBe(1)
    expect(await cache.get('4')).toBeUndefined()
  })

  it('holds at most its byte cap, keeping the newest entry', async () => {
    const { cache } = target.make({ cacheMaxBytes: 4096 })
    const big = 'a'.repeat(1000)
    for (let i = 0; i < 10; i++) await cache.set(`k${i}`, { ...entry(`/p${i}`, big), expiresAt: T0 + 60_000 + i })
    let held = 0
    for (let i = 0; i < 10; i++) if ((await cache.get(`k${i}`)) !== undefined) held++
    expect(held).toBeGreaterThan(0)
    expect(held).toBeLessThanOrEqual(4)
    expect(bodyText(await cache.get('k9'))).toBe(big)
  })
})

describe.each(targets.map((t) => [t.name, t] as const))('authorizer-result store: %s', (_name, target) => {
  it('keeps, deletes and clears results', async () => {
    const { authorizer, twin } = target.make()
    const result = { principalId: 'user-1', context: { tier: 'gold', n: 1 }, policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: '*' }] }, expiresAt: T0 + 300_000 }
    await authorizer.set('a1', result as never, 300_000)
    await authorizer.set('a2', { principalId: 'user-2', expiresAt: T0 + 300_000 }, 300_000)
    expect(await twin().authorizer.get('a1')).toEqual(result)
    await authorizer.delete('a1')
    expect(await authorizer.get('a1')).toBeUndefined()
    expect((await authorizer.get('a2'))?.principalId).toBe('user-2')
    await authorizer.clear()
    expect(await authorizer.get('a2')).toBeUndefined()
  })
})
