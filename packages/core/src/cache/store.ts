/**
 * The response cache store: plain-data entries (`GatewayResponse` with bytes), a size in bytes,
 * least-recently-used eviction. Expiry is decided by the cache step with the gateway's clock.
 */
import { LRUCache } from 'lru-cache'
import type { GatewayResponse } from '../response.js'

/** One cached response. */
export interface CacheEntry {
  readonly response: GatewayResponse
  /** Epoch ms the entry was stored. */
  readonly storedAt: number
  /** Epoch ms it expires. */
  readonly expiresAt: number
  /** The request path it was stored for (flush by path prefix). */
  readonly path: string
  /** The resource (route template) it was stored for. */
  readonly resourcePath: string
}

/** Which entries `flush` removes: all, or those whose path or resource path starts with `pathPrefix`. */
export interface CacheFlushFilter {
  pathPrefix?: string
  /** With `pathPrefix`: only the entries of exactly that path. */
  exact?: boolean
}

/** The store behind `gw.cache()`. Memory here; Redis in `@sluice/redis`. */
export interface CacheStore {
  get(key: string): CacheEntry | undefined | Promise<CacheEntry | undefined>
  set(key: string, entry: CacheEntry): void | Promise<void>
  delete(key: string): void | Promise<void>
  /** Removes matching entries; returns how many. */
  flush(filter?: CacheFlushFilter): number | Promise<number>
}

/** Options of {@link memoryCacheStore}. */
export interface MemoryCacheStoreOptions {
  /** Capacity in bytes (bodies plus header text). Default 64 MiB. */
  maxBytes?: number
}

const entrySize = (e: CacheEntry): number => {
  let n = typeof e.response.body === 'string' ? Buffer.byteLength(e.response.body) : e.response.body.byteLength
  for (const [k, v] of Object.entries(e.response.headers)) n += k.length + v.length
  return Math.max(1, n + e.path.length + 64)
}

const matches = (e: CacheEntry, f: CacheFlushFilter): boolean => {
  const p = f.pathPrefix
  if (p === undefined) return true
  return f.exact === true ? e.path === p || e.resourcePath === p : e.path.startsWith(p) || e.resourcePath.startsWith(p)
}

/** The in-memory cache store: lru-cache bounded by bytes. */
export class MemoryCacheStore implements CacheStore {
  readonly #lru: LRUCache<string, CacheEntry>

  constructor(options: MemoryCacheStoreOptions = {}) {
    const max = options.maxBytes ?? 64 * 1024 * 1024
    if (!Number.isInteger(max) || max < 1024) throw new RangeError('maxBytes must be an integer of at least 1024')
    this.#lru = new LRUCache<string, CacheEntry>({ maxSize: max, sizeCalculation: entrySize })
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.#lru.calculatedSize
  }

  get size(): number {
    return this.#lru.size
  }

  get(key: string): CacheEntry | undefined {
    return this.#lru.get(key)
  }

  set(key: string, entry: CacheEntry): void {
    this.#lru.set(key, entry)
  }

  delete(key: string): void {
    this.#lru.delete(key)
  }

  flush(filter: CacheFlushFilter = {}): number {
    if (filter.pathPrefix === undefined) {
      const n = this.#lru.size
      this.#lru.clear()
      return n
    }
    let n = 0
    for (const [key, entry] of this.#lru.entries()) {
      if (matches(entry, filter)) {
        this.#lru.delete(key)
        n++
      }
    }
    return n
  }
}

/** Creates the in-memory cache store (the default). */
export function memoryCacheStore(options?: MemoryCacheStoreOptions): MemoryCacheStore {
  return new MemoryCacheStore(options)
}
