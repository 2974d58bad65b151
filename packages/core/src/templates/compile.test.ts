import velocity from 'velocityjs'
import { describe, expect, it } from 'vitest'
import { isSluiceConfigError } from '../errors.js'
import { compileTemplate, renderTemplate } from './render.js'
import { TemplateError } from './values.js'

/** Renders with plain data as the template's variables (through `$stageVariables`-free roots). */
function ours(template: string, data: Record<string, unknown>): string {
  // the engine's roots are $input, $util, $context, $stageVariables; plain data goes in with #set
  // from $context (a host object over a plain record), so every variable is defined identically
  const prelude = Object.keys(data)
    .map((k) => `#set($${k} = $context.${k})`)
    .join('')
  return compileTemplate(prelude + template).render({ context: data }).body
}

const DATA = {
  name: 'hello',
  n: 3,
  flag: true,
  off: false,
  list: [1, 2, 3, 4, 5],
  words: ['a', 'b', 'c'],
  people: [
    { name: 'Ann', age: 31 },
    { name: 'Bob', age: 27 },
  ],
  map: { key: 'value', other: 'thing' },
  a: 'x',
  b: 'x',
  c: 'y',
}

/**
 * The differential corpus: templates whose meaning AWS (Java Velocity) and velocityjs agree on. The
 * compiled output must equal velocityjs's interpreter on each. Deliberate differences (below) are
 * tested separately.
 */
const CORPUS = [
  'Hello $name!',
  'Hello ${name}world $!{name}',
  '$!nothing|',
  '#set($x = 1)$x',
  '#set($x = "q $name q")$x',
  "#set($x = 'q $name q')$x",
  '#if($flag)yes#else no#end',
  '#if($off)yes#{else}no#end',
  '#if($n > 3)big#elseif($n == 3)three#{else}small#end',
  '#if($n >= 3 && $n <= 3)eq#end #if($n < 2 || $flag)or#end #if(!$off)not#end',
  '#if($a == $b)same#end #if($a != $c)diff#end',
  '#foreach($i in $list)$i#if($foreach.hasNext),#end#end',
  '#foreach($i in $list)$foreach.index:$foreach.count:$velocityCount #end',
  '#foreach($i in [1..5])$i#end|#foreach($i in [3..1])$i#end',
  '#foreach($p in $people)$p.name=$p.age;#end',
  '#foreach($w in $words)#foreach($i in [1..2])$w$i #end#end',
  '$people[0].name $people[1].age $map.key $map["other"]',
  '#set($m = {"k": "v", "n": 2})$m.k$m.n',
  '#set($l = [1, "two", $name])$l[1] $l[2]',
  '$name.toUpperCase() $name.substring(1, 3) $name.indexOf("l") $name.startsWith("he") $name.endsWith("lo")',
  '$name.concat("!") $name.charAt(1) $name.toLowerCase().trim()',
  '#macro(greet $who)Hi $who!#end#greet("Ann") #greet($name)',
  '#define($block)inside $name#end$block and $block',
  '#set($x = 2 + 3 * 4)$x #set($y = (2 + 3) * 4)$y #set($z = 10 - 4)$z #set($w = 7 % 3)$w',
  '#set($neg = -5)$neg',
  '\\$name \\#if',
  '#[[raw $name #if]]#',
  '## a comment\nline #* block\ncomment *#end',
  'a\n#set($q = 1)\nb\n#if($flag)\nc\n#end\nd',
  '$name$name',
  '{"name": "$name", "items": [#foreach($i in $list)$i#if($foreach.hasNext), #end#end]}',
  '#set($s = "")#foreach($w in $words)#set($s = "$s$w")#end$s',
  '#if($people[0].age > $people[1].age)older#end',
  '#set($count = 0)#foreach($i in $list)#set($count = $count + $i)#end$count',
]

describe('compiled templates match velocityjs (the reference) where AWS agrees', () => {
  for (const template of CORPUS) {
    it(JSON.stringify(template), () => {
      const reference = velocity.render(template, structuredClone(DATA))
      expect(ours(template, structuredClone(DATA))).toBe(reference)
    })
  }
})

describe('deliberate differences from velocityjs (AWS / Java Velocity semantics)', () => {
  it('an undefined reference renders empty (velocityjs prints its text)', () => {
    expect(velocity.render('[$nothing]', {})).toBe('[$nothing]')
    expect(renderTemplate('[$nothing]')).toBe('[]')
  })

  it('integer division truncates, as in Java', () => {
    expect(ours('#set($x = 7 / 2)$x', {})).toBe('3')
    expect(ours('#set($x = 7.5 / 2)$x', {})).toBe('3.75')
    expect(ours('#set($x = 1 / 0)[$x]', {})).toBe('[]')
  })

  it('#set with a null right-hand side keeps the old value (Velocity 1.x)', () => {
    expect(ours('#set($x = 1)#set($x = $nothing)$x', {})).toBe('1')
  })

  it('empty strings and zero are true in #if; only null and false are false', () => {
    expect(ours('#if("")t#{else}f#end #if(0)t#{else}f#end #if($nothing)t#{else}f#end #if(false)t#{else}f#end', {})).toBe('t t f f')
  })

  it('lists built in a template print Java-style; maps Java-map style', () => {
    expect(ours('#set($l = [1, "a", {"k": "v"}])$l #set($m = {"a": [1, 2]})$m', {})).toBe('[1, a, {k=v}] {a=[1, 2]}')
  })

  it('Java string methods: length(), replaceAll (regex), matches (whole string), split, equalsIgnoreCase', () => {
    const t = `#set($s = "Hello World")$s.length() $s.replaceAll("o(.)", "0$1") $s.matches("H.*d") $s.matches("ello") $s.split(" ").size() $s.equalsIgnoreCase("hello world") $s.contains("lo W") $s.replace("l", "L")`
    expect(renderTemplate(t)).toBe('11 Hell0 W0rld true false 2 true true HeLLo WorLd')
  })

  it('#break ends the loop at once (velocityjs finishes the iteration)', () => {
    expect(velocity.render('#foreach($i in [1..5])#if($i == 3)#break#end$i#end', {})).toBe('123')
    expect(ours('#foreach($i in [1..5])#if($i == 3)#break#end$i#end', {})).toBe('12')
  })

  it('$foreach.first / last and iteration over a map’s values', () => {
    expect(ours('#foreach($v in $m)$v#if($foreach.first)<#end#if($foreach.last)>#end#end', { m: { a: 1, b: 2, c: 3 } })).toBe('1<23>')
  })
})

describe('security regressions (velocityjs attacks)', () => {
  it('$x.constructor.constructor("...") does not run code', () => {
    const t = '#set($x = {})$x.constructor.constructor("return process.version").call() $x.getClass() $x.__proto__'
    const out = renderTemplate(t, { body: '{"a":1}' })
    expect(out).not.toContain(process.version)
    expect(out.trim()).toBe('')
    expect(renderTemplate("$input.path('$').constructor.constructor('return process').call()", { body: '{}' })).toBe('')
    expect(renderTemplate('$util.constructor.constructor("return 1").call()')).toBe('')
    expect(renderTemplate('$context.constructor.name $input.constructor.name $util.escapeJavaScript.constructor')).toBe('  ')
  })

  it('#set through constructor.prototype / __proto__ does not pollute Object.prototype', () => {
    const templates = [
      '#set($target = {})#set($target.constructor.prototype.isAdmin = true)x',
      '#set($target = {})#set($target.__proto__.isAdmin = true)x',
      "#set($p = $input.path('$'))#set($p.constructor.prototype.isAdmin = true)#set($p['__proto__']['isAdmin'] = true)x",
      "#set($p = $input.path('$'))$p.put('__proto__', {'isAdmin': true})x",
      '#set($context.constructor.prototype.isAdmin = true)x',
    ]
    for (const t of templates) {
      renderTemplate(t, { body: '{"__proto__":{"isAdmin":true}}' })
      expect(({} as Record<string, unknown>).isAdmin, t).toBeUndefined()
      expect(Object.prototype).not.toHaveProperty('isAdmin')
    }
  })

  it('a JSON body with __proto__ is plain data', () => {
    expect(renderTemplate("$input.path('$.__proto__.x')", { body: '{"__proto__":{"x":"own"}}' })).toBe('own')
    expect(renderTemplate("$input.path('$.constructor')", { body: '{}' })).toBe('')
  })

  it('functions in the context are never called or printed', () => {
    const context = { fn: () => 'called', nested: { fn: () => 'called' } }
    expect(renderTemplate('[$context.fn][$context.fn()][$context.nested.fn()]', { context })).toBe('[][][]')
  })
})

describe('limits and failures', () => {
  it('#foreach stops after maxIterations (Velocity maxloops)', () => {
    const body = JSON.stringify({ l: Array.from({ length: 1500 }, (_, i) => i) })
    const out = renderTemplate("#foreach($i in $input.path('$.l'))x#end", { body })
    expect(out.length).toBe(1000)
    expect(compileTemplate('#foreach($i in [1..50])x#end', { maxIterations: 10 }).render().body).toBe('x'.repeat(10))
  })

  it('a render over its time budget fails with RENDER_BUDGET', () => {
    const t = compileTemplate('#foreach($a in [1..1000])#foreach($b in [1..1000])#foreach($c in [1..1000])#end#end#end', { timeBudgetMs: 20 })
    expect(() => t.render()).toThrow(TemplateError)
    try {
      t.render()
    } catch (e) {
      expect((e as TemplateError).code).toBe('RENDER_BUDGET')
    }
  })

  it('a string doubling past maxOutput fails with OUTPUT_TOO_LARGE', () => {
    const t = compileTemplate('#set($s = "ab")#foreach($i in [1..40])#set($s = "$s$s")#end$s.length()', { maxOutput: 1_000_000 })
    expect(() => t.render()).toThrow(/exceeds 1000000 characters/)
  })

  it('printing values with shared parts (exponential text) stops at the budget or the output cap', () => {
    for (const t of [
      '#set($x = [1])#foreach($i in [1..40])#set($x = [$x, $x])#end$x',
      '#set($x = {"a": 1})#foreach($i in [1..40])#set($x = {"a": $x, "b": $x})#end$x',
      "#set($x = [1])#foreach($i in [1..40])#set($x = [$x, $x])#end#set($m = $input.path('$'))#set($m.k = $x)$input.json('$')",
      '#set($x = [1])#foreach($i in [1..40])#set($x = [$x, $x])#end#set($a = [$x])#set($b = [$x])#if($a == $b)same#end',
    ]) {
      expect(() => compileTemplate(t, { timeBudgetMs: 50 }).render({ body: '{}' }), t).toThrow(TemplateError)
    }
    expect(() => compileTemplate('#set($x = [1])#foreach($i in [1..40])#set($x = [$x, $x])#end$x', { maxOutput: 1000 }).render()).toThrow(/more than 1000 characters/)
    // a cycle is an error too, never a hang
    expect(() => renderTemplate('#set($l = [1])#set($ignored = $l.add($l))$l')).toThrow(/contains itself/)
    expect(() => renderTemplate('#set($m = {})#set($m.self = $m)$m')).toThrow(/contains itself/)
  })

  it('recursive macros stop at maxDepth', () => {
    expect(() => renderTemplate('#macro(r $n)#r($n)#end#r(1)')).toThrow(/nested deeper than 20/)
  })

  it('templates over maxSize and unparseable templates are configuration errors', () => {
    let err: unknown
    try {
      compileTemplate('x'.repeat(11), { maxSize: 10 })
    } catch (e) {
      err = e
    }
    expect(isSluiceConfigError(err) && err.code === 'ERR_INVALID_TEMPLATE').toBe(true)
    expect(() => compileTemplate('#if($a')).toThrow(/ERR_INVALID_TEMPLATE/)
    expect(() => compileTemplate("$input.path('$..[')")).toThrow(/invalid JSONPath/)
    expect(() => compileTemplate('x', { maxIterations: -1 })).toThrow(/positive number/)
  })

  it('a regular expression that can backtrack catastrophically is refused, even from the payload', () => {
    expect(() => renderTemplate("$input.path('$.s').matches($input.path('$.re'))", { body: JSON.stringify({ s: 'a'.repeat(40) + '!', re: '(a+)+$' }) })).toThrow(/refused: a repeated group/)
    expect(renderTemplate('$input.body.replaceAll("\\s+", " ")', { body: 'a  b\n c' })).toBe('a b c')
  })

  it('failures name the method and where', () => {
    expect(() => renderTemplate('\n  $input.body.substring(5, 1)', { body: 'abc' })).toThrow(/substring.*line 2, column 3/)
  })

  it('a compiled template is reused: rendering never parses again', () => {
    const t = compileTemplate('$input.json(\'$.a\')')
    expect(t.render({ body: '{"a":[1]}' }).body).toBe('[1]')
    expect(t.render({ body: '{"a":"x"}' }).body).toBe('"x"')
  })
})
