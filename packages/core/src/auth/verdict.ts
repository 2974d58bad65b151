/** What an authenticator decides about a caller, before the method ARN's policies are combined. */
import type { GatewayResponseType } from '../errors.js'
import type { Exchange } from '../exchange.js'
import type { PolicyDecision, PolicyRequest } from './policy.js'

/** The caller is known; its own policy (if any) decides per action and method ARN. */
export interface Identified {
  readonly ok: true
  /** True when `evaluate` depends on the request (a policy); false when it always allows (a valid token). */
  readonly policy: boolean
  /** The caller's own decision (authorizer policy, identity policies; `allow` for a valid token). */
  evaluate(request: PolicyRequest): PolicyDecision
  /** The IAM caller, for resource policies naming principals. */
  readonly principal?: PolicyRequest['principal']
  /** The caller's account differs from the API's (resource policy: both must allow). */
  readonly crossAccount?: boolean
  /** Who the caller is in AWS's denial messages (`anonymous` unless IAM). */
  readonly who: string
  /** The 403 message when the caller's own policy denied. */
  denied(explicit: boolean, arn: string): string
  /** Fills `$context.authorizer` / `$context.identity` / `usageIdentifierKey`. */
  apply(exchange: Exchange): void
  readonly detail: Readonly<Record<string, unknown>>
}

/** The caller is refused before any policy: 401, 403 or 500, with an optional message and headers. */
export interface Rejected {
  readonly ok: false
  readonly type: GatewayResponseType
  readonly message?: string | null
  readonly headers?: Readonly<Record<string, string>>
  /** Short machine-readable reason for the trace. */
  readonly reason: string
}

export type Verdict = Identified | Rejected

/** Authenticates one request against its method ARN. */
export type Authenticate = (exchange: Exchange, arn: string) => Verdict | Promise<Verdict>

export const reject = (type: GatewayResponseType, reason: string, message?: string | null, headers?: Record<string, string>): Rejected => {
  const r: { ok: false; type: GatewayResponseType; reason: string; message?: string | null; headers?: Record<string, string> } = { ok: false, type, reason }
  if (message !== undefined) r.message = message
  if (headers !== undefined) r.headers = headers
  return r
}

/** Stringifies a context value as `$context.authorizer.*` shows it. */
export function contextString(value: unknown): string {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return JSON.stringify(value) ?? ''
}
