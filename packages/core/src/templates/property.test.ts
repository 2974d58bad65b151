import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compileTemplate } from './render.js'

/** Any UTF-16 string, weighted toward the characters that break JSON: quotes, backslashes, line breaks, U+2028/9, lone surrogates. */
const nasty = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom('"', '\\', "'", '/', '\n', '\r', '\t', '\u2028', '\u2029', '\ud800', '\udfff', '\u0000', '\u001f', '\u007f', '😀', 'é', '$', '#', '{', '}') },
      { weight: 3, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) },
      { weight: 2, arbitrary: fc.string() },
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''))

const ESCAPED = compileTemplate(`{"v": "$util.escapeJavaScript($input.path('$.s')).replaceAll("\\\\'","'")"}`)
const JSON_VALUE = compileTemplate(`{"v": $input.json('$.s')}`)
const PASS = compileTemplate(`$input.json('$')`)
const PARAM = compileTemplate(`{"v": "$util.escapeJavaScript($input.params('q')).replaceAll("\\\\'","'")"}`)

describe('templates built with $util.escapeJavaScript / $input.json give JSON for any input', () => {
  it('escapeJavaScript + the documented replaceAll round-trips any string', () => {
    fc.assert(
      fc.property(nasty, (s) => {
        const out = ESCAPED.render({ body: JSON.stringify({ s }) }).body
        expect((JSON.parse(out) as { v: string }).v).toBe(s)
      }),
      { numRuns: 2000 },
    )
  })

  it('$input.json round-trips any string', () => {
    fc.assert(
      fc.property(nasty, (s) => {
        const out = JSON_VALUE.render({ body: JSON.stringify({ s }) }).body
        expect((JSON.parse(out) as { v: string }).v).toBe(s)
      }),
      { numRuns: 2000 },
    )
  })

  it("$input.json('$') round-trips any JSON value", () => {
    fc.assert(
      fc.property(fc.jsonValue(), nasty, (value, s) => {
        const doc = { value, s }
        expect(JSON.parse(PASS.render({ body: JSON.stringify(doc, null, 1) }).body)).toEqual(JSON.parse(JSON.stringify(doc)))
      }),
      { numRuns: 1000 },
    )
  })

  it('a parameter escaped into a JSON string round-trips', () => {
    fc.assert(
      fc.property(nasty, (s) => {
        const out = PARAM.render({ query: { q: s } }).body
        expect((JSON.parse(out) as { v: string }).v).toBe(s)
      }),
      { numRuns: 1000 },
    )
  })
})
