import { describe, expect, it } from 'vitest'
import { compileSelectionPattern } from './integration-response.js'
import { unsafeRegexReason } from './regex-safety.js'

describe('catastrophic-backtracking check for configured patterns', () => {
  it('accepts the patterns selection uses', () => {
    for (const p of ['2\\d{2}', '4\\d{2}', '5..', '.*', '.+', '.*four hundred.*', '.*[Nn]ot [Ff]ound.*', '(400|404)', 'Error: (\\w+) at .*', '\\d{3}(\\s\\w+)?', '(\\d{3})+', '(?:ab)+c', '[a-z]+-[0-9]+', '.*a.*b.*c']) {
      expect(unsafeRegexReason(p), p).toBeUndefined()
    }
  })

  it('refuses nested quantifiers, repeated alternations and back-references', () => {
    for (const p of ['(a+)+', '(a*)*b', '(\\w+\\s?)*$', '(.*a){2,}', '((ab)*c)+', '(a|ab)*', '(x|y)+z', '(a)\\1', '(?<n>a)\\k<n>', '([a-z]+)*']) {
      expect(unsafeRegexReason(p), p).toBeDefined()
    }
  })

  it('compileSelectionPattern: whole-value match, ERR_UNSAFE_REGEX and invalid patterns', () => {
    const re = compileSelectionPattern('.*four hundred.*', 'p')
    expect(re.test('error: four hundred and two')).toBe(true)
    // Java's . does not match a line break: AWS documents that .+ misses multi-line messages
    expect(re.test('multi\nline four hundred')).toBe(false)
    expect(compileSelectionPattern('.+', 'p').test('a\nb')).toBe(false)
    expect(compileSelectionPattern('4\\d{2}', 'p').test('4040')).toBe(false)
    expect(() => compileSelectionPattern('(a+)+', 'p')).toThrow(/ERR_UNSAFE_REGEX/)
    expect(() => compileSelectionPattern('[', 'p')).toThrow(/ERR_INVALID_TRANSFORM/)
  })
})
