import type { GatewayResponseType } from './errors.js'

/** `$context.identity`: who is calling. */
export interface Identity {
  sourceIp: string
  userAgent: string | null
  /** The API key value, once `apiKey()` accepted it. */
  apiKey?: string
  /** The API key id, once `apiKey()` accepted it. */
  apiKeyId?: string
  accessKey?: string
  accountId?: string
  caller?: string
  user?: string
  userArn?: string
  principalOrgId?: string
}

/** `$context.error`, set while a gateway response is rendered. */
export interface ErrorContext {
  message: string | null
  /** The message as a quoted JSON string (or `null`). */
  messageString: string
  responseType: GatewayResponseType
  validationErrorString?: string
}

/** API Gateway's `$context`, as far as sluice knows it for this request. */
export interface RequestContext {
  readonly requestId: string
  readonly extendedRequestId: string
  /** CLF-formatted request time, e.g. `21/Nov/2026:23:54:45 +0000`. */
  readonly requestTime: string
  readonly requestTimeEpoch: number
  readonly httpMethod: string
  /** The request path as received. */
  readonly path: string
  /** The matched resource template, e.g. `/pets/{id}` (the path until a router says otherwise). */
  resourcePath: string
  readonly stage: string
  readonly domainName: string
  readonly protocol: string
  readonly identity: Identity
  /** Values an authorizer returned (`$context.authorizer.*`); strings, as AWS renders them. */
  readonly authorizer: Record<string, unknown>
  error?: ErrorContext | undefined
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const
const pad = (n: number): string => (n < 10 ? `0${n}` : String(n))

/** Formats epoch milliseconds as API Gateway's `$context.requestTime` (CLF, UTC). */
export function formatRequestTime(epochMs: number): string {
  const d = new Date(epochMs)
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()] ?? ''}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`
}

/** Derives an `extendedRequestId`-shaped value (short base64, ending in `=`) from a UUID. */
export function extendedIdFrom(requestId: string): string {
  const hex = requestId.replace(/-/g, '').slice(0, 20)
  if (/^[0-9a-fA-F]{20}$/.test(hex)) return Buffer.from(hex, 'hex').toString('base64')
  return Buffer.from(requestId).subarray(0, 10).toString('base64')
}
