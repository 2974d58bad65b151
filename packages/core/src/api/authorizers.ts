/**
 * A mounted API's authorizers: each `AuthorizerDefinition` of the definition becomes a config for
 * `gw.authorize()` (Lambda-style handlers come from the integrations map and run with Lambda's
 * calling convention), merged with what `mount({ authorizers })` adds (key sets, secrets, IAM
 * credentials), or replaced by a step given there.
 */
import { SluiceConfigError } from '../errors.js'
import type { Gateway } from '../gateway.js'
import type { Step } from '../outcome.js'
import type { AuthorizerConfig } from '../auth/types.js'
import type { Api } from './api.js'
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

/** The authorizer step of each method that needs one (by method), built once per mount. */
export function authorizerSteps(gw: Gateway, api: Api, methods: readonly CompiledMethod[], given: Readonly<Record<string, MountAuthorizer>>): (method: CompiledMethod) => Step | undefined {
  const configs = new Map<string, AuthorizerConfig>()
  const steps = new Map<CompiledMethod, Step>()
  const forMethod = (m: CompiledMethod): Step | undefined => {
    const def = m.definition
    const name = def.authorizer ?? (def.authorizationType === 'AWS_IAM' ? 'AWS_IAM' : undefined)
    if (name === undefined) return undefined
    const option = `mount().authorizers.${name}`
    const g = given[name]
    if (isStep(g)) return gw.adopt(g)
    let config = configs.get(name)
    if (config === undefined) {
      if (name === 'AWS_IAM') {
        if (g === undefined || typeof (g as { credentials?: unknown }).credentials !== 'function') throw new SluiceConfigError('ERR_UNKNOWN_INTEGRATION', option, `the method at ${m.pointer} uses AWS_IAM: give mount({ authorizers: { AWS_IAM: { type: 'aws_iam', credentials } } })`)
        config = { type: 'aws_iam', ...g } as AuthorizerConfig
      } else {
        const adef = api.definition.authorizers?.[name]
        if (adef === undefined) throw new SluiceConfigError('ERR_UNKNOWN_INTEGRATION', option, `the method at ${m.pointer} names the authorizer "${name}", which the API does not define`)
        config = configFrom(name, adef, api, gw, g, option)
      }
      configs.set(name, config)
    }
    const scopes = def.authorizationScopes
    return gw.authorize(config, scopes !== undefined && scopes.length > 0 ? { authorizationScopes: scopes } : undefined)
  }
  for (const m of methods) {
    const s = forMethod(m)
    if (s !== undefined) steps.set(m, s)
  }
  return (m) => {
    if (steps.has(m)) return steps.get(m)
    const s = forMethod(m)
    if (s !== undefined) steps.set(m, s)
    return s
  }
}
