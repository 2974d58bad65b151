import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isSluiceConfigError } from '@sluice/core'
import { describe, expect, it } from 'vitest'
import { CONFIG_KEYS, gatewayOptions, loadConfig, parsePort, validateConfig } from './config.js'
import { parseData } from './files.js'
import { createServer } from './server.js'
import { loadApi } from './load-api.js'
import { loadHandlers } from './handlers.js'
import { loadKeysCsv } from './keys.js'

const examples = join(dirname(fileURLToPath(import.meta.url)), '../../../docs/examples/api')

function error(f: () => unknown): { code: string; option: string; message: string } {
  try {
    f()
  } catch (e) {
    if (isSluiceConfigError(e)) return e
    throw e
  }
  throw new Error('did not throw')
}

describe('validateConfig', () => {
  it('accepts an empty file and every documented key', () => {
    expect(validateConfig(null)).toEqual({})
    expect(validateConfig({ stage: { name: 'prod' }, apiKeys: [], usagePlans: [], basePath: '/v1', caching: true, unmatched: 'next', port: 0, host: '::1', trustProxy: ['10.0.0.0/8'], accountThrottle: false, redis: { url: 'redis://x' } })).toMatchObject({ basePath: '/v1' })
    expect(CONFIG_KEYS).toContain('usagePlans')
  })

  it('refuses an unknown key, naming the file, the key and a close known key', () => {
    const e = error(() => validateConfig({ usagePlan: [] }, 'sluice.yaml'))
    expect(e.code).toBe('ERR_INVALID_OPTION')
    expect(e.option).toBe('sluice.yaml: usagePlan')
    expect(e.message).toContain('did you mean usagePlans?')
    expect(error(() => validateConfig({ apikeys: [] })).message).toContain('did you mean apiKeys?')
    expect(error(() => validateConfig({ zzz: 1 })).message).not.toContain('did you mean')
  })

  it('refuses __proto__ and constructor as keys, without polluting anything', () => {
    const data = parseData('__proto__: { polluted: true }\nconstructor: 1\n', 'x.yaml')
    expect(error(() => validateConfig(data)).option).toMatch(/: (__proto__|constructor)$/)
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
  })

  it('checks the kinds of the values the CLI reads', () => {
    expect(error(() => validateConfig([])).option).toBe('config')
    expect(error(() => validateConfig({ stage: 'prod' })).option).toBe('config: stage')
    expect(error(() => validateConfig({ apiKeys: {} })).option).toBe('config: apiKeys')
    expect(error(() => validateConfig({ caching: 'yes' })).option).toBe('config: caching')
    expect(error(() => validateConfig({ unmatched: 'skip' })).option).toBe('config: unmatched')
    expect(error(() => validateConfig({ port: 70000 })).option).toBe('config: port')
    expect(error(() => validateConfig({ trustProxy: true })).option).toBe('config: trustProxy')
    expect(error(() => validateConfig({ accountThrottle: 5 })).option).toBe('config: accountThrottle')
    expect(error(() => validateConfig({ redis: { url: 5 } })).option).toBe('config: redis.url')
  })
})

describe('parsePort', () => {
  it('takes 0 to 65535, as numbers or digits', () => {
    expect(parsePort('0', '--port')).toBe(0)
    expect(parsePort(8080, 'port')).toBe(8080)
    for (const bad of ['-1', '65536', '80a', '', 1.5, null]) expect(() => parsePort(bad, '--port')).toThrow(/--port/)
  })
})

describe('gatewayOptions', () => {
  it('merges the stage name override and the CSV keys after the config keys', () => {
    const options = gatewayOptions({ stage: { name: 'prod', variables: { a: 'b' } }, apiKeys: [{ id: 'c', value: 'x'.repeat(20) }] }, { stage: 'beta', apiKeys: [{ id: 'k', value: 'y'.repeat(20) }] })
    expect(options.stage).toEqual({ name: 'beta', variables: { a: 'b' } })
    expect(options.apiKeys?.map((k) => k.id)).toEqual(['c', 'k'])
    expect(gatewayOptions({}, {}).stage).toEqual({ name: 'prod' })
  })

  it("lets the gateway name a bad value's option, prefixed with the file", () => {
    const config = validateConfig({ usagePlans: [{ id: 'free', throttle: { rateLimit: -1, burstLimit: 1 } }] })
    expect(() => createServer({ definition: { paths: { '/a': { GET: { integration: { type: 'MOCK' } } } } }, config, sources: { config: 'sluice.yaml' } })).toThrow(/^sluice.yaml: usagePlans\[0\]\.throttle\.rateLimit: .*ERR_INVALID_THROTTLE/)
  })
})

describe('the example config', () => {
  it('loads, and serves the example API with the example handlers and keys', async () => {
    const config = await loadConfig(join(examples, 'sluice.yaml'))
    expect(config.usagePlans?.map((p) => p.id)).toEqual(['free', 'gold'])
    const server = createServer({
      definition: (await loadApi(join(examples, 'petstore.yaml'))).definition,
      integrations: await loadHandlers(join(examples, 'handlers.mjs')),
      config,
      apiKeys: await loadKeysCsv(join(examples, 'keys.csv')),
    })
    expect(server.stage).toBe('prod')
    expect(server.routes.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /pets', 'POST /pets', 'GET /pets/{petId}', 'GET /health'])
    expect(server.gateway.apiKeys.list()).toHaveLength(3)
    await server.close()
  })

  it('keeps its demo keys clearly fake', () => {
    const csv = readFileSync(join(examples, 'keys.csv'), 'utf8')
    for (const line of csv.trim().split('\n').slice(1)) expect(line).toMatch(/NotASecret/)
  })
})
