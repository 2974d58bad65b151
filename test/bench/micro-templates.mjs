#!/usr/bin/env node
/**
 * Mapping templates, in-process: µs per render of sluice's compiled templates against velocityjs's
 * own interpreter (pre-parsed) on the same template and data. Runs the built `@sluice/core`
 * (`pnpm run build` first). Noisy on a shared machine: compare the two columns of one run only.
 *
 *   node test/bench/micro-templates.mjs [--round-ms 300] [--rounds 7]
 */
import { createRequire } from 'node:module'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { compileTemplate, mapResponse, prepareIntegrationResponses } from '@sluice/core'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const velocity = createRequire(resolve(ROOT, 'packages/core/package.json'))('velocityjs')

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '7' },
    'round-ms': { type: 'string', default: '300' },
  },
})
const rounds = Math.max(1, Number(args.rounds) | 0)
const roundMs = Math.max(10, Number(args['round-ms']))

/** A typical response template: a #foreach over 10 items read with $input.path. */
export const TYPICAL = `#set($pets = $input.path('$.pets'))
{"count": $pets.size(), "items": [
#foreach($p in $pets)
  {"id": $p.id, "name": "$util.escapeJavaScript($p.name)", "type": "$p.type", "price": $p.price}#if($foreach.hasNext),#end
#end
]}`
export const PASS_THROUGH = `$input.json('$')`
export const BODY = JSON.stringify({ pets: Array.from({ length: 10 }, (_, i) => ({ id: i + 1, name: `pet "${i}"`, type: i % 2 ? 'dog' : 'cat', price: 10 + i / 4 })) })
const SMALL_BODY = JSON.stringify({ id: 7, name: 'Rex', type: 'dog', tags: ['a', 'b'] })

let sink
function time(fn) {
  const until = performance.now() + 300
  while (performance.now() < until) sink = fn()
  const results = []
  for (let r = 0; r < rounds; r++) {
    let n = 0
    const start = performance.now()
    let now = start
    while (now - start < roundMs) {
      for (let i = 0; i < 100; i++) sink = fn()
      n += 100
      now = performance.now()
    }
    results.push(((now - start) * 1000) / n)
  }
  results.sort((a, b) => a - b)
  return { median: results[Math.floor(results.length / 2)], best: results[0] }
}

// velocityjs's interpreter, template parsed once, body parsed once (its best case)
const parsed = JSON.parse(BODY)
const vInput = { path: () => parsed.pets, json: () => JSON.stringify(parsed), body: BODY }
const vUtil = { escapeJavaScript: (s) => String(s).replace(/["'\\/]/g, (c) => `\\${c}`) }
const vTypical = new velocity.Compile(velocity.parse(TYPICAL))
const vPass = new velocity.Compile(velocity.parse(PASS_THROUGH))

const typical = compileTemplate(TYPICAL)
// the response-mapping step's own work around the template: selection, template by Accept, headers
const prepared = prepareIntegrationResponses([{ responseTemplates: { 'application/json': TYPICAL } }], undefined, 'bench')
const response = { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: Buffer.from(BODY) }
const pass = compileTemplate(PASS_THROUGH)

const cases = [
  ['velocityjs interpreter, typical (10-item #foreach, body pre-parsed)', () => vTypical.render({ input: vInput, util: vUtil })],
  ['sluice compiled, typical (10-item #foreach, parses the body)', () => typical.render({ body: BODY }).body],
  ['sluice compiled, typical (10-item #foreach, body pre-parsed)', () => typical.render({ body: BODY, json: parsed }).body],
  ['mapResponse: typical template on a 10-pet response (bytes to mapped response)', () => mapResponse(prepared, response, { accept: 'application/json' }).body],
  ['velocityjs interpreter, $input.json(\'$\') (pre-parsed)', () => vPass.render({ input: vInput })],
  ['sluice compiled, $input.json(\'$\') small body (parses it)', () => pass.render({ body: SMALL_BODY }).body],
  ['JSON.parse of the typical body alone (floor)', () => JSON.parse(BODY)],
]
console.log(`node ${process.version}, ${rounds} rounds of ${roundMs} ms (median µs/op, best in brackets); noisy on a shared machine`)
console.log('| case | µs/op |\n| --- | --- |')
for (const [name, fn] of cases) {
  const { median, best } = time(fn)
  console.log(`| ${name} | ${median.toFixed(2)} (${best.toFixed(2)}) |`)
}
if (sink === undefined) console.log('')
