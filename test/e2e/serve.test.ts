/**
 * `sluice serve` end to end: the built command serves the example pet store over loopback and is
 * called with a real HTTP client (fetch): routes, a Lambda-style handler, MOCK, the API key, the
 * usage plan's burst, then a clean exit on SIGTERM and SIGINT.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { csvKeyId } from '@sluice/cli'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { e2eConfig, EXAMPLES, runCli, startServe, type ServeProcess } from './cli.js'

const FREE = 'demoFreeKeyNotASecret0000000001'
const GOLD = 'demoGoldKeyNotASecret0000000002'
const DISABLED = 'demoOffKeyNotASecret00000000003'

const CONFIG = e2eConfig()

describe('sluice serve (built CLI, loopback HTTP)', () => {
  let dir: string
  let server: ServeProcess
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-e2e-'))
    writeFileSync(join(dir, 'sluice.yaml'), CONFIG)
    server = await startServe([join(EXAMPLES, 'petstore.yaml'), '--handlers', join(EXAMPLES, 'handlers.mjs'), '--config', join(dir, 'sluice.yaml'), '--keys', join(EXAMPLES, 'keys.csv'), '--port', '0'])
  })
  afterAll(async () => {
    if (server.child.exitCode === null) await server.stop('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  })

  it('prints the listening URL with the actual port, and the routes', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(server.url).not.toMatch(/:0$/)
    expect(server.stdout()).toContain(`  GET     ${server.url}/pets/{petId}  AWS_PROXY (API key)\n`)
    expect(server.stderr()).toBe('')
  })

  it('runs a Lambda-style handler with the proxy event', async () => {
    const res = await fetch(`${server.url}/pets?type=cat`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/)
    expect(await res.json()).toEqual([{ id: '2', type: 'cat', name: 'Tom' }])
  })

  it('answers a MOCK integration from its templates', async () => {
    const res = await fetch(`${server.url}/health`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'ok', stage: 'prod' })
  })

  it('refuses an API key–required method without a key, with a disabled key and with an unknown key (403)', async () => {
    for (const headers of [{}, { 'x-api-key': DISABLED }, { 'x-api-key': 'unknownKeyNotASecret00000000' }] as Array<Record<string, string>>) {
      const res = await fetch(`${server.url}/pets/1`, { headers })
      expect(res.status).toBe(403)
      expect(await res.text()).toBe('{"message":"Forbidden"}')
    }
  })

  it('passes a gold key, with its key id in the event', async () => {
    const res = await fetch(`${server.url}/pets`, { method: 'POST', headers: { 'x-api-key': GOLD, 'content-type': 'application/json' }, body: '{"name":"Ada","type":"cat"}' })
    expect(res.status).toBe(201)
    expect(await res.json()).toEqual({ id: '3', name: 'Ada', type: 'cat', createdBy: csvKeyId(GOLD) })
  })

  it("throttles the free key after its plan's burst (429)", async () => {
    const statuses: number[] = []
    for (let i = 0; i < 3; i++) statuses.push((await fetch(`${server.url}/pets/1`, { headers: { 'x-api-key': FREE } })).status)
    expect(statuses).toEqual([200, 200, 429])
    const res = await fetch(`${server.url}/pets/1`, { headers: { 'x-api-key': FREE } })
    expect(res.status).toBe(429)
    expect(await res.text()).toBe('{"message":"Too Many Requests"}')
    // the gold key has its own bucket
    expect((await fetch(`${server.url}/pets/1`, { headers: { 'x-api-key': GOLD } })).status).toBe(200)
  })

  it('answers an unknown route as API Gateway does (403 Missing Authentication Token)', async () => {
    const res = await fetch(`${server.url}/owners`)
    expect(res.status).toBe(403)
    expect(res.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException')
    expect(await res.text()).toBe('{"message":"Missing Authentication Token"}')
  })

  it('keeps prototype-named query keys and paths harmless', async () => {
    const res = await fetch(`${server.url}/pets?__proto__=x&constructor=y&type=dog`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual([{ id: '1', type: 'dog', name: 'Rex' }])
    expect((await fetch(`${server.url}/pets/__proto__`, { headers: { 'x-api-key': GOLD } })).status).toBe(404)
  })

  it('closes cleanly on SIGTERM: exit code 0, the port released', async () => {
    const result = await server.stop('SIGTERM')
    expect(result).toEqual({ code: 0, signal: null })
    expect(server.stdout()).toContain('sluice: stopped\n')
    expect(server.stderr()).toBe('')
    await expect(fetch(`${server.url}/health`)).rejects.toThrow()
  })
})

describe('sluice serve: SIGINT and bad input', () => {
  it('closes cleanly on SIGINT (Ctrl-C)', async () => {
    const s = await startServe([join(EXAMPLES, 'petstore.yaml'), '--handlers', join(EXAMPLES, 'handlers.mjs'), '--port', '0'])
    expect((await fetch(`${s.url}/health`)).status).toBe(200)
    expect(await s.stop('SIGINT')).toEqual({ code: 0, signal: null })
  })

  it.skipIf(process.platform === 'win32')('re-reads the API file on SIGHUP (no SIGHUP on Windows)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-e2e-'))
    const api = join(dir, 'petstore.yaml')
    writeFileSync(api, readFileSync(join(EXAMPLES, 'petstore.yaml'), 'utf8'))
    const s = await startServe([api, '--handlers', join(EXAMPLES, 'handlers.mjs'), '--port', '0'])
    try {
      expect(await (await fetch(`${s.url}/health`)).json()).toEqual({ status: 'ok', stage: 'prod' })
      writeFileSync(api, readFileSync(api, 'utf8').replace('"status": "ok"', '"status": "reloaded"'))
      const reloaded = s.waitForOutput(/sluice: reloaded .*\n/)
      s.child.kill('SIGHUP')
      expect(await reloaded).toMatch(/^sluice: reloaded .*petstore\.yaml \(deployment d00002, 4 routes\)\n$/)
      expect(await (await fetch(`${s.url}/health`)).json()).toEqual({ status: 'reloaded', stage: 'prod' })
    } finally {
      expect(await s.stop('SIGTERM')).toEqual({ code: 0, signal: null })
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('exits 2 with a one-line reason for a bad config file, no stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-e2e-'))
    try {
      writeFileSync(join(dir, 'bad.yaml'), 'usagePlans:\n  - id: free\n    throttle: { rateLimit: 1 }\n')
      const r = await runCli(['serve', join(EXAMPLES, 'petstore.yaml'), '--handlers', join(EXAMPLES, 'handlers.mjs'), '--config', join(dir, 'bad.yaml'), '--port', '0'])
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(/^sluice: .*bad\.yaml: usagePlans\[0\]\.throttle\.burstLimit: must be an integer/)
      expect(r.stderr).not.toMatch(/\n\s+at /)
      expect(r.stdout).toBe('')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('prints its version and help from the built entry', async () => {
    expect(await runCli(['--version'])).toEqual({ code: 0, stdout: '0.1.0\n', stderr: '' })
    const help = await runCli(['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('Usage: sluice <command> [options]')
  })
})
