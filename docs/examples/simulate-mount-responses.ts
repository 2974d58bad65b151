/**
 * A mounted API's own gateway responses, run without a server through `simulate`: its unknown
 * routes answer 404 with its template, its 5XX carry its header, and a second API mounted on the
 * same gateway keeps the gateway's table. An integration response whose status the method does
 * not declare is a 500.
 */
import { createGateway, type ApiDefinition } from '@sluice/core'
import { simulate } from '@sluice/core/testing'

const api: ApiDefinition = {
  name: 'Pets',
  gatewayResponses: {
    MISSING_AUTHENTICATION_TOKEN: { statusCode: 404, responseTemplates: { 'application/json': '{"error":"no such route: $context.path"}' } },
    DEFAULT_5XX: { responseParameters: { 'gatewayresponse.header.Access-Control-Allow-Origin': "'*'" } },
  },
  paths: {
    '/pets': {
      GET: {
        integration: { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 201}' }, responses: [{ statusCode: '201', responseTemplates: { 'application/json': '[]' } }] },
        methodResponses: { '200': {} }, // 201 is not declared
      },
    },
  },
}

const gw = createGateway({ gatewayResponses: { INVALID_API_KEY: { statusCode: 401 } } })
const pets = gw.mount(api, { basePath: '/v1' })
const other = gw.mount({ paths: { '/ping': { GET: { integration: { type: 'MOCK', responses: [{ statusCode: '200' }] } } } } }, { basePath: '/v2' })

const unknown = await simulate(pets, { url: '/v1/cats' })
console.log(unknown.response.status, unknown.response.body) // 404 {"error":"no such route: /v1/cats"}

const undeclared = await simulate(pets, { url: '/v1/pets' })
console.log(undeclared.response.status, undeclared.response.body, undeclared.response.headers['access-control-allow-origin']) // 500 {"message":"Internal server error"} *

const elsewhere = await simulate(other, { url: '/v2/cats' })
console.log(elsewhere.response.status, elsewhere.response.body) // 403 {"message":"Missing Authentication Token"}
