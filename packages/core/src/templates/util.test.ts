import { describe, expect, it } from 'vitest'
import { renderTemplate } from './render.js'
import { base64Decode, base64Encode, escapeJavaScript, parseJson, urlDecode, urlEncode } from './util.js'

describe('$util.escapeJavaScript (Commons Lang escapeJavaScript)', () => {
  it('escapes quotes, backslash and slash; control characters; non-ASCII as upper-case \\uXXXX', () => {
    expect(escapeJavaScript(`it's "q" \\ /`)).toBe(`it\\'s \\"q\\" \\\\ \\/`)
    expect(escapeJavaScript('a\nb\rc\td\be\ff')).toBe('a\\nb\\rc\\td\\be\\ff')
    expect(escapeJavaScript('\u0001\u001f')).toBe('\\u0001\\u001F')
    expect(escapeJavaScript('é€\u2028😀')).toBe('\\u00E9\\u20AC\\u2028\\uD83D\\uDE00')
    expect(escapeJavaScript('\ud800')).toBe('\\uD800')
    expect(escapeJavaScript('plain text 123')).toBe('plain text 123')
    expect(escapeJavaScript('\u007f')).toBe('\\u007F')
  })

  it('the documented JSON idiom: .replaceAll("\\\\\'","\'") makes valid JSON', () => {
    const out = renderTemplate(`{"v": "$util.escapeJavaScript($input.path('$.s')).replaceAll("\\\\'","'")"}`, { body: JSON.stringify({ s: `it's "x"\n` }) })
    expect(JSON.parse(out)).toEqual({ v: `it's "x"\n` })
  })

  it('null gives empty', () => {
    expect(renderTemplate("[$util.escapeJavaScript($input.path('$.none'))]", { body: '{}' })).toBe('[]')
  })
})

describe('$util.urlEncode / urlDecode (application/x-www-form-urlencoded, UTF-8)', () => {
  it('AWS examples', () => {
    expect(urlEncode('{"some": "value"}')).toBe('%7B%22some%22%3A+%22value%22%7D')
    expect(urlEncode('some raw data')).toBe('some+raw+data')
    expect(renderTemplate('$util.urlEncode($input.body)')).toBe('%7B%7D')
    expect(renderTemplate("[$util.urlEncode($input.path('$.none'))]", { body: '{}' })).toBe('[]')
  })

  it('keeps . - * _ and alphanumerics; UTF-8 bytes; lone surrogates as ?', () => {
    expect(urlEncode('a.b-c*d_e~f')).toBe('a.b-c*d_e%7Ef')
    expect(urlEncode('é😀')).toBe('%C3%A9%F0%9F%98%80')
    expect(urlEncode('\ud800')).toBe('%3F')
  })

  it('decodes + and %XX (UTF-8); a malformed escape fails', () => {
    expect(urlDecode('a+b%20c%C3%A9')).toBe('a b cé')
    expect(urlDecode(urlEncode('{"some": "value"} é😀'))).toBe('{"some": "value"} é😀')
    expect(() => urlDecode('%zz')).toThrow(/malformed/)
  })
})

describe('$util.base64Encode / base64Decode', () => {
  it('UTF-8 bytes, standard alphabet with padding', () => {
    expect(base64Encode('hello')).toBe('aGVsbG8=')
    expect(base64Encode('é')).toBe('w6k=')
    expect(base64Decode('aGVsbG8=')).toBe('hello')
    expect(base64Decode(base64Encode('{"a":"é😀"}'))).toBe('{"a":"é😀"}')
    expect(renderTemplate('$util.base64Decode($util.base64Encode("x y"))')).toBe('x y')
  })
})

describe('$util.parseJson', () => {
  it('the developer guide example: a JSON string inside errorMessage', () => {
    const body = JSON.stringify({ errorMessage: JSON.stringify({ key1: 'var1', key2: { arr: [1, 2, 3] } }) })
    expect(renderTemplate("$util.parseJson($input.path('$.errorMessage')).key2.arr[0]", { body })).toBe('1')
    expect(renderTemplate("$util.parseJson($input.path('$.errorMessage')).key1", { body })).toBe('var1')
  })

  it('invalid JSON fails the render', () => {
    expect(() => parseJson('{')).toThrow(/parseJson/)
  })
})
