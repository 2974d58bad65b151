/**
 * CIDR matching on canonical addresses (`canonicalIp` forms: dotted IPv4, compressed lower-case
 * IPv6), without `node:net`'s BlockList, whose `check` builds a SocketAddress per call.
 */
import { canonicalIp } from '../ip.js'

/** A parsed address: IPv4 as one 32-bit number, IPv6 as eight 16-bit words. */
export type ParsedIp = { readonly v4: number } | { readonly v6: Uint16Array }

function parseV4(s: string): number | undefined {
  const parts = s.split('.')
  if (parts.length !== 4) return undefined
  let n = 0
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined
    const x = Number(p)
    if (x > 255) return undefined
    n = n * 256 + x
  }
  return n
}

function parseV6(s: string): Uint16Array | undefined {
  const words = new Uint16Array(8)
  const gap = s.indexOf('::')
  const head = gap === -1 ? s : s.slice(0, gap)
  const tail = gap === -1 ? '' : s.slice(gap + 2)
  const h = head === '' ? [] : head.split(':')
  const t = tail === '' ? [] : tail.split(':')
  if ((gap === -1 && h.length !== 8) || h.length + t.length > 8) return undefined
  const all = [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t]
  for (let i = 0; i < 8; i++) {
    const w = all[i] as string
    if (!/^[0-9a-f]{1,4}$/i.test(w)) return undefined
    words[i] = parseInt(w, 16)
  }
  return words
}

/** Parses an address (canonicalised first); undefined when it is not one. */
export function parseIp(address: string): ParsedIp | undefined {
  const c = canonicalIp(address)
  if (c === undefined) return undefined
  if (c.includes(':')) {
    const v6 = parseV6(c)
    return v6 === undefined ? undefined : { v6 }
  }
  const v4 = parseV4(c)
  return v4 === undefined ? undefined : { v4 }
}

/** A CIDR range (or one address); `contains` compares same-family addresses only. */
export interface Cidr {
  contains(ip: ParsedIp): boolean
}

/** Parses `addr` or `addr/bits`; undefined when invalid. */
export function parseCidr(entry: string): Cidr | undefined {
  const slash = entry.indexOf('/')
  const net = parseIp(slash === -1 ? entry : entry.slice(0, slash))
  if (net === undefined) return undefined
  const max = 'v4' in net ? 32 : 128
  let bits = max
  if (slash !== -1) {
    const b = entry.slice(slash + 1)
    if (!/^\d{1,3}$/.test(b) || Number(b) > max) return undefined
    bits = Number(b)
  }
  if ('v4' in net) {
    const base = net.v4
    const shift = 32 - bits
    return { contains: (ip) => 'v4' in ip && (bits === 0 || Math.floor(ip.v4 / 2 ** shift) === Math.floor(base / 2 ** shift)) }
  }
  const words = net.v6
  return {
    contains(ip) {
      if (!('v6' in ip)) return false
      let left = bits
      for (let i = 0; i < 8 && left > 0; i++, left -= 16) {
        const a = ip.v6[i] as number
        const b = words[i] as number
        if (left >= 16) {
          if (a !== b) return false
        } else {
          const mask = (0xffff << (16 - left)) & 0xffff
          if ((a & mask) !== (b & mask)) return false
        }
      }
      return true
    },
  }
}
