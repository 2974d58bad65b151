import * as crypto from 'node:crypto'

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
/** AWS's rule for API key values: 20 to 128 alphanumerics. */
export const API_KEY_VALUE = /^[A-Za-z0-9]{20,128}$/

/**
 * Generates an AWS-valid API key value (alphanumerics) from a cryptographic source, without modulo
 * bias.
 *
 * @example
 * const value = generateApiKeyValue() // 40 characters
 */
export function generateApiKeyValue(length = 40): string {
  if (!Number.isInteger(length) || length < 20 || length > 128) throw new RangeError('API key length must be an integer from 20 to 128')
  return randomAlphanumeric(length, ALPHANUMERIC)
}

/** A random id in API Gateway's style: 10 lower-case alphanumerics. */
export function generateId(): string {
  return randomAlphanumeric(10, 'abcdefghijklmnopqrstuvwxyz0123456789')
}

function randomAlphanumeric(length: number, alphabet: string): string {
  const limit = 256 - (256 % alphabet.length)
  let out = ''
  while (out.length < length) {
    for (const byte of crypto.randomBytes(length * 2)) {
      if (byte < limit) out += alphabet[byte % alphabet.length]
      if (out.length === length) break
    }
  }
  return out
}

const hash = (crypto as { hash?: (alg: string, data: string, enc: 'base64') => string }).hash

/** A fixed-length digest of a key value: lookups compare digests, never key prefixes. */
export function digestKey(value: string): string {
  return hash ? hash('sha256', value, 'base64') : crypto.createHash('sha256').update(value).digest('base64')
}
