/**
 * How values are written to Redis: key names are digests (a cache key may hold header values such
 * as credentials), and values are optionally sealed with AES-256-GCM, bound to their Redis key (a
 * value copied under another key does not open).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'

/** A short, key-safe digest of a store key. */
export function digest(key: string): string {
  return createHash('sha256').update(key).digest('base64url')
}

const PLAIN = 1
const SEALED = 2

/** Seals and opens values; without a key it only frames them. */
export class Codec {
  readonly #key: Buffer | undefined

  constructor(key: Buffer | undefined) {
    this.#key = key
  }

  encode(plain: Buffer, boundTo: string): Buffer {
    const key = this.#key
    if (key === undefined) return Buffer.concat([Buffer.of(PLAIN), plain])
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', key, iv)
    cipher.setAAD(Buffer.from(boundTo))
    const body = Buffer.concat([cipher.update(plain), cipher.final()])
    return Buffer.concat([Buffer.of(SEALED), iv, cipher.getAuthTag(), body])
  }

  /** The plain value, or undefined when it cannot be read (another key, tampered, not sealed while a key is set). */
  decode(value: Buffer, boundTo: string): Buffer | undefined {
    const kind = value[0]
    const key = this.#key
    if (key === undefined) return kind === PLAIN ? value.subarray(1) : undefined
    if (kind !== SEALED || value.length < 29) return undefined
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, value.subarray(1, 13))
      decipher.setAAD(Buffer.from(boundTo))
      decipher.setAuthTag(value.subarray(13, 29))
      return Buffer.concat([decipher.update(value.subarray(29)), decipher.final()])
    } catch {
      return undefined
    }
  }
}
