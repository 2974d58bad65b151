/**
 * A Pulumi-written API Gateway definition (test/fixtures/openapi, Apache-2.0, unmodified): API key
 * source, binary media types, gateway responses and a token authorizer, imported and served.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createGateway, importOpenApi, lintOpenApi } from '@sluice/core'
import { simulate } from '@sluice/core/testing'
import { describe, expect, it } from 'vitest'

const doc = (): unknown => JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/openapi/openapi.spec.pulumi.json'), 'utf8'))
const KEY = 'pulumikey1234abcdefghij0123456789'

describe('a Pulumi-written API Gateway definition', () => {
  it('lints clean: no errors, no warnings (its gateway responses are served by mount)', () => {
    expect(lintOpenApi(doc())).toEqual([])
  })

  it('imports: an empty identitySource falls back to the scheme header, as when absent', () => {
    const { definition } = importOpenApi(doc())
    expect(definition.apiKeySource).toBe('HEADER')
    expect(definition.binaryMediaTypes).toEqual(['*/*'])
    expect(definition.authorizers).toEqual({
      Auth0: {
        type: 'TOKEN',
        authorizerUri: 'arn:aws:apigateway:us-west-2:lambda:path/2015-03-31/functions/arn:aws:lambda:us-west-2:000000000000:function:apiGwAuthorizerLambda-2152989/invocations',
        handler: 'apiGwAuthorizerLambda-2152989',
        identitySource: 'method.request.header.Authorization',
      },
    })
    expect(definition.paths?.['/just_do_it']?.GET).toMatchObject({ apiKeyRequired: true, authorizationType: 'CUSTOM', authorizer: 'Auth0' })
    expect(definition.paths?.['/{proxy+}']?.OPTIONS).toMatchObject({ apiKeyRequired: true })
    expect(definition.gatewayResponses?.UNAUTHORIZED?.statusCode).toBe(401)
  })

  it("serves: API key, then the token authorizer, then the Lambda; the document's own gateway responses answer", async () => {
    const { definition } = importOpenApi(doc())
    // the gateway has no gatewayResponses option: the 401s below come from the document's table
    const gw = createGateway({ apiKeys: [{ id: 'k', value: KEY }] })
    const step = gw.mount(definition, {
      integrations: {
        's3OnObjectCreatedLambda-60c92b6': async () => ({ statusCode: 200, body: 'done' }),
        'apiGwAuthorizerLambda-2152989': async (event: { authorizationToken: string; methodArn: string }) => {
          if (event.authorizationToken !== 'Bearer good') throw new Error('Unauthorized')
          return { principalId: 'me', policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }] } }
        },
      },
    })
    const unauthorized = await simulate(step, { url: '/just_do_it', headers: { 'x-api-key': KEY, authorization: 'Bearer bad' } })
    expect(unauthorized.response.status).toBe(401)
    expect(unauthorized.response.body).toBe('{"message":"Unauthorized"}')
    expect(unauthorized.response.headers['method.response.header.access-control-allow-origin']).toBe('*')
    expect((await simulate(step, { url: '/just_do_it', headers: { authorization: 'Bearer good' } })).response.status).toBe(403)
    // MISSING_AUTHENTICATION_TOKEN is 401 in the document (403 built in)
    const unknown = await simulate(step, { method: 'DELETE', url: '/just_do_it', headers: { 'x-api-key': KEY } })
    expect(unknown.response.status).toBe(401)
    expect(unknown.response.body).toBe('{"message":"Missing Authentication Token"}')
    expect(unknown.response.headers['method.response.header.access-control-allow-methods']).toBe('GET, POST, OPTIONS, PUT, PATCH, DELETE')
    // a type the document does not set keeps the built-in response (INVALID_API_KEY: 403 Forbidden)
    const noKey = await simulate(step, { url: '/just_do_it', headers: { authorization: 'Bearer good' } })
    expect(noKey.response.body).toBe('{"message":"Forbidden"}')
    expect(noKey.response.headers['method.response.header.access-control-allow-origin']).toBeUndefined()
    // the same definition on a gateway of its own keeps the same answers: nothing leaks into the gateway's table
    expect(gw.responses.statusOf('MISSING_AUTHENTICATION_TOKEN')).toBe(403)
    const ok = await simulate(step, { url: '/just_do_it', headers: { 'x-api-key': KEY, authorization: 'Bearer good' } })
    expect(ok.response.status).toBe(200)
    expect(ok.response.body).toBe('done')
    const preflight = await simulate(step, { method: 'OPTIONS', url: '/anything', headers: { 'x-api-key': KEY } })
    expect(preflight.response.status).toBe(200)
    expect(preflight.response.headers['access-control-allow-methods']).toBe('DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT')
  })
})
