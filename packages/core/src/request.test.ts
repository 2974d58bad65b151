import { describe, expect, it } from 'vitest'
import { BodyReader, bodyToBytes, createRequest, RecordHeaders, splitUrl } from './request.js'

describe('splitUrl', () => {
  it.each([
    ['http://example.com/pets/1?type=dog&x=1', '/pets/1', 'type=dog&x=1'],
    ['https://example.com:8443/a/b', '/a/b', ''],
    ['http://example.com/a?q=1#frag', '/a', 'q=1'],
    ['http://example.com/a#frag?notquery', '/a', ''],
    ['http://example.com', '/', ''],
    ['http://example.com/', '/', ''],
    ['http://example.com?x=1', '/', 'x=1'],
    ['http://example.com#top', '/', ''],
    ['http://user@example.com/p?', '/p', ''],
    ['/pets?type=dog', '/pets', 'type=dog'],
    ['/pets', '/pets', ''],
    ['/', '/', ''],
    ['', '/', ''],
    ['/a?b?c', '/a', 'b?c'],
    ['/a#f', '/a', ''],
    ['/redirect?to=http://evil.example/x', '/redirect', 'to=http://evil.example/x'],
    ['//double/slash?x', '//double/slash', 'x'],
    ['?x=1', '/', 'x=1'],
    ['http://h/p?next=http://other/q#f', '/p', 'next=http://other/q'],
  ])('splits %j into path %j and query %j', (url, path, query) => {
    expect(splitUrl(url)).toEqual({ path, query })
  })
})

describe('RecordHeaders', () => {
  const h = new RecordHeaders({ 'content-type': 'application/json', 'x-multi': ['a', 'b', 'c'], 'content-length': 42, 'x-empty': '', 'x-undef': undefined })

  it('reads names case-insensitively', () => {
    expect(h.get('Content-Type')).toBe('application/json')
    expect(h.get('CONTENT-TYPE')).toBe('application/json')
    expect(h.get('absent')).toBeNull()
  })

  it('joins arrays with ", " and stringifies numbers', () => {
    expect(h.get('X-Multi')).toBe('a, b, c')
    expect(h.get('content-length')).toBe('42')
    expect(h.get('x-empty')).toBe('')
  })

  it('has() is case-insensitive and false for undefined values', () => {
    expect(h.has('X-MULTI')).toBe(true)
    expect(h.has('x-empty')).toBe(true)
    expect(h.has('x-undef')).toBe(false)
    expect(h.has('nope')).toBe(false)
  })

  it('forEach visits every defined header once, with string values', () => {
    const seen: Array<[string, string]> = []
    h.forEach((value, name) => seen.push([name, value]))
    expect(seen).toEqual([
      ['content-type', 'application/json'],
      ['x-multi', 'a, b, c'],
      ['content-length', '42'],
      ['x-empty', ''],
    ])
  })
})

describe('createRequest', () => {
  it('defaults to GET http://localhost/', () => {
    const r = createRequest()
    expect(r.method).toBe('GET')
    expect(r.url).toBe('http://localhost/')
    expect(r.ip).toBeUndefined()
    expect(r.params).toBeUndefined()
  })

  it('upper-cases the method and builds an absolute URL from the host header', () => {
    const r = createRequest({ method: 'post', url: '/pets?x=1', headers: { Host: 'api.example.com' } })
    expect(r.method).toBe('POST')
    expect(r.url).toBe('http://api.example.com/pets?x=1')
    expect(createRequest({ url: 'pets' }).url).toBe('http://localhost/pets')
    expect(createRequest({ url: 'https://x.example/a' }).url).toBe('https://x.example/a')
  })

  it('lower-cases header names and merges names that differ only in case', () => {
    const r = createRequest({ headers: { 'X-Api-Key': 'k', 'X-Dup': 'a', 'x-dup': ['b', 'c'], 'X-Num': 5 } })
    expect(r.headers.get('x-api-key')).toBe('k')
    expect(r.headers.get('X-DUP')).toBe('a, b, c')
    expect(r.headers.get('x-num')).toBe('5')
  })

  it('accepts a HeaderReader (e.g. WHATWG Headers) as it is', () => {
    const headers = new Headers({ 'X-Api-Key': 'abc', host: 'h.example' })
    const r = createRequest({ headers, url: '/p' })
    expect(r.headers).toBe(headers)
    expect(r.headers.get('x-api-key')).toBe('abc')
    expect(r.url).toBe('http://h.example/p')
  })

  it('keeps ip and params', () => {
    const r = createRequest({ ip: '203.0.113.1', params: { id: '7' } })
    expect(r.ip).toBe('203.0.113.1')
    expect(r.params).toEqual({ id: '7' })
  })

  it('reads a string body as text, JSON and bytes', async () => {
    const r = createRequest({ body: '{"a":"é"}' })
    expect(await r.text()).toBe('{"a":"é"}')
    expect(await r.json()).toEqual({ a: 'é' })
    expect([...new Uint8Array(await r.arrayBuffer())]).toEqual([...Buffer.from('{"a":"é"}')])
  })

  it('serialises an object body as JSON', async () => {
    const r = createRequest({ body: { n: 1, s: ['x'] } })
    expect(await r.text()).toBe('{"n":1,"s":["x"]}')
    expect(await r.json()).toEqual({ n: 1, s: ['x'] })
  })

  it('reads a bytes body, only the viewed bytes', async () => {
    const backing = new Uint8Array([0, 104, 105, 0])
    const r = createRequest({ body: backing.subarray(1, 3) })
    expect(await r.text()).toBe('hi')
    const ab = await r.arrayBuffer()
    expect(ab.byteLength).toBe(2)
    expect([...new Uint8Array(ab)]).toEqual([104, 105])
    const fromBuffer = createRequest({ body: new Uint8Array([111, 107]).buffer })
    expect(await fromBuffer.text()).toBe('ok')
  })

  it('reads no body as empty', async () => {
    const r = createRequest()
    expect(await r.text()).toBe('')
    expect((await r.arrayBuffer()).byteLength).toBe(0)
    await expect(r.json()).rejects.toThrow(SyntaxError)
  })

  it('memoises text and json', async () => {
    const r = createRequest({ body: '{"a":1}' })
    const t1 = r.text()
    expect(r.text()).toBe(t1)
    const j1 = r.json()
    expect(r.json()).toBe(j1)
    expect(await r.json()).toBe(await j1)
  })

  it('rejects invalid JSON, every time', async () => {
    const r = createRequest({ body: '{nope' })
    await expect(r.json()).rejects.toThrow(SyntaxError)
    await expect(r.json()).rejects.toThrow(SyntaxError)
    expect(await r.text()).toBe('{nope')
  })
})

describe('BodyReader', () => {
  it('loads the source once whatever is read', async () => {
    let loads = 0
    const reader = new BodyReader(() => {
      loads++
      return Promise.resolve(new TextEncoder().encode('[1,2]'))
    })
    expect(await reader.json()).toEqual([1, 2])
    expect(await reader.text()).toBe('[1,2]')
    expect((await reader.arrayBuffer()).byteLength).toBe(5)
    expect((await reader.arrayBuffer()).byteLength).toBe(5)
    expect(reader.bytes()).toBe(reader.bytes())
    expect(loads).toBe(1)
  })

  it('returns a copy from arrayBuffer, so callers cannot change the body', async () => {
    const reader = new BodyReader(() => Promise.resolve(new Uint8Array([1, 2, 3])))
    const a = await reader.arrayBuffer()
    new Uint8Array(a)[0] = 99
    expect([...new Uint8Array(await reader.arrayBuffer())]).toEqual([1, 2, 3])
  })
})

describe('bodyToBytes', () => {
  it('converts each kind of body', () => {
    expect(bodyToBytes(undefined)).toEqual(new Uint8Array(0))
    expect(bodyToBytes(null)).toEqual(new Uint8Array(0))
    expect([...bodyToBytes('hé')]).toEqual([104, 0xc3, 0xa9])
    const u8 = new Uint8Array([1])
    expect(bodyToBytes(u8)).toBe(u8)
    expect([...bodyToBytes(new Uint8Array([7, 8]).buffer)]).toEqual([7, 8])
    expect(new TextDecoder().decode(bodyToBytes({ a: true }))).toBe('{"a":true}')
    expect(new TextDecoder().decode(bodyToBytes(12))).toBe('12')
  })
})
