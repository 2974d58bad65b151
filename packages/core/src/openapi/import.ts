/**
 * `importOpenApi`: an OpenAPI 2.0 / 3.x document with `x-amazon-apigateway-*` extensions → an
 * {@link ApiDefinition}. The conversion collects every diagnostic (with its JSON pointer into the
 * document) rather than stopping at the first; `lintOpenApi` returns the same list.
 */
import { compileApi } from '../api/compile.js'
import { type ApiDefinition, type ApiMethod, type CorsDefinition, type MethodDefinition, type PathDefinition } from '../api/definition.js'
import { compilePolicy } from '../auth/policy.js'
import { corsStep } from '../cors/cors.js'
import { SluiceConfigError, isSluiceConfigError } from '../errors.js'
import { GatewayResponses, type GatewayResponseConfig, type GatewayResponsesOptions } from '../responses.js'
import { ModelSet, type JsonSchema } from '../validation/models.js'
import { Ctx, dict, entries, isObject, own, put, reason, X, type Obj } from './context.js'
import { readModels } from './models.js'
import { operationFrom, type OperationEnv } from './operation.js'
import { ptr } from './pointer.js'
import { readSchemes } from './security.js'
import type { ImportOpenApiOptions, ImportOpenApiResult, OpenApiDiagnostic } from './types.js'

const VERBS: Record<string, ApiMethod> = { get: 'GET', put: 'PUT', post: 'POST', delete: 'DELETE', options: 'OPTIONS', head: 'HEAD', patch: 'PATCH', [`${X}any-method`]: 'ANY' }
const PATH_ITEM_KEYS = new Set([...Object.keys(VERBS), 'parameters', 'summary', 'description', 'servers', 'trace', '$ref'])
const ROOT_KEYS = new Set([
  'swagger',
  'openapi',
  'info',
  'host',
  'basePath',
  'schemes',
  'consumes',
  'produces',
  'paths',
  'definitions',
  'parameters',
  'responses',
  'securityDefinitions',
  'security',
  'tags',
  'externalDocs',
  'servers',
  'components',
  'jsonSchemaDialect',
  'webhooks',
  `${X}api-key-source`,
  `${X}binary-media-types`,
  `${X}gateway-responses`,
  `${X}request-validators`,
  `${X}request-validator`,
  `${X}cors`,
  `${X}policy`,
  `${X}importexport-version`,
  `${X}minimum-compression-size`,
  `${X}documentation`,
  `${X}endpoint-configuration`,
  `${X}tag-value`,
])
const COMPONENT_KEYS = new Set(['schemas', 'responses', 'parameters', 'examples', 'requestBodies', 'headers', 'securitySchemes', 'links', 'callbacks', 'pathItems', `${X}integrations`])
/** Root extensions that have no effect on serving: reported as warnings, named so. */
const NO_EFFECT: Record<string, string> = {
  [`${X}documentation`]: 'documentation parts have no effect on serving: ignored',
  [`${X}endpoint-configuration`]: 'endpoint configuration (execute-api endpoint, VPC endpoints) does not apply to a local server: ignored',
  [`${X}tag-value`]: 'tags have no effect on serving: ignored',
}

/** Decides REST or HTTP: see {@link ImportOpenApiOptions.protocol}. */
function detectProtocol(doc: Obj): 'REST' | 'HTTP' {
  if (own(doc, `${X}importexport-version`) !== undefined || own(doc, `${X}cors`) !== undefined) return 'HTTP'
  for (const [, item] of entries(own(doc, 'paths'))) {
    for (const [, op] of entries(item)) {
      if (own(op, 'isDefaultRoute') === true) return 'HTTP'
      if (own(own(op, `${X}integration`), 'payloadFormatVersion') !== undefined) return 'HTTP'
    }
  }
  const container = own(doc, 'components')
  for (const [, scheme] of entries(own(container, 'securitySchemes'))) {
    const t = own(own(scheme, `${X}authorizer`), 'type')
    if (typeof t === 'string' && t.toLowerCase() === 'jwt') return 'HTTP'
  }
  return 'REST'
}

function readVersion(ctx: Ctx): boolean {
  const swagger = own(ctx.doc, 'swagger')
  const openapi = own(ctx.doc, 'openapi')
  // unquoted in YAML, `swagger: 2.0` and `openapi: 3.0` parse as numbers: read them, and say so
  if (swagger === 2) ctx.warn('/swagger', "is the number 2: write the string '2.0'")
  else if (openapi === 3 || openapi === 3.1) ctx.warn('/openapi', `is the number ${openapi}: write a version string such as '${openapi === 3 ? '3.0.3' : '3.1.0'}'`)
  if (swagger !== undefined) {
    if (swagger !== '2.0' && swagger !== 2) {
      ctx.error('/swagger', "must be '2.0'")
      return false
    }
    ctx.version = 2
    return true
  }
  if ((typeof openapi === 'string' && /^3\.[01]\.\d+(-.+)?$/.test(openapi)) || openapi === 3 || openapi === 3.1) {
    ctx.version = 3
    ctx.jsonSchema2020 = String(openapi).startsWith('3.1')
    return true
  }
  if (openapi !== undefined) ctx.error('/openapi', "must be an OpenAPI 3.0 or 3.1 version such as '3.0.1'")
  else ctx.error('', "is not an OpenAPI document: neither swagger: '2.0' nor openapi: '3.x'")
  return false
}

function readValidators(ctx: Ctx, def: ApiDefinition): Set<string> {
  const names = new Set<string>()
  const raw = ctx.obj(ctx.doc, `${X}request-validators`, '')
  if (raw !== undefined) {
    const out = dict<NonNullable<ApiDefinition['requestValidators']>[string]>()
    for (const [name, v] of Object.entries(raw)) {
      const p = ptr('', `${X}request-validators`, name)
      if (!isObject(v)) {
        ctx.error(p, 'must be { validateRequestBody, validateRequestParameters }')
        continue
      }
      ctx.unknownKeys(v, p, new Set(['validateRequestBody', 'validateRequestParameters']), 'request validator')
      const body = ctx.bool(v, 'validateRequestBody', p)
      const params = ctx.bool(v, 'validateRequestParameters', p)
      put(out, name, { ...(body !== undefined ? { validateRequestBody: body } : {}), ...(params !== undefined ? { validateRequestParameters: params } : {}) })
      names.add(name)
    }
    def.requestValidators = out
  }
  const dflt = ctx.str(ctx.doc, `${X}request-validator`, '')
  if (dflt !== undefined) {
    if (!names.has(dflt)) ctx.error(ptr('', `${X}request-validator`), `names no request validator of x-amazon-apigateway-request-validators (${[...names].join(', ') || 'none defined'})`)
    else def.requestValidator = dflt
  }
  return names
}

function readGatewayResponses(ctx: Ctx, def: ApiDefinition): void {
  const raw = ctx.obj(ctx.doc, `${X}gateway-responses`, '')
  if (raw === undefined) return
  if (ctx.protocol === 'HTTP') {
    ctx.error(ptr('', `${X}gateway-responses`), 'gateway responses are for REST APIs (HTTP APIs answer with fixed bodies)')
    return
  }
  const out = dict<GatewayResponseConfig>() as GatewayResponsesOptions
  for (const [type, r] of Object.entries(raw)) {
    const p = ptr('', `${X}gateway-responses`, type)
    if (!isObject(r)) {
      ctx.error(p, 'must be { statusCode?, responseParameters?, responseTemplates? }')
      continue
    }
    ctx.unknownKeys(r, p, new Set(['statusCode', 'responseParameters', 'responseTemplates', 'defaultResponse']), 'gateway response')
    const config: GatewayResponseConfig = {}
    const status = ctx.int(r, 'statusCode', p, 100, 599)
    if (status !== undefined) config.statusCode = status
    const params = ctx.stringMap(r, 'responseParameters', p)
    if (params !== undefined) config.responseParameters = params
    const templates = ctx.stringMap(r, 'responseTemplates', p)
    if (templates !== undefined) config.responseTemplates = templates
    try {
      new GatewayResponses({ [type]: config } as GatewayResponsesOptions)
      put(out as Record<string, GatewayResponseConfig>, type, config)
    } catch (e) {
      ctx.error(p, reason(e))
    }
  }
  def.gatewayResponses = out
}

function readCors(ctx: Ctx, def: ApiDefinition): void {
  const c = ctx.obj(ctx.doc, `${X}cors`, '')
  if (c === undefined) return
  const p = `/${X}cors`
  ctx.unknownKeys(c, p, new Set(['allowOrigins', 'allowCredentials', 'exposeHeaders', 'maxAge', 'allowMethods', 'allowHeaders']), 'CORS')
  const out: CorsDefinition = {}
  for (const k of ['allowOrigins', 'exposeHeaders', 'allowMethods', 'allowHeaders'] as const) {
    const v = ctx.strings(c, k, p)
    if (v !== undefined) out[k] = v
  }
  const cred = ctx.bool(c, 'allowCredentials', p)
  if (cred !== undefined) out.allowCredentials = cred
  const age = ctx.int(c, 'maxAge', p, -1, 86400)
  if (age !== undefined) out.maxAge = age
  try {
    corsStep({ ...out })
    def.cors = out
  } catch (e) {
    ctx.error(p, reason(e))
  }
  if (ctx.protocol === 'REST') ctx.warn(p, 'x-amazon-apigateway-cors is an HTTP API setting; sluice applies it to this REST API too')
}

function readRootSettings(ctx: Ctx, def: ApiDefinition): void {
  const info = ctx.obj(ctx.doc, 'info', '')
  if (info !== undefined) {
    const title = ctx.str(info, 'title', '/info')
    if (title !== undefined) def.name = title
    const version = ctx.str(info, 'version', '/info')
    if (version !== undefined) def.version = version
    const description = ctx.str(info, 'description', '/info')
    if (description !== undefined) def.description = description
  }
  const src = own(ctx.doc, `${X}api-key-source`)
  if (src !== undefined) {
    if (src !== 'HEADER' && src !== 'AUTHORIZER') ctx.error(`/${X}api-key-source`, 'must be HEADER or AUTHORIZER')
    else def.apiKeySource = src
  }
  const bmt = ctx.strings(ctx.doc, `${X}binary-media-types`, '')
  if (bmt !== undefined) {
    // API Gateway's own exports sometimes escape the slash as a JSON pointer does (image~1png)
    const types = bmt.map((t) => t.replace(/~1/g, '/'))
    types.forEach((t, i) => {
      if (!/^[^/\s]+\/[^/\s]+$/.test(t)) ctx.error(ptr('', `${X}binary-media-types`, i), 'must be a media type such as image/png or */*')
    })
    def.binaryMediaTypes = types
  }
  const policy = own(ctx.doc, `${X}policy`)
  if (policy !== undefined) {
    try {
      compilePolicy(policy, { expandResource: (r: string) => r })
      def.policy = structuredClone(policy) as NonNullable<ApiDefinition['policy']>
    } catch (e) {
      ctx.error(`/${X}policy`, reason(e))
    }
  }
  const mcs = ctx.int(ctx.doc, `${X}minimum-compression-size`, '', 0, 10_485_760)
  if (mcs !== undefined) {
    def.minimumCompressionSize = mcs
    ctx.warn(`/${X}minimum-compression-size`, "response compression is the host framework's job: ignored")
  }
  const iev = own(ctx.doc, `${X}importexport-version`)
  if (iev !== undefined && iev !== '1.0') ctx.warn(`/${X}importexport-version`, "only '1.0' is known")
  for (const [k, why] of Object.entries(NO_EFFECT)) if (own(ctx.doc, k) !== undefined) ctx.warn(ptr('', k), why)
  const basePath = own(ctx.doc, 'basePath')
  if (typeof basePath === 'string' && basePath !== '/' && basePath !== '') ctx.warn('/basePath', `ignored, as API Gateway's default import does (basepath=ignore); to serve under ${basePath}, mount with { basePath }`)
  if (own(ctx.doc, 'security') !== undefined) ctx.warn('/security', 'API Gateway ignores root-level security: give each operation its own security')
  if (own(ctx.doc, 'webhooks') !== undefined) ctx.warn('/webhooks', 'webhooks are not served: ignored')
}

function readPaths(ctx: Ctx, def: ApiDefinition, env: OperationEnv): void {
  const raw = own(ctx.doc, 'paths')
  if (raw === undefined) return
  if (!isObject(raw)) {
    ctx.error('/paths', 'must be an object of paths')
    return
  }
  const paths = dict<PathDefinition>()
  for (const [path, item] of Object.entries(raw)) {
    const p = ptr('/paths', path)
    if (path.startsWith(X)) ctx.warn(p, `${path} is not supported here by sluice and is ignored`)
    if (path.startsWith('x-')) continue
    if (!path.startsWith('/')) {
      ctx.error(p, 'a path starts with /')
      continue
    }
    if (!isObject(item)) {
      ctx.error(p, 'must be a path item object')
      continue
    }
    if (own(item, '$ref') !== undefined) ctx.error(ptr(p, '$ref'), 'path item references are not supported')
    ctx.unknownKeys(item, p, PATH_ITEM_KEYS, 'path item')
    if (own(item, 'trace') !== undefined) ctx.error(ptr(p, 'trace'), 'API Gateway has no TRACE method')
    const out = dict<MethodDefinition>() as PathDefinition
    for (const [key, op] of Object.entries(item)) {
      if (!Object.prototype.hasOwnProperty.call(VERBS, key)) continue
      const verb = VERBS[key] as ApiMethod
      const op_p = ptr(p, key)
      if (!isObject(op)) {
        ctx.error(op_p, 'must be an operation object')
        continue
      }
      const m = operationFrom(ctx, op, op_p, path, verb, own(item, 'parameters'), p, env)
      if (m === undefined) continue
      if (own(op, 'isDefaultRoute') === true || path === '/$default') {
        if (ctx.protocol !== 'HTTP') ctx.error(op_p, 'the $default route is for HTTP APIs')
        else if (verb !== 'ANY') ctx.error(op_p, 'the $default route is x-amazon-apigateway-any-method')
        else {
          def.routes ??= dict<MethodDefinition>()
          put(def.routes, '$default', m)
        }
        continue
      }
      put(out as Record<string, MethodDefinition>, verb, m)
    }
    if (Object.keys(out).length > 0) put(paths, path, out)
  }
  def.paths = paths
}

/** Checks what the built definition's own validation says (and the models), mapped to the document where possible. */
function checkDefinition(ctx: Ctx, def: ApiDefinition, modelPointers: ReadonlyMap<string, string>): void {
  try {
    new ModelSet({ ...def.models } as Record<string, JsonSchema>, { option: 'models' })
  } catch (e) {
    const option = isSluiceConfigError(e) ? e.option : ''
    const name = /^models\.([A-Za-z0-9]+)/.exec(option)?.[1]
    ctx.error(name !== undefined ? (modelPointers.get(name) ?? '') : '', reason(e))
  }
  try {
    compileApi(def)
  } catch (e) {
    ctx.error('', `the imported definition is invalid: ${e instanceof Error ? e.message : String(e)}`)
  }
}

/** @internal converts a document, collecting every diagnostic instead of throwing. */
export function convert(doc: unknown, options: ImportOpenApiOptions = {}): { definition: ApiDefinition; diagnostics: OpenApiDiagnostic[] } {
  const definition: ApiDefinition = {}
  if (!isObject(doc)) return { definition, diagnostics: [{ pointer: '', message: 'an OpenAPI document must be an object', severity: 'error' }] }
  const ctx = new Ctx(doc, options)
  if (!readVersion(ctx)) return { definition, diagnostics: ctx.diagnostics }
  const protocol = options.protocol ?? detectProtocol(doc)
  if (protocol !== 'REST' && protocol !== 'HTTP') {
    ctx.error('', "options.protocol must be 'REST' or 'HTTP'")
    return { definition, diagnostics: ctx.diagnostics }
  }
  ctx.protocol = protocol
  if (protocol === 'HTTP') definition.protocol = 'HTTP'
  ctx.unknownKeys(doc, '', ROOT_KEYS, 'root')
  const components = own(doc, 'components')
  if (isObject(components)) ctx.unknownKeys(components, '/components', COMPONENT_KEYS, 'components')
  readRootSettings(ctx, definition)
  const { authorizers, kinds } = readSchemes(ctx)
  if (Object.keys(authorizers).length > 0) definition.authorizers = authorizers
  const validators = readValidators(ctx, definition)
  const { models, pointers } = readModels(ctx)
  readPaths(ctx, definition, { kinds, models, validators })
  if (Object.keys(models).length > 0) definition.models = models
  readGatewayResponses(ctx, definition)
  readCors(ctx, definition)
  if (Object.keys(definition.paths ?? {}).length === 0 && definition.routes === undefined && !ctx.diagnostics.some((d) => d.severity === 'error')) ctx.error('/paths', 'defines no paths')
  if (!ctx.diagnostics.some((d) => d.severity === 'error')) checkDefinition(ctx, definition, pointers)
  return { definition, diagnostics: ctx.diagnostics }
}

/**
 * Imports an OpenAPI 2.0 (swagger) or 3.0 / 3.1 document with API Gateway's extensions into an
 * {@link ApiDefinition} for `createApi()` / `gw.mount()`. Errors (anything the document needs
 * that sluice cannot serve) are collected and thrown together as one `SluiceConfigError`
 * (`ERR_INVALID_OPENAPI`) with an `issues` list; what is only ignored comes back as `warnings`.
 *
 * @example
 * const { definition, warnings } = importOpenApi(JSON.parse(text), { rewriteUri: { 'https://backend.example': '${stageVariables.backend}' } })
 * app.use(gw.mount(definition, { integrations: { listPets } }))
 */
export function importOpenApi(doc: unknown, options: ImportOpenApiOptions = {}): ImportOpenApiResult {
  if (options === null || typeof options !== 'object') throw new SluiceConfigError('ERR_INVALID_OPTION', 'importOpenApi(options)', 'must be an object')
  for (const k of Object.keys(options)) {
    if (!['protocol', 'keepQualifier', 'rewriteUri', 'strict'].includes(k)) throw new SluiceConfigError('ERR_INVALID_OPTION', `importOpenApi().${k}`, 'unknown option; expected protocol, keepQualifier, rewriteUri or strict')
  }
  if (options.protocol !== undefined && options.protocol !== 'REST' && options.protocol !== 'HTTP') throw new SluiceConfigError('ERR_INVALID_OPTION', 'importOpenApi().protocol', "must be 'REST' or 'HTTP'")
  for (const k of ['keepQualifier', 'strict'] as const) {
    if (options[k] !== undefined && typeof options[k] !== 'boolean') throw new SluiceConfigError('ERR_INVALID_OPTION', `importOpenApi().${k}`, 'must be true or false')
  }
  const r = options.rewriteUri
  if (r !== undefined && typeof r !== 'function' && (r === null || typeof r !== 'object' || Object.values(r).some((v) => typeof v !== 'string'))) {
    throw new SluiceConfigError('ERR_INVALID_OPTION', 'importOpenApi().rewriteUri', 'must be an object of URI prefixes to replacements, or a function')
  }
  const { definition, diagnostics } = convert(doc, options)
  const errors = diagnostics.filter((d) => d.severity === 'error' || options.strict === true)
  if (errors.length > 0) throw openApiError(errors)
  return { definition, warnings: diagnostics.filter((d) => d.severity === 'warning') }
}

/** A `SluiceConfigError` with code `ERR_INVALID_OPENAPI` that lists every issue found. */
export interface OpenApiError extends SluiceConfigError {
  readonly issues: readonly OpenApiDiagnostic[]
}

function openApiError(issues: OpenApiDiagnostic[]): OpenApiError {
  const first = issues[0] as OpenApiDiagnostic
  const at = (p: string): string => (p === '' ? '/' : p)
  const list = issues.map((i) => `${at(i.pointer)}: ${i.message}`).join('; ')
  const e = new SluiceConfigError('ERR_INVALID_OPENAPI', at(first.pointer), issues.length === 1 ? first.message : `${issues.length} problems: ${list}`)
  Object.defineProperty(e, 'issues', { value: Object.freeze(issues.map((i) => Object.freeze({ ...i }))), enumerable: true })
  return e as OpenApiError
}
