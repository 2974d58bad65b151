/**
 * `renderTemplate` in your own tests: render a mapping template against a request, as API Gateway
 * would, without a server. `compileTemplate` compiles once for many renders.
 */
import assert from 'node:assert/strict'
import { compileTemplate, renderTemplate } from '@sluice/core'

const template = `#set($pets = $input.path('$.pets'))
{"count": $pets.size(), "names": [#foreach($p in $pets)"$p.name"#if($foreach.hasNext),#end#end], "stage": "$context.stage", "q": "$input.params('q')"}`

const out = renderTemplate(template, {
  body: '{"pets":[{"name":"Rex"},{"name":"Tom"}]}',
  query: { q: 'dogs' },
  context: { stage: 'prod', requestId: 'test-1' },
})
assert.deepEqual(JSON.parse(out), { count: 2, names: ['Rex', 'Tom'], stage: 'prod', q: 'dogs' })

// AWS's rendering quirks: objects as Java maps, lists as JSON, a missing path as empty
assert.equal(renderTemplate(`$input.path('$.o') $input.path('$.l') [$input.path('$.none')]`, { body: '{"o":{"a":1},"l":[1,2]}' }), '{a=1} [1,2] []')

// compile once, render many times; overrides come back with the body
const mock = compileTemplate('#set($context.responseOverride.status = 201){"ok": true}', { timeBudgetMs: 50 })
const result = mock.render()
assert.equal(result.body, '{"ok": true}')
assert.equal(result.overrides.response.status, 201)
