/**
 * Security schemes (`securityDefinitions` / `components.securitySchemes`) → authorizers, the API
 * key scheme and SigV4; operation `security` → a method's authorization fields.
 */
import type { AuthorizationType, AuthorizerDefinition, MethodDefinition } from '../api/definition.js'
import { type Ctx, type Obj, dict, isObject, own, put, X } from './context.js'
import { unsafeRegexReason } from '../templates/regex-safety.js'
import { lambdaHandlerName } from './integration.js'
import { ptr } from './pointer.js'

/** What one security scheme means to API Gateway. */
export type SchemeKind =
  | { kind: 'authorizer'; name: string; type: AuthorizerDefinition['type'] }
  | { kind: 'apiKey' }
  | { kind: 'iam' }
  | { kind: 'unsupported'; reason: string }

const AUTHORIZER_TYPES: Record<string, AuthorizerDefinition['type']> = { token: 'TOKEN', request: 'REQUEST', cognito_user_pools: 'COGNITO_USER_POOLS', jwt: 'JWT' }
const AUTHORIZER_KEYS = new Set([
  'type',
  'authorizerUri',
  'authorizerCredentials',
  'identitySource',
  'identityValidationExpression',
  'authorizerResultTtlInSeconds',
  'providerARNs',
  'authorizerPayloadFormatVersion',
  'enableSimpleResponses',
  'jwtConfiguration',
])
const SCHEME_KEYS = new Set(['type', 'name', 'in', 'description', 'scheme', 'bearerFormat', 'flows', 'flow', 'authorizationUrl', 'tokenUrl', 'scopes', 'openIdConnectUrl', `${X}authorizer`, `${X}authtype`])

/** The pointer of the security schemes object. */
export const schemesPointer = (ctx: Ctx): string => (ctx.version === 2 ? '/securityDefinitions' : '/components/securitySchemes')

function authorizerFrom(ctx: Ctx, scheme: Obj, a: Obj, pointer: string): AuthorizerDefinition | undefined {
  ctx.unknownKeys(a, pointer, AUTHORIZER_KEYS, 'authorizer')
  const rawType = own(a, 'type')
  const type = typeof rawType === 'string' && Object.prototype.hasOwnProperty.call(AUTHORIZER_TYPES, rawType.toLowerCase()) ? AUTHORIZER_TYPES[rawType.toLowerCase()] : undefined
  if (type === undefined) {
    ctx.error(ptr(pointer, 'type'), 'must be token, request, cognito_user_pools or jwt')
    return undefined
  }
  if (type === 'JWT' && ctx.protocol === 'REST') ctx.error(ptr(pointer, 'type'), 'JWT authorizers are for HTTP APIs (use cognito_user_pools on a REST API)')
  if ((type === 'TOKEN' || type === 'COGNITO_USER_POOLS') && ctx.protocol === 'HTTP') ctx.error(ptr(pointer, 'type'), `${type.toLowerCase()} authorizers are for REST APIs (HTTP APIs use request or jwt)`)
  const out: AuthorizerDefinition = { type }
  const uri = ctx.str(a, 'authorizerUri', pointer)
  if (type === 'TOKEN' || type === 'REQUEST') {
    if (uri === undefined) ctx.error(ptr(pointer, 'authorizerUri'), `a ${type.toLowerCase()} authorizer needs its Lambda function's authorizerUri`)
    else {
      const t = lambdaHandlerName(uri, ctx.options.keepQualifier === true)
      if ('error' in t) ctx.error(ptr(pointer, 'authorizerUri'), t.error)
      else {
        out.authorizerUri = uri
        out.handler = t.handler
      }
    }
  } else if (uri !== undefined) ctx.warn(ptr(pointer, 'authorizerUri'), `a ${type.toLowerCase()} authorizer calls no function: ignored`)
  let identitySource = ctx.str(a, 'identitySource', pointer)
  // some exporters write "" for "not set": the scheme's own header then applies, as when absent
  if (identitySource === '') identitySource = undefined
  if (identitySource === undefined && (type === 'TOKEN' || type === 'COGNITO_USER_POOLS')) {
    // the token header comes from the scheme's own name / in (API Gateway's rule)
    const name = own(scheme, 'name')
    if (typeof name === 'string' && own(scheme, 'in') === 'header') identitySource = `method.request.header.${name}`
  }
  if (identitySource !== undefined) out.identitySource = identitySource
  const ive = ctx.str(a, 'identityValidationExpression', pointer)
  if (ive !== undefined) {
    const unsafe = unsafeRegexReason(ive)
    if (unsafe !== undefined) ctx.error(ptr(pointer, 'identityValidationExpression'), `is unsafe to run on request tokens: ${unsafe}`)
    else {
      try {
        new RegExp(ive)
        out.identityValidationExpression = ive
      } catch {
        ctx.error(ptr(pointer, 'identityValidationExpression'), 'is not a valid regular expression')
      }
    }
  }
  const ttl = ctx.int(a, 'authorizerResultTtlInSeconds', pointer, 0, 3600)
  if (ttl !== undefined) out.authorizerResultTtlInSeconds = ttl
  const arns = ctx.strings(a, 'providerARNs', pointer)
  if (arns !== undefined) out.providerARNs = arns
  if (type === 'COGNITO_USER_POOLS' && (arns === undefined || arns.length === 0)) ctx.error(ptr(pointer, 'providerARNs'), 'a cognito_user_pools authorizer needs its user pool ARNs')
  const pfv = own(a, 'authorizerPayloadFormatVersion')
  if (pfv !== undefined) {
    if (pfv !== '1.0' && pfv !== '2.0') ctx.error(ptr(pointer, 'authorizerPayloadFormatVersion'), "must be '1.0' or '2.0'")
    else out.authorizerPayloadFormatVersion = pfv
  }
  const simple = ctx.bool(a, 'enableSimpleResponses', pointer)
  if (simple !== undefined) out.enableSimpleResponses = simple
  const jwt = ctx.obj(a, 'jwtConfiguration', pointer)
  if (jwt !== undefined) {
    const jp = ptr(pointer, 'jwtConfiguration')
    ctx.unknownKeys(jwt, jp, new Set(['issuer', 'audience']), 'jwtConfiguration')
    const cfg: NonNullable<AuthorizerDefinition['jwtConfiguration']> = {}
    const issuer = ctx.str(jwt, 'issuer', jp)
    if (issuer !== undefined) cfg.issuer = issuer
    const audience = ctx.strings(jwt, 'audience', jp)
    if (audience !== undefined) cfg.audience = audience
    out.jwtConfiguration = cfg
  } else if (type === 'JWT') ctx.error(ptr(pointer, 'jwtConfiguration'), 'a jwt authorizer needs jwtConfiguration { issuer, audience }')
  const cred = ctx.str(a, 'authorizerCredentials', pointer)
  if (cred !== undefined && cred !== '') {
    out.authorizerCredentials = cred
    ctx.warn(ptr(pointer, 'authorizerCredentials'), 'no IAM role is assumed locally: ignored')
  }
  return out
}

/** Reads every security scheme: the API's authorizers, and what each scheme name means. */
export function readSchemes(ctx: Ctx): { authorizers: Record<string, AuthorizerDefinition>; kinds: Map<string, SchemeKind> } {
  const authorizers = dict<AuthorizerDefinition>()
  const kinds = new Map<string, SchemeKind>()
  const base = schemesPointer(ctx)
  const container = ctx.version === 2 ? ctx.doc : own(ctx.doc, 'components')
  const schemes = own(container, ctx.version === 2 ? 'securityDefinitions' : 'securitySchemes')
  if (schemes === undefined) return { authorizers, kinds }
  if (!isObject(schemes)) {
    ctx.error(base, 'must be an object of security schemes')
    return { authorizers, kinds }
  }
  for (const [name, scheme] of Object.entries(schemes)) {
    const p = ptr(base, name)
    if (!isObject(scheme)) {
      ctx.error(p, 'must be a security scheme object')
      kinds.set(name, { kind: 'unsupported', reason: 'is not a security scheme object' })
      continue
    }
    if (own(scheme, '$ref') !== undefined) {
      ctx.error(ptr(p, '$ref'), 'security scheme references are not supported')
      kinds.set(name, { kind: 'unsupported', reason: 'is a reference' })
      continue
    }
    ctx.unknownKeys(scheme, p, SCHEME_KEYS, 'security scheme')
    const authtype = own(scheme, `${X}authtype`)
    if (authtype !== undefined && typeof authtype !== 'string') ctx.error(ptr(p, `${X}authtype`), 'must be a string')
    const a = own(scheme, `${X}authorizer`)
    if (a !== undefined) {
      if (!isObject(a)) {
        ctx.error(ptr(p, `${X}authorizer`), 'must be an authorizer object')
        kinds.set(name, { kind: 'unsupported', reason: 'has an invalid authorizer' })
        continue
      }
      const def = authorizerFrom(ctx, scheme, a, ptr(p, `${X}authorizer`))
      if (def === undefined) {
        kinds.set(name, { kind: 'unsupported', reason: 'has an invalid authorizer' })
        continue
      }
      put(authorizers, name, def)
      kinds.set(name, { kind: 'authorizer', name, type: def.type })
      continue
    }
    if (typeof authtype === 'string' && authtype.toLowerCase() === 'awssigv4') {
      kinds.set(name, { kind: 'iam' })
      continue
    }
    const keyName = own(scheme, 'name')
    if (own(scheme, 'type') === 'apiKey' && own(scheme, 'in') === 'header' && typeof keyName === 'string' && keyName.toLowerCase() === 'x-api-key') {
      kinds.set(name, { kind: 'apiKey' })
      continue
    }
    const reason = 'is neither an API key (apiKey, header x-api-key), nor SigV4 (x-amazon-apigateway-authtype: awsSigv4), nor an x-amazon-apigateway-authorizer: API Gateway cannot enforce it'
    kinds.set(name, { kind: 'unsupported', reason })
    ctx.warn(p, `${reason}; an operation that requires it is an error`)
  }
  return { authorizers, kinds }
}

const AUTH_OF: Record<AuthorizerDefinition['type'], AuthorizationType> = { TOKEN: 'CUSTOM', REQUEST: 'CUSTOM', COGNITO_USER_POOLS: 'COGNITO_USER_POOLS', JWT: 'JWT' }

/** Applies an operation's `security` list to its method. */
export function applySecurity(ctx: Ctx, security: unknown, pointer: string, kinds: ReadonlyMap<string, SchemeKind>, method: MethodDefinition): void {
  if (security === undefined) return
  if (!Array.isArray(security)) {
    ctx.error(pointer, 'must be a list of security requirements')
    return
  }
  // API Gateway applies every scheme the list names (an API key and an authorizer together)
  security.forEach((req, n) => {
    const p = ptr(pointer, n)
    if (!isObject(req)) {
      ctx.error(p, 'must be a security requirement object { scheme: [scopes] }')
      return
    }
    for (const [name, scopes] of Object.entries(req)) {
      const sp = ptr(p, name)
      const kind = kinds.get(name)
      if (kind === undefined) {
        ctx.error(sp, `names no security scheme (${[...kinds.keys()].join(', ') || 'none defined'})`)
        continue
      }
      if (!Array.isArray(scopes) || scopes.some((s) => typeof s !== 'string')) {
        ctx.error(sp, 'must be a list of scopes')
        continue
      }
      if (kind.kind === 'unsupported') ctx.error(sp, `the security scheme "${name}" ${kind.reason}`)
      else if (kind.kind === 'apiKey') {
        method.apiKeyRequired = true
        if (ctx.protocol === 'HTTP') ctx.warn(sp, 'HTTP APIs have no API keys on API Gateway; sluice requires one here anyway')
      }
      else if (kind.kind === 'iam') {
        if (method.authorizationType !== undefined && method.authorizationType !== 'AWS_IAM') ctx.error(sp, 'a method has one authorizer: this is a second one')
        else method.authorizationType = 'AWS_IAM'
      } else {
        if (method.authorizer !== undefined || method.authorizationType !== undefined) {
          ctx.error(sp, 'a method has one authorizer: this is a second one')
          continue
        }
        method.authorizationType = AUTH_OF[kind.type]
        method.authorizer = kind.name
        if (scopes.length > 0) {
          if (kind.type === 'COGNITO_USER_POOLS' || kind.type === 'JWT') method.authorizationScopes = [...(scopes as string[])]
          else ctx.warn(sp, `scopes apply to cognito_user_pools and jwt authorizers only: ignored for a ${kind.type.toLowerCase()} authorizer`)
        }
      }
    }
  })
}
