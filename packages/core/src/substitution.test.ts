import { describe, expect, it } from 'vitest'
import { Exchange } from './exchange.js'
import { createRequest, type RequestInit } from './request.js'
import { compileSubstitution, lookup, printValue, renderSubstitution } from './substitution.js'

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5)

function exchangeOf(init: RequestInit = {}, stageVariables: Record<string, string> = { env: 'blue', 'with-dash': 'd' }): Exchange {
  return new Exchange({ request: createRequest(init), requestId: 'req-9', now: NOW, stage: 'dev', stageVariables })
}

const render = (template: string, ex: Exchange = exchangeOf()): string => renderSubstitution(compileSubstitution(template), ex)

describe('compileSubstitution', () => {
  it('splits literal text and references', () => {
    expect(compileSubstitution('a $context.requestId b ${stageVariables.env}c').parts).toEqual([
      'a ',
      { root: 'context', path: ['requestId'] },
      ' b ',
      { root: 'stageVariables', path: ['env'] },
      'c',
    ])
  })

  it('keeps nested paths and leaves text without references alone', () => {
    expect(compileSubstitution('$context.identity.sourceIp').parts).toEqual([{ root: 'context', path: ['identity', 'sourceIp'] }])
    expect(compileSubstitution('no refs here').parts).toEqual(['no refs here'])
    expect(compileSubstitution('').parts).toEqual([])
  })

  it('does not treat $context alone, $input or an unclosed ${ as references', () => {
    expect(compileSubstitution('$context $input.body ${context.requestId').parts).toEqual(['$context $input.body ${context.requestId'])
    expect(compileSubstitution('$util.escapeJavaScript($context)').parts).toEqual(['$util.escapeJavaScript($context)'])
  })

  it('stops a bare reference at a trailing dot or other punctuation', () => {
    expect(compileSubstitution('"$context.requestId".').parts).toEqual(['"', { root: 'context', path: ['requestId'] }, '".'])
    expect(compileSubstitution('$context.a-b').parts).toEqual([{ root: 'context', path: ['a'] }, '-b'])
    expect(compileSubstitution('${context.a-b}').parts).toEqual([{ root: 'context', path: ['a-b'] }])
  })
})

describe('renderSubstitution', () => {
  it('renders context values, including getters', () => {
    const ex = exchangeOf({ url: '/pets/1?x=1', headers: { host: 'api.example.com', 'user-agent': 'UA/1' }, ip: '198.51.100.2' })
    expect(render('$context.requestId|$context.stage|$context.httpMethod|$context.path|$context.resourcePath|$context.domainName', ex)).toBe(
      'req-9|dev|GET|/pets/1|/pets/1|api.example.com',
    )
    expect(render('$context.requestTime|$context.requestTimeEpoch|$context.protocol', ex)).toBe(`02/Jan/2026:03:04:05 +0000|${NOW}|HTTP/1.1`)
    expect(render('${context.identity.sourceIp} ${context.identity.userAgent}', ex)).toBe('198.51.100.2 UA/1')
  })

  it('renders stage variables in both spellings, including names with a dash in braces', () => {
    expect(render('$stageVariables.env/${stageVariables.env}/${stageVariables.with-dash}')).toBe('blue/blue/d')
  })

  it('renders missing values as empty', () => {
    expect(render('[$context.nothing][$context.identity.nothing.deeper][$stageVariables.nope][$context.requestId.length]')).toBe('[][][][]')
    // userAgent is null when there is no user-agent header
    expect(render('[$context.identity.userAgent]')).toBe('[]')
  })

  it('renders objects as JSON, numbers and booleans as text', () => {
    const ex = exchangeOf()
    ex.context.authorizer['n'] = 5
    ex.context.authorizer['b'] = false
    ex.context.authorizer['o'] = { a: [1, 'x'] }
    expect(render('$context.authorizer.n $context.authorizer.b $context.authorizer.o', ex)).toBe('5 false {"a":[1,"x"]}')
  })

  it('renders prototype keys as empty', () => {
    expect(render('[$context.__proto__][${context.__proto__}][$context.constructor][$context.prototype]')).toBe('[][][][]')
    expect(render('[$stageVariables.__proto__][$stageVariables.constructor][$context.identity.constructor.name]')).toBe('[][][]')
    expect(render('[$context.authorizer.__proto__][$context.authorizer.constructor]')).toBe('[][]')
  })

  it('renders inherited functions as empty, never as "undefined" or source text', () => {
    expect(render('[$context.toString][$context.toJSON][$context.hasOwnProperty][$stageVariables.toString][$stageVariables.valueOf]')).toBe('[][][][][]')
  })

  it('does not pollute prototypes or evaluate anything', () => {
    const before = Object.keys(Object.prototype)
    expect(render('$context.__proto__.polluted ${context.constructor.prototype}')).toBe(' ')
    expect(Object.keys(Object.prototype)).toEqual(before)
  })

  it('compiles once and renders per exchange', () => {
    const tpl = compileSubstitution('{"id":"$context.requestId"}')
    const a = new Exchange({ request: createRequest(), requestId: 'A', now: 0, stage: 's', stageVariables: {} })
    const b = new Exchange({ request: createRequest(), requestId: 'B', now: 0, stage: 's', stageVariables: {} })
    expect(renderSubstitution(tpl, a)).toBe('{"id":"A"}')
    expect(renderSubstitution(tpl, b)).toBe('{"id":"B"}')
  })
})

describe('lookup / printValue', () => {
  it('walks context and stage variables', () => {
    const ex = exchangeOf()
    expect(lookup(ex, 'context', ['requestId'])).toBe('req-9')
    expect(lookup(ex, 'stageVariables', ['env'])).toBe('blue')
    expect(lookup(ex, 'context', ['identity', 'sourceIp'])).toBe('')
    expect(lookup(ex, 'context', ['stage', 'x'])).toBeUndefined()
    expect(lookup(ex, 'context', ['__proto__'])).toBeUndefined()
    expect(lookup(ex, 'stageVariables', ['constructor'])).toBeUndefined()
  })

  it('prints values', () => {
    expect(printValue(undefined)).toBe('')
    expect(printValue(null)).toBe('')
    expect(printValue('s')).toBe('s')
    expect(printValue(0)).toBe('0')
    expect(printValue(true)).toBe('true')
    expect(printValue({ a: 1 })).toBe('{"a":1}')
    expect(printValue([1, 2])).toBe('[1,2]')
  })
})
