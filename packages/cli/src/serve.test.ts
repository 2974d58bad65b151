import { writeFileSync } from 'node:fs'
import { createServer as createNetServer } from 'node:net'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { handlersOf } from './handlers.js'
import { run } from './run.js'
import { redactUrl } from './server.js'
import type { CliIo } from './io.js'
import { captureIo, tempFilesPerTest, type CapturedIo } from './test-io.js'

const files = tempFilesPerTest()

const API = `paths:
  /hello:
    GET:
      integration:
        type: MOCK
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses:
          - statusCode: '200'
            responseTemplates: { application/json: '{"stage": "$context.stage", "v": "$stageVariables.color"}' }
  /items/{id}:
    GET:
      apiKeyRequired: true
      integration: { type: AWS_PROXY, uri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:getItem/invocations' }
`
const HANDLERS = `export async function getItem(event) {
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: event.pathParameters.id, key: event.requestContext.identity.apiKeyId }) }
}
`
const CONFIG = `stage:
  name: beta
  variables: { color: blue }
apiKeys:
  - { id: tester, value: testKeyNotASecret00000001 }
`

/** Starts `sluice serve` through run(); resolves once it listens. */
async function serve(argv: string[], cwd: string, extra: Partial<CliIo> = {}): Promise<{ url: string; io: CapturedIo; stop(): Promise<number> }> {
  const controller = new AbortController()
  let listening: (url: string) => void = () => undefined
  const ready = new Promise<string>((resolve) => (listening = resolve))
  const io = captureIo({ cwd, stop: controller.signal, onListening: ({ url }) => listening(url), ...extra })
  const done = run(['serve', ...argv, '--port', '0'], io)
  const url = await Promise.race([ready, done.then((code) => Promise.reject(new Error(`serve exited ${code}: ${io.text().err}`)))])
  return {
    url,
    io,
    stop: async () => {
      controller.abort()
      return done
    },
  }
}

describe('sluice serve (in process)', () => {
  it('serves a native definition with handlers, config and stage; stops on the stop signal with exit 0', async () => {
    const t = files({ 'api.yaml': API, 'handlers.mjs': HANDLERS, 'sluice.yaml': CONFIG })
    const s = await serve(['api.yaml', '--handlers', 'handlers.mjs', '--config', 'sluice.yaml'], t.dir)
    const hello = await fetch(`${s.url}/hello`)
    expect(hello.status).toBe(200)
    expect(await hello.json()).toEqual({ stage: 'beta', v: 'blue' })
    expect((await fetch(`${s.url}/items/7`)).status).toBe(403)
    const item = await fetch(`${s.url}/items/7`, { headers: { 'x-api-key': 'testKeyNotASecret00000001' } })
    expect(await item.json()).toEqual({ id: '7', key: 'tester' })
    const missing = await fetch(`${s.url}/nope`)
    expect(missing.status).toBe(403)
    expect(await missing.text()).toBe('{"message":"Missing Authentication Token"}')
    expect(await s.stop()).toBe(0)
    const out = s.io.text().out
    expect(out).toContain(`sluice: serving API definition api.yaml on ${s.url} (stage "beta", state: memory, 1 API key)`)
    expect(out).toContain(`  GET     ${s.url}/items/{id}  AWS_PROXY (API key)`)
    expect(out).toContain(`listening on ${s.url}\n`)
    expect(out).toContain('sluice: stopped\n')
    await expect(fetch(`${s.url}/hello`)).rejects.toThrow()
  })

  it('lets a request in flight finish when asked to stop, then exits 0', async () => {
    const t = files({
      'api.yaml': 'paths:\n  /slow:\n    GET:\n      integration: { type: AWS_PROXY, handler: slow }\n',
      'slow.mjs': `let release
let started
export const entered = new Promise((resolve) => (started = resolve))
const gate = new Promise((resolve) => (release = resolve))
export function open() { release() }
export async function slow() { started(); await gate; return { statusCode: 200, body: 'finished' } }
`,
    })
    const s = await serve(['api.yaml', '--handlers', 'slow.mjs'], t.dir)
    const mod = (await import(pathToFileURL(t.path('slow.mjs')).href)) as { entered: Promise<void>; open(): void }
    const inFlight = fetch(`${s.url}/slow`)
    await mod.entered
    const stopped = s.stop()
    // the server is closing: the request in flight still gets its answer
    mod.open()
    const res = await inFlight
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('finished')
    expect(await stopped).toBe(0)
    expect(s.io.text().out).toContain('sluice: stopping (finishing in-flight requests)\nsluice: stopped\n')
  })

  it('serves an HTTP API definition (route keys, payload 2.0, $default)', async () => {
    const t = files({
      'http.json': JSON.stringify({
        protocol: 'HTTP',
        routes: {
          'GET /pets/{id}': { integration: { type: 'AWS_PROXY', handler: 'pet' } },
          $default: { integration: { type: 'AWS_PROXY', handler: 'fallback' } },
        },
      }),
      'h.mjs': "export const pet = async (e) => ({ id: e.pathParameters.id, v: e.version })\nexport const fallback = async (e) => ({ statusCode: 418, body: e.rawPath })\n",
    })
    const s = await serve(['http.json', '--handlers', 'h.mjs'], t.dir)
    try {
      expect(await (await fetch(`${s.url}/pets/3`)).json()).toEqual({ id: '3', v: '2.0' })
      const other = await fetch(`${s.url}/elsewhere`)
      expect(other.status).toBe(418)
      expect(await other.text()).toBe('/elsewhere')
    } finally {
      await s.stop()
    }
  })

  it('re-reads the API file on reload, switching atomically; an invalid file changes nothing', async () => {
    const t = files({ 'api.yaml': API, 'handlers.mjs': HANDLERS })
    const reload = new EventTarget()
    const results: Array<{ ok: boolean; message: string }> = []
    let told: () => void = () => undefined
    const s = await serve(['api.yaml', '--handlers', 'handlers.mjs'], t.dir, {
      reload,
      onReload: (r) => {
        results.push(r)
        told()
      },
    })
    const reloaded = async (): Promise<void> => {
      const done = new Promise<void>((resolve) => (told = resolve))
      reload.dispatchEvent(new Event('reload'))
      await done
    }
    try {
      expect((await fetch(`${s.url}/added`)).status).toBe(403)
      writeFileSync(t.path('api.yaml'), `${API}  /added:\n    GET:\n      integration: { type: MOCK, requestTemplates: { application/json: '{"statusCode": 200}' } }\n`)
      await reloaded()
      expect(results[0]).toEqual({ ok: true, message: 'sluice: reloaded api.yaml (deployment d00002, 3 routes)' })
      expect((await fetch(`${s.url}/added`)).status).toBe(200)

      writeFileSync(t.path('api.yaml'), 'paths:\n  /x:\n    GET:\n      integration: { type: AWS_PROXY, handler: notExported }\n')
      await reloaded()
      expect(results[1]?.ok).toBe(false)
      expect(results[1]?.message).toMatch(/^sluice: reload failed, still serving the previous definition: api.yaml: .*the handler "notExported" is not in the integrations map/)
      expect((await fetch(`${s.url}/added`)).status).toBe(200)
      expect((await fetch(`${s.url}/hello`)).status).toBe(200)
    } finally {
      expect(await s.stop()).toBe(0)
    }
    expect(s.io.text().err).toContain('sluice: reload failed')
  })

  it('serves under --base-path; other paths get 404', async () => {
    const t = files({ 'api.yaml': API, 'handlers.mjs': HANDLERS })
    const s = await serve(['api.yaml', '--handlers', 'handlers.mjs', '--base-path', '/v1', '--stage', 'dev'], t.dir)
    try {
      const hello = await fetch(`${s.url}/v1/hello`)
      expect(await hello.json()).toEqual({ stage: 'dev', v: '' })
      const outside = await fetch(`${s.url}/hello`)
      expect(outside.status).toBe(404)
      expect(await outside.text()).toBe('{"message":"Not Found"}')
    } finally {
      await s.stop()
    }
  })

  it('exits 2 naming the file for config errors: unknown key, bad value', async () => {
    const t = files({ 'api.yaml': API, 'handlers.mjs': HANDLERS, 'a.yaml': 'stages: {}\n', 'b.yaml': 'usagePlans:\n  - { id: free, quota: { limit: 5, period: FORTNIGHT } }\n' })
    const a = captureIo({ cwd: t.dir })
    expect(await run(['serve', 'api.yaml', '--handlers', 'handlers.mjs', '--config', 'a.yaml'], a)).toBe(2)
    expect(a.text().err).toMatch(/^sluice: a.yaml: stages: unknown key; did you mean stage\?/)
    const b = captureIo({ cwd: t.dir })
    expect(await run(['serve', 'api.yaml', '--handlers', 'handlers.mjs', '--config', 'b.yaml'], b)).toBe(2)
    expect(b.text().err).toMatch(/^sluice: b.yaml: usagePlans\[0\]\.quota\.period: /)
    const c = captureIo({ cwd: t.dir })
    writeFileSync(t.path('c.yaml'), "redis: { prefix: 'a{b' }\n")
    expect(await run(['serve', 'api.yaml', '--handlers', 'handlers.mjs', '--config', 'c.yaml', '--redis', 'redis://127.0.0.1:1'], c)).toBe(2)
    expect(c.text().err).toMatch(/^sluice: c.yaml: redis.prefix: .*ERR_INVALID_STORE/)
    for (const io of [a, b, c]) expect(io.text().err).not.toMatch(/\n\s+at /)
  })

  it('exits 2 for API problems: a missing handler, an invalid definition, an OpenAPI document import rejects', async () => {
    const t = files({
      'api.yaml': API,
      'bad.yaml': 'paths:\n  /a:\n    FETCH: { integration: { type: MOCK } }\n',
      'oas.json': JSON.stringify({ openapi: '3.0.1', info: { title: 't', version: '1' }, paths: { '/a': { get: {} } } }),
    })
    const missing = captureIo({ cwd: t.dir })
    expect(await run(['serve', 'api.yaml'], missing)).toBe(2)
    expect(missing.text().err).toMatch(/^sluice: api.yaml: .*the handler "getItem" is not in the integrations map/)
    const bad = captureIo({ cwd: t.dir })
    expect(await run(['serve', 'bad.yaml'], bad)).toBe(2)
    expect(bad.text().err).toMatch(/^sluice: bad.yaml: \/paths\/~1a/)
    const oas = captureIo({ cwd: t.dir })
    expect(await run(['serve', 'oas.json'], oas)).toBe(2)
    expect(oas.text().err).toMatch(/^sluice: oas.json cannot be imported \(\d+ problems?; sluice lint oas.json lists them too\):\n {2}\/paths\/~1a\/get/)
  })

  it('exits 2 for a bad port or Redis URL, 1 when the port is taken', async () => {
    const t = files({ 'api.yaml': API, 'handlers.mjs': HANDLERS })
    const port = captureIo({ cwd: t.dir })
    expect(await run(['serve', 'api.yaml', '--handlers', 'handlers.mjs', '--port', 'http'], port)).toBe(2)
    expect(port.text().err).toContain('--port: must be a port number from 0 to 65535')
    const redis = captureIo({ cwd: t.dir })
    expect(await run(['serve', 'api.yaml', '--handlers', 'handlers.mjs', '--redis', 'http://127.0.0.1'], redis)).toBe(2)
    expect(redis.text().err).toContain('must start with redis:// or rediss://')

    const blocker = createNetServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    try {
      const taken = (blocker.address() as { port: number }).port
      const io = captureIo({ cwd: t.dir })
      expect(await run(['serve', 'api.yaml', '--handlers', 'handlers.mjs', '--port', String(taken)], io)).toBe(1)
      expect(io.text().err).toBe(`sluice: cannot listen on 127.0.0.1:${taken}: the port is in use (choose another with --port, or 0 for any free port)\n`)
    } finally {
      blocker.close()
    }
  })

  it('exits 1 when Redis cannot be reached', async () => {
    const t = files({ 'api.yaml': API, 'handlers.mjs': HANDLERS })
    const blocker = createNetServer((socket) => socket.destroy())
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const closed = (blocker.address() as { port: number }).port
    await new Promise<void>((resolve) => blocker.close(() => resolve()))
    const io = captureIo({ cwd: t.dir })
    expect(await run(['serve', 'api.yaml', '--handlers', 'handlers.mjs', '--redis', `redis://:secret@127.0.0.1:${closed}`], io)).toBe(1)
    expect(io.text().err).toMatch(new RegExp(`^sluice: cannot reach Redis at redis://:\\*\\*\\*@127.0.0.1:${closed} within 5 s: `))
    expect(io.text().err).not.toContain('secret')
  })
})

describe('handlersOf', () => {
  it('takes exported functions and modules with a handler, by name, and a default object of functions', () => {
    const a = async (): Promise<unknown> => ({ statusCode: 200 })
    const b = { handler: a }
    const handlers = handlersOf({ a, b, notAHandler: 5, default: { c: a, d: 'x' } })
    expect(Object.keys(handlers).sort()).toEqual(['a', 'b', 'c'])
    expect(Object.getPrototypeOf(handlers)).toBeNull()
  })
})

describe('redactUrl', () => {
  it('hides the password of a Redis URL', () => {
    expect(redactUrl('redis://user:pw@host:6379/0')).toBe('redis://user:***@host:6379/0')
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379')
  })
})
