/**
 * `gw.authorize(config, method)`: one step that decides who may call a method the way API Gateway
 * does — resource policy phase 1 (an explicit Deny refuses before the authorizer runs), the
 * authorizer (Lambda-style, JWT, Cognito, IAM SigV4, or none), then the caller's own policy and the
 * resource policy combined per AWS's tables — and fills `$context.authorizer` / `$context.identity`.
 */
import { SluiceConfigError } from '../errors.js'
import type { Exchange } from '../exchange.js'
import { CONTINUE, isPromise, respond, type Outcome, type Step } from '../outcome.js'
import type { GatewayResponses } from '../responses.js'
import { methodArn } from './arn.js'
import { jwtAuthorizer, jwtMethod, type JwtAuthorizer } from './jwt.js'
import { lambdaAuthorizer, type AuthEnv } from './lambda.js'
import { combineDecisions, type CompiledPolicy, type PolicyDecision, type PolicyRequest } from './policy.js'
import { sigv4Authorizer } from './sigv4.js'
import type { AuthorizeMethodOptions, AuthorizerConfig } from './types.js'
import type { Authenticate, Identified, Verdict } from './verdict.js'

export const INVOKE = 'execute-api:Invoke'
export const INVALIDATE_CACHE = 'execute-api:InvalidateCache'

/** What the gateway gives `gw.authorize()`. */
export interface AuthorizeEnv extends AuthEnv {
  readonly responses: GatewayResponses
  readonly resourcePolicy: CompiledPolicy | undefined
  /** The path in method ARNs. Default the request path (a mounted API: the path under its base path). */
  readonly arnPath?: (exchange: Exchange) => string
}

/** One authorizer config, prepared once and shared by every method that uses it. */
export interface PreparedAuthorizer {
  readonly name: string
  readonly type: AuthorizerConfig['type']
  /** The authenticator of one method (JWT scopes are per method). */
  method(options: AuthorizeMethodOptions): Authenticate | undefined
  /** JWKS fetches so far (JWT and Cognito). */
  jwksFetches(): number
}

const TYPES = ['token', 'request', 'jwt', 'cognito_user_pools', 'aws_iam', 'none']

/** Validates an authorizer config (throws `SluiceConfigError`) and prepares it. */
export function prepareAuthorizer(config: AuthorizerConfig, env: AuthEnv, fallbackName: string, option = 'authorize()'): PreparedAuthorizer {
  if (config === null || typeof config !== 'object') throw new SluiceConfigError('ERR_INVALID_AUTHORIZER', option, 'must be an authorizer config { type, ... }')
  if (!TYPES.includes(config.type)) throw new SluiceConfigError('ERR_INVALID_AUTHORIZER', `${option}.type`, `must be one of ${TYPES.join(', ')}`)
  if (config.name !== undefined && (typeof config.name !== 'string' || config.name === '' || config.name.length > 128)) {
    throw new SluiceConfigError('ERR_INVALID_AUTHORIZER', `${option}.name`, 'must be a string of 1 to 128 characters')
  }
  const name = config.name ?? fallbackName
  switch (config.type) {
    case 'token':
    case 'request': {
      const a = lambdaAuthorizer(config, env, name, option)
      return { name, type: config.type, method: () => a, jwksFetches: () => 0 }
    }
    case 'jwt':
    case 'cognito_user_pools': {
      const j: JwtAuthorizer = jwtAuthorizer(config, env, name, option)
      return { name, type: config.type, method: (m) => { const f = jwtMethod(j, m.authorizationScopes); return (ex) => f(ex) }, jwksFetches: () => j.fetches() }
    }
    case 'aws_iam': {
      const a = sigv4Authorizer(config, env, name, option)
      return { name, type: config.type, method: () => a, jwksFetches: () => 0 }
    }
    default:
      for (const k of Object.keys(config)) if (k !== 'type' && k !== 'name') throw new SluiceConfigError('ERR_INVALID_AUTHORIZER', `${option}.${k}`, 'unknown field for type none')
      return { name, type: 'none', method: () => undefined, jwksFetches: () => 0 }
  }
}

/**
 * What the caller's policies decide for another action, kept on the exchange's `$context.authorizer`
 * under a non-enumerable symbol (cheaper than a WeakMap of requests; invisible to templates and JSON).
 */
const POLICIES = Symbol('sluice.callerPolicies')
type PolicyHolder = Record<PropertyKey, unknown> & { [POLICIES]?: (action: string) => PolicyDecision }

/**
 * Whether the policies that authorized this request (authorizer policy or IAM identity policies,
 * with the resource policy) allow `action` on its method ARN; undefined when no policy did.
 */
export function policyAllows(exchange: Exchange, action: string): boolean | undefined {
  const f = (exchange.context.authorizer as PolicyHolder)[POLICIES]
  return f === undefined ? undefined : f(action) === 'allow'
}

function validateMethod(m: unknown, option: string): AuthorizeMethodOptions {
  if (m === undefined) return {}
  if (m === null || typeof m !== 'object') throw new SluiceConfigError('ERR_INVALID_AUTHORIZER', option, 'must be { authorizationScopes? }')
  for (const k of Object.keys(m)) if (k !== 'authorizationScopes') throw new SluiceConfigError('ERR_INVALID_AUTHORIZER', `${option}.${k}`, 'unknown field; expected authorizationScopes')
  const s = (m as AuthorizeMethodOptions).authorizationScopes
  if (s !== undefined && (!Array.isArray(s) || s.length > 10 || s.some((x) => typeof x !== 'string' || x === ''))) {
    throw new SluiceConfigError('ERR_INVALID_AUTHORIZER', `${option}.authorizationScopes`, 'must be a list of at most 10 scope names')
  }
  return m as AuthorizeMethodOptions
}

/** The ACCESS_DENIED message of a resource-policy denial (API Gateway's words). */
export const anonymousDeny = (arn: string, explicit: boolean, who = 'anonymous'): string =>
  `User: ${who} is not authorized to perform: execute-api:Invoke on resource: ${arn}${explicit ? ' with an explicit deny' : ''}`

/** Builds the step of one method from a prepared authorizer. */
export function authorizeStep(env: AuthorizeEnv, prepared: PreparedAuthorizer, methodOptions?: AuthorizeMethodOptions): Step {
  const authenticate = prepared.method(validateMethod(methodOptions, 'authorize(config, method)'))
  const { responses, resourcePolicy } = env
  const iam = prepared.type === 'aws_iam'
  const name = prepared.name
  // JWT and Cognito never read the method ARN; without a resource policy it is not even built
  const needsArn = resourcePolicy !== undefined || authenticate === undefined || (prepared.type !== 'jwt' && prepared.type !== 'cognito_user_pools')

  const denied = (exchange: Exchange, reason: string, message: string): Outcome => {
    exchange.record({ feature: 'authorizer', decision: 'deny', reason, detail: { authorizer: name } })
    return respond(responses.render('ACCESS_DENIED', exchange, message))
  }

  const conclude = (exchange: Exchange, arn: string, request: PolicyRequest | undefined, v: Verdict): Outcome => {
    if (!v.ok) {
      exchange.record({ feature: 'authorizer', decision: v.type.startsWith('AUTHORIZER_') ? 'error' : 'deny', reason: v.reason, detail: { authorizer: name } })
      const r = responses.render(v.type, exchange, v.message)
      return respond(v.headers === undefined ? r : { ...r, headers: { ...r.headers, ...v.headers } })
    }
    if (!v.policy && resourcePolicy === undefined) {
      // a valid token and no resource policy: nothing left to evaluate
      v.apply(exchange)
      exchange.record({ feature: 'authorizer', decision: 'allow', detail: v.detail })
      return CONTINUE
    }
    request ??= { action: INVOKE, resource: arn, sourceIp: exchange.context.identity.sourceIp }
    const req: PolicyRequest = v.principal === undefined ? request : { ...request, principal: v.principal }
    const caller = v.evaluate(req)
    const resource = resourcePolicy?.evaluate(req)
    const decision = resource === undefined ? caller : combineDecisions(caller, resource, v.crossAccount === true)
    if (decision !== 'allow') {
      if (resource === 'deny') return denied(exchange, 'resource-policy', anonymousDeny(arn, true, v.who))
      return denied(exchange, decision === 'deny' ? 'explicit-deny' : 'implicit-deny', v.denied(decision === 'deny', arn))
    }
    apply(exchange, v, req)
    return CONTINUE
  }

  const apply = (exchange: Exchange, v: Identified, req: PolicyRequest): void => {
    v.apply(exchange)
    exchange.record({ feature: 'authorizer', decision: 'allow', detail: v.detail })
    if (!v.policy) return
    const decide = (action: string): PolicyDecision => {
      const r = { ...req, action }
      const c = v.evaluate(r)
      const res = resourcePolicy?.evaluate(r)
      return res === undefined ? c : combineDecisions(c, res, v.crossAccount === true)
    }
    Object.defineProperty(exchange.context.authorizer, POLICIES, { value: decide, configurable: true })
  }

  return {
    feature: 'authorizer',
    finalizes: false,
    // SigV4 hashes the body itself (Fastify then runs the step in preParsing and replays the bytes)
    ...(iam ? { readsBody: true } : {}),
    run(exchange: Exchange): Outcome | Promise<Outcome> {
      if (!needsArn) {
        const v = (authenticate as Authenticate)(exchange, '')
        if (isPromise<Verdict>(v)) return v.then((x) => conclude(exchange, '', undefined, x))
        return conclude(exchange, '', undefined, v)
      }
      const arn = methodArn(env.aws, env.stage, exchange.request.method, env.arnPath === undefined ? exchange.path : env.arnPath(exchange))
      const request: PolicyRequest = { action: INVOKE, resource: arn, sourceIp: exchange.context.identity.sourceIp }
      if (authenticate === undefined) {
        // no authorizer: the resource policy alone decides, and must allow explicitly
        const d = resourcePolicy?.evaluate(request) ?? 'allow'
        if (d !== 'allow') return denied(exchange, 'resource-policy', anonymousDeny(arn, d === 'deny'))
        exchange.record({ feature: 'authorizer', decision: 'allow', detail: { authorizer: name } })
        return CONTINUE
      }
      // phase 1: an explicit Deny of the resource policy refuses before the authorizer runs (not for IAM: the principal is not known yet)
      if (!iam && resourcePolicy !== undefined && resourcePolicy.evaluate(request) === 'deny') return denied(exchange, 'resource-policy', anonymousDeny(arn, true))
      const v = authenticate(exchange, arn)
      if (isPromise<Verdict>(v)) return v.then((x) => conclude(exchange, arn, request, x))
      return conclude(exchange, arn, request, v)
    },
  }
}
