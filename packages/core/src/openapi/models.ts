/**
 * Schemas: `definitions` (2.0) / `components.schemas` (3.x) → the definition's models, `$ref`s
 * rewritten to model names; request bodies and responses → model names; local `$ref` resolution
 * for parameters, request bodies, responses and headers.
 */
import type { ModelDefinition } from '../api/definition.js'
import { type Ctx, type Obj, dict, isObject, own, put } from './context.js'
import { ptr, unescapeToken } from './pointer.js'

const MODEL_NAME = /^[A-Za-z0-9]+$/
const MAX_DEPTH = 64

/** The pointer prefix of model references in this document's version. */
export const modelRefPrefix = (ctx: Ctx): string => (ctx.version === 2 ? '#/definitions/' : '#/components/schemas/')

/** Follows a local `$ref` (`#/...`) through the document; chains are followed up to 16 deep. */
export function resolveRef(ctx: Ctx, value: unknown, pointer: string): { value: unknown; pointer: string } | undefined {
  let v = value
  let p = pointer
  for (let hops = 0; hops < 16; hops++) {
    const ref = own(v, '$ref')
    if (ref === undefined) return { value: v, pointer: p }
    const rp = ptr(p, '$ref')
    if (typeof ref !== 'string' || !ref.startsWith('#/')) {
      ctx.error(rp, 'only local references (#/...) are supported')
      return undefined
    }
    let target: unknown = ctx.doc
    for (const raw of ref.slice(2).split('/')) {
      let token: string
      try {
        token = unescapeToken(decodeURIComponent(raw))
      } catch {
        token = raw
      }
      target = Array.isArray(target) && /^\d+$/.test(token) ? target[Number(token)] : own(target, token)
      if (target === undefined) break
    }
    if (target === undefined) {
      ctx.error(rp, `points nowhere in the document (${ref})`)
      return undefined
    }
    v = target
    p = ref.slice(1)
  }
  ctx.error(p, 'a $ref chain longer than 16 (or a cycle)')
  return undefined
}

/** A copy of a schema with model references rewritten to model names; null-prototype objects. */
function rewrite(ctx: Ctx, node: unknown, pointer: string, names: ReadonlySet<string>, depth: number): unknown {
  if (depth > MAX_DEPTH) {
    ctx.error(pointer, `a schema nested more than ${MAX_DEPTH} deep`)
    return {}
  }
  if (Array.isArray(node)) return node.map((n, i) => rewrite(ctx, n, ptr(pointer, i), names, depth + 1))
  if (!isObject(node)) return node
  const out = dict<unknown>()
  for (const [k, v] of Object.entries(node)) {
    if (k === '$ref' && typeof v === 'string') {
      const prefix = modelRefPrefix(ctx)
      const name = v.startsWith(prefix) ? unescapeToken(v.slice(prefix.length)) : undefined
      if (name !== undefined && names.has(name)) put(out, k, name)
      else if (/^https:\/\/apigateway\.amazonaws\.com\/restapis\/[^/]+\/models\/[A-Za-z0-9]+$/.test(v)) put(out, k, v)
      else {
        ctx.error(ptr(pointer, k), `only references to whole models (${prefix}NAME) are supported, not ${v}`)
        put(out, k, v)
      }
    } else put(out, k, rewrite(ctx, v, ptr(pointer, k), names, depth + 1))
  }
  return out
}

/** Reads the document's schemas into models. */
export function readModels(ctx: Ctx): { models: Record<string, ModelDefinition>; pointers: Map<string, string> } {
  const models = dict<ModelDefinition>()
  const pointers = new Map<string, string>()
  const base = ctx.version === 2 ? '/definitions' : '/components/schemas'
  const container = ctx.version === 2 ? ctx.doc : own(ctx.doc, 'components')
  const schemas = own(container, ctx.version === 2 ? 'definitions' : 'schemas')
  if (schemas === undefined) return { models, pointers }
  if (!isObject(schemas)) {
    ctx.error(base, 'must be an object of schemas')
    return { models, pointers }
  }
  const names = new Set(Object.keys(schemas))
  for (const [name, schema] of Object.entries(schemas)) {
    const p = ptr(base, name)
    if (!MODEL_NAME.test(name)) {
      ctx.error(p, 'model names are letters and digits only (API Gateway rule)')
      continue
    }
    if (!isObject(schema)) {
      ctx.error(p, 'must be a schema object')
      continue
    }
    const m = rewrite(ctx, schema, p, names, 0) as ModelDefinition
    if (ctx.jsonSchema2020 && own(m, '$schema') === undefined) put<unknown>(m, '$schema', 'https://json-schema.org/draft/2020-12/schema')
    put(models, name, m)
    pointers.set(name, p)
  }
  return { models, pointers }
}

/**
 * The model a schema names: a `$ref` to a model gives its name; an inline schema becomes a new
 * model named after `suggest`.
 */
export function modelOf(ctx: Ctx, schema: unknown, pointer: string, models: Record<string, ModelDefinition>, suggest: string): string | undefined {
  if (!isObject(schema)) {
    ctx.error(pointer, 'must be a schema object')
    return undefined
  }
  const ref = own(schema, '$ref')
  if (typeof ref === 'string' && Object.keys(schema).length === 1) {
    const prefix = modelRefPrefix(ctx)
    const name = ref.startsWith(prefix) ? unescapeToken(ref.slice(prefix.length)) : undefined
    if (name !== undefined && Object.prototype.hasOwnProperty.call(models, name)) return name
    ctx.error(ptr(pointer, '$ref'), `names no model (${prefix}NAME with an alphanumeric NAME)`)
    return undefined
  }
  let name = suggest.replace(/[^A-Za-z0-9]/g, '') || 'Model'
  if (/^[0-9]/.test(name)) name = `M${name}`
  let n = 1
  const base = name
  while (Object.prototype.hasOwnProperty.call(models, name)) name = `${base}${++n}`
  const m = rewrite(ctx, schema, pointer, new Set(Object.keys(models)), 0) as ModelDefinition
  if (ctx.jsonSchema2020 && own(m, '$schema') === undefined) put<unknown>(m, '$schema', 'https://json-schema.org/draft/2020-12/schema')
  put(models, name, m)
  return name
}

/** Capitalises a path and method into a model name suggestion, e.g. `PostPetsId`. */
export function suggestName(verb: string, path: string, suffix: string): string {
  const words = `${verb.toLowerCase()} ${path}`.split(/[^A-Za-z0-9]+/).filter((w) => w !== '')
  return words.map((w) => (w[0] as string).toUpperCase() + w.slice(1)).join('') + suffix
}

export type { Obj }
