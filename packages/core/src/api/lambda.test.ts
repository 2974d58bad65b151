import { describe, expect, it } from 'vitest'
import { functionNameFromUri, handlerFunction, invoke, isBinaryType, proxyResponseV1, proxyResponseV2 } from './lambda.js'

const v1 = (result: unknown, accept: string | null = null, binaryMediaTypes: string[] = []) => proxyResponseV1({ result, accept, binaryMediaTypes })
const v2 = (result: unknown, accept: string | null = null, binaryMediaTypes: string[] = []) => proxyResponseV2({ result, accept, binaryMediaTypes })

describe('payload 1.0 response contract (reference 5.2)', () => {
  it.each([
    ['an extra key', { statusCode: 200, body: 'x', extra: 1 }],
    ['a bare string', 'hello'],
    ['null', null],
    ['an array', [1]],
    ['a non-numeric statusCode', { statusCode: 'test' }],
    ['multiValueHeaders values that are not lists', { statusCode: 200, multiValueHeaders: { a: 'b' } }],
    ['a non-string body', { statusCode: 200, body: { a: 1 } }],
    ['a header value with CR/LF', { statusCode: 200, headers: { a: 'x\r\nset-cookie: y' } }],
    ['a header name that is not a token', { statusCode: 200, headers: { 'a b': 'x' } }],
    ['isBase64Encoded not a boolean', { statusCode: 200, isBase64Encoded: 'yes' }],
  ])('%s is malformed (→ 502)', (_, result) => {
    expect(v1(result)).toBeUndefined()
  })

  it('numeric-string status, missing status → 200, missing body → empty, JSON content type by default', () => {
    expect(v1({ statusCode: '201' })).toEqual({ status: 201, headers: { 'content-type': 'application/json' }, body: '' })
    expect(v1({})?.status).toBe(200)
    expect(v1({ headers: null, body: 'x' })?.body).toBe('x')
  })

  it('booleans and numbers become strings; headers and multiValueHeaders merge; set-cookie lines stay apart', () => {
    const r = v1({ statusCode: 200, headers: { 'X-Flag': true, 'X-N': 3, 'X-Both': 'solo', 'Set-Cookie': 'c=3' }, multiValueHeaders: { 'X-Both': ['multi'], 'Set-Cookie': ['a=1', 'b=2'] } })
    expect(r?.headers).toMatchObject({ 'x-flag': 'true', 'x-n': '3', 'x-both': 'multi, solo' })
    expect(r?.cookies).toEqual(['a=1', 'b=2', 'c=3'])
  })

  it('isBase64Encoded is decoded only for a binary media type', () => {
    const body = Buffer.from('bytes').toString('base64')
    expect(v1({ statusCode: 200, body, isBase64Encoded: true }, 'image/png', ['image/*'])?.body).toEqual(Buffer.from('bytes'))
    expect(v1({ statusCode: 200, body, isBase64Encoded: true }, 'application/json', ['image/*'])?.body).toBe(body)
    expect(v1({ statusCode: 200, body, isBase64Encoded: true, headers: { 'content-type': 'image/png' } }, null, ['image/png'])?.body).toEqual(Buffer.from('bytes'))
  })

  it('prototype-named header names round-trip as own properties', () => {
    const r = v1(JSON.parse('{"statusCode":200,"headers":{"__proto__":"x","constructor":"y"}}'))
    expect(Object.keys(r?.headers ?? {})).toEqual(['__proto__', 'constructor', 'content-type'])
    expect(Object.getPrototypeOf(r?.headers)).toBe(Object.prototype)
  })
})

describe('payload 2.0 response contract (reference 5.3)', () => {
  it('infers a 200 JSON response when statusCode is missing', () => {
    expect(v2({ hello: 'world' })).toEqual({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"hello":"world"}' })
    expect(v2('plain text')?.body).toBe('plain text')
    expect(v2([1, 2])?.body).toBe('[1,2]')
    expect(v2(42)?.body).toBe('42')
  })
  it('a structured response: cookies each their own line, base64 decoded when flagged', () => {
    const r = v2({ statusCode: 201, cookies: ['a=1', 'b=2'], headers: { 'X-A': 'b' }, body: Buffer.from('hi').toString('base64'), isBase64Encoded: true })
    expect(r?.status).toBe(201)
    expect(r?.cookies).toEqual(['a=1', 'b=2'])
    expect(r?.body).toEqual(Buffer.from('hi'))
  })
  it('a malformed structured response is refused', () => {
    expect(v2({ statusCode: 'abc' })).toBeUndefined()
    expect(v2({ statusCode: 200, cookies: 'a=1' })).toBeUndefined()
  })
})

describe('invoking handlers', () => {
  const now = (): number => Date.now()
  it('async, callback and module handlers; the first settlement wins', async () => {
    expect(await invoke(async () => 1, {}, 'f', 'id', 1000, now)).toEqual({ ok: true, result: 1 })
    expect(await invoke((_e, _c, cb) => void cb(null, 2), {}, 'f', 'id', 1000, now)).toEqual({ ok: true, result: 2 })
    expect(await invoke((_e, ctx) => void ctx.succeed(3), {}, 'f', 'id', 1000, now)).toEqual({ ok: true, result: 3 })
    const mod = handlerFunction({ handler: async () => 4 })
    expect(mod && (await invoke(mod, {}, 'f', 'id', 1000, now))).toEqual({ ok: true, result: 4 })
    const twice = await invoke((_e, _c, cb) => {
      cb(null, 'first')
      cb(new Error('second'))
    }, {}, 'f', 'id', 1000, now)
    expect(twice).toEqual({ ok: true, result: 'first' })
  })
  it('errors and timeouts are values', async () => {
    const thrown = await invoke(() => {
      throw new Error('sync')
    }, {}, 'f', 'id', 1000, now)
    expect(thrown.ok).toBe(false)
    const rejected = await invoke(async () => Promise.reject(new Error('async')), {}, 'f', 'id', 1000, now)
    expect(rejected.ok).toBe(false)
    const slow = await invoke(() => new Promise(() => undefined), {}, 'f', 'id', 20, now)
    expect(slow).toEqual({ ok: false, timeout: true })
  })
  it('the context carries the function name, request id and remaining time', async () => {
    const out = await invoke(async (_e, ctx) => ({ name: ctx.functionName, id: ctx.awsRequestId, left: ctx.getRemainingTimeInMillis() > 0 }), {}, 'listPets', 'req-1', 1000, now)
    expect(out).toEqual({ ok: true, result: { name: 'listPets', id: 'req-1', left: true } })
  })
})

describe('helpers', () => {
  it('function names from Lambda URIs', () => {
    expect(functionNameFromUri('arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:listPets/invocations')).toBe('listPets')
    expect(functionNameFromUri('arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:listPets:prod/invocations')).toBe('listPets')
    expect(functionNameFromUri('arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:${stageVariables.fn}/invocations')).toBe('${stageVariables.fn}')
    expect(functionNameFromUri('listPets')).toBe('listPets')
    expect(functionNameFromUri('http://x/y')).toBeUndefined()
  })
  it('binary media types', () => {
    expect(isBinaryType('image/png; q=1', ['image/png'])).toBe(true)
    expect(isBinaryType('image/png, text/html', ['image/*'])).toBe(true)
    expect(isBinaryType('text/html', ['*/*'])).toBe(true)
    expect(isBinaryType('text/html', ['image/*'])).toBe(false)
    expect(isBinaryType(null, ['*/*'])).toBe(false)
  })
})
