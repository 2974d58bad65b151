import { describe, expect, it } from 'vitest'
import { isSluiceConfigError } from '../errors.js'
import { ApiKeyRegistry } from './registry.js'

const V1 = 'apikey1234abcdefghij0123456789'
const V2 = 'BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB'

describe('ApiKeyRegistry', () => {
  it('matches a known enabled key', () => {
    const r = new ApiKeyRegistry([{ id: 'k1', value: V1 }])
    const m = r.match(V1)
    expect(m.status).toBe('ok')
    expect(m.key?.id).toBe('k1')
  })
  it('classifies missing, unknown and disabled keys', () => {
    const r = new ApiKeyRegistry([{ id: 'k1', value: V1, enabled: false }])
    expect(r.match(null).status).toBe('missing')
    expect(r.match('').status).toBe('missing')
    expect(r.match(V2).status).toBe('unknown')
    expect(r.match(V1).status).toBe('disabled')
    expect(r.match('x'.repeat(100_000)).status).toBe('unknown')
    expect(r.match(42).status).toBe('unknown')
  })
})

describe('ApiKeyRegistry management', () => {
  const V3 = 'CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC'

  function codeOf(fn: () => unknown): { code: string; option: string } | undefined {
    try {
      fn()
    } catch (e) {
      if (isSluiceConfigError(e)) return { code: e.code, option: e.option }
      throw e
    }
    return undefined
  }

  it('adds, gets and lists keys with defaults', () => {
    const r = new ApiKeyRegistry()
    expect(r.size).toBe(0)
    const k = r.add({ id: 'k1', value: V1 })
    expect(k).toEqual({ id: 'k1', name: 'k1', value: V1, enabled: true, usagePlanIds: [] })
    expect(Object.isFrozen(k)).toBe(true)
    expect(Object.isFrozen(k.usagePlanIds)).toBe(true)
    expect(r.get('k1')).toBe(k)
    expect(r.get('nope')).toBeUndefined()
    const k2 = r.add({ id: 'k2', name: 'Second', value: V2, enabled: false, description: 'd', usagePlanIds: ['p1', 'p2'] })
    expect(k2).toEqual({ id: 'k2', name: 'Second', value: V2, enabled: false, description: 'd', usagePlanIds: ['p1', 'p2'] })
    expect(r.list().map((x) => x.id)).toEqual(['k1', 'k2'])
    expect(r.size).toBe(2)
    expect(r.match(V2).status).toBe('disabled')
  })

  it('generates an id in API Gateway style when none is given', () => {
    const r = new ApiKeyRegistry()
    const k = r.add({ value: V1 })
    expect(k.id).toMatch(/^[a-z0-9]{10}$/)
    expect(k.name).toBe(k.id)
    expect(r.get(k.id)).toBe(k)
  })

  it('copies usagePlanIds so later changes to the input do not leak in', () => {
    const plans = ['p1']
    const r = new ApiKeyRegistry([{ id: 'k1', value: V1, usagePlanIds: plans }])
    plans.push('p2')
    expect(r.get('k1')?.usagePlanIds).toEqual(['p1'])
  })

  it('refuses duplicate ids and values with ERR_DUPLICATE_API_KEY', () => {
    expect(codeOf(() => new ApiKeyRegistry([{ id: 'k1', value: V1 }, { id: 'k1', value: V2 }]))).toEqual({ code: 'ERR_DUPLICATE_API_KEY', option: 'apiKeys[1].id' })
    expect(codeOf(() => new ApiKeyRegistry([{ id: 'k1', value: V1 }, { id: 'k2', value: V1 }]))).toEqual({ code: 'ERR_DUPLICATE_API_KEY', option: 'apiKeys[1].value' })
    const r = new ApiKeyRegistry([{ id: 'k1', value: V1 }])
    expect(codeOf(() => r.add({ id: 'k1', value: V2 }))).toEqual({ code: 'ERR_DUPLICATE_API_KEY', option: 'apiKey.id' })
    expect(codeOf(() => r.add({ id: 'k2', value: V1 }))).toEqual({ code: 'ERR_DUPLICATE_API_KEY', option: 'apiKey.value' })
    // the failed adds left nothing behind
    expect(r.size).toBe(1)
    expect(r.get('k2')).toBeUndefined()
    expect(r.match(V2).status).toBe('unknown')
  })

  it.each([
    ['19 characters', 'a'.repeat(19)],
    ['129 characters', 'a'.repeat(129)],
    ['a dash', 'abcdefghij-abcdefghij'],
    ['a space', 'abcdefghij abcdefghij'],
    ['non-ASCII letters', 'abcdefghijéabcdefghij'],
    ['an empty string', ''],
  ])('refuses a value with %s (ERR_INVALID_API_KEY_VALUE)', (_label, value) => {
    expect(codeOf(() => new ApiKeyRegistry([{ id: 'k', value }]))).toEqual({ code: 'ERR_INVALID_API_KEY_VALUE', option: 'apiKeys[0].value' })
    expect(codeOf(() => new ApiKeyRegistry().add({ value }))).toEqual({ code: 'ERR_INVALID_API_KEY_VALUE', option: 'apiKey.value' })
  })

  it('accepts the value bounds 20 and 128', () => {
    const r = new ApiKeyRegistry([
      { id: 'a', value: 'a'.repeat(20) },
      { id: 'b', value: 'b'.repeat(128) },
    ])
    expect(r.match('a'.repeat(20)).key?.id).toBe('a')
    expect(r.match('b'.repeat(128)).key?.id).toBe('b')
  })

  it('refuses a non-string value and other bad fields', () => {
    expect(codeOf(() => new ApiKeyRegistry([{ id: 'k', value: 12345 as unknown as string }]))?.code).toBe('ERR_INVALID_API_KEY_VALUE')
    expect(codeOf(() => new ApiKeyRegistry([null as never]))).toEqual({ code: 'ERR_INVALID_OPTION', option: 'apiKeys[0]' })
    expect(codeOf(() => new ApiKeyRegistry([{ id: '', value: V1 }]))).toEqual({ code: 'ERR_INVALID_OPTION', option: 'apiKeys[0].id' })
    expect(codeOf(() => new ApiKeyRegistry([{ id: 'x'.repeat(129), value: V1 }]))).toEqual({ code: 'ERR_INVALID_OPTION', option: 'apiKeys[0].id' })
    expect(codeOf(() => new ApiKeyRegistry([{ id: 'k', name: 'n'.repeat(1025), value: V1 }]))).toEqual({ code: 'ERR_INVALID_OPTION', option: 'apiKeys[0].name' })
    expect(codeOf(() => new ApiKeyRegistry([{ id: 'k', value: V1, enabled: 'yes' as never }]))).toEqual({ code: 'ERR_INVALID_OPTION', option: 'apiKeys[0].enabled' })
    expect(codeOf(() => new ApiKeyRegistry([{ id: 'k', value: V1, description: 1 as never }]))).toEqual({ code: 'ERR_INVALID_OPTION', option: 'apiKeys[0].description' })
    expect(codeOf(() => new ApiKeyRegistry([{ id: 'k', value: V1, usagePlanIds: [''] }]))).toEqual({ code: 'ERR_INVALID_OPTION', option: 'apiKeys[0].usagePlanIds' })
    expect(codeOf(() => new ApiKeyRegistry([{ id: 'k', value: V1, usagePlanIds: 'p1' as never }]))).toEqual({ code: 'ERR_INVALID_OPTION', option: 'apiKeys[0].usagePlanIds' })
    expect(codeOf(() => new ApiKeyRegistry({} as never))).toEqual({ code: 'ERR_INVALID_OPTION', option: 'apiKeys' })
    expect(new ApiKeyRegistry([{ id: 'k', name: 'n'.repeat(1024), value: V1 }]).get('k')?.name).toHaveLength(1024)
  })

  it('disables and enables keys, taking effect on the next match', () => {
    const r = new ApiKeyRegistry([{ id: 'k1', value: V1, description: 'keep me', usagePlanIds: ['p'] }])
    const d = r.disable('k1')
    expect(d.enabled).toBe(false)
    expect(d).toEqual({ id: 'k1', name: 'k1', value: V1, enabled: false, description: 'keep me', usagePlanIds: ['p'] })
    expect(r.match(V1).status).toBe('disabled')
    expect(r.get('k1')).toBe(d)
    // disabling a disabled key is a no-op returning the same object
    expect(r.disable('k1')).toBe(d)
    const e = r.enable('k1')
    expect(e.enabled).toBe(true)
    expect(r.match(V1)).toEqual({ status: 'ok', key: e })
    expect(r.enable('k1')).toBe(e)
  })

  it('rotates a value: the old value stops matching, the new one matches', () => {
    const r = new ApiKeyRegistry([{ id: 'k1', name: 'First', value: V1, usagePlanIds: ['p'] }])
    const k = r.rotate('k1', V3)
    expect(k).toEqual({ id: 'k1', name: 'First', value: V3, enabled: true, usagePlanIds: ['p'] })
    expect(r.match(V1).status).toBe('unknown')
    expect(r.match(V3)).toEqual({ status: 'ok', key: k })
    expect(r.size).toBe(1)
  })

  it('rotates to a generated value when none is given', () => {
    const r = new ApiKeyRegistry([{ id: 'k1', value: V1 }])
    const k = r.rotate('k1')
    expect(k.value).toMatch(/^[A-Za-z0-9]{40}$/)
    expect(k.value).not.toBe(V1)
    expect(r.match(V1).status).toBe('unknown')
    expect(r.match(k.value).status).toBe('ok')
  })

  it('keeps the old key when a rotation is refused', () => {
    const r = new ApiKeyRegistry([
      { id: 'k1', value: V1 },
      { id: 'k2', value: V2 },
    ])
    expect(codeOf(() => r.rotate('k1', V2))?.code).toBe('ERR_DUPLICATE_API_KEY')
    expect(codeOf(() => r.rotate('k1', 'short'))).toEqual({ code: 'ERR_INVALID_API_KEY_VALUE', option: 'apiKeys["k1"].value' })
    expect(r.match(V1).key?.id).toBe('k1')
    expect(r.match(V2).key?.id).toBe('k2')
    expect(r.list().map((k) => k.id).sort()).toEqual(['k1', 'k2'])
  })

  it('removes keys', () => {
    const r = new ApiKeyRegistry([{ id: 'k1', value: V1 }])
    expect(r.remove('k1')).toBe(true)
    expect(r.remove('k1')).toBe(false)
    expect(r.get('k1')).toBeUndefined()
    expect(r.match(V1).status).toBe('unknown')
    expect(r.size).toBe(0)
    // the id and value are free again
    expect(r.add({ id: 'k1', value: V1 }).id).toBe('k1')
  })

  it('refuses unknown ids with ERR_UNKNOWN_API_KEY', () => {
    const r = new ApiKeyRegistry()
    expect(codeOf(() => r.enable('ghost'))).toEqual({ code: 'ERR_UNKNOWN_API_KEY', option: 'apiKeys["ghost"]' })
    expect(codeOf(() => r.disable('ghost'))).toEqual({ code: 'ERR_UNKNOWN_API_KEY', option: 'apiKeys["ghost"]' })
    expect(codeOf(() => r.rotate('ghost', V1))).toEqual({ code: 'ERR_UNKNOWN_API_KEY', option: 'apiKeys["ghost"]' })
  })

  it('upserts: adds a new value, replaces the key with the same value', () => {
    const r = new ApiKeyRegistry()
    const a = r.upsert({ value: V1, name: 'first', usagePlanIds: ['p1'] })
    expect(r.size).toBe(1)
    const b = r.upsert({ value: V1, name: 'renamed', enabled: false })
    expect(b.id).toBe(a.id)
    expect(b).toEqual({ id: a.id, name: 'renamed', value: V1, enabled: false, usagePlanIds: [] })
    expect(r.size).toBe(1)
    expect(r.get(a.id)).toBe(b)
    expect(r.match(V1).status).toBe('disabled')
    const c = r.upsert({ id: 'new-id', value: V1 })
    expect(c.id).toBe('new-id')
    expect(r.get(a.id)).toBeUndefined()
    expect(r.list()).toEqual([c])
  })

  it('upsert refuses an id taken by another key and keeps both keys', () => {
    const r = new ApiKeyRegistry([
      { id: 'k1', value: V1 },
      { id: 'k2', value: V2 },
    ])
    expect(codeOf(() => r.upsert({ id: 'k2', value: V1 }))?.code).toBe('ERR_DUPLICATE_API_KEY')
    expect(r.match(V1).key?.id).toBe('k1')
    expect(r.match(V2).key?.id).toBe('k2')
    expect(codeOf(() => r.upsert({ value: 'bad' }))?.code).toBe('ERR_INVALID_API_KEY_VALUE')
  })

  it('notifies onChange listeners of adds and changes, until unsubscribed', () => {
    const r = new ApiKeyRegistry([{ id: 'k0', value: V3 }])
    const seen: Array<[string, boolean, string | undefined, boolean | undefined]> = []
    const off = r.onChange((key, previous) => seen.push([key.id, key.enabled, previous?.value, previous?.enabled]))
    r.add({ id: 'k1', value: V1 })
    r.disable('k1')
    r.disable('k1') // no change, no event
    r.enable('k1')
    r.rotate('k1', V2)
    r.upsert({ value: V2, name: 'n' })
    expect(seen).toEqual([
      ['k1', true, undefined, undefined],
      ['k1', false, V1, true],
      ['k1', true, V1, false],
      ['k1', true, V1, true],
      ['k1', true, V2, true],
    ])
    off()
    r.disable('k1')
    r.add({ id: 'k9', value: 'D'.repeat(20) })
    expect(seen).toHaveLength(5)
  })

  it('treats near misses of a real key as unknown', () => {
    const r = new ApiKeyRegistry([{ id: 'k1', value: V1 }])
    expect(r.match(V1.slice(0, -1)).status).toBe('unknown')
    expect(r.match(`${V1}0`).status).toBe('unknown')
    expect(r.match(V1.toUpperCase()).status).toBe('unknown')
    expect(r.match(` ${V1}`).status).toBe('unknown')
    expect(r.match(undefined).status).toBe('missing')
    expect(r.match({ toString: () => V1 }).status).toBe('unknown')
  })
})
