import { describe, expect, it } from 'vitest'
import { isSluiceConfigError } from '../errors.js'
import { createGateway } from '../gateway.js'
import { simulate } from '../testing/simulate.js'
import { createApi } from './api.js'
import type { ApiDefinition, MethodDefinition } from './definition.js'

const mock = (text: string): MethodDefinition => ({
  integration: { type: 'MOCK', responses: [{ statusCode: '200', responseTemplates: { 'application/json': text } }] },
})
const v1: ApiDefinition = { name: 'Pets', paths: { '/pets': { GET: mock('{"v":1}') } } }
const v2: ApiDefinition = { name: 'Pets', paths: { '/pets': { GET: mock('{"v":2}') }, '/cats': { GET: mock('{"cats":true}') } } }

const configError = (fn: () => unknown): { code: string; option: string } => {
  try {
    fn()
  } catch (e) {
    if (isSluiceConfigError(e)) return { code: e.code, option: e.option }
    throw e
  }
  throw new Error('expected a SluiceConfigError')
}

describe('response models', () => {
  it('are recorded, never validated: a response that does not fit its model goes out as it is (API Gateway does the same)', async () => {
    const step = createGateway().mount({
      models: { Pet: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } },
      paths: { '/pets': { GET: { ...mock('{"not":"a pet"}'), methodResponses: { '200': { responseModels: { 'application/json': 'Pet' }, responseParameters: { 'method.response.header.X-Id': true } } } } } },
    })
    const r = await simulate(step, { url: '/pets' })
    expect(r.response.status).toBe(200)
    expect(r.response.body).toBe('{"not":"a pet"}')
  })
})

describe('definition validation (JSON pointers)', () => {
  it.each<[string, unknown, string]>([
    ['no routes', {}, '/'],
    ['unknown field', { paths: {}, nope: 1 }, '/nope'],
    ['unknown method', { paths: { '/a': { FETCH: mock('') } } }, '/paths/~1a/FETCH'],
    ['bad integration type', { paths: { '/a': { GET: { integration: { type: 'LAMBDA' } } } } }, '/paths/~1a/GET/integration/type'],
    ['HTTP without a URL', { paths: { '/a': { GET: { integration: { type: 'HTTP_PROXY', uri: 'ftp://x' } } } } }, '/paths/~1a/GET/integration/uri'],
    ['greedy not last', { paths: { '/{a+}/b': { GET: mock('') } } }, '/paths/~1{a+}~1b/GET'],
    ['bad selection pattern', { paths: { '/a': { GET: { integration: { type: 'MOCK', responses: [{ statusCode: '200', selectionPattern: '(' }] } } } } }, '/paths/~1a/GET/integration/responses/0/selectionPattern'],
    ['timeout out of range', { paths: { '/a': { GET: { integration: { type: 'MOCK', timeoutInMillis: 30000 } } } } }, '/paths/~1a/GET/integration/timeoutInMillis'],
    ['unknown authorizer', { paths: { '/a': { GET: { authorizer: 'x', integration: { type: 'MOCK' } } } } }, '/paths/~1a/GET/authorizer'],
    ['route keys on REST', { routes: { 'GET /a': { integration: { type: 'MOCK' } } } }, '/routes'],
    ['bad route key', { protocol: 'HTTP', routes: { 'GET a': { integration: { type: 'MOCK' } } } }, '/routes/GET a'],
    ['v2 payload on REST', { paths: { '/a': { GET: { integration: { type: 'AWS_PROXY', handler: 'h', payloadFormatVersion: '2.0' } } } } }, '/paths/~1a/GET/integration/payloadFormatVersion'],
    ['method response not keyed by status', { paths: { '/a': { GET: { ...mock(''), methodResponses: { ok: {} } } } } }, '/paths/~1a/GET/methodResponses/ok'],
    ['method response unknown field', { paths: { '/a': { GET: { ...mock(''), methodResponses: { '200': { schema: {} } } } } } }, '/paths/~1a/GET/methodResponses/200/schema'],
    ['response model not defined', { paths: { '/a': { GET: { ...mock(''), methodResponses: { '200': { responseModels: { 'application/json': 'Pet' } } } } } } }, '/paths/~1a/GET/methodResponses/200/responseModels/application~1json'],
  ])('%s', (_, definition, pointer) => {
    const e = configError(() => createApi(definition as ApiDefinition))
    expect(e.code).toBe('ERR_INVALID_API_DEFINITION')
    expect(e.option).toBe(pointer)
  })

  it('a template that does not parse is refused with its pointer', () => {
    const e = configError(() => createApi({ paths: { '/a': { GET: { integration: { type: 'MOCK', requestTemplates: { 'application/json': '#if($x' } } } } } }))
    expect(e).toEqual({ code: 'ERR_INVALID_TEMPLATE', option: '/paths/~1a/GET/integration/requestTemplates/application~1json' })
  })

  it('a Lambda integration needs its handler in the integrations map', () => {
    const def: ApiDefinition = { paths: { '/a': { GET: { integration: { type: 'AWS_PROXY', uri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:1:function:listPets/invocations' } } } } }
    expect(configError(() => createApi(def))).toEqual({ code: 'ERR_UNKNOWN_INTEGRATION', option: '/paths/~1a/GET/integration' })
    expect(() => createApi(def, { integrations: { listPets: async () => ({}) } })).not.toThrow()
  })
})

describe('deployments and stages', () => {
  it('a deployment is an immutable snapshot; the stage serves it until switched', async () => {
    const api = createApi(v1)
    const d1 = api.deploy({ stageName: 'prod' })
    expect(Object.isFrozen(d1.definition.paths)).toBe(true)
    const gw = createGateway()
    const step = gw.mount(api, { stage: 'prod' })
    expect((await simulate(step, { url: '/pets' })).response.body).toBe('{"v":1}')
    api.import(v2)
    expect((await simulate(step, { url: '/pets' })).response.body).toBe('{"v":1}')
    expect((await simulate(step, { url: '/cats' })).response.status).toBe(403)
    const d2 = api.deploy({ stageName: 'prod' })
    expect((await simulate(step, { url: '/pets' })).response.body).toBe('{"v":2}')
    api.updateStage('prod', { deploymentId: d1.id })
    expect((await simulate(step, { url: '/pets' })).response.body).toBe('{"v":1}')
    expect(api.deployments().map((d) => d.id)).toEqual([d1.id, d2.id])
  })

  it('an invalid definition never replaces the working one', () => {
    const api = createApi(v1)
    expect(() => api.import({ paths: { '/pets': { GET: { integration: { type: 'NOPE' as never } } } } })).toThrow()
    expect(api.definition.paths?.['/pets']?.GET?.integration.type).toBe('MOCK')
  })

  it('merge adds and replaces methods; overwrite replaces everything', () => {
    const api = createApi(v1)
    api.import({ paths: { '/cats': { GET: mock('{}') }, '/pets': { POST: mock('{}') } } }, { mode: 'merge' })
    expect(Object.keys(api.definition.paths ?? {})).toEqual(['/pets', '/cats'])
    expect(Object.keys(api.definition.paths?.['/pets'] ?? {})).toEqual(['GET', 'POST'])
    api.import({ paths: { '/dogs': { GET: mock('{}') } } })
    expect(Object.keys(api.definition.paths ?? {})).toEqual(['/dogs'])
  })

  it('a stage switch does not disturb a request already running', async () => {
    let release: () => void = () => undefined
    const gate = new Promise<void>((r) => (release = r))
    const api = createApi(
      { paths: { '/slow': { GET: { integration: { type: 'AWS_PROXY', handler: 'slow' } } } } },
      { integrations: { slow: async (e: { stageVariables: Record<string, string> | null }) => (await gate, { statusCode: 200, body: e.stageVariables?.['v'] ?? '' }), fast: async () => ({ statusCode: 200, body: 'new' }) } },
    )
    api.deploy({ stageName: 'prod', variables: { v: 'old' } })
    const step = createGateway().mount(api, { stage: 'prod' })
    const running = simulate(step, { url: '/slow' })
    await new Promise((r) => setTimeout(r, 10))
    api.import({ paths: { '/slow': { GET: { integration: { type: 'AWS_PROXY', handler: 'fast' } } } } })
    api.deploy({ stageName: 'prod', variables: { v: 'new' } })
    expect((await simulate(step, { url: '/slow' })).response.body).toBe('new')
    release()
    expect((await running).response.body).toBe('old')
  })

  it('canary: overrides merged over the stage variables, promotion, removal; stage validation', async () => {
    const api = createApi(v1)
    const d1 = api.deploy({ stageName: 'prod', variables: { testVar: 'default', defaultVar: 'default' } })
    api.import(v2)
    const d2 = api.deploy()
    const s = api.updateStage('prod', { canary: { deploymentId: d2.id, percentTraffic: 100, stageVariableOverrides: { testVar: 'canary', noStageVar: 'canary' } } })
    expect({ ...s.canary?.variables }).toEqual({ testVar: 'canary', defaultVar: 'default', noStageVar: 'canary' })
    const step = createGateway().mount(api, { stage: 'prod' })
    const r = await simulate(step, { url: '/cats' })
    expect(r.response.body).toBe('{"cats":true}')
    expect(r.exchange.stageVariables['testVar']).toBe('canary')
    api.updateStage('prod', { canary: null })
    expect((await simulate(step, { url: '/cats' })).response.status).toBe(403)
    api.updateStage('prod', { canary: { deploymentId: d2.id, percentTraffic: 0, stageVariableOverrides: { testVar: 'canary' } } })
    const promoted = api.promoteCanary('prod')
    expect(promoted.deployment.id).toBe(d2.id)
    expect(promoted.variables['testVar']).toBe('canary')
    expect(promoted.canary).toBeUndefined()
    expect(configError(() => api.updateStage('prod', { canary: { deploymentId: 'nope', percentTraffic: 5 } })).code).toBe('ERR_INVALID_STAGE')
    expect(configError(() => api.updateStage('prod', { canary: { deploymentId: d1.id, percentTraffic: 101 } })).option).toBe('stages.prod.canary.percentTraffic')
    expect(configError(() => api.promoteCanary('prod')).code).toBe('ERR_INVALID_STAGE')
    expect(configError(() => api.createStage('bad name', { deploymentId: d1.id })).code).toBe('ERR_INVALID_STAGE')
    expect(configError(() => api.createStage('dev', { deploymentId: d1.id, variables: { 'bad-name': 'x' } })).option).toBe('stages.dev.variables.bad-name')
  })

  it('sticky canary keeps a caller on one side', async () => {
    const api = createApi(v1)
    api.deploy({ stageName: 'prod' })
    api.import(v2)
    const d2 = api.deploy()
    api.updateStage('prod', { canary: { deploymentId: d2.id, percentTraffic: 50, sticky: true } })
    const step = createGateway().mount(api, { stage: 'prod', random: () => 0 })
    for (const key of ['caller-a', 'caller-b', 'caller-c']) {
      const first = (await simulate(step, { url: '/pets', headers: { 'x-api-key': key } })).response.body
      for (let i = 0; i < 5; i++) expect((await simulate(step, { url: '/pets', headers: { 'x-api-key': key } })).response.body).toBe(first)
    }
  })
})

describe('canary and the stage cache (useStageCache)', () => {
  const counted = (): { calls: number; def: ApiDefinition; integrations: Record<string, () => Promise<{ statusCode: number; body: string }>> } => {
    const state = { calls: 0 }
    return {
      get calls() {
        return state.calls
      },
      def: { paths: { '/pets': { GET: { integration: { type: 'AWS_PROXY', handler: 'list' } } } } },
      integrations: {
        list: async () => {
          state.calls++
          return { statusCode: 200, body: `{"n":${state.calls}}` }
        },
      },
    }
  }

  for (const useStageCache of [false, true]) {
    it(`canary requests ${useStageCache ? 'use' : 'bypass'} the stage cache when useStageCache is ${useStageCache}`, async () => {
      const c = counted()
      const api = createApi(c.def, { integrations: c.integrations })
      api.deploy({ stageName: 'prod' })
      const d2 = api.deploy()
      // every request goes to the canary
      api.updateStage('prod', { canary: { deploymentId: d2.id, percentTraffic: 100, useStageCache } })
      const gw = createGateway({ stage: { name: 'prod', cache: { ttl: 300 } } })
      const step = gw.mount(api, { stage: 'prod', caching: true, random: () => 0 })
      const bodies: string[] = []
      for (let i = 0; i < 3; i++) bodies.push(String((await simulate(step, { url: '/pets' })).response.body))
      if (useStageCache) {
        expect(c.calls).toBe(1)
        expect(bodies).toEqual(['{"n":1}', '{"n":1}', '{"n":1}'])
      } else {
        expect(c.calls).toBe(3)
        expect(bodies).toEqual(['{"n":1}', '{"n":2}', '{"n":3}'])
      }
    })
  }
})

describe('$context.isCanaryRequest', () => {
  it('is "true" in templates for requests the canary serves, "false" otherwise', async () => {
    const def: ApiDefinition = {
      paths: {
        '/who': {
          GET: {
            integration: {
              type: 'MOCK',
              requestTemplates: { 'application/json': '{"statusCode": 200}' },
              responses: [{ statusCode: '200', responseTemplates: { 'application/json': '{"canary":"$context.isCanaryRequest","deployment":"$context.deploymentId"}' } }],
            },
          },
        },
      },
    }
    const api = createApi(def)
    const d1 = api.deploy({ stageName: 'prod' })
    const d2 = api.deploy()
    api.updateStage('prod', { canary: { deploymentId: d2.id, percentTraffic: 50 } })
    let roll = 0
    // alternately below and above the 50 % split
    const step = createGateway().mount(api, { stage: 'prod', random: () => (roll++ % 2 === 0 ? 0.1 : 0.9) })
    const a = JSON.parse(String((await simulate(step, { url: '/who' })).response.body)) as Record<string, string>
    const b = JSON.parse(String((await simulate(step, { url: '/who' })).response.body)) as Record<string, string>
    expect([a, b]).toEqual([
      { canary: 'true', deployment: d2.id },
      { canary: 'false', deployment: d1.id },
    ])
  })
})

describe('mapping templates (VTL)', () => {
  it('MOCK: the request template picks the status; overrides set in it survive to the response', async () => {
    const step = createGateway({ stage: { name: 'prod', variables: { greeting: 'hi' } } }).mount({
      paths: {
        '/pets/{id}': {
          GET: {
            integration: {
              type: 'MOCK',
              requestTemplates: { 'application/json': '#set($context.responseOverride.header.foo = "bar")\n{"statusCode": #if($input.params(\'id\') == "0") 404 #else 200 #end}' },
              responses: [
                { statusCode: '200', responseTemplates: { 'application/json': '{"id":"$input.params(\'id\')","stage":"$context.stage","greeting":"$stageVariables.greeting"}' } },
                { selectionPattern: '404', statusCode: '404', responseTemplates: { 'application/json': '#set($context.responseOverride.status = 444){"missing":true}' } },
              ],
            },
          },
        },
      },
    })
    const ok = await simulate(step, { url: '/pets/7' })
    expect(ok.response.status).toBe(200)
    expect(ok.response.body).toBe('{"id":"7","stage":"prod","greeting":"hi"}')
    expect(ok.response.headers['foo']).toBe('bar')
    const missing = await simulate(step, { url: '/pets/0' })
    expect(missing.response.status).toBe(444)
    expect(missing.response.body).toBe('{"missing":true}')
  })

  it('AWS (Lambda non-proxy): the request template builds the event; passthrough rules apply', async () => {
    const step = createGateway().mount(
      {
        paths: {
          '/sum': {
            POST: {
              integration: {
                type: 'AWS',
                handler: 'sum',
                passthroughBehavior: 'WHEN_NO_TEMPLATES',
                requestTemplates: { 'application/json': '{"a": $input.json(\'$.x\'), "b": $input.params(\'b\')}' },
                responses: [{ statusCode: '200', responseTemplates: { 'application/json': '{"total": $input.json(\'$.total\')}' } }],
              },
            },
          },
        },
      },
      { integrations: { sum: async (e: { a: number; b: number }) => ({ total: e.a + e.b }) } },
    )
    const r = await simulate(step, { method: 'POST', url: '/sum?b=5', body: '{"x":2}', headers: { 'content-type': 'application/json' } })
    expect(r.response.body).toBe('{"total": 7}')
    const unsupported = await simulate(step, { method: 'POST', url: '/sum?b=5', body: 'x', headers: { 'content-type': 'text/plain' } })
    expect(unsupported.response.status).toBe(415)
    expect(unsupported.response.body).toBe('{"message":"Unsupported Media Type"}')
  })
})

describe('validation and CORS in a mounted API', () => {
  it('the method\'s validator checks parameters, then the body against its model', async () => {
    const step = createGateway().mount({
      requestValidators: { all: { validateRequestBody: true, validateRequestParameters: true } },
      requestValidator: 'all',
      models: { Pet: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } },
      paths: {
        '/pets/{id}': {
          POST: {
            requestParameters: { 'method.request.path.id': true, 'method.request.querystring.owner': true },
            requestModels: { 'application/json': 'Pet' },
            ...mock('{"ok":true}'),
          },
        },
      },
    })
    const post = (url: string, body: string) => simulate(step, { method: 'POST', url, body, headers: { 'content-type': 'application/json' } })
    const missing = await post('/pets/1', '{"name":"rex"}')
    expect(missing.response.status).toBe(400)
    expect(missing.response.body).toBe('{"message":"Missing required request parameters: [owner]"}')
    const bad = await post('/pets/1?owner=me', '{"nom":"rex"}')
    expect(bad.response.status).toBe(400)
    expect(bad.response.body).toBe('{"message":"Invalid request body"}')
    expect((await post('/pets/1?owner=me', '{"name":"rex"}')).response.body).toBe('{"ok":true}')
  })

  it('HTTP API CORS answers preflights and decorates responses (a 404 too)', async () => {
    const step = createGateway().mount({
      protocol: 'HTTP',
      cors: { allowOrigins: ['https://app.example.com'], allowMethods: ['GET'], allowHeaders: ['content-type'] },
      routes: { 'GET /pets': mock('{"ok":true}') },
    })
    const pre = await simulate(step, { method: 'OPTIONS', url: '/pets', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'GET' } })
    expect(pre.response.status).toBe(204)
    expect(pre.response.headers['access-control-allow-origin']).toBe('https://app.example.com')
    const get = await simulate(step, { url: '/pets', headers: { origin: 'https://app.example.com' } })
    expect(get.response.body).toBe('{"ok":true}')
    expect(get.response.headers['access-control-allow-origin']).toBe('https://app.example.com')
    expect(get.response.headers['apigw-requestid']).toBeDefined()
    const nf = await simulate(step, { url: '/nope', headers: { origin: 'https://app.example.com' } })
    expect(nf.response.status).toBe(404)
    expect(nf.response.headers['access-control-allow-origin']).toBe('https://app.example.com')
    // the response-header hook runs on mounted answers too: Vary, and a refused origin gets nothing
    expect(get.response.headers.vary).toBe('Origin')
    const evil = await simulate(step, { url: '/pets', headers: { origin: 'https://evil.example.com' } })
    expect(evil.response.headers['access-control-allow-origin']).toBeUndefined()
    expect(evil.response.headers.vary).toBe('Origin')
  })
})

describe('mount options', () => {
  it.each<[string, object, string]>([
    ['unknown option', { nope: 1 }, 'mount().nope'],
    ['bad base path', { basePath: 'v1' }, 'mount().basePath'],
    ['base path with a trailing slash', { basePath: '/v1/' }, 'mount().basePath'],
    ['bad unmatched', { unmatched: 'maybe' }, 'mount().unmatched'],
  ])('%s', (_, options, option) => {
    expect(configError(() => createGateway().mount(v1, options)).option).toBe(option)
  })
  it('authorizers need what they run: a handler, JWT settings, IAM credentials; a missing stage is refused', () => {
    expect(configError(() => createGateway().mount({ authorizers: { jwt: { type: 'JWT' } }, paths: { '/a': { GET: { authorizer: 'jwt', ...mock('') } } } })).code).toBe('ERR_INVALID_AUTHORIZER')
    expect(configError(() => createGateway().mount({ authorizers: { t: { type: 'TOKEN', handler: 'nope' } }, paths: { '/a': { GET: { authorizer: 't', ...mock('') } } } })).code).toBe('ERR_UNKNOWN_INTEGRATION')
    expect(configError(() => createGateway().mount({ paths: { '/a': { GET: { authorizationType: 'AWS_IAM', ...mock('') } } } })).option).toBe('mount().authorizers.AWS_IAM')
    const api = createApi(v1)
    expect(configError(() => createGateway().mount(api, { stage: 'prod' })).code).toBe('ERR_INVALID_STAGE')
  })
  it('a TOKEN authorizer from the definition runs its handler from the integrations map; its context reaches the event', async () => {
    const seen: unknown[] = []
    const step = createGateway().mount(
      {
        authorizers: { tok: { type: 'TOKEN', authorizerUri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:1:function:auth/invocations', authorizerResultTtlInSeconds: 0 } },
        paths: { '/a': { GET: { authorizer: 'tok', integration: { type: 'AWS_PROXY', handler: 'echo' } } } },
      },
      {
        integrations: {
          auth: async (e: { authorizationToken: string; methodArn: string }) => {
            if (e.authorizationToken !== 'allow') throw new Error('Unauthorized')
            return { principalId: 'alice', policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: e.methodArn }] }, context: { tier: 'gold' } }
          },
          echo: async (e: { requestContext: { authorizer: unknown } }) => (seen.push(e.requestContext.authorizer), { statusCode: 200, body: 'in' }),
        },
      },
    )
    expect((await simulate(step, { url: '/a' })).response.status).toBe(401)
    expect((await simulate(step, { url: '/a', headers: { authorization: 'deny' } })).response.status).toBe(401)
    const ok = await simulate(step, { url: '/a', headers: { authorization: 'allow' } })
    expect(ok.response.status).toBe(200)
    expect(seen[0]).toMatchObject({ principalId: 'alice', tier: 'gold' })
  })

  it('an authorizer step runs before the integration and can deny', async () => {
    const gw = createGateway()
    const step = gw.mount(
      { authorizers: { mine: { type: 'REQUEST' } }, paths: { '/a': { GET: { authorizer: 'mine', ...mock('{"in":true}') } } } },
      { authorizers: { mine: { feature: 'authorizer', run: (ex) => (ex.request.headers.get('authorization') === 'ok' ? { kind: 'continue' } : { kind: 'respond', response: gw.responses.render('UNAUTHORIZED', ex) }) } } },
    )
    expect((await simulate(step, { url: '/a' })).response.status).toBe(401)
    expect((await simulate(step, { url: '/a', headers: { authorization: 'ok' } })).response.body).toBe('{"in":true}')
  })
})
