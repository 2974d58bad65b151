import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isSluiceConfigError } from './errors.js'
import { canonicalIp, createIpResolver, type TrustProxy } from './ip.js'

function trustError(trust: unknown): { code: string; option: string; message: string } {
  try {
    createIpResolver(trust as TrustProxy)
  } catch (e) {
    if (isSluiceConfigError(e)) return { code: e.code, option: e.option, message: e.message }
    throw e
  }
  throw new Error('expected createIpResolver to throw')
}

describe('canonicalIp', () => {
  it.each([
    ['1.2.3.4', '1.2.3.4'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    ['::ffff:1.2.3.4', '1.2.3.4'],
    ['::FFFF:1.2.3.4', '1.2.3.4'],
    ['::ffff:0102:0304', '1.2.3.4'],
    ['::ffff:102:304', '1.2.3.4'],
    ['0:0:0:0:0:ffff:7f00:1', '127.0.0.1'],
    ['::ffff:0:0', '0.0.0.0'],
    ['[::ffff:10.0.0.1]', '10.0.0.1'],
    ['::ffff:1.2.3.4%eth0', '1.2.3.4'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:DB8::ABCD', '2001:db8::abcd'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['::1', '::1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['FE80::1%25en0', 'fe80::1'],
    ['[2001:db8::1]', '2001:db8::1'],
  ])('canonicalises %j to %j', (input, expected) => {
    expect(canonicalIp(input)).toBe(expected)
  })

  it.each(['', 'garbage', '1.2.2.355', '256.1.1.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.4/24', ' 1.2.3.4', '::ffff:1.2.3.256', '::g', '1:2:3:4:5:6:7:8:9', 'localhost', '[1.2.3.4]', '1.2.3.4%eth0'])(
    'returns undefined for %j',
    (input) => {
      expect(canonicalIp(input)).toBeUndefined()
    },
  )

  it('never maps a bad octet onto another address (1.2.2.355 is not 1.2.3.99)', () => {
    expect(canonicalIp('1.2.2.355')).toBeUndefined()
    expect(canonicalIp('1.2.3.99')).toBe('1.2.3.99')
  })

  it('property: distinct IPv4 addresses as IPv4-mapped IPv6 canonicalise to distinct IPv4 results', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.ipV4(), { minLength: 2, maxLength: 20 }), fc.boolean(), (ips, hex) => {
        const mapped = ips.map((ip) => {
          if (!hex) return `::ffff:${ip}`
          const [a = 0, b = 0, c = 0, d = 0] = ip.split('.').map(Number)
          return `::ffff:${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
        })
        const out = mapped.map((m) => canonicalIp(m))
        expect(out).toEqual(ips)
        expect(new Set(out).size).toBe(ips.length)
      }),
      { numRuns: 300 },
    )
  })

  it('property: the default resolver keeps dual-stack IPv4 clients apart', () => {
    const resolve = createIpResolver(undefined)
    fc.assert(
      fc.property(fc.ipV4(), fc.ipV4(), (a, b) => {
        fc.pre(a !== b)
        expect(resolve(`::ffff:${a}`, undefined)).toBe(a)
        expect(resolve(`::ffff:${a}`, undefined)).not.toBe(resolve(`::ffff:${b}`, undefined))
        expect(resolve(`::ffff:${a}`, undefined)).toBe(resolve(a, undefined))
      }),
    )
  })

  it('property: canonical output is a fixed point', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (ip) => {
        const c = canonicalIp(ip)
        expect(c).toBeDefined()
        expect(canonicalIp(c as string)).toBe(c)
      }),
    )
  })
})

describe('createIpResolver', () => {
  it('by default uses the socket address and ignores X-Forwarded-For', () => {
    for (const trust of [undefined, false] as const) {
      const resolve = createIpResolver(trust)
      expect(resolve('10.0.0.1', '203.0.113.5')).toBe('10.0.0.1')
      expect(resolve('::ffff:10.0.0.1', '203.0.113.5')).toBe('10.0.0.1')
      expect(resolve('2001:DB8::1', null)).toBe('2001:db8::1')
      expect(resolve(undefined, '203.0.113.5')).toBe('')
      expect(resolve('not-an-ip', '203.0.113.5')).toBe('')
    }
  })

  it('walks X-Forwarded-For right to left through trusted hops only', () => {
    const resolve = createIpResolver(['10.0.0.0/8', '192.168.1.1'])
    // client -> 192.168.1.1 -> 10.1.2.3 -> us
    expect(resolve('10.1.2.3', '203.0.113.5, 192.168.1.1')).toBe('203.0.113.5')
    // a spoofed leftmost entry stays behind the first untrusted hop
    expect(resolve('10.1.2.3', '6.6.6.6, 203.0.113.5, 192.168.1.1')).toBe('203.0.113.5')
    expect(resolve('10.1.2.3', '6.6.6.6,203.0.113.5')).toBe('203.0.113.5')
    // IPv4-mapped socket addresses and hops are canonicalised
    expect(resolve('::ffff:10.1.2.3', ' ::ffff:203.0.113.5 ')).toBe('203.0.113.5')
  })

  it('never uses a spoofed leftmost entry with one trusted proxy', () => {
    const resolve = createIpResolver(['10.0.0.1'])
    expect(resolve('10.0.0.1', '1.1.1.1, 198.51.100.7')).toBe('198.51.100.7')
    expect(resolve('10.0.0.1', '10.0.0.1, 198.51.100.7')).toBe('198.51.100.7')
    expect(resolve('10.0.0.1', '198.51.100.7')).toBe('198.51.100.7')
  })

  it('ignores X-Forwarded-For from a peer that is not trusted', () => {
    const resolve = createIpResolver(['10.0.0.1'])
    expect(resolve('198.51.100.7', '1.1.1.1')).toBe('198.51.100.7')
    expect(resolve('10.0.0.2', '1.1.1.1')).toBe('10.0.0.2')
  })

  it('gives two real clients behind one trusted proxy two addresses', () => {
    const resolve = createIpResolver(['10.0.0.1'])
    expect(resolve('10.0.0.1', '198.51.100.7')).not.toBe(resolve('10.0.0.1', '198.51.100.8'))
  })

  it('stops at a hop that is not an address, keeping the last trusted one', () => {
    const resolve = createIpResolver(['10.0.0.0/8'])
    expect(resolve('10.0.0.1', 'garbage')).toBe('10.0.0.1')
    expect(resolve('10.0.0.1', '198.51.100.7, 1.2.2.355')).toBe('10.0.0.1')
    expect(resolve('10.0.0.1', '198.51.100.7, 10.0.0.2, ')).toBe('10.0.0.1')
    expect(resolve('10.0.0.1', '')).toBe('10.0.0.1')
    expect(resolve('10.0.0.1', null)).toBe('10.0.0.1')
  })

  it('walks all the way when every hop is trusted', () => {
    const resolve = createIpResolver(['10.0.0.0/8'])
    expect(resolve('10.0.0.1', '10.0.0.3, 10.0.0.2')).toBe('10.0.0.3')
  })

  it('supports IPv6 CIDRs and IPv4-mapped trust entries', () => {
    const resolve = createIpResolver(['2001:db8::/32', '::ffff:172.16.0.1'])
    expect(resolve('2001:DB8:1::9', '203.0.113.5')).toBe('203.0.113.5')
    expect(resolve('2001:db9::1', '203.0.113.5')).toBe('2001:db9::1')
    expect(resolve('172.16.0.1', '203.0.113.5')).toBe('203.0.113.5')
    expect(resolve('::ffff:172.16.0.1', '2001:0db8::0005')).toBe('2001:db8::5')
  })

  it('accepts a function, called with canonical addresses', () => {
    const asked: string[] = []
    const resolve = createIpResolver((addr) => {
      asked.push(addr)
      return addr === '10.0.0.1'
    })
    expect(resolve('::ffff:10.0.0.1', '203.0.113.5')).toBe('203.0.113.5')
    expect(asked).toEqual(['10.0.0.1'])
    asked.length = 0
    expect(resolve('::ffff:10.0.0.1', '::ffff:198.51.100.1, ::FFFF:10.0.0.1')).toBe('198.51.100.1')
    expect(asked).toEqual(['10.0.0.1', '10.0.0.1'])
  })

  it('refuses true with ERR_INVALID_TRUST_PROXY', () => {
    const e = trustError(true)
    expect(e.code).toBe('ERR_INVALID_TRUST_PROXY')
    expect(e.option).toBe('trustProxy')
    expect(e.message).toContain('true would let any client choose its address')
  })

  it.each([1, 'loopback', {}, null])('refuses %j', (trust) => {
    expect(trustError(trust)).toMatchObject({ code: 'ERR_INVALID_TRUST_PROXY', option: 'trustProxy' })
  })

  it.each([
    ['10.0.0.0/33', 'invalid prefix length'],
    ['10.0.0.0/', 'invalid prefix length'],
    ['10.0.0.0/x', 'invalid prefix length'],
    ['10.0.0.0/-1', 'invalid prefix length'],
    ['10.0.0.0/8.5', 'invalid prefix length'],
    ['::/129', 'invalid prefix length'],
    ['10.0.0.256/8', 'is not an IP address or CIDR range'],
    ['proxy.local', 'is not an IP address or CIDR range'],
    ['', 'is not an IP address or CIDR range'],
  ])('refuses the CIDR %j', (entry, message) => {
    const e = trustError(['10.0.0.1', entry])
    expect(e).toMatchObject({ code: 'ERR_INVALID_TRUST_PROXY', option: 'trustProxy[1]' })
    expect(e.message).toContain(message)
  })

  it('refuses a non-string entry and names a custom option path', () => {
    expect(trustError([42])).toMatchObject({ code: 'ERR_INVALID_TRUST_PROXY', option: 'trustProxy[0]' })
    try {
      createIpResolver(true as never, 'gateway.trustProxy')
      throw new Error('expected a throw')
    } catch (e) {
      expect(isSluiceConfigError(e) && e.option).toBe('gateway.trustProxy')
    }
  })

  it('accepts /0 and /32 and /128 prefixes', () => {
    expect(createIpResolver(['0.0.0.0/0'])('9.9.9.9', '1.1.1.1, 2.2.2.2')).toBe('1.1.1.1')
    expect(createIpResolver(['9.9.9.9/32'])('9.9.9.9', '2.2.2.2')).toBe('2.2.2.2')
    expect(createIpResolver(['::1/128'])('::1', '2.2.2.2')).toBe('2.2.2.2')
  })
})
