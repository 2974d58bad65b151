import { describe, expect, it } from 'vitest'
import { createGateway } from '../gateway.js'
import { createRequest, type RequestInit } from '../request.js'
import type { Continue, Outcome } from '../outcome.js'
import type { GatewayResponse } from '../response.js'
import { mapResponse, prepareIntegrationResponses } from './integration-response.js'
import { emptyOverrides } from './input.js'

const gw = createGateway({ stage: { name: 'prod', variables: { v: 'x' } }, requestId: () => 'req-1' })
const run = async (step: ReturnType<typeof gw.transform>, init: RequestInit): Promise<{ out: Outcome; ex: ReturnType<typeof gw.exchange> }> => {
  const ex = gw.exchange(createRequest(init))
  return { out: await gw.run(step, ex), ex }
}
const ok = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }, status = 200): GatewayResponse => ({ status, headers, body })

describe('gw.transform(): request mapping', () => {
  it('renders the matching template into a request rewrite (body text, JSON value, override headers)', async () => {
    const step = gw.transform({ request: { 'application/json': `#set($context.requestOverride.header.X-Tenant = "t-$input.path('$.t')"){"id": $input.json('$.id'), "stage": "$context.stage"}` } })
    expect(step.readsBody).toBe(true)
    const { out, ex } = await run(step, { method: 'POST', url: '/p', headers: { 'content-type': 'application/json' }, body: '{"id":7,"t":"a"}' })
    expect(out.kind).toBe('continue')
    const c = out as Continue
    expect(c.request).toEqual({ body: '{"id": 7, "stage": "prod"}', value: { id: 7, stage: 'prod' }, headers: { 'x-tenant': 't-a' } })
    expect(ex.trace).toContainEqual({ feature: 'transform', decision: 'allow', reason: 'request', detail: { template: 'application/json' } })
  })

  it('a rendering that is not JSON is handed over as text', async () => {
    const step = gw.transform({ request: { 'application/json': 'name=$input.path(\'$.n\')' } })
    const { out } = await run(step, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"n":"x"}' })
    expect((out as Continue).request).toEqual({ body: 'name=x', value: 'name=x', headers: undefined })
  })

  it('415 for WHEN_NO_TEMPLATES and NEVER, passthrough otherwise', async () => {
    const never = await run(gw.transform({ request: { 'application/json': '{}' }, passthroughBehavior: 'NEVER' }), { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'a,b' })
    expect(never.out.kind === 'respond' && never.out.response.status).toBe(415)
    expect(never.ex.trace).toContainEqual({ feature: 'transform', decision: 'deny', reason: 'UNSUPPORTED_MEDIA_TYPE' })
    const pass = await run(gw.transform({ request: { 'application/json': '{}' } }), { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'a,b' })
    expect(pass.out.kind).toBe('continue')
    expect((pass.out as Continue).request).toBeUndefined()
  })

  it('a body that is not JSON → 400 BAD_REQUEST_BODY; another failure → 500 with onError', async () => {
    const seen: unknown[] = []
    const g = createGateway({ onError: (e) => seen.push(e) })
    const bad = g.exchange(createRequest({ method: 'POST', body: '{oops' }))
    const out = await g.run(g.transform({ request: { 'application/json': "$input.json('$')" } }), bad)
    expect(out.kind === 'respond' && out.response.status).toBe(400)
    expect(out.kind === 'respond' && JSON.parse(out.response.body as string).message).toMatch(/^Could not parse request body into json: /)
    const fail = await g.run(g.transform({ request: { 'application/json': "$input.path('$.l').get(5)" } }), g.exchange(createRequest({ method: 'POST', body: '{"l":[]}' })))
    expect(fail.kind === 'respond' && fail.response.status).toBe(500)
    expect(String(seen[0])).toMatch(/mapping template \(request, application\/json\) failed: get: index out of range/)
  })
})

describe('gw.transform(): response mapping', () => {
  it('response templates only: synchronous continue with a finalize', async () => {
    const step = gw.transform({ response: { 'application/json': '{"n": $input.path(\'$.l\').size(), "id": "$context.requestId"}' } })
    expect(step.readsBody).toBe(false)
    const ex = gw.exchange(createRequest({ url: '/x' }))
    const out = gw.run(step, ex)
    expect(out).not.toBeInstanceOf(Promise)
    const fin = (out as Continue).finalize
    expect(fin).toBeDefined()
    const res = await gw.finalize(fin!, ok('{"l":[1,2]}', { 'content-type': 'text/plain', 'x-own': '1' }), ex)
    expect(res).toEqual({ status: 200, headers: { 'content-type': 'application/json', 'x-own': '1' }, body: '{"n": 2, "id": "req-1"}' })
  })

  it('a responseOverride from the request template applies without response templates', async () => {
    const step = gw.transform({ request: { 'application/json': '#set($context.responseOverride.status = 202)#set($context.responseOverride.header.x-q = "1"){}' } })
    const { out, ex } = await run(step, { method: 'POST', body: '{}' })
    const res = await gw.finalize((out as Continue).finalize!, ok('{"a":1}'), ex)
    expect(res.status).toBe(202)
    expect(res.headers['x-q']).toBe('1')
    expect(res.body).toBe('{"a":1}')
  })

  it('options are validated at construction', () => {
    expect(() => gw.transform({} as never)).toThrow(/ERR_INVALID_TRANSFORM/)
    expect(() => gw.transform({ request: {}, bogus: 1 } as never)).toThrow(/unknown option/)
    expect(() => gw.transform({ request: { 'application/json': 'x' }, passthroughBehavior: 'SOMETIMES' as never })).toThrow(/passthroughBehavior/)
    expect(() => gw.transform({ response: {}, responses: [] })).toThrow(/not both/)
    expect(() => gw.transform({ responses: [{ selectionPattern: '(a+)+' }] })).toThrow(/ERR_UNSAFE_REGEX/)
    expect(() => gw.transform({ responses: [{ statusCode: 999 }] })).toThrow(/100 to 599/)
    expect(() => gw.transform({ responses: [{}, { selectionPattern: '' }] })).toThrow(/at most one/)
    expect(() => gw.transform({ responses: [{ responseParameters: { 'method.response.header.x': 'integration.response.nothing' } }] })).toThrow(/expected 'static'/)
    expect(() => gw.transform({ responses: [{ responseParameters: { 'x-header': "'a'" } }] })).toThrow(/method.response.header.NAME/)
    expect(() => gw.transform({ request: { 'application/json': '#foreach(' } })).toThrow(/ERR_INVALID_TEMPLATE/)
    expect(() => gw.transform({ request: { 'application/json': 'x' }, limits: { maxSize: 0 } })).toThrow(/positive/)
  })
})

describe('mapResponse', () => {
  const prepared = prepareIntegrationResponses(
    [
      { statusCode: 200 },
      { selectionPattern: '4\\d{2}', statusCode: 400, responseTemplates: { 'application/json': '{"error": $input.json(\'$.message\')}' } },
      {
        selectionPattern: '.*four hundred.*',
        statusCode: 405,
        responseParameters: {
          'method.response.header.x-static': "'s'",
          'method.response.header.x-up': 'integration.response.header.x-up',
          'method.response.header.x-msg': 'integration.response.body.errorMessage',
          'method.response.header.x-body': 'integration.response.body',
          'method.response.header.x-id': 'context.requestId',
          'method.response.header.x-who': 'context.authorizer.principalId',
          'method.response.header.x-v': 'stageVariables.v',
        },
      },
    ],
    undefined,
    'responses',
  )

  it('selects by whole-value match of the status code; the default otherwise', () => {
    expect(mapResponse(prepared, ok('{"message":"no"}', {}, 404)).body).toBe('{"error": "no"}')
    expect(mapResponse(prepared, ok('{"message":"no"}', {}, 404)).status).toBe(400)
    expect(mapResponse(prepared, ok('x', {}, 4040)).status).toBe(200)
    expect(mapResponse(prepared, ok('x', {}, 500)).status).toBe(200)
  })

  it('a Lambda-style error message as the selection value; responseParameters from headers, body, context and stage', () => {
    const body = '{"errorMessage":"error four hundred and five"}'
    const res = mapResponse(prepared, ok(body, { 'x-up': 'u', 'content-type': 'application/json' }), {
      selectionValue: 'error four hundred and five',
      context: { requestId: 'r-9', authorizer: { principalId: 'me' } },
      stageVariables: { v: 'x' },
      onlyMappedHeaders: true,
    })
    expect(res.status).toBe(405)
    expect(res.headers).toEqual({ 'x-static': 's', 'x-up': 'u', 'x-msg': 'error four hundred and five', 'x-body': body, 'x-id': 'r-9', 'x-who': 'me', 'x-v': 'x' })
    expect(res.body).toBe(body)
  })

  it('no match and no default throws (a 500 for the client)', () => {
    const strict = prepareIntegrationResponses({ '2\\d{2}': { statusCode: 200 } }, undefined, 'r')
    expect(() => mapResponse(strict, ok('x', {}, 503))).toThrow(/no integration response matches "503"/)
  })

  it('responseOverride: an integer status 100–599 and headers; line breaks never reach a header', () => {
    const o = emptyOverrides()
    o.response.status = '201'
    o.response.header['x-a'] = 'v'
    o.response.header['x-bad'] = 'a\r\nb'
    const res = mapResponse(prepareIntegrationResponses([{}], undefined, 'r'), ok('b'), { overrides: o })
    expect(res.status).toBe(201)
    expect(res.headers['x-a']).toBe('v')
    expect(res.headers['x-bad']).toBeUndefined()
    o.response.status = 99
    expect(mapResponse(prepareIntegrationResponses([{}], undefined, 'r'), ok('b'), { overrides: o }).status).toBe(200)
  })
})

describe('gw.transform() with simulate', () => {
  it('the handler receives the rewritten request; the response is mapped', async () => {
    const { simulate } = await import('../testing/simulate.js')
    const g = createGateway()
    const step = g.transform({
      request: { 'application/json': '{"greeting": "hello $input.path(\'$.name\')"}' },
      response: { 'application/json': '{"said": $input.json(\'$.said\')}' },
    })
    const result = await simulate(step, { method: 'POST', body: '{"name":"Ann"}' }, {
      handler: (_ex, request) => ok(JSON.stringify({ said: (request?.value as { greeting: string }).greeting, extra: 1 })),
    })
    expect(result.response.body).toBe('{"said": "hello Ann"}')
  })
})
