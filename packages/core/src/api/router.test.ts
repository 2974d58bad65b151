import { describe, expect, it } from 'vitest'
import { canonicalPath, parseTemplate } from './path.js'
import { Router } from './router.js'

const rest = (defs: Array<[string, string]>): Router<string> => {
  const r = new Router<string>()
  for (const [method, path] of defs) r.add(path, method as never, `${method} ${path}`)
  return r
}

describe('path canonicalisation', () => {
  it.each([
    ['/', []],
    ['/pets', ['pets']],
    ['/pets/', ['pets']],
    ['/a//b', ['a', '', 'b']],
    ['/p%65ts', ['pets']],
    ['/a%2fb', ['a%2Fb']],
    ['/a%2Fb/c', ['a%2Fb', 'c']],
    ['/%7euser', ['~user']],
    ['/caf%c3%a9', ['caf%C3%A9']],
    ['/Pets', ['Pets']],
  ])('%s → %j', (path, segments) => {
    expect(canonicalPath(path)?.segments).toEqual(segments)
  })

  it.each(['/..', '/a/../b', '/a/./b', '/a/%2e%2e/b', '/a/%2E/b', '/a/.%2e', '/%2e%2E', 'relative', ''])('refuses %j (dot segment or not absolute)', (path) => {
    expect(canonicalPath(path)).toBeUndefined()
  })

  it('keeps the raw segments for parameters', () => {
    const c = canonicalPath('/p%65ts/test%2Balias@gmail.com/')
    expect(c?.raw).toEqual(['p%65ts', 'test%2Balias@gmail.com'])
    expect(c?.trailingSlash).toBe(true)
  })

  it.each(['/a/{b+}/c', '/{a}/{a}', '/a//b', '/a/', '/a/{b}c', '/a/..', 'pets', '/a b'])('rejects the template %j', (t) => {
    expect(() => parseTemplate(t)).toThrow()
  })
})

describe('REST resource matching (reference 8.2)', () => {
  it('static beats variable beats greedy', () => {
    const r = rest([
      ['GET', '/pets/dog'],
      ['GET', '/pets/{id}'],
      ['GET', '/{proxy+}'],
    ])
    expect(r.match('GET', '/pets/dog')?.value).toBe('GET /pets/dog')
    expect(r.match('GET', '/pets/cat')?.value).toBe('GET /pets/{id}')
    expect(r.match('GET', '/pets/cat')?.params).toEqual({ id: 'cat' })
    expect(r.match('GET', '/pets/cat/1')?.value).toBe('GET /{proxy+}')
    expect(r.match('GET', '/pets/cat/1')?.params).toEqual({ proxy: 'pets/cat/1' })
  })

  it('falls back to an ancestor greedy resource when the deepest static match has no child', () => {
    const r = rest([
      ['GET', '/part1'],
      ['GET', '/{param+}'],
    ])
    expect(r.match('GET', '/part1/random-value')?.value).toBe('GET /{param+}')
    expect(r.match('GET', '/part1')?.value).toBe('GET /part1')
  })

  it('uses a sibling greedy resource that has the method when the matched one lacks it', () => {
    const r = rest([
      ['POST', '/test'],
      ['ANY', '/{proxy+}'],
    ])
    expect(r.match('OPTIONS', '/test')?.value).toBe('ANY /{proxy+}')
    expect(r.match('POST', '/test')?.value).toBe('POST /test')
  })

  it('ANY answers methods the resource does not define; an explicit method wins', () => {
    const r = rest([
      ['ANY', '/pets'],
      ['GET', '/pets'],
    ])
    expect(r.match('GET', '/pets')?.method).toBe('GET')
    expect(r.match('PATCH', '/pets')?.method).toBe('ANY')
  })

  it('unknown route or method → no match; a greedy parameter needs one segment; the root needs its own method', () => {
    const r = rest([
      ['GET', '/pets'],
      ['GET', '/files/{path+}'],
      ['GET', '/{proxy+}'],
    ])
    expect(rest([['GET', '/pets']]).match('DELETE', '/pets')).toBeUndefined()
    expect(rest([['GET', '/pets']]).match('GET', '/cats')).toBeUndefined()
    expect(r.match('GET', '/files')?.value).toBe('GET /{proxy+}')
    expect(r.match('GET', '/')).toBeUndefined()
  })

  it('a single parameter never matches an empty segment; a greedy one captures empty segments as sent', () => {
    const r = rest([
      ['GET', '/a/{id}/b'],
      ['GET', '/{proxy+}'],
    ])
    expect(r.match('GET', '/a//b')?.value).toBe('GET /{proxy+}')
    expect(r.match('GET', '/a//b')?.params).toEqual({ proxy: 'a//b' })
    expect(r.match('GET', '/x/y/')?.params).toEqual({ proxy: 'x/y' })
  })

  it('an encoded slash stays inside its segment; parameters are not URL-decoded', () => {
    const r = rest([
      ['GET', '/users/{id}'],
      ['GET', '/users/{id}/posts'],
    ])
    expect(r.match('GET', '/users/a%2Fposts')?.value).toBe('GET /users/{id}')
    expect(r.match('GET', '/users/a%2Fposts')?.params).toEqual({ id: 'a%2Fposts' })
    expect(r.match('GET', '/users/test%2Balias@gmail.com')?.params).toEqual({ id: 'test%2Balias@gmail.com' })
  })

  it('is case-sensitive and refuses dot segments', () => {
    const r = rest([
      ['GET', '/pets'],
      ['GET', '/{proxy+}'],
    ])
    expect(r.match('GET', '/PETS')?.value).toBe('GET /{proxy+}')
    expect(r.match('GET', '/pets/../admin')).toBeUndefined()
    expect(r.match('GET', '/pets/%2e%2e/admin')).toBeUndefined()
  })

  it('prototype-named parameters are own properties and change no prototype', () => {
    const r = new Router<string>()
    r.add('/{__proto__}/{constructor}', 'GET', 'x')
    const m = r.match('GET', '/a/b')
    expect(Object.keys(m?.params ?? {})).toEqual(['__proto__', 'constructor'])
    expect(m?.params['__proto__']).toBe('a')
    expect(({} as Record<string, unknown>)['a']).toBeUndefined()
  })

  it('rejects conflicting definitions', () => {
    const r = new Router<string>()
    r.add('/pets/{id}', 'GET', 'a')
    expect(() => r.add('/pets/{name}', 'GET', 'b')).toThrow(/conflicts/)
    expect(() => r.add('/pets/{id}', 'GET', 'c')).toThrow(/twice/)
  })
})

describe('HTTP API route priority (reference 8.3)', () => {
  const http = (): Router<string> => {
    const r = new Router<string>({ http: true })
    for (const [m, p] of [
      ['GET', '/pets/dog/{id}'],
      ['GET', '/pets/dog/1'],
      ['GET', '/pets/{proxy+}'],
      ['ANY', '/{proxy+}'],
    ] as const)
      r.add(p, m, `${m} ${p}`)
    return r
  }
  it('full matches (variables count) before greedy ones', () => {
    const r = http()
    expect(r.match('GET', '/pets/dog/2')?.value).toBe('GET /pets/dog/{id}')
    expect(r.match('GET', '/pets/dog/1')?.value).toBe('GET /pets/dog/1')
    expect(r.match('GET', '/pets/cat/1')?.value).toBe('GET /pets/{proxy+}')
    expect(r.match('POST', '/test/5')?.value).toBe('ANY /{proxy+}')
    expect(r.match('GET', '/pets/dog/2')?.routeKey).toBe('GET /pets/dog/{id}')
  })
  it('then $default; else no match', () => {
    const r = new Router<string>({ http: true })
    r.add('/pets', 'GET', 'pets')
    expect(r.match('GET', '/cats')).toBeUndefined()
    r.setDefault('default')
    expect(r.match('GET', '/cats')?.routeKey).toBe('$default')
    expect(r.match('GET', '/pets')?.value).toBe('pets')
  })
})
