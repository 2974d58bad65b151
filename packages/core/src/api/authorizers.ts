/**
 * A mounted API's access control: each `AuthorizerDefinition` of the definition becomes a config
 * for the gateway's authorizers (Lambda-style handlers come from the integrations map and run with
 * Lambda's calling convention), merged with what `mount({ authorizers })` adds (key sets, secrets,
 * IAM credentials), or replaced by a step given there — and the API's resource policy (the
 * definition's `policy`, else the gateway's `resourcePolicy`) evaluated in API Gateway's order:
 * an explicit Deny refuses before any authorizer runs; then the authorizer's decision and the
 * policy's combine per AWS's table; a method without an authorizer needs the policy's explicit Allow.
 *
 * Everything is scoped to the mounted API: method ARNs carry its id, its stage and the path under
 * its base path; authorizer results are cached under its id and stage.
 */
import { SluiceConfigError } from '../errors.js'
import type { Exchange } from '../exchange.js'
import type { Gateway } from '../gateway.js'
import { CONTINUE, respond, type Step } from '../outcome.js'
import { methodArn } from '../auth/arn.js'
import { anonymousDeny, authorizeStep, INVOKE, prepareAuthorizer, type AuthorizeEnv, type PreparedAuthorizer } from '../auth/authorize.js'
import type { CompiledPolicy } from '../auth/policy.js'
import type { AuthorizerConfig } from '../auth/types.js'
import type { Api, Deployment } from './api.js'
import type { CompiledMethod } from './compile.js'
import type { AuthorizerDefinition } from './definition.js'
import { functionNameFromUri, invoke } from './lambda.js'

/** What `mount({ authorizers })` may give for a name: a ready step, or config fields merged over the definition's. */
export type MountAuthorizer = Step | Partial<AuthorizerConfig>

const isStep = (v: unknown): v is Step => v !== null && typeof v === 'object' && typeof (v as Step).run === 'function' && typeof (v as Step).feature === 'string'

/** Builds the authorizer config of a definition's authorizer. */
function configFrom(name: string, def: AuthorizerDefinition, api: Api, gw: Gateway, extra: Partial<AuthorizerConfig> | undefined, option: string): AuthorizerConfig {
  const ttl = def.authorizerResultTtlInSeconds !== undefined ? { authorizerResultTtlInSeconds: def.authorizerResultTtlInSeconds } : {}
  const lambda = (): ((event: unknown, inv: { requestId: string }) => Promise<never>) => {
    const fnName = def.handler ?? (def.authorizerUri !== undefined ? functionNameFromUri(def.authorizerUri) : undefined)
    const fn = fnName === undefined ? undefined : api.handler(fnName)
    if (fn === undefined) throw new SluiceConfigError('ERR_UNKNOWN_INTEGRATION', `${option}`, `the authorizer "${name}" needs its handler "${fnName ?? '(none)'}" in the integrations map`)
    return async (event, inv) => {
      const out = await invoke(fn, event, fnName as string, inv.requestId, 30_000, () => gw.clock.now())
      if (out.ok) return out.result as never
      throw 'timeout' in out ? new Error('authorizer timed out') : out.error
    }
  }
  let base: Record<string, unknown>
  switch (def.type) {
    case 'TOKEN':
      base = { type: 'token', name, handler: lambda(), ...ttl, ...(def.identitySource ? { identitySource: def.identitySource } : {}), ...(def.identityValidationExpression ? { identityValidationExpression: def.identityValidationExpression } : {}) }
      break
    case 'REQUEST':
      base = {
        type: 'request',
        name,
        handler: lambda(),
        ...ttl,
        ...(def.identitySource ? { identitySource: def.identitySource.split(',').map((s) => s.trim()) } : {}),
        ...(def.authorizerPayloadFormatVersion ? { authorizerPayloadFormatVersion: def.authorizerPayloadFormatVersion } : {}),
        ...(def.enableSimpleResponses !== undefined ? { enableSimpleResponses: def.enableSimpleResponses } : {}),
      }
      break
    case 'COGNITO_USER_POOLS':
      base = { type: 'cognito_user_pools', name, providerARNs: def.providerARNs ?? [], ...(def.identitySource ? { identitySource: def.identitySource } : {}), ...(def.identityValidationExpression ? { identityValidationExpression: def.identityValidationExpression } : {}) }
      break
    case 'JWT':
      base = { type: 'jwt', name, jwtConfiguration: { issuer: def.jwtConfiguration?.issuer ?? '', audience: def.jwtConfiguration?.audience ?? [] }, ...(def.identitySource ? { identitySource: def.identitySource } : {}) }
      break
  }
  return { ...base, ...extra } as AuthorizerConfig
}

/** What the mount gives: the API's authorizer environment and its resource policy per deployment. */
export interface AccessScope {
  /** The gateway's authorizer environment, scoped to the API (identity, stage, ARN path, result store). */
  readonly env: Omit<AuthorizeEnv, 'resourcePolicy'>
  /** The resource policy a deployment serves with (undefined: none). */
  readonly policyOf: (deployment: Deployment) => CompiledPolicy | undefined
}

/**
 * Before a step given in `mount({ authorizers })`: the resource policy's explicit Deny refuses
 * (the step's pass then counts as the caller's Allow, as a valid JWT does).
 */
function policyGuard(env: AccessScope['env'], policy: CompiledPolicy): Step {
  return {
    feature: 'authorizer',
    finalizes: false,
    run(ex: Exchange) {
      const arn = methodArn(env.aws, env.stage, ex.request.method, env.arnPath === undefined ? ex.path : env.arnPath(ex))
      if (policy.evaluate({ action: INVOKE, resource: arn, sourceIp: ex.context.identity.sourceIp }) !== 'deny') return CONTINUE
      ex.record({ feature: 'authorizer', decision: 'deny', reason: 'resource-policy' })
      return respond(env.responses.render('ACCESS_DENIED', ex, anonymousDeny(arn, true)))
    },
  }
}

/** The access step of each method (by method; methods belong to one deployment), built once per mount. */
export function authorizerSteps(gw: Gateway, api: Api, given: Readonly<Record<string, MountAuthorizer>>, scope: AccessScope): (method: CompiledMethod, deployment: Deployment) => Step | undefined {
  const prepared = new Map<string, PreparedAuthorizer>()
  const steps = new Map<CompiledMethod, Step | null>()
  const none = prepareAuthorizer({ type: 'none' }, scope.env, 'resource-policy')
  const prepare = (name: string, m: CompiledMethod, g: Partial<AuthorizerConfig> | undefined): PreparedAuthorizer => {
    let p = prepared.get(name)
    if (p !== undefined) return p
    const option = `mount().authorizers.${name}`
    let config: AuthorizerConfig
    if (name === 'AWS_IAM') {
      if (g === undefined || typeof (g as { credentials?: unknown }).credentials !== 'function') throw new SluiceConfigError('ERR_UNKNOWN_INTEGRATION', option, `the method at ${m.pointer} uses AWS_IAM: give mount({ authorizers: { AWS_IAM: { type: 'aws_iam', credentials } } })`)
      config = { type: 'aws_iam', name, ...g } as AuthorizerConfig
    } else {
      const adef = api.definition.authorizers?.[name]
      if (adef === undefined) throw new SluiceConfigError('ERR_UNKNOWN_INTEGRATION', option, `the method at ${m.pointer} names the authorizer "${name}", which the API does not define`)
      config = configFrom(name, adef, api, gw, g, option)
    }
    p = prepareAuthorizer(config, scope.env, name, option)
    prepared.set(name, p)
    return p
  }
  const build = (m: CompiledMethod, d: Deployment): Step | undefined => {
    const def = m.definition
    const policy = scope.policyOf(d)
    const env: AuthorizeEnv = { ...scope.env, resourcePolicy: policy }
    const name = def.authorizer ?? (def.authorizationType === 'AWS_IAM' ? 'AWS_IAM' : undefined)
    if (name === undefined) return policy === undefined ? undefined : gw.adopt(authorizeStep(env, none))
    const g = given[name]
    if (isStep(g)) return policy === undefined ? gw.adopt(g) : gw.chain(gw.adopt(policyGuard(scope.env, policy)), gw.adopt(g))
    const scopes = def.authorizationScopes
    return gw.adopt(authorizeStep(env, prepare(name, m, g), scopes !== undefined && scopes.length > 0 ? { authorizationScopes: scopes } : undefined))
  }
  for (const d of api.deployments()) for (const m of d.compiled.methods) steps.set(m, build(m, d) ?? null)
  return (m, d) => {
    let s = steps.get(m)
    if (s === undefined) steps.set(m, (s = build(m, d) ?? null))
    return s ?? undefined
  }
}
