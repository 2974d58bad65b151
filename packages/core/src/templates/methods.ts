/**
 * The Java methods templates call on values (`$s.replaceAll(...)`, `$list.size()`, `$map.keySet()`),
 * dispatched here by the value's kind. Methods live in null-prototype tables: a name that is not a
 * listed method (`constructor`, `getClass`, `__proto__`) finds nothing and renders empty.
 */
import { unsafeRegexReason } from './regex-safety.js'
import { display, equals, HostObject, isMap, javaList, own, putOwn, TemplateError, type RenderState } from './values.js'

type Method<T> = (self: T, args: readonly unknown[]) => unknown

const table = <T>(methods: Record<string, Method<T>>): Record<string, Method<T>> => Object.assign(Object.create(null) as Record<string, Method<T>>, methods)

const str = (v: unknown): string => display(v)
const int = (v: unknown, what: string): number => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN
  if (!Number.isInteger(n)) throw new TemplateError('INVALID_ARGUMENT', `${what} needs an integer argument`)
  return n
}

const regexCache = new Map<string, RegExp>()
const REGEX_CACHE_SIZE = 256

/**
 * A Java regular expression as a JavaScript one: `(?i)` at the start becomes the `i` flag,
 * `\A` / `\z` / `\Z` become anchors, possessive quantifiers become greedy ones. Cached.
 */
export function javaRegex(source: string, global: boolean, whole = false): RegExp {
  const key = `${global ? 'g' : '-'}${whole ? 'w' : '-'}${source}`
  let re = regexCache.get(key)
  if (re !== undefined) return re
  // a template's pattern may come from the payload: one that can backtrack catastrophically is refused
  const unsafe = unsafeRegexReason(source)
  if (unsafe !== undefined) throw new TemplateError('INVALID_ARGUMENT', `regular expression ${JSON.stringify(source)} refused: ${unsafe}`)
  let flags = global ? 'g' : ''
  let src = source
  const inline = /^\(\?([imsx]+)\)/.exec(src)
  if (inline !== null) {
    src = src.slice(inline[0].length)
    for (const f of inline[1] ?? '') if ((f === 'i' || f === 'm' || f === 's') && !flags.includes(f)) flags += f
  }
  src = src.replace(/\\[AzZ]|([*+?}])\+/g, (m, q: string | undefined) => (q !== undefined ? q : m === '\\A' ? '^' : '$'))
  if (whole) src = `^(?:${src})$`
  try {
    re = new RegExp(src, flags)
  } catch (e) {
    throw new TemplateError('INVALID_ARGUMENT', `invalid regular expression ${JSON.stringify(source)}: ${(e as Error).message}`)
  }
  if (regexCache.size >= REGEX_CACHE_SIZE) regexCache.clear()
  regexCache.set(key, re)
  return re
}

/** A Java replacement string (`$1`, `\$`) as a JavaScript one. */
function javaReplacement(rep: string): string {
  let out = ''
  for (let i = 0; i < rep.length; i++) {
    const c = rep[i] as string
    if (c === '\\' && i + 1 < rep.length) {
      const n = rep[++i] as string
      out += n === '$' ? '$$' : n
    } else if (c === '$' && /[0-9]/.test(rep[i + 1] ?? '')) {
      out += '$'
    } else if (c === '$' && rep[i + 1] === '{') {
      const end = rep.indexOf('}', i)
      if (end === -1) throw new TemplateError('INVALID_ARGUMENT', `invalid replacement ${JSON.stringify(rep)}`)
      out += `$<${rep.slice(i + 2, end)}>`
      i = end
    } else out += c === '$' ? '$$' : c
  }
  return out
}

/** Java's `String.split`: a regex, trailing empty strings removed (limit 0). */
function javaSplit(s: string, regex: string, limit?: number): string[] {
  const re = javaRegex(regex, true)
  const parts: string[] = []
  let last = 0
  re.lastIndex = 0
  let m: RegExpExecArray | null
  while ((m = re.exec(s)) !== null) {
    if (m[0] === '') {
      re.lastIndex++
      if (m.index === 0 || m.index >= s.length) continue
    }
    if (limit !== undefined && limit > 0 && parts.length === limit - 1) break
    parts.push(s.slice(last, m.index))
    last = m.index + m[0].length
  }
  parts.push(s.slice(last))
  if (limit === undefined || limit === 0) while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop()
  if (s === '') return javaList([''])
  return javaList(parts)
}

const outOfRange = (what: string): never => {
  throw new TemplateError('INVALID_ARGUMENT', `${what}: index out of range`)
}

const STRING = table<string>({
  length: (s) => s.length,
  size: (s) => s.length,
  isEmpty: (s) => s.length === 0,
  contains: (s, [a]) => s.includes(str(a)),
  startsWith: (s, [a, off]) => s.startsWith(str(a), off === undefined ? 0 : int(off, 'startsWith')),
  endsWith: (s, [a]) => s.endsWith(str(a)),
  indexOf: (s, [a, from]) => s.indexOf(str(a), from === undefined ? 0 : int(from, 'indexOf')),
  lastIndexOf: (s, [a]) => s.lastIndexOf(str(a)),
  substring: (s, [b, e]) => {
    const begin = int(b, 'substring')
    const end = e === undefined ? s.length : int(e, 'substring')
    if (begin < 0 || end > s.length || begin > end) outOfRange('substring')
    return s.slice(begin, end)
  },
  charAt: (s, [i]) => {
    const at = int(i, 'charAt')
    if (at < 0 || at >= s.length) outOfRange('charAt')
    return s[at]
  },
  toLowerCase: (s) => s.toLowerCase(),
  toUpperCase: (s) => s.toUpperCase(),
  trim: (s) => {
    // Java's trim: every character up to U+0020 at either end
    let a = 0
    let b = s.length
    while (a < b && s.charCodeAt(a) <= 0x20) a++
    while (b > a && s.charCodeAt(b - 1) <= 0x20) b--
    return s.slice(a, b)
  },
  strip: (s) => s.trim(),
  concat: (s, [a]) => s + str(a),
  equals: (s, [a]) => typeof a === 'string' && s === a,
  equalsIgnoreCase: (s, [a]) => typeof a === 'string' && s.toLowerCase() === a.toLowerCase(),
  compareTo: (s, [a]) => {
    const o = str(a)
    return s < o ? -1 : s > o ? 1 : 0
  },
  matches: (s, [re]) => javaRegex(str(re), false, true).test(s),
  replaceAll: (s, [re, rep]) => s.replace(javaRegex(str(re), true), javaReplacement(str(rep))),
  replaceFirst: (s, [re, rep]) => s.replace(javaRegex(str(re), false), javaReplacement(str(rep))),
  replace: (s, [a, b]) => s.split(str(a)).join(str(b)),
  split: (s, [re, limit]) => javaSplit(s, str(re), limit === undefined ? undefined : int(limit, 'split')),
  toString: (s: string) => s,
  hashCode: (s) => {
    let h = 0
    for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0
    return h
  },
})

const NUMBER = table<number>({
  toString: (n: number) => display(n),
  intValue: (n) => Math.trunc(n) | 0,
  longValue: (n) => Math.trunc(n),
  doubleValue: (n) => n,
  floatValue: (n) => n,
  equals: (n, [a]) => a === n,
  compareTo: (n, [a]) => (typeof a === 'number' ? Math.sign(n - a) : null),
})

const BOOLEAN = table<boolean>({
  toString: (b: boolean) => display(b),
  booleanValue: (b) => b,
  equals: (b, [a]) => a === b,
})

const index = (list: readonly unknown[], i: unknown, what: string): number => {
  const at = int(i, what)
  if (at < 0 || at >= list.length) outOfRange(what)
  return at
}

const LIST = table<unknown[]>({
  size: (l) => l.length,
  length: (l) => l.length,
  isEmpty: (l) => l.length === 0,
  get: (l, [i]) => l[index(l, i, 'get')],
  contains: (l, [a]) => l.some((x) => equals(x, a)),
  indexOf: (l, [a]) => l.findIndex((x) => equals(x, a)),
  add: (l, args) => {
    if (args.length >= 2) {
      const at = int(args[0], 'add')
      if (at < 0 || at > l.length) outOfRange('add')
      l.splice(at, 0, args[1])
      return undefined
    }
    l.push(args[0] ?? null)
    return true
  },
  addAll: (l, [a]) => {
    if (!Array.isArray(a)) return false
    l.push(...(a as unknown[]))
    return a.length > 0
  },
  set: (l, [i, v]) => {
    const at = index(l, i, 'set')
    const prev = l[at]
    l[at] = v
    return prev
  },
  remove: (l, [a]) => {
    if (typeof a === 'number') return l.splice(index(l, a, 'remove'), 1)[0]
    const at = l.findIndex((x) => equals(x, a))
    if (at === -1) return false
    l.splice(at, 1)
    return true
  },
  subList: (l, [a, b]) => {
    const from = int(a, 'subList')
    const to = int(b, 'subList')
    if (from < 0 || to > l.length || from > to) outOfRange('subList')
    return javaList(l.slice(from, to))
  },
  clear: (l) => {
    l.length = 0
    return undefined
  },
  toString: (l: unknown[]) => display(l),
  equals: (l, [a]) => equals(l, a),
})

/** An entry of `$map.entrySet()`: `$e.key` / `$e.getKey()`, `$e.value` / `$e.getValue()`. */
export class MapEntry extends HostObject {
  constructor(
    readonly key: string,
    readonly value: unknown,
  ) {
    super()
  }
  prop(name: string): unknown {
    return name === 'key' ? this.key : name === 'value' ? this.value : undefined
  }
  call(name: string): unknown {
    return name === 'getKey' ? this.key : name === 'getValue' ? this.value : name === 'toString' ? this.display() : undefined
  }
  display(): string {
    return `${this.key}=${display(this.value)}`
  }
  override toJSON(): unknown {
    return { key: this.key, value: this.value }
  }
}

const MAP = table<Record<string, unknown>>({
  get: (m, [k]) => own(m, str(k)),
  containsKey: (m, [k]) => Object.prototype.hasOwnProperty.call(m, str(k)),
  containsValue: (m, [v]) => Object.values(m).some((x) => equals(x, v)),
  put: (m, [k, v]) => {
    const key = str(k)
    const prev = own(m, key)
    putOwn(m, key, v)
    return prev
  },
  putAll: (m, [o]) => {
    if (isMap(o)) for (const k of Object.keys(o)) putOwn(m, k, o[k])
    return undefined
  },
  remove: (m, [k]) => {
    const key = str(k)
    const prev = own(m, key)
    if (prev !== undefined || Object.prototype.hasOwnProperty.call(m, key)) delete m[key]
    return prev
  },
  keySet: (m) => javaList(Object.keys(m)),
  values: (m) => javaList(Object.values(m)),
  entrySet: (m) => javaList(Object.keys(m).map((k) => new MapEntry(k, m[k]))),
  size: (m) => Object.keys(m).length,
  isEmpty: (m) => Object.keys(m).length === 0,
  toString: (m: Record<string, unknown>) => display(m),
  equals: (m, [a]) => equals(m, a),
})

/** Calls `name(args)` on `target`; `undefined` when the value has no such method. */
export function callMethod(target: unknown, name: string, args: readonly unknown[], st: RenderState): unknown {
  switch (typeof target) {
    case 'string': {
      const m = STRING[name]
      return m === undefined ? undefined : m(target, args)
    }
    case 'number': {
      const m = NUMBER[name]
      return m === undefined ? undefined : m(target, args)
    }
    case 'boolean': {
      const m = BOOLEAN[name]
      return m === undefined ? undefined : m(target, args)
    }
    case 'object': {
      if (target === null) return undefined
      if (target instanceof HostObject) return target.call(name, args, st)
      if (Array.isArray(target)) {
        const m = LIST[name]
        return m === undefined ? undefined : m(target, args)
      }
      if (isMap(target)) {
        const m = MAP[name]
        return m === undefined ? undefined : m(target, args)
      }
      return undefined
    }
    default:
      return undefined
  }
}

/** `$target.name`: a map's own entry, a host object's property, or a Java getter (`$list.size`). */
export function getProperty(target: unknown, name: string): unknown {
  if (typeof target !== 'object' || target === null) {
    if (typeof target === 'string' && name === 'empty') return target.length === 0
    return undefined
  }
  if (target instanceof HostObject) return target.prop(name)
  if (Array.isArray(target)) return name === 'empty' ? target.length === 0 : undefined
  return isMap(target) ? own(target, name) : undefined
}

/** `$target[key]`: a list element by integer index, or a map entry. */
export function getIndex(target: unknown, key: unknown): unknown {
  if (Array.isArray(target)) {
    if (typeof key !== 'number' || !Number.isInteger(key)) return undefined
    const at = key < 0 ? target.length + key : key
    return at >= 0 && at < target.length ? target[at] : undefined
  }
  if (target instanceof HostObject) return target.prop(display(key))
  if (isMap(target)) return own(target, display(key))
  return undefined
}
