/**
 * Who a request is counted as, and keys built so that distinct identities never share a bucket:
 * every part is length-prefixed, so no choice of `:` or NUL in a part can make two tuples collide.
 */
import { isIPv4 } from 'node:net'

/** Length-prefixes one key part. */
export function part(value: string): string {
  return `${value.length}:${value}`
}

/** Builds an injective key from a tag and parts. */
export function composeKey(tag: string, ...parts: string[]): string {
  let key = tag
  for (const p of parts) key += `${p.length}:${p}`
  return key
}

/** Expands a canonical IPv6 address into 16 bytes. */
function ipv6Bytes(address: string): Uint8Array | undefined {
  const bytes = new Uint8Array(16)
  let head = address
  let tail = ''
  const gap = address.indexOf('::')
  if (gap !== -1) {
    head = address.slice(0, gap)
    tail = address.slice(gap + 2)
  }
  const h = head === '' ? [] : head.split(':')
  const t = tail === '' ? [] : tail.split(':')
  if (h.length + t.length > 8) return undefined
  const groups = [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t]
  for (let i = 0; i < 8; i++) {
    const v = parseInt(groups[i] as string, 16)
    if (!(v >= 0 && v <= 0xffff)) return undefined
    bytes[i * 2] = v >> 8
    bytes[i * 2 + 1] = v & 255
  }
  return bytes
}

/**
 * The identity text of a client address: IPv4 as is; IPv6 reduced to its `/prefix` network
 * (default /64: one host usually holds a whole /64). Expects a canonical address
 * (`canonicalIp`), so IPv4-mapped IPv6 has already become IPv4.
 */
export function ipIdentity(address: string, ipv6Prefix = 64): string {
  if (address === '' || isIPv4(address)) return `4/${address}`
  const bytes = ipv6Bytes(address)
  if (bytes === undefined) return `?/${address}`
  let out = '6/'
  const full = ipv6Prefix >> 3
  for (let i = 0; i < full; i++) out += (bytes[i] as number).toString(16).padStart(2, '0')
  const rest = ipv6Prefix & 7
  if (rest > 0) out += ((bytes[full] as number) & (0xff << (8 - rest)) & 0xff).toString(16).padStart(2, '0')
  return `${out}/${ipv6Prefix}`
}
