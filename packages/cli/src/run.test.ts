import { readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { run, VERSION } from './run.js'
import { captureIo, tempFilesPerTest } from './test-io.js'

const here = dirname(fileURLToPath(import.meta.url))
const files = tempFilesPerTest()

describe('sluice (help, version, unknown commands)', () => {
  it('prints the commands for --help and exits 0; with no command, exits 2', async () => {
    const io = captureIo()
    expect(await run(['--help'], io)).toBe(0)
    for (const c of ['serve', 'lint', 'keys import', 'usage', 'render-template']) expect(io.text().out).toContain(`  ${c}`)
    expect(await run([], captureIo())).toBe(2)
  })

  it('prints each command help, by --help and by sluice help <command>', async () => {
    for (const argv of [['serve', '--help'], ['help', 'serve'], ['serve', '-h']]) {
      const io = captureIo()
      expect(await run(argv, io)).toBe(0)
      expect(io.text().out).toContain('Usage: sluice serve <api.yaml|api.json>')
      expect(io.text().out).toContain('--redis URL')
    }
    const keys = captureIo()
    expect(await run(['keys', 'import', '--help'], keys)).toBe(0)
    expect(keys.text().out).toContain('sluice keys import <keys.csv>')
  })

  it('prints the version of package.json', async () => {
    const io = captureIo()
    expect(await run(['--version'], io)).toBe(0)
    const pkg = JSON.parse(readFileSync(join(here, '../package.json'), 'utf8')) as { version: string }
    expect(io.text().out).toBe(`${pkg.version}\n`)
    expect(VERSION).toBe(pkg.version)
  })

  it('exits 2 with a message, not a stack trace, for an unknown command, subcommand or flag', async () => {
    for (const argv of [['srve'], ['keys', 'export'], ['lint', 'x.yaml', '--nope']]) {
      const io = captureIo()
      expect(await run(argv, io)).toBe(2)
      expect(io.text().err).toMatch(/^sluice: /)
      expect(io.text().err).not.toMatch(/\n\s+at /)
    }
  })

  it('exits 2 naming the file when an input file is missing', async () => {
    const io = captureIo()
    expect(await run(['lint', '/nonexistent/api.yaml'], io)).toBe(2)
    expect(io.text().err).toBe('sluice: cannot read API file /nonexistent/api.yaml: no such file\n')
  })
})

const NATIVE_OK = `paths:
  /pets:
    GET:
      integration: { type: MOCK, requestTemplates: { application/json: '{"statusCode": 200}' } }
`

describe('sluice lint', () => {
  it('passes a valid native definition (exit 0)', async () => {
    const t = files({ 'api.yaml': NATIVE_OK })
    const io = captureIo({ cwd: t.dir })
    expect(await run(['lint', 'api.yaml'], io)).toBe(0)
    expect(io.text().out).toBe('api.yaml: no problems\n')
  })

  it('reports a bad native definition at its JSON pointer (exit 1), as text and as JSON', async () => {
    const t = files({ 'api.yaml': 'paths:\n  /pets:\n    GET:\n      integration: { type: HTTP_PROXY }\n' })
    const io = captureIo({ cwd: t.dir })
    expect(await run(['lint', 'api.yaml'], io)).toBe(1)
    expect(io.text().out).toMatch(/^api.yaml: error {3}\/paths\/~1pets\/GET\/integration\/uri {2}/)
    expect(io.text().out).toContain('api.yaml: 1 error, 0 warnings\n')
    const json = captureIo({ cwd: t.dir })
    expect(await run(['lint', 'api.yaml', '--json'], json)).toBe(1)
    const report = JSON.parse(json.text().out) as { format: string; diagnostics: Array<{ pointer: string; severity: string }> }
    expect(report.format).toBe('definition')
    expect(report.diagnostics).toEqual([expect.objectContaining({ pointer: '/paths/~1pets/GET/integration/uri', severity: 'error' })])
  })

  it('reports an OpenAPI document the import rejects, with pointers into the document', async () => {
    const t = files({ 'api.json': JSON.stringify({ openapi: '3.0.1', info: { title: 't', version: '1' }, paths: { '/a': { get: {} } } }) })
    const io = captureIo({ cwd: t.dir })
    expect(await run(['lint', 'api.json', '--json'], io)).toBe(1)
    const report = JSON.parse(io.text().out) as { format: string; diagnostics: Array<{ pointer: string; severity: string }> }
    expect(report.format).toBe('openapi')
    expect(report.diagnostics.some((d) => d.pointer.startsWith('/paths/~1a/get') && d.severity === 'error')).toBe(true)
  })

  it('lints the example petstore clean', async () => {
    const io = captureIo()
    expect(await run(['lint', join(here, '../../../docs/examples/api/petstore.yaml'), '--handlers', join(here, '../../../docs/examples/api/handlers.mjs')], io)).toBe(0)
    expect(io.text().out).not.toContain('error')
  })

  it('reports text that is not YAML, and a document of neither kind, as errors at / (exit 1)', async () => {
    const t = files({ 'bad.yaml': 'paths: [\n', 'other.yaml': 'hello: world\n' })
    const bad = captureIo({ cwd: t.dir })
    expect(await run(['lint', 'bad.yaml'], bad)).toBe(1)
    expect(bad.text().out).toMatch(/bad.yaml: error {3}\/ {2}bad.yaml is not valid YAML or JSON \(line \d+, column \d+\)/)
    const other = captureIo({ cwd: t.dir })
    expect(await run(['lint', 'other.yaml'], other)).toBe(1)
    expect(other.text().out).toContain('neither an OpenAPI document')
  })

  it('with --handlers, reports a Lambda integration whose handler the module lacks', async () => {
    const t = files({ 'api.yaml': 'paths:\n  /a:\n    GET:\n      integration: { type: AWS_PROXY, handler: missing }\n', 'h.mjs': 'export const present = async () => ({ statusCode: 200 })\n' })
    const io = captureIo({ cwd: t.dir })
    expect(await run(['lint', 'api.yaml', '--handlers', 'h.mjs'], io)).toBe(1)
    expect(io.text().out).toContain('the handler "missing" is not in the integrations map (present)')
  })
})

const CSV = `Key,Name,Description,Enabled,UsagePlanIds
abcdefghij0123456789,first,one,true,"gold,free"
bcdefghij01234567890,second,,false,free
`

describe('sluice keys import', () => {
  it('prints a summary with stable ids and never the key values', async () => {
    const t = files({ 'keys.csv': CSV })
    const io = captureIo({ cwd: t.dir })
    expect(await run(['keys', 'import', 'keys.csv'], io)).toBe(0)
    const out = io.text().out
    expect(out).toContain('keys.csv: 2 API keys (1 enabled, 1 disabled)')
    expect(out).toContain('usage plans: gold (1), free (2)')
    expect(out).toMatch(/ k[0-9a-f]{12} {2}first {3}enabled {3}gold,free/)
    expect(out).not.toContain('abcdefghij0123456789')
    const again = captureIo({ cwd: t.dir })
    await run(['keys', 'import', 'keys.csv'], again)
    expect(again.text().out).toBe(out)
  })

  it('reports every bad row with its line number (exit 1)', async () => {
    const t = files({ 'keys.csv': 'Key,Name,Enabled\nshort,a,true\nabcdefghij0123456789,,true\nbcdefghij01234567890,ok,maybe\ncdefghij012345678901,fine,true\n' })
    const io = captureIo({ cwd: t.dir })
    expect(await run(['keys', 'import', 'keys.csv'], io)).toBe(1)
    expect(io.text().err).toBe(
      'keys.csv: 3 bad rows:\n' +
        '  line 2: Key must be 20 to 128 alphanumeric characters\n' +
        '  line 3: Name is empty\n' +
        '  line 4: Enabled must be true or false, not "maybe"\n',
    )
    expect(io.text().out).toBe('')
  })

  it('writes the keys with their values to --out, readable by the owner only', async () => {
    const t = files({ 'keys.csv': CSV })
    const io = captureIo({ cwd: t.dir })
    expect(await run(['keys', 'import', 'keys.csv', '--out', 'keys.json'], io)).toBe(0)
    const written = JSON.parse(readFileSync(t.path('keys.json'), 'utf8')) as { apiKeys: Array<{ value: string; usagePlanIds: string[]; enabled: boolean }> }
    expect(written.apiKeys.map((k) => [k.value, k.enabled, k.usagePlanIds])).toEqual([
      ['abcdefghij0123456789', true, ['gold', 'free']],
      ['bcdefghij01234567890', false, ['free']],
    ])
    if (process.platform !== 'win32') expect(statSync(t.path('keys.json')).mode & 0o777).toBe(0o600)
    expect(io.text().err).toContain('wrote 2 API keys (with their values) to keys.json')
  })

  it('prints JSON without the values with --json', async () => {
    const t = files({ 'keys.csv': CSV })
    const io = captureIo({ cwd: t.dir })
    expect(await run(['keys', 'import', 'keys.csv', '--json'], io)).toBe(0)
    const printed = JSON.parse(io.text().out) as { apiKeys: Array<Record<string, unknown>> }
    expect(printed.apiKeys).toHaveLength(2)
    expect(io.text().out).not.toContain('abcdefghij0123456789')
    expect(printed.apiKeys[0]).toMatchObject({ name: 'first', enabled: true, description: 'one' })
  })
})

describe('sluice render-template', () => {
  const TEMPLATE = `{"n": $input.path('$.pets').size(), "first": "$input.path('$.pets[0].name')", "stage": "$context.stage", "backend": "$stageVariables.backend", "q": "$input.params('q')"}`

  it('renders against a body file, $context, stage variables and parameters', async () => {
    const t = files({ 't.vtl': TEMPLATE, 'body.json': '{"pets":[{"name":"Rex"},{"name":"Tom"}]}' })
    const io = captureIo({ cwd: t.dir })
    const code = await run(['render-template', 't.vtl', '--body', 'body.json', '--context', '{"stage":"prod"}', '--stage-variables', '{"backend":"http://b"}', '--params', '{"querystring":{"q":"dogs"}}'], io)
    expect(io.text().err).toBe('')
    expect(code).toBe(0)
    expect(JSON.parse(io.text().out)).toEqual({ n: 2, first: 'Rex', stage: 'prod', backend: 'http://b', q: 'dogs' })
  })

  it('reads the body from standard input with --body -, and JSON values from @files', async () => {
    const t = files({ 't.vtl': TEMPLATE, 'ctx.json': '{"stage":"beta"}' })
    const io = captureIo({ cwd: t.dir, readStdin: async () => '{"pets":[{"name":"Ada"}]}' })
    expect(await run(['render-template', 't.vtl', '--body', '-', '--context', '@ctx.json'], io)).toBe(0)
    expect(JSON.parse(io.text().out)).toMatchObject({ n: 1, first: 'Ada', stage: 'beta' })
  })

  it('prints the overrides with --json', async () => {
    const t = files({ 't.vtl': '#set($context.responseOverride.status = 201)ok' })
    const io = captureIo({ cwd: t.dir })
    expect(await run(['render-template', 't.vtl', '--json'], io)).toBe(0)
    expect(JSON.parse(io.text().out)).toEqual({ body: 'ok', overrides: { request: { header: {}, path: {}, querystring: {} }, response: { header: {}, status: 201 } } })
  })

  it('exits 2 for bad JSON flags and a template that does not compile; 1 for one that fails to render', async () => {
    const t = files({ 't.vtl': TEMPLATE, 'bad.vtl': '#foreach($x in', 'fails.vtl': "$util.base64Decode('%%%')$util.parseJson('{')" })
    const bad = captureIo({ cwd: t.dir })
    expect(await run(['render-template', 't.vtl', '--context', '{stage:'], bad)).toBe(2)
    expect(bad.text().err).toMatch(/^sluice: --context must be JSON \(or @FILE\)/)
    const vars = captureIo({ cwd: t.dir })
    expect(await run(['render-template', 't.vtl', '--stage-variables', '{"a":1}'], vars)).toBe(2)
    expect(vars.text().err).toContain('"a" must be a string')
    const syntax = captureIo({ cwd: t.dir })
    expect(await run(['render-template', 'bad.vtl'], syntax)).toBe(2)
    expect(syntax.text().err).toContain('ERR_INVALID_TEMPLATE')
    const fails = captureIo({ cwd: t.dir })
    expect(await run(['render-template', 'fails.vtl'], fails)).toBe(1)
    expect(fails.text().err).toMatch(/^fails.vtl: the template failed: /)
  })
})

describe('sluice usage (without Redis)', () => {
  it('says clearly that usage lives in the server process without --redis (exit 2)', async () => {
    const t = files({ 'sluice.yaml': 'usagePlans:\n  - id: free\n' })
    const io = captureIo({ cwd: t.dir })
    expect(await run(['usage', '--config', 'sluice.yaml', '--plan', 'free'], io)).toBe(2)
    expect(io.text().err).toContain('no Redis given')
    expect(io.text().err).toContain('--redis URL')
  })

  it('requires --config and --plan, and checks the dates', async () => {
    const t = files({ 'sluice.yaml': 'usagePlans:\n  - id: free\n' })
    const noPlan = captureIo({ cwd: t.dir })
    expect(await run(['usage', '--config', 'sluice.yaml'], noPlan)).toBe(2)
    expect(noPlan.text().err).toContain('usage: --plan is required')
    const date = captureIo({ cwd: t.dir })
    expect(await run(['usage', '--config', 'sluice.yaml', '--plan', 'free', '--redis', 'redis://127.0.0.1:1', '--start', '2026-13-01'], date)).toBe(2)
    expect(date.text().err).toContain('--start must be a date written YYYY-MM-DD')
  })
})
