import { describe, expect, it } from 'vitest'
import { compileTemplates, mediaTypeOf, selectRequestTemplate, selectResponseTemplate } from './selection.js'

const set = compileTemplates({ 'application/json': 'J', 'Application/XML': 'X' }, undefined, 'request')
const none = compileTemplates(undefined, undefined, 'request')

describe('template selection', () => {
  it('media types: parameters and case dropped; absent or empty → application/json; first of a list', () => {
    expect(mediaTypeOf('application/json; charset=UTF-8')).toBe('application/json')
    expect(mediaTypeOf(' Application/JSON ')).toBe('application/json')
    expect(mediaTypeOf(null)).toBe('application/json')
    expect(mediaTypeOf('')).toBe('application/json')
    expect(mediaTypeOf('text/html, application/xml;q=0.9')).toBe('text/html')
  })

  it('request: a matching template always applies', () => {
    for (const b of ['WHEN_NO_MATCH', 'WHEN_NO_TEMPLATES', 'NEVER'] as const) {
      const c = selectRequestTemplate(set, 'application/xml', b)
      expect(c.kind === 'template' && c.template.source).toBe('X')
    }
    const absent = selectRequestTemplate(set, null)
    expect(absent.kind === 'template' && absent.template.source).toBe('J')
  })

  it('request: passthroughBehavior when nothing matches', () => {
    expect(selectRequestTemplate(set, 'text/plain', 'WHEN_NO_MATCH').kind).toBe('passthrough')
    expect(selectRequestTemplate(set, 'text/plain', 'WHEN_NO_TEMPLATES').kind).toBe('unsupported')
    expect(selectRequestTemplate(set, 'text/plain', 'NEVER').kind).toBe('unsupported')
    expect(selectRequestTemplate(none, 'text/plain', 'WHEN_NO_TEMPLATES').kind).toBe('passthrough')
    expect(selectRequestTemplate(none, 'text/plain', 'NEVER').kind).toBe('unsupported')
  })

  it('response: by Accept, else the first template, else none', () => {
    expect(selectResponseTemplate(set, 'application/xml')?.template.source).toBe('X')
    expect(selectResponseTemplate(set, 'text/html')?.mediaType).toBe('application/json')
    expect(selectResponseTemplate(set, null)?.template.source).toBe('J')
    expect(selectResponseTemplate(none, 'application/json')).toBeUndefined()
  })

  it('bad keys and duplicate media types are configuration errors', () => {
    expect(() => compileTemplates({ json: 'x' }, undefined, 'request')).toThrow(/ERR_INVALID_TEMPLATE/)
    expect(() => compileTemplates({ 'application/json': 'a', 'APPLICATION/JSON': 'b' }, undefined, 'request')).toThrow(/twice/)
    expect(() => compileTemplates({ 'application/json': '#if(' }, undefined, 'request')).toThrow(/request\["application\/json"\]/)
  })
})
