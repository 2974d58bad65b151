import { describe, expect, it } from 'vitest'
import { compileJsonPath } from './jsonpath.js'

const doc = {
  store: {
    book: [
      { category: 'reference', author: 'Rees', title: 'Sayings', price: 8.95 },
      { category: 'fiction', author: 'Waugh', title: 'Sword', price: 12.99 },
      { category: 'fiction', author: 'Melville', title: 'Moby', isbn: '0-553', price: 8.99 },
    ],
    bicycle: { color: 'red', price: 19.95 },
  },
  'odd key': 1,
}
const q = (p: string): unknown => compileJsonPath(p).evaluate(doc)

describe('JSONPath subset', () => {
  it('definite paths give the value or null', () => {
    expect(q('$')).toBe(doc)
    expect(q('$.store.bicycle.color')).toBe('red')
    expect(q("$['store']['bicycle']")).toEqual({ color: 'red', price: 19.95 })
    expect(q('$.store.book[0].author')).toBe('Rees')
    expect(q('$.store.book[-1].title')).toBe('Moby')
    expect(q("$['odd key']")).toBe(1)
    expect(q('$.store.missing.x')).toBeNull()
    expect(q('$.store.book[9]')).toBeNull()
    expect(q('store.bicycle.color')).toBe('red')
  })

  it('indefinite paths give lists', () => {
    expect(q('$.store.book[*].author')).toEqual(['Rees', 'Waugh', 'Melville'])
    expect(q('$..author')).toEqual(['Rees', 'Waugh', 'Melville'])
    expect(q('$.store.*')).toHaveLength(2)
    expect(q('$.store.book[0,2].title')).toEqual(['Sayings', 'Moby'])
    expect(q('$.store.book[1:].title')).toEqual(['Sword', 'Moby'])
    expect(q('$.store.book[:1].title')).toEqual(['Sayings'])
    expect(q('$.store.book[-2:].title')).toEqual(['Sword', 'Moby'])
    expect(q("$.store.book['x','y']")).toEqual([])
    expect(q('$..price')).toEqual([8.95, 12.99, 8.99, 19.95])
  })

  it('filters compare without evaluating script', () => {
    expect(q('$.store.book[?(@.isbn)].title')).toEqual(['Moby'])
    expect(q("$.store.book[?(@.category == 'fiction')].title")).toEqual(['Sword', 'Moby'])
    expect(q('$.store.book[?(@.price < 10)].title')).toEqual(['Sayings', 'Moby'])
    expect(q("$.store.book[?(@.price < 10 && @.category != 'reference')].title")).toEqual(['Moby'])
    expect(q('$.store.book.length()')).toBe(3)
  })

  it('refuses what it does not support, script included', () => {
    for (const p of ['$.store.book[?(@.price < process.exit())]', '$.a[(@.length-1)]', '$.a[', "$.a['x", '$..', '$.a b']) {
      expect(() => compileJsonPath(p), p).toThrow(/invalid JSONPath/)
    }
  })

  it('never reads inherited properties', () => {
    expect(compileJsonPath('$.constructor').evaluate({})).toBeNull()
    expect(compileJsonPath('$.__proto__').evaluate({})).toBeNull()
    expect(compileJsonPath('$.a.length').evaluate({ a: [1, 2] })).toBeNull()
  })
})
