/**
 * `sluice serve --redis` end to end: the built command keeps throttle, quota and usage state in
 * Redis, so a restarted server (or a second one) sees the same limits, and `sluice usage` reads
 * what it counted. Skipped with a visible reason only when Redis is unreachable and REQUIRE_REDIS
 * is not set; with REQUIRE_REDIS=1 an unreachable Redis fails the suite.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { csvKeyId } from '@sluice/cli'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cleanPrefix, REDIS_URL, redisAvailable, testClient, testPrefix } from '../support/redis.js'
import { e2eConfig, EXAMPLES, runCli, startServe, type ServeProcess } from './cli.js'

const FREE = 'demoFreeKeyNotASecret0000000001'
const GOLD = 'demoGoldKeyNotASecret0000000002'

describe('sluice serve --redis (built CLI, loopback HTTP, real Redis)', async () => {
  if (!(await redisAvailable())) return
  const prefix = testPrefix('cli-serve')
  const client = testClient()
  let dir: string
  let config: string
  let server: ServeProcess | undefined
  const args = (): string[] => [join(EXAMPLES, 'petstore.yaml'), '--handlers', join(EXAMPLES, 'handlers.mjs'), '--config', config, '--keys', join(EXAMPLES, 'keys.csv'), '--redis', REDIS_URL, '--port', '0']

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-e2e-redis-'))
    config = join(dir, 'sluice.yaml')
    writeFileSync(config, e2eConfig(`redis:\n  prefix: '${prefix}'\n  onStoreError: closed\n`))
  })
  afterAll(async () => {
    if (server !== undefined && server.child.exitCode === null) await server.stop('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
    await cleanPrefix(client, prefix)
    client.disconnect()
  })

  it('serves the pet store with its state in Redis', async () => {
    server = await startServe(args())
    expect(server.stdout()).toContain(`state: ${REDIS_URL.replace(/\/$/, '')}`)
    expect(await (await fetch(`${server.url}/health`)).json()).toEqual({ status: 'ok', stage: 'prod' })
    expect((await fetch(`${server.url}/pets/1`)).status).toBe(403)
    const statuses: number[] = []
    for (let i = 0; i < 3; i++) statuses.push((await fetch(`${server.url}/pets/1`, { headers: { 'x-api-key': FREE } })).status)
    expect(statuses).toEqual([200, 200, 429])
    expect((await fetch(`${server.url}/pets/1`, { headers: { 'x-api-key': GOLD } })).status).toBe(200)
    expect((await client.keys(`${prefix}*`)).length).toBeGreaterThan(0)
  })

  it('closes cleanly on SIGTERM (the Redis connection too)', async () => {
    expect(await server?.stop('SIGTERM')).toEqual({ code: 0, signal: null })
    expect(server?.stderr()).toBe('')
  })

  it('keeps the limits across a restart: the free key is still throttled', async () => {
    server = await startServe(args())
    const res = await fetch(`${server.url}/pets/1`, { headers: { 'x-api-key': FREE } })
    expect(res.status).toBe(429)
    expect((await fetch(`${server.url}/pets/2`, { headers: { 'x-api-key': GOLD } })).status).toBe(200)
    expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null })
  })

  it('sluice usage reads what the servers counted (JSON and text)', async () => {
    const today = new Date().toISOString().slice(0, 10)
    const base = ['usage', '--config', config, '--keys', join(EXAMPLES, 'keys.csv'), '--redis', REDIS_URL]
    const json = await runCli([...base, '--plan', 'free', '--json'])
    expect(json.stderr).toBe('')
    expect(json.code).toBe(0)
    const usage = JSON.parse(json.stdout) as { usagePlanId: string; items: Record<string, Array<[number, number | null]>> }
    expect(usage.usagePlanId).toBe('free')
    // 2 admitted; the 429s are not counted. (The disabled demo key is in the plan too.)
    expect(usage.items[csvKeyId(FREE)]).toEqual([[2, 98]])
    expect(usage.items[csvKeyId('demoOffKeyNotASecret00000000003')]).toEqual([[0, 100]])
    const gold = await runCli([...base, '--plan', 'gold', '--key', 'gold-demo', '--start', today, '--end', today])
    expect(gold.code).toBe(0)
    expect(gold.stdout).toBe(`usage plan gold, ${today} to ${today} (UTC): 1 API key\n  ${csvKeyId(GOLD)} (gold-demo)\n    ${today}  used 2\n`)
  })

  it('exits 1 when the port is taken, closing its Redis connection (no hang)', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    try {
      const port = String((blocker.address() as { port: number }).port)
      const r = await runCli(['serve', ...args().slice(0, -1), port])
      expect(r.code).toBe(1)
      expect(r.stderr).toBe(`sluice: cannot listen on 127.0.0.1:${port}: the port is in use (choose another with --port, or 0 for any free port)\n`)
    } finally {
      blocker.close()
    }
  })

  it('sluice usage names an unknown plan or key (exit 2)', async () => {
    const base = ['usage', '--config', config, '--keys', join(EXAMPLES, 'keys.csv'), '--redis', REDIS_URL]
    const plan = await runCli([...base, '--plan', 'platinum'])
    expect(plan.code).toBe(2)
    expect(plan.stderr).toContain('has no usage plan "platinum" (free, gold)')
    const key = await runCli([...base, '--plan', 'free', '--key', 'nobody'])
    expect(key.code).toBe(2)
    expect(key.stderr).toContain('no API key has the id or name "nobody"')
  })
})
