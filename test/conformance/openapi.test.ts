/**
 * Imported OpenAPI documents served through gw.mount on every adapter: the AWS PetStore export
 * (MOCK and HTTP integrations, its HTTP backend replaced by a loopback stand-in through a stage
 * variable), and an OpenAPI 3 HTTP API (Lambda proxy 2.0, JWT authorizer, CORS, $default).
 */
import { createHmac } from 'node:crypto'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import { importOpenApi } from '@sluice/core'
import { afterAll, beforeAll, describe, expect } from 'vitest'
import { PETSTORE_ORIGIN, petstoreDocument, startPetBackend, type PetBackend } from '../support/petstore.js'
import { scenario } from '../support/scenario.js'

let backend: PetBackend
beforeAll(async () => {
  backend = await startPetBackend()
})
afterAll(async () => {
  await backend.close()
})

const json = (body: string): Record<string, unknown> => JSON.parse(body) as Record<string, unknown>

describe('the AWS PetStore export, imported and mounted, on every adapter', () => {
  scenario(
    'MOCK root page, HTTP integrations to the local backend, MOCK CORS preflights, unknown routes',
    {
      options: { stage: { name: 'prod', variables: {} } },
      // the export's HTTP integrations call PetStore's AWS origin: the import points them at a stage variable
      features: (gw) => [gw.mount(importOpenApi(petstoreDocument(), { rewriteUri: { [PETSTORE_ORIGIN]: '${stageVariables.petstore}' } }).definition, { variables: { petstore: backend.url } })],
      routes: [],
    },
    async ({ send }) => {
      const home = await send({ path: '/' })
      expect(home.status).toBe(200)
      expect(home.headers['content-type']).toBe('text/html')
      expect(home.body).toContain('<h1>Welcome to your Pet Store API</h1>')
      expect(home.body).toContain('<a href="/prod/pets/" target="_blank">')

      const list = await send({ path: '/pets?type=cat&page=2' })
      expect(list.status).toBe(200)
      expect(list.headers['access-control-allow-origin']).toBe('*')
      expect(json(list.body)).toEqual({ pets: [{ id: 2, type: 'cat', price: 124.99 }], page: '2' })

      const one = await send({ path: '/pets/3' })
      expect(one.status).toBe(200)
      expect(json(one.body)).toEqual({ id: 3, type: 'fish', price: 0.99 })

      const created = await send({ method: 'POST', path: '/pets', headers: { 'content-type': 'application/json' }, body: '{"type":"dog","price":12.5}' })
      expect(created.status).toBe(200)
      expect(json(created.body)).toEqual({ pet: { id: 4, type: 'dog', price: 12.5 }, message: 'success' })
      expect(created.headers['access-control-allow-origin']).toBe('*')

      const preflight = await send({ method: 'OPTIONS', path: '/pets', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } })
      expect(preflight.status).toBe(200)
      expect(preflight.headers['access-control-allow-methods']).toBe('POST,GET,OPTIONS')
      expect(preflight.headers['access-control-allow-headers']).toBe('Content-Type,X-Amz-Date,Authorization,X-Api-Key')
      expect(preflight.headers['access-control-allow-origin']).toBe('*')
      expect((await send({ method: 'OPTIONS', path: '/pets/1' })).headers['access-control-allow-methods']).toBe('GET,OPTIONS')

      for (const [method, path] of [['GET', '/cats'], ['DELETE', '/pets/1'], ['PUT', '/pets']] as const) {
        const r = await send({ method, path })
        expect(r.status, `${method} ${path}`).toBe(403)
        expect(r.body).toBe('{"message":"Missing Authentication Token"}')
      }
    },
  )
})

const T0 = Date.UTC(2026, 10, 22, 8, 0, 0)
const secret = 'openapi-conformance-secret-0123456789'
/** An HS256 token (signed with node:crypto: the test package does not depend on jose). */
const jwt = (claims: Record<string, unknown>): string => {
  const part = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url')
  const input = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ iss: 'https://issuer.example', aud: 'pets', sub: 'u-1', exp: T0 / 1000 + 60, scope: 'pets.read', ...claims })}`
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`
}

const httpApi = {
  openapi: '3.0.1',
  info: { title: 'pets-http', version: '1' },
  'x-amazon-apigateway-importexport-version': '1.0',
  'x-amazon-apigateway-cors': { allowOrigins: ['https://app.example'], allowMethods: ['GET'], allowHeaders: ['authorization'], maxAge: 300 },
  paths: {
    '/pets/{id}': {
      get: {
        security: [{ jwt: ['pets.read'] }],
        'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', uri: 'arn:aws:lambda:us-east-1:123456789012:function:getPet:live', payloadFormatVersion: '2.0' },
      },
    },
    '/$default': { 'x-amazon-apigateway-any-method': { isDefaultRoute: true, 'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', uri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:fallback/invocations', payloadFormatVersion: '2.0' } } },
  },
  components: {
    securitySchemes: { jwt: { type: 'oauth2', flows: {}, 'x-amazon-apigateway-authorizer': { type: 'jwt', identitySource: '$request.header.Authorization', jwtConfiguration: { issuer: 'https://issuer.example', audience: ['pets'] } } } },
  },
}

describe('an OpenAPI 3 HTTP API, imported and mounted, on every adapter', () => {
  scenario(
    'Lambda proxy 2.0 by function name, JWT authorizer with scopes, CORS preflight, $default',
    {
      options: { stage: { name: '$default', variables: {} } },
      clockStart: T0,
      features: (gw) => [
        gw.mount(importOpenApi(httpApi).definition, {
          integrations: {
            getPet: async (event: APIGatewayProxyEventV2) => ({ routeKey: event.routeKey, id: event.pathParameters?.['id'] ?? null }),
            fallback: async (event: APIGatewayProxyEventV2) => ({ statusCode: 404, body: `nothing at ${event.rawPath}` }),
          },
          authorizers: { jwt: { secret } },
        }),
      ],
      routes: [],
    },
    async ({ send }) => {
      const ok = await send({ path: '/pets/7', headers: { authorization: `Bearer ${jwt({})}`, origin: 'https://app.example' } })
      expect(ok.status).toBe(200)
      expect(json(ok.body)).toEqual({ routeKey: 'GET /pets/{id}', id: '7' })
      expect(ok.headers['access-control-allow-origin']).toBe('https://app.example')
      expect((await send({ path: '/pets/7' })).status).toBe(401)
      expect((await send({ path: '/pets/7', headers: { authorization: `Bearer ${jwt({ scope: 'other' })}` } })).status).toBe(403)
      const preflight = await send({ method: 'OPTIONS', path: '/pets/7', headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' } })
      expect(preflight.headers['access-control-allow-origin']).toBe('https://app.example')
      expect(preflight.headers['access-control-allow-methods']).toBe('GET')
      const other = await send({ path: '/elsewhere' })
      expect(other.status).toBe(404)
      expect(other.body).toBe('nothing at /elsewhere')
    },
  )
})
