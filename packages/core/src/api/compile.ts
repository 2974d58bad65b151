/**
 * Validates an {@link ApiDefinition} and compiles it into what a deployment serves: a router of
 * methods, each method's integration checked. Every problem throws a `SluiceConfigError`
 * (`ERR_INVALID_API_DEFINITION`) whose `option` is a JSON pointer into the definition.
 */
import { SluiceConfigError } from '../errors.js'
import { API_METHODS, type ApiDefinition, type ApiMethod, type IntegrationDefinition, type IntegrationType, type MethodDefinition } from './definition.js'
import { compileTemplate } from '../templates/render.js'
import { compilePattern, isLiteralTemplate } from './mapping.js'
import { Router } from './router.js'
import { AWS_DEFAULTS, expandShorthand } from '../auth/arn.js'
import { compilePolicy, PolicyError } from '../auth/policy.js'
import { checkGatewayResponses } from '../responses.js'

const INTEGRATION_TYPES = new Set<IntegrationType>(['AWS_PROXY', 'AWS', 'HTTP', 'HTTP_PROXY', 'MOCK', 'NEXT'])
const PASSTHROUGH = new Set(['WHEN_NO_MATCH', 'WHEN_NO_TEMPLATES', 'NEVER'])
const METHOD_RESPONSE_KEYS = new Set(['responseParameters', 'responseModels'])
const CONTENT_HANDLING = new Set(['CONVERT_TO_TEXT', 'CONVERT_TO_BINARY'])
const AUTH_TYPES = new Set(['NONE', 'CUSTOM', 'AWS_IAM', 'COGNITO_USER_POOLS', 'JWT'])
const API_KEYS = new Set(['protocol', 'name', 'version', 'description', 'paths', 'routes', 'apiKeySource', 'authorizers', 'requestValidators', 'requestValidator', 'models', 'gatewayResponses', 'binaryMediaTypes', 'cors', 'policy', 'minimumCompressionSize'])
const METHOD_KEYS = new Set(['operationName', 'authorizationType', 'authorizer', 'authorizationScopes', 'apiKeyRequired', 'requestValidator', 'requestParameters', 'requestModels', 'integration', 'methodResponses'])
const INTEGRATION_KEYS = new Set([
  'type',
  'uri',
  'handler',
  'httpMethod',
  'payloadFormatVersion',
  'requestTemplates',
  'requestParameters',
  'passthroughBehavior',
  'responses',
  'cacheKeyParameters',
  'cacheNamespace',
  'timeoutInMillis',
  'contentHandling',
  'tlsConfig',
  'connectionType',
  'connectionId',
  'credentials',
])

/** One compiled method: where it lives and what it runs. */
export interface CompiledMethod {
  readonly resource: string
  readonly method: ApiMethod
  readonly definition: Readonly<MethodDefinition>
  readonly integration: Readonly<IntegrationDefinition>
  /** JSON pointer of the method in the definition. */
  readonly pointer: string
}

/** A validated, compiled definition. */
export interface CompiledApi {
  readonly definition: Readonly<ApiDefinition>
  readonly protocol: 'REST' | 'HTTP'
  readonly router: Router<CompiledMethod>
  readonly methods: readonly CompiledMethod[]
  readonly binaryMediaTypes: readonly string[]
}

/** Escapes one JSON pointer token. */
export const pointerToken = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1')

const fail = (pointer: string, message: string): never => {
  throw new SluiceConfigError('ERR_INVALID_API_DEFINITION', pointer === '' ? '/' : pointer, message)
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)

function checkKeys(o: Record<string, unknown>, allowed: Set<string>, pointer: string): void {
  for (const k of Object.keys(o)) if (!allowed.has(k)) fail(`${pointer}/${pointerToken(k)}`, `unknown field; expected one of ${[...allowed].join(', ')}`)
}

function stringMap(v: unknown, pointer: string, values: 'string' | 'boolean'): void {
  if (v === undefined) return
  if (!isObject(v)) fail(pointer, `must be an object of ${values}s`)
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (typeof x !== values) fail(`${pointer}/${pointerToken(k)}`, `must be a ${values}`)
}

function checkIntegration(i: unknown, pointer: string, protocol: 'REST' | 'HTTP'): IntegrationDefinition {
  if (!isObject(i)) return fail(pointer, 'must be an integration object { type, ... }')
  checkKeys(i, INTEGRATION_KEYS, pointer)
  const type = i['type']
  if (typeof type !== 'string' || !INTEGRATION_TYPES.has(type as IntegrationType)) fail(`${pointer}/type`, `must be one of ${[...INTEGRATION_TYPES].join(', ')}`)
  const uri = i['uri']
  if (uri !== undefined && typeof uri !== 'string') fail(`${pointer}/uri`, 'must be a string')
  if ((type === 'HTTP' || type === 'HTTP_PROXY') && (typeof uri !== 'string' || !/^(https?:\/\/[^/?#]|\$\{stageVariables\.)/.test(uri))) fail(`${pointer}/uri`, `an ${type} integration needs an http(s) URL`)
  if ((type === 'AWS' || type === 'AWS_PROXY') && uri === undefined && i['handler'] === undefined) fail(pointer, `an ${type} integration needs a handler name or a Lambda uri`)
  if (i['handler'] !== undefined && (typeof i['handler'] !== 'string' || i['handler'] === '')) fail(`${pointer}/handler`, 'must be a handler name')
  if (i['httpMethod'] !== undefined && (typeof i['httpMethod'] !== 'string' || !/^[A-Za-z]+$/.test(i['httpMethod']))) fail(`${pointer}/httpMethod`, 'must be an HTTP method')
  const pfv = i['payloadFormatVersion']
  if (pfv !== undefined && pfv !== '1.0' && pfv !== '2.0') fail(`${pointer}/payloadFormatVersion`, "must be '1.0' or '2.0'")
  if (pfv === '2.0' && protocol === 'REST') fail(`${pointer}/payloadFormatVersion`, "payload format 2.0 is for HTTP APIs (protocol: 'HTTP')")
  stringMap(i['requestTemplates'], `${pointer}/requestTemplates`, 'string')
  stringMap(i['requestParameters'], `${pointer}/requestParameters`, 'string')
  if (i['passthroughBehavior'] !== undefined && !PASSTHROUGH.has(i['passthroughBehavior'] as string)) fail(`${pointer}/passthroughBehavior`, 'must be WHEN_NO_MATCH, WHEN_NO_TEMPLATES or NEVER')
  if (i['contentHandling'] !== undefined && !CONTENT_HANDLING.has(i['contentHandling'] as string)) fail(`${pointer}/contentHandling`, 'must be CONVERT_TO_TEXT or CONVERT_TO_BINARY')
  const t = i['timeoutInMillis']
  const max = protocol === 'HTTP' ? 30_000 : 29_000
  if (t !== undefined && (typeof t !== 'number' || !Number.isInteger(t) || t < 50 || t > max)) fail(`${pointer}/timeoutInMillis`, `must be an integer from 50 to ${max}`)
  const responses = i['responses']
  if (responses !== undefined) {
    if (!Array.isArray(responses)) fail(`${pointer}/responses`, 'must be a list of integration responses')
    ;(responses as unknown[]).forEach((r, n) => {
      const p = `${pointer}/responses/${n}`
      if (!isObject(r)) return fail(p, 'must be an object { statusCode, selectionPattern?, ... }')
      if (typeof r['statusCode'] !== 'string' || !/^[1-5]\d\d$/.test(r['statusCode'])) fail(`${p}/statusCode`, "must be a status code string such as '200'")
      if (r['selectionPattern'] !== undefined) {
        if (typeof r['selectionPattern'] !== 'string') fail(`${p}/selectionPattern`, 'must be a string')
        try {
          compilePattern(r['selectionPattern'] as string)
        } catch (e) {
          fail(`${p}/selectionPattern`, `is not a valid regular expression (${e instanceof Error ? e.message : String(e)})`)
        }
      }
      if (r['contentHandling'] !== undefined && !CONTENT_HANDLING.has(r['contentHandling'] as string)) fail(`${p}/contentHandling`, 'must be CONVERT_TO_TEXT or CONVERT_TO_BINARY')
      stringMap(r['responseParameters'], `${p}/responseParameters`, 'string')
      stringMap(r['responseTemplates'], `${p}/responseTemplates`, 'string')
    })
  }
  const cache = i['cacheKeyParameters']
  if (cache !== undefined && (!Array.isArray(cache) || cache.some((c) => typeof c !== 'string'))) fail(`${pointer}/cacheKeyParameters`, 'must be a list of strings')
  const tls = i['tlsConfig']
  if (tls !== undefined) {
    if (!isObject(tls)) fail(`${pointer}/tlsConfig`, 'must be an object')
    const cc = (tls as Record<string, unknown>)['clientCertificate']
    if (cc !== undefined && (!isObject(cc) || typeof cc['certificatePem'] !== 'string' || typeof cc['privateKeyPem'] !== 'string')) {
      fail(`${pointer}/tlsConfig/clientCertificate`, 'must be { certificatePem, privateKeyPem } (PEM text)')
    }
  }
  return i as unknown as IntegrationDefinition
}

function checkMethod(m: unknown, pointer: string, api: ApiDefinition, protocol: 'REST' | 'HTTP'): MethodDefinition {
  if (!isObject(m)) return fail(pointer, 'must be a method object { integration, ... }')
  checkKeys(m, METHOD_KEYS, pointer)
  if (m['authorizationType'] !== undefined && !AUTH_TYPES.has(m['authorizationType'] as string)) fail(`${pointer}/authorizationType`, `must be one of ${[...AUTH_TYPES].join(', ')}`)
  const auth = m['authorizer']
  if (auth !== undefined && (typeof auth !== 'string' || api.authorizers === undefined || !Object.prototype.hasOwnProperty.call(api.authorizers, auth))) {
    fail(`${pointer}/authorizer`, `names no authorizer of the API (${Object.keys(api.authorizers ?? {}).join(', ') || 'none defined'})`)
  }
  if (m['apiKeyRequired'] !== undefined && typeof m['apiKeyRequired'] !== 'boolean') fail(`${pointer}/apiKeyRequired`, 'must be true or false')
  const v = m['requestValidator']
  if (v !== undefined && (typeof v !== 'string' || !Object.prototype.hasOwnProperty.call(api.requestValidators ?? {}, v))) fail(`${pointer}/requestValidator`, 'names no request validator of the API')
  stringMap(m['requestParameters'], `${pointer}/requestParameters`, 'boolean')
  stringMap(m['requestModels'], `${pointer}/requestModels`, 'string')
  for (const [ct, model] of Object.entries((m['requestModels'] as Record<string, string> | undefined) ?? {})) {
    if (model !== 'Empty' && model !== 'Error' && !Object.prototype.hasOwnProperty.call(api.models ?? {}, model)) fail(`${pointer}/requestModels/${pointerToken(ct)}`, `names no model of the API ("${model}")`)
  }
  const responses = m['methodResponses']
  if (responses !== undefined) {
    if (!isObject(responses)) fail(`${pointer}/methodResponses`, 'must be an object of method responses by status code')
    for (const [status, r] of Object.entries(responses as Record<string, unknown>)) {
      const p = `${pointer}/methodResponses/${pointerToken(status)}`
      if (!/^[1-5]\d\d$/.test(status)) fail(p, "keys are status codes such as '200'")
      if (!isObject(r)) fail(p, 'must be an object { responseParameters?, responseModels? }')
      checkKeys(r as Record<string, unknown>, METHOD_RESPONSE_KEYS, p)
      stringMap((r as Record<string, unknown>)['responseParameters'], `${p}/responseParameters`, 'boolean')
      stringMap((r as Record<string, unknown>)['responseModels'], `${p}/responseModels`, 'string')
      // recorded only: API Gateway never validates a response against its model; the names must still exist
      for (const [ct, model] of Object.entries(((r as Record<string, unknown>)['responseModels'] as Record<string, string> | undefined) ?? {})) {
        if (model !== 'Empty' && model !== 'Error' && !Object.prototype.hasOwnProperty.call(api.models ?? {}, model)) fail(`${p}/responseModels/${pointerToken(ct)}`, `names no model of the API ("${model}")`)
      }
    }
  }
  const scopes = m['authorizationScopes']
  if (scopes !== undefined && (!Array.isArray(scopes) || scopes.some((s) => typeof s !== 'string'))) fail(`${pointer}/authorizationScopes`, 'must be a list of strings')
  checkIntegration(m['integration'], `${pointer}/integration`, protocol)
  return m as unknown as MethodDefinition
}

/** Validates and compiles a definition. Throws `SluiceConfigError` (`ERR_INVALID_API_DEFINITION`). */
export function compileApi(definition: ApiDefinition): CompiledApi {
  if (!isObject(definition)) fail('', 'an API definition must be an object')
  const api = definition
  checkKeys(api as unknown as Record<string, unknown>, API_KEYS, '')
  const protocol = api.protocol ?? 'REST'
  if (protocol !== 'REST' && protocol !== 'HTTP') fail('/protocol', "must be 'REST' or 'HTTP'")
  if (api.apiKeySource !== undefined && api.apiKeySource !== 'HEADER' && api.apiKeySource !== 'AUTHORIZER') fail('/apiKeySource', 'must be HEADER or AUTHORIZER')
  if (api.binaryMediaTypes !== undefined && (!Array.isArray(api.binaryMediaTypes) || api.binaryMediaTypes.some((t) => typeof t !== 'string' || !/^[^/\s]+\/[^/\s]+$/.test(t)))) {
    fail('/binaryMediaTypes', 'must be a list of media types such as image/png or */*')
  }
  if (api.requestValidator !== undefined && !Object.prototype.hasOwnProperty.call(api.requestValidators ?? {}, api.requestValidator)) fail('/requestValidator', 'names no request validator of the API')
  if (api.policy !== undefined) {
    if (protocol === 'HTTP') fail('/policy', 'resource policies are for REST APIs (HTTP APIs have none)')
    try {
      compilePolicy(api.policy, { expandResource: expandShorthand(AWS_DEFAULTS), requirePrincipal: true })
    } catch (e) {
      if (!(e instanceof PolicyError)) throw e
      fail(`/policy/${e.path.replace(/\[(\d+)\]/g, '.$1').split('.').map(pointerToken).join('/')}`, e.message.slice(e.path.length + 2))
    }
  }
  if (api.gatewayResponses !== undefined) {
    if (protocol === 'HTTP') fail('/gatewayResponses', 'gateway responses are for REST APIs (HTTP APIs answer with fixed bodies)')
    // the gateway option's checks, named by JSON pointer; the table itself is built per deployment by mount
    try {
      checkGatewayResponses(api.gatewayResponses, '/gatewayResponses', (type, field, key) => `/gatewayResponses/${pointerToken(type)}${field === undefined ? '' : `/${field}`}${key === undefined ? '' : `/${pointerToken(key)}`}`)
    } catch (e) {
      if (!(e instanceof SluiceConfigError)) throw e
      fail(e.option, e.message.slice(e.option.length + 2).replace(/ \(ERR_[A-Z_]+\)$/, ''))
    }
  }
  for (const [name, model] of Object.entries(api.models ?? {})) {
    if (!/^[A-Za-z0-9]+$/.test(name)) fail(`/models/${pointerToken(name)}`, 'model names are alphanumeric')
    if (!isObject(model)) fail(`/models/${pointerToken(name)}`, 'must be a JSON Schema object')
  }
  const router = new Router<CompiledMethod>({ http: protocol === 'HTTP' })
  const methods: CompiledMethod[] = []
  const add = (resource: string, method: ApiMethod, def: MethodDefinition, pointer: string): void => {
    const compiled: CompiledMethod = { resource, method, definition: def, integration: def.integration, pointer }
    try {
      router.add(resource, method, compiled)
    } catch (e) {
      fail(pointer, e instanceof Error ? e.message : String(e))
    }
    methods.push(compiled)
  }
  if (api.paths !== undefined && !isObject(api.paths)) fail('/paths', 'must be an object of resource paths')
  for (const [path, item] of Object.entries(api.paths ?? {})) {
    const p = `/paths/${pointerToken(path)}`
    if (!isObject(item)) fail(p, 'must be an object of methods { GET: ..., ANY: ... }')
    for (const [verb, m] of Object.entries(item as Record<string, unknown>)) {
      if (!API_METHODS.includes(verb as ApiMethod)) fail(`${p}/${pointerToken(verb)}`, `unknown method; expected one of ${API_METHODS.join(', ')}`)
      add(path, verb as ApiMethod, checkMethod(m, `${p}/${verb}`, api, protocol), `${p}/${verb}`)
    }
  }
  if (api.routes !== undefined) {
    if (protocol !== 'HTTP') fail('/routes', "route keys are for HTTP APIs (protocol: 'HTTP'); REST APIs use paths")
    if (!isObject(api.routes)) fail('/routes', 'must be an object of route keys')
    for (const [key, m] of Object.entries(api.routes)) {
      const p = `/routes/${pointerToken(key)}`
      const def = checkMethod(m, p, api, protocol)
      if (key === '$default') {
        const compiled: CompiledMethod = { resource: '$default', method: 'ANY', definition: def, integration: def.integration, pointer: p }
        router.setDefault(compiled)
        methods.push(compiled)
        continue
      }
      const rk = /^([A-Z]+) (\/\S*)$/.exec(key)
      if (!rk || !API_METHODS.includes(rk[1] as ApiMethod)) fail(p, "a route key is 'METHOD /path' (e.g. 'GET /pets/{id}', 'ANY /{proxy+}') or '$default'")
      add((rk as RegExpExecArray)[2] as string, (rk as RegExpExecArray)[1] as ApiMethod, def, p)
    }
  }
  if (methods.length === 0) fail('', 'defines no routes (paths or routes)')
  // every template parses now: a syntax error is the definition's, named by its pointer
  for (const m of methods) {
    const i = m.integration
    for (const [ct, t] of Object.entries(i.requestTemplates ?? {})) if (!isLiteralTemplate(t)) compileTemplate(t, undefined, `${m.pointer}/integration/requestTemplates/${pointerToken(ct)}`)
    ;(i.responses ?? []).forEach((r, n) => {
      for (const [ct, t] of Object.entries(r.responseTemplates ?? {})) if (!isLiteralTemplate(t)) compileTemplate(t, undefined, `${m.pointer}/integration/responses/${n}/responseTemplates/${pointerToken(ct)}`)
    })
  }
  return { definition: api, protocol, router, methods, binaryMediaTypes: api.binaryMediaTypes ?? [] }
}
