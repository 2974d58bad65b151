/**
 * What an integration call is (the request, its route, its stage) and the answers every
 * integration shares: API Gateway's failure responses and `$context` as templates see it.
 */
import type { Exchange } from '../exchange.js'
import type { GatewayResponse } from '../response.js'
import type { GatewayResponses } from '../responses.js'
import type { CompiledApi, CompiledMethod } from './compile.js'
import type { LambdaHandler } from './lambda.js'
import type { Renderer } from './mapping.js'
import type { RouteMatch } from './router.js'

/** What integrations need from the mount. */
export interface IntegrationEnv {
  readonly responses: GatewayResponses
  readonly handler: (name: string) => LambdaHandler | undefined
  readonly render: Renderer
  readonly now: () => number
  readonly apiId: string
  readonly accountId: string
}

/** One call: the request, its route, and the stage it runs in. */
export interface IntegrationCall {
  readonly exchange: Exchange
  readonly api: CompiledApi
  readonly method: CompiledMethod
  readonly match: RouteMatch<CompiledMethod>
  readonly stage: string
  readonly stageVariables: Readonly<Record<string, string>>
  readonly deploymentId: string
  readonly isCanaryRequest: boolean
  /** The request path as received (base path included). */
  readonly path: string
  /**
   * `$context.path` / `requestContext.path`: `/{stage}/{path}` as on the API's own endpoint, or the
   * path as received under a base path (as on a custom domain).
   */
  readonly contextPath: string
  readonly query: string
  readonly body: Uint8Array
}

export const JSON_TYPE = { 'content-type': 'application/json' }

/** HTTP APIs answer failures with fixed bodies (no gateway responses). */
function httpApiError(status: 500 | 503 | 404): GatewayResponse {
  const message = status === 500 ? 'Internal Server Error' : status === 503 ? 'Service Unavailable' : 'Not Found'
  return { status, headers: JSON_TYPE, body: `{"message":"${message}"}` }
}

/** REST: 502 "Internal server error" (a malformed Lambda proxy response, a refused backend). */
export function badGateway(env: IntegrationEnv, call: IntegrationCall, type: 'API_CONFIGURATION_ERROR' | 'INTEGRATION_FAILURE'): GatewayResponse {
  if (call.api.protocol === 'HTTP') return httpApiError(500)
  const r = env.responses.render(type, call.exchange)
  return env.responses.statusOf(type, call.exchange) === (type === 'INTEGRATION_FAILURE' ? 504 : 500) ? { ...r, status: 502 } : r
}

export function timeout(env: IntegrationEnv, call: IntegrationCall): GatewayResponse {
  return call.api.protocol === 'HTTP' ? httpApiError(503) : env.responses.render('INTEGRATION_TIMEOUT', call.exchange)
}

export function configError(env: IntegrationEnv, call: IntegrationCall): GatewayResponse {
  return call.api.protocol === 'HTTP' ? httpApiError(500) : env.responses.render('API_CONFIGURATION_ERROR', call.exchange)
}

/** `$context` as templates and mappings see it. */
export function templateContext(env: IntegrationEnv, call: IntegrationCall): Record<string, unknown> {
  const c = call.exchange.context as unknown as { toJSON?: () => Record<string, unknown> }
  const base = typeof c.toJSON === 'function' ? c.toJSON() : { ...call.exchange.context }
  return {
    ...base,
    apiId: env.apiId,
    accountId: env.accountId,
    deploymentId: call.deploymentId,
    resourcePath: call.match.resource,
    resourceId: resourceId(call.match.resource),
    stage: call.stage,
    isCanaryRequest: call.isCanaryRequest ? 'true' : 'false',
    path: call.contextPath,
  }
}

/** A short stable id for a resource template (API Gateway's `resourceId` is opaque). */
export function resourceId(resource: string): string {
  let h = 2166136261
  for (let i = 0; i < resource.length; i++) h = Math.imul(h ^ resource.charCodeAt(i), 16777619)
  return (h >>> 0).toString(36).padStart(6, '0').slice(0, 6)
}

export const timeoutOf = (call: IntegrationCall): number => call.method.integration.timeoutInMillis ?? (call.api.protocol === 'HTTP' ? 30_000 : 29_000)

export const text = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8')
