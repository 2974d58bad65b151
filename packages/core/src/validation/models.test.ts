import { describe, expect, it } from 'vitest'
import { ModelSet, rewriteRefs } from './models.js'

describe('schemas with prototype-named properties', () => {
  it('copies a schema keeping __proto__ as an own property, its $ref rewritten', () => {
    // JSON.parse makes "__proto__" an own property, as a schema read from a file has it
    const schema = JSON.parse('{"type":"object","properties":{"__proto__":{"$ref":"Pet"},"constructor":{"type":"number"}}}') as Record<string, unknown>
    const out = rewriteRefs(schema, new Set(['Pet'])) as { properties: Record<string, unknown> }
    expect(Object.prototype.hasOwnProperty.call(out.properties, '__proto__')).toBe(true)
    expect(Object.getPrototypeOf(out.properties)).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptor(out.properties, '__proto__')?.value).toEqual({ $ref: 'sluice-model:Pet' })
    expect(Object.keys(out.properties)).toEqual(['__proto__', 'constructor'])
    expect(JSON.stringify(out)).toBe('{"type":"object","properties":{"__proto__":{"$ref":"sluice-model:Pet"},"constructor":{"type":"number"}}}')
  })

  it('reads prototype-named properties of the body as own properties only', () => {
    const schema = JSON.parse('{"type":"object","required":["__proto__"],"properties":{"constructor":{"type":"number"}}}') as Record<string, unknown>
    const m = new ModelSet({ Odd: schema }).get('Odd')
    expect(m?.validate(JSON.parse('{"__proto__":"text","constructor":1}'))).toEqual({ valid: true })
    // an absent constructor is absent (not Object.prototype.constructor, a function)
    expect(m?.validate(JSON.parse('{"__proto__":"text"}'))).toEqual({ valid: true })
    // an inherited __proto__ is not a property of the body
    expect(m?.validate({}).valid).toBe(false)
    expect(m?.validate(JSON.parse('{"__proto__":"x","constructor":"not a number"}')).valid).toBe(false)
  })

  it('changes no prototype while copying and compiling', () => {
    new ModelSet({ Odd: JSON.parse('{"type":"object","properties":{"__proto__":{"polluted":true}}}') as Record<string, unknown> })
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
  })
})
