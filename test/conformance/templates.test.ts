import { describe, expect } from 'vitest'
import type { AppSpec } from '../support/apps.js'
import { scenario } from '../support/scenario.js'

const routes: AppSpec['routes'] = [
  { method: 'POST', path: '/seen', seen: true },
  { method: 'POST', path: '/pets/:id', seen: true },
  { method: 'POST', path: '/plain' },
  { method: 'GET', path: '/json', body: '{"pets":[{"id":1,"name":"Rex"},{"id":2,"name":"Tom"}],"owner":{"name":"Ann"}}', kind: 'json' },
  { method: 'GET', path: '/text', body: '{"pets":[1,2,3]}' },
  { method: 'GET', path: '/broken', body: '{"message":"upstream down"}', status: 503, headers: { 'x-up': 'db' } },
  { method: 'GET', path: '/missing', body: '{"message":"no such pet"}', status: 404 },
]

type TransformOptions = Parameters<AppSpec['features']>[0] extends { transform(o: infer O): unknown } ? O : never
const errors: unknown[] = []
const spec = (transform: TransformOptions): AppSpec => ({
  options: { stage: { name: 'prod', variables: { region: 'eu' } }, onError: (e) => errors.push(e) },
  features: (gw) => [gw.transform(transform)],
  routes,
})

const JSON_POST = { method: 'POST', headers: { 'content-type': 'application/json' } } as const

describe('mapping templates on every adapter', () => {
  scenario(
    'request template: the route sees the rendered body, and a header set through requestOverride',
    spec({
      request: {
        'application/json': `#set($pet = $input.path('$'))
#set($context.requestOverride.header['x-mapped'] = "from-template")
{"petName": $input.json('$.name'), "legs": $pet.legs, "tags": $input.json('$.tags'), "q": "$input.params('q')", "stage": "$context.stage", "region": "$stageVariables.region", "method": "$context.httpMethod", "obj": "$util.escapeJavaScript($pet)"}`,
      },
    }),
    async ({ send }) => {
      const r = await send({ ...JSON_POST, path: '/seen?q=dogs', body: '{"name":"Rex","legs":4,"tags":["a","b"]}' })
      expect(r.status).toBe(200)
      expect(JSON.parse(r.body)).toEqual({
        seen: { petName: 'Rex', legs: 4, tags: ['a', 'b'], q: 'dogs', stage: 'prod', region: 'eu', method: 'POST', obj: '{name=Rex, legs=4, tags=["a","b"]}' },
        header: 'from-template',
      })
    },
  )

  scenario(
    'mounted on the route: path parameters come first in $input.params(name); $context.resourcePath is the route template',
    {
      ...spec({
        request: {
          'application/json': `{"id": "$input.params('id')", "q": "$input.params('q')", "all": "$input.params().path $input.params().querystring $input.params().header.get('x-h')", "resource": "$context.resourcePath", "path": "$context.path"}`,
        },
      }),
      mount: 'route',
    },
    async ({ send }) => {
      const r = await send({ ...JSON_POST, path: '/pets/42?q=x&id=from-query', headers: { ...JSON_POST.headers, 'x-h': 'h' }, body: '{}' })
      const seen = (JSON.parse(r.body) as { seen: Record<string, string> }).seen
      expect(seen.id).toBe('42')
      expect(seen.q).toBe('x')
      expect(seen.resource).toBe('/pets/{id}')
      expect(seen.path).toBe('/pets/42')
      expect(seen.all).toBe('{id=42} {q=x, id=from-query} h')
    },
  )

  scenario(
    'request template for a form body: $util.urlDecode over $input.body',
    spec({
      request: {
        'application/x-www-form-urlencoded': `{#foreach($pair in $input.body.split('&'))#set($kv = $pair.split('='))"$util.urlDecode($kv[0])": "$util.escapeJavaScript($util.urlDecode($kv[1]))"#if($foreach.hasNext), #end#end}`,
      },
    }),
    async ({ send }) => {
      const r = await send({ method: 'POST', path: '/seen', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=Rex+the+dog&city=S%C3%A3o+Paulo' })
      expect(JSON.parse(r.body)).toEqual({ seen: { name: 'Rex the dog', city: 'São Paulo' }, header: null })
    },
  )

  scenario('WHEN_NO_MATCH: a Content-Type without a template passes through', spec({ request: { 'application/json': '{"mapped":true}' } }), async ({ send }) => {
    const r = await send({ method: 'POST', path: '/plain', headers: { 'content-type': 'text/plain' }, body: 'hello' })
    expect(r.status).toBe(200)
    expect(r.body).toBe('{"ok":true}')
  })

  scenario('the template key ignores parameters and case; an absent Content-Type means application/json', spec({ request: { 'application/json': '"mapped"' } }), async ({ send }) => {
    const a = await send({ method: 'POST', path: '/seen', headers: { 'content-type': 'Application/JSON; charset=UTF-8' }, body: '{}' })
    expect(JSON.parse(a.body)).toEqual({ seen: 'mapped', header: null })
  })

  scenario('NEVER: no matching template → 415 UNSUPPORTED_MEDIA_TYPE', spec({ request: { 'application/json': '{}' }, passthroughBehavior: 'NEVER' }), async ({ send }) => {
    const r = await send({ method: 'POST', path: '/plain', headers: { 'content-type': 'application/xml' }, body: '<a/>' })
    expect(r.status).toBe(415)
    expect(r.body).toBe('{"message":"Unsupported Media Type"}')
    expect(r.headers['x-amzn-errortype']).toBe('BadRequestException')
    const ok = await send({ ...JSON_POST, path: '/plain', body: '{"a":1}' })
    expect(ok.status).toBe(200)
  })

  scenario(
    'WHEN_NO_TEMPLATES: templates exist but none matches → 415',
    spec({ request: { 'application/json': '{}' }, passthroughBehavior: 'WHEN_NO_TEMPLATES' }),
    async ({ send }) => {
      expect((await send({ method: 'POST', path: '/plain', headers: { 'content-type': 'text/plain' }, body: 'x' })).status).toBe(415)
    },
  )

  scenario(
    'WHEN_NO_TEMPLATES without request templates passes through',
    spec({ passthroughBehavior: 'WHEN_NO_TEMPLATES', response: { 'application/json': '{"was": $input.json(\'$.ok\')}' } }),
    async ({ send }) => {
      const r = await send({ method: 'POST', path: '/plain', headers: { 'content-type': 'text/plain' }, body: 'x' })
      expect(r.status).toBe(200)
      expect(r.body).toBe('{"was": true}')
    },
  )

  scenario('a request body that is not JSON, read with $input.json → 400 BAD_REQUEST_BODY', spec({ request: { 'text/plain': '{"v": $input.json(\'$\')}' } }), async ({ send }) => {
    const r = await send({ method: 'POST', path: '/seen', headers: { 'content-type': 'text/plain' }, body: 'not json' })
    expect(r.status).toBe(400)
    expect(JSON.parse(r.body).message).toMatch(/^Could not parse request body into json: /)
  })

  scenario(
    'response template: Java-map rendering, lists as JSON, #foreach with $foreach.hasNext',
    spec({
      response: {
        'application/json': `#set($pets = $input.path('$.pets'))
{"count": $pets.size(), "names": [#foreach($p in $pets)"$p.name"#if($foreach.hasNext),#end#end], "owner": "$input.path('$.owner')", "all": $input.json('$.pets[*].id'), "missing": "$input.path('$.nothing')"}`,
      },
    }),
    async ({ send }) => {
      const r = await send({ path: '/json' })
      expect(r.status).toBe(200)
      expect(r.headers['content-type']).toBe('application/json')
      expect(r.body).toBe('{"count": 2, "names": ["Rex","Tom"], "owner": "{name=Ann}", "all": [1,2], "missing": ""}')
    },
  )

  scenario(
    'response templates chosen by Accept, the first as fallback',
    spec({ response: { 'application/json': '{"n": $input.path(\'$.pets\').size()}', 'application/xml': '<n>$input.path(\'$.pets\').size()</n>' } }),
    async ({ send }) => {
      const xml = await send({ path: '/text', headers: { accept: 'application/xml' } })
      expect(xml.body).toBe('<n>3</n>')
      expect(xml.headers['content-type']).toBe('application/xml')
      const other = await send({ path: '/text', headers: { accept: 'text/html, application/xml' } })
      expect(other.body).toBe('{"n": 3}')
      expect(other.headers['content-type']).toBe('application/json')
    },
  )

  scenario(
    'integration responses: selectionPattern over the status code, responseParameters, response template',
    spec({
      responses: {
        default: { statusCode: 200 },
        '5\\d{2}': {
          statusCode: 502,
          responseParameters: { 'method.response.header.x-backend': 'integration.response.header.x-up', 'method.response.header.x-static': "'fixed'", 'method.response.header.x-stage': 'stageVariables.region' },
          responseTemplates: { 'application/json': '{"error": "backend said: $util.escapeJavaScript($input.path(\'$.message\'))", "request": "$context.requestId"}' },
        },
      },
    }),
    async ({ send }) => {
      const bad = await send({ path: '/broken' })
      expect(bad.status).toBe(502)
      expect(bad.headers['x-backend']).toBe('db')
      expect(bad.headers['x-static']).toBe('fixed')
      expect(bad.headers['x-stage']).toBe('eu')
      expect(bad.body).toBe('{"error": "backend said: upstream down", "request": "00000000-0000-4000-8000-000000000001"}')
      const ok = await send({ path: '/text' })
      expect(ok.status).toBe(200)
      expect(ok.body).toBe('{"pets":[1,2,3]}')
    },
  )

  scenario('no integration response matches and none is the default → 500', spec({ responses: [{ selectionPattern: '2\\d{2}', statusCode: 200 }] }), async ({ send }) => {
    const r = await send({ path: '/missing' })
    expect(r.status).toBe(500)
    expect(r.body).toBe('{"message":"Internal server error"}')
  })

  scenario(
    '$context.responseOverride in a response template sets the status and a header',
    spec({ response: { 'application/json': "#set($context.responseOverride.status = 418)#set($context.responseOverride.header.x-teapot = 'yes'){\"short\": true}" } }),
    async ({ send }) => {
      const r = await send({ path: '/text' })
      expect(r.status).toBe(418)
      expect(r.headers['x-teapot']).toBe('yes')
      expect(r.body).toBe('{"short": true}')
    },
  )

  scenario('a responseOverride set by the request template reaches the response', spec({ request: { 'application/json': '#set($context.responseOverride.status = 201){}' } }), async ({ send }) => {
    const r = await send({ ...JSON_POST, path: '/plain', body: '{}' })
    expect(r.status).toBe(201)
    expect(r.body).toBe('{"ok":true}')
  })

  scenario('a failing template answers 500 and reaches onError, never crashes', spec({ response: { 'application/json': "$input.path('$.pets').get(99)" } }), async ({ send }) => {
    const before = errors.length
    const r = await send({ path: '/text' })
    expect(r.status).toBe(500)
    expect(r.body).toBe('{"message":"Internal server error"}')
    expect(errors.length).toBe(before + 1)
    expect(String((errors[errors.length - 1] as Error).message)).toMatch(/mapping template \(response, status 200\) failed: .*index out of range/)
  })
})
