/**
 * A safe JSONPath subset for `$input.path` / `$input.json`, compiled once per path. No script
 * evaluation: filters are limited to `@.path`, `@.path <op> literal` and `&&` / `||` of those.
 *
 * Supported: `$`, `.name`, `['name']`, `["name"]`, `[n]` (negative from the end), `[a,b]`,
 * `[start:end]`, `*` / `[*]`, `..name` / `..*` (deep scan), `[?(@.x)]`, `[?(@.x == 'v')]`
 * (`== != < <= > >=`), and a trailing `.length()`.
 * A definite path (names and single indexes only) yields the value or null; any other yields a list.
 */
import { equals, compare, own, TemplateError } from './values.js'

type Seg =
  | { k: 'name'; name: string }
  | { k: 'index'; i: number }
  | { k: 'names'; names: string[] }
  | { k: 'indexes'; is: number[] }
  | { k: 'slice'; start: number | undefined; end: number | undefined }
  | { k: 'wild' }
  | { k: 'deep'; seg: Seg }
  | { k: 'filter'; test: (node: unknown) => boolean }

/** A compiled path. */
export interface JsonPath {
  readonly source: string
  /** True when the path names one location (no wildcard, slice, union, filter or deep scan). */
  readonly definite: boolean
  evaluate(root: unknown): unknown
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

class Parser {
  i = 0
  constructor(readonly s: string) {}
  fail(what: string): never {
    throw new TemplateError('INVALID_JSON_PATH', `invalid JSONPath ${JSON.stringify(this.s)} at ${this.i}: ${what}`)
  }
  peek(): string {
    return this.s[this.i] ?? ''
  }
  ws(): void {
    while (this.peek() === ' ') this.i++
  }
  name(): string {
    const start = this.i
    while (this.i < this.s.length && !'.[]() \'"'.includes(this.peek())) this.i++
    if (this.i === start) this.fail('a name was expected')
    return this.s.slice(start, this.i)
  }
  quoted(): string {
    const q = this.peek()
    this.i++
    let out = ''
    while (this.i < this.s.length && this.peek() !== q) {
      if (this.peek() === '\\' && this.i + 1 < this.s.length) this.i++
      out += this.peek()
      this.i++
    }
    if (this.peek() !== q) this.fail('unterminated string')
    this.i++
    return out
  }
  int(): number {
    const m = /^-?\d+/.exec(this.s.slice(this.i))
    if (m === null) this.fail('a number was expected')
    this.i += m[0].length
    return Number(m[0])
  }
  literal(): unknown {
    this.ws()
    const c = this.peek()
    if (c === "'" || c === '"') return this.quoted()
    const m = /^(-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false|null)/.exec(this.s.slice(this.i))
    if (m === null) this.fail('a literal was expected')
    this.i += m[0].length
    return m[0] === 'true' ? true : m[0] === 'false' ? false : m[0] === 'null' ? null : Number(m[0])
  }
  /** `@.a.b` relative path inside a filter. */
  relative(): JsonPath {
    if (this.peek() !== '@') this.fail('a filter must start with @')
    this.i++
    const segs: Seg[] = []
    while (this.peek() === '.' || this.peek() === '[') {
      if (this.peek() === '.') {
        this.i++
        segs.push({ k: 'name', name: this.name() })
      } else segs.push(this.bracket())
    }
    return build('@', segs)
  }
  condition(): (node: unknown) => boolean {
    this.ws()
    const left = this.relative()
    this.ws()
    const m = /^(==|!=|<=|>=|<|>)/.exec(this.s.slice(this.i))
    let test: (node: unknown) => boolean
    if (m === null) {
      test = (node) => {
        const v = left.evaluate(node)
        return v !== undefined && v !== null
      }
    } else {
      this.i += m[0].length
      const op = m[0]
      const right = this.literal()
      test = (node) => {
        const v = left.evaluate(node)
        switch (op) {
          case '==':
            return v !== undefined && (right === null ? v === null : equals(v, right))
          case '!=':
            return !(v !== undefined && (right === null ? v === null : equals(v, right)))
          default:
            return compare(v, right, op as '<')
        }
      }
    }
    this.ws()
    if (this.s.startsWith('&&', this.i)) {
      this.i += 2
      const rest = this.condition()
      return (n) => test(n) && rest(n)
    }
    if (this.s.startsWith('||', this.i)) {
      this.i += 2
      const rest = this.condition()
      return (n) => test(n) || rest(n)
    }
    return test
  }
  bracket(): Seg {
    this.i++ // [
    this.ws()
    let seg: Seg
    const c = this.peek()
    if (c === '*') {
      this.i++
      seg = { k: 'wild' }
    } else if (c === '?') {
      this.i++
      if (this.peek() !== '(') this.fail('( expected')
      this.i++
      seg = { k: 'filter', test: this.condition() }
      this.ws()
      if (this.peek() !== ')') this.fail(') expected')
      this.i++
    } else if (c === "'" || c === '"') {
      const names = [this.quoted()]
      this.ws()
      while (this.peek() === ',') {
        this.i++
        this.ws()
        names.push(this.quoted())
        this.ws()
      }
      seg = names.length === 1 ? { k: 'name', name: names[0] as string } : { k: 'names', names }
    } else if (c === ':' || /[-\d]/.test(c)) {
      const first = c === ':' ? undefined : this.int()
      this.ws()
      if (this.peek() === ':') {
        this.i++
        this.ws()
        const end = /[-\d]/.test(this.peek()) ? this.int() : undefined
        seg = { k: 'slice', start: first, end }
      } else {
        const is = [first as number]
        while (this.peek() === ',') {
          this.i++
          this.ws()
          is.push(this.int())
          this.ws()
        }
        seg = is.length === 1 ? { k: 'index', i: is[0] as number } : { k: 'indexes', is }
      }
    } else this.fail('unsupported selector')
    this.ws()
    if (this.peek() !== ']') this.fail('] expected')
    this.i++
    return seg
  }
}

function step(seg: Seg, node: unknown, out: unknown[]): void {
  switch (seg.k) {
    case 'name':
      if (isObj(node) && Object.prototype.hasOwnProperty.call(node, seg.name)) out.push(node[seg.name])
      return
    case 'names':
      for (const n of seg.names) step({ k: 'name', name: n }, node, out)
      return
    case 'index':
      if (Array.isArray(node)) {
        const at = seg.i < 0 ? node.length + seg.i : seg.i
        if (at >= 0 && at < node.length) out.push(node[at])
      }
      return
    case 'indexes':
      for (const i of seg.is) step({ k: 'index', i }, node, out)
      return
    case 'slice':
      if (Array.isArray(node)) {
        const len = node.length
        const norm = (v: number | undefined, d: number): number => (v === undefined ? d : v < 0 ? Math.max(0, len + v) : Math.min(v, len))
        for (let i = norm(seg.start, 0); i < norm(seg.end, len); i++) out.push(node[i])
      }
      return
    case 'wild':
      if (Array.isArray(node)) out.push(...(node as unknown[]))
      else if (isObj(node)) for (const k of Object.keys(node)) out.push(node[k])
      return
    case 'filter':
      if (Array.isArray(node)) {
        for (const item of node as unknown[]) if (seg.test(item)) out.push(item)
      } else if (isObj(node) && seg.test(node)) out.push(node)
      return
    case 'deep': {
      const walk = (n: unknown): void => {
        step(seg.seg, n, out)
        if (Array.isArray(n)) for (const c of n as unknown[]) walk(c)
        else if (isObj(n)) for (const k of Object.keys(n)) walk(n[k])
      }
      walk(node)
      return
    }
  }
}

function build(source: string, segs: Seg[], length = false): JsonPath {
  const definite = segs.every((s) => s.k === 'name' || s.k === 'index')
  if (definite) {
    const evaluate = (root: unknown): unknown => {
      let node = root
      for (const s of segs) {
        if (s.k === 'name') {
          if (!isObj(node)) return null
          node = own(node, s.name)
        } else {
          if (!Array.isArray(node)) return null
          node = node[s.i < 0 ? node.length + s.i : s.i]
        }
        if (node === undefined) return null
      }
      if (length) return Array.isArray(node) ? node.length : isObj(node) ? Object.keys(node).length : typeof node === 'string' ? node.length : null
      return node
    }
    return { source, definite, evaluate }
  }
  const evaluate = (root: unknown): unknown => {
    let nodes: unknown[] = [root]
    for (const s of segs) {
      const next: unknown[] = []
      for (const n of nodes) step(s, n, next)
      nodes = next
    }
    return length ? nodes.length : nodes
  }
  return { source, definite, evaluate }
}

/** Compiles a JSONPath (a path not starting with `$` is read as relative to `$`). */
export function compileJsonPath(source: string): JsonPath {
  let src = source.trim()
  if (!src.startsWith('$')) src = src.startsWith('[') || src === '' ? `$${src}` : `$.${src}`
  const p = new Parser(src)
  p.i = 1
  const segs: Seg[] = []
  let length = false
  while (p.i < src.length) {
    const c = p.peek()
    if (c === '.') {
      p.i++
      if (p.peek() === '.') {
        p.i++
        if (p.peek() === '[') segs.push({ k: 'deep', seg: p.bracket() })
        else if (p.peek() === '*') {
          p.i++
          segs.push({ k: 'deep', seg: { k: 'wild' } })
        } else segs.push({ k: 'deep', seg: { k: 'name', name: p.name() } })
      } else if (p.peek() === '*') {
        p.i++
        segs.push({ k: 'wild' })
      } else {
        const name = p.name()
        if (name === 'length' && src.slice(p.i) === '()') {
          length = true
          p.i += 2
        } else segs.push({ k: 'name', name })
      }
    } else if (c === '[') segs.push(p.bracket())
    else p.fail('. or [ expected')
  }
  return build(source, segs, length)
}

const pathCache = new Map<string, JsonPath>()

/** {@link compileJsonPath}, cached (bounded) for paths that are not literals in the template. */
export function cachedJsonPath(source: string): JsonPath {
  let p = pathCache.get(source)
  if (p === undefined) {
    p = compileJsonPath(source)
    if (pathCache.size >= 512) pathCache.clear()
    pathCache.set(source, p)
  }
  return p
}
