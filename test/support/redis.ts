/**
 * Redis for tests: the server at `REDIS_URL` (default redis://127.0.0.1:6379). When it cannot be
 * reached, Redis tests are skipped with the reason in their title — or fail, when
 * `REQUIRE_REDIS=1` (CI). Each test file uses its own key prefix and deletes only its own keys.
 */
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { it } from 'vitest'

export const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379'
export const REQUIRE_REDIS = process.env['REQUIRE_REDIS'] === '1'

/** Test client options: no offline queue, no resend, quick reconnects. */
export const CLIENT_OPTIONS = {
  enableOfflineQueue: false,
  autoResendUnfulfilledCommands: false,
  maxRetriesPerRequest: 0,
  connectTimeout: 1_000,
  retryStrategy: (times: number): number => Math.min(50 * times, 200),
} as const

/** Resolves whether Redis answers `PING` within a second, and why not. */
export async function probeRedis(url = REDIS_URL): Promise<{ ok: boolean; reason: string }> {
  const client = new Redis(url, { ...CLIENT_OPTIONS, lazyConnect: true, retryStrategy: () => null })
  client.on('error', () => undefined)
  try {
    await Promise.race([client.connect().then(() => client.ping()), new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 1 s')), 1000).unref())])
    return { ok: true, reason: '' }
  } catch (e) {
    return { ok: false, reason: `Redis at ${url} is unreachable (${e instanceof Error ? e.message : String(e)})` }
  } finally {
    client.disconnect()
  }
}

/**
 * Whether this file's Redis tests run. When Redis is unreachable: adds one test that fails under
 * `REQUIRE_REDIS=1`, or one skipped test whose title says why.
 */
export async function redisAvailable(): Promise<boolean> {
  const { ok, reason } = await probeRedis()
  if (ok) return true
  if (REQUIRE_REDIS) {
    it('Redis is reachable (REQUIRE_REDIS=1)', () => {
      throw new Error(reason)
    })
  } else {
    // skipped only off CI: Redis is unreachable here; the title says why, and REQUIRE_REDIS=1 (CI) turns this into a failure
    it.skip(`Redis tests skipped: ${reason} (set REQUIRE_REDIS=1 to make this a failure)`, () => undefined)
    console.warn(`[sluice] Redis tests skipped: ${reason}`)
  }
  return false
}

/** A key prefix of this test run's own. */
export function testPrefix(name: string): string {
  return `sluice-test:redis:${name}:${randomBytes(4).toString('hex')}:`
}

/** A client on `REDIS_URL` with the test options. */
export function testClient(url = REDIS_URL): Redis {
  const client = new Redis(url, CLIENT_OPTIONS)
  client.on('error', () => undefined)
  return client
}

/** Deletes every key under `prefix` (and only those). */
export async function cleanPrefix(client: Redis, prefix: string): Promise<void> {
  const pattern = `${prefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`)}*`
  let cursor = '0'
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000)
    cursor = next
    if (keys.length > 0) await client.del(...keys)
  } while (cursor !== '0')
}

/** Resolves when the client is ready. */
export function ready(client: Redis): Promise<void> {
  if (client.status === 'ready') return Promise.resolve()
  return new Promise((resolve) => client.once('ready', () => resolve()))
}

/**
 * Whether `redis-server` can be started by tests that run their own (outages, Cluster). When it
 * cannot: one failing test under `REQUIRE_REDIS=1`, else one skipped test saying why.
 */
export async function redisServerAvailable(): Promise<boolean> {
  const { execFileSync } = await import('node:child_process')
  let reason = ''
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore', timeout: 5_000 })
    return true
  } catch (e) {
    reason = `redis-server cannot be started (${e instanceof Error ? e.message : String(e)})`
  }
  if (REQUIRE_REDIS) {
    it('redis-server can be started (REQUIRE_REDIS=1)', () => {
      throw new Error(reason)
    })
  } else {
    // skipped only off CI: no redis-server binary here; the title says why, and REQUIRE_REDIS=1 (CI) turns this into a failure
    it.skip(`tests with their own redis-server skipped: ${reason} (set REQUIRE_REDIS=1 to make this a failure)`, () => undefined)
    console.warn(`[sluice] ${reason}`)
  }
  return false
}
