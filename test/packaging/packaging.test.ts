/**
 * The built packages load as ESM and as CommonJS in a plain Node process (no test-time source
 * condition), with their public entry points and type declarations in place. Needs `pnpm run build`.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const testDir = join(root, 'test')

const ENTRIES: Array<[string, string[]]> = [
  ['@sluice/core', ['createGateway', 'GatewayError', 'parseApiKeysCsv', 'memoryThrottleStore']],
  ['@sluice/core/node', ['nodeRequest', 'writeNodeResponse']],
  ['@sluice/core/testing', ['simulate', 'ManualClock', 'createRequest']],
  ['@sluice/express', ['gateway']],
  ['@sluice/koa', ['gateway']],
  ['@sluice/fastify', ['gateway']],
  ['@sluice/hono', ['gateway']],
  ['@sluice/redis', ['redisStore', 'RECOMMENDED_CLIENT_OPTIONS', 'RedisThrottleStore']],
  ['@sluice/cli', ['run', 'createServer', 'loadApi', 'validateConfig']],
]

function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: testDir, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } })
}

describe('packaging', () => {
  for (const [name, exported] of ENTRIES) {
    it(`${name} loads as ESM and CommonJS with its exports`, () => {
      const esm = node(['--input-type=module', '-e', `const m = await import(${JSON.stringify(name)}); console.log(JSON.stringify(Object.keys(m)))`])
      const cjs = node(['-e', `console.log(JSON.stringify(Object.keys(require(${JSON.stringify(name)}))))`])
      for (const e of exported) {
        expect(JSON.parse(esm), `ESM ${name}`).toContain(e)
        expect(JSON.parse(cjs), `CJS ${name}`).toContain(e)
      }
    })
  }

  it('every package ships ESM and CJS declarations for each entry point', () => {
    for (const pkg of ['core', 'express', 'koa', 'fastify', 'hono', 'redis', 'cli']) {
      const manifest = JSON.parse(readFileSync(join(root, 'packages', pkg, 'package.json'), 'utf8')) as { exports: Record<string, Record<string, { types: string; default: string } | string>> }
      for (const [entry, conditions] of Object.entries(manifest.exports)) {
        if (entry === './package.json') continue
        for (const kind of ['import', 'require'] as const) {
          const target = conditions[kind] as { types: string; default: string }
          expect(existsSync(join(root, 'packages', pkg, target.types)), `${pkg} ${entry} ${kind} types`).toBe(true)
          expect(existsSync(join(root, 'packages', pkg, target.default)), `${pkg} ${entry} ${kind} code`).toBe(true)
        }
      }
    }
  })

  it("@sluice/cli's bin is an executable script (a shebang) that runs", () => {
    const manifest = JSON.parse(readFileSync(join(root, 'packages/cli/package.json'), 'utf8')) as { bin: Record<string, string> }
    const bin = join(root, 'packages/cli', manifest.bin['sluice'] as string)
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true)
    expect(node([bin, '--version']).trim()).toMatch(/^\d+\.\d+\.\d+$/)
  })

  it('the adapters declare their framework as a peer dependency only', () => {
    for (const [pkg, framework] of [['express', 'express'], ['koa', 'koa'], ['fastify', 'fastify'], ['hono', 'hono']]) {
      const manifest = JSON.parse(readFileSync(join(root, 'packages', pkg as string, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>
      expect(manifest['peerDependencies']?.[framework as string], pkg).toBeDefined()
      expect(manifest['dependencies']?.[framework as string], pkg).toBeUndefined()
    }
  })
})
