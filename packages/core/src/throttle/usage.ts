/**
 * The usage API: API Gateway's GetUsage (per key, one `[used, remaining]` pair per day),
 * UpdateUsage (set the remaining quota) and a reset.
 */
import type { Clock } from '../clock.js'
import { SluiceConfigError } from '../errors.js'
import type { ApiKeyRegistry } from '../keys/registry.js'
import { composeKey } from './identity.js'
import { DAY_MS, dayStart, isoDay, periodEnd, periodStart } from './periods.js'
import type { PreparedPlan, UsagePlans } from './plans.js'
import type { ThrottleStore } from './store.js'
import { effectiveLimit } from './throttle.js'

/** Input of `getUsage`. Dates are `YYYY-MM-DD` (UTC), both included. */
export interface GetUsageInput {
  usagePlanId: string
  keyId?: string
  startDate: string
  endDate: string
}

/**
 * API Gateway's `Usage`: `items[keyId]` holds one `[used, remaining]` pair per day from
 * `startDate` to `endDate`; remaining is the quota left at the end of that day (`null` for a plan
 * without a quota). (API Gateway's wire JSON names the map `values`; its SDKs, like sluice, `items`.)
 */
export interface Usage {
  usagePlanId: string
  startDate: string
  endDate: string
  items: Record<string, Array<[number, number | null]>>
}

export interface UsageEnv {
  readonly plans: UsagePlans
  readonly keys: ApiKeyRegistry
  readonly store: ThrottleStore
  readonly clock: Clock
}

const DATE = /^\d{4}-\d{2}-\d{2}$/

function parseDay(value: unknown, option: string): number {
  const t = typeof value === 'string' && DATE.test(value) ? Date.parse(`${value}T00:00:00Z`) : NaN
  if (!Number.isFinite(t)) throw new SluiceConfigError('ERR_INVALID_OPTION', option, 'must be a date written YYYY-MM-DD')
  return t
}

function requirePlan(env: UsageEnv, id: unknown): PreparedPlan {
  const plan = typeof id === 'string' ? env.plans.get(id) : undefined
  if (plan === undefined) throw new SluiceConfigError('ERR_UNKNOWN_USAGE_PLAN', 'usagePlanId', `no usage plan has the id "${String(id)}"`)
  return plan
}

function keysOf(env: UsageEnv, plan: PreparedPlan, keyId: string | undefined): string[] {
  if (keyId !== undefined) {
    const key = env.keys.get(keyId)
    if (key === undefined) throw new SluiceConfigError('ERR_UNKNOWN_API_KEY', 'keyId', `no API key has the id "${keyId}"`)
    if (!key.usagePlanIds.includes(plan.id)) throw new SluiceConfigError('ERR_INVALID_OPTION', 'keyId', `API key "${keyId}" is not in usage plan "${plan.id}"`)
    return [keyId]
  }
  return env.keys
    .list()
    .filter((k) => k.usagePlanIds.includes(plan.id))
    .map((k) => k.id)
}

const counterKey = (plan: PreparedPlan, keyId: string): string => composeKey('q', plan.id, composeKey('k', keyId))

/** GetUsage. */
export async function getUsage(env: UsageEnv, input: GetUsageInput): Promise<Usage> {
  const plan = requirePlan(env, input.usagePlanId)
  const from = parseDay(input.startDate, 'startDate')
  const to = parseDay(input.endDate, 'endDate')
  if (to < from) throw new SluiceConfigError('ERR_INVALID_OPTION', 'endDate', 'must not be before startDate')
  if ((to - from) / DAY_MS > 366) throw new SluiceConfigError('ERR_INVALID_OPTION', 'endDate', 'a usage report covers at most 366 days')
  const q = plan.quota
  const firstPeriod = q ? periodStart(q.period, from, q.weekStart) : from
  const items: Usage['items'] = {}
  for (const keyId of keysOf(env, plan, input.keyId)) {
    const daily = await env.store.usage(counterKey(plan, keyId), firstPeriod, to)
    const rows: Array<[number, number | null]> = []
    let period = -1
    let counted = 0
    for (let day = firstPeriod; day <= to; day += DAY_MS) {
      const entry = daily.get(day)
      const used = entry?.used ?? 0
      if (q) {
        const start = periodStart(q.period, day, q.weekStart)
        if (start !== period) {
          period = start
          counted = 0
        }
        counted += used + (entry?.adjustment ?? 0)
      }
      if (day < from) continue
      const remaining = q ? Math.max(0, effectiveLimit(plan, period, periodEnd(q.period, period)) - counted) : null
      rows.push([used, remaining])
    }
    items[keyId] = rows
  }
  return { usagePlanId: plan.id, startDate: isoDay(from), endDate: isoDay(to), items }
}

/** UpdateUsage: sets the quota remaining in the current period for one key. */
export async function updateUsage(env: UsageEnv, input: { usagePlanId: string; keyId: string; remaining: number }): Promise<void> {
  const plan = requirePlan(env, input.usagePlanId)
  keysOf(env, plan, input.keyId)
  const q = plan.quota
  if (q === undefined) throw new SluiceConfigError('ERR_INVALID_USAGE_PLAN', 'usagePlanId', `usage plan "${plan.id}" has no quota to update`)
  const now = Math.floor(env.clock.now())
  const start = periodStart(q.period, now, q.weekStart)
  const limit = effectiveLimit(plan, start, periodEnd(q.period, start))
  const remaining = input.remaining
  if (!Number.isInteger(remaining) || remaining < 0) throw new SluiceConfigError('ERR_INVALID_OPTION', 'remaining', 'must be an integer of at least 0')
  await env.store.setUsed(counterKey(plan, input.keyId), start, Math.max(0, limit - remaining), dayStart(now))
}

/** Resets a key in a plan: its quota count in the current period and its plan buckets. */
export async function resetUsage(env: UsageEnv, input: { usagePlanId: string; keyId: string }): Promise<void> {
  const plan = requirePlan(env, input.usagePlanId)
  keysOf(env, plan, input.keyId)
  const now = Math.floor(env.clock.now())
  const start = plan.quota ? periodStart(plan.quota.period, now, plan.quota.weekStart) : dayStart(now)
  const identity = composeKey('k', input.keyId)
  await env.store.setUsed(counterKey(plan, input.keyId), start, 0, dayStart(now))
  await env.store.resetBuckets(composeKey('p', plan.id, identity))
  await env.store.resetBuckets(composeKey('m', plan.id, identity))
  // (per-method buckets carry the stage after the identity, so this prefix covers every stage)
}
