/**
 * `gw.mount(api, options)`: serves a whole API as one step, in DESIGN.md section 4's order:
 *
 *   base path → stage (canary draw) → route → authorizer → API key → throttle + quota →
 *   cache lookup → request mapping → integration → response mapping → cache store
 *
 * The step answers the request itself (a `respond` outcome), except for NEXT integrations (and,
 * with `unmatched: 'next'`, paths no route matches), where the host framework's route answers.
 */
import { SluiceConfigError } from '../errors.js'
import type { Exchange } from '../exchange.js'
import type { Gateway } from '../gateway.js'
import { CONTINUE, isPromise, proceed, respond, type Continue, type HeaderHook, type Outcome, type Step } from '../outcome.js'
import type { GatewayResponse } from '../response.js'
import { GatewayResponses } from '../responses.js'
import { Api, createApi, type CanaryState, type Deployment, type StageState } from './api.js'
import type { CompiledApi, CompiledMethod } from './compile.js'
import type { RouteMatch } from './router.js'
import { ModelSet, type JsonSchema } from '../validation/models.js'
import { requestValidationStep } from '../validation/validate.js'
import type { ApiDefinition } from './definition.js'
import { NEXT, runIntegration, type IntegrationEnv } from './integrations.js'
import type { IntegrationHandler } from './lambda.js'
import { userRenderer, vtlRenderer, type TemplateRenderer } from './mapping.js'
import { canonicalPath } from './path.js'
import { authorizerSteps, type MountAuthorizer } from './authorizers.js'
import { internalsOf } from '../internals.js'
import { expandShorthand } from '../auth/arn.js'
import { compilePolicy, PolicyError, type CompiledPolicy } from '../auth/policy.js'
import type { AuthorizerResultStore } from '../auth/store.js'
import { throttleStep } from '../throttle/throttle.js'
import { cacheStep } from '../cache/cache.js'
import { composeKey } from '../throttle/identity.js'

/** Options of `gw.mount()`. */
export interface MountOptions {
  /** Handlers by name, when mounting a definition (an {@link Api} brings its own). */
  integrations?: Record<string, IntegrationHandler>
  /** Renders mapping templates instead of sluice's VTL engine, when mounting a definition. */
  renderTemplate?: TemplateRenderer
  /**
   * The stage served. Mounting a definition creates it (default: the gateway's stage name and
   * variables); mounting an {@link Api}, it must exist there (default: its only stage).
   */
  stage?: string
  /** Stage variables of the stage created when mounting a definition. Default: the gateway's. */
  variables?: Record<string, string>
  /**
   * Serve the API under this path prefix (API Gateway's base-path mapping), e.g. `/v1`; requests
   * outside it go on to the host's routes.
   */
  basePath?: string
  /**
   * Requests (under the base path) that match no route: `respond` (default) answers as API
   * Gateway (403 MISSING_AUTHENTICATION_TOKEN, or 404 for HTTP APIs); `next` hands them to the
   * host's own routes, with no API policy applied.
   */
  unmatched?: 'respond' | 'next'
  /** The stage cache is on (API Gateway's `cacheClusterEnabled`): methods are cached per the gateway's cache settings. Default false. */
  caching?: boolean
  /**
   * By the authorizer names the definition's methods use (and `AWS_IAM`): a step, or config fields
   * for `gw.authorize()` merged over the definition's (a JWKS, a secret, IAM credentials). Lambda
   * authorizers need nothing here: their handler comes from the integrations map.
   */
  authorizers?: Record<string, MountAuthorizer>
  /** The canary draw: a number in [0, 1). Default `Math.random`; inject a seeded one in tests. */
  random?: () => number
}

const OPTION_KEYS = new Set(['integrations', 'renderTemplate', 'stage', 'variables', 'basePath', 'unmatched', 'caching', 'authorizers', 'random'])
const BASE_PATH = /^(\/[A-Za-z0-9._~!$&'()*+,;=:@-]+)+$/

/** A mounted API's handle on the step (for tests and tools). */
export interface MountedApi extends Step {
  readonly api: Api
  readonly stageName: string
  readonly basePath: string
}

/** FNV-1a of a caller key, in [0, 100). */
function stickyDraw(key: string): number {
  let h = 2166136261
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619)
  return ((h >>> 0) / 4294967296) * 100
}

function noRoute(gw: Gateway, compiled: CompiledApi, ex: Exchange): GatewayResponse {
  if (compiled.protocol === 'HTTP') return { status: 404, headers: { 'content-type': 'application/json' }, body: '{"message":"Not Found"}' }
  return gw.responses.render('MISSING_AUTHENTICATION_TOKEN', ex)
}

/** @internal builds the mount step of a gateway. */
export function mountStep(gw: Gateway, target: Api | ApiDefinition, options: MountOptions = {}): MountedApi {
  if (options === null || typeof options !== 'object') throw new SluiceConfigError('ERR_INVALID_OPTION', 'mount(options)', 'must be an object')
  for (const k of Object.keys(options)) {
    if (!OPTION_KEYS.has(k)) throw new SluiceConfigError('ERR_INVALID_OPTION', `mount().${k}`, `unknown option; expected one of ${[...OPTION_KEYS].join(', ')}`)
  }
  const basePath = options.basePath ?? ''
  if (basePath !== '' && !BASE_PATH.test(basePath)) throw new SluiceConfigError('ERR_INVALID_OPTION', 'mount().basePath', 'must be a path such as /v1 (no trailing slash, no empty or dot parts)')
  if (basePath.split('/').some((s) => s === '.' || s === '..')) throw new SluiceConfigError('ERR_INVALID_OPTION', 'mount().basePath', 'must not have dot parts')
  const unmatched = options.unmatched ?? 'respond'
  if (unmatched !== 'respond' && unmatched !== 'next') throw new SluiceConfigError('ERR_INVALID_OPTION', 'mount().unmatched', 'must be respond or next')
  const random = options.random ?? Math.random
  if (typeof random !== 'function') throw new SluiceConfigError('ERR_INVALID_OPTION', 'mount().random', 'must be a function returning a number in [0, 1)')
  if (options.authorizers !== undefined && (options.authorizers === null || typeof options.authorizers !== 'object')) throw new SluiceConfigError('ERR_INVALID_OPTION', 'mount().authorizers', 'must be an object of steps or authorizer configs by name')

  let api: Api
  let stageName: string
  if (target instanceof Api) {
    if (options.integrations !== undefined || options.renderTemplate !== undefined || options.variables !== undefined) {
      throw new SluiceConfigError('ERR_INVALID_OPTION', 'mount()', 'integrations, renderTemplate and variables belong to createApi() and its stages when mounting an Api')
    }
    api = target
    const names = api.stageNames()
    stageName = options.stage ?? (names.length === 1 ? (names[0] as string) : '')
    if (api.stage(stageName) === undefined) throw new SluiceConfigError('ERR_INVALID_STAGE', 'mount().stage', `the API has no stage "${stageName}" (${names.join(', ') || 'none'}); deploy one first`)
  } else {
    api = createApi(target, { ...(options.integrations ? { integrations: options.integrations } : {}), ...(options.renderTemplate ? { renderTemplate: options.renderTemplate } : {}), accountId: gw.aws.accountId, now: () => gw.clock.now() })
    stageName = options.stage ?? gw.stage.name
    api.deploy({ stageName, variables: options.variables ?? { ...gw.stage.variables } })
  }
  const internals = internalsOf(gw)
  /**
   * Store keys of this API's stage: its throttle buckets, cache entries and authorizer results are
   * its own. The base path is part of it, so two versions of one API (same name, so same id) mounted
   * side by side never share; the same configuration in another process gives the same keys.
   */
  const scopeKey = composeKey('api', api.id, basePath, stageName)
  const aws = Object.freeze({ region: gw.aws.region, accountId: api.accountId, apiId: api.id })
  const arnPath = (ex: Exchange): string => {
    const p = ex.path
    return basePath === '' ? p : p === basePath ? '/' : p.slice(basePath.length)
  }
  const policies = new WeakMap<Deployment, CompiledPolicy | null>()
  const policyOf = (d: Deployment): CompiledPolicy | undefined => {
    let p = policies.get(d)
    if (p === undefined) {
      // the API's resource policy is part of what a deployment snapshots (AWS: redeploy to apply a change)
      const doc = d.definition.policy ?? (d.compiled.protocol === 'REST' ? internals.resourcePolicy : undefined)
      const option = d.definition.policy !== undefined ? 'policy' : 'resourcePolicy'
      try {
        p = doc === undefined ? null : compilePolicy(doc, { expandResource: expandShorthand(aws), requirePrincipal: true })
      } catch (e) {
        if (e instanceof PolicyError) throw new SluiceConfigError('ERR_INVALID_POLICY', `${option}.${e.path}`, e.message.slice(e.path.length + 2))
        throw e
      }
      policies.set(d, p)
    }
    return p ?? undefined
  }
  const tables = new WeakMap<Deployment, GatewayResponses>()
  /** The deployment's gateway responses over the gateway's (AWS: each REST API has its own, deployed with it). */
  const responsesOf = (d: Deployment): GatewayResponses | undefined => {
    const own = d.definition.gatewayResponses
    if (d.compiled.protocol !== 'REST' || own === undefined || Object.keys(own).length === 0) return undefined
    let t = tables.get(d)
    if (t === undefined) tables.set(d, (t = new GatewayResponses(own, 'gatewayResponses', gw.responses)))
    return t
  }
  const authStore = internals.authEnv.store
  const scopedAuthStore: AuthorizerResultStore = {
    get: (k) => authStore.get(`${scopeKey}:${k}`),
    set: (k, v, ttl) => authStore.set(`${scopeKey}:${k}`, v, ttl),
    delete: (k) => authStore.delete(`${scopeKey}:${k}`),
    clear: () => authStore.clear(),
  }
  const authorizerOf = authorizerSteps(gw, api, options.authorizers ?? {}, {
    env: { clock: internals.authEnv.clock, responses: gw.responses, aws, stage: stageName, store: scopedAuthStore, arnPath },
    policyOf,
  })

  const env: IntegrationEnv = {
    responses: gw.responses,
    handler: (name) => api.handler(name),
    render: api.renderTemplate === undefined ? vtlRenderer() : userRenderer(api.renderTemplate),
    now: () => gw.clock.now(),
    apiId: api.id,
    accountId: api.accountId,
  }
  const keySteps = { HEADER: gw.apiKey({ source: 'HEADER' }), AUTHORIZER: gw.apiKey({ source: 'AUTHORIZER' }) }
  // the gateway's stores, under this API's stage: stage method buckets and plan method buckets are
  // per API and stage (as API Gateway's stages are), the account bucket and quotas are shared
  const throttle = gw.adopt(throttleStep({ ...internals.throttleEnv, stage: scopeKey }, undefined))
  const cacheEnv = { ...internals.cacheEnv, stage: scopeKey }
  const caches = new WeakMap<CompiledMethod, Step>()
  const cacheFor = (d: Deployment, m: CompiledMethod): Step => {
    let s = caches.get(m)
    if (s === undefined) {
      const i = m.integration
      // entries are per deployment: a canary on another deployment never shares them (API Gateway's rule)
      s = gw.adopt(cacheStep({ ...cacheEnv, stage: composeKey('', scopeKey, d.id) }, { ...(i.cacheKeyParameters ? { key: i.cacheKeyParameters } : {}), ...(i.cacheNamespace ? { namespace: i.cacheNamespace } : {}) }))
      caches.set(m, s)
    }
    return s
  }

  const pick = (ex: Exchange, canary: CanaryState | undefined): boolean => {
    if (canary === undefined || canary.percentTraffic <= 0) return false
    if (canary.percentTraffic >= 100) return true
    if (canary.sticky) return stickyDraw(ex.request.headers.get('x-api-key') ?? ex.context.identity.sourceIp) < canary.percentTraffic
    return random() * 100 < canary.percentTraffic
  }

  const corsSteps = new WeakMap<Deployment, Step | null>()
  const corsFor = (d: Deployment): Step | null => {
    let s = corsSteps.get(d)
    if (s === undefined) {
      const c = d.definition.cors
      s = c === undefined ? null : gw.cors({ ...c })
      corsSteps.set(d, s)
    }
    return s
  }
  const modelSets = new WeakMap<Deployment, ModelSet>()
  const validators = new WeakMap<CompiledMethod, Step | null>()
  const validatorFor = (d: Deployment, m: CompiledMethod): Step | null => {
    let s = validators.get(m)
    if (s === undefined) {
      const def = d.definition
      const name = m.definition.requestValidator ?? def.requestValidator
      const v = name === undefined ? undefined : def.requestValidators?.[name]
      if (v === undefined || (v.validateRequestBody !== true && v.validateRequestParameters !== true)) s = null
      else {
        let models = modelSets.get(d)
        if (models === undefined) modelSets.set(d, (models = new ModelSet({ ...def.models } as Record<string, JsonSchema>, { option: 'models' })))
        // path parameters of the matched template are present by routing; the framework's own params do not name them
        const templateParams = new Set([...m.resource.matchAll(/\{([^}+]+)\+?\}/g)].map((x) => x[1] as string))
        const requestParameters: Record<string, boolean> = {}
        for (const [k, req] of Object.entries(m.definition.requestParameters ?? {})) {
          const p = /^method\.request\.path\.(.+)$/.exec(k)
          if (p && templateParams.has(p[1] as string)) continue
          requestParameters[k] = req
        }
        s = gw.adopt(
          requestValidationStep(
            { validator: { validateRequestBody: v.validateRequestBody === true, validateRequestParameters: v.validateRequestParameters === true }, requestParameters, requestModels: { ...m.definition.requestModels }, models },
            gw.responses,
            `${m.pointer}`,
          ),
        )
      }
      validators.set(m, s)
    }
    return s
  }

  /** Headers and after-phase hooks gathered from the steps run so far. */
  interface Gathered {
    readonly headers: Record<string, string>
    readonly finalizers: Array<NonNullable<Continue['finalize']>>
    /** Response-header hooks (CORS), applied last, latest first. */
    readonly headerHooks: HeaderHook[]
  }

  const runStep = async (s: Step, ex: Exchange, g: Gathered): Promise<GatewayResponse | undefined> => {
    let o = gw.run(s, ex)
    if (isPromise(o)) o = await o
    if (o.kind === 'respond') return o.response
    if (o.headers !== undefined) Object.assign(g.headers, o.headers)
    if (o.finalize !== undefined) g.finalizers.push(o.finalize)
    if (o.responseHeaders !== undefined) g.headerHooks.push(o.responseHeaders)
    return undefined
  }

  const answer = async (response: GatewayResponse, ex: Exchange, g: Gathered, protocol: 'REST' | 'HTTP'): Promise<Outcome> => {
    let r = response
    for (let i = g.finalizers.length - 1; i >= 0; i--) r = await gw.finalize(g.finalizers[i] as NonNullable<Continue['finalize']>, r, ex)
    if (!ex.requestIdSent) {
      ex.requestIdSent = true
      g.headers['x-amzn-requestid'] = ex.context.requestId
    }
    if (protocol === 'HTTP') g.headers['apigw-requestid'] = ex.context.extendedRequestId
    let headers: Record<string, string> = { ...r.headers, ...g.headers }
    if (g.headerHooks.length > 0) {
      const { 'set-cookie': cookie, ...rest } = headers
      headers = rest
      for (let i = g.headerHooks.length - 1; i >= 0; i--) headers = (g.headerHooks[i] as HeaderHook)(headers, r.status, ex)
      if (cookie !== undefined) headers['set-cookie'] = cookie
    }
    return respond({ ...r, headers })
  }

  /** Hands the request to the host's route, with the gathered headers and after-phase hooks. */
  const next = (g: Gathered): Outcome => {
    const headers = Object.keys(g.headers).length > 0 ? g.headers : undefined
    const chain = [...g.finalizers]
    const base =
      g.finalizers.length === 0
        ? proceed(headers)
        : proceed(headers, async (response, exchange) => {
            let r = response
            for (let i = chain.length - 1; i >= 0; i--) r = await (chain[i] as NonNullable<Continue['finalize']>)(r, exchange)
            return r
          })
    if (g.headerHooks.length === 0) return base
    const hooks = [...g.headerHooks]
    const responseHeaders: HeaderHook = (h, status, exchange) => {
      let out: Record<string, string> = { ...h }
      for (let i = hooks.length - 1; i >= 0; i--) out = (hooks[i] as HeaderHook)(out, status, exchange)
      return out
    }
    return { kind: 'continue', headers: base.headers, finalize: base.finalize, responseHeaders }
  }

  async function serve(ex: Exchange, deployment: Deployment, match: RouteMatch<CompiledMethod>, canary: boolean, cacheable: boolean, g: Gathered): Promise<Outcome> {
    const method = match.value
    const protocol = deployment.compiled.protocol
    const def = method.definition
    const authorizer = authorizerOf(method, deployment)
    if (authorizer !== undefined) {
      const denied = await runStep(authorizer, ex, g)
      if (denied) return answer(denied, ex, g, protocol)
    }
    if (def.apiKeyRequired === true) {
      const denied = await runStep(keySteps[deployment.definition.apiKeySource ?? 'HEADER'], ex, g)
      if (denied) return answer(denied, ex, g, protocol)
    }
    const throttled = await runStep(throttle, ex, g)
    if (throttled) return answer(throttled, ex, g, protocol)
    const validator = validatorFor(deployment, method)
    if (validator !== null) {
      const invalid = await runStep(validator, ex, g)
      if (invalid) return answer(invalid, ex, g, protocol)
    }
    if (cacheable) {
      const hit = await runStep(cacheFor(deployment, method), ex, g)
      if (hit) return answer(hit, ex, g, protocol)
    }
    if (method.integration.type === 'NEXT') return next(g)
    let body: Uint8Array
    try {
      body = new Uint8Array(await ex.request.arrayBuffer())
    } catch {
      return answer(gw.responses.render('REQUEST_TOO_LARGE', ex), ex, g, protocol)
    }
    const out = await runIntegration(env, { exchange: ex, api: deployment.compiled, method, match, stage: stageName, stageVariables: ex.stageVariables, deploymentId: deployment.id, isCanaryRequest: canary, path: ex.path, contextPath: basePath === '' && stageName !== '$default' ? `/${stageName}${arnPath(ex)}` : ex.path, query: ex.query, body })
    if (out === NEXT) return next(g)
    return answer(out, ex, g, protocol)
  }

  /** Routing and everything after it; `g` holds what CORS (run first) added. */
  function route(ex: Exchange, stage: StageState, deployment: Deployment, apiPath: string, canary: boolean, g: Gathered): Outcome | Promise<Outcome> {
    const compiled = deployment.compiled
    const c = canonicalPath(apiPath)
    const match = c === undefined ? undefined : compiled.router.match(ex.request.method, c)
    ex.record({ feature: 'mount', decision: match ? 'allow' : 'deny', reason: match ? 'route' : 'no-route', detail: { deployment: deployment.id, canary, ...(match ? { resource: match.resource, method: match.method } : {}) } })
    if (match === undefined) {
      if (unmatched === 'next') {
        // the host's route, not the API's: the gateway's own responses apply again
        ex.gatewayResponses = undefined
        return next(g)
      }
      const denial = noRoute(gw, compiled, ex)
      return g.finalizers.length === 0 && g.headerHooks.length === 0 && compiled.protocol === 'REST' ? respond(denial) : answer(denial, ex, g, compiled.protocol)
    }
    ex.setRoute(match.resource === '$default' ? apiPath : match.resource)
    const cacheable = options.caching === true && (!canary || (stage.canary as CanaryState).useStageCache)
    return serve(ex, deployment, match, canary, cacheable, g)
  }

  const mounted: MountedApi = {
    feature: 'mount',
    api,
    stageName,
    basePath,
    run(ex: Exchange): Outcome | Promise<Outcome> {
      const path = ex.path
      let apiPath = path
      if (basePath !== '') {
        if (path === basePath) apiPath = '/'
        else if (path.startsWith(`${basePath}/`)) apiPath = path.slice(basePath.length)
        else return CONTINUE
      }
      const stage = api.stage(stageName)
      if (stage === undefined) return respond(gw.responses.render('API_CONFIGURATION_ERROR', ex))
      const canary = pick(ex, stage.canary)
      const deployment = canary ? (stage.canary as CanaryState).deployment : stage.deployment
      ex.enterStage(stageName, canary ? (stage.canary as CanaryState).variables : stage.variables)
      // every gateway response from here on (this API's steps, its NEXT integrations' host routes) is the deployment's
      ex.gatewayResponses = responsesOf(deployment)
      const g: Gathered = { headers: {}, finalizers: [], headerHooks: [] }
      const cors = corsFor(deployment)
      if (cors === null) return route(ex, stage, deployment, apiPath, canary, g)
      return runStep(cors, ex, g).then((preflight) => (preflight ? answer(preflight, ex, g, deployment.compiled.protocol) : route(ex, stage, deployment, apiPath, canary, g)))
    },
  }
  return gw.adopt(mounted) as MountedApi
}
