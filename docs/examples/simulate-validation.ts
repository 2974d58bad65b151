/**
 * Request validation without a server: `simulate` runs `gw.validate()` on plain requests. Asserts
 * with node:assert; exits non-zero if an assertion fails.
 */
import assert from 'node:assert/strict'
import { isSluiceConfigError, ModelSet, requestValidationStep } from '@sluice/core'
import { simulate } from '@sluice/core/testing'
import { gateway } from '@sluice/express'

const gw = gateway({
  gatewayResponses: {
    // show the validator's details to the caller (API Gateway keeps them in logs by default)
    BAD_REQUEST_BODY: { responseTemplates: { 'application/json': '{"message":$context.error.messageString,"errors":"$context.error.validationErrorString"}' } },
  },
})

const pet = {
  $schema: 'http://json-schema.org/draft-04/schema#',
  type: 'object',
  required: ['name', 'price'],
  properties: { name: { type: 'string' }, price: { type: 'number', minimum: 0 } },
} as const

const createPet = gw.validate({
  body: { 'application/json': pet },
  parameters: { header: ['x-request-source'], querystring: ['store'] },
})

// Parameters first: missing or blank ones are listed in API Gateway's order.
{
  const r = await simulate(createPet, { method: 'POST', url: '/pets?store=', body: '{}' })
  assert.equal(r.response.status, 400)
  assert.equal(r.response.body, '{"message":"Missing required request parameters: [x-request-source, store]"}')
}

// Then the body against the model for its content type.
const post = (body: string, contentType = 'application/json') =>
  simulate(createPet, { method: 'POST', url: '/pets?store=main', headers: { 'x-request-source': 'web', 'content-type': contentType }, body })
{
  assert.equal((await post('{"name":"rex","price":3}')).handled, true)
  const bad = await post('{"name":"rex","price":-1}')
  assert.equal(bad.response.status, 400)
  assert.equal(bad.response.body, '{"message":"Invalid request body","errors":"[numeric instance is lower than the required minimum (minimum: 0, found: -1)]"}')
  assert.equal(bad.context.error?.validationErrorString, '[numeric instance is lower than the required minimum (minimum: 0, found: -1)]')
  // a Content-Type that only looks like JSON does not skip validation
  assert.equal((await post('{}', 'application/json\tx')).response.status, 400)
  // a content type without a model is not validated, as on API Gateway
  assert.equal((await post('anything', 'text/plain')).handled, true)
}

// A whole API: models compiled once, shared by each method's step, built from API Gateway's terms.
{
  const models = new ModelSet({ Pet: pet, Pets: { type: 'array', items: { $ref: 'https://apigateway.amazonaws.com/restapis/abc123/models/Pet' } } })
  const step = requestValidationStep(
    { validator: { validateRequestBody: true, validateRequestParameters: false }, requestModels: { 'application/json': 'Pets' }, models },
    gw.core.responses,
  )
  const r = await simulate(gw.use(step), { method: 'POST', url: '/pets', body: '[{"name":"a","price":1},{"name":"b"}]' })
  assert.equal(r.response.status, 400)
}

// Schemas are compiled when the middleware is made: an invalid one fails at start-up.
assert.throws(
  () => gw.validate({ body: { type: 'object', properties: { n: { type: 'int' } } } }),
  (e: unknown) => isSluiceConfigError(e) && e.code === 'ERR_INVALID_MODEL',
)

console.log('simulate-validation: all assertions passed')
