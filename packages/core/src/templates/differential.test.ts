import fc from 'fast-check'
import velocity from 'velocityjs'
import { describe, expect, it } from 'vitest'
import { compileTemplate } from './render.js'

/**
 * Generated differential test: random templates from a grammar on which AWS's semantics and
 * velocityjs's agree (defined variables, integers, strings, #set, #if, #foreach, arithmetic without
 * division, comparisons, lists and maps read by index and key). The compiled output must equal
 * velocityjs's interpreter, byte for byte.
 */
const DATA = {
  name: 'Rex',
  word: 'a b',
  n: 3,
  m: 7,
  flag: true,
  off: false,
  list: [1, 2, 3],
  words: ['x', 'y'],
  people: [
    { name: 'Ann', age: 31 },
    { name: 'Bob', age: 27 },
  ],
  map: { key: 'value', n: 2 },
}

const ints = ['$n', '$m', '$map.n', '$people[0].age', '$people[1].age', '1', '2', '10']
const strs = ['$name', '$word', '$map.key', '$people[0].name', '$words[1]', '"lit"', "'single'", '"in $name"']
const text = fc.constantFrom('a', ' ', '\n', ',', '{', '}', '"', ':', '-', 'text ')

function templates(): fc.Arbitrary<string> {
  const intExpr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
    e: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom(...ints),
      fc.tuple(tie('e'), fc.constantFrom('+', '-', '*'), tie('e')).map(([a, op, b]) => `${a} ${op} ${b}`),
      tie('e').map((e) => `(${e})`),
    ),
  })).e
  const cond = fc.oneof(
    fc.constantFrom('$flag', '$off', '!$flag', '!$off'),
    fc.tuple(intExpr, fc.constantFrom('==', '!=', '<', '<=', '>', '>='), intExpr).map(([a, op, b]) => `${a} ${op} ${b}`),
    fc.tuple(fc.constantFrom(...strs), fc.constantFrom('==', '!='), fc.constantFrom(...strs)).map(([a, op, b]) => `${a} ${op} ${b}`),
  )
  const condExpr = fc.oneof(cond, fc.tuple(cond, fc.constantFrom('&&', '||'), cond).map(([a, op, b]) => `${a} ${op} ${b}`))
  const body: fc.Arbitrary<string> = fc.letrec<{ s: string }>((tie) => ({
    s: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      text,
      // formal references (${x}), so following text never extends a name
      fc.constantFrom(...[...strs, ...ints].filter((s) => s.startsWith('$')).map((s) => `\${${s.slice(1)}}`), '$!{nothing}', '$!{map.key}'),
      fc.tuple(fc.constantFrom('v1', 'v2'), fc.oneof(intExpr, fc.constantFrom(...strs))).map(([v, e]) => `#set($${v} = ${e})\${${v}}`),
      fc.tuple(condExpr, tie('s'), tie('s')).map(([c, a, b]) => `#if(${c})${a}#{else}${b}#{end}`),
      fc.tuple(condExpr, tie('s'), condExpr, tie('s')).map(([c, a, c2, b]) => `#if(${c})${a}#elseif(${c2})${b}#{end}`),
      fc.tuple(fc.constantFrom('$list', '$words', '[1..3]', '[3..1]'), tie('s')).map(([l, s]) => `#foreach($it in ${l})\${it}:${s}\${foreach.index}#if($foreach.hasNext),#{end}#{end}`),
      fc.tuple(tie('s')).map(([s]) => `#foreach($p in $people)\${p.name}=\${p.age} ${s}#{end}`),
      fc.array(tie('s'), { maxLength: 4 }).map((parts) => parts.join('')),
    ),
  })).s
  return fc.array(body, { minLength: 1, maxLength: 5 }).map((parts) => parts.join(''))
}

function ours(template: string): string {
  const prelude = Object.keys(DATA)
    .map((k) => `#set($${k} = $context.${k})`)
    .join('')
  // the prelude's line (directives only) prints nothing, its line break included
  return compileTemplate(`${prelude}\n${template}`).render({ context: structuredClone(DATA) }).body
}

describe('generated templates: compiled output equals velocityjs', () => {
  it('agrees on every generated template', () => {
    fc.assert(
      fc.property(templates(), (t) => {
        let reference: string
        try {
          reference = velocity.render(t, structuredClone(DATA))
        } catch {
          return // velocityjs cannot run it: nothing to compare
        }
        expect(ours(t), t).toBe(reference)
      }),
      { numRuns: 1500 },
    )
  })
})
