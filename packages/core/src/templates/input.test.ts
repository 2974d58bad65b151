import { describe, expect, it } from 'vitest'
import { compileTemplate, renderTemplate, type TemplateInput } from './render.js'

const r = (template: string, input: TemplateInput = {}): string => renderTemplate(template, input)

describe('$input.body', () => {
  it('is the raw payload; an empty body reads {}', () => {
    expect(r('$input.body', { body: '{ "a" : 1 }' })).toBe('{ "a" : 1 }')
    expect(r('$input.body', { body: 'plain text' })).toBe('plain text')
    expect(r('$input.body')).toBe('{}')
    expect(r('$input.body', { body: '' })).toBe('{}')
  })

  it('property access on it is null', () => {
    expect(r('[$input.body.x]', { body: '{"x":1}' })).toBe('[]')
  })

  it('bytes are read as UTF-8 and values as JSON', () => {
    expect(r('$input.body', { body: new TextEncoder().encode('{"é":1}') })).toBe('{"é":1}')
    expect(r("$input.json('$.a')", { body: { a: [1, 2] } })).toBe('[1,2]')
  })
})

describe('$input.json(path)', () => {
  const body = '{"pets":[{"id":1,"type":"dog","price":249.99},{"id":2,"type":"cat","price":124.99}],"name":"Rex","n":null}'
  it('evaluates JSONPath and returns JSON text (the developer guide example)', () => {
    expect(r("$input.json('$.pets')", { body })).toBe('[{"id":1,"type":"dog","price":249.99},{"id":2,"type":"cat","price":124.99}]')
    expect(r("$input.json('$.pets[0].type')", { body })).toBe('"dog"')
    expect(r("$input.json('$.pets[1].price')", { body })).toBe('124.99')
    expect(r('{"body": $input.json(\'$\')}', { body: '{"a":1}' })).toBe('{"body": {"a":1}}')
  })

  it('pass-through of $ is the compact body', () => {
    expect(r("$input.json('$')", { body: '{"a":1,"b":[true,null]}' })).toBe('{"a":1,"b":[true,null]}')
    expect(r("$input.json('$')", { body: '{ "a" : 1 }' })).toBe('{"a":1}')
    expect(r("$input.json('$')")).toBe('{}')
  })

  it('a missing path (or JSON null) gives "" (an empty JSON string)', () => {
    expect(r("$input.json('$.nothing')", { body })).toBe('""')
    expect(r("$input.json('$.n')", { body })).toBe('""')
  })

  it('a body that is not JSON fails the render', () => {
    expect(() => r("$input.json('$')", { body: 'not json' })).toThrow(/Unexpected token/)
  })
})

describe('$input.path(path) and AWS rendering quirks', () => {
  it('objects render Java-map style, lists as JSON (aws-rec test_input_path_template_formatting)', () => {
    expect(r("$input.path('$.x')", { body: '{"x":{"foo":"bar"}}' })).toBe('{foo=bar}')
    expect(r("$input.path('$.x')", { body: '{"x":{"bigger":"dict","to":"test","with":"separators"}}' })).toBe('{bigger=dict, to=test, with=separators}')
    expect(r("$input.path('$.x')", { body: '{"x":[{"foo":"bar"}]}' })).toBe('[{"foo":"bar"}]')
    expect(r("$input.path('$.x')", { body: '{"x":{"foo":[{"nested":"bar"}]}}' })).toBe('{foo=[{"nested":"bar"}]}')
    expect(r("$input.path('$.x').toString()", { body: '{"x":{"foo":"bar"}}' })).toBe('{foo=bar}')
    expect(r("$input.path('$.x')", { body: '{"x":[]}' })).toBe('[]')
    expect(r("$input.path('$.x')", { body: '{"x":{"a":null,"b":{"c":1}}}' })).toBe('{a=null, b={c=1}}')
  })

  it('a missing path renders empty and equals both $null and ""; JSON null behaves the same', () => {
    const body = '{"n":null}'
    expect(r("[$input.path('$.missing')]", { body })).toBe('[]')
    expect(r("#if($input.path('$.missing') == $null)null#end #if($input.path('$.missing') == \"\")empty#end", { body })).toBe('null empty')
    expect(r("#if($input.path('$.n') == $null)null#end #if(!$input.path('$.n'))falsy#end", { body })).toBe('null falsy')
  })

  it('values are native: size(), count via [index], properties', () => {
    const body = '{"pets":[{"id":1},{"id":2},{"id":3}],"o":{"k":"v"}}'
    expect(r("$input.path('$.pets').size() $input.path('$.pets')[1].id $input.path('$.o').k $input.path('$.o').get('k') $input.path('$.pets[-1:]')", { body })).toBe('3 2 v v [{"id":3}]')
  })

  it('map iteration: keySet(), get(), entrySet()', () => {
    const body = '{"things":{"a":{"n":1},"b":{"n":2}}}'
    expect(r("#foreach($k in $input.path('$.things').keySet())$k=$input.path(\"$.things.$k\").n #end", { body })).toBe('a=1 b=2 ')
    expect(r("#foreach($e in $input.path('$.things').entrySet())$e.key:$e.value.n,$e.getKey() #end", { body })).toBe('a:1,a b:2,b ')
  })
})

describe('$input.params()', () => {
  const input: TemplateInput = { path: { id: 'p-1', both: 'from-path' }, query: 'q=dogs&both=from-query&multi=1&multi=2', headers: { 'x-token': 'h', both: 'from-header', Accept: 'text/html' } }
  it('params(name) searches path, then query string, then header; missing is empty', () => {
    expect(r("$input.params('id') $input.params('q') $input.params('x-token') $input.params('both') [$input.params('none')]", input)).toBe('p-1 dogs h from-path []')
  })

  it('the last of repeated query values counts; header names are case-insensitive', () => {
    expect(r("$input.params('multi') $input.params('ACCEPT')", input)).toBe('2 text/html')
  })

  it('params() is a map of path, querystring and header (the developer guide loop)', () => {
    const t = `#set($all = $input.params())#foreach($type in $all.keySet())$type:#set($ps = $all.get($type))#foreach($name in $ps.keySet())$name=$ps.get($name)#if($foreach.hasNext),#end#end;#end`
    expect(r(t, { path: { id: '1' }, query: { a: 'x', b: ['y', 'z'] }, headers: { h: 'v' } })).toBe('path:id=1;querystring:a=x,b=z;header:h=v;')
    expect(r("$input.params().header.get('h') $input.params().path.id", { path: { id: '1' }, headers: { h: 'v' } })).toBe('v 1')
  })
})

describe('parameters in $input.params() shape', () => {
  it('params: { path, querystring, header } is accepted as the input', () => {
    expect(r("$input.params('id') $input.params('q') $input.params('H')", { params: { path: { id: '1' }, querystring: { q: 'x' }, header: { h: 'v' } } })).toBe('1 x v')
  })
})

describe('$context and $stageVariables', () => {
  const context = {
    requestId: 'req-1',
    stage: 'prod',
    httpMethod: 'POST',
    identity: { sourceIp: '192.0.2.1', apiKey: 'k' },
    authorizer: { principalId: 'user|a1b2', claims: { sub: 's-1', email: 'a@example.com' }, tier: 'gold' },
  }
  it('reads the documented names, including authorizer.* and identity.*', () => {
    expect(r('$context.requestId $context.stage $context.httpMethod $context.identity.sourceIp $context.identity.apiKey $context.authorizer.principalId $context.authorizer.claims.sub $context.authorizer.tier', { context })).toBe(
      'req-1 prod POST 192.0.2.1 k user|a1b2 s-1 gold',
    )
    expect(r("$context.authorizer.claims['email'] [$context.nothing] [$context.identity.user]", { context })).toBe('a@example.com [] []')
  })

  it('stage variables by property and by key; an undefined one renders empty', () => {
    const stageVariables = { url: 'example.com', 'v-1': 'x' }
    expect(r("$stageVariables.url ${stageVariables.url} $stageVariables['url'] [$stageVariables.nonExisting]", { stageVariables })).toBe('example.com example.com example.com []')
  })

  it('requestOverride and responseOverride are writable maps the caller reads back', () => {
    const t = compileTemplate(`#set($context.requestOverride.header.x-a = "1")#set($context.requestOverride.querystring.q = "2")#set($context.responseOverride.status = 404)$context.responseOverride.header.put('x-b', 'v') [$context.requestOverride.header.x-a]`)
    const res = t.render()
    expect(res.body).toBe(' [1]')
    expect(res.overrides.request.header).toEqual({ 'x-a': '1' })
    expect(res.overrides.request.querystring).toEqual({ q: '2' })
    expect(res.overrides.response.status).toBe(404)
    expect(res.overrides.response.header).toEqual({ 'x-b': 'v' })
  })
})
