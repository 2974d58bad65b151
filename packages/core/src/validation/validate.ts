/**
 * Request validation as API Gateway's request validators do it: required path, query string and
 * header parameters present and non-blank (400 BAD_REQUEST_PARAMETERS), then the body against the
 * method's model for its content type (400 BAD_REQUEST_BODY), details in
 * `$context.error.validationErrorString`. Models are compiled once, when the step is built.
 */
import { SluiceConfigError } from '../errors.js'
import type { Exchange } from '../exchange.js'
import { CONTINUE, respond, type Outcome, type Step } from '../outcome.js'
import { CAPTURE_LIMIT } from '../response.js'
import type { GatewayResponses } from '../responses.js'
import { mediaTypeEssence } from './media-type.js'
import { ModelSet, type CompiledModel, type JsonSchema, type SchemaDraft } from './models.js'

/** Where a required parameter is read from (API Gateway's `method.request.{location}.{name}`). */
export type ParameterLocation = 'path' | 'querystring' | 'header'

/** Which checks run: API Gateway's request validator (`validateRequestBody`, `validateRequestParameters`). */
export interface RequestValidator {
  validateRequestBody: boolean
  validateRequestParameters: boolean
}

/**
 * One method's validation in API Gateway's own terms: what an OpenAPI import produces from
 * `x-amazon-apigateway-request-validator(s)`, the method's `requestParameters` and `requestModels`.
 * {@link requestValidationStep} turns it into a step.
 */
export interface RequestValidationConfig {
  /** The validator in force for the method (none: pass `{ validateRequestBody: false, validateRequestParameters: false }`). */
  readonly validator: RequestValidator
  /** `method.request.{path|querystring|header}.NAME` → required (`true`) or optional (`false`). */
  readonly requestParameters?: Readonly<Record<string, boolean>>
  /** Content type (`application/json`, or `$default` for any other) → a model name or a schema. */
  readonly requestModels?: Readonly<Record<string, string | JsonSchema>>
  /** The API's models (shared by its methods), or their schemas by name. Built-ins `Empty` and `Error` always exist. */
  readonly models?: ModelSet | Readonly<Record<string, JsonSchema>>
  /** The draft of schemas without `$schema` (when `models` is not a ModelSet). Default `draft-04`. */
  readonly draft?: SchemaDraft
  /**
   * A body whose content type has no model and no `$default` model: `skip` (API Gateway: not
   * validated) or `reject` (400 BAD_REQUEST_BODY). Default `skip`.
   */
  readonly unmatchedContentType?: 'skip' | 'reject'
  /** The largest body read for validation; a larger one gets 413 REQUEST_TOO_LARGE. Default 10 MiB. */
  readonly maxBodyBytes?: number
}

/** Options of `gw.validate()`. */
export interface ValidateOptions {
  /**
   * The body's model: a schema (validated whatever the content type, as API Gateway's `$default`),
   * or models by content type (`{ 'application/json': schema, $default: 'Empty' }`); a string names
   * a model of `models`.
   */
  body?: JsonSchema | string | Readonly<Record<string, JsonSchema | string>>
  /** Required parameters by location: `{ querystring: ['q'], header: ['x-token'], path: ['id'] }`. */
  parameters?: Readonly<Partial<Record<ParameterLocation, readonly string[]>>>
  /** Required parameters in API Gateway's form, `{ 'method.request.querystring.q': true }` (`false`: optional). */
  requestParameters?: Readonly<Record<string, boolean>>
  /** Which checks run: `all` (default), `body`, `params`, or API Gateway's validator fields. */
  validator?: 'all' | 'body' | 'params' | RequestValidator
  /** Named models the body (and `$ref`s) may refer to. */
  models?: ModelSet | Readonly<Record<string, JsonSchema>>
  /** The draft of schemas without `$schema`. Default `draft-04` (API Gateway's). */
  draft?: SchemaDraft
  /** See {@link RequestValidationConfig.unmatchedContentType}. */
  unmatchedContentType?: 'skip' | 'reject'
  /** See {@link RequestValidationConfig.maxBodyBytes}. */
  maxBodyBytes?: number
}

const OPTION_KEYS = new Set(['body', 'parameters', 'requestParameters', 'validator', 'models', 'draft', 'unmatchedContentType', 'maxBodyBytes'])
const CONFIG_KEYS = new Set(['validator', 'requestParameters', 'requestModels', 'models', 'draft', 'unmatchedContentType', 'maxBodyBytes'])
const PARAMETER = /^method\.request\.(path|querystring|header)\.(.+)$/
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const CONTENT_TYPE_KEY = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+\/[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const LOCATIONS: readonly ParameterLocation[] = ['path', 'querystring', 'header']

const fail = (option: string, message: string): never => {
  throw new SluiceConfigError('ERR_INVALID_VALIDATION', option, message)
}

interface Required {
  readonly location: ParameterLocation
  readonly name: string
  /** For headers: the lower-case name to read. */
  readonly key: string
}

/** True when an object is a map of models by content type rather than one schema. */
function isModelMap(body: object): boolean {
  const keys = Object.keys(body)
  return keys.length > 0 && keys.every((k) => k === '$default' || CONTENT_TYPE_KEY.test(k))
}

/** Turns `gw.validate()` options into API Gateway's terms. Throws `ERR_INVALID_VALIDATION`. */
export function validationConfig(options: ValidateOptions, option = 'validate()'): RequestValidationConfig {
  if (options === null || typeof options !== 'object') fail(option, 'options must be an object')
  for (const k of Object.keys(options)) if (!OPTION_KEYS.has(k)) fail(`${option}.${k}`, `unknown option; expected ${[...OPTION_KEYS].join(', ')}`)
  let validator: RequestValidator
  const v = options.validator ?? 'all'
  if (v === 'all') validator = { validateRequestBody: true, validateRequestParameters: true }
  else if (v === 'body') validator = { validateRequestBody: true, validateRequestParameters: false }
  else if (v === 'params') validator = { validateRequestBody: false, validateRequestParameters: true }
  else if (v !== null && typeof v === 'object' && typeof v.validateRequestBody === 'boolean' && typeof v.validateRequestParameters === 'boolean') validator = { ...v }
  else return fail(`${option}.validator`, "must be 'all', 'body', 'params' or { validateRequestBody, validateRequestParameters }")
  const requestParameters: Record<string, boolean> = { ...options.requestParameters }
  const parameters = options.parameters
  if (parameters !== undefined) {
    if (parameters === null || typeof parameters !== 'object') fail(`${option}.parameters`, 'must be { path?, querystring?, header? } lists of names')
    for (const [loc, names] of Object.entries(parameters)) {
      if (!LOCATIONS.includes(loc as ParameterLocation)) fail(`${option}.parameters.${loc}`, 'unknown location; expected path, querystring or header')
      if (!Array.isArray(names)) fail(`${option}.parameters.${loc}`, 'must be a list of parameter names')
      for (const name of names as unknown[]) {
        if (typeof name !== 'string') fail(`${option}.parameters.${loc}`, 'names must be strings')
        requestParameters[`method.request.${loc}.${name as string}`] = true
      }
    }
  }
  let requestModels: Record<string, string | JsonSchema> | undefined
  const body = options.body
  if (body !== undefined) {
    if (typeof body === 'string' || typeof body === 'boolean') requestModels = { $default: body }
    else if (body === null || typeof body !== 'object' || Array.isArray(body)) return fail(`${option}.body`, 'must be a JSON Schema, a model name, or models by content type')
    else requestModels = isModelMap(body) ? { ...(body as Record<string, JsonSchema | string>) } : { $default: body as JsonSchema }
  }
  return {
    validator,
    requestParameters,
    ...(requestModels !== undefined ? { requestModels } : {}),
    ...(options.models !== undefined ? { models: options.models } : {}),
    ...(options.draft !== undefined ? { draft: options.draft } : {}),
    ...(options.unmatchedContentType !== undefined ? { unmatchedContentType: options.unmatchedContentType } : {}),
    ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
  }
}

function requiredParameters(config: RequestValidationConfig, option: string): Required[] {
  const out: Array<Required & { expr: string }> = []
  const params = config.requestParameters ?? {}
  if (params === null || typeof params !== 'object') fail(`${option}.requestParameters`, 'must be an object of method.request.{path|querystring|header}.NAME → boolean')
  for (const [expr, required] of Object.entries(params)) {
    const o = `${option}.requestParameters["${expr}"]`
    if (typeof required !== 'boolean') fail(o, 'must be true (required) or false (optional)')
    const m = PARAMETER.exec(expr)
    if (m === null) return fail(o, 'keys must be method.request.path.NAME, method.request.querystring.NAME or method.request.header.NAME')
    const location = m[1] as ParameterLocation
    const name = m[2] as string
    if (location === 'header' && !HEADER_NAME.test(name)) fail(o, 'is not a valid header name')
    if (!required) continue
    if (out.some((r) => r.expr === expr)) continue
    out.push({ location, name, key: location === 'header' ? name.toLowerCase() : name, expr })
  }
  // API Gateway lists missing parameters ordered by their full expression (header, path, querystring)
  out.sort((a, b) => (a.expr < b.expr ? -1 : a.expr > b.expr ? 1 : 0))
  return out.map(({ location, name, key }) => ({ location, name, key }))
}

const isBlank = (v: string | null | undefined): boolean => v === null || v === undefined || v.trim() === ''

/** Query parameters by name, last value winning (API Gateway's single-value view). */
function queryValues(query: string): Map<string, string> {
  const out = new Map<string, string>()
  if (query !== '') for (const [k, v] of new URLSearchParams(query)) out.set(k, v)
  return out
}

function missingParameters(required: readonly Required[], exchange: Exchange): string[] {
  let missing: string[] | undefined
  let query: Map<string, string> | undefined
  for (const r of required) {
    let value: string | null | undefined
    if (r.location === 'header') value = exchange.request.headers.get(r.key)
    else if (r.location === 'querystring') value = (query ??= queryValues(exchange.query)).get(r.name)
    else value = exchange.request.params?.[r.name]
    if (isBlank(value)) (missing ??= []).push(r.name)
  }
  return missing ?? []
}


/**
 * Builds the validation step of one method from API Gateway's configuration (what a whole-API
 * mount derives from OpenAPI). Every schema is compiled now: an invalid one throws
 * `ERR_INVALID_MODEL`, a bad option `ERR_INVALID_VALIDATION`.
 *
 * @example
 * const step = requestValidationStep({
 *   validator: { validateRequestBody: true, validateRequestParameters: true },
 *   requestParameters: { 'method.request.querystring.q1': true },
 *   requestModels: { 'application/json': 'Pet' },
 *   models: { Pet: { type: 'object', required: ['name'] } },
 * }, gw.responses)
 */
export function requestValidationStep(config: RequestValidationConfig, responses: GatewayResponses, option = 'validate()'): Step {
  if (config === null || typeof config !== 'object') fail(option, 'must be an object')
  for (const k of Object.keys(config)) if (!CONFIG_KEYS.has(k)) fail(`${option}.${k}`, `unknown field; expected ${[...CONFIG_KEYS].join(', ')}`)
  const validator = config.validator
  if (validator === null || typeof validator !== 'object' || typeof validator.validateRequestBody !== 'boolean' || typeof validator.validateRequestParameters !== 'boolean') {
    fail(`${option}.validator`, 'must be { validateRequestBody: boolean, validateRequestParameters: boolean }')
  }
  const unmatched = config.unmatchedContentType ?? 'skip'
  if (unmatched !== 'skip' && unmatched !== 'reject') fail(`${option}.unmatchedContentType`, "must be 'skip' or 'reject'")
  const maxBodyBytes = config.maxBodyBytes ?? CAPTURE_LIMIT
  if (typeof maxBodyBytes !== 'number' || !Number.isInteger(maxBodyBytes) || maxBodyBytes < 0) fail(`${option}.maxBodyBytes`, 'must be a non-negative integer')
  if (config.draft !== undefined && config.models instanceof ModelSet) fail(`${option}.draft`, 'set the draft on the ModelSet')

  // parameters and models are checked even when the validator leaves them off, so a typo never waits for a switch
  const required = requiredParameters(config, option)
  const models = config.models instanceof ModelSet ? config.models : new ModelSet(config.models ?? {}, { ...(config.draft !== undefined ? { draft: config.draft } : {}), option: `${option}.models` })
  const byType = new Map<string, CompiledModel>()
  const requestModels = config.requestModels ?? {}
  if (requestModels === null || typeof requestModels !== 'object') fail(`${option}.requestModels`, 'must be an object of models by content type')
  for (const [type, model] of Object.entries(requestModels)) {
    const o = `${option}.requestModels["${type}"]`
    if (type !== '$default' && !CONTENT_TYPE_KEY.test(type)) fail(o, 'keys must be content types (type/subtype) or $default')
    let compiled: CompiledModel | undefined
    if (typeof model === 'string') {
      compiled = models.get(model)
      if (compiled === undefined) fail(o, `no model is named "${model}"; known: ${models.names().join(', ')}`)
    } else compiled = models.compile(model, o)
    byType.set(type === '$default' ? type : type.toLowerCase(), compiled as CompiledModel)
  }

  const checkParams = validator.validateRequestParameters && required.length > 0
  const checkBody = validator.validateRequestBody && byType.size > 0
  const fallback = byType.get('$default')

  const deny = (exchange: Exchange, type: 'BAD_REQUEST_PARAMETERS' | 'BAD_REQUEST_BODY' | 'REQUEST_TOO_LARGE', errors: string, detail?: Record<string, unknown>): Outcome => {
    exchange.record({ feature: 'validate', decision: 'deny', reason: type, detail: { errors, ...detail } })
    const message = type === 'BAD_REQUEST_PARAMETERS' ? `Missing required request parameters: ${errors}` : undefined
    return respond(responses.render(type, exchange, message, undefined, message ?? errors))
  }

  const validateBody = (exchange: Exchange, model: CompiledModel, contentType: string): Promise<Outcome> => {
    const detail = { model: model.name ?? null, contentType }
    const check = (value: unknown): Outcome => {
      const r = model.validate(value)
      if (!r.valid) return deny(exchange, 'BAD_REQUEST_BODY', r.errors, detail)
      exchange.record({ feature: 'validate', decision: 'allow', detail })
      return CONTINUE
    }
    const viaText = (): Promise<Outcome> => exchange.request.text().then(
      (text) => {
        if (text.length > maxBodyBytes || (text.length * 3 > maxBodyBytes && Buffer.byteLength(text) > maxBodyBytes)) {
          return deny(exchange, 'REQUEST_TOO_LARGE', `[request body larger than ${maxBodyBytes} bytes]`, detail)
        }
        // an empty body is validated as {} (as API Gateway's emulators observe; unconfirmed on AWS)
        if (text.trim() === '') return check({})
        let value: unknown
        try {
          value = JSON.parse(text)
        } catch {
          return deny(exchange, 'BAD_REQUEST_BODY', '[the request body is not valid JSON]', detail)
        }
        return check(value)
      },
      (e: unknown) =>
        e instanceof RangeError
          ? deny(exchange, 'REQUEST_TOO_LARGE', `[request body larger than ${maxBodyBytes} bytes]`, detail)
          : deny(exchange, 'BAD_REQUEST_BODY', '[the request body could not be read]', detail),
    )
    // the readers stop at 10 MiB themselves: within that bound the parsed value is enough (and a
    // body a framework parser already read is used as it is); a smaller bound needs the text
    if (maxBodyBytes < CAPTURE_LIMIT) return viaText()
    return exchange.request.json().then(check, (e: unknown) =>
      e instanceof RangeError ? deny(exchange, 'REQUEST_TOO_LARGE', `[request body larger than ${maxBodyBytes} bytes]`, detail) : viaText(),
    )
  }

  return {
    feature: 'validate',
    finalizes: false,
    readsBody: checkBody,
    run(exchange: Exchange): Outcome | Promise<Outcome> {
      if (checkParams) {
        const missing = missingParameters(required, exchange)
        if (missing.length > 0) return deny(exchange, 'BAD_REQUEST_PARAMETERS', `[${missing.join(', ')}]`)
      }
      if (!checkBody) {
        exchange.record({ feature: 'validate', decision: 'allow' })
        return CONTINUE
      }
      const header = exchange.request.headers.get('content-type')
      // API Gateway reads a missing Content-Type as application/json
      const essence = header === null ? 'application/json' : mediaTypeEssence(header)
      if (essence === null) {
        // a Content-Type that cannot be parsed cannot pick a model: refuse rather than skip
        return deny(exchange, 'BAD_REQUEST_BODY', `[invalid Content-Type ${JSON.stringify((header as string).slice(0, 128))}]`)
      }
      const model = byType.get(essence) ?? fallback
      if (model === undefined) {
        if (unmatched === 'reject') return deny(exchange, 'BAD_REQUEST_BODY', `[no model for content type ${JSON.stringify(essence)}]`)
        exchange.record({ feature: 'validate', decision: 'skip', reason: 'no-model', detail: { contentType: essence } })
        return CONTINUE
      }
      const length = exchange.request.headers.get('content-length')
      if (length !== null && Number(length) > maxBodyBytes) {
        return deny(exchange, 'REQUEST_TOO_LARGE', `[request body larger than ${maxBodyBytes} bytes]`, { model: model.name ?? null, contentType: essence })
      }
      return validateBody(exchange, model, essence)
    },
  }
}

