/**
 * A managed API: its working definition, immutable deployments, and stages pointing at them
 * (API Gateway's RestApi, Deployment, Stage, canary settings), with live re-import.
 *
 * A request resolves its stage's deployment once, when it starts, and keeps it to the end: switching
 * a stage to another deployment is one assignment, so it is atomic and drops no in-flight request.
 * A definition that fails validation throws and leaves everything as it was.
 */
import { SluiceConfigError } from '../errors.js'
import { compileApi, type CompiledApi } from './compile.js'
import type { ApiDefinition } from './definition.js'
import { handlerFunction, functionNameFromUri, type IntegrationHandler, type LambdaHandler } from './lambda.js'
import type { TemplateRenderer } from './mapping.js'

/** An immutable snapshot of an API definition, ready to serve. */
export interface Deployment {
  readonly id: string
  readonly description: string | undefined
  readonly createdDate: number
  /** The frozen definition. */
  readonly definition: Readonly<ApiDefinition>
  /** @internal the compiled form. */
  readonly compiled: CompiledApi
}

/** A stage's canary (API Gateway's `canarySettings`). */
export interface CanarySettings {
  /** The deployment the canary serves. */
  deploymentId: string
  /** Percent of requests (0 to 100) sent to the canary. */
  percentTraffic: number
  /** Stage variables merged over the stage's for canary requests. */
  stageVariableOverrides?: Record<string, string>
  /** Canary requests use the stage cache. Default false: they are not cached. */
  useStageCache?: boolean
  /**
   * Keep each caller on one side (a sluice addition): the choice is a hash of the caller's API key
   * (or address) instead of a random draw.
   */
  sticky?: boolean
}

/** A stage (API Gateway's `Stage`). */
export interface StageSettings {
  deploymentId: string
  variables?: Record<string, string>
  canary?: CanarySettings
  description?: string
}

/** A stage as it is now. */
export interface StageState {
  readonly name: string
  readonly deployment: Deployment
  readonly variables: Readonly<Record<string, string>>
  readonly canary: CanaryState | undefined
}

/** A stage's canary as it is now: its deployment and the merged variables. */
export interface CanaryState {
  readonly deploymentId: string
  readonly percentTraffic: number
  readonly useStageCache: boolean
  readonly sticky: boolean
  readonly deployment: Deployment
  /** The stage's variables with the overrides merged over them. */
  readonly variables: Readonly<Record<string, string>>
}

/** Options of {@link createApi}. */
export interface ApiOptions {
  /** Handlers by name (Lambda function names), for AWS / AWS_PROXY integrations and authorizers. */
  integrations?: Record<string, IntegrationHandler>
  /** Renders mapping templates instead of sluice's VTL engine. */
  renderTemplate?: TemplateRenderer
  /** `$context.apiId`. Default: derived from the API's name. */
  apiId?: string
  /** `$context.accountId`. Default `123456789012`. */
  accountId?: string
  /** Where `createdDate` comes from. Default `Date.now`. */
  now?: () => number
}

/** How {@link Api.import} combines a definition with the current one (API Gateway's import modes). */
export type ImportMode = 'overwrite' | 'merge'

const STAGE_NAME = /^[A-Za-z0-9_$-]{1,128}$/
const VARIABLE_NAME = /^[A-Za-z0-9_]{1,64}$/
const VARIABLE_VALUE = /^[A-Za-z0-9\-._~:/?#&=,]*$/

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v)
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k])
  }
  return v
}

/** Validates stage variables (API Gateway's limits); returns a frozen null-prototype copy. */
export function checkVariables(vars: unknown, option: string): Readonly<Record<string, string>> {
  const out = Object.create(null) as Record<string, string>
  if (vars === undefined) return Object.freeze(out)
  if (vars === null || typeof vars !== 'object' || Array.isArray(vars)) throw new SluiceConfigError('ERR_INVALID_STAGE', option, 'must be an object of strings')
  for (const [k, v] of Object.entries(vars)) {
    if (!VARIABLE_NAME.test(k)) throw new SluiceConfigError('ERR_INVALID_STAGE', `${option}.${k}`, 'names must be 1 to 64 letters, digits or _')
    if (typeof v !== 'string' || v.length > 512 || !VARIABLE_VALUE.test(v)) {
      throw new SluiceConfigError('ERR_INVALID_STAGE', `${option}.${k}`, 'values must be strings of at most 512 characters from A-Z a-z 0-9 - . _ ~ : / ? # & = ,')
    }
    out[k] = v
  }
  return Object.freeze(out)
}

function mergeDefinitions(base: ApiDefinition, next: ApiDefinition): ApiDefinition {
  const out: ApiDefinition = { ...base, ...next }
  if (base.paths !== undefined || next.paths !== undefined) {
    const paths: NonNullable<ApiDefinition['paths']> = {}
    for (const [p, item] of Object.entries(base.paths ?? {})) paths[p] = { ...item }
    for (const [p, item] of Object.entries(next.paths ?? {})) paths[p] = { ...paths[p], ...item }
    out.paths = paths
  }
  const maps = ['routes', 'authorizers', 'requestValidators', 'models', 'gatewayResponses'] as const
  for (const k of maps) {
    if (base[k] !== undefined || next[k] !== undefined) (out as Record<string, unknown>)[k] = { ...(base[k] as object | undefined), ...(next[k] as object | undefined) }
  }
  return out
}

/**
 * Creates a managed API from a definition (validated now).
 *
 * @example
 * const api = createApi(definition, { integrations: { listPets } })
 * api.deploy({ stageName: 'prod', variables: { backend: 'http://127.0.0.1:9000' } })
 * app.use(gw.mount(api, { stage: 'prod' }))
 */
export function createApi(definition: ApiDefinition, options: ApiOptions = {}): Api {
  return new Api(definition, options)
}

/** See {@link createApi}. */
export class Api {
  readonly id: string
  readonly accountId: string
  readonly renderTemplate: TemplateRenderer | undefined
  readonly #handlers = new Map<string, LambdaHandler>()
  readonly #deployments = new Map<string, Deployment>()
  readonly #stages = new Map<string, StageState>()
  readonly #now: () => number
  #definition: ApiDefinition
  #seq = 0

  constructor(definition: ApiDefinition, options: ApiOptions = {}) {
    if (options === null || typeof options !== 'object') throw new SluiceConfigError('ERR_INVALID_OPTION', 'createApi(options)', 'must be an object')
    for (const k of Object.keys(options)) {
      if (!['integrations', 'renderTemplate', 'apiId', 'accountId', 'now'].includes(k)) throw new SluiceConfigError('ERR_INVALID_OPTION', k, 'unknown option; expected integrations, renderTemplate, apiId, accountId or now')
    }
    for (const [name, entry] of Object.entries(options.integrations ?? {})) {
      const fn = handlerFunction(entry)
      if (fn === undefined) throw new SluiceConfigError('ERR_UNKNOWN_INTEGRATION', `integrations.${name}`, 'must be a handler function or a module with a handler function')
      this.#handlers.set(name, fn)
    }
    if (options.renderTemplate !== undefined && typeof options.renderTemplate !== 'function') throw new SluiceConfigError('ERR_INVALID_OPTION', 'renderTemplate', 'must be a function')
    this.renderTemplate = options.renderTemplate
    this.#now = options.now ?? Date.now
    this.#definition = this.#check(definition).definition
    this.id = options.apiId ?? slug(definition.name ?? 'api')
    this.accountId = options.accountId ?? '123456789012'
  }

  /** The working definition (what the next deployment snapshots). */
  get definition(): Readonly<ApiDefinition> {
    return this.#definition
  }

  /** A handler of the integrations map. */
  handler(name: string): LambdaHandler | undefined {
    return this.#handlers.get(name)
  }

  #check(definition: ApiDefinition): CompiledApi {
    const frozen = deepFreeze(structuredClone(definition))
    const compiled = compileApi(frozen)
    for (const m of compiled.methods) {
      const i = m.integration
      if (i.type !== 'AWS' && i.type !== 'AWS_PROXY') continue
      const name = i.handler ?? (i.uri !== undefined ? functionNameFromUri(i.uri) : undefined)
      if (name === undefined) throw new SluiceConfigError('ERR_UNKNOWN_INTEGRATION', `${m.pointer}/integration/uri`, 'names no Lambda function')
      if (name.includes('${')) continue // chosen per stage at request time
      if (!this.#handlers.has(name)) {
        throw new SluiceConfigError('ERR_UNKNOWN_INTEGRATION', `${m.pointer}/integration`, `the handler "${name}" is not in the integrations map (${[...this.#handlers.keys()].join(', ') || 'empty'})`)
      }
    }
    return compiled
  }

  /**
   * Re-imports a definition: `overwrite` (default) replaces the working definition, `merge` adds
   * and replaces paths, methods, authorizers, validators, models and gateway responses. Validated
   * first: an invalid result throws and changes nothing. Deployed stages keep serving until
   * {@link deploy} switches them.
   */
  import(definition: ApiDefinition, options: { mode?: ImportMode } = {}): void {
    const mode = options.mode ?? 'overwrite'
    if (mode !== 'overwrite' && mode !== 'merge') throw new SluiceConfigError('ERR_INVALID_OPTION', 'import().mode', 'must be overwrite or merge')
    const next = mode === 'merge' ? mergeDefinitions(this.#definition, definition) : definition
    this.#definition = this.#check(next).definition
  }

  /**
   * Snapshots the working definition into a new deployment. With `stageName`, that stage is
   * pointed at it (created when missing, with `variables`).
   */
  deploy(options: { stageName?: string; description?: string; variables?: Record<string, string> } = {}): Deployment {
    const compiled = this.#check(this.#definition)
    const id = `d${(++this.#seq).toString(36).padStart(5, '0')}`
    const deployment: Deployment = Object.freeze({ id, description: options.description, createdDate: this.#now(), definition: compiled.definition, compiled })
    this.#deployments.set(id, deployment)
    if (options.stageName !== undefined) {
      const existing = this.#stages.get(options.stageName)
      if (existing === undefined) this.createStage(options.stageName, { deploymentId: id, ...(options.variables ? { variables: options.variables } : {}) })
      else this.updateStage(options.stageName, { deploymentId: id, ...(options.variables ? { variables: options.variables } : {}) })
    }
    return deployment
  }

  /** A deployment by id. */
  deployment(id: string): Deployment | undefined {
    return this.#deployments.get(id)
  }

  /** Every deployment, oldest first. */
  deployments(): Deployment[] {
    return [...this.#deployments.values()]
  }

  #deploymentOf(id: unknown, option: string): Deployment {
    const d = typeof id === 'string' ? this.#deployments.get(id) : undefined
    if (d === undefined) throw new SluiceConfigError('ERR_INVALID_STAGE', option, `names no deployment of this API ("${String(id)}")`)
    return d
  }

  #canary(c: CanarySettings | undefined, variables: Readonly<Record<string, string>>, option: string): StageState['canary'] {
    if (c === undefined) return undefined
    if (c === null || typeof c !== 'object') throw new SluiceConfigError('ERR_INVALID_STAGE', option, 'must be canary settings { deploymentId, percentTraffic, ... }')
    const deployment = this.#deploymentOf(c.deploymentId, `${option}.deploymentId`)
    if (typeof c.percentTraffic !== 'number' || !(c.percentTraffic >= 0 && c.percentTraffic <= 100)) throw new SluiceConfigError('ERR_INVALID_STAGE', `${option}.percentTraffic`, 'must be a number from 0 to 100')
    const overrides = checkVariables(c.stageVariableOverrides, `${option}.stageVariableOverrides`)
    const merged = Object.freeze(Object.assign(Object.create(null) as Record<string, string>, variables, overrides))
    return Object.freeze({
      deploymentId: deployment.id,
      percentTraffic: c.percentTraffic,
      useStageCache: c.useStageCache === true,
      sticky: c.sticky === true,
      deployment,
      variables: merged,
    })
  }

  /** Creates a stage. */
  createStage(name: string, settings: StageSettings): StageState {
    if (typeof name !== 'string' || !STAGE_NAME.test(name)) throw new SluiceConfigError('ERR_INVALID_STAGE', 'stageName', 'must be 1 to 128 characters: letters, digits, _, - or $')
    if (this.#stages.has(name)) throw new SluiceConfigError('ERR_INVALID_STAGE', `stages.${name}`, 'already exists; use updateStage')
    return this.#put(name, settings)
  }

  #put(name: string, settings: StageSettings): StageState {
    const deployment = this.#deploymentOf(settings.deploymentId, `stages.${name}.deploymentId`)
    const variables = checkVariables(settings.variables, `stages.${name}.variables`)
    const state: StageState = Object.freeze({ name, deployment, variables, canary: this.#canary(settings.canary, variables, `stages.${name}.canary`) })
    this.#stages.set(name, state)
    return state
  }

  /**
   * Changes a stage atomically: its deployment, variables, canary (`null` removes it). Requests
   * already running finish on what they started with.
   */
  updateStage(name: string, patch: { deploymentId?: string; variables?: Record<string, string>; canary?: CanarySettings | null }): StageState {
    const cur = this.#stages.get(name)
    if (cur === undefined) throw new SluiceConfigError('ERR_INVALID_STAGE', `stages.${name}`, 'no such stage')
    const canary = patch.canary === null ? undefined : (patch.canary ?? (cur.canary ? { deploymentId: cur.canary.deploymentId, percentTraffic: cur.canary.percentTraffic, useStageCache: cur.canary.useStageCache, sticky: cur.canary.sticky, stageVariableOverrides: overridesOf(cur) } : undefined))
    return this.#put(name, { deploymentId: patch.deploymentId ?? cur.deployment.id, variables: patch.variables ?? { ...cur.variables }, ...(canary ? { canary } : {}) })
  }

  /** Promotes a stage's canary: its deployment and variable overrides become the stage's; the canary is removed. */
  promoteCanary(name: string): StageState {
    const cur = this.#stages.get(name)
    if (cur === undefined) throw new SluiceConfigError('ERR_INVALID_STAGE', `stages.${name}`, 'no such stage')
    if (cur.canary === undefined) throw new SluiceConfigError('ERR_INVALID_STAGE', `stages.${name}.canary`, 'the stage has no canary to promote')
    return this.#put(name, { deploymentId: cur.canary.deploymentId, variables: { ...cur.canary.variables } })
  }

  /** A stage by name. */
  stage(name: string): StageState | undefined {
    return this.#stages.get(name)
  }

  /** Every stage name. */
  stageNames(): string[] {
    return [...this.#stages.keys()]
  }
}

function overridesOf(s: StageState): Record<string, string> {
  const out: Record<string, string> = {}
  if (s.canary === undefined) return out
  for (const [k, v] of Object.entries(s.canary.variables)) if (s.variables[k] !== v) out[k] = v
  return out
}

function slug(name: string): string {
  const s = name.toLowerCase().replace(/[^a-z0-9]+/g, '').slice(0, 10)
  return s === '' ? 'api' : s
}
