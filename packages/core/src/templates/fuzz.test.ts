import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isSluiceConfigError } from '../errors.js'
import { compileTemplate } from './render.js'
import { setBudgetClock, TemplateError } from './values.js'

/**
 * Random templates from fragments (directives, references, gadget chains, junk). Each must compile
 * or be refused with a SluiceConfigError, render or throw an Error, never touch Object.prototype,
 * and stop at its time budget. Bounded in time: SLUICE_FUZZ_MS (default 20 s).
 *
 * The budget is checked on a counting clock (every read of it advances one "millisecond"), so the
 * check is deterministic: a render that reads the clock past its deadline must fail there with
 * RENDER_BUDGET, on any machine. A wall-clock bound stays as a hang detector for work between reads.
 */
const FUZZ_MS = Number(process.env.SLUICE_FUZZ_MS ?? 20_000)
const BUDGET_MS = 50

const fragment = fc.constantFrom(
  'a', ' ', '{', '}', '"', ',', '\n', ':', '=', '(', ')', '[', ']', "'", '\\', '#', '$', '!', '*', '.',
  '$input.body', "$input.json('$')", "$input.path('$.a')", "$input.path('$.l')", "$input.path('$..*')", "$input.params('q')", '$input.params()',
  '$x', '$x.y', '$x.constructor', '$x.constructor.constructor("return process")', '$x.__proto__', '$x.getClass()', '$x.toString()',
  '$context.requestId', '$context.authorizer.principalId', '$context.constructor', '$stageVariables.s', '$foreach.hasNext', '$velocityCount',
  '$util.escapeJavaScript($x)', '$util.parseJson($x)', '$util.urlDecode($x)', '$util.urlEncode($x)', '$util.base64Decode($x)',
  '$x.size()', '$x.get(0)', '$x[0]', '$x[-1]', '$x.keySet()', '$x.replaceAll("a+", "b")', '$x.split(",")', '$x.substring(1)', '$x.matches(".*")', '$x.put("__proto__", 1)', '$x.add($x)',
  "#set($x = $input.path('$'))", '#set($x = "$x$x")', '#set($x = [1..20])', '#set($x = [1..100000])', '#set($x.k = 1)', '#set($x = {"__proto__": {"polluted": 1}})',
  '#set($x.constructor.prototype.polluted = 1)', '#set($x.__proto__.polluted = 1)', "#set($x['__proto__']['polluted'] = 1)", '#set($x = $x + 1)', '#set($x = 1 / 0)', '#set($x = -$x)',
  '#foreach($i in $x)', '#foreach($i in [1..2000])', '#foreach($k in $x.keySet())', '#if($x)', '#if($x == "")', '#elseif($x > 1)', '#else', '#end', '#end', '#break',
  '#macro(m $a)', '#m($x)', '#define($d)', '$d', '#[[', ']]#', '##', '#*', '*#', '${x}', '$!x', '$!{x.y}',
)

const bodies = fc.oneof(
  fc.constant(''),
  fc.constant('{"a":"b","l":[1,2,3],"__proto__":{"polluted":1}}'),
  fc.constant('{"l":["a,b","c"],"a":{"deep":{"er":[{"x":1}]}}}'),
  fc.constant('not json'),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.string(),
)

function protoSnapshot(): string {
  return JSON.stringify([Object.getOwnPropertyNames(Object.prototype).sort(), Object.getOwnPropertyNames(Array.prototype).sort(), Object.getOwnPropertyNames(String.prototype).sort(), Object.getOwnPropertyNames(Function.prototype).sort()])
}

describe('fuzzed templates', () => {
  it(
    'never throw a non-Error, never change prototypes, never run far past the budget',
    () => {
      const before = protoSnapshot()
      let slowest = 0
      let rendered = 0
      let refused = 0
      let overBudget = 0
      fc.assert(
        fc.property(fc.array(fragment, { maxLength: 30 }), bodies, fc.string({ maxLength: 10 }), (parts, body, q) => {
          const source = parts.join('')
          let template
          try {
            template = compileTemplate(source, { timeBudgetMs: BUDGET_MS, maxOutput: 1_000_000 })
          } catch (e) {
            expect(isSluiceConfigError(e), `compile of ${JSON.stringify(source)} threw ${String(e)}`).toBe(true)
            refused++
            return
          }
          const start = performance.now()
          // the counting clock: the render starts at 0 and its deadline is BUDGET_MS reads later
          let reads = -1
          setBudgetClock(() => ++reads)
          try {
            template.render({ body, query: { q }, context: { requestId: 'r', authorizer: { principalId: 'p' } }, stageVariables: { s: 'v' } })
          } catch (e) {
            expect(e instanceof Error, `render of ${JSON.stringify(source)} threw a non-Error`).toBe(true)
            if (e instanceof TemplateError && e.code === 'RENDER_BUDGET') overBudget++
          } finally {
            setBudgetClock()
          }
          // the first read past the deadline (reads = BUDGET_MS + 1) ends the render
          expect(reads, `render of ${JSON.stringify(source)} went on past its budget`).toBeLessThanOrEqual(BUDGET_MS + 1)
          rendered++
          slowest = Math.max(slowest, performance.now() - start)
          expect(({} as Record<string, unknown>).polluted).toBeUndefined()
        }),
        { numRuns: 1_000_000, interruptAfterTimeLimit: FUZZ_MS, markInterruptAsFailure: false },
      )
      expect(protoSnapshot()).toBe(before)
      // the generator must reach the renderer, not only the parser
      expect(rendered).toBeGreaterThan(100)
      expect(refused).toBeGreaterThan(0)
      // and some renders run long enough to meet the budget (so the check above is exercised)
      expect(overBudget).toBeGreaterThan(0)
      // a hang bound (the budget is checked between steps), not a speed measurement: wide enough
      // for a busy 2-core CI machine, still failing if the budget check stops working
      expect(slowest).toBeLessThan(10_000)
    },
    FUZZ_MS + 60_000,
  )
})
