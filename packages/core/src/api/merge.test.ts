import { describe, expect, it } from 'vitest'
import { createGateway } from '../gateway.js'
import { importOpenApi } from '../openapi/import.js'
import { simulate } from '../testing/simulate.js'
import { createApi } from './api.js'
import type { ApiDefinition, MethodDefinition } from './definition.js'

/** The definition `api.import(next, { mode: 'merge' })` makes of `base`. */
const mergeDefinitions = (base: ApiDefinition, next: ApiDefinition): ApiDefinition => {
  const api = createApi(base)
  api.import(next, { mode: 'merge' })
  return api.definition
}

const mock = (text: string, extra: Partial<MethodDefinition> = {}): MethodDefinition => ({
  ...extra,
  integration: { type: 'MOCK', responses: [{ statusCode: '200', responseTemplates: { 'application/json': text } }] },
})

describe("merge import (API Gateway's mode=merge)", () => {
  it('adds resources and methods, replaces a method both define as a whole, deletes nothing', () => {
    const base: ApiDefinition = {
      name: 'Pets',
      binaryMediaTypes: ['image/png'],
      paths: { '/pets': { GET: mock('{"v":1}', { apiKeyRequired: true, operationName: 'ListPets' }), DELETE: mock('{}') }, '/old': { GET: mock('{}') } },
      models: { Pet: { type: 'object' } },
      requestValidators: { all: { validateRequestBody: true } },
    }
    const next: ApiDefinition = { paths: { '/pets': { GET: mock('{"v":2}'), POST: mock('{}') }, '/cats': { GET: mock('{}') } }, models: { Cat: { type: 'object' } } }
    const out = mergeDefinitions(base, next)
    expect(Object.keys(out.paths ?? {})).toEqual(['/pets', '/old', '/cats'])
    expect(Object.keys(out.paths?.['/pets'] ?? {})).toEqual(['GET', 'DELETE', 'POST'])
    // the imported method replaces the old one whole: no field of the old one survives
    expect(out.paths?.['/pets']?.GET).toEqual(mock('{"v":2}'))
    expect(out.models).toEqual({ Pet: { type: 'object' }, Cat: { type: 'object' } })
    expect(out.requestValidators).toEqual({ all: { validateRequestBody: true } })
    expect(out.binaryMediaTypes).toEqual(['image/png'])
    expect(out.name).toBe('Pets')
    // the inputs are not changed
    expect(Object.keys(base.paths?.['/pets'] ?? {})).toEqual(['GET', 'DELETE'])
  })

  it('prototype-named keys merge as data', () => {
    const base = JSON.parse('{"paths":{"/__proto__":{"GET":{"integration":{"type":"MOCK"}}}},"models":{"constructor":{"type":"object"}},"requestValidators":{"constructor":{}}}') as ApiDefinition
    const next = JSON.parse('{"paths":{"/__proto__":{"POST":{"integration":{"type":"MOCK"}}},"/constructor":{"GET":{"integration":{"type":"MOCK"}}}},"requestValidators":{"__proto__":{"polluted":true}}}') as ApiDefinition
    const out = mergeDefinitions(base, next)
    expect(Object.keys(out.paths ?? {})).toEqual(['/__proto__', '/constructor'])
    expect(Object.keys(out.paths?.['/__proto__'] ?? {})).toEqual(['GET', 'POST'])
    expect(Object.keys(out.models ?? {})).toEqual(['constructor'])
    expect(Object.keys(out.requestValidators ?? {})).toEqual(['constructor', '__proto__'])
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
  })

  it('a live re-import of an OpenAPI document: merged, deployed, served; an invalid one changes nothing', async () => {
    const doc = (paths: Record<string, unknown>): Record<string, unknown> => ({ swagger: '2.0', info: { title: 'Pets' }, paths })
    const op = (body: string): Record<string, unknown> => ({ 'x-amazon-apigateway-integration': { type: 'mock', requestTemplates: { 'application/json': '{"statusCode": 200}' }, responses: { default: { statusCode: '200', responseTemplates: { 'application/json': body } } } } })
    const api = createApi(importOpenApi(doc({ '/pets': { get: op('{"v":1}') } })).definition)
    api.deploy({ stageName: 'prod' })
    const step = createGateway().mount(api, { stage: 'prod' })
    expect((await simulate(step, { url: '/pets' })).response.body).toBe('{"v":1}')
    api.import(importOpenApi(doc({ '/pets': { get: op('{"v":2}') }, '/cats': { get: op('{"cats":1}') } })).definition, { mode: 'merge' })
    // not served until deployed
    expect((await simulate(step, { url: '/pets' })).response.body).toBe('{"v":1}')
    api.deploy({ stageName: 'prod' })
    expect((await simulate(step, { url: '/pets' })).response.body).toBe('{"v":2}')
    expect((await simulate(step, { url: '/cats' })).response.body).toBe('{"cats":1}')
    // a merge whose result is invalid (a method naming an authorizer nobody defines) is refused whole
    const before = api.definition
    expect(() => api.import({ paths: { '/dogs': { GET: mock('{}', { authorizer: 'nope' }) } } }, { mode: 'merge' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_API_DEFINITION' }))
    expect(api.definition).toBe(before)
    expect(() => api.deploy({ stageName: 'prod' })).not.toThrow()
    expect((await simulate(step, { url: '/dogs' })).response.status).toBe(403)
  })
})
