import { describe, expect, it } from 'vitest'
import { composeKey } from '@sluice/core'
import { parseEntry, serialiseEntry } from './cache-store.js'
import { Codec, digest } from './codec.js'
import { identityTag } from './throttle-store.js'

describe('Codec', () => {
  const key = Buffer.alloc(32, 1)

  it('seals with AES-256-GCM bound to the Redis key; a wrong key, another name or a flipped bit does not open', () => {
    const codec = new Codec(key)
    const sealed = codec.encode(Buffer.from('hello'), 'k1')
    expect(sealed.includes('hello')).toBe(false)
    expect(codec.decode(sealed, 'k1')?.toString()).toBe('hello')
    expect(codec.decode(sealed, 'k2')).toBeUndefined()
    expect(new Codec(Buffer.alloc(32, 2)).decode(sealed, 'k1')).toBeUndefined()
    const flipped = Buffer.from(sealed)
    flipped[flipped.length - 1] = (flipped[flipped.length - 1] as number) ^ 1
    expect(codec.decode(flipped, 'k1')).toBeUndefined()
    // two seals of one value differ (random IV)
    expect(codec.encode(Buffer.from('hello'), 'k1').equals(sealed)).toBe(false)
  })

  it('never reads a plain value when a key is set, nor a sealed one without it', () => {
    const plain = new Codec(undefined).encode(Buffer.from('x'), 'k')
    expect(new Codec(key).decode(plain, 'k')).toBeUndefined()
    expect(new Codec(undefined).decode(new Codec(key).encode(Buffer.from('x'), 'k'), 'k')).toBeUndefined()
    expect(new Codec(undefined).decode(plain, 'k')?.toString()).toBe('x')
  })

  it('names are digests, never the key text', () => {
    expect(digest('header.authorization=["Bearer abc"]')).not.toContain('Bearer')
    expect(digest('a')).toBe(digest('a'))
    expect(digest('a')).not.toBe(digest('b'))
  })
})

describe('cache entries', () => {
  it('round-trip status, headers, binary body, times and paths', () => {
    const body = Buffer.from([0, 255, 10, 13, 1])
    const e = { response: { status: 203, headers: { a: 'b', 'content-type': 'x/y' }, body }, storedAt: 1, expiresAt: 2, path: '/p?q', resourcePath: '/p' }
    const back = parseEntry(serialiseEntry(e))
    expect(back).toMatchObject({ storedAt: 1, expiresAt: 2, path: '/p?q', resourcePath: '/p', response: { status: 203, headers: { a: 'b', 'content-type': 'x/y' } } })
    expect(Buffer.from(back?.response.body as Uint8Array).equals(body)).toBe(true)
    expect(parseEntry(Buffer.from([0, 0, 0, 99]))).toBeUndefined()
  })
})

describe('identityTag', () => {
  it("is the caller's identity for plan, plan-method and quota keys, the key itself for shared buckets", () => {
    const id = composeKey('k', 'gold')
    expect(identityTag(composeKey('p', 'plan', id))).toBe(id)
    expect(identityTag(composeKey('m', 'plan', id, 'prod', '/pets/GET'))).toBe(id)
    expect(identityTag(composeKey('q', 'plan', id))).toBe(id)
    expect(identityTag(composeKey('s', 'prod', '/pets/GET'))).toBe(composeKey('s', 'prod', '/pets/GET'))
    expect(identityTag('a')).toBe('a')
    expect(identityTag(composeKey('p', 'plan', composeKey('c', 'x{y}z')))).not.toMatch(/[{}]/)
  })
})
