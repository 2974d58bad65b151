import { describe, expect, it } from 'vitest'
import { parseCommand } from './args.js'
import { LINT, SERVE, USAGE } from './help.js'
import { UsageError } from './io.js'

describe('parseCommand', () => {
  it('reads flags and positionals of serve', () => {
    const { values, positionals } = parseCommand(SERVE, ['api.yaml', '--port', '0', '--stage', 'beta', '--base-path', '/v1', '-c', 's.yaml'])
    expect(positionals).toEqual(['api.yaml'])
    expect(values).toMatchObject({ port: '0', stage: 'beta', 'base-path': '/v1', config: 's.yaml' })
  })

  it('refuses an unknown flag with a usage error (no stack trace for bad input)', () => {
    const e = (() => {
      try {
        parseCommand(SERVE, ['api.yaml', '--prot', '1'])
      } catch (error) {
        return error
      }
      return undefined
    })()
    expect(e).toBeInstanceOf(UsageError)
    expect((e as UsageError).message).toContain("'--prot'")
    expect((e as UsageError).showUsage).toBe(true)
  })

  it('refuses a flag without its value, a missing argument and an extra one', () => {
    expect(() => parseCommand(SERVE, ['api.yaml', '--port'])).toThrow(UsageError)
    expect(() => parseCommand(SERVE, [])).toThrow(/serve: missing argument/)
    expect(() => parseCommand(LINT, ['a.yaml', 'b.yaml'])).toThrow(/unexpected argument "b.yaml"/)
    expect(() => parseCommand(USAGE, ['x'])).toThrow(/unexpected argument "x"/)
  })

  it('lets --help through without the required arguments', () => {
    expect(parseCommand(SERVE, ['--help']).values['help']).toBe(true)
    expect(parseCommand(LINT, ['-h']).values['help']).toBe(true)
  })

  it('takes boolean flags without values', () => {
    expect(parseCommand(LINT, ['a.yaml', '--json']).values['json']).toBe(true)
    expect(() => parseCommand(LINT, ['a.yaml', '--json=yes'])).toThrow(UsageError)
  })
})

describe('rewrites', () => {
  it('turns repeated --rewrite-uri FROM=TO into a map over the config one', async () => {
    const { rewrites } = await import('./args.js')
    const { values } = parseCommand(SERVE, ['a.yaml', '--rewrite-uri', 'http://a=http://127.0.0.1:1', '--rewrite-uri', 'http://b/x=http://127.0.0.1:2/y?q=1'])
    expect({ ...rewrites(values, { 'http://c': 'http://d', 'http://a': 'old' }) }).toEqual({ 'http://c': 'http://d', 'http://a': 'http://127.0.0.1:1', 'http://b/x': 'http://127.0.0.1:2/y?q=1' })
    expect(rewrites(parseCommand(SERVE, ['a.yaml']).values)).toBeUndefined()
    for (const bad of ['nothing', '=http://x', 'http://x=']) expect(() => rewrites(parseCommand(SERVE, ['a.yaml', '--rewrite-uri', bad]).values)).toThrow(/--rewrite-uri must be FROM=TO/)
  })
})
