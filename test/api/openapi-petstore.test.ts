/**
 * The AWS PetStore export (test/fixtures/openapi, Apache-2.0, unmodified): it imports, lints clean,
 * compiles, and survives an export round trip.
 */
import { createApi, exportOpenApi, importOpenApi, lintOpenApi } from '@sluice/core'
import { describe, expect, it } from 'vitest'
import { PETSTORE_ORIGIN, petstoreDocument } from '../support/petstore.js'

const options = { rewriteUri: { [PETSTORE_ORIGIN]: '${stageVariables.petstore}' } }

describe('the AWS PetStore export', () => {
  it('lints clean: no errors; its one warning is documentation parts, which do not affect serving', () => {
    expect(lintOpenApi(petstoreDocument())).toEqual([{ pointer: '/x-amazon-apigateway-documentation', message: 'documentation parts have no effect on serving: ignored', severity: 'warning' }])
  })

  it('imports to the definition API Gateway builds from it', () => {
    const { definition, warnings } = importOpenApi(petstoreDocument(), options)
    expect(warnings.map((w) => w.pointer)).toEqual(['/x-amazon-apigateway-documentation'])
    expect(definition.name).toBe('PetStore')
    expect(definition.protocol).toBeUndefined()
    expect(Object.keys(definition.paths ?? {})).toEqual(['/', '/pets', '/pets/{petId}'])
    expect(Object.keys(definition.paths?.['/pets'] ?? {})).toEqual(['GET', 'POST', 'OPTIONS'])
    expect(definition.paths?.['/pets/{petId}']?.GET?.integration).toEqual({
      type: 'HTTP',
      uri: '${stageVariables.petstore}/petstore/pets/{petId}',
      httpMethod: 'GET',
      requestParameters: { 'integration.request.path.petId': 'method.request.path.petId' },
      passthroughBehavior: 'WHEN_NO_MATCH',
      responses: [{ statusCode: '200', responseParameters: { 'method.response.header.Access-Control-Allow-Origin': "'*'" } }],
    })
    expect(definition.paths?.['/pets']?.POST?.requestModels).toEqual({ 'application/json': 'NewPet' })
    expect(definition.paths?.['/pets']?.OPTIONS?.methodResponses?.['200']?.responseParameters).toEqual({
      'method.response.header.Access-Control-Allow-Origin': false,
      'method.response.header.Access-Control-Allow-Methods': false,
      'method.response.header.Access-Control-Allow-Headers': false,
    })
    expect(definition.models?.['Pets']).toEqual({ type: 'array', items: { $ref: 'Pet' } })
    expect(definition.models?.['NewPet']).toEqual({ type: 'object', properties: { type: { $ref: 'PetType' }, price: { type: 'number' } } })
    // the existing validation accepts it
    expect(() => createApi(definition)).not.toThrow()
  })

  it.each(['3.0', '2.0'] as const)('round trip through OpenAPI %s: import(export(import(doc))) equals import(doc)', (version) => {
    const once = importOpenApi(petstoreDocument(), options).definition
    const exported = exportOpenApi(once, { version })
    expect(lintOpenApi(exported)).toEqual([])
    expect(importOpenApi(exported, options).definition).toEqual(once)
  })

  it('without rewriting, its HTTP integrations keep the AWS origin', () => {
    expect(importOpenApi(petstoreDocument()).definition.paths?.['/pets']?.GET?.integration.uri).toBe(`${PETSTORE_ORIGIN}/petstore/pets`)
  })
})
