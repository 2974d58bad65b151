/**
 * Lambda proxy events, payload format 1.0 (REST) and 2.0 (HTTP API), built as API Gateway builds
 * them (reference section 5.2, 5.3): empty v1 maps are `null`; query values URL-decoded, the last
 * value wins in single-value maps; path parameters as sent; `{proxy+}` without the trailing slash.
 *
 * Every map is a plain object whose keys are set as own properties (`__proto__` and
 * `constructor` included), so prototype-named keys round-trip and change no prototype.
 */
import { formatRequestTime } from '../context.js'
import type { HttpApiRequestEvent } from '../event-shapes.js'
import { hasOwn as has, putOwn as put } from '../own.js'
import type { HeaderReader } from '../request.js'

export { has, put }

/** URL-decodes a query component (`+` is a space); a malformed escape is kept as sent. */
export function decodeQuery(s: string): string {
  const t = s.includes('+') ? s.replace(/\+/g, ' ') : s
  if (!t.includes('%')) return t
  try {
    return decodeURIComponent(t)
  } catch {
    return t
  }
}

/** Parses a raw query string into ordered name/value pairs (decoded). */
export function parseQuery(raw: string): Array<[string, string]> {
  const out: Array<[string, string]> = []
  if (raw === '') return out
  for (const part of raw.split('&')) {
    if (part === '') continue
    const eq = part.indexOf('=')
    out.push(eq === -1 ? [decodeQuery(part), ''] : [decodeQuery(part.slice(0, eq)), decodeQuery(part.slice(eq + 1))])
  }
  return out
}

/** What a proxy event is built from. */
export interface ProxyInput {
  readonly method: string
  /** The path as received (no query). */
  readonly path: string
  /** `requestContext.path`: `/{stage}/{path}`, or the path as received under a base path. */
  readonly contextPath: string
  /** The raw query string, without `?`. */
  readonly query: string
  readonly headers: HeaderReader
  readonly body: Uint8Array
  /** The body is a binary media type: it goes base64-encoded. */
  readonly binary: boolean
  /** Resource template (`/pets/{id}`). */
  readonly resource: string
  readonly routeKey: string
  readonly pathParameters: Readonly<Record<string, string>>
  readonly stage: string
  readonly stageVariables: Readonly<Record<string, string>>
  readonly requestId: string
  readonly extendedRequestId: string
  readonly requestTimeEpoch: number
  readonly sourceIp: string
  readonly userAgent: string | null
  readonly apiKey: string | undefined
  readonly apiKeyId: string | undefined
  readonly domainName: string
  readonly apiId: string
  readonly accountId: string
  readonly deploymentId: string
  readonly resourceId: string
  /** `$context.authorizer` values (principalId, claims, context). */
  readonly authorizer: Readonly<Record<string, unknown>> | undefined
}

/** API Gateway's payload format 1.0 event (the shape of `APIGatewayProxyEvent`). */
export interface ProxyEventV1 {
  resource: string
  path: string
  httpMethod: string
  headers: Record<string, string>
  multiValueHeaders: Record<string, string[]>
  queryStringParameters: Record<string, string> | null
  multiValueQueryStringParameters: Record<string, string[]> | null
  pathParameters: Record<string, string> | null
  stageVariables: Record<string, string> | null
  requestContext: {
    accountId: string
    apiId: string
    authorizer: Record<string, unknown> | null
    domainName: string
    domainPrefix: string
    extendedRequestId: string
    httpMethod: string
    identity: {
      accessKey: string | null
      accountId: string | null
      apiKey: string | null
      apiKeyId: string | null
      caller: string | null
      clientCert: null
      cognitoAuthenticationProvider: string | null
      cognitoAuthenticationType: string | null
      cognitoIdentityId: string | null
      cognitoIdentityPoolId: string | null
      principalOrgId: string | null
      sourceIp: string
      user: string | null
      userAgent: string | null
      userArn: string | null
    }
    path: string
    protocol: string
    requestId: string
    requestTime: string
    requestTimeEpoch: number
    resourceId: string
    resourcePath: string
    stage: string
    deploymentId: string
  }
  body: string | null
  isBase64Encoded: boolean
}

/** API Gateway's payload format 2.0 event (the shape of `APIGatewayProxyEventV2`). */
export interface ProxyEventV2 extends HttpApiRequestEvent {
  /** Absent when the request has none; base64 when `isBase64Encoded`. */
  body?: string
  isBase64Encoded: boolean
}

const domainPrefix = (domain: string): string => {
  const host = domain.startsWith('[') ? domain : (domain.split(':')[0] ?? domain)
  const dot = host.indexOf('.')
  return dot === -1 ? host : host.slice(0, dot)
}

const copy = (src: Readonly<Record<string, string>>): Record<string, string> | null => {
  const keys = Object.keys(src)
  if (keys.length === 0) return null
  const out: Record<string, string> = {}
  for (const k of keys) put(out, k, src[k] as string)
  return out
}

function bodyText(input: ProxyInput): string | null {
  if (input.body.byteLength === 0) return null
  const b = Buffer.from(input.body.buffer, input.body.byteOffset, input.body.byteLength)
  return input.binary ? b.toString('base64') : b.toString('utf8')
}

/** Builds a payload format 1.0 event. */
export function proxyEventV1(input: ProxyInput): ProxyEventV1 {
  const headers: Record<string, string> = {}
  const multiValueHeaders: Record<string, string[]> = {}
  input.headers.forEach((value, name) => {
    put(headers, name, value)
    put(multiValueHeaders, name, [value])
  })
  const pairs = parseQuery(input.query)
  let qs: Record<string, string> | null = null
  let mqs: Record<string, string[]> | null = null
  for (const [k, v] of pairs) {
    qs ??= {}
    mqs ??= {}
    put(qs, k, v)
    if (has(mqs, k)) (mqs[k] as string[]).push(v)
    else put(mqs, k, [v])
  }
  const body = bodyText(input)
  return {
    resource: input.resource,
    path: input.path,
    httpMethod: input.method,
    headers,
    multiValueHeaders,
    queryStringParameters: qs,
    multiValueQueryStringParameters: mqs,
    pathParameters: copy(input.pathParameters),
    stageVariables: copy(input.stageVariables),
    requestContext: {
      accountId: input.accountId,
      apiId: input.apiId,
      authorizer: input.authorizer === undefined ? null : { ...input.authorizer },
      domainName: input.domainName,
      domainPrefix: domainPrefix(input.domainName),
      extendedRequestId: input.extendedRequestId,
      httpMethod: input.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: input.apiKey ?? null,
        apiKeyId: input.apiKeyId ?? null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: input.sourceIp,
        user: null,
        userAgent: input.userAgent,
        userArn: null,
      },
      path: input.contextPath,
      protocol: 'HTTP/1.1',
      requestId: input.requestId,
      requestTime: formatRequestTime(input.requestTimeEpoch),
      requestTimeEpoch: input.requestTimeEpoch,
      resourceId: input.resourceId,
      resourcePath: input.resource,
      stage: input.stage,
      deploymentId: input.deploymentId,
    },
    body,
    isBase64Encoded: body !== null && input.binary,
  }
}

/**
 * `requestContext.authorizer` of a 2.0 event: `{ jwt: { claims, scopes } }` after a JWT authorizer,
 * `{ lambda: <the authorizer's context> }` after a Lambda authorizer (payload 1.0 events keep the
 * values flat, as REST does).
 */
function authorizerV2(a: Readonly<Record<string, unknown>>): Record<string, unknown> {
  if (has(a, 'claims')) return { jwt: { claims: a['claims'], scopes: a['scopes'] ?? null } }
  const lambda: Record<string, unknown> = {}
  for (const k of Object.keys(a)) if (k !== 'principalId') put(lambda, k, a[k])
  return { lambda }
}

/** Builds a payload format 2.0 event. */
export function proxyEventV2(input: ProxyInput): ProxyEventV2 {
  const headers: Record<string, string> = {}
  let cookies: string[] | undefined
  input.headers.forEach((value, name) => {
    const n = name.toLowerCase()
    if (n === 'cookie') {
      for (const c of value.split(/;\s*/)) if (c !== '') (cookies ??= []).push(c)
      return
    }
    put(headers, n, has(headers, n) ? `${headers[n] as string},${value}` : value)
  })
  let qs: Record<string, string> | undefined
  for (const [k, v] of parseQuery(input.query)) {
    qs ??= {}
    put(qs, k, has(qs, k) ? `${qs[k] as string},${v}` : v)
  }
  const body = bodyText(input)
  const params = copy(input.pathParameters)
  const vars = copy(input.stageVariables)
  const event: ProxyEventV2 = {
    version: '2.0',
    routeKey: input.routeKey,
    rawPath: input.path,
    rawQueryString: input.query,
    headers,
    requestContext: {
      accountId: input.accountId,
      apiId: input.apiId,
      domainName: input.domainName,
      domainPrefix: domainPrefix(input.domainName),
      http: { method: input.method, path: input.path, protocol: 'HTTP/1.1', sourceIp: input.sourceIp, userAgent: input.userAgent ?? '' },
      requestId: input.extendedRequestId,
      routeKey: input.routeKey,
      stage: input.stage,
      time: formatRequestTime(input.requestTimeEpoch),
      timeEpoch: input.requestTimeEpoch,
    },
    isBase64Encoded: body !== null && input.binary,
  }
  if (cookies !== undefined) event.cookies = cookies
  if (qs !== undefined) event.queryStringParameters = qs
  if (input.authorizer !== undefined) event.requestContext.authorizer = authorizerV2(input.authorizer)
  if (body !== null) event.body = body
  if (params !== null) event.pathParameters = params
  if (vars !== null) event.stageVariables = vars
  return event
}
