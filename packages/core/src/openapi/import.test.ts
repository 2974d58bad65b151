import { describe, expect, it } from 'vitest'
import { createApi } from '../api/api.js'
import { isSluiceConfigError } from '../errors.js'
import { importOpenApi, type OpenApiError } from './import.js'
import { lambdaHandlerName } from './integration.js'
import type { OpenApiDiagnostic } from './types.js'

const LAMBDA = (fn: string): string => `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:${fn}/invocations`
const proxy = (fn: string): Record<string, unknown> => ({ type: 'aws_proxy', httpMethod: 'POST', uri: LAMBDA(fn) })
const mock = { type: 'mock', requestTemplates: { 'application/json': '{"statusCode": 200}' }, responses: { default: { statusCode: '200' } } }
const swagger = (extra: Record<string, unknown>): Record<string, unknown> => ({ swagger: '2.0', info: { title: 't', version: '1' }, ...extra })
const oas3 = (extra: Record<string, unknown>): Record<string, unknown> => ({ openapi: '3.0.1', info: { title: 't', version: '1' }, ...extra })

/** The issues of the import's error. */
function issues(doc: unknown): readonly OpenApiDiagnostic[] {
  try {
    importOpenApi(doc)
  } catch (e) {
    if (isSluiceConfigError(e) && e.code === 'ERR_INVALID_OPENAPI') return (e as OpenApiError).issues
    throw e
  }
  throw new Error('the import did not fail')
}

describe('Lambda URIs → handler names', () => {
  it('takes the function name of an invocation URI, a function ARN or a bare name', () => {
    expect(lambdaHandlerName(LAMBDA('listPets'))).toEqual({ handler: 'listPets' })
    expect(lambdaHandlerName(LAMBDA('listPets:live'))).toEqual({ handler: 'listPets' })
    expect(lambdaHandlerName(LAMBDA('listPets:live'), true)).toEqual({ handler: 'listPets:live' })
    expect(lambdaHandlerName(LAMBDA('listPets:7'))).toEqual({ handler: 'listPets' })
    expect(lambdaHandlerName('arn:aws:lambda:eu-west-1:123456789012:function:getPet')).toEqual({ handler: 'getPet' })
    expect(lambdaHandlerName('getPet')).toEqual({ handler: 'getPet' })
    expect(lambdaHandlerName(encodeURI(LAMBDA('a')).replace(/:/g, '%3A').replace('arn%3Aaws%3Aapigateway%3Aus-east-1%3Alambda%3Apath', 'arn:aws:apigateway:us-east-1:lambda:path'))).toEqual({ handler: 'a' })
  })

  it('keeps stage variables as handler templates', () => {
    expect(lambdaHandlerName(LAMBDA('${stageVariables.fn}'))).toEqual({ handler: '${stageVariables.fn}' })
    expect(lambdaHandlerName(LAMBDA('pets-${stageVariables.env}:${stageVariables.alias}'))).toEqual({ handler: 'pets-${stageVariables.env}' })
  })

  it('refuses AWS service integrations and non-Lambda ARNs', () => {
    expect(lambdaHandlerName('arn:aws:apigateway:us-east-1:s3:path/bucket/key')).toEqual({ error: expect.stringContaining('(s3)') })
    expect(lambdaHandlerName('arn:aws:apigateway:us-east-1:dynamodb:action/PutItem')).toEqual({ error: expect.stringContaining('(dynamodb)') })
    expect(lambdaHandlerName('arn:aws:sqs:us-east-1:123:queue')).toHaveProperty('error')
    expect(lambdaHandlerName('not a name')).toHaveProperty('error')
  })
})

describe('importOpenApi', () => {
  it('maps a swagger 2.0 document: methods, any-method, integration fields, parameters, models, validators', () => {
    const doc = swagger({
      'x-amazon-apigateway-request-validators': { all: { validateRequestBody: true, validateRequestParameters: true }, params: { validateRequestParameters: true } },
      'x-amazon-apigateway-request-validator': 'params',
      'x-amazon-apigateway-api-key-source': 'HEADER',
      'x-amazon-apigateway-binary-media-types': ['image/png', 'application~1octet-stream'],
      consumes: ['application/json'],
      paths: {
        '/pets': {
          parameters: [{ name: 'x-trace', in: 'header', required: true, type: 'string' }],
          get: {
            operationId: 'ListPets',
            parameters: [{ name: 'type', in: 'query', required: true, type: 'string' }, { name: 'page', in: 'query', type: 'string' }],
            responses: { '200': { description: 'ok', schema: { $ref: '#/definitions/Pets' }, headers: { 'X-Count': { type: 'string' } } } },
            'x-amazon-apigateway-integration': {
              type: 'http',
              uri: 'https://backend.example/pets',
              httpMethod: 'get',
              requestParameters: { 'integration.request.querystring.type': 'method.request.querystring.type' },
              cacheKeyParameters: ['method.request.querystring.type'],
              cacheNamespace: 'pets',
              timeoutInMillis: 5000,
              passthroughBehavior: 'when_no_templates',
              requestTemplates: { 'application/json': '{}' },
              tlsConfig: { insecureSkipVerification: true },
              connectionType: 'INTERNET',
              contentHandling: 'CONVERT_TO_TEXT',
              responses: {
                '4\\d{2}': { statusCode: '400', responseTemplates: { 'application/json': '{"bad":true}' }, contentHandling: 'CONVERT_TO_TEXT' },
                default: { statusCode: '200', responseParameters: { 'method.response.header.X-Count': 'integration.response.header.x-count' } },
              },
            },
          },
          post: {
            'x-amazon-apigateway-request-validator': 'all',
            parameters: [{ in: 'body', name: 'NewPet', required: true, schema: { $ref: '#/definitions/Pet' } }],
            responses: {},
            'x-amazon-apigateway-integration': proxy('createPet'),
          },
          'x-amazon-apigateway-any-method': { responses: {}, 'x-amazon-apigateway-integration': mock },
        },
      },
      definitions: { Pet: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } }, Pets: { type: 'array', items: { $ref: '#/definitions/Pet' } } },
    })
    const { definition, warnings } = importOpenApi(doc)
    expect(warnings).toEqual([])
    expect(definition.name).toBe('t')
    expect(definition.version).toBe('1')
    expect(definition.protocol).toBeUndefined()
    expect(definition.apiKeySource).toBe('HEADER')
    expect(definition.binaryMediaTypes).toEqual(['image/png', 'application/octet-stream'])
    expect(definition.requestValidator).toBe('params')
    expect(definition.requestValidators).toEqual({ all: { validateRequestBody: true, validateRequestParameters: true }, params: { validateRequestParameters: true } })
    expect(definition.models).toEqual({ Pet: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } }, Pets: { type: 'array', items: { $ref: 'Pet' } } })
    const get = definition.paths?.['/pets']?.GET
    expect(get?.operationName).toBe('ListPets')
    expect(get?.requestParameters).toEqual({ 'method.request.header.x-trace': true, 'method.request.querystring.type': true, 'method.request.querystring.page': false })
    expect(get?.methodResponses).toEqual({ '200': { responseParameters: { 'method.response.header.X-Count': false }, responseModels: { 'application/json': 'Pets' } } })
    expect(get?.integration).toEqual({
      type: 'HTTP',
      uri: 'https://backend.example/pets',
      httpMethod: 'GET',
      requestParameters: { 'integration.request.querystring.type': 'method.request.querystring.type' },
      cacheKeyParameters: ['method.request.querystring.type'],
      cacheNamespace: 'pets',
      timeoutInMillis: 5000,
      passthroughBehavior: 'WHEN_NO_TEMPLATES',
      requestTemplates: { 'application/json': '{}' },
      tlsConfig: { insecureSkipVerification: true },
      connectionType: 'INTERNET',
      contentHandling: 'CONVERT_TO_TEXT',
      responses: [
        { selectionPattern: '4\\d{2}', statusCode: '400', responseTemplates: { 'application/json': '{"bad":true}' }, contentHandling: 'CONVERT_TO_TEXT' },
        { statusCode: '200', responseParameters: { 'method.response.header.X-Count': 'integration.response.header.x-count' } },
      ],
    })
    const post = definition.paths?.['/pets']?.POST
    expect(post?.requestValidator).toBe('all')
    expect(post?.requestModels).toEqual({ 'application/json': 'Pet' })
    expect(post?.integration).toEqual({ type: 'AWS_PROXY', httpMethod: 'POST', uri: LAMBDA('createPet'), handler: 'createPet' })
    expect(definition.paths?.['/pets']?.ANY?.integration.type).toBe('MOCK')
    // it passes the definition's own validation
    expect(() => createApi(definition, { integrations: { createPet: async () => ({ statusCode: 200 }) } })).not.toThrow()
  })

  it('maps an OpenAPI 3 HTTP API: Lambda proxy 2.0, JWT authorizer with scopes, CORS, $default, detection', () => {
    const doc = oas3({
      'x-amazon-apigateway-importexport-version': '1.0',
      'x-amazon-apigateway-cors': { allowOrigins: ['https://app.example'], allowMethods: ['GET', 'POST'], allowHeaders: ['authorization'], maxAge: 300, allowCredentials: true },
      paths: {
        '/pets/{id}': {
          get: {
            security: [{ jwt: ['pets.read'] }],
            parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
            responses: { default: { description: 'x' } },
            'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', uri: 'arn:aws:lambda:us-east-1:123456789012:function:getPet', payloadFormatVersion: '2.0', timeoutInMillis: 30000 },
          },
        },
        '/$default': { 'x-amazon-apigateway-any-method': { isDefaultRoute: true, 'x-amazon-apigateway-integration': { $ref: '#/components/x-amazon-apigateway-integrations/fallback' } } },
      },
      components: {
        securitySchemes: {
          jwt: { type: 'oauth2', flows: {}, 'x-amazon-apigateway-authorizer': { type: 'jwt', identitySource: '$request.header.Authorization', jwtConfiguration: { issuer: 'https://issuer.example', audience: ['pets'] } } },
        },
        'x-amazon-apigateway-integrations': { fallback: { type: 'http_proxy', httpMethod: 'ANY', uri: 'https://fallback.example/', payloadFormatVersion: '1.0' } },
      },
    })
    const { definition, warnings } = importOpenApi(doc)
    expect(warnings.map((w) => w.pointer)).toEqual(['/paths/~1pets~1{id}/get/responses/default'])
    expect(definition.protocol).toBe('HTTP')
    expect(definition.cors).toEqual({ allowOrigins: ['https://app.example'], allowMethods: ['GET', 'POST'], allowHeaders: ['authorization'], maxAge: 300, allowCredentials: true })
    expect(definition.authorizers).toEqual({ jwt: { type: 'JWT', identitySource: '$request.header.Authorization', jwtConfiguration: { issuer: 'https://issuer.example', audience: ['pets'] } } })
    const get = definition.paths?.['/pets/{id}']?.GET
    expect(get).toMatchObject({ authorizationType: 'JWT', authorizer: 'jwt', authorizationScopes: ['pets.read'], requestParameters: { 'method.request.path.id': true } })
    expect(get?.integration).toEqual({ type: 'AWS_PROXY', httpMethod: 'POST', uri: 'arn:aws:lambda:us-east-1:123456789012:function:getPet', handler: 'getPet', payloadFormatVersion: '2.0', timeoutInMillis: 30000 })
    expect(definition.routes?.['$default']?.integration).toEqual({ type: 'HTTP_PROXY', httpMethod: 'ANY', uri: 'https://fallback.example/', payloadFormatVersion: '1.0' })
    expect(() => createApi(definition, { integrations: { getPet: async () => ({}) } })).not.toThrow()
  })

  it('detects HTTP APIs by payloadFormatVersion too; protocol can be forced', () => {
    const doc = oas3({ paths: { '/a': { get: { 'x-amazon-apigateway-integration': { ...proxy('a'), payloadFormatVersion: '2.0' } } } } })
    expect(importOpenApi(doc).definition.protocol).toBe('HTTP')
    expect(() => importOpenApi(doc, { protocol: 'REST' })).toThrow(/payload format 2.0 is for HTTP APIs/)
    expect(issues(oas3({ 'x-amazon-apigateway-cors': {}, paths: {} }))).toEqual([{ pointer: '/paths', message: 'defines no paths', severity: 'error' }])
  })

  it('swagger 2 token authorizer, api_key security, api-key-source AUTHORIZER, IAM', () => {
    const doc = swagger({
      'x-amazon-apigateway-api-key-source': 'AUTHORIZER',
      securityDefinitions: {
        api_key: { type: 'apiKey', name: 'x-api-key', in: 'header' },
        tokenAuth: {
          type: 'apiKey',
          name: 'X-Token',
          in: 'header',
          'x-amazon-apigateway-authtype': 'custom',
          'x-amazon-apigateway-authorizer': { type: 'token', authorizerUri: LAMBDA('auth:live'), authorizerResultTtlInSeconds: 60, identityValidationExpression: '^Bearer .+$' },
        },
        reqAuth: { type: 'apiKey', name: 'Unused', in: 'header', 'x-amazon-apigateway-authorizer': { type: 'request', authorizerUri: LAMBDA('reqAuth'), identitySource: 'method.request.header.A, method.request.querystring.b', authorizerResultTtlInSeconds: 0 } },
        pool: { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authorizer': { type: 'cognito_user_pools', providerARNs: ['arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc'] } },
        sigv4: { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'awsSigv4' },
      },
      paths: {
        '/a': { get: { security: [{ api_key: [] }, { tokenAuth: [] }], 'x-amazon-apigateway-integration': mock } },
        '/b': { get: { security: [{ reqAuth: [] }], 'x-amazon-apigateway-integration': mock } },
        '/c': { get: { security: [{ pool: ['email'] }], 'x-amazon-apigateway-integration': mock } },
        '/d': { get: { security: [{ sigv4: [] }], 'x-amazon-apigateway-integration': mock }, post: { 'x-amazon-apigateway-auth': { type: 'AWS_IAM' }, 'x-amazon-apigateway-integration': mock } },
      },
    })
    const { definition, warnings } = importOpenApi(doc)
    expect(warnings).toEqual([])
    expect(definition.apiKeySource).toBe('AUTHORIZER')
    expect(definition.authorizers).toEqual({
      tokenAuth: { type: 'TOKEN', authorizerUri: LAMBDA('auth:live'), handler: 'auth', identitySource: 'method.request.header.X-Token', identityValidationExpression: '^Bearer .+$', authorizerResultTtlInSeconds: 60 },
      reqAuth: { type: 'REQUEST', authorizerUri: LAMBDA('reqAuth'), handler: 'reqAuth', identitySource: 'method.request.header.A, method.request.querystring.b', authorizerResultTtlInSeconds: 0 },
      pool: { type: 'COGNITO_USER_POOLS', identitySource: 'method.request.header.Authorization', providerARNs: ['arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc'] },
    })
    const p = definition.paths ?? {}
    expect(p['/a']?.GET).toMatchObject({ apiKeyRequired: true, authorizationType: 'CUSTOM', authorizer: 'tokenAuth' })
    expect(p['/b']?.GET).toMatchObject({ authorizationType: 'CUSTOM', authorizer: 'reqAuth' })
    expect(p['/c']?.GET).toMatchObject({ authorizationType: 'COGNITO_USER_POOLS', authorizer: 'pool', authorizationScopes: ['email'] })
    expect(p['/d']?.GET?.authorizationType).toBe('AWS_IAM')
    expect(p['/d']?.POST?.authorizationType).toBe('AWS_IAM')
  })

  it('gateway responses: mapped and validated, with no warning (mount applies them); none for HTTP APIs', () => {
    const doc = swagger({
      paths: { '/a': { get: { 'x-amazon-apigateway-integration': mock } } },
      'x-amazon-apigateway-gateway-responses': {
        DEFAULT_4XX: { responseParameters: { 'gatewayresponse.header.Access-Control-Allow-Origin': "'*'" }, responseTemplates: { 'application/json': '{"message":$context.error.messageString}' } },
        MISSING_AUTHENTICATION_TOKEN: { statusCode: '404', responseTemplates: { 'application/json': '{"message":"no such route"}' } },
      },
    })
    const { definition, warnings } = importOpenApi(doc)
    expect(definition.gatewayResponses).toEqual({
      DEFAULT_4XX: { responseParameters: { 'gatewayresponse.header.Access-Control-Allow-Origin': "'*'" }, responseTemplates: { 'application/json': '{"message":$context.error.messageString}' } },
      MISSING_AUTHENTICATION_TOKEN: { statusCode: 404, responseTemplates: { 'application/json': '{"message":"no such route"}' } },
    })
    expect(warnings).toEqual([])
    expect(issues(swagger({ paths: { '/a': { get: { 'x-amazon-apigateway-integration': mock } } }, 'x-amazon-apigateway-gateway-responses': { NOPE: {}, THROTTLED: { statusCode: 99 } } })).map((i) => i.pointer)).toEqual([
      '/x-amazon-apigateway-gateway-responses/NOPE',
      '/x-amazon-apigateway-gateway-responses/THROTTLED/statusCode',
    ])
    const http = oas3({ paths: { '/a': { get: { 'x-amazon-apigateway-integration': { ...proxy('a'), payloadFormatVersion: '2.0' } } } }, 'x-amazon-apigateway-gateway-responses': { DEFAULT_4XX: { statusCode: 400 } } })
    expect(issues(http)).toEqual([{ pointer: '/x-amazon-apigateway-gateway-responses', message: expect.stringContaining('REST APIs'), severity: 'error' }])
  })

  it('rewriteUri: an origin map (longest prefix wins) or a function; stage variables as backends', () => {
    const doc = swagger({
      paths: {
        '/a': { get: { 'x-amazon-apigateway-integration': { type: 'http_proxy', uri: 'https://api.example/v1/a' } } },
        '/b': { get: { 'x-amazon-apigateway-integration': { type: 'http_proxy', uri: 'https://api.example/b' } } },
        '/c': { get: { 'x-amazon-apigateway-integration': { type: 'http_proxy', uri: 'https://other.example/c' } } },
      },
    })
    const map = importOpenApi(doc, { rewriteUri: { 'https://api.example': '${stageVariables.backend}', 'https://api.example/v1': 'http://127.0.0.1:9000' } }).definition.paths ?? {}
    expect([map['/a']?.GET?.integration.uri, map['/b']?.GET?.integration.uri, map['/c']?.GET?.integration.uri]).toEqual(['http://127.0.0.1:9000/a', '${stageVariables.backend}/b', 'https://other.example/c'])
    const seen: string[] = []
    const fn = importOpenApi(doc, { rewriteUri: (uri, pointer) => (seen.push(pointer), uri.replace('https://', 'http://')) }).definition.paths ?? {}
    expect(fn['/c']?.GET?.integration.uri).toBe('http://other.example/c')
    expect(seen).toContain('/paths/~1c/get/x-amazon-apigateway-integration/uri')
    expect(() => importOpenApi(doc, { rewriteUri: { 'https://api.example': 'ftp://x' } })).toThrow(/must be an http\(s\) URL/)
    expect(() => importOpenApi(doc, { rewriteUri: 'x' as never })).toThrow(/rewriteUri/)
  })

  it('follows local $refs (parameters, request bodies, responses, headers) and reads OpenAPI 3.1 schemas as 2020-12', () => {
    const doc = {
      openapi: '3.1.0',
      info: { title: 'refs', version: '1' },
      paths: {
        '/pets/{id}': {
          parameters: [{ $ref: '#/components/parameters/Id' }],
          put: {
            parameters: [{ $ref: '#/components/parameters/Trace' }],
            requestBody: { $ref: '#/components/requestBodies/PetBody' },
            responses: { '200': { $ref: '#/components/responses/Ok' } },
            'x-amazon-apigateway-integration': { type: 'mock', requestTemplates: { 'application/json': '{"statusCode": 200}' } },
          },
        },
      },
      components: {
        parameters: { Id: { name: 'id', in: 'path', required: true, schema: { type: 'string' } }, Trace: { name: 'X-Trace', in: 'header', required: true, schema: { type: 'string' } } },
        requestBodies: { PetBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Pet' } }, 'application/xml': { schema: { type: 'object' } } } } },
        responses: { Ok: { description: 'ok', headers: { 'X-Rate': { $ref: '#/components/headers/Rate' } } } },
        headers: { Rate: { required: true, schema: { type: 'integer' } } },
        schemas: { Pet: { type: ['object', 'null'], properties: { tags: { type: 'array', items: { $ref: '#/components/schemas/Tag' } } } }, Tag: { type: 'string' } },
      },
    }
    const { definition, warnings } = importOpenApi(doc)
    expect(warnings).toEqual([])
    const put = definition.paths?.['/pets/{id}']?.PUT
    expect(put?.requestParameters).toEqual({ 'method.request.path.id': true, 'method.request.header.X-Trace': true })
    expect(put?.requestModels).toEqual({ 'application/json': 'Pet', 'application/xml': 'PutPetsIdBody' })
    expect(put?.methodResponses).toEqual({ '200': { responseParameters: { 'method.response.header.X-Rate': true } } })
    const draft = 'https://json-schema.org/draft/2020-12/schema'
    expect(definition.models).toEqual({
      Pet: { type: ['object', 'null'], properties: { tags: { type: 'array', items: { $ref: 'Tag' } } }, $schema: draft },
      Tag: { type: 'string', $schema: draft },
      PutPetsIdBody: { type: 'object', $schema: draft },
    })
    expect(issues({ ...doc, paths: { '/a': { get: { parameters: [{ $ref: '#/components/parameters/Nope' }], 'x-amazon-apigateway-integration': { type: 'mock' } } } } })).toEqual([
      { pointer: '/paths/~1a/get/parameters/0/$ref', message: 'points nowhere in the document (#/components/parameters/Nope)', severity: 'error' },
    ])
    expect(issues({ ...doc, paths: { '/a': { get: { parameters: [{ $ref: 'other.yaml#/Id' }], 'x-amazon-apigateway-integration': { type: 'mock' } } } } })[0]?.message).toBe('only local references (#/...) are supported')
  })
})
