import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createGateway } from '../gateway.js'
import { isSluiceConfigError } from '../errors.js'
import { simulate } from '../testing/simulate.js'
import { GatewayResponses } from '../responses.js'
import { ModelSet } from './models.js'
import { requestValidationStep, validationConfig } from './validate.js'

const pet = {
  $schema: 'http://json-schema.org/draft-04/schema#',
  type: 'object',
  required: ['name', 'price'],
  properties: { name: { type: 'string', minLength: 1 }, price: { type: 'number', minimum: 0, exclusiveMinimum: true } },
}

const configError = (fn: () => unknown): { code: string; option: string } => {
  try {
    fn()
  } catch (e) {
    if (isSluiceConfigError(e)) return { code: e.code, option: e.option }
    throw e
  }
  throw new Error('did not throw')
}

describe('parameters', () => {
  const gw = createGateway()
  const step = gw.validate({
    parameters: { querystring: ['qs1', 'a'], header: ['X-Header-Param'], path: ['issuer'] },
  })

  it('lets a request with every required parameter through', async () => {
    const r = await simulate(step, { url: '/x?qs1=1&a=2', headers: { 'x-header-param': 'v' }, params: { issuer: 'me' } })
    expect(r.handled).toBe(true)
    expect(r.trace).toEqual([{ feature: 'validate', decision: 'allow' }])
  })

  it('lists missing parameters ordered by full expression: header, path, querystring', async () => {
    const r = await simulate(step, { url: '/x' })
    expect(r.response.status).toBe(400)
    expect(r.response.headers['x-amzn-errortype']).toBe('BadRequestException')
    expect(r.response.body).toBe('{"message":"Missing required request parameters: [X-Header-Param, issuer, a, qs1]"}')
    expect(r.context.error?.responseType).toBe('BAD_REQUEST_PARAMETERS')
    expect(r.context.error?.validationErrorString).toBe('Missing required request parameters: [X-Header-Param, issuer, a, qs1]')
  })

  it('treats blank values as missing (?q1=, whitespace, empty header)', async () => {
    const r = await simulate(step, { url: '/x?qs1=&a=%20', headers: { 'x-header-param': '  ' }, params: { issuer: '' } })
    expect(r.response.body).toBe('{"message":"Missing required request parameters: [X-Header-Param, issuer, a, qs1]"}')
  })

  it('reads the last value of a repeated query parameter', async () => {
    const ok = await simulate(step, { url: '/x?qs1=&qs1=1&a=1', headers: { 'x-header-param': 'v' }, params: { issuer: 'i' } })
    expect(ok.handled).toBe(true)
    const bad = await simulate(step, { url: '/x?qs1=1&qs1=&a=1', headers: { 'x-header-param': 'v' }, params: { issuer: 'i' } })
    expect(bad.response.body).toBe('{"message":"Missing required request parameters: [qs1]"}')
  })

  it("accepts API Gateway's requestParameters form; false means optional", async () => {
    const s = gw.validate({ requestParameters: { 'method.request.querystring.q1': true, 'method.request.header.h': false } })
    expect((await simulate(s, { url: '/' })).response.body).toBe('{"message":"Missing required request parameters: [q1]"}')
    expect((await simulate(s, { url: '/?q1=x' })).handled).toBe(true)
  })

  it('skips parameters when the validator validates only the body', async () => {
    const s = gw.validate({ parameters: { querystring: ['q'] }, validator: 'body' })
    expect((await simulate(s, { url: '/' })).handled).toBe(true)
  })

  it('renders through the gateway-responses table', async () => {
    const custom = createGateway({
      gatewayResponses: { BAD_REQUEST_PARAMETERS: { statusCode: 422, responseTemplates: { 'application/json': '{"error":"$context.error.validationErrorString"}' } } },
    })
    const r = await simulate(custom.validate({ parameters: { querystring: ['q'] } }), { url: '/' })
    expect(r.response.status).toBe(422)
    expect(r.response.body).toBe('{"error":"Missing required request parameters: [q]"}')
  })
})

describe('body', () => {
  const gw = createGateway()
  const step = gw.validate({ body: { 'application/json': pet } })
  const post = (body: string, contentType: string | null = 'application/json') =>
    simulate(step, { method: 'POST', url: '/pets', body, headers: contentType === null ? {} : { 'content-type': contentType } })

  it('lets a valid body through and traces the model', async () => {
    const r = await post('{"name":"rex","price":1}')
    expect(r.handled).toBe(true)
    expect(r.trace[0]).toEqual({ feature: 'validate', decision: 'allow', detail: { model: null, contentType: 'application/json' } })
  })

  it('answers 400 BAD_REQUEST_BODY with the details in validationErrorString (draft-04)', async () => {
    const r = await post('{"name":"rex"}')
    expect(r.response.status).toBe(400)
    expect(r.response.body).toBe('{"message":"Invalid request body"}')
    expect(r.context.error?.validationErrorString).toBe('[object has missing required properties (["price"])]')
    const zero = await post('{"name":"rex","price":0}')
    expect(zero.context.error?.validationErrorString).toBe('[numeric instance is not strictly greater than the required minimum 0]')
    const type = await post('{"name":5,"price":1}')
    expect(type.context.error?.validationErrorString).toBe('[instance type (integer) does not match any allowed primitive type (allowed: ["string"])]')
  })

  it('answers BAD_REQUEST_BODY for a body that is not JSON, never a crash', async () => {
    for (const body of ['{', 'not json', '{"name":"a",}', '\u0000']) {
      const r = await post(body)
      expect(r.response.status).toBe(400)
      expect(r.context.error?.validationErrorString).toBe('[the request body is not valid JSON]')
    }
  })

  it('validates an empty body as {}', async () => {
    const r = await post('')
    expect(r.context.error?.validationErrorString).toBe('[object has missing required properties (["name","price"])]')
    const empty = await simulate(gw.validate({ body: { 'application/json': 'Empty' } }), { method: 'POST', url: '/' })
    expect(empty.handled).toBe(true)
  })

  it('reads a missing Content-Type as application/json', async () => {
    expect((await post('{}', null)).response.status).toBe(400)
  })

  it('matches the media type case-insensitively and without parameters', async () => {
    for (const ct of ['APPLICATION/JSON', 'Application/Json; charset=UTF-8', 'application/json;charset="utf-8"', 'application/json ; q=1']) {
      const r = await post('{}', ct)
      expect(r.response.status, ct).toBe(400)
      expect(r.context.error?.responseType, ct).toBe('BAD_REQUEST_BODY')
    }
  })

  it('never skips validation for a Content-Type that only looks like JSON', async () => {
    for (const ct of ['application/json\tx', 'application/json x', 'application/json, text/plain', 'application/json;', 'application/json;charset', 'application/ json', ' application/json\u000b', 'application/json;a="unterminated']) {
      const r = await post('{}', ct)
      expect(r.response.status, JSON.stringify(ct)).toBe(400)
      expect(r.handled, JSON.stringify(ct)).toBe(false)
    }
  })

  it('skips a content type without a model (API Gateway), or rejects it when asked', async () => {
    const r = await post('not json', 'text/plain')
    expect(r.handled).toBe(true)
    expect(r.trace[0]).toEqual({ feature: 'validate', decision: 'skip', reason: 'no-model', detail: { contentType: 'text/plain' } })
    const strict = gw.validate({ body: { 'application/json': pet }, unmatchedContentType: 'reject' })
    const s = await simulate(strict, { method: 'POST', url: '/', body: 'x', headers: { 'content-type': 'text/plain' } })
    expect(s.response.status).toBe(400)
    expect(s.context.error?.validationErrorString).toBe('[no model for content type "text/plain"]')
  })

  it('uses the $default model for other content types; a bare schema is $default', async () => {
    const bare = gw.validate({ body: pet })
    const r = await simulate(bare, { method: 'POST', url: '/', body: '{"name":"a"}', headers: { 'content-type': 'text/plain' } })
    expect(r.response.status).toBe(400)
    const map = gw.validate({ body: { 'application/xml': 'Empty', $default: pet } })
    expect((await simulate(map, { method: 'POST', url: '/', body: '[]', headers: { 'content-type': 'application/xml' } })).response.status).toBe(400)
    expect((await simulate(map, { method: 'POST', url: '/', body: '{"name":"a","price":2}', headers: { 'content-type': 'text/csv' } })).handled).toBe(true)
  })

  it('checks parameters before the body', async () => {
    const both = gw.validate({ body: pet, parameters: { querystring: ['q'] } })
    const r = await simulate(both, { method: 'POST', url: '/', body: '{' })
    expect(r.context.error?.responseType).toBe('BAD_REQUEST_PARAMETERS')
  })

  it('bounds the body: a declared or actual size over maxBodyBytes is 413 REQUEST_TOO_LARGE', async () => {
    const small = gw.validate({ body: pet, maxBodyBytes: 16 })
    const declared = await simulate(small, { method: 'POST', url: '/', body: '{}', headers: { 'content-length': '17' } })
    expect(declared.response.status).toBe(413)
    const actual = await simulate(small, { method: 'POST', url: '/', body: '{"name":"a","price":1}' })
    expect(actual.response.status).toBe(413)
    const multibyte = await simulate(small, { method: 'POST', url: '/', body: '{"name":"ééééééé"}' })
    expect(multibyte.response.status).toBe(413)
  })

  it("reads the body through the request's readers: the parsed value, or the text for an exact bound or an empty body", async () => {
    const calls: string[] = []
    const reader = (body: string) => ({
      method: 'POST',
      url: 'http://h/',
      headers: new Headers({ 'content-type': 'application/json' }),
      text: () => (calls.push('text'), Promise.resolve(body)),
      json: () => (calls.push('json'), body === '' ? Promise.reject(new SyntaxError('empty')) : Promise.resolve(JSON.parse(body) as unknown)),
      arrayBuffer: () => (calls.push('arrayBuffer'), Promise.resolve(new ArrayBuffer(0))),
    })
    const r = await simulate([step, gw.validate({ body: { 'application/json': pet } })], reader('{"name":"a","price":1}'))
    expect(r.handled).toBe(true)
    expect(calls).toEqual(['json', 'json']) // one per step: the request memoises (the adapters' readers do)
    calls.length = 0
    const empty = await simulate(step, reader(''))
    expect(empty.context.error?.validationErrorString).toBe('[object has missing required properties (["name","price"])]')
    expect(calls).toEqual(['json', 'text'])
    calls.length = 0
    await simulate(gw.validate({ body: pet, maxBodyBytes: 1000 }), reader('{}'))
    expect(calls).toEqual(['text'])
  })

  it('answers 413 when the reader refuses a body over its bound', async () => {
    const request = {
      method: 'POST',
      url: 'http://h/',
      headers: new Headers({ 'content-type': 'application/json' }),
      text: () => Promise.reject(new RangeError('too large')),
      json: () => Promise.reject(new RangeError('too large')),
      arrayBuffer: () => Promise.reject(new RangeError('too large')),
    }
    const r = await simulate(step, request)
    expect(r.response.status).toBe(413)
    expect(r.context.error?.responseType).toBe('REQUEST_TOO_LARGE')
  })

  it('does not let __proto__ keys in the body reach any prototype', async () => {
    const loose = gw.validate({ body: { type: 'object', properties: { a: { type: 'string' } } } })
    const r = await simulate(loose, { method: 'POST', url: '/', body: '{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}' })
    expect(r.handled).toBe(true)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})

describe('drafts and models', () => {
  const gw = createGateway()

  it('validates 2020-12 schemas by their $schema', async () => {
    const s = gw.validate({ body: { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: { n: { type: 'integer', exclusiveMinimum: 3 } } } })
    expect((await simulate(s, { method: 'POST', url: '/', body: '{"n":4}' })).handled).toBe(true)
    const r = await simulate(s, { method: 'POST', url: '/', body: '{"n":3}' })
    expect(r.context.error?.validationErrorString).toBe('[numeric instance is not strictly greater than the required minimum 3]')
  })

  it('uses the draft option for schemas without $schema', async () => {
    const s = gw.validate({ draft: '2020-12', body: { type: 'integer', exclusiveMinimum: 3 } })
    expect((await simulate(s, { method: 'POST', url: '/', body: '3' })).response.status).toBe(400)
    // the same schema is invalid draft-04 (exclusiveMinimum is a boolean there)
    expect(configError(() => gw.validate({ body: { type: 'integer', exclusiveMinimum: 3 } })).code).toBe('ERR_INVALID_MODEL')
  })

  it('resolves references between models by name and by API Gateway model address', async () => {
    const s = gw.validate({
      models: {
        Pet: pet,
        Order: { type: 'object', required: ['pet'], properties: { pet: { $ref: 'https://apigateway.amazonaws.com/restapis/a1b2c3/models/Pet' } } },
        Pets: { type: 'array', items: { $ref: 'Pet' } },
      },
      body: { 'application/json': 'Order', 'application/vnd.pets+json': 'Pets' },
    })
    expect((await simulate(s, { method: 'POST', url: '/', body: '{"pet":{"name":"a","price":1}}' })).handled).toBe(true)
    const r = await simulate(s, { method: 'POST', url: '/', body: '{"pet":{"name":"a"}}' })
    expect(r.context.error?.validationErrorString).toBe('[object has missing required properties (["price"])]')
    const list = await simulate(s, { method: 'POST', url: '/', body: '[{"name":"a","price":-1}]', headers: { 'content-type': 'application/vnd.pets+json' } })
    expect(list.context.error?.validationErrorString).toBe('[numeric instance is not strictly greater than the required minimum 0]')
  })

  it('has the built-in Empty and Error models', () => {
    const m = new ModelSet()
    expect(m.names()).toEqual(['Empty', 'Error'])
    expect(m.get('Empty')?.validate([])).toEqual({ valid: false, errors: '[instance type (array) does not match any allowed primitive type (allowed: ["object"])]' })
    expect(m.get('Error')?.validate({ message: 1 }).valid).toBe(false)
  })

  it('formats the common keywords in the validator words', () => {
    const m = new ModelSet()
    const v = (schema: Record<string, unknown>, value: unknown): string => {
      const r = m.compile(schema, 't').validate(value)
      return r.valid ? 'valid' : r.errors
    }
    expect(v({ maxLength: 2 }, 'abc')).toBe('[string "abc" is too long (length: 3, maximum allowed: 2)]')
    expect(v({ minLength: 2 }, 'a')).toBe('[string "a" is too short (length: 1, required minimum: 2)]')
    expect(v({ enum: ['a', 'b'] }, 'c')).toBe('[instance value ("c") not found in enum (possible values: ["a","b"])]')
    expect(v({ pattern: '^a' }, 'b')).toBe('[ECMA 262 regex "^a" does not match input string "b"]')
    expect(v({ additionalProperties: false, properties: {} }, { x: 1 })).toBe('[object instance has properties which are not allowed by the schema: ["x"]]')
    expect(v({ maximum: 3 }, 4)).toBe('[numeric instance is greater than the required maximum (maximum: 3, found: 4)]')
    expect(v({ minItems: 2 }, [1])).toBe('[array is too short: must have at least 2 elements but instance has 1 elements]')
    expect(v({ maxItems: 1 }, [1, 2])).toBe('[array is too long: must have at most 1 elements but instance has 2 elements]')
    expect(v({ format: 'email' }, 'x')).toBe('[string "x" is invalid against requested format "email"]')
    expect(v({ type: 'integer' }, 1.5)).toBe('[instance type (number) does not match any allowed primitive type (allowed: ["integer"])]')
  })

  it('ignores keywords API Gateway ignores (example, discriminator, readOnly)', async () => {
    const s = gw.validate({ body: { type: 'object', example: { a: 1 }, discriminator: 'kind', properties: { a: { type: 'string', readOnly: true } } } })
    expect((await simulate(s, { method: 'POST', url: '/', body: '{"a":"x"}' })).handled).toBe(true)
  })
})

describe('configuration', () => {
  const gw = createGateway()

  it('compiles schemas at construction: an invalid schema throws ERR_INVALID_MODEL naming it', () => {
    expect(configError(() => gw.validate({ body: { 'application/json': { type: 'nope' } } }))).toEqual({ code: 'ERR_INVALID_MODEL', option: 'validate().requestModels["application/json"]' })
    expect(configError(() => gw.validate({ models: { Pet: { type: 7 } } })).option).toBe('validate().models.Pet')
    expect(configError(() => gw.validate({ body: { $schema: 'http://example.com/mine', type: 'object' } })).code).toBe('ERR_INVALID_MODEL')
    expect(configError(() => gw.validate({ models: { 'bad-name': {} } })).code).toBe('ERR_INVALID_MODEL')
    expect(configError(() => gw.validate({ body: { $ref: 'Missing' } })).code).toBe('ERR_INVALID_MODEL')
  })

  it('rejects unknown options, model names and parameter expressions', () => {
    expect(configError(() => gw.validate({ bodyy: {} } as never))).toEqual({ code: 'ERR_INVALID_VALIDATION', option: 'validate().bodyy' })
    expect(configError(() => gw.validate({ body: { 'application/json': 'Nope' } })).code).toBe('ERR_INVALID_VALIDATION')
    expect(configError(() => gw.validate({ requestParameters: { 'method.request.body.x': true } })).code).toBe('ERR_INVALID_VALIDATION')
    expect(configError(() => gw.validate({ requestParameters: { 'method.request.header.bad header': true } })).code).toBe('ERR_INVALID_VALIDATION')
    expect(configError(() => gw.validate({ parameters: { cookie: ['a'] } as never })).code).toBe('ERR_INVALID_VALIDATION')
    expect(configError(() => gw.validate({ validator: 'some' as never })).code).toBe('ERR_INVALID_VALIDATION')
    expect(configError(() => gw.validate({ maxBodyBytes: -1 })).code).toBe('ERR_INVALID_VALIDATION')
    expect(configError(() => gw.validate({ unmatchedContentType: 'drop' as never })).code).toBe('ERR_INVALID_VALIDATION')
  })

  it('builds the same step from API Gateway configuration, sharing one ModelSet across methods', async () => {
    const models = new ModelSet({ Pet: pet })
    const responses = new GatewayResponses()
    const post = requestValidationStep({ validator: { validateRequestBody: true, validateRequestParameters: false }, requestModels: { 'application/json': 'Pet' }, models }, responses)
    const get = requestValidationStep({ validator: { validateRequestBody: false, validateRequestParameters: true }, requestParameters: { 'method.request.querystring.q1': true }, models }, responses)
    const own = createGateway()
    const a = await simulate([own.adopt(post)], { method: 'POST', url: '/', body: '{}' })
    expect(a.context.error?.responseType).toBe('BAD_REQUEST_BODY')
    expect(a.trace[0]?.detail).toMatchObject({ model: 'Pet' })
    const b = await simulate([own.adopt(get)], { url: '/' })
    expect(b.context.error?.responseType).toBe('BAD_REQUEST_PARAMETERS')
    expect(configError(() => requestValidationStep({ validator: { validateRequestBody: true } } as never, responses)).code).toBe('ERR_INVALID_VALIDATION')
  })

  it('maps validate() options onto the configuration', () => {
    expect(validationConfig({ body: 'Pet', parameters: { querystring: ['q'] }, validator: 'params' })).toEqual({
      validator: { validateRequestBody: false, validateRequestParameters: true },
      requestParameters: { 'method.request.querystring.q': true },
      requestModels: { $default: 'Pet' },
    })
    expect(validationConfig({ body: {} }).requestModels).toEqual({ $default: {} })
  })
})


describe('hostile input (property)', () => {
  const gw = createGateway()
  const step = gw.validate({ body: { 'application/json': pet, 'text/plain': { type: 'string' } }, parameters: { querystring: ['q'], header: ['x-h'] } })

  it('any body, content type, query and header: a 200, 400 or 413, never a 500 or a throw', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string(), fc.json(), fc.constantFrom('{"__proto__":{"x":1}}', '{"constructor":{"prototype":1}}', '[]', 'null', '1e999', '"\\ud800"')),
        fc.oneof(fc.constantFrom('application/json', 'text/plain', 'application/json\tx', 'APPLICATION/JSON;charset=utf-8', ';', '', 'a/b/c'), fc.string({ maxLength: 20 })),
        fc.oneof(fc.constant('q=1'), fc.string({ maxLength: 12 })),
        fc.oneof(fc.constant('v'), fc.string({ maxLength: 6 })),
        async (body, contentType, query, header) => {
          const headers = { 'content-type': contentType, 'x-h': header }
          try {
            void new Headers(headers)
          } catch {
            return // not a header value a client can send
          }
          const r = await simulate(step, { method: 'POST', url: `/pets?${query}`, headers, body })
          expect([200, 400, 413]).toContain(r.response.status)
          expect(({} as Record<string, unknown>).x).toBeUndefined()
        },
      ),
      { numRuns: 400 },
    )
  })
})
