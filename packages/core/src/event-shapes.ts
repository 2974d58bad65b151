/**
 * The parts API Gateway's HTTP API (payload format 2.0) events share: the proxy integration event
 * (`api/events.ts`) and the Lambda authorizer event (`auth/types.ts`) describe the request alike.
 */

/** `requestContext` of a payload 2.0 event. */
export interface HttpApiRequestContext {
  accountId: string
  apiId: string
  /** What the authorizer decided (proxy events, when a method has one). */
  authorizer?: Record<string, unknown>
  domainName: string
  domainPrefix: string
  http: { method: string; path: string; protocol: string; sourceIp: string; userAgent: string }
  requestId: string
  routeKey: string
  stage: string
  /** CLF time, e.g. `22/Nov/2026:07:08:09 +0000`. */
  time: string
  timeEpoch: number
}

/** The request as a payload 2.0 event gives it: absent parts are omitted. */
export interface HttpApiRequestEvent {
  version: '2.0'
  routeKey: string
  rawPath: string
  rawQueryString: string
  /** The `Cookie` header's cookies (it is not in `headers`). */
  cookies?: string[]
  /** Lower-case names; repeated headers comma-joined. */
  headers: Record<string, string>
  /** Repeated keys comma-joined. */
  queryStringParameters?: Record<string, string>
  requestContext: HttpApiRequestContext
  pathParameters?: Record<string, string>
  stageVariables?: Record<string, string>
}
