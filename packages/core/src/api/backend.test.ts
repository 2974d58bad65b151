import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backendUrl, BackendUrlError, callBackend, encodeSegment, hopHeaders } from './backend.js'

describe('backend URL: the origin is always the configured one', () => {
  const uri = 'http://backend.internal:8080/site/{proxy}'
  const build = (proxy: string, query = ''): string => backendUrl(uri, { proxy }, {}, query).href

  it('substitutes path parameters, keeping escapes and the query', () => {
    expect(build('a/b%2Fc', 'x=1&x=2')).toBe('http://backend.internal:8080/site/a/b%2Fc?x=1&x=2')
    expect(backendUrl('http://h/items/{id}/detail', { id: '42' }, {}, '').href).toBe('http://h/items/42/detail')
    expect(backendUrl('http://h/base?fixed=1', {}, {}, 'q=2').href).toBe('http://h/base?fixed=1&q=2')
  })

  it('substitutes stage variables in the URI (host included: it is configuration)', () => {
    expect(backendUrl('${stageVariables.host}/v/{id}', { id: '1' }, { host: 'http://127.0.0.1:9' }, '').href).toBe('http://127.0.0.1:9/v/1')
    expect(backendUrl('http://h/${stageVariables.missing}x', {}, {}, '').href).toBe('http://h/x')
  })

  it.each([
    ['..', 'dot segment'],
    ['a/../../etc', 'dot segment'],
    ['%2e%2e/admin', 'dot segment'],
    ['%2E%2e', 'dot segment'],
    ['a/.%2E/b', 'dot segment'],
  ])('refuses %j', (proxy) => {
    expect(() => build(proxy)).toThrow(BackendUrlError)
  })

  it.each([
    ['@evil.example/x', 'http://backend.internal:8080/site/%40evil.example/x'],
    ['/evil.example/x', 'http://backend.internal:8080/site//evil.example/x'],
    ['\\\\evil.example', 'http://backend.internal:8080/site/%5C%5Cevil.example'],
    ['a\r\nHost: evil', 'http://backend.internal:8080/site/a%0D%0AHost:%20evil'],
    ['a?b#c', 'http://backend.internal:8080/site/a%3Fb%23c'],
    ['user:pass@evil', 'http://backend.internal:8080/site/user:pass%40evil'],
    ['%zz', 'http://backend.internal:8080/site/%25zz'],
  ])('keeps %j on the configured origin', (proxy, expected) => {
    const url = backendUrl(uri, { proxy }, {}, '')
    expect(url.origin).toBe('http://backend.internal:8080')
    expect(url.href).toBe(expected)
  })

  it('a query cannot carry CR/LF or a fragment into the request line', () => {
    const url = backendUrl('http://h/x', {}, {}, 'a=1\r\nX: y#frag')
    expect(url.href).toBe('http://h/x?a=1%0D%0AX:%20y%23frag')
  })

  it('no parameter value can leave the configured path prefix', () => {
    for (const p of ['..%2f..', '%2e%2e%2f', '....//']) {
      try {
        const u = backendUrl('http://h/base/{p}', { p }, {}, '')
        expect(u.pathname.startsWith('/base/')).toBe(true)
      } catch (e) {
        expect(e).toBeInstanceOf(BackendUrlError)
      }
    }
  })

  it('refuses a non-http URI', () => {
    expect(() => backendUrl('file:///etc/passwd', {}, {}, '')).toThrow(BackendUrlError)
  })

  it('encodes a segment once', () => {
    expect(encodeSegment('a b%20c')).toBe('a%20b%20c')
    expect(encodeSegment('é')).toBe('%C3%A9')
  })
})

describe('hop-by-hop headers', () => {
  it('adds every header the Connection header names', () => {
    const h = hopHeaders('close, X-Secret , keep-alive')
    expect(h.has('x-secret')).toBe(true)
    expect(h.has('connection')).toBe(true)
    expect(h.has('transfer-encoding')).toBe(true)
    expect(h.has('x-other')).toBe(false)
  })
})

describe('callBackend', () => {
  let url = ''
  let closedUrl = ''
  const server = createServer((req, res) => {
    if (req.url === '/slow') return void setTimeout(() => res.end('late'), 1000)
    if (req.url === '/reset') return void req.socket.destroy()
    if (req.url === '/big') return void res.end(Buffer.alloc(2048, 'a'))
    res.setHeader('x-got-host', req.headers.host ?? '')
    res.end('ok')
  })
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const probe = createServer()
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()))
    closedUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`
    await new Promise<void>((r) => probe.close(() => r()))
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise<void>((r) => server.close(() => r()))
  })
  const call = (path: string, extra: { timeoutMs?: number; maxBytes?: number; base?: string; headers?: Record<string, string> } = {}) =>
    callBackend({ url: new URL(path, extra.base ?? url), method: 'GET', headers: extra.headers ?? {}, body: undefined, timeoutMs: extra.timeoutMs ?? 2000, ...(extra.maxBytes ? { maxBytes: extra.maxBytes } : {}) })

  it('answers with the response, sending the configured Host', async () => {
    const r = await call('/', { headers: { host: 'configured.example' } })
    expect(r.kind).toBe('response')
    if (r.kind === 'response') {
      expect(r.body.toString()).toBe('ok')
      expect(r.headers['x-got-host']).toBe('configured.example')
    }
  })
  it('timeout, reset, refused, too large: one result each, never a rejection', async () => {
    expect((await call('/slow', { timeoutMs: 50 })).kind).toBe('timeout')
    expect((await call('/reset')).kind).toBe('failure')
    expect((await call('/', { base: closedUrl })).kind).toBe('failure')
    expect((await call('/big', { maxBytes: 100 })).kind).toBe('failure')
  })
})
