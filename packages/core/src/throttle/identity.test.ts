import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { canonicalIp } from '../ip.js'
import { composeKey, ipIdentity } from './identity.js'

describe('composeKey', () => {
  it('is injective over tuples, whatever the parts contain (":", NUL, digits, empty)', () => {
    const part = fc.string({ unit: fc.constantFrom('a', ':', '\0', '1', '2', '|', '/', '') })
    fc.assert(
      fc.property(fc.array(part, { maxLength: 4 }), fc.array(part, { maxLength: 4 }), (a, b) => {
        const same = a.length === b.length && a.every((x, i) => x === b[i])
        return (composeKey('t', ...a) === composeKey('t', ...b)) === same
      }),
      { numRuns: 2000 },
    )
  })

  it('distinguishes the classic delimiter collisions', () => {
    expect(composeKey('p', 'a:b', 'c')).not.toBe(composeKey('p', 'a', 'b:c'))
    expect(composeKey('p', 'a\0', 'b')).not.toBe(composeKey('p', 'a', '\0b'))
    expect(composeKey('p', '1:a')).not.toBe(composeKey('p', '1', 'a'))
  })
})

describe('ipIdentity', () => {
  it('gives distinct IPv4 clients distinct identities, also when they arrive IPv4-mapped', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.ipV4(), (a, b) => {
        const ia = ipIdentity(canonicalIp(`::ffff:${a}`) as string)
        const ib = ipIdentity(canonicalIp(b) as string)
        return (ia === ib) === (a === b)
      }),
      { numRuns: 2000 },
    )
  })

  it('groups IPv6 by /64 (configurable) and keeps networks apart', () => {
    expect(ipIdentity('2001:db8:1:2::1')).toBe(ipIdentity('2001:db8:1:2:ffff:ffff:ffff:ffff'))
    expect(ipIdentity('2001:db8:1:2::1')).not.toBe(ipIdentity('2001:db8:1:3::1'))
    expect(ipIdentity('2001:db8:1:2::1', 48)).toBe(ipIdentity('2001:db8:1:3::1', 48))
    expect(ipIdentity('2001:db8:1:2::1', 128)).not.toBe(ipIdentity('2001:db8:1:2::2', 128))
    expect(ipIdentity('2001:db8::1', 60)).toBe(ipIdentity('2001:db8:0:f::1', 60))
    expect(ipIdentity('2001:db8::1', 60)).not.toBe(ipIdentity('2001:db8:0:10::1', 60))
    expect(ipIdentity('::1')).not.toBe(ipIdentity('1.0.0.0'))
  })
})
