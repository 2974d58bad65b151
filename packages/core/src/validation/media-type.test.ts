import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { mediaTypeEssence } from './media-type.js'

describe('mediaTypeEssence', () => {
  it('returns the lower-case type/subtype without parameters', () => {
    expect(mediaTypeEssence('application/json')).toBe('application/json')
    expect(mediaTypeEssence('Application/JSON')).toBe('application/json')
    expect(mediaTypeEssence('application/json; charset=UTF-8')).toBe('application/json')
    expect(mediaTypeEssence('application/json;charset="utf-8"; q=1')).toBe('application/json')
    expect(mediaTypeEssence('  text/plain  ')).toBe('text/plain')
    expect(mediaTypeEssence('application/vnd.api+json')).toBe('application/vnd.api+json')
    expect(mediaTypeEssence('text/plain; a="q\\"uoted;semi"')).toBe('text/plain')
  })

  it('refuses values that only look like a media type', () => {
    for (const v of ['application/json\tx', 'application/json x', 'application/json,text/plain', 'application/json;charset', 'application/json;=x', 'application /json', 'application/', '/json', 'json', '', 'application/json;a="open', 'application/js(on', 'a/b/c', 'application/json\u0000', 'application/json\r\n']) {
      expect(mediaTypeEssence(v), JSON.stringify(v)).toBeNull()
    }
  })
})


describe('mediaTypeEssence (property)', () => {
  it('never throws, and reads as application/json only what starts with it and then has nothing or parameters', () => {
    const pieces = fc.constantFrom('application/json', 'APPLICATION/JSON', ';', ' ', '\t', 'x', '=', '"', ',', '\\', 'charset=utf-8', '\u000b', '\r', '\n', '/', '+json')
    fc.assert(
      fc.property(fc.array(fc.oneof(pieces, fc.string({ maxLength: 3 })), { maxLength: 8 }), (parts) => {
        const value = parts.join('')
        const essence = mediaTypeEssence(value)
        if (essence === 'application/json') {
          const rest = value.replace(/^[ \t]*application\/json/i, '')
          expect(rest === value ? 'no prefix' : rest).toMatch(/^[ \t]*(;.*)?$/s)
        }
        if (essence !== null) expect(essence).toBe(essence.toLowerCase())
      }),
      { numRuns: 2000 },
    )
  })
})
