/**
 * Routing: API Gateway's REST resource tree and HTTP API route keys.
 *
 * REST (reference section 8.2): `{name}` matches one non-empty segment, `{name+}` one or more
 * (last part only); static parts beat parameters, parameters beat greedy parameters; when the
 * deepest match lacks a resource or the method, matching backs off to an ancestor's greedy
 * resource that has it; `ANY` answers every method a resource does not define itself. No match →
 * `undefined` (the caller answers 403 MISSING_AUTHENTICATION_TOKEN).
 *
 * HTTP API (section 8.3): full matches (static or `{name}`) first, then greedy matches, then the
 * `$default` route; an explicit method beats `ANY` on the same route. No match → `undefined` (404).
 */
import type { ApiMethod } from './definition.js'
import { canonicalPath, formatTemplate, parseTemplate, type CanonicalPath, type TemplatePart } from './path.js'

/** A matched route. */
export interface RouteMatch<T> {
  readonly value: T
  /** The resource template, e.g. `/pets/{id}`. */
  readonly resource: string
  /** The method key that matched (`GET`, or `ANY`). */
  readonly method: ApiMethod
  /** Path parameters as sent (not URL-decoded, as in API Gateway's events). */
  readonly params: Record<string, string>
  /** HTTP API route key (`GET /pets/{id}`, `$default`). */
  readonly routeKey: string
}

interface Node<T> {
  readonly statics: Map<string, Node<T>>
  param: { name: string; node: Node<T> } | undefined
  greedy: { name: string; methods: Map<ApiMethod, T>; resource: string } | undefined
  methods: Map<ApiMethod, T> | undefined
  resource: string
}

const node = <T>(resource: string): Node<T> => ({ statics: new Map(), param: undefined, greedy: undefined, methods: undefined, resource })

/** A resource tree. Build with {@link Router.add}, then {@link Router.match}. */
export class Router<T> {
  readonly #root: Node<T> = node('/')
  readonly #http: boolean
  #default: T | undefined

  /** `http`: HTTP API priority (full matches before greedy ones, then `$default`). */
  constructor(options: { http?: boolean } = {}) {
    this.#http = options.http === true
  }

  /** Adds a method on a resource template; throws a message when the template is invalid or taken. */
  add(template: string, method: ApiMethod, value: T): void {
    const parts = parseTemplate(template)
    const resource = formatTemplate(parts)
    let n = this.#root
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i] as TemplatePart
      const here = formatTemplate(parts.slice(0, i + 1))
      if (p.kind === 'static') {
        let next = n.statics.get(p.value)
        if (next === undefined) n.statics.set(p.value, (next = node(here)))
        n = next
      } else if (p.kind === 'param') {
        if (n.param !== undefined && n.param.name !== p.name) throw new Error(`"{${p.name}}" conflicts with the sibling "{${n.param.name}}" (one parameter per level)`)
        n.param ??= { name: p.name, node: node(here) }
        n = n.param.node
      } else {
        if (n.greedy !== undefined && n.greedy.name !== p.name) throw new Error(`"{${p.name}+}" conflicts with the sibling "{${n.greedy.name}+}"`)
        n.greedy ??= { name: p.name, methods: new Map(), resource: here }
        if (n.greedy.methods.has(method)) throw new Error(`${method} ${resource} is defined twice`)
        n.greedy.methods.set(method, value)
        return
      }
    }
    n.methods ??= new Map()
    if (n.methods.has(method)) throw new Error(`${method} ${resource} is defined twice`)
    n.methods.set(method, value)
  }

  /** Sets the HTTP API `$default` route. */
  setDefault(value: T): void {
    this.#default = value
  }

  /** Finds the route of a request; `undefined` when none (or the path has a dot segment). */
  match(method: string, path: string | CanonicalPath): RouteMatch<T> | undefined {
    const c = typeof path === 'string' ? canonicalPath(path) : path
    const m = method.toUpperCase()
    if (c !== undefined) {
      if (this.#http) {
        const full = this.#walk(this.#root, c, 0, m, {}, false)
        if (full !== undefined) return full
      }
      const any = this.#walk(this.#root, c, 0, m, {}, true)
      if (any !== undefined) return any
    }
    if (this.#default !== undefined) return { value: this.#default, resource: '$default', method: 'ANY', params: {}, routeKey: '$default' }
    return undefined
  }

  #pick(methods: Map<ApiMethod, T> | undefined, method: string): [ApiMethod, T] | undefined {
    if (methods === undefined) return undefined
    const exact = methods.get(method as ApiMethod)
    if (exact !== undefined) return [method as ApiMethod, exact]
    const any = methods.get('ANY')
    return any === undefined ? undefined : ['ANY', any]
  }

  #walk(n: Node<T>, c: CanonicalPath, i: number, method: string, params: Record<string, string>, greedy: boolean): RouteMatch<T> | undefined {
    if (i === c.segments.length) {
      const hit = this.#pick(n.methods, method)
      if (hit !== undefined) return this.#result(hit, n.resource, params)
      return undefined
    }
    const seg = c.segments[i] as string
    const child = n.statics.get(seg)
    if (child !== undefined) {
      const r = this.#walk(child, c, i + 1, method, params, greedy)
      if (r !== undefined) return r
    }
    if (n.param !== undefined && seg !== '') {
      const r = this.#walk(n.param.node, c, i + 1, method, { ...params, [n.param.name]: c.raw[i] as string }, greedy)
      if (r !== undefined) return r
    }
    if (greedy && n.greedy !== undefined) {
      const hit = this.#pick(n.greedy.methods, method)
      if (hit !== undefined) {
        const rest = c.raw.slice(i).join('/')
        if (rest !== '') return this.#result(hit, n.greedy.resource, { ...params, [n.greedy.name]: rest })
      }
    }
    return undefined
  }

  #result(hit: [ApiMethod, T], resource: string, params: Record<string, string>): RouteMatch<T> {
    // params built with literal keys: a parameter named "__proto__" stays an own property
    const own: Record<string, string> = Object.create(null) as Record<string, string>
    for (const k of Object.keys(params)) own[k] = params[k] as string
    return { value: hit[1], resource, method: hit[0], params: own, routeKey: `${hit[0]} ${resource}` }
  }
}
