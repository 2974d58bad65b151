/**
 * A remote JSON Web Key Set on the gateway's clock: fetched once (from `jwksUri`, or the issuer's
 * OIDC discovery document), keys imported once by jose and reused, refetched after `maxAgeMs`, and
 * an unknown `kid` triggers at most one refetch per cooldown — a flood of random `kid`s never
 * becomes a flood of fetches, and tokens with known keys never wait for one.
 */
import { createLocalJWKSet, type JWSHeaderParameters, type FlattenedJWSInput, type CryptoKey } from 'jose'
import type { Clock } from '../clock.js'
import type { JwtVerification } from './types.js'

type GetKey = (header: JWSHeaderParameters, token: FlattenedJWSInput) => Promise<CryptoKey>
type Fetch = NonNullable<JwtVerification['fetch']>

const MAX_BYTES = 150_000

/** Thrown when no key set can be had (fetch failed, or in cooldown without one). */
export class JwksUnavailable extends Error {
  override readonly name = 'JwksUnavailable'
}

export interface RemoteKeySetOptions {
  readonly clock: Clock
  readonly fetch: Fetch
  readonly cooldownMs: number
  readonly maxAgeMs: number
  readonly timeoutMs: number
}

async function fetchJson(fetch: Fetch, url: string, timeoutMs: number): Promise<unknown> {
  const ac = new AbortController()
  const timer = setTimeout(() => ac.abort(), timeoutMs)
  try {
    const res = await fetch(url, { signal: ac.signal, headers: { accept: 'application/json' } })
    if (!res.ok) throw new JwksUnavailable(`${url} answered ${res.status}`)
    const text = await res.text()
    if (text.length > MAX_BYTES) throw new JwksUnavailable(`${url} answered more than ${MAX_BYTES} bytes`)
    return JSON.parse(text) as unknown
  } finally {
    clearTimeout(timer)
  }
}

/** One issuer's remote key set. */
export class RemoteKeySet {
  readonly #issuer: string
  #uri: string | undefined
  readonly #o: RemoteKeySetOptions
  #local: GetKey | undefined
  #fetchedAt = -Infinity
  #attemptAt = -Infinity
  #pending: Promise<void> | undefined
  /** Fetches started (key set and discovery), for tests and metrics. */
  fetches = 0

  constructor(issuer: string, uri: string | undefined, options: RemoteKeySetOptions) {
    this.#issuer = issuer
    this.#uri = uri
    this.#o = options
  }

  #reload(): Promise<void> {
    if (this.#pending !== undefined) return this.#pending
    this.#attemptAt = this.#o.clock.now()
    this.#pending = this.#load().finally(() => {
      this.#pending = undefined
    })
    return this.#pending
  }

  async #load(): Promise<void> {
    if (this.#uri === undefined) {
      this.fetches++
      const doc = (await fetchJson(this.#o.fetch, `${this.#issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`, this.#o.timeoutMs)) as { issuer?: unknown; jwks_uri?: unknown } | null
      if (doc?.issuer !== this.#issuer || typeof doc.jwks_uri !== 'string') throw new JwksUnavailable('the discovery document does not name this issuer and a jwks_uri')
      this.#uri = doc.jwks_uri
    }
    this.fetches++
    const set = await fetchJson(this.#o.fetch, this.#uri, this.#o.timeoutMs)
    this.#local = createLocalJWKSet(set as never) as GetKey
    this.#fetchedAt = this.#o.clock.now()
  }

  /** The key for a token header: from the current set, refetching only as the cooldown allows. */
  readonly getKey = async (header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey> => {
    const now = this.#o.clock.now()
    const cool = now - this.#attemptAt >= this.#o.cooldownMs
    if (this.#local === undefined || (now - this.#fetchedAt >= this.#o.maxAgeMs && cool)) {
      if (!cool && this.#pending === undefined) throw new JwksUnavailable('no key set (cooling down after a failed fetch)')
      try {
        await this.#reload()
      } catch (e) {
        if (this.#local === undefined) throw e instanceof JwksUnavailable ? e : new JwksUnavailable((e as Error).message)
      }
    }
    try {
      return await (this.#local as GetKey)(header, token)
    } catch (e) {
      if ((e as { code?: string }).code !== 'ERR_JWKS_NO_MATCHING_KEY') throw e
      // an unknown kid: refetch at most once per cooldown (a rotation), otherwise fail fast
      if (this.#o.clock.now() - this.#attemptAt < this.#o.cooldownMs && this.#pending === undefined) throw e
      try {
        await this.#reload()
      } catch {
        throw e
      }
      return (this.#local as GetKey)(header, token)
    }
  }
}
