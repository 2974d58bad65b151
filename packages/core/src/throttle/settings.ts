/**
 * Throttle and quota settings: validation (at construction, naming the option) and the integer
 * forms the stores compute with.
 */
import { SluiceConfigError } from '../errors.js'
import type { QuotaPeriod, WeekStart } from './periods.js'

/** A token bucket: `rateLimit` requests/second refill (fractional allowed, resolution 0.001), `burstLimit` capacity. */
export interface ThrottleSettings {
  rateLimit: number
  burstLimit: number
}

/** A usage-plan quota: at most `limit` requests per calendar period (UTC). */
export interface QuotaSettings {
  limit: number
  period: QuotaPeriod
  /**
   * Requests subtracted from the limit in the plan's first period (API Gateway's current meaning).
   * Needs the plan's `createdDate`. Default 0.
   */
  offset?: number
  /** The day WEEK periods begin. Default SUNDAY. */
  weekStart?: WeekStart
}

/** One token = one million micro-tokens: refill arithmetic is exact in integers. */
export const TOKEN = 1_000_000

/** A validated bucket in integer form. */
export interface BucketSpec {
  readonly rateLimit: number
  readonly burstLimit: number
  /** Micro-tokens added per millisecond (rateLimit × 1000). */
  readonly perMs: number
  /** Capacity in micro-tokens. */
  readonly capacity: number
}

export function bucketSpec(settings: unknown, option: string, code: 'ERR_INVALID_THROTTLE' = 'ERR_INVALID_THROTTLE'): BucketSpec {
  if (settings === null || typeof settings !== 'object') throw new SluiceConfigError(code, option, 'must be { rateLimit, burstLimit }')
  const { rateLimit, burstLimit } = settings as ThrottleSettings
  if (typeof rateLimit !== 'number' || !Number.isFinite(rateLimit) || rateLimit <= 0) {
    throw new SluiceConfigError(code, `${option}.rateLimit`, 'must be a number of requests per second above 0 (fractions such as 0.1 are fine)')
  }
  const perMs = Math.round(rateLimit * 1000)
  if (perMs < 1) throw new SluiceConfigError(code, `${option}.rateLimit`, 'the smallest rate is 0.001 requests per second')
  if (Math.abs(perMs - rateLimit * 1000) > 1e-6 * Math.max(1, perMs)) {
    throw new SluiceConfigError(code, `${option}.rateLimit`, 'has more precision than 0.001 requests per second')
  }
  if (typeof burstLimit !== 'number' || !Number.isInteger(burstLimit) || burstLimit < 1) {
    throw new SluiceConfigError(code, `${option}.burstLimit`, 'must be an integer of at least 1 (a bucket smaller than one request admits nothing)')
  }
  if (burstLimit > 1e9 || rateLimit > 1e9) throw new SluiceConfigError(code, option, 'limits above 1e9 are not supported')
  return Object.freeze({ rateLimit: perMs / 1000, burstLimit, perMs, capacity: burstLimit * TOKEN })
}

/** A validated quota. */
export interface QuotaSpec {
  readonly limit: number
  readonly period: QuotaPeriod
  readonly offset: number
  readonly weekStart: WeekStart
}

export function quotaSpec(settings: unknown, option: string): QuotaSpec {
  if (settings === null || typeof settings !== 'object') throw new SluiceConfigError('ERR_INVALID_USAGE_PLAN', option, 'must be { limit, period, offset? }')
  const q = settings as QuotaSettings
  for (const k of Object.keys(q)) {
    if (!['limit', 'period', 'offset', 'weekStart'].includes(k)) throw new SluiceConfigError('ERR_INVALID_USAGE_PLAN', `${option}.${k}`, 'unknown field; expected limit, period, offset or weekStart')
  }
  if (typeof q.limit !== 'number' || !Number.isInteger(q.limit) || q.limit < 0) throw new SluiceConfigError('ERR_INVALID_USAGE_PLAN', `${option}.limit`, 'must be an integer of at least 0')
  if (q.period !== 'DAY' && q.period !== 'WEEK' && q.period !== 'MONTH') throw new SluiceConfigError('ERR_INVALID_USAGE_PLAN', `${option}.period`, 'must be DAY, WEEK or MONTH')
  const offset = q.offset ?? 0
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0 || offset > q.limit) {
    throw new SluiceConfigError('ERR_INVALID_USAGE_PLAN', `${option}.offset`, 'must be an integer from 0 to the limit')
  }
  const weekStart = q.weekStart ?? 'SUNDAY'
  if (weekStart !== 'SUNDAY' && weekStart !== 'MONDAY') throw new SluiceConfigError('ERR_INVALID_USAGE_PLAN', `${option}.weekStart`, 'must be SUNDAY or MONDAY')
  return Object.freeze({ limit: q.limit, period: q.period, offset, weekStart })
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'])

/**
 * Normalises a method key: `/pets/GET`, `GET /pets`, `//GET` for the root, `ANY` for every method
 * of a resource; `*\/*` (every method) only where `allowWildcard` (stage settings).
 */
export function methodKey(key: string, option: string, allowWildcard = false): string {
  if (key === '*/*' && allowWildcard) return key
  const space = /^([A-Za-z]+) (\/.*)$/.exec(key)
  const slash = /^(\/.*)\/([A-Za-z]+)$/.exec(key)
  const path = space ? (space[2] as string) : slash ? (slash[1] as string) : undefined
  const method = (space ? space[1] : slash ? slash[2] : '')?.toUpperCase() ?? ''
  if (path !== undefined && METHODS.has(method) && !path.includes('*')) return `${path}/${method}`
  throw new SluiceConfigError(
    'ERR_INVALID_THROTTLE',
    option,
    `"${key}" is not a method key: use "/pets/GET", "GET /pets", "//GET" for the root, ANY for every method${allowWildcard ? ', or "*/*"' : ''}`,
  )
}

/** The method key of a request: resource path + method (`//GET` for the root). */
export function requestMethodKey(resourcePath: string, method: string): string {
  return `${resourcePath === '' ? '/' : resourcePath}/${method}`
}
