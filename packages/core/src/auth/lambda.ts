/**
 * Lambda-style (custom) authorizers: TOKEN and REQUEST events exactly as API Gateway builds them
 * (REST, HTTP API payload 1.0 and 2.0), identity sources checked before the call, a result cache
 * keyed by the identity-source values that stores the *policy* (re-evaluated per method ARN), a
 * timeout, and AWS's outcomes: `"Unauthorized"` → 401, deny → 403, anything malformed → 500.
 */
import type { Clock } from '../clock.js'
import { SluiceConfigError } from '../errors.js'
import type { Exchange } from '../exchange.js'
import { isPromise } from '../outcome.js'
import { composeKey } from '../throttle/identity.js'
import type { AwsIdentity } from './arn.js'
import { parseIdentitySources, readIdentitySource, type IdentitySource } from './identity-source.js'
import { compilePolicy, PolicyError, type CompiledPolicy } from './policy.js'
import type { AuthorizerResultStore, StoredAuthorizerResult } from './store.js'
import type { RequestAuthorizerConfig, RequestAuthorizerEvent, RequestAuthorizerEventV2, TokenAuthorizerConfig } from './types.js'
import { contextString, reject, type Authenticate, type Identified, type Verdict } from './verdict.js'

/** What the gateway gives every authorizer. */
export interface AuthEnv {
  readonly clock: Clock
  readonly aws: Readonly<Required<AwsIdentity>>
  readonly stage: string
  readonly store: AuthorizerResultStore
}

const TIMEOUT = Symbol('timeout')
const MAX_TTL = 3600

function ttlOf(v: unknown, option: string): number {
  if (v === undefined) return 300
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_TTL) throw new SluiceConfigError('ERR_INVALID_AUTHORIZER', option, 'must be an integer of seconds from 0 (no caching) to 3600')
  return v
}

function timeoutOf(v: unknown, option: string): number {
  if (v === undefined) return 10_000
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 300_000) throw new SluiceConfigError('ERR_INVALID_AUTHORIZER', option, 'must be an integer of milliseconds from 1 to 300000')
  return v
}

/** Parsed query string as API Gateway's single- and multi-value maps. */
function queryMaps(query: string): { single: Record<string, string>; multi: Record<string, string[]> } {
  const single = Object.create(null) as Record<string, string>
  const multi = Object.create(null) as Record<string, string[]>
  if (query === '') return { single, multi }
  for (const pair of query.split('&')) {
    if (pair === '') continue
    const eq = pair.indexOf('=')
    const k = safeDecode(eq === -1 ? pair : pair.slice(0, eq))
    const v = eq === -1 ? '' : safeDecode(pair.slice(eq + 1))
    single[k] = v
    const list = multi[k]
    if (list === undefined) multi[k] = [v]
    else list.push(v)
  }
  return { single, multi }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '))
  } catch {
    return s
  }
}

function headerMaps(exchange: Exchange): { single: Record<string, string>; multi: Record<string, string[]> } {
  const single = Object.create(null) as Record<string, string>
  const multi = Object.create(null) as Record<string, string[]>
  exchange.request.headers.forEach((value, name) => {
    single[name] = value
    multi[name] = [value]
  })
  return { single, multi }
}

function restEvent(exchange: Exchange, env: AuthEnv, arn: string): RequestAuthorizerEvent {
  const h = headerMaps(exchange)
  const q = queryMaps(exchange.query)
  const ctx = exchange.context
  const resource = ctx.resourcePath
  return {
    type: 'REQUEST',
    methodArn: arn,
    resource,
    path: exchange.path,
    httpMethod: exchange.request.method,
    headers: h.single,
    multiValueHeaders: h.multi,
    queryStringParameters: q.single,
    multiValueQueryStringParameters: q.multi,
    pathParameters: Object.assign(Object.create(null) as Record<string, string>, exchange.request.params),
    stageVariables: Object.assign(Object.create(null) as Record<string, string>, exchange.stageVariables),
    requestContext: {
      path: exchange.path,
      accountId: env.aws.accountId,
      resourceId: '',
      stage: env.stage,
      requestId: ctx.requestId,
      identity: { apiKey: exchange.request.headers.get('x-api-key'), sourceIp: ctx.identity.sourceIp, userAgent: ctx.identity.userAgent },
      resourcePath: resource,
      httpMethod: exchange.request.method,
      apiId: env.aws.apiId,
    },
  }
}

function v2Event(exchange: Exchange, env: AuthEnv, arn: string, identity: string[]): RequestAuthorizerEventV2 {
  const headers = Object.create(null) as Record<string, string>
  let cookies: string[] | undefined
  exchange.request.headers.forEach((value, name) => {
    if (name === 'cookie') cookies = value.split(/;\s*/).filter((c) => c !== '')
    else headers[name] = value
  })
  const q = queryMaps(exchange.query)
  const ctx = exchange.context
  const routeKey = `${exchange.request.method} ${ctx.resourcePath}`
  const host = ctx.domainName
  const event: RequestAuthorizerEventV2 = {
    version: '2.0',
    type: 'REQUEST',
    routeArn: arn,
    identitySource: identity,
    routeKey,
    rawPath: exchange.path,
    rawQueryString: exchange.query,
    headers,
    requestContext: {
      accountId: env.aws.accountId,
      apiId: env.aws.apiId,
      domainName: host,
      domainPrefix: host.split('.')[0] ?? host,
      http: { method: exchange.request.method, path: exchange.path, protocol: ctx.protocol, sourceIp: ctx.identity.sourceIp, userAgent: ctx.identity.userAgent ?? '' },
      requestId: ctx.requestId,
      routeKey,
      stage: env.stage,
      time: ctx.requestTime,
      timeEpoch: ctx.requestTimeEpoch,
    },
  }
  if (cookies !== undefined) event.cookies = cookies
  if (exchange.query !== '') event.queryStringParameters = Object.fromEntries(Object.entries(q.multi).map(([k, v]) => [k, v.join(',')]))
  if (exchange.request.params !== undefined && Object.keys(exchange.request.params).length > 0) event.pathParameters = { ...exchange.request.params }
  if (Object.keys(exchange.stageVariables).length > 0) event.stageVariables = { ...exchange.stageVariables }
  return event
}

/** Validates what a handler returned; throws a {@link PolicyError} when API Gateway would answer 500. */
export function parseResult(result: unknown, simple: boolean, expiresAt: number): StoredAuthorizerResult {
  if (result === null || typeof result !== 'object' || Array.isArray(result)) throw new PolicyError('result', 'must be an object')
  const r = result as Record<string, unknown>
  const context = r['context']
  if (context !== undefined && context !== null && (typeof context !== 'object' || Array.isArray(context))) throw new PolicyError('context', 'must be an object')
  if (simple) {
    if (typeof r['isAuthorized'] !== 'boolean') throw new PolicyError('isAuthorized', 'a simple response has a boolean isAuthorized')
    const out: { isAuthorized: boolean; context?: Record<string, unknown>; expiresAt: number } = { isAuthorized: r['isAuthorized'], expiresAt }
    if (context) out.context = context as Record<string, unknown>
    return out
  }
  if (typeof r['principalId'] !== 'string') throw new PolicyError('principalId', 'must be a string')
  compilePolicy(r['policyDocument'])
  if (context) {
    for (const [k, v] of Object.entries(context)) {
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw new PolicyError(`context.${k}`, 'values must be strings, numbers or booleans')
    }
  }
  const key = r['usageIdentifierKey']
  if (key !== undefined && key !== null && typeof key !== 'string') throw new PolicyError('usageIdentifierKey', 'must be a string')
  const out: { principalId: string; policyDocument: never; context?: Record<string, unknown>; usageIdentifierKey?: string; expiresAt: number } = {
    principalId: r['principalId'],
    policyDocument: r['policyDocument'] as never,
    expiresAt,
  }
  if (context) out.context = context as Record<string, unknown>
  if (typeof key === 'string') out.usageIdentifierKey = key
  return out
}

const compiled = new WeakMap<object, CompiledPolicy>()
/** Verdicts of cached results, so a cache hit allocates nothing (keyed by long-lived entries). */
const recalled = new WeakMap<StoredAuthorizerResult, Verdict>()

/** The verdict of a stored (fresh or cached) result: its policy is evaluated per method ARN. */
function identified(result: StoredAuthorizerResult, name: string, cached: boolean): Verdict {
  let policy: CompiledPolicy | undefined
  if (result.policyDocument !== undefined) {
    const doc = result.policyDocument as object
    policy = compiled.get(doc)
    if (policy === undefined) {
      try {
        policy = compilePolicy(doc)
      } catch {
        return reject('AUTHORIZER_CONFIGURATION_ERROR', 'invalid-result')
      }
      compiled.set(doc, policy)
    }
  }
  const v: Identified = {
    ok: true,
    policy: true,
    who: 'anonymous',
    evaluate: policy !== undefined ? (req) => (policy as CompiledPolicy).evaluate(req) : () => (result.isAuthorized === true ? 'allow' : 'none'),
    denied: (explicit) =>
      policy === undefined ? 'Forbidden' : explicit ? 'User is not authorized to access this resource with an explicit deny' : 'User is not authorized to access this resource',
    apply(exchange) {
      const a = exchange.context.authorizer
      if (result.context) for (const [k, val] of Object.entries(result.context)) if (k !== '__proto__') a[k] = contextString(val)
      // the principal is the authorizer's answer, never a context key of the same name
      if (result.principalId !== undefined) a['principalId'] = result.principalId
      if (result.usageIdentifierKey !== undefined) exchange.usageIdentifierKey = result.usageIdentifierKey
    },
    detail: { authorizer: name, cached },
  }
  return v
}

type LambdaConfig = TokenAuthorizerConfig | RequestAuthorizerConfig

/** Validates a token / request authorizer config and returns its authenticator. */
export function lambdaAuthorizer(config: LambdaConfig, env: AuthEnv, name: string, option: string): Authenticate {
  const token = config.type === 'token'
  const allowed = token
    ? ['type', 'name', 'handler', 'identitySource', 'identityValidationExpression', 'authorizerResultTtlInSeconds', 'timeoutMs']
    : ['type', 'name', 'handler', 'identitySource', 'authorizerResultTtlInSeconds', 'timeoutMs', 'authorizerPayloadFormatVersion', 'enableSimpleResponses']
  for (const k of Object.keys(config)) if (!allowed.includes(k)) throw new SluiceConfigError('ERR_INVALID_AUTHORIZER', `${option}.${k}`, `unknown field for a ${config.type} authorizer; expected ${allowed.join(', ')}`)
  if (typeof config.handler !== 'function') throw new SluiceConfigError('ERR_INVALID_AUTHORIZER', `${option}.handler`, 'must be a function (event, invocation) => result')
  const ttl = ttlOf(config.authorizerResultTtlInSeconds, `${option}.authorizerResultTtlInSeconds`)
  const timeoutMs = timeoutOf(config.timeoutMs, `${option}.timeoutMs`)
  const sources: IdentitySource[] = parseIdentitySources(token ? (config.identitySource ?? 'method.request.header.Authorization') : config.identitySource, `${option}.identitySource`)
  if (token && (sources.length !== 1 || sources[0]?.kind !== 'header')) throw new SluiceConfigError('ERR_INVALID_AUTHORIZER', `${option}.identitySource`, 'a token authorizer reads exactly one header')
  let pattern: RegExp | undefined
  if (token && config.identityValidationExpression !== undefined) {
    try {
      pattern = new RegExp(`^(?:${config.identityValidationExpression})$`)
    } catch (e) {
      throw new SluiceConfigError('ERR_INVALID_AUTHORIZER', `${option}.identityValidationExpression`, `is not a valid regular expression (${(e as Error).message})`)
    }
  }
  const version = token ? undefined : config.authorizerPayloadFormatVersion
  if (version !== undefined && version !== '1.0' && version !== '2.0') throw new SluiceConfigError('ERR_INVALID_AUTHORIZER', `${option}.authorizerPayloadFormatVersion`, 'must be "1.0" or "2.0"')
  const simple = !token && config.enableSimpleResponses === true
  if (simple && version !== '2.0') throw new SluiceConfigError('ERR_INVALID_AUTHORIZER', `${option}.enableSimpleResponses`, 'needs authorizerPayloadFormatVersion "2.0"')
  const handler = config.handler as (event: unknown, invocation: { requestId: string; signal: AbortSignal }) => unknown
  const caching = ttl > 0 && sources.length > 0
  const { clock, store } = env

  const invoke = async (exchange: Exchange, arn: string, values: string[], key: string | undefined): Promise<Verdict> => {
    let event: unknown
    if (token) event = { type: 'TOKEN', authorizationToken: values[0] as string, methodArn: arn }
    else if (version === '2.0') event = v2Event(exchange, env, arn, values)
    else {
      const e = restEvent(exchange, env, arn)
      if (version === '1.0') {
        e.identitySource = values.join(',')
        e.authorizationToken = values.join(',')
      }
      event = e
    }
    const ac = new AbortController()
    let timer: ReturnType<typeof setTimeout> | undefined
    let result: unknown
    try {
      const call = Promise.resolve().then(() => handler(event, { requestId: exchange.context.requestId, signal: ac.signal }))
      const timeout = new Promise<never>((_, fail) => {
        timer = setTimeout(() => {
          ac.abort()
          fail(TIMEOUT)
        }, timeoutMs)
      })
      result = await Promise.race([call, timeout])
    } catch (e) {
      if (e === TIMEOUT) return reject('AUTHORIZER_CONFIGURATION_ERROR', 'timeout')
      const message = typeof e === 'string' ? e : e instanceof Error ? e.message : undefined
      if (message === 'Unauthorized') return reject('UNAUTHORIZED', 'unauthorized')
      return reject('AUTHORIZER_CONFIGURATION_ERROR', 'error')
    } finally {
      clearTimeout(timer)
    }
    let stored: StoredAuthorizerResult
    try {
      stored = parseResult(result, simple, clock.now() + ttl * 1000)
    } catch {
      return reject('AUTHORIZER_CONFIGURATION_ERROR', 'invalid-result')
    }
    if (key !== undefined) {
      try {
        const w = store.set(key, stored, ttl * 1000)
        if (isPromise<void>(w)) w.catch(() => undefined)
      } catch {
        // a failing store never fails the request
      }
    }
    return identified(stored, name, false)
  }

  return (exchange, arn) => {
    const values: string[] = []
    for (const s of sources) {
      const v = readIdentitySource(s, exchange)
      if (v === undefined) return reject('UNAUTHORIZED', 'identity-missing')
      values.push(v)
    }
    if (pattern !== undefined && !pattern.test(values[0] as string)) return reject('UNAUTHORIZED', 'identity-invalid')
    if (!caching) return invoke(exchange, arn, values, undefined)
    const key = composeKey('authorizer:', name, ...values)
    const fromStore = (hit: StoredAuthorizerResult | undefined): Verdict | Promise<Verdict> => {
      if (hit === undefined || hit.expiresAt <= clock.now()) return invoke(exchange, arn, values, key)
      let v = recalled.get(hit)
      if (v === undefined) recalled.set(hit, (v = identified(hit, name, true)))
      return v
    }
    let got: ReturnType<AuthorizerResultStore['get']>
    try {
      got = store.get(key)
    } catch {
      return invoke(exchange, arn, values, key)
    }
    return isPromise<StoredAuthorizerResult | undefined>(got) ? got.then(fromStore, () => invoke(exchange, arn, values, key)) : fromStore(got)
  }
}
