import { describe, expect } from 'vitest'
import type { AppSpec } from '../support/apps.js'
import { scenario } from '../support/scenario.js'

const PET = {
  $schema: 'http://json-schema.org/draft-04/schema#',
  type: 'object',
  required: ['name', 'price'],
  properties: { name: { type: 'string' }, price: { type: 'number', minimum: 0 } },
}
const INVALID_BODY = '{"message":"Invalid request body"}'
const routes: AppSpec['routes'] = [
  { method: 'POST', path: '/pets', echo: true },
  { method: 'GET', path: '/pets/:id', echo: true },
  { method: 'POST', path: '/pets/:id', echo: true },
]
const json = (body: string, contentType = 'application/json') => ({ method: 'POST', path: '/pets', headers: { 'content-type': contentType }, body })

describe('request validation on every adapter', () => {
  scenario(
    'body: valid passes to the route; missing property, wrong type and bad JSON are 400 BAD_REQUEST_BODY',
    { options: {}, features: (gw) => [gw.validate({ body: { 'application/json': PET } })], routes },
    async ({ send }) => {
      const ok = await send(json('{"name":"rex","price":3}'))
      expect(ok.status).toBe(200)
      expect(JSON.parse(ok.body)).toMatchObject({ n: 1, url: '/pets' })
      for (const body of ['{"name":"rex"}', '{"name":1,"price":1}', '{"name":"rex","price":-1}', '{"name":', '']) {
        const bad = await send(json(body))
        expect(bad.status, body).toBe(400)
        expect(bad.body).toBe(INVALID_BODY)
        expect(bad.headers['x-amzn-errortype']).toBe('BadRequestException')
        expect(bad.headers['content-type']).toBe('application/json')
      }
      // the route ran once only
      expect(JSON.parse((await send(json('{"name":"a","price":0}'))).body)).toMatchObject({ n: 2 })
    },
  )

  scenario(
    'a Content-Type that only looks like JSON never skips validation; case and parameters do not matter',
    { options: {}, features: (gw) => [gw.validate({ body: { 'application/json': PET } })], routes },
    async ({ send }) => {
      for (const ct of ['application/json\tx', 'application/json x', 'APPLICATION/JSON', 'Application/Json; charset=utf-8', 'application/json;charset']) {
        const r = await send(json('{"name":"rex"}', ct))
        expect(r.status, JSON.stringify(ct)).toBe(400)
        expect(r.body).toBe(INVALID_BODY)
      }
      // no Content-Type at all is application/json
      expect((await send({ method: 'POST', path: '/pets', body: '{}' })).status).toBe(400)
      // a well-formed content type without a model is not validated (API Gateway)
      expect((await send(json('{}', 'text/plain'))).status).toBe(200)
    },
  )

  scenario(
    'parameters: missing or blank required query and header parameters are 400 BAD_REQUEST_PARAMETERS in AWS order',
    { options: {}, features: (gw) => [gw.validate({ parameters: { querystring: ['qs1', 'limit'], header: ['X-Header-Param'] } })], routes },
    async ({ send }) => {
      const none = await send({ method: 'POST', path: '/pets', body: '' })
      expect(none.status).toBe(400)
      expect(none.body).toBe('{"message":"Missing required request parameters: [X-Header-Param, limit, qs1]"}')
      expect(none.headers['x-amzn-errortype']).toBe('BadRequestException')
      const blank = await send({ method: 'POST', path: '/pets?qs1=&limit=2', headers: { 'x-header-param': 'v' }, body: '' })
      expect(blank.body).toBe('{"message":"Missing required request parameters: [qs1]"}')
      expect((await send({ method: 'POST', path: '/pets?qs1=a&limit=2', headers: { 'x-header-param': 'v' }, body: '' })).status).toBe(200)
    },
  )

  scenario(
    'path parameters on the route, and parameters checked before the body',
    {
      options: {},
      mount: 'route',
      features: (gw) => [gw.validate({ parameters: { path: ['id'], querystring: ['q'] }, body: { 'application/json': PET } })],
      routes,
    },
    async ({ send }) => {
      expect((await send({ path: '/pets/7' })).body).toBe('{"message":"Missing required request parameters: [q]"}')
      const badBoth = await send({ method: 'POST', path: '/pets/7', headers: { 'content-type': 'application/json' }, body: '{' })
      expect(badBoth.body).toBe('{"message":"Missing required request parameters: [q]"}')
      const badBody = await send({ method: 'POST', path: '/pets/7?q=1', headers: { 'content-type': 'application/json' }, body: '{' })
      expect(badBody.body).toBe(INVALID_BODY)
      const ok = await send({ method: 'POST', path: '/pets/7?q=1', headers: { 'content-type': 'application/json' }, body: '{"name":"a","price":1}' })
      expect(ok.status).toBe(200)
    },
  )

  scenario(
    'custom gateway responses show validationErrorString',
    {
      options: {
        gatewayResponses: {
          BAD_REQUEST_BODY: { statusCode: 422, responseTemplates: { 'application/json': '{"message":$context.error.messageString,"detail":"$context.error.validationErrorString"}' } },
        },
      },
      features: (gw) => [gw.validate({ body: { 'application/json': { type: 'object', required: ['name'] } } })],
      routes,
    },
    async ({ send }) => {
      const r = await send(json('{}'))
      expect(r.status).toBe(422)
      expect(r.body).toBe('{"message":"Invalid request body","detail":"[object has missing required properties (["name"])]"}')
    },
  )
})
