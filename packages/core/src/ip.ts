/**
 * Client addresses: canonical forms (IPv4-mapped IPv6 → IPv4, IPv6 compressed and lower case,
 * zone ids dropped) and the explicit trust-proxy walk over `X-Forwarded-For`.
 */
import { BlockList, isIP, isIPv4 } from 'node:net'
import { SluiceConfigError } from './errors.js'

/**
 * Which peers may speak for the client through `X-Forwarded-For`:
 * `false` (the default) trusts nobody and uses the socket address; a list of addresses and CIDR
 * ranges (`'10.0.0.0/8'`, `'::1'`) trusts those hops; a function decides per address.
 * `true` is refused: a client could write any address it liked.
 */
export type TrustProxy = false | readonly string[] | ((address: string) => boolean)

/** Returns the canonical text of an IP address, or `undefined` when it is not one. */
export function canonicalIp(address: string): string | undefined {
  if (isIPv4(address)) return address
  let a = address
  const zone = a.indexOf('%')
  if (zone !== -1) a = a.slice(0, zone)
  if (a.startsWith('[') && a.endsWith(']')) a = a.slice(1, -1)
  if (isIP(a) !== 6) return undefined
  let host: string
  try {
    host = new URL(`http://[${a}]/`).hostname.slice(1, -1)
  } catch {
    return undefined
  }
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host)
  if (mapped) {
    const hi = parseInt(mapped[1] as string, 16)
    const lo = parseInt(mapped[2] as string, 16)
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`
  }
  return host
}

/** Resolves the client address from a socket address and an optional trust configuration. */
export type IpResolver = (socketAddress: string | undefined, forwardedFor: string | null | undefined) => string

/** Validates a {@link TrustProxy} setting once and returns the resolver adapters call per request. */
export function createIpResolver(trustProxy: TrustProxy | undefined, option = 'trustProxy'): IpResolver {
  const trusted = compileTrust(trustProxy, option)
  return (socketAddress, forwardedFor) => {
    let addr = (socketAddress && canonicalIp(socketAddress)) ?? ''
    if (trusted === undefined || !forwardedFor || addr === '') return addr
    const hops = forwardedFor.split(',')
    for (let i = hops.length - 1; i >= 0 && trusted(addr); i--) {
      const hop = canonicalIp((hops[i] as string).trim())
      if (hop === undefined) break
      addr = hop
    }
    return addr
  }
}

function compileTrust(trustProxy: TrustProxy | undefined, option: string): ((addr: string) => boolean) | undefined {
  if (trustProxy === undefined || trustProxy === false) return undefined
  if (typeof trustProxy === 'function') return trustProxy
  if (!Array.isArray(trustProxy)) {
    throw new SluiceConfigError(
      'ERR_INVALID_TRUST_PROXY',
      option,
      (trustProxy as unknown) === true
        ? 'true would let any client choose its address through X-Forwarded-For; list the proxy addresses or CIDR ranges instead'
        : 'must be false, a list of addresses / CIDR ranges, or a function',
    )
  }
  const list = new BlockList()
  trustProxy.forEach((entry: unknown, i) => {
    const p = `${option}[${i}]`
    if (typeof entry !== 'string') throw new SluiceConfigError('ERR_INVALID_TRUST_PROXY', p, 'must be an address or CIDR string')
    const [addr = '', bits] = entry.split('/')
    const canonical = canonicalIp(addr)
    if (canonical === undefined) throw new SluiceConfigError('ERR_INVALID_TRUST_PROXY', p, `"${entry}" is not an IP address or CIDR range`)
    const family = isIPv4(canonical) ? 'ipv4' : 'ipv6'
    if (bits === undefined) {
      list.addAddress(canonical, family)
      return
    }
    const prefix = Number(bits)
    if (!/^\d+$/.test(bits) || prefix > (family === 'ipv4' ? 32 : 128)) {
      throw new SluiceConfigError('ERR_INVALID_TRUST_PROXY', p, `"${entry}" has an invalid prefix length`)
    }
    list.addSubnet(canonical, prefix, family)
  })
  return (addr) => list.check(addr, isIPv4(addr) ? 'ipv4' : 'ipv6')
}
