import { describe, expect, it } from 'vitest'
import { API_KEY_VALUE, digestKey, generateApiKeyValue, generateId } from './value.js'

describe('generateApiKeyValue', () => {
  it('makes a 40-character alphanumeric value by default', () => {
    const v = generateApiKeyValue()
    expect(v).toHaveLength(40)
    expect(v).toMatch(/^[A-Za-z0-9]+$/)
    expect(API_KEY_VALUE.test(v)).toBe(true)
  })

  it.each([20, 21, 64, 127, 128])('makes AWS-valid values of length %i', (length) => {
    const v = generateApiKeyValue(length)
    expect(v).toHaveLength(length)
    expect(v).toMatch(/^[A-Za-z0-9]+$/)
  })

  it('makes distinct values', () => {
    const values = new Set(Array.from({ length: 500 }, () => generateApiKeyValue(20)))
    expect(values.size).toBe(500)
  })

  it('uses the whole alphabet (upper, lower and digits)', () => {
    const all = Array.from({ length: 50 }, () => generateApiKeyValue(128)).join('')
    expect(new Set(all).size).toBe(62)
  })

  it.each([19, 129, 0, -1, 20.5, Number.NaN, Number.POSITIVE_INFINITY, '40'])('throws RangeError for length %s', (length) => {
    expect(() => generateApiKeyValue(length as number)).toThrow(RangeError)
    expect(() => generateApiKeyValue(length as number)).toThrow('API key length must be an integer from 20 to 128')
  })
})

describe('generateId / digestKey / API_KEY_VALUE', () => {
  it('generates 10 lower-case alphanumerics', () => {
    const ids = Array.from({ length: 50 }, () => generateId())
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]{10}$/)
    expect(new Set(ids).size).toBe(50)
  })

  it('digests to a fixed-length SHA-256 base64 string', () => {
    expect(digestKey('abc')).toBe('ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=')
    expect(digestKey('a'.repeat(128))).toHaveLength(44)
    expect(digestKey('x')).not.toBe(digestKey('y'))
  })

  it('matches exactly the AWS rule', () => {
    expect(API_KEY_VALUE.test('a'.repeat(20))).toBe(true)
    expect(API_KEY_VALUE.test('a'.repeat(128))).toBe(true)
    expect(API_KEY_VALUE.test('a'.repeat(19))).toBe(false)
    expect(API_KEY_VALUE.test('a'.repeat(129))).toBe(false)
    expect(API_KEY_VALUE.test(`${'a'.repeat(20)}\n`)).toBe(false)
    expect(API_KEY_VALUE.test(`${'a'.repeat(19)}_`)).toBe(false)
  })
})
