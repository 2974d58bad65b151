/**
 * Compiles velocityjs's syntax tree into JavaScript closures, once per template. velocityjs stays
 * the parser (and the reference the tests compare with); rendering never walks the tree again.
 *
 * Every value access goes through `values.ts` / `methods.ts`, which read own properties and listed
 * methods only: a template cannot reach `constructor`, `__proto__` or any function in its data.
 */
import velocity from 'velocityjs'
import { Input } from './input.js'
import { compileJsonPath, type JsonPath } from './jsonpath.js'
import { callMethod, getIndex, getProperty } from './methods.js'
import {
  arithmetic,
  budgetNow,
  compare,
  Deferred,
  display,
  equals,
  HostObject,
  isMap,
  javaList,
  putOwn,
  TemplateError,
  truthy,
  type RenderState,
} from './values.js'

/** Renders a piece of output. */
export type Out = (st: CompileState) => string
/** Evaluates an expression. */
type Expr = (st: CompileState) => unknown

/** The render state compiled code runs with. */
export type CompileState = RenderState

// The syntax tree, as far as this compiler reads it (velocityjs's own types are looser).
interface Pos {
  first_line?: number
  first_column?: number
}
interface Node {
  type: string
  id?: unknown
  value?: unknown
  pos?: Pos
  leader?: string
  path?: Attr[]
  args?: Node[] | false
  equal?: [Node, Node]
  condition?: Node
  expression?: Node[]
  operator?: string
  from?: Node
  to?: string
  isEval?: boolean
  isRange?: boolean
}
interface Attr {
  type: 'property' | 'method' | 'index'
  id: string | Node
  args?: Node[] | false
}
type Raw = string | Node | Raw[]

/** A template could not be compiled (the message says where). */
export class TemplateSyntaxError extends Error {
  override readonly name = 'TemplateSyntaxError'
}

const EMPTY: Out = () => ''

/** The variables every render starts with, in their slots. */
export const SLOTS = ['input', 'util', 'context', 'stageVariables'] as const
const INPUT = 0

const where = (pos: Pos | undefined): string => (pos?.first_line === undefined ? '' : ` at line ${pos.first_line}, column ${(pos.first_column ?? 0) + 1}`)

/** Checks the render's time budget every so many steps. */
export function spend(st: CompileState): void {
  if (--st.tick > 0) return
  st.tick = 64
  if (budgetNow() > st.deadline) throw new TemplateError('RENDER_BUDGET', `mapping template exceeded its render time budget of ${st.limits.timeBudgetMs} ms`)
}

function out(v: unknown, st: CompileState): string {
  if (typeof v === 'string') return v
  if (v instanceof Deferred) return v.render(st)
  return display(v)
}

function containsBreak(nodes: readonly Raw[]): boolean {
  for (const n of nodes) {
    if (Array.isArray(n)) {
      // a nested #foreach catches its own #break
      if ((n[0] as Node | undefined)?.type !== 'foreach' && containsBreak(n)) return true
    } else if (typeof n === 'object' && n.type === 'break') return true
  }
  return false
}

/** Concatenates parts, merging constants; `breakable` stops at a `#break`. */
function sequence(parts: Array<Out | string>, breakable: boolean): Out {
  const merged: Array<Out | string> = []
  for (const p of parts) {
    const last = merged[merged.length - 1]
    if (typeof p === 'string' && typeof last === 'string') merged[merged.length - 1] = last + p
    else if (p !== '') merged.push(p)
  }
  const n = merged.length
  if (n === 0) return EMPTY
  if (n === 1) {
    const only = merged[0] as Out | string
    return typeof only === 'string' ? () => only : only
  }
  if (breakable) {
    return (st) => {
      let o = ''
      for (let i = 0; i < n; i++) {
        const p = merged[i] as Out | string
        o += typeof p === 'string' ? p : p(st)
        if (st.brk) break
      }
      return o
    }
  }
  if (n === 2) {
    const [a, b] = merged as [Out | string, Out | string]
    if (typeof a === 'string') return (st) => a + (b as Out)(st)
    if (typeof b === 'string') return (st) => a(st) + b
    return (st) => a(st) + b(st)
  }
  if (n === 3) {
    const [a, b, c] = merged as [Out | string, Out | string, Out | string]
    if (typeof a === 'string' && typeof c === 'string') return (st) => a + (b as Out)(st) + c
  }
  return (st) => {
    let o = ''
    for (let i = 0; i < n; i++) {
      const p = merged[i] as Out | string
      o += typeof p === 'string' ? p : p(st)
    }
    return o
  }
}

interface Macro {
  readonly params: string[]
  readonly body: Raw[]
  compiled?: Out
}

/** The compiler of one template. */
export class Compiler {
  readonly macros = new Map<string, Macro>()
  /** Variable name → slot in the render's variable array (resolved now, not at render time). */
  readonly slots = new Map<string, number>(SLOTS.map((n, i) => [n, i]))

  slot(name: string): number {
    let i = this.slots.get(name)
    if (i === undefined) {
      i = this.slots.size
      this.slots.set(name, i)
    }
    return i
  }

  /** Parses and compiles a template. Throws {@link TemplateSyntaxError}. */
  static compile(source: string): { out: Out; slots: number } {
    let ast: Raw[]
    try {
      ast = velocity.parse(source) as unknown as Raw[]
    } catch (e) {
      throw new TemplateSyntaxError(`cannot parse the template: ${(e as Error).message.split('\n').slice(0, 3).join(' ')}`)
    }
    const c = new Compiler()
    c.collectMacros(ast)
    const out = c.nodes(ast)
    for (const m of c.macros.values()) m.compiled ??= c.nodes(m.body)
    return { out, slots: c.slots.size }
  }

  collectMacros(nodes: readonly Raw[]): void {
    for (const n of nodes) {
      if (!Array.isArray(n)) continue
      const head = n[0] as Node | undefined
      if (head?.type === 'macro') {
        const params = ((head.args || []) as Node[]).map((a) => String(a.id))
        this.macros.set(String(head.id), { params, body: n.slice(1) })
      }
      this.collectMacros(n.slice(1))
    }
  }

  nodes(nodes: readonly Raw[], breakable = containsBreak(nodes)): Out {
    const parts: Array<Out | string> = []
    for (const n of nodes) {
      if (typeof n === 'string') parts.push(n)
      else if (Array.isArray(n)) parts.push(this.block(n))
      else {
        const p = this.node(n)
        if (p !== undefined) parts.push(p)
      }
    }
    return sequence(parts, breakable)
  }

  node(n: Node): Out | string | undefined {
    switch (n.type) {
      case 'references': {
        const e = this.ref(n)
        return (st) => out(e(st), st)
      }
      case 'set':
        return this.set(n)
      case 'comment':
        return undefined
      case 'raw':
      case 'content':
        return String(n.value ?? '')
      case 'macro_call':
        return this.macroCall(n, undefined)
      case 'break':
        return (st) => {
          st.brk = true
          return ''
        }
      default:
        throw new TemplateSyntaxError(`unsupported directive "${n.type}"${where(n.pos)}`)
    }
  }

  block(b: Raw[]): Out {
    const head = b[0] as Node
    const body = b.slice(1)
    switch (head.type) {
      case 'if':
        return this.ifBlock(head, body)
      case 'foreach':
        return this.foreach(head, body)
      case 'macro':
        return EMPTY
      case 'define': {
        const slot = this.slot(String(head.id))
        const render = this.nodes(body)
        return (st) => {
          st.vars[slot] = new Deferred(render)
          return ''
        }
      }
      case 'macro_body': {
        const content = this.nodes(body)
        return this.macroCall(head, content)
      }
      default:
        return this.nodes(body)
    }
  }

  ifBlock(head: Node, body: Raw[]): Out {
    const conds: Expr[] = [this.expr(head.condition as Node)]
    const branches: Raw[][] = [[]]
    for (const n of body) {
      if (typeof n === 'object' && !Array.isArray(n) && (n.type === 'elseif' || n.type === 'else')) {
        conds.push(n.type === 'else' ? () => true : this.expr(n.condition as Node))
        branches.push([])
      } else (branches[branches.length - 1] as Raw[]).push(n)
    }
    const outs = branches.map((br) => this.nodes(br))
    if (conds.length === 1) {
      const [c, o] = [conds[0] as Expr, outs[0] as Out]
      return (st) => (truthy(c(st)) ? o(st) : '')
    }
    if (conds.length === 2) {
      const [c1, c2] = conds as [Expr, Expr]
      const [o1, o2] = outs as [Out, Out]
      return (st) => (truthy(c1(st)) ? o1(st) : truthy(c2(st)) ? o2(st) : '')
    }
    return (st) => {
      for (let i = 0; i < conds.length; i++) if (truthy((conds[i] as Expr)(st))) return (outs[i] as Out)(st)
      return ''
    }
  }

  foreach(head: Node, body: Raw[]): Out {
    const from = this.expr(head.from as Node)
    const item = this.slot(String(head.to))
    const loopSlot = this.slot('foreach')
    const countSlot = this.slot('velocityCount')
    const render = this.nodes(body)
    return (st) => {
      const source = from(st)
      let items: readonly unknown[]
      if (Array.isArray(source)) items = source
      else if (isMap(source)) items = Object.values(source)
      else return ''
      const vars = st.vars
      const n = Math.min(items.length, st.limits.maxIterations)
      const prevItem = vars[item]
      const prevLoop = vars[loopSlot]
      const prevCount = vars[countSlot]
      const loop = new Loop(items.length)
      vars[loopSlot] = loop
      let o = ''
      try {
        for (let i = 0; i < n; i++) {
          spend(st)
          loop.index = i
          vars[item] = items[i]
          vars[countSlot] = i + 1
          o += render(st)
          if (o.length > st.limits.maxOutput) throw new TemplateError('OUTPUT_TOO_LARGE', `mapping template output exceeds ${st.limits.maxOutput} characters`)
          if (st.brk) {
            st.brk = false
            break
          }
        }
      } finally {
        vars[item] = prevItem
        vars[loopSlot] = prevLoop
        vars[countSlot] = prevCount
      }
      return o
    }
  }

  macroCall(n: Node, content: Out | undefined): Out {
    const name = String(n.id)
    const args = ((n.args || []) as Node[]).map((a) => this.expr(a))
    const macros = this.macros
    const bodySlot = this.slot('bodyContent')
    const paramSlots = new Map<string, number[]>()
    for (const [k, m] of macros) paramSlots.set(k, m.params.map((p) => this.slot(p)))
    return (st) => {
      const m = macros.get(name)
      if (m === undefined) return ''
      m.compiled ??= this.nodes(m.body)
      if (++st.depth > st.limits.maxDepth) throw new TemplateError('DEPTH', `macro #${name} nested deeper than ${st.limits.maxDepth}${where(n.pos)}`)
      spend(st)
      const vars = st.vars
      const ps = paramSlots.get(name) ?? []
      const values = ps.map((_, i) => {
        const f = args[i]
        return f === undefined ? undefined : f(st)
      })
      const saved = ps.map((p) => vars[p])
      const savedBody = vars[bodySlot]
      try {
        ps.forEach((p, i) => (vars[p] = values[i]))
        if (content !== undefined) vars[bodySlot] = new Deferred(content)
        return (m.compiled as Out)(st)
      } finally {
        ps.forEach((p, i) => (vars[p] = saved[i]))
        vars[bodySlot] = savedBody
        st.depth--
      }
    }
  }

  set(n: Node): Out {
    const [left, right] = n.equal as [Node, Node]
    const value = this.expr(right)
    const slot = this.slot(String(left.id))
    const path = left.path ?? []
    if (path.length === 0) {
      return (st) => {
        const v = value(st)
        // Velocity: a null right-hand side leaves the variable as it was
        if (v !== undefined && v !== null) st.vars[slot] = v
        return ''
      }
    }
    const target = this.chain((st) => st.vars[slot], path.slice(0, -1), left)
    const last = path[path.length - 1] as Attr
    if (last.type === 'method') throw new TemplateSyntaxError(`cannot #set a method call${where(n.pos)}`)
    const key: Expr = last.type === 'property' ? () => last.id as string : this.expr(last.id as Node)
    return (st) => {
      const v = value(st)
      if (v === undefined || v === null) return ''
      const t = target(st)
      const k = key(st)
      if (Array.isArray(t)) {
        if (typeof k === 'number' && Number.isInteger(k) && k >= 0 && k < t.length) t[k] = v
      } else if (isMap(t)) putOwn(t, display(k), v)
      return ''
    }
  }

  ref(n: Node): Expr {
    if (n.args !== undefined && n.args !== false) return () => undefined
    const name = String(n.id)
    const path = n.path ?? []
    const first = path[0]
    // $input.path('literal') / $input.json('literal'): the path is compiled now
    const arg0 = first?.type === 'method' && first.args && first.args.length === 1 ? first.args[0] : undefined
    if (name === 'input' && (first?.id === 'path' || first?.id === 'json') && arg0?.type === 'string' && (arg0.isEval !== true || !/[$#]/.test(String(arg0.value)))) {
      const literal = String(arg0.value)
      let jp: JsonPath
      try {
        jp = compileJsonPath(literal)
      } catch (e) {
        throw new TemplateSyntaxError(`${(e as Error).message}${where(n.pos)}`)
      }
      const method = (first as Attr).id
      const head: Expr =
        method === 'path'
          ? (st) => {
              const i = st.vars[INPUT]
              return i instanceof Input ? i.path(jp) : callMethod(i, 'path', [literal], st)
            }
          : (st) => {
              const i = st.vars[INPUT]
              return i instanceof Input ? i.json(jp) : callMethod(i, 'json', [literal], st)
            }
      return this.chain(head, path.slice(1), n)
    }
    const slot = this.slot(name)
    return this.chain((st) => st.vars[slot], path, n)
  }

  chain(head: Expr, path: readonly Attr[], n: Node): Expr {
    let e = head
    for (const a of path) {
      const prev = e
      if (a.type === 'property') {
        const name = a.id as string
        e = (st) => getProperty(prev(st), name)
      } else if (a.type === 'index') {
        const key = this.expr(a.id as Node)
        e = (st) => getIndex(prev(st), key(st))
      } else {
        const name = a.id as string
        const args = ((a.args || []) as Node[]).map((x) => this.expr(x))
        const at = where(n.pos)
        const call = (st: CompileState, target: unknown, values: unknown[]): unknown => {
          try {
            return callMethod(target, name, values, st)
          } catch (err) {
            if (err instanceof TemplateError) err.message += ` (in .${name}()${at})`
            throw err
          }
        }
        if (args.length === 0) e = (st) => call(st, prev(st), [])
        else if (args.length === 1) {
          const [a0] = args as [Expr]
          e = (st) => call(st, prev(st), [a0(st)])
        } else e = (st) => call(st, prev(st), args.map((f) => f(st)))
      }
    }
    return e
  }

  expr(n: Node): Expr {
    switch (n.type) {
      case 'references':
        return this.ref(n)
      case 'string': {
        const s = String(n.value)
        if (n.isEval === true && (s.includes('$') || s.includes('#'))) {
          let inner: Out
          try {
            const ast = velocity.parse(s) as unknown as Raw[]
            this.collectMacros(ast)
            inner = this.nodes(ast)
          } catch (e) {
            if (e instanceof TemplateSyntaxError) throw e
            throw new TemplateSyntaxError(`cannot parse the string "${s}"${where(n.pos)}`)
          }
          return (st) => {
            const v = inner(st)
            if (v.length > st.limits.maxOutput) throw new TemplateError('OUTPUT_TOO_LARGE', `a string in the mapping template exceeds ${st.limits.maxOutput} characters`)
            return v
          }
        }
        return () => s
      }
      case 'integer': {
        const v = typeof n.value === 'number' ? n.value : parseInt(String(n.value), 10)
        return () => v
      }
      case 'decimal': {
        const v = parseFloat(String(n.value))
        return () => v
      }
      case 'bool': {
        const v = n.value === 'true' ? true : n.value === 'false' ? false : null
        return () => v
      }
      case 'runt': {
        const v = String(n.value)
        return () => v
      }
      case 'array':
        return n.isRange === true ? this.range(n) : this.list(n)
      case 'map': {
        const value = (n.value ?? {}) as Record<string, Node>
        const entries = Object.keys(value).map((k) => [k, this.expr(value[k] as Node)] as const)
        return (st) => {
          const m: Record<string, unknown> = {}
          for (const [k, f] of entries) putOwn(m, k, f(st))
          return m
        }
      }
      case 'math':
        return this.math(n)
      default:
        throw new TemplateSyntaxError(`unsupported expression "${n.type}"${where(n.pos)}`)
    }
  }

  list(n: Node): Expr {
    const items = (n.value as Node[]).map((x) => this.expr(x))
    return (st) => javaList(items.map((f) => f(st)))
  }

  range(n: Node): Expr {
    const ends = (n.value as Array<Node | string | number>).map((x): Expr => {
      if (typeof x === 'string') {
        const v = parseInt(x, 10)
        return () => v
      }
      if (typeof x === 'number') return () => x
      return this.expr(x)
    })
    const [from, to] = ends as [Expr, Expr]
    return (st) => {
      const a = from(st)
      const b = to(st)
      if (typeof a !== 'number' || typeof b !== 'number' || !Number.isInteger(a) || !Number.isInteger(b)) return javaList([])
      const len = Math.min(Math.abs(b - a) + 1, st.limits.maxIterations)
      const step = a <= b ? 1 : -1
      const outList: number[] = []
      for (let i = 0; i < len; i++) outList.push(a + i * step)
      return javaList(outList)
    }
  }

  math(n: Node): Expr {
    const [x, y] = (n.expression ?? []).map((e) => this.expr(e)) as [Expr, Expr | undefined]
    const op = n.operator ?? ''
    const b = y as Expr
    switch (op) {
      case 'parenthesis':
        return x
      case 'not':
        return (st) => !truthy(x(st))
      case 'minus':
        return (st) => {
          const v = x(st)
          return typeof v === 'number' ? -v : null
        }
      case '&&':
        return (st) => truthy(x(st)) && truthy(b(st))
      case '||':
        return (st) => truthy(x(st)) || truthy(b(st))
      case '==':
        return (st) => equals(x(st), b(st))
      case '!=':
        return (st) => !equals(x(st), b(st))
      case '<':
      case '<=':
      case '>':
      case '>=':
        return (st) => compare(x(st), b(st), op)
      case '+':
      case '-':
      case '*':
      case '/':
      case '%':
        return (st) => {
          const v = arithmetic(op, x(st), b(st))
          if (typeof v === 'string' && v.length > st.limits.maxOutput) throw new TemplateError('OUTPUT_TOO_LARGE', `a string in the mapping template exceeds ${st.limits.maxOutput} characters`)
          return v
        }
      default:
        throw new TemplateSyntaxError(`unsupported operator "${op}"${where(n.pos)}`)
    }
  }
}


/** `$foreach`: `index` (from 0), `count` (from 1), `hasNext`, `first`, `last`. */
class Loop extends HostObject {
  index = 0
  constructor(readonly size: number) {
    super()
  }
  prop(name: string): unknown {
    switch (name) {
      case 'index':
        return this.index
      case 'count':
        return this.index + 1
      case 'hasNext':
        return this.index + 1 < this.size
      case 'first':
        return this.index === 0
      case 'last':
        return this.index + 1 === this.size
      default:
        return undefined
    }
  }
  call(name: string): unknown {
    const getter = /^(?:get|is)([A-Z]\w*)$/.exec(name)
    if (getter !== null) return this.prop((getter[1] as string).charAt(0).toLowerCase() + (getter[1] as string).slice(1))
    return name === 'hasNext' ? this.prop('hasNext') : undefined
  }
  display(): string {
    return ''
  }
}
