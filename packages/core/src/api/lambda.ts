/**
 * Lambda-style handlers: invoking them (plain async functions, callback-style AWS handlers, or a
 * module with a `handler` export) with a deadline, and API Gateway's contract for what a proxy
 * handler returns (reference section 5.2, 5.3).
 */
import type { GatewayResponse } from '../response.js'
import { hasOwn as has, putOwn as put } from '../own.js'

/** The context object a handler gets (the fields of Lambda's `Context`). */
export interface LambdaContext {
  callbackWaitsForEmptyEventLoop: boolean
  readonly functionName: string
  readonly functionVersion: string
  readonly invokedFunctionArn: string
  readonly memoryLimitInMB: string
  readonly awsRequestId: string
  readonly logGroupName: string
  readonly logStreamName: string
  getRemainingTimeInMillis(): number
  done(error?: Error, result?: unknown): void
  fail(error: Error | string): void
  succeed(result: unknown): void
}

/**
 * A Lambda-style handler: `async (event, context) => result`, or AWS's callback style
 * `(event, context, callback) => void`.
 */
export type LambdaHandler = (event: never, context: LambdaContext, callback: (error?: unknown, result?: unknown) => void) => unknown

/** What `mount()`'s `integrations` map holds: a handler, or a module exporting `handler`. */
export type IntegrationHandler = LambdaHandler | { readonly handler: LambdaHandler }

/** Resolves a map entry to its function; `undefined` when it is neither. */
export function handlerFunction(entry: unknown): LambdaHandler | undefined {
  if (typeof entry === 'function') return entry as LambdaHandler
  if (entry !== null && typeof entry === 'object' && typeof (entry as { handler?: unknown }).handler === 'function') {
    const mod = entry as { handler: LambdaHandler }
    return (event, context, callback) => mod.handler(event, context, callback)
  }
  return undefined
}

/** How an invocation ended. */
export type Invocation = { readonly ok: true; readonly result: unknown } | { readonly ok: false; readonly error: unknown } | { readonly ok: false; readonly timeout: true }

/** The function name of a Lambda invocation ARN (or of a bare function ARN / name); `undefined` if none. */
export function functionNameFromUri(uri: string): string | undefined {
  const fn = /functions\/([^/]+)\/invocations/.exec(uri)?.[1] ?? uri
  const m = /^arn:aws[a-z-]*:lambda:[^:]*:[^:]*:function:([^:/]+)/.exec(decodeURIComponent(fn))
  if (m) return m[1]
  return /^[A-Za-z0-9_${}.-]+$/.test(fn) ? fn : undefined
}

/**
 * Invokes `fn` with a deadline. The first of return value, callback, or deadline settles it;
 * later ones are ignored. Never rejects.
 */
export function invoke(fn: LambdaHandler, event: unknown, name: string, requestId: string, timeoutMs: number, now: () => number): Promise<Invocation> {
  return new Promise<Invocation>((resolve) => {
    let settled = false
    const start = now()
    const settle = (v: Invocation): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve(v)
    }
    const timer = setTimeout(() => settle({ ok: false, timeout: true }), timeoutMs)
    const callback = (error?: unknown, result?: unknown): void => {
      if (error !== undefined && error !== null) settle({ ok: false, error })
      else settle({ ok: true, result })
    }
    const context: LambdaContext = {
      callbackWaitsForEmptyEventLoop: true,
      functionName: name,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
      memoryLimitInMB: '128',
      awsRequestId: requestId,
      logGroupName: `/aws/lambda/${name}`,
      logStreamName: 'sluice',
      getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (now() - start)),
      done: (error, result) => callback(error, result),
      fail: (error) => callback(typeof error === 'string' ? new Error(error) : error),
      succeed: (result) => callback(undefined, result),
    }
    let out: unknown
    try {
      out = fn(event as never, context, callback)
    } catch (error) {
      settle({ ok: false, error })
      return
    }
    if (out !== null && typeof out === 'object' && typeof (out as Promise<unknown>).then === 'function') {
      ;(out as Promise<unknown>).then(
        (result) => settle({ ok: true, result }),
        (error: unknown) => settle({ ok: false, error }),
      )
    } else if (fn.length < 3) settle({ ok: true, result: out })
    // a callback-style handler that returned nothing: its callback (or the deadline) settles it
  })
}

/** Does `contentType` (or an Accept list's first type) match one of the binary media types? */
export function isBinaryType(contentType: string | null | undefined, binaryMediaTypes: readonly string[]): boolean {
  if (contentType === null || contentType === undefined || binaryMediaTypes.length === 0) return false
  const type = (contentType.split(',')[0] ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
  if (type === '') return false
  const [major] = type.split('/')
  for (const b of binaryMediaTypes) {
    const t = b.toLowerCase()
    if (t === '*/*' || t === type || (t.endsWith('/*') && t.slice(0, -2) === major)) return true
  }
  return false
}

/** A proxy handler's result turned into a response, or `undefined` when malformed. */
export interface ProxyResponseInput {
  readonly result: unknown
  /** The request's Accept header (binary decision). */
  readonly accept: string | null
  readonly binaryMediaTypes: readonly string[]
}

const V1_KEYS = new Set(['statusCode', 'headers', 'multiValueHeaders', 'body', 'isBase64Encoded'])

function statusOf(v: unknown): number | undefined {
  if (v === undefined) return 200
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{3}$/.test(v.trim()) ? Number(v.trim()) : NaN
  return Number.isInteger(n) && n >= 100 && n <= 599 ? n : undefined
}

const headerValue = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined)

const SAFE_VALUE = /^[^\r\n\0]*$/
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

function finishBody(body: unknown, base64: boolean, headers: Record<string, string>, input: ProxyResponseInput): string | Uint8Array | undefined {
  if (body === undefined || body === null) return ''
  if (typeof body !== 'string') return undefined
  if (base64 && isBinaryType(input.accept ?? headers['content-type'], input.binaryMediaTypes)) return Buffer.from(body, 'base64')
  return body
}

/**
 * Payload 1.0 contract: an object with only `statusCode`, `headers`, `multiValueHeaders`, `body`,
 * `isBase64Encoded`; anything else is malformed (`undefined` → 502).
 */
export function proxyResponseV1(input: ProxyResponseInput): GatewayResponse | undefined {
  const r = input.result
  if (r === null || typeof r !== 'object' || Array.isArray(r)) return undefined
  for (const k of Object.keys(r)) if (!V1_KEYS.has(k)) return undefined
  const o = r as Record<string, unknown>
  const status = statusOf(o['statusCode'])
  if (status === undefined) return undefined
  const headers: Record<string, string> = {}
  const cookies: string[] = []
  const single = o['headers']
  const multi = o['multiValueHeaders']
  if (multi !== undefined && multi !== null) {
    if (typeof multi !== 'object' || Array.isArray(multi)) return undefined
    for (const [k, vs] of Object.entries(multi)) {
      if (!Array.isArray(vs)) return undefined
      const name = k.toLowerCase()
      if (!TOKEN.test(name)) return undefined
      const values: string[] = []
      for (const v of vs) {
        const s = headerValue(v)
        if (s === undefined || !SAFE_VALUE.test(s)) return undefined
        values.push(s)
      }
      if (name === 'set-cookie') cookies.push(...values)
      else if (values.length > 0) put(headers, name, values.join(', '))
    }
  }
  const ok = eachHeader(single, (name, s) => {
    if (name === 'set-cookie') cookies.push(s)
    else put(headers, name, has(headers, name) ? `${headers[name] as string}, ${s}` : s)
  })
  if (!ok) return undefined
  // base64 is decoded only when the client accepts a binary media type
  return finishResponse(o, status, headers, cookies, () => input)
}

/**
 * Payload 2.0 contract: an object with `statusCode` is a structured response; any other JSON
 * value is the body of a 200 `application/json` response (a string verbatim).
 */
export function proxyResponseV2(input: ProxyResponseInput): GatewayResponse | undefined {
  const r = input.result
  if (r === null || typeof r !== 'object' || Array.isArray(r) || !has(r, 'statusCode')) {
    if (r === undefined) return { status: 200, headers: { 'content-type': 'application/json' }, body: '' }
    const body = typeof r === 'string' ? r : JSON.stringify(r)
    return { status: 200, headers: { 'content-type': 'application/json' }, body }
  }
  const o = r as Record<string, unknown>
  const status = statusOf(o['statusCode'])
  if (status === undefined) return undefined
  const headers: Record<string, string> = {}
  if (!eachHeader(o['headers'], (name, s) => put(headers, name, s))) return undefined
  const cookies: string[] = []
  const c = o['cookies']
  if (c !== undefined && c !== null) {
    if (!Array.isArray(c)) return undefined
    for (const v of c) {
      if (typeof v !== 'string' || !SAFE_VALUE.test(v)) return undefined
      cookies.push(v)
    }
  }
  // HTTP APIs decode base64 whatever the client accepts
  return finishResponse(o, status, headers, cookies, (b64) => (b64 ? { ...input, binaryMediaTypes: ['*/*'] } : input))
}

/** Walks a proxy response's `headers` map; false when it is malformed (not an object, a bad name or value). */
function eachHeader(single: unknown, visit: (name: string, value: string) => void): boolean {
  if (single === undefined || single === null) return true
  if (typeof single !== 'object' || Array.isArray(single)) return false
  for (const [k, v] of Object.entries(single)) {
    const s = headerValue(v)
    const name = k.toLowerCase()
    if (s === undefined || !TOKEN.test(name) || !SAFE_VALUE.test(s)) return false
    visit(name, s)
  }
  return true
}

/** The end of both contracts: `isBase64Encoded`, the default content type, the body; `undefined` when malformed. */
function finishResponse(o: Record<string, unknown>, status: number, headers: Record<string, string>, cookies: string[], decoding: (base64: boolean) => ProxyResponseInput): GatewayResponse | undefined {
  const isB64 = o['isBase64Encoded']
  if (isB64 !== undefined && typeof isB64 !== 'boolean') return undefined
  headers['content-type'] ??= 'application/json'
  const body = finishBody(o['body'], isB64 === true, headers, decoding(isB64 === true))
  if (body === undefined) return undefined
  return cookies.length > 0 ? { status, headers, body, cookies } : { status, headers, body }
}
