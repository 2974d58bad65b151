/**
 * The authorizer-result store: what a Lambda-style authorizer answered for one set of identity
 * values, kept for `authorizerResultTtlInSeconds`. Entries are plain JSON data (so a network store
 * can serialise them); the *policy* is stored, never the decision, and is re-evaluated against each
 * request's method ARN. Memory here; Redis in `@sluice/redis`.
 */
import { LRUCache } from 'lru-cache'
import type { PolicyDocument } from './policy.js'

/** One cached authorizer answer (plain data). */
export interface StoredAuthorizerResult {
  /** `principalId` of a policy response. */
  readonly principalId?: string
  /** The policy a policy response returned (re-evaluated per method ARN). */
  readonly policyDocument?: PolicyDocument
  /** `isAuthorized` of an HTTP API simple response. */
  readonly isAuthorized?: boolean
  /** The context values, as returned (stringified when exposed in `$context.authorizer`). */
  readonly context?: Readonly<Record<string, unknown>>
  /** `usageIdentifierKey` of a policy response. */
  readonly usageIdentifierKey?: string
  /** Epoch ms (gateway clock) after which the entry must not be used. */
  readonly expiresAt: number
}

/**
 * Where authorizer results are cached (`store.authorizer`). Keys are built by the gateway from the
 * authorizer's name and its identity-source values (length-prefixed, injective). Methods may answer
 * synchronously or with a promise; a failing store never fails a request (the authorizer is called).
 */
export interface AuthorizerResultStore {
  /** The entry, or undefined. The caller checks `expiresAt` against its own clock too. */
  get(key: string): StoredAuthorizerResult | undefined | Promise<StoredAuthorizerResult | undefined>
  /** Stores an entry for `ttlMs` milliseconds (a network store may use it as the key's expiry). */
  set(key: string, value: StoredAuthorizerResult, ttlMs: number): void | Promise<void>
  /** Removes one entry. */
  delete(key: string): void | Promise<void>
  /** Removes every entry. */
  clear(): void | Promise<void>
}

/** Options of {@link memoryAuthorizerResultStore}. */
export interface MemoryAuthorizerResultStoreOptions {
  /** Most entries kept (least recently used evicted first). Default 10,000. */
  max?: number
}

/** The in-memory authorizer-result store: lru-cache bounded by entries. */
export class MemoryAuthorizerResultStore implements AuthorizerResultStore {
  readonly #lru: LRUCache<string, StoredAuthorizerResult>

  constructor(options: MemoryAuthorizerResultStoreOptions = {}) {
    const max = options.max ?? 10_000
    if (!Number.isInteger(max) || max < 1) throw new RangeError('max must be a positive integer')
    this.#lru = new LRUCache<string, StoredAuthorizerResult>({ max })
  }

  get size(): number {
    return this.#lru.size
  }

  get(key: string): StoredAuthorizerResult | undefined {
    return this.#lru.get(key)
  }

  set(key: string, value: StoredAuthorizerResult): void {
    this.#lru.set(key, value)
  }

  delete(key: string): void {
    this.#lru.delete(key)
  }

  clear(): void {
    this.#lru.clear()
  }
}

/** Creates the in-memory authorizer-result store (the default). */
export function memoryAuthorizerResultStore(options?: MemoryAuthorizerResultStoreOptions): MemoryAuthorizerResultStore {
  return new MemoryAuthorizerResultStore(options)
}
