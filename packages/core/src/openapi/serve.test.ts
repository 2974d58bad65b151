/**
 * Imported documents served through `gw.mount()` (in process, with `simulate`): authorizers,
 * API keys, validators, binary media types, gateway responses, stage-variable handlers.
 */
import { describe, expect, it } from 'vitest'
import { createGateway } from '../gateway.js'
import { simulate } from '../testing/simulate.js'
import { importOpenApi } from './import.js'

const KEY = 'openapikey1234abcdefghij0123456789'
const LAMBDA = (fn: string): string => `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:${fn}/invocations`
const echo = async (event: { resource: string; body: string | null; requestContext: { authorizer?: Record<string, unknown> | null } }): Promise<unknown> => ({
  statusCode: 200,
  body: JSON.stringify({ resource: event.resource, body: event.body, principal: event.requestContext.authorizer?.['principalId'] ?? null }),
})

const swagger = {
  swagger: '2.0',
  info: { title: 'serve', version: '1' },
  'x-amazon-apigateway-request-validators': { all: { validateRequestBody: true, validateRequestParameters: true } },
  'x-amazon-apigateway-binary-media-types': ['image/png'],
  'x-amazon-apigateway-gateway-responses': { MISSING_AUTHENTICATION_TOKEN: { statusCode: '404', responseTemplates: { 'application/json': '{"message":"no route here"}' } } },
  securityDefinitions: {
    api_key: { type: 'apiKey', name: 'x-api-key', in: 'header' },
    tokenAuth: { type: 'apiKey', name: 'X-Token', in: 'header', 'x-amazon-apigateway-authtype': 'custom', 'x-amazon-apigateway-authorizer': { type: 'token', authorizerUri: LAMBDA('tokenAuth'), authorizerResultTtlInSeconds: 0 } },
  },
  paths: {
    '/secure': { get: { security: [{ api_key: [] }, { tokenAuth: [] }], 'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', uri: LAMBDA('echo:live') } } },
    '/pets': {
      post: {
        'x-amazon-apigateway-request-validator': 'all',
        parameters: [
          { name: 'dryRun', in: 'query', required: true, type: 'string' },
          { in: 'body', name: 'Pet', required: true, schema: { $ref: '#/definitions/Pet' } },
        ],
        'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', uri: LAMBDA('echo') },
      },
    },
    '/image': { get: { 'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', uri: LAMBDA('png') } } },
    '/staged': { get: { 'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', uri: LAMBDA('${stageVariables.fn}') } } },
  },
    // prototype-named properties are data: required means an own property (ajv itself never type-checks a __proto__ property)
  definitions: { Pet: { type: 'object', required: ['name', 'constructor', '__proto__'], properties: { name: { type: 'string' }, constructor: { type: 'number' }, ['__proto__']: { type: 'string' } } } },
}

const integrations = {
  echo,
  png: async () => ({ statusCode: 200, headers: { 'content-type': 'image/png' }, body: Buffer.from('PNG').toString('base64'), isBase64Encoded: true }),
  blue: async () => ({ statusCode: 200, body: 'blue' }),
  green: async () => ({ statusCode: 200, body: 'green' }),
  tokenAuth: async (event: { authorizationToken: string; methodArn: string }) => {
    if (event.authorizationToken !== 'allow') throw new Error('Unauthorized')
    return { principalId: 'user-1', policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }] } }
  },
}

describe('a swagger 2 document served by gw.mount', () => {
  const { definition } = importOpenApi(JSON.parse(JSON.stringify(swagger)))
  const gw = createGateway({ apiKeys: [{ id: 'k1', value: KEY }], stage: { name: 'prod', variables: { fn: 'blue' } } })
  const step = gw.mount(definition, { integrations })

  it('api_key security and a token authorizer (handler named by the ARN, its qualifier dropped)', async () => {
    expect((await simulate(step, { url: '/secure', headers: { 'x-token': 'allow' } })).response.status).toBe(403)
    expect((await simulate(step, { url: '/secure', headers: { 'x-api-key': KEY } })).response.status).toBe(401)
    expect((await simulate(step, { url: '/secure', headers: { 'x-api-key': KEY, 'x-token': 'deny' } })).response.status).toBe(401)
    const ok = await simulate(step, { url: '/secure', headers: { 'x-api-key': KEY, 'x-token': 'allow' } })
    expect(ok.response.status).toBe(200)
    expect(JSON.parse(ok.response.body as string)).toMatchObject({ resource: '/secure', principal: 'user-1' })
  })

  it('request validators: required query parameter and body model', async () => {
    const post = (url: string, body: string) => simulate(step, { method: 'POST', url, headers: { 'content-type': 'application/json' }, body })
    const missing = await post('/pets', '{"name":"rex"}')
    expect(missing.response.status).toBe(400)
    expect(missing.response.body).toBe('{"message":"Missing required request parameters: [dryRun]"}')
    const invalid = await post('/pets?dryRun=1', '{"age":3,"constructor":1,"__proto__":""}')
    expect(invalid.response.status).toBe(400)
    expect(String(invalid.response.body)).toContain('Invalid request body')
    expect((await post('/pets?dryRun=1', '{"name":"rex"}')).response.status).toBe(400)
    expect((await post('/pets?dryRun=1', '{"name":"rex","constructor":1}')).response.status).toBe(400)
    expect((await post('/pets?dryRun=1', '{"name":"rex","constructor":"1","__proto__":"x"}')).response.status).toBe(400)
    expect((await post('/pets?dryRun=1', '{"name":"rex","constructor":1,"__proto__":"x"}')).response.status).toBe(200)
  })

  it('binary media types decode a base64 Lambda body when the client accepts them', async () => {
    expect((await simulate(step, { url: '/image', headers: { accept: 'image/png' } })).response.body).toEqual(expect.objectContaining({ length: 3 }))
    expect((await simulate(step, { url: '/image', headers: { accept: 'application/json' } })).response.body).toBe(Buffer.from('PNG').toString('base64'))
  })

  it("the document's gateway responses answer the API's denials (the gateway has none of its own)", async () => {
    const r = await simulate(step, { url: '/nowhere' })
    expect(r.response.status).toBe(404)
    expect(r.response.body).toBe('{"message":"no route here"}')
  })

  it('a stage variable in the Lambda ARN chooses the handler per stage', async () => {
    expect((await simulate(step, { url: '/staged' })).response.body).toBe('blue')
    const other = createGateway({ stage: { name: 'beta', variables: { fn: 'green' } } }).mount(definition, { integrations })
    expect((await simulate(other, { url: '/staged' })).response.body).toBe('green')
  })

  it('prototype-named path parts, path parameters and query parameters are served as data', async () => {
    const doc = JSON.parse(
      JSON.stringify({
        swagger: '2.0',
        info: { title: 'proto' },
        'x-amazon-apigateway-request-validators': { params: { validateRequestParameters: true } },
        paths: {
          '/__proto__/{constructor}': {
            get: {
              'x-amazon-apigateway-request-validator': 'params',
              parameters: [
                { name: 'constructor', in: 'path', required: true, type: 'string' },
                { name: '__proto__', in: 'query', required: true, type: 'string' },
              ],
              'x-amazon-apigateway-integration': {
                type: 'mock',
                requestTemplates: { 'application/json': '{"statusCode": 200}' },
                responses: { default: { statusCode: '200', responseTemplates: { 'application/json': `{"path":"$input.params('constructor')","query":"$input.params().querystring.get('__proto__')"}` } } },
              },
            },
          },
        },
      }),
    ) as unknown
    const protoStep = createGateway().mount(importOpenApi(doc).definition)
    expect((await simulate(protoStep, { url: '/__proto__/x' })).response.status).toBe(400)
    const ok = await simulate(protoStep, { url: '/__proto__/x?__proto__=1' })
    expect(ok.response.status).toBe(200)
    expect(ok.response.body).toBe('{"path":"x","query":"1"}')
    expect((await simulate(protoStep, { url: '/constructor/x?__proto__=1' })).response.status).toBe(403)
    expect(({} as Record<string, unknown>)['1']).toBeUndefined()
  })
})
