/**
 * An OpenAPI document with API Gateway's extensions, linted, imported, served without a server
 * through `simulate`, re-imported live, and exported back.
 */
import { createApi, createGateway, exportOpenApi, importOpenApi, lintOpenApi, type IntegrationHandler } from '@sluice/core'
import { simulate } from '@sluice/core/testing'

const lambda = (fn: string): string => `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:${fn}/invocations`

const doc = {
  swagger: '2.0',
  info: { title: 'Pets', version: '1' },
  'x-amazon-apigateway-request-validators': { body: { validateRequestBody: true } },
  paths: {
    '/pets': {
      get: { 'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', uri: lambda('listPets:live') } },
      post: {
        'x-amazon-apigateway-request-validator': 'body',
        parameters: [{ in: 'body', name: 'Pet', required: true, schema: { $ref: '#/definitions/Pet' } }],
        'x-amazon-apigateway-integration': {
          type: 'mock',
          requestTemplates: { 'application/json': '{"statusCode": 201}' },
          responses: { default: { statusCode: '201', responseTemplates: { 'application/json': '{"created":true,"stage":"$context.stage"}' } } },
        },
      },
    },
  },
  definitions: { Pet: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } },
}

// What would the import reject or warn about? (Nothing here.)
console.log(lintOpenApi(doc)) // []

// The Lambda ARN's function name (its alias dropped) is the handler's name in `integrations`.
const { definition } = importOpenApi(doc)
const integrations: Record<string, IntegrationHandler> = { listPets: async () => ({ statusCode: 200, body: '[{"name":"rex"}]' }) }
const api = createApi(definition, { integrations })
api.deploy({ stageName: 'prod' })
const step = createGateway().mount(api, { stage: 'prod' })

console.log((await simulate(step, { url: '/pets' })).response.body) // [{"name":"rex"}]
const bad = await simulate(step, { method: 'POST', url: '/pets', headers: { 'content-type': 'application/json' }, body: '{}' })
console.log(bad.response.status) // 400: the body model requires a name
const ok = await simulate(step, { method: 'POST', url: '/pets', headers: { 'content-type': 'application/json' }, body: '{"name":"tom"}' })
console.log(ok.response.status, ok.response.body) // 201 {"created":true,"stage":"prod"}

// Live re-import (merge: added and replaced methods; nothing deleted), then a deployment switches the stage.
const extra = importOpenApi({ swagger: '2.0', info: { title: 'Pets' }, paths: { '/health': { get: { 'x-amazon-apigateway-integration': { type: 'mock', requestTemplates: { 'application/json': '{"statusCode": 200}' } } } } } })
api.import(extra.definition, { mode: 'merge' })
api.deploy({ stageName: 'prod' })
console.log((await simulate(step, { url: '/health' })).response.status) // 200

// Unsupported things are errors with JSON pointers, all listed at once.
try {
  importOpenApi({ swagger: '2.0', paths: { '/files/{key}': { get: { 'x-amazon-apigateway-integration': { type: 'aws', uri: 'arn:aws:apigateway:us-east-1:s3:path/bucket/{key}' } } } } })
} catch (e) {
  console.log((e as Error).message) // /paths/~1files~1{key}/get/x-amazon-apigateway-integration/uri: an AWS service integration (s3) is not supported: ... (ERR_INVALID_OPENAPI)
}

// What the stage serves, back to OpenAPI 3 with the extensions.
const served = api.stage('prod')?.deployment.definition
if (served !== undefined) console.log(JSON.stringify(exportOpenApi(served, { version: '3.0' }), null, 2))
