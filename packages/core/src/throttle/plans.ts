/**
 * Usage plans (API Gateway's `UsagePlan`): per-key throttle, per-method throttle inside the plan,
 * quota, and the stages the plan covers. Validated at construction.
 */
import { SluiceConfigError } from '../errors.js'
import type { ApiKey } from '../keys/registry.js'
import { bucketSpec, methodKey, quotaSpec, type BucketSpec, type QuotaSettings, type QuotaSpec, type ThrottleSettings } from './settings.js'

/** One stage a usage plan covers, with optional per-method limits (`"/pets/GET"`, `"//GET"` for root). */
export interface UsagePlanApiStage {
  stage: string
  throttle?: Record<string, ThrottleSettings>
}

/** A usage plan: limits per API key. */
export interface UsagePlan {
  id: string
  name?: string
  description?: string
  /** The per-key token bucket, summed across the plan's stages. */
  throttle?: ThrottleSettings
  quota?: QuotaSettings
  /** The stages the plan covers; omitted = every stage. */
  apiStages?: UsagePlanApiStage[]
  /** When the plan started (ISO date or epoch ms): the period the quota `offset` applies to. */
  createdDate?: string | number
}

/** A validated plan, resolved for one stage. */
export interface PreparedPlan {
  readonly id: string
  readonly name: string
  readonly bucket: BucketSpec | undefined
  readonly quota: QuotaSpec | undefined
  readonly createdAt: number | undefined
  /** Per-method limits on this stage, by normalised method key. */
  readonly methods: ReadonlyMap<string, BucketSpec>
  /** Whether the plan covers this gateway's stage. */
  readonly onStage: boolean
  readonly source: UsagePlan
}

const PLAN_FIELDS = new Set(['id', 'name', 'description', 'throttle', 'quota', 'apiStages', 'createdDate'])
const ID = /^[A-Za-z0-9_.:-]{1,128}$/

/** Validates one plan and resolves it for `stage`. */
export function preparePlan(plan: UsagePlan, stage: string, option: string): PreparedPlan {
  if (plan === null || typeof plan !== 'object') throw new SluiceConfigError('ERR_INVALID_USAGE_PLAN', option, 'must be an object with an id')
  for (const k of Object.keys(plan)) {
    if (!PLAN_FIELDS.has(k)) throw new SluiceConfigError('ERR_INVALID_USAGE_PLAN', `${option}.${k}`, `unknown field; expected ${[...PLAN_FIELDS].join(', ')}`)
  }
  if (typeof plan.id !== 'string' || !ID.test(plan.id)) throw new SluiceConfigError('ERR_INVALID_USAGE_PLAN', `${option}.id`, 'must be 1 to 128 letters, digits or _ . : -')
  const bucket = plan.throttle === undefined ? undefined : bucketSpec(plan.throttle, `${option}.throttle`)
  const quota = plan.quota === undefined ? undefined : quotaSpec(plan.quota, `${option}.quota`)
  let createdAt: number | undefined
  if (plan.createdDate !== undefined) {
    createdAt = typeof plan.createdDate === 'number' ? plan.createdDate : Date.parse(plan.createdDate)
    if (!Number.isFinite(createdAt)) throw new SluiceConfigError('ERR_INVALID_USAGE_PLAN', `${option}.createdDate`, 'must be an ISO date or epoch milliseconds')
  }
  if (quota !== undefined && quota.offset > 0 && createdAt === undefined) {
    throw new SluiceConfigError('ERR_INVALID_USAGE_PLAN', `${option}.quota.offset`, 'applies to the period the plan started in: set the plan createdDate')
  }
  if (plan.apiStages !== undefined && !Array.isArray(plan.apiStages)) throw new SluiceConfigError('ERR_INVALID_USAGE_PLAN', `${option}.apiStages`, 'must be a list of { stage, throttle? }')
  const methods = new Map<string, BucketSpec>()
  let onStage = plan.apiStages === undefined
  plan.apiStages?.forEach((s, i) => {
    const o = `${option}.apiStages[${i}]`
    if (s === null || typeof s !== 'object' || typeof s.stage !== 'string' || s.stage === '') throw new SluiceConfigError('ERR_INVALID_USAGE_PLAN', o, 'must be { stage, throttle? }')
    const entries = Object.entries(s.throttle ?? {})
    if (entries.length > 20) throw new SluiceConfigError('ERR_INVALID_USAGE_PLAN', `${o}.throttle`, 'API Gateway allows at most 20 method throttles per stage in a plan')
    const stageMethods = new Map<string, BucketSpec>()
    for (const [k, v] of entries) {
      const mo = `${o}.throttle["${k}"]`
      const spec = bucketSpec(v, mo)
      if (bucket !== undefined && (spec.rateLimit > bucket.rateLimit || spec.burstLimit > bucket.burstLimit)) {
        throw new SluiceConfigError('ERR_INVALID_THROTTLE', mo, `a method limit above the plan's own limit (${bucket.rateLimit} rps, burst ${bucket.burstLimit}) can never be reached`)
      }
      stageMethods.set(methodKey(k, mo), spec)
    }
    if (s.stage === stage) {
      onStage = true
      for (const [k, v] of stageMethods) methods.set(k, v)
    }
  })
  return Object.freeze({ id: plan.id, name: plan.name ?? plan.id, bucket, quota, createdAt, methods, onStage, source: plan })
}

/** The usage plans of a gateway, and which plan each API key is in on this stage. */
export class UsagePlans {
  readonly #plans = new Map<string, PreparedPlan>()
  /** Plans given inline to `throttle(plan)`: not part of the gateway's configured plans. */
  readonly #adopted = new Map<string, PreparedPlan>()
  readonly #stage: string

  constructor(plans: readonly UsagePlan[] | undefined, stage: string, option = 'usagePlans') {
    this.#stage = stage
    if (plans === undefined) return
    if (!Array.isArray(plans)) throw new SluiceConfigError('ERR_INVALID_USAGE_PLAN', option, 'must be a list of usage plans')
    plans.forEach((p, i) => {
      const prepared = preparePlan(p, stage, `${option}[${i}]`)
      if (this.#plans.has(prepared.id)) throw new SluiceConfigError('ERR_INVALID_USAGE_PLAN', `${option}[${i}].id`, `two usage plans have the id "${prepared.id}"`)
      this.#plans.set(prepared.id, prepared)
    })
  }

  get size(): number {
    return this.#plans.size
  }

  get(id: string): PreparedPlan | undefined {
    return this.#plans.get(id)
  }

  list(): PreparedPlan[] {
    return [...this.#plans.values()]
  }

  /** Registers an inline plan (not counted in `size`, not joinable by keys) (given to `throttle(plan)`); the same id must mean the same plan. */
  adopt(plan: UsagePlan, option: string): PreparedPlan {
    const existing = this.#plans.get(plan.id) ?? this.#adopted.get(plan.id)
    if (existing !== undefined) {
      if (existing.source !== plan && JSON.stringify(existing.source) !== JSON.stringify(plan)) {
        throw new SluiceConfigError('ERR_INVALID_USAGE_PLAN', `${option}.id`, `a different usage plan already has the id "${plan.id}"`)
      }
      return existing
    }
    const prepared = preparePlan(plan, this.#stage, option)
    this.#adopted.set(prepared.id, prepared)
    return prepared
  }

  /**
   * Checks a key's plans: every id must exist, and at most one may cover this stage (API Gateway
   * allows one usage plan per key per stage).
   */
  validateKey(key: ApiKey, option: string): void {
    let onStage: string | undefined
    for (const id of key.usagePlanIds) {
      const plan = this.#plans.get(id)
      if (plan === undefined) throw new SluiceConfigError('ERR_UNKNOWN_USAGE_PLAN', `${option}.usagePlanIds`, `no usage plan has the id "${id}"`)
      if (plan.onStage) {
        if (onStage !== undefined) {
          throw new SluiceConfigError('ERR_USAGE_PLAN_CONFLICT', `${option}.usagePlanIds`, `plans "${onStage}" and "${id}" both cover stage "${this.#stage}"; a key may be in only one plan per stage`)
        }
        onStage = id
      }
    }
  }

  /** The plan that covers this stage for a key, if any. */
  planFor(key: ApiKey): PreparedPlan | undefined {
    for (const id of key.usagePlanIds) {
      const plan = this.#plans.get(id)
      if (plan?.onStage) return plan
    }
    return undefined
  }
}
