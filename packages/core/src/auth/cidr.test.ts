import { BlockList } from 'node:net'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseCidr, parseIp } from './cidr.js'

const ipOf = (s: string) => {
  const p = parseIp(s)
  if (p === undefined) throw new Error(`not an address: ${s}`)
  return p
}

describe('CIDR matching', () => {
  it('IPv4 ranges, single addresses, /0 and /32', () => {
    expect(parseCidr('10.0.0.0/8')?.contains(ipOf('10.255.1.2'))).toBe(true)
    expect(parseCidr('10.0.0.0/8')?.contains(ipOf('11.0.0.0'))).toBe(false)
    expect(parseCidr('0.0.0.0/0')?.contains(ipOf('255.255.255.255'))).toBe(true)
    expect(parseCidr('192.0.2.1')?.contains(ipOf('192.0.2.1'))).toBe(true)
    expect(parseCidr('192.0.2.1/32')?.contains(ipOf('192.0.2.2'))).toBe(false)
  })
  it('IPv6 ranges with partial words; families never mix; mapped IPv4 is IPv4', () => {
    expect(parseCidr('2001:db8:ab00::/40')?.contains(ipOf('2001:db8:abff:1::1'))).toBe(true)
    expect(parseCidr('2001:db8:ab00::/40')?.contains(ipOf('2001:db8:ac00::1'))).toBe(false)
    expect(parseCidr('::/0')?.contains(ipOf('1.2.3.4'))).toBe(false)
    expect(parseCidr('1.2.3.0/24')?.contains(ipOf('::ffff:1.2.3.9'))).toBe(true)
    expect(parseCidr('2001:DB8::1')?.contains(ipOf('2001:0db8:0:0::1%eth0'))).toBe(true)
  })
  it.each(['1.2.3.4/33', '1.2.3.256', '1.2.3', '2001:db8::/129', 'x', '1.2.3.4/', '1.2.3.4/-1', '::1/08a'])('refuses %s', (s) => {
    expect(parseCidr(s)).toBeUndefined()
  })
  it('agrees with node:net BlockList on random IPv4 and IPv6 ranges', () => {
    const v4 = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 })).map((a) => a.join('.'))
    const v6 = fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }).map((a) => a.map((x) => x.toString(16)).join(':'))
    fc.assert(
      fc.property(v4, v4, fc.integer({ min: 0, max: 32 }), (net, ip, bits) => {
        const b = new BlockList()
        b.addSubnet(net, bits, 'ipv4')
        return parseCidr(`${net}/${bits}`)?.contains(ipOf(ip)) === b.check(ip, 'ipv4')
      }),
    )
    fc.assert(
      fc.property(v6, v6, fc.integer({ min: 0, max: 128 }), (net, ip, bits) => {
        const b = new BlockList()
        b.addSubnet(net, bits, 'ipv6')
        const close = `${net.split(':').slice(0, 4).join(':')}:${ip.split(':').slice(4).join(':')}`
        return [ip, close].every((x) => parseCidr(`${net}/${bits}`)?.contains(ipOf(x)) === b.check(x, 'ipv6'))
      }),
    )
  })
})
