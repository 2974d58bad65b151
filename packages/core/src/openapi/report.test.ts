import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createApi } from '../api/api.js'
import { isSluiceConfigError } from '../errors.js'
import { importOpenApi, type OpenApiError } from './import.js'
import { lintOpenApi } from './lint.js'
import { parseOpenApiText } from './parse.js'

const LAMBDA = (fn: string): string => `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:${fn}/invocations`
const mock = { type: 'mock', requestTemplates: { 'application/json': '{"statusCode": 200}' }, responses: { default: { statusCode: '200' } } }
const swagger = (extra: Record<string, unknown>): Record<string, unknown> => ({ swagger: '2.0', info: { title: 't', version: '1' }, ...extra })

describe('what import reports', () => {
  it('collects every error, with RFC 6901 pointers, into one ERR_INVALID_OPENAPI', () => {
    const doc = swagger({
      paths: {
        '/s3/{key~name}': { get: { 'x-amazon-apigateway-integration': { type: 'aws', httpMethod: 'GET', uri: 'arn:aws:apigateway:us-east-1:s3:path/bucket/{key}' } } },
        '/vpc': { get: { 'x-amazon-apigateway-integration': { type: 'http_proxy', uri: 'http://internal.example/', connectionType: 'VPC_LINK', connectionId: 'abc' } } },
        '/none': { get: { responses: {} } },
        '/bad-type': { post: { 'x-amazon-apigateway-integration': { type: 'lambda' } } },
        '/timeout': { get: { 'x-amazon-apigateway-integration': { ...mock, timeoutInMillis: 60000 } } },
        '/auth': { get: { security: [{ nope: [] }], 'x-amazon-apigateway-integration': mock } },
        '/validator': { get: { 'x-amazon-apigateway-request-validator': 'missing', 'x-amazon-apigateway-integration': mock } },
        '/regex': { get: { 'x-amazon-apigateway-integration': { ...mock, responses: { '(': { statusCode: '500' } } } } },
        '/redos': { get: { 'x-amazon-apigateway-integration': { ...mock, responses: { '(a+)+$': { statusCode: '500' } } } } },
        '/ref': { post: { parameters: [{ in: 'body', name: 'b', schema: { $ref: '#/definitions/Nope' } }], 'x-amazon-apigateway-integration': mock } },
        '/trace': { trace: {}, get: { 'x-amazon-apigateway-integration': mock } },
      },
    })
    let error: OpenApiError | undefined
    try {
      importOpenApi(doc)
    } catch (e) {
      if (isSluiceConfigError(e)) error = e as OpenApiError
    }
    expect(error?.code).toBe('ERR_INVALID_OPENAPI')
    const pointers = error?.issues.map((i) => i.pointer)
    expect(pointers).toEqual([
      '/paths/~1s3~1{key~0name}/get/x-amazon-apigateway-integration/uri',
      '/paths/~1vpc/get/x-amazon-apigateway-integration/connectionType',
      '/paths/~1none/get',
      '/paths/~1bad-type/post/x-amazon-apigateway-integration/type',
      '/paths/~1timeout/get/x-amazon-apigateway-integration/timeoutInMillis',
      '/paths/~1auth/get/security/0/nope',
      '/paths/~1validator/get/x-amazon-apigateway-request-validator',
      '/paths/~1regex/get/x-amazon-apigateway-integration/responses/(',
      '/paths/~1redos/get/x-amazon-apigateway-integration/responses/(a+)+$',
      '/paths/~1ref/post/parameters/0/schema/$ref',
      '/paths/~1trace/trace',
    ])
    expect(error?.issues.every((i) => i.severity === 'error')).toBe(true)
    expect(error?.option).toBe(pointers?.[0])
    expect(error?.message).toContain('11 problems')
    expect(error?.issues[0]?.message).toContain('AWS service integration (s3)')
    // lint lists the same errors without throwing
    expect(lintOpenApi(doc).filter((d) => d.severity === 'error').map((d) => d.pointer)).toEqual(pointers)
  })

  it('warns (and never silently drops) what it ignores; strict turns warnings into errors', () => {
    const doc = swagger({
      basePath: '/prod',
      security: [{ api_key: [] }],
      'x-amazon-apigateway-endpoint-configuration': { disableExecuteApiEndpoint: true },
      'x-amazon-apigateway-made-up': 1,
      'x-vendor-other': { fine: true },
      paths: {
        '/a': {
          get: {
            parameters: [{ name: 'f', in: 'formData', type: 'string' }],
            'x-amazon-apigateway-unknown-thing': true,
            'x-amazon-apigateway-integration': {
              ...mock,
              credentials: 'arn:aws:iam::123456789012:role/r',
              surprise: 1,
              requestParameters: { 'overwrite:header.x-a': '$request.header.b', 'integration.request.header.x-c': '$request.header.d', 'integration.request.header.x-e': "'static'" },
            },
          },
        },
      },
    })
    const { warnings } = importOpenApi(doc)
    expect(warnings.map((w) => w.pointer)).toEqual([
      '/x-amazon-apigateway-made-up',
      '/x-amazon-apigateway-endpoint-configuration',
      '/basePath',
      '/security',
      '/paths/~1a/get/x-amazon-apigateway-unknown-thing',
      '/paths/~1a/get/x-amazon-apigateway-integration/surprise',
      '/paths/~1a/get/x-amazon-apigateway-integration/requestParameters/overwrite:header.x-a',
      '/paths/~1a/get/x-amazon-apigateway-integration/requestParameters/integration.request.header.x-c',
      '/paths/~1a/get/x-amazon-apigateway-integration/credentials',
      '/paths/~1a/get/parameters/0',
    ])
    expect(() => importOpenApi(doc, { strict: true })).toThrow(/10 problems/)
  })

  it('rejects what is not an OpenAPI document', () => {
    for (const bad of [null, 42, 'x', [], {}, { swagger: '3.0' }, { openapi: '2.0' }]) {
      const d = lintOpenApi(bad)
      expect(d.length).toBeGreaterThan(0)
      expect(d.some((x) => x.severity === 'error')).toBe(true)
      expect(() => importOpenApi(bad)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPENAPI' }))
    }
    for (const options of [{ nope: 1 }, { protocol: 'WS' }, { strict: 'yes' }, { keepQualifier: 1 }, { rewriteUri: { a: 1 } }]) {
      expect(() => importOpenApi({}, options as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION' }))
    }
  })

  it('reads YAML-style numeric versions, with a warning', () => {
    const paths = { '/a': { get: { 'x-amazon-apigateway-integration': mock } } }
    expect(importOpenApi({ swagger: 2, paths }).warnings).toEqual([{ pointer: '/swagger', message: "is the number 2: write the string '2.0'", severity: 'warning' }])
    expect(importOpenApi({ openapi: 3.1, paths }).warnings.map((w) => w.pointer)).toEqual(['/openapi'])
    expect(lintOpenApi({ openapi: 4, paths }).map((d) => d.severity)).toEqual(['error'])
  })

  it('lint takes the import options', () => {
    const doc = swagger({ paths: { '/a': { get: { 'x-amazon-apigateway-integration': { type: 'http_proxy', uri: 'https://api.example/a' } } } } })
    expect(lintOpenApi(doc, { rewriteUri: { 'https://api.example': 'ftp://x' } }).map((d) => d.pointer)).toEqual(['/paths/~1a/get/x-amazon-apigateway-integration/uri'])
    expect(lintOpenApi(doc, null as never)).toEqual([])
  })

  it('parseOpenApiText reads JSON objects only', () => {
    expect(parseOpenApiText('{"swagger":"2.0"}')).toEqual({ swagger: '2.0' })
    expect(parseOpenApiText('\uFEFF{"swagger":"2.0"}')).toEqual({ swagger: '2.0' })
    expect(() => parseOpenApiText('swagger: "2.0"')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPENAPI' }))
    expect(() => parseOpenApiText('[1]')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPENAPI' }))
  })
})

describe('prototype-named keys', () => {
  const NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty']

  it('as path parts, parameter names, model names, template keys and extension keys: data, never the prototype', () => {
    const text = JSON.stringify(
      swagger({
        'x-amazon-apigateway-request-validators': { ['__proto__']: { validateRequestParameters: true }, constructor: { validateRequestBody: true } },
        'x-amazon-apigateway-__proto__': { polluted: true },
        paths: {
          '/__proto__/{constructor}': {
            get: {
              'x-amazon-apigateway-request-validator': '__proto__',
              parameters: NAMES.flatMap((n) => [
                { name: n, in: 'query', required: true, type: 'string' },
                { name: n, in: 'header', type: 'string' },
              ]).concat([{ name: 'constructor', in: 'path', required: true, type: 'string' }]),
              'x-amazon-apigateway-integration': {
                type: 'mock',
                requestTemplates: { ['__proto__']: '{"statusCode": 200}', constructor: '{"statusCode": 200}' },
                requestParameters: { 'integration.request.header.__proto__': 'method.request.querystring.__proto__' },
                responses: { default: { statusCode: '200', responseTemplates: { ['__proto__']: 'x' } } },
              },
            },
            post: { 'x-amazon-apigateway-request-validator': 'constructor', parameters: [{ in: 'body', name: 'b', schema: { $ref: '#/definitions/constructor' } }], 'x-amazon-apigateway-integration': mock },
          },
        },
        definitions: { constructor: { type: 'object', properties: { ['__proto__']: { type: 'string' }, constructor: { type: 'number' } }, required: ['__proto__'] } },
      }),
    )
    const { definition, warnings } = importOpenApi(parseOpenApiText(text))
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
    expect(Object.prototype).not.toHaveProperty('validateRequestParameters')
    expect(warnings.map((w) => w.pointer)).toEqual(['/x-amazon-apigateway-__proto__'])
    const gr = lintOpenApi(JSON.parse('{"swagger":"2.0","paths":{"/a":{"get":{"x-amazon-apigateway-integration":{"type":"mock"}}}},"x-amazon-apigateway-gateway-responses":{"__proto__":{"statusCode":400}}}'))
    expect(gr.filter((d) => d.severity === 'error')).toEqual([{ pointer: '/x-amazon-apigateway-gateway-responses/__proto__', message: expect.stringContaining('unknown gateway response type'), severity: 'error' }])
    const get = definition.paths?.['/__proto__/{constructor}']?.GET
    expect(Object.keys(get?.requestParameters ?? {})).toContain('method.request.querystring.__proto__')
    expect(Object.keys(get?.requestParameters ?? {})).toContain('method.request.header.constructor')
    expect(get?.requestParameters?.['method.request.path.constructor']).toBe(true)
    expect(Object.keys(get?.integration.requestTemplates ?? {})).toEqual(['__proto__', 'constructor'])
    expect(Object.keys(definition.requestValidators ?? {})).toEqual(['__proto__', 'constructor'])
    expect(get?.requestValidator).toBe('__proto__')
    expect(Object.keys(definition.models ?? {})).toEqual(['constructor'])
    expect(Object.keys((definition.models?.['constructor']?.['properties'] as object) ?? {})).toEqual(['__proto__', 'constructor'])
    expect(definition.paths?.['/__proto__/{constructor}']?.POST?.requestModels).toEqual({ 'application/json': 'constructor' })
  })
})

describe('lintOpenApi', () => {
  it('never throws, whatever the input', () => {
    const key = fc.constantFrom('swagger', 'openapi', 'paths', 'get', 'x-amazon-apigateway-integration', 'type', 'uri', '__proto__', 'constructor', '$ref', 'responses', 'parameters', 'definitions', 'components', 'securitySchemes', 'security', 'x-amazon-apigateway-authorizer', '/a', '/{p+}', 'in', 'name', 'schema')
    const leaf = fc.oneof(fc.constantFrom('2.0', '3.0.1', 'mock', 'aws_proxy', 'http', '#/definitions/A', '#/x', LAMBDA('f'), 'header', 'body', 'query', '/a'), fc.string(), fc.integer(), fc.boolean(), fc.constant(null))
    const value = fc.letrec((tie) => ({ node: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(key, tie('node'), { maxKeys: 4 })) })).node
    fc.assert(
      fc.property(value, (doc) => {
        const out = lintOpenApi(doc)
        expect(Array.isArray(out)).toBe(true)
        for (const d of out) expect(typeof d.pointer === 'string' && (d.severity === 'error' || d.severity === 'warning')).toBe(true)
        // plain JSON never trips the converter itself (lint's catch-all is for hostile objects)
        expect(out.filter((d) => d.message.startsWith('cannot be read'))).toEqual([])
        // and import agrees: it returns, or throws ERR_INVALID_OPENAPI, nothing else
        try {
          importOpenApi(doc)
        } catch (e) {
          expect(isSluiceConfigError(e) && e.code).toBe('ERR_INVALID_OPENAPI')
        }
      }),
      { numRuns: 400 },
    )
    const cyclic: Record<string, unknown> = { swagger: '2.0', paths: { '/a': { get: {} } } }
    ;((cyclic['paths'] as Record<string, Record<string, Record<string, unknown>>>)['/a'] as Record<string, Record<string, unknown>>)['get'] = { 'x-amazon-apigateway-integration': cyclic }
    expect(() => lintOpenApi(cyclic)).not.toThrow()
    const hostile = new Proxy({}, { ownKeys: () => { throw new Error('no keys') } })
    expect(lintOpenApi(hostile)[0]?.severity).toBe('error')
  })

  it('structured documents: lint and import agree, and nothing but ERR_INVALID_OPENAPI is thrown', () => {
    const anyValue = fc.oneof(fc.string({ maxLength: 8 }), fc.integer({ min: -1, max: 70000 }), fc.boolean(), fc.constant(null), fc.constant([]), fc.constant({}))
    const pick = <T>(xs: readonly T[]) => fc.constantFrom(...xs)
    const integration = fc.record(
      {
        type: fc.oneof(pick(['mock', 'aws_proxy', 'aws', 'http', 'http_proxy', 'MOCK', 'next', 'lambda']), anyValue),
        uri: fc.oneof(pick([LAMBDA('f'), LAMBDA('${stageVariables.fn}'), 'arn:aws:lambda:us-east-1:1:function:g:live', 'https://x.example/{id}', 'arn:aws:apigateway:us-east-1:s3:path/b', '${stageVariables.u}/a']), anyValue),
        httpMethod: fc.oneof(pick(['GET', 'POST', 'ANY']), anyValue),
        requestTemplates: fc.oneof(fc.dictionary(pick(['application/json', '__proto__', 'text/plain']), fc.oneof(pick(['{"statusCode": 200}', '#set($x = 1)', '#if(']), anyValue), { maxKeys: 2 }), anyValue),
        requestParameters: fc.oneof(fc.dictionary(pick(['integration.request.path.id', 'integration.request.header.x', 'overwrite:path', 'constructor']), fc.oneof(pick(["'s'", 'method.request.path.id', '$request.body']), anyValue), { maxKeys: 2 }), anyValue),
        responses: fc.oneof(fc.dictionary(pick(['default', '4\\d{2}', '(', '(a+)+', '__proto__']), fc.oneof(fc.record({ statusCode: fc.oneof(pick(['200', '404', '99']), anyValue) }, { requiredKeys: [] }), anyValue), { maxKeys: 2 }), anyValue),
        passthroughBehavior: fc.oneof(pick(['when_no_match', 'never', 'sometimes']), anyValue),
        timeoutInMillis: anyValue,
        payloadFormatVersion: fc.oneof(pick(['1.0', '2.0']), anyValue),
        connectionType: fc.oneof(pick(['INTERNET', 'VPC_LINK']), anyValue),
        tlsConfig: anyValue,
        cacheKeyParameters: fc.oneof(fc.array(fc.string({ maxLength: 4 }), { maxLength: 2 }), anyValue),
      },
      { requiredKeys: [] },
    )
    const operation = fc.record(
      {
        'x-amazon-apigateway-integration': fc.oneof(integration, fc.constant({ $ref: '#/components/x-amazon-apigateway-integrations/i' }), anyValue),
        parameters: fc.oneof(fc.array(fc.record({ name: fc.oneof(pick(['id', '__proto__', 'constructor']), anyValue), in: fc.oneof(pick(['path', 'query', 'header', 'body', 'cookie']), anyValue), required: anyValue, schema: fc.oneof(fc.constant({ $ref: '#/definitions/A' }), fc.constant({ $ref: '#/components/schemas/A' }), anyValue) }, { requiredKeys: [] }), { maxLength: 3 }), anyValue),
        requestBody: fc.oneof(fc.constant({ content: { 'application/json': { schema: { $ref: '#/components/schemas/A' } } } }), anyValue),
        responses: fc.oneof(fc.dictionary(pick(['200', 'default', '2XX']), fc.oneof(fc.constant({ description: 'd', headers: { h: { type: 'string' } }, schema: { $ref: '#/definitions/A' } }), anyValue), { maxKeys: 2 }), anyValue),
        security: fc.oneof(fc.array(fc.dictionary(pick(['api_key', 'auth', 'jwt', 'nope']), fc.oneof(fc.constant([]), fc.constant(['s']), anyValue), { maxKeys: 2 }), { maxLength: 2 }), anyValue),
        'x-amazon-apigateway-request-validator': fc.oneof(pick(['all', 'nope']), anyValue),
        isDefaultRoute: anyValue,
      },
      { requiredKeys: [] },
    )
    const doc = fc.record(
      {
        swagger: fc.oneof(fc.constant('2.0'), anyValue),
        openapi: fc.oneof(pick(['3.0.1', '3.1.0']), anyValue),
        paths: fc.oneof(fc.dictionary(pick(['/', '/a/{id}', '/{proxy+}', '/$default', '/__proto__', 'nope', '/{a+}/b']), fc.dictionary(pick(['get', 'post', 'x-amazon-apigateway-any-method', 'trace', 'parameters']), operation, { maxKeys: 3 }), { maxKeys: 3 }), anyValue),
        definitions: fc.oneof(fc.constant({ A: { type: 'object', properties: { b: { $ref: '#/definitions/A' } } } }), fc.constant({ 'bad-name': {} }), anyValue),
        components: fc.oneof(
          fc.constant({ schemas: { A: { type: 'object' } }, securitySchemes: { jwt: { type: 'oauth2', 'x-amazon-apigateway-authorizer': { type: 'jwt', jwtConfiguration: { issuer: 'i', audience: ['a'] } } } }, 'x-amazon-apigateway-integrations': { i: { type: 'mock' } } }),
          anyValue,
        ),
        securityDefinitions: fc.oneof(fc.constant({ api_key: { type: 'apiKey', name: 'x-api-key', in: 'header' }, auth: { type: 'apiKey', name: 'A', in: 'header', 'x-amazon-apigateway-authorizer': { type: 'token', authorizerUri: LAMBDA('a') } } }), anyValue),
        'x-amazon-apigateway-request-validators': fc.oneof(fc.constant({ all: { validateRequestBody: true } }), anyValue),
        'x-amazon-apigateway-gateway-responses': fc.oneof(fc.constant({ DEFAULT_4XX: { statusCode: '400' } }), anyValue),
        'x-amazon-apigateway-binary-media-types': anyValue,
        'x-amazon-apigateway-cors': anyValue,
        'x-amazon-apigateway-policy': anyValue,
        'x-amazon-apigateway-api-key-source': fc.oneof(pick(['HEADER', 'AUTHORIZER']), anyValue),
      },
      { requiredKeys: [] },
    )
    fc.assert(
      fc.property(doc, (d) => {
        const out = lintOpenApi(d)
        expect(out.filter((x) => x.message.startsWith('cannot be read'))).toEqual([])
        let threw = false
        try {
          importOpenApi(d)
        } catch (e) {
          threw = true
          expect(isSluiceConfigError(e) && e.code).toBe('ERR_INVALID_OPENAPI')
        }
        expect(threw).toBe(out.some((x) => x.severity === 'error'))
      }),
      { numRuns: Number(process.env['OPENAPI_FUZZ_RUNS'] ?? 300) },
    )
  })

  it('a document that lints clean imports and compiles', () => {
    const doc = swagger({ paths: { '/a': { get: { 'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', uri: LAMBDA('f') } } } } })
    expect(lintOpenApi(doc)).toEqual([])
    expect(() => createApi(importOpenApi(doc).definition, { integrations: { f: async () => ({}) } })).not.toThrow()
  })
})
