import { describe, expect, it } from 'vitest'
import type { ApiDefinition } from '../api/definition.js'
import { exportOpenApi } from './export.js'
import { importOpenApi } from './import.js'
import { lintOpenApi } from './lint.js'

const LAMBDA = (fn: string): string => `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:${fn}/invocations`

/** A definition that uses every field export writes. */
const rest: ApiDefinition = {
  name: 'Everything',
  version: '2026-11-22',
  description: 'all the fields',
  apiKeySource: 'AUTHORIZER',
  binaryMediaTypes: ['image/png'],
  requestValidators: { all: { validateRequestBody: true, validateRequestParameters: true } },
  requestValidator: 'all',
  models: { Pet: { type: 'object', properties: { name: { type: 'string' } } }, Pets: { type: 'array', items: { $ref: 'Pet' } } },
  authorizers: {
    tok: { type: 'TOKEN', authorizerUri: LAMBDA('auth'), handler: 'auth', identitySource: 'method.request.header.X-Token', authorizerResultTtlInSeconds: 60, identityValidationExpression: '^x' },
    req: { type: 'REQUEST', authorizerUri: LAMBDA('reqAuth'), handler: 'reqAuth', identitySource: 'method.request.header.A, method.request.querystring.b' },
    pool: { type: 'COGNITO_USER_POOLS', identitySource: 'method.request.header.Authorization', providerARNs: ['arn:aws:cognito-idp:us-east-1:123456789012:userpool/p'] },
  },
  gatewayResponses: { DEFAULT_4XX: { statusCode: 400, responseParameters: { 'gatewayresponse.header.X-A': "'b'" }, responseTemplates: { 'application/json': '{"m":$context.error.messageString}' } } },
  minimumCompressionSize: 1024,
  policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*' }] },
  paths: {
    '/pets': {
      GET: {
        operationName: 'ListPets',
        apiKeyRequired: true,
        authorizationType: 'CUSTOM',
        authorizer: 'tok',
        requestParameters: { 'method.request.querystring.type': true, 'method.request.header.x-b': false },
        methodResponses: { '200': { responseParameters: { 'method.response.header.X-Count': false }, responseModels: { 'application/json': 'Pets' } } },
        integration: {
          type: 'HTTP',
          uri: 'https://backend.example/pets',
          httpMethod: 'GET',
          requestParameters: { 'integration.request.querystring.type': 'method.request.querystring.type' },
          requestTemplates: { 'application/json': '{}' },
          passthroughBehavior: 'WHEN_NO_TEMPLATES',
          cacheKeyParameters: ['method.request.querystring.type'],
          cacheNamespace: 'pets',
          timeoutInMillis: 1000,
          contentHandling: 'CONVERT_TO_TEXT',
          tlsConfig: { insecureSkipVerification: true },
          connectionType: 'INTERNET',
          responses: [
            { selectionPattern: '4\\d{2}', statusCode: '400', responseTemplates: { 'application/json': '{}' } },
            { statusCode: '200', responseParameters: { 'method.response.header.X-Count': "'1'" }, contentHandling: 'CONVERT_TO_TEXT' },
          ],
        },
      },
      POST: { requestValidator: 'all', requestModels: { 'application/json': 'Pet' }, authorizationType: 'CUSTOM', authorizer: 'req', integration: { type: 'AWS', httpMethod: 'POST', uri: LAMBDA('create:live'), handler: 'create' } },
    },
    '/pets/{id}': {
      GET: { authorizationType: 'COGNITO_USER_POOLS', authorizer: 'pool', authorizationScopes: ['email'], requestParameters: { 'method.request.path.id': true }, integration: { type: 'AWS_PROXY', uri: LAMBDA('${stageVariables.fn}'), handler: '${stageVariables.fn}' } },
      DELETE: { authorizationType: 'AWS_IAM', integration: { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 204}' }, responses: [{ statusCode: '204' }] } },
    },
    '/{proxy+}': { ANY: { integration: { type: 'HTTP_PROXY', uri: 'https://backend.example/{proxy}', httpMethod: 'ANY' } } },
  },
}

const http: ApiDefinition = {
  protocol: 'HTTP',
  name: 'Http',
  version: '1',
  cors: { allowOrigins: ['https://app.example'], allowMethods: ['GET'], maxAge: 60, allowCredentials: false },
  authorizers: { jwt: { type: 'JWT', identitySource: '$request.header.Authorization', jwtConfiguration: { issuer: 'https://issuer.example', audience: ['a'] } } },
  paths: { '/pets': { GET: { authorizationType: 'JWT', authorizer: 'jwt', authorizationScopes: ['read'], integration: { type: 'AWS_PROXY', uri: 'arn:aws:lambda:us-east-1:123456789012:function:list', handler: 'list', payloadFormatVersion: '2.0' } } } },
  routes: { $default: { integration: { type: 'HTTP_PROXY', uri: 'https://fallback.example/', httpMethod: 'ANY', payloadFormatVersion: '1.0' } } },
}

describe('exportOpenApi', () => {
  it.each([
    ['REST as 3.0', rest, '3.0'],
    ['REST as 2.0', rest, '2.0'],
    ['HTTP API as 3.0', http, '3.0'],
  ] as const)('%s: lints clean (warnings aside) and imports back to the same definition', (_, def, version) => {
    const doc = exportOpenApi(def, { version })
    expect(lintOpenApi(doc).filter((d) => d.severity === 'error')).toEqual([])
    expect(importOpenApi(doc).definition).toEqual(def)
    // and it is plain JSON
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc)
  })

  it('writes the extensions where API Gateway puts them', () => {
    const doc = exportOpenApi(rest) as Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(doc['openapi']).toBe('3.0.1')
    expect(doc['info']).toEqual({ title: 'Everything', description: 'all the fields', version: '2026-11-22' })
    expect(doc['x-amazon-apigateway-api-key-source']).toBe('AUTHORIZER')
    expect(doc['x-amazon-apigateway-request-validator']).toBe('all')
    expect(doc['x-amazon-apigateway-gateway-responses']['DEFAULT_4XX']['statusCode']).toBe('400')
    const get = doc['paths']['/pets']['get']
    expect(get['security']).toEqual([{ api_key: [] }, { tok: [] }])
    expect(get['x-amazon-apigateway-integration']['type']).toBe('http')
    expect(get['x-amazon-apigateway-integration']['passthroughBehavior']).toBe('when_no_templates')
    expect(Object.keys(get['x-amazon-apigateway-integration']['responses'])).toEqual(['4\\d{2}', 'default'])
    expect(doc['paths']['/{proxy+}']['x-amazon-apigateway-any-method']).toBeDefined()
    expect(doc['components']['schemas']['Pets']).toEqual({ type: 'array', items: { $ref: '#/components/schemas/Pet' } })
    expect(doc['components']['securitySchemes']['api_key']).toEqual({ type: 'apiKey', name: 'x-api-key', in: 'header' })
    expect(doc['components']['securitySchemes']['sigv4']['x-amazon-apigateway-authtype']).toBe('awsSigv4')
    expect(doc['components']['securitySchemes']['tok']).toMatchObject({ type: 'apiKey', name: 'X-Token', in: 'header', 'x-amazon-apigateway-authorizer': { type: 'token' } })
    const swagger = exportOpenApi(rest, { version: '2.0', serverUrl: 'https://api.example/prod' }) as Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
    expect([swagger['swagger'], swagger['host'], swagger['basePath'], swagger['schemes']]).toEqual(['2.0', 'api.example', '/prod', ['https']])
    expect(swagger['paths']['/pets']['post']['parameters']).toEqual([{ in: 'body', name: 'Pet', required: true, schema: { $ref: '#/definitions/Pet' } }])
    const h = exportOpenApi(http) as Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(h['x-amazon-apigateway-importexport-version']).toBe('1.0')
    expect(h['paths']['/$default']['x-amazon-apigateway-any-method']['isDefaultRoute']).toBe(true)
  })

  it('builds a Lambda ARN for integrations given by handler name alone', () => {
    const def: ApiDefinition = { paths: { '/a': { GET: { integration: { type: 'AWS_PROXY', handler: 'listPets' } } } } }
    const doc = exportOpenApi(def, { region: 'eu-west-1', accountId: '111122223333' }) as Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
    const uri = 'arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:111122223333:function:listPets/invocations'
    expect(doc['paths']['/a']['get']['x-amazon-apigateway-integration']).toEqual({ type: 'aws_proxy', uri })
    expect(importOpenApi(doc).definition.paths?.['/a']?.GET?.integration).toEqual({ type: 'AWS_PROXY', uri, handler: 'listPets' })
  })

  it('keeps prototype-named keys as data and validates its options', () => {
    const def = JSON.parse('{"paths":{"/__proto__":{"GET":{"requestParameters":{"method.request.querystring.__proto__":true},"integration":{"type":"MOCK","requestTemplates":{"__proto__":"{}"}}}}},"requestValidators":{"__proto__":{"validateRequestBody":true}}}') as ApiDefinition
    const doc = exportOpenApi(def)
    expect(JSON.stringify(doc)).toContain('"x-amazon-apigateway-request-validators":{"__proto__":{"validateRequestBody":true}}')
    // a definition without a name gets the title 'api' (OpenAPI requires a title)
    expect(importOpenApi(doc).definition).toEqual({ name: 'api', ...def })
    expect(() => exportOpenApi(rest, { version: '4.0' as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION' }))
    expect(() => exportOpenApi(rest, { nope: 1 } as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION' }))
    expect(() => exportOpenApi(rest, { serverUrl: 'not a url' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION' }))
  })
})
