/**
 * Cache settings: per-middleware options, stage-wide defaults and API Gateway's per-method
 * overrides, validated at construction.
 */
import { SluiceConfigError } from '../errors.js'
import type { Exchange } from '../exchange.js'

/** API Gateway's strategies for a `Cache-Control: max-age=0` from a caller who may not invalidate. */
export type UnauthorizedCacheControlStrategy = 'FAIL_WITH_403' | 'SUCCEED_WITH_RESPONSE_HEADER' | 'SUCCEED_WITHOUT_RESPONSE_HEADER'

const STRATEGIES = new Set<string>(['FAIL_WITH_403', 'SUCCEED_WITH_RESPONSE_HEADER', 'SUCCEED_WITHOUT_RESPONSE_HEADER'])

/** Options of `gw.cache()`. Omitted fields come from the stage's method settings, then the stage cache settings. */
export interface CacheOptions {
  /** Seconds an entry lives: 0–3600, 0 disables. Default 300 (API Gateway's). */
  ttl?: number
  /**
   * Parameters that split entries: `querystring.NAME`, `header.NAME`, `path.NAME`, or API
   * Gateway's `method.request.querystring.NAME` (and `header` / `path`) spellings. Parameters not
   * listed do not split entries, as on API Gateway.
   */
  key?: readonly string[]
  /** A namespace added to every key (API Gateway's `cacheNamespace`). */
  namespace?: string
  /** Methods cached. Default `['GET']`; a method setting with `cachingEnabled: true` opts a method in. */
  methods?: readonly string[]
  /**
   * The response is the same for every caller: the caller's identity (API key, authorizer
   * principal) is left out of the key. Default false — identified callers never share entries.
   */
  shared?: boolean
  /** Status codes stored. Default: 2xx except 204 and 206. 5xx can never be stored. */
  cacheableStatuses?: readonly number[]
  /** The largest body stored, in bytes. Default 1 MiB (API Gateway's limit). */
  maxBodyBytes?: number
  /** Whether `Cache-Control: max-age=0` needs authorization. Default true. */
  requireAuthorization?: boolean
  /**
   * Who may invalidate (when authorization is required). Default: callers whose authorizer policy
   * or IAM identity policies allow `execute-api:InvalidateCache` on the method ARN; nobody else.
   */
  authorizeInvalidation?: (exchange: Exchange) => boolean | Promise<boolean>
  /** What an unauthorized `max-age=0` gets. Default SUCCEED_WITH_RESPONSE_HEADER. */
  unauthorizedStrategy?: UnauthorizedCacheControlStrategy
  /** Concurrent misses for one key make one backend call. Default true. */
  coalesce?: boolean
  /** How long waiting requests wait for the first one's response before calling the backend themselves. Default 10,000 ms. */
  coalesceTimeoutMs?: number
}

/** Stage-wide cache settings (gateway option `stage.cache`). */
export interface StageCacheSettings {
  /** Default TTL in seconds. Default 300. */
  ttl?: number
  requireAuthorization?: boolean
  unauthorizedStrategy?: UnauthorizedCacheControlStrategy
}

/** A parsed key parameter. */
export interface KeyParam {
  readonly in: 'querystring' | 'header' | 'path'
  readonly name: string
  /** As written, for traces. */
  readonly source: string
}

const PARAM = /^(?:(?:method|integration)\.request\.)?(querystring|header|path)\.([^.\s][^\s]*)$/

export function parseKeyParam(source: unknown, option: string): KeyParam {
  const m = typeof source === 'string' ? PARAM.exec(source) : null
  if (!m) {
    throw new SluiceConfigError(
      'ERR_INVALID_CACHE',
      option,
      `"${String(source)}" is not a cache key parameter: use querystring.NAME, header.NAME, path.NAME or method.request.{querystring|header|path}.NAME`,
    )
  }
  const where = m[1] as KeyParam['in']
  return { in: where, name: where === 'header' ? (m[2] as string).toLowerCase() : (m[2] as string), source: source as string }
}

export function validateTtl(ttl: unknown, option: string): number {
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 0 || ttl > 3600) throw new SluiceConfigError('ERR_INVALID_CACHE', option, 'must be an integer number of seconds from 0 to 3600 (0 disables caching)')
  return ttl
}

export function validateStrategy(s: unknown, option: string): UnauthorizedCacheControlStrategy {
  if (typeof s !== 'string' || !STRATEGIES.has(s)) throw new SluiceConfigError('ERR_INVALID_CACHE', option, `must be one of ${[...STRATEGIES].join(', ')}`)
  return s as UnauthorizedCacheControlStrategy
}

export function validateBoolean(v: unknown, option: string): boolean {
  if (typeof v !== 'boolean') throw new SluiceConfigError('ERR_INVALID_CACHE', option, 'must be true or false')
  return v
}

export function validateStageCache(settings: unknown, option = 'stage.cache'): StageCacheSettings {
  if (settings === undefined) return {}
  if (settings === null || typeof settings !== 'object') throw new SluiceConfigError('ERR_INVALID_CACHE', option, 'must be { ttl?, requireAuthorization?, unauthorizedStrategy? }')
  const s = settings as StageCacheSettings
  for (const k of Object.keys(s)) {
    if (!['ttl', 'requireAuthorization', 'unauthorizedStrategy'].includes(k)) throw new SluiceConfigError('ERR_INVALID_CACHE', `${option}.${k}`, 'unknown field; expected ttl, requireAuthorization or unauthorizedStrategy')
  }
  if (s.ttl !== undefined) validateTtl(s.ttl, `${option}.ttl`)
  if (s.requireAuthorization !== undefined) validateBoolean(s.requireAuthorization, `${option}.requireAuthorization`)
  if (s.unauthorizedStrategy !== undefined) validateStrategy(s.unauthorizedStrategy, `${option}.unauthorizedStrategy`)
  return { ...s }
}
