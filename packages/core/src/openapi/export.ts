/**
 * `exportOpenApi`: an {@link ApiDefinition} → OpenAPI 3.0 or 2.0 with API Gateway's extensions,
 * which `importOpenApi` reads back to the same definition.
 */
import type { ApiDefinition, AuthorizerDefinition, IntegrationDefinition, MethodDefinition, MethodResponseDefinition, ModelDefinition } from '../api/definition.js'
import { SluiceConfigError } from '../errors.js'
import { type Obj, dict, isObject, put, X } from './context.js'
import { escapeToken } from './pointer.js'
import type { ExportOpenApiOptions } from './types.js'

const LOCATIONS: Record<string, string> = { path: 'path', querystring: 'query', header: 'header' }
const API_KEY_SCHEME = 'api_key'
const SIGV4_SCHEME = 'sigv4'
const AWS_MODEL_REF = /^https:\/\/apigateway\.amazonaws\.com\/restapis\/[^/]+\/models\/([A-Za-z0-9]+)$/

/** An object with `key` set as own data (any key, `__proto__` included). */
function obj(pairs: Array<[string, unknown]>): Obj {
  const out = dict<unknown>()
  for (const [k, v] of pairs) if (v !== undefined) put(out, k, v)
  return out
}

const copy = <T>(m: Readonly<Record<string, T>>): Record<string, T> => {
  const out = dict<T>()
  for (const [k, v] of Object.entries(m)) put(out, k, v)
  return out
}

/** The uri a Lambda integration exports: its own, or one built from the handler name. */
function lambdaUri(i: { uri?: string; handler?: string }, o: Required<Pick<ExportOpenApiOptions, 'region' | 'accountId'>>, handlerName: (uri: string) => string | undefined): string | undefined {
  if (i.handler === undefined) return i.uri
  if (i.uri !== undefined && handlerName(i.uri) === i.handler) return i.uri
  return `arn:aws:apigateway:${o.region}:lambda:path/2015-03-31/functions/arn:aws:lambda:${o.region}:${o.accountId}:function:${i.handler}/invocations`
}

function integrationOut(i: IntegrationDefinition, o: Required<Pick<ExportOpenApiOptions, 'region' | 'accountId'>>, handlerName: (uri: string) => string | undefined): Obj {
  const lambda = i.type === 'AWS' || i.type === 'AWS_PROXY'
  const responses =
    i.responses === undefined
      ? undefined
      : obj(
          i.responses.map((r) => [
            r.selectionPattern ?? 'default',
            obj([
              ['statusCode', r.statusCode],
              ['responseParameters', r.responseParameters && copy(r.responseParameters)],
              ['responseTemplates', r.responseTemplates && copy(r.responseTemplates)],
              ['contentHandling', r.contentHandling],
            ]),
          ]),
        )
  return obj([
    ['type', i.type.toLowerCase()],
    ['uri', lambda ? lambdaUri(i, o, handlerName) : i.uri],
    ['httpMethod', i.httpMethod],
    ['payloadFormatVersion', i.payloadFormatVersion],
    ['requestTemplates', i.requestTemplates && copy(i.requestTemplates)],
    ['requestParameters', i.requestParameters && copy(i.requestParameters)],
    ['responses', responses],
    ['passthroughBehavior', i.passthroughBehavior?.toLowerCase()],
    ['cacheKeyParameters', i.cacheKeyParameters && [...i.cacheKeyParameters]],
    ['cacheNamespace', i.cacheNamespace],
    ['timeoutInMillis', i.timeoutInMillis],
    ['contentHandling', i.contentHandling],
    ['tlsConfig', i.tlsConfig && obj([['insecureSkipVerification', i.tlsConfig.insecureSkipVerification], ['serverNameToVerify', i.tlsConfig.serverNameToVerify]])],
    ['connectionType', i.connectionType],
    ['connectionId', i.connectionId],
    ['credentials', i.credentials],
  ])
}

/** Model names back to document references, recursively. */
function schemaOut(node: unknown, prefix: string, names: ReadonlySet<string>, depth = 0): unknown {
  if (depth > 64) return node
  if (Array.isArray(node)) return node.map((n) => schemaOut(n, prefix, names, depth + 1))
  if (!isObject(node)) return node
  const out = dict<unknown>()
  for (const [k, v] of Object.entries(node)) {
    if (k === '$ref' && typeof v === 'string') {
      const name = AWS_MODEL_REF.exec(v)?.[1] ?? (names.has(v) ? v : undefined)
      put(out, k, name === undefined ? v : `${prefix}${escapeToken(name)}`)
    } else put(out, k, schemaOut(v, prefix, names, depth + 1))
  }
  return out
}

function authorizerOut(a: AuthorizerDefinition, o: Required<Pick<ExportOpenApiOptions, 'region' | 'accountId'>>, handlerName: (uri: string) => string | undefined): Obj {
  const header = /^method\.request\.header\.([^,\s]+)$/.exec(a.identitySource ?? '')?.[1]
  const jwt = a.type === 'JWT'
  return obj([
    // API Gateway writes JWT authorizers as OAuth 2 schemes, the others as API-key schemes
    ['type', jwt ? 'oauth2' : 'apiKey'],
    ['flows', jwt ? obj([]) : undefined],
    ['name', jwt ? undefined : a.type === 'TOKEN' || a.type === 'COGNITO_USER_POOLS' ? (header ?? 'Authorization') : 'Unused'],
    ['in', jwt ? undefined : 'header'],
    [`${X}authtype`, a.type === 'COGNITO_USER_POOLS' ? 'cognito_user_pools' : a.type === 'JWT' ? 'jwt' : 'custom'],
    [
      `${X}authorizer`,
      obj([
        ['type', a.type.toLowerCase()],
        ['authorizerUri', a.type === 'TOKEN' || a.type === 'REQUEST' ? lambdaUri(a, o, handlerName) : a.authorizerUri],
        ['authorizerCredentials', a.authorizerCredentials],
        ['identitySource', a.identitySource],
        ['identityValidationExpression', a.identityValidationExpression],
        ['authorizerResultTtlInSeconds', a.authorizerResultTtlInSeconds],
        ['providerARNs', a.providerARNs && [...a.providerARNs]],
        ['authorizerPayloadFormatVersion', a.authorizerPayloadFormatVersion],
        ['enableSimpleResponses', a.enableSimpleResponses],
        ['jwtConfiguration', a.jwtConfiguration && obj([['issuer', a.jwtConfiguration.issuer], ['audience', a.jwtConfiguration.audience && [...a.jwtConfiguration.audience]]])],
      ]),
    ],
  ])
}

interface Out {
  readonly v2: boolean
  readonly refPrefix: string
  usesApiKey: boolean
  usesSigv4: boolean
}

function responsesOut(m: MethodDefinition, out: Out): { responses: Obj; produces: string[] } {
  const produces = new Set<string>()
  const responses = obj(
    Object.entries(m.methodResponses ?? {}).map(([status, r]: [string, MethodResponseDefinition]) => {
      const headers = obj(
        Object.entries(r.responseParameters ?? {})
          .filter(([k]) => k.startsWith('method.response.header.'))
          .map(([k, required]) => [k.slice('method.response.header.'.length), out.v2 ? obj([['type', 'string']]) : obj([['required', required ? true : undefined], ['schema', obj([['type', 'string']])]])]),
      )
      const models = Object.entries(r.responseModels ?? {})
      const ref = (name: string): Obj => obj([['$ref', `${out.refPrefix}${escapeToken(name)}`]])
      let schema: Obj | undefined
      let content: Obj | undefined
      if (models.length > 0) {
        if (out.v2) {
          schema = ref((models[0] as [string, string])[1])
          for (const [mt, name] of models) if (name === (models[0] as [string, string])[1]) produces.add(mt)
        } else content = obj(models.map(([mt, name]) => [mt, obj([['schema', ref(name)]])]))
      }
      return [status, obj([['description', `${status} response`], ['schema', schema], ['headers', Object.keys(headers).length > 0 ? headers : undefined], ['content', content]])]
    }),
  )
  return { responses, produces: [...produces] }
}

function operationOut(m: MethodDefinition, out: Out, o: Required<Pick<ExportOpenApiOptions, 'region' | 'accountId'>>, handlerName: (uri: string) => string | undefined): Obj {
  const parameters: Obj[] = []
  for (const [k, required] of Object.entries(m.requestParameters ?? {})) {
    const p = /^method\.request\.(path|querystring|header)\.(.+)$/.exec(k)
    if (!p) continue
    const where = LOCATIONS[p[1] as string] as string
    parameters.push(out.v2 ? obj([['name', p[2]], ['in', where], ['required', where === 'path' ? true : required], ['type', 'string']]) : obj([['name', p[2]], ['in', where], ['required', where === 'path' ? true : required], ['schema', obj([['type', 'string']])]]))
  }
  const models = Object.entries(m.requestModels ?? {})
  const ref = (name: string): Obj => obj([['$ref', `${out.refPrefix}${escapeToken(name)}`]])
  let requestBody: Obj | undefined
  let consumes: string[] | undefined
  if (models.length > 0) {
    if (out.v2) {
      const first = (models[0] as [string, string])[1]
      consumes = models.filter(([, name]) => name === first).map(([mt]) => mt)
      parameters.push(obj([['in', 'body'], ['name', first], ['required', true], ['schema', ref(first)]]))
    } else requestBody = obj([['content', obj(models.map(([mt, name]) => [mt, obj([['schema', ref(name)]])]))], ['required', true]])
  }
  const security: Obj[] = []
  if (m.apiKeyRequired === true) {
    security.push(obj([[API_KEY_SCHEME, []]]))
    out.usesApiKey = true
  }
  if (m.authorizer !== undefined) security.push(obj([[m.authorizer, [...(m.authorizationScopes ?? [])]]]))
  else if (m.authorizationType === 'AWS_IAM') {
    security.push(obj([[SIGV4_SCHEME, []]]))
    out.usesSigv4 = true
  }
  const { responses, produces } = responsesOut(m, out)
  return obj([
    ['operationId', m.operationName],
    ['consumes', consumes],
    ['produces', out.v2 && produces.length > 0 ? produces : undefined],
    ['parameters', parameters.length > 0 ? parameters : undefined],
    ['requestBody', requestBody],
    ['responses', responses],
    ['security', security.length > 0 ? security : undefined],
    [`${X}request-validator`, m.requestValidator],
    [`${X}integration`, integrationOut(m.integration, o, handlerName)],
  ])
}

/**
 * Exports a definition (for a running API, `api.definition` or a deployment's `definition`) as an
 * OpenAPI document with the `x-amazon-apigateway-*` extensions, which {@link importOpenApi} reads
 * back to the same definition. Lambda integrations given by `handler` alone get an invocation ARN
 * built from `region` and `accountId`.
 *
 * @example
 * const doc = exportOpenApi(api.definition, { version: '3.0' })
 * writeFileSync('api.json', JSON.stringify(doc, null, 2))
 */
export function exportOpenApi(definition: ApiDefinition, options: ExportOpenApiOptions = {}): Record<string, unknown> {
  if (definition === null || typeof definition !== 'object') throw new SluiceConfigError('ERR_INVALID_OPTION', 'exportOpenApi(definition)', 'must be an API definition')
  if (options === null || typeof options !== 'object') throw new SluiceConfigError('ERR_INVALID_OPTION', 'exportOpenApi(options)', 'must be an object')
  for (const k of Object.keys(options)) {
    if (!['version', 'title', 'apiVersion', 'serverUrl', 'region', 'accountId'].includes(k)) throw new SluiceConfigError('ERR_INVALID_OPTION', `exportOpenApi().${k}`, 'unknown option; expected version, title, apiVersion, serverUrl, region or accountId')
  }
  const version = options.version ?? '3.0'
  if (version !== '3.0' && version !== '2.0') throw new SluiceConfigError('ERR_INVALID_OPTION', 'exportOpenApi().version', "must be '3.0' or '2.0'")
  const v2 = version === '2.0'
  const o = { region: options.region ?? 'us-east-1', accountId: options.accountId ?? '123456789012' }
  const out: Out = { v2, refPrefix: v2 ? '#/definitions/' : '#/components/schemas/', usesApiKey: false, usesSigv4: false }
  const handlerName = (uri: string): string | undefined => {
    const m = /function:([^:/]+)(?::[^/]*)?\/invocations$/.exec(uri) ?? /^arn:aws[a-z-]*:lambda:[^:]*:[^:]*:function:([^:]+)/.exec(uri)
    return m?.[1]
  }

  const paths = dict<Obj>()
  const item = (p: string): Obj => {
    if (!Object.prototype.hasOwnProperty.call(paths, p)) put(paths, p, dict<unknown>())
    return paths[p] as Obj
  }
  for (const [p, methods] of Object.entries(definition.paths ?? {})) {
    for (const [verb, m] of Object.entries(methods)) {
      if (m === undefined) continue
      put<unknown>(item(p), verb === 'ANY' ? `${X}any-method` : verb.toLowerCase(), operationOut(m, out, o, handlerName))
    }
  }
  for (const [key, m] of Object.entries(definition.routes ?? {})) {
    if (key === '$default') {
      const op = operationOut(m, out, o, handlerName)
      put<unknown>(op, 'isDefaultRoute', true)
      put<unknown>(item('/$default'), `${X}any-method`, op)
      continue
    }
    const rk = /^([A-Z]+) (\/\S*)$/.exec(key)
    if (!rk) continue
    put<unknown>(item(rk[2] as string), rk[1] === 'ANY' ? `${X}any-method` : (rk[1] as string).toLowerCase(), operationOut(m, out, o, handlerName))
  }

  const names = new Set(Object.keys(definition.models ?? {}))
  const schemas = obj(Object.entries(definition.models ?? {}).map(([n, s]: [string, ModelDefinition]) => [n, schemaOut(s, out.refPrefix, names)]))
  const schemes = obj(Object.entries(definition.authorizers ?? {}).map(([n, a]) => [n, authorizerOut(a, o, handlerName)]))
  if (out.usesApiKey) put<unknown>(schemes, API_KEY_SCHEME, obj([['type', 'apiKey'], ['name', 'x-api-key'], ['in', 'header']]))
  if (out.usesSigv4) put<unknown>(schemes, SIGV4_SCHEME, obj([['type', 'apiKey'], ['name', 'Authorization'], ['in', 'header'], [`${X}authtype`, 'awsSigv4']]))

  const info = obj([
    ['title', options.title ?? definition.name ?? 'api'],
    ['description', definition.description],
    // API Gateway's own exports may lack a version (PetStore does): kept absent, so a round trip is exact
    ['version', options.apiVersion ?? definition.version],
  ])
  const gatewayResponses =
    definition.gatewayResponses === undefined
      ? undefined
      : obj(
          Object.entries(definition.gatewayResponses).map(([type, r]) => [
            type,
            obj([
              ['statusCode', r?.statusCode !== undefined ? String(r.statusCode) : undefined],
              ['responseParameters', r?.responseParameters && copy(r.responseParameters)],
              ['responseTemplates', r?.responseTemplates && copy(r.responseTemplates)],
            ]),
          ]),
        )
  const extensions: Array<[string, unknown]> = [
    [`${X}importexport-version`, definition.protocol === 'HTTP' ? '1.0' : undefined],
    [`${X}api-key-source`, definition.apiKeySource],
    [`${X}request-validators`, definition.requestValidators && obj(Object.entries(definition.requestValidators).map(([n, v]) => [n, obj([['validateRequestBody', v.validateRequestBody], ['validateRequestParameters', v.validateRequestParameters]])]))],
    [`${X}request-validator`, definition.requestValidator],
    [`${X}binary-media-types`, definition.binaryMediaTypes && [...definition.binaryMediaTypes]],
    [`${X}gateway-responses`, gatewayResponses],
    [`${X}cors`, definition.cors && structuredClone(definition.cors)],
    [`${X}policy`, definition.policy && structuredClone(definition.policy)],
    [`${X}minimum-compression-size`, definition.minimumCompressionSize],
  ]
  const hasSchemes = Object.keys(schemes).length > 0
  const hasSchemas = Object.keys(schemas).length > 0
  let server: Array<[string, unknown]> = []
  if (options.serverUrl !== undefined) {
    let u: URL
    try {
      u = new URL(options.serverUrl)
    } catch {
      throw new SluiceConfigError('ERR_INVALID_OPTION', 'exportOpenApi().serverUrl', 'must be an absolute URL')
    }
    server = v2 ? [['host', u.host], ['basePath', u.pathname], ['schemes', [u.protocol.replace(':', '')]]] : [['servers', [obj([['url', options.serverUrl]])]]]
  }
  const doc: Array<[string, unknown]> = v2
    ? [['swagger', '2.0'], ['info', info], ...server, ['paths', paths], ['securityDefinitions', hasSchemes ? schemes : undefined], ['definitions', hasSchemas ? schemas : undefined], ...extensions]
    : [
        ['openapi', '3.0.1'],
        ['info', info],
        ...server,
        ['paths', paths],
        ['components', hasSchemes || hasSchemas ? obj([['schemas', hasSchemas ? schemas : undefined], ['securitySchemes', hasSchemes ? schemes : undefined]]) : undefined],
        ...extensions,
      ]
  // a plain object at the top (for JSON.stringify and YAML printers); nested maps keep own keys
  const result: Record<string, unknown> = {}
  for (const [k, v] of doc) if (v !== undefined) result[k] = v
  return result
}
