/**
 * The importer's working state: the document, the diagnostics collected so far, and safe readers
 * (own properties only, so `__proto__` / `constructor` keys are data, never the prototype's).
 */
import type { ApiProtocol } from '../api/definition.js'
import { ptr } from './pointer.js'
import type { ImportOpenApiOptions, OpenApiDiagnostic } from './types.js'

export type Obj = Record<string, unknown>

export const isObject = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v)

/** An own property of an object (never an inherited one). */
export const own = (o: unknown, key: string): unknown => (isObject(o) && Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined)

/** Own enumerable entries of an object, or none. */
export const entries = (o: unknown): Array<[string, unknown]> => (isObject(o) ? Object.entries(o) : [])

/** A map without a prototype: any key, `__proto__` included, is plain data. */
export const dict = <T>(): Record<string, T> => Object.create(null) as Record<string, T>

/** Sets a key as an own data property (even `__proto__`). */
export function put<T>(o: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true })
}

/** The prefix of API Gateway's extensions. */
export const X = 'x-amazon-apigateway-'

/** Converter state shared by the import modules. */
export class Ctx {
  readonly diagnostics: OpenApiDiagnostic[] = []
  /** 2 (swagger) or 3 (OpenAPI 3.x). */
  version: 2 | 3 = 3
  /** 3.1 documents use JSON Schema 2020-12. */
  jsonSchema2020 = false
  protocol: ApiProtocol = 'REST'
  constructor(
    readonly doc: Obj,
    readonly options: ImportOpenApiOptions,
  ) {}

  error(pointer: string, message: string): void {
    this.diagnostics.push({ pointer, message, severity: 'error' })
  }

  warn(pointer: string, message: string): void {
    this.diagnostics.push({ pointer, message, severity: 'warning' })
  }

  /** A string field, or undefined (an error when present but not a string). */
  str(o: Obj, key: string, pointer: string): string | undefined {
    const v = own(o, key)
    if (v === undefined) return undefined
    if (typeof v !== 'string') {
      this.error(ptr(pointer, key), 'must be a string')
      return undefined
    }
    return v
  }

  bool(o: Obj, key: string, pointer: string): boolean | undefined {
    const v = own(o, key)
    if (v === undefined) return undefined
    if (typeof v !== 'boolean') {
      this.error(ptr(pointer, key), 'must be true or false')
      return undefined
    }
    return v
  }

  /** An integer field in a range (a numeric string is accepted, as API Gateway's exports sometimes write them). */
  int(o: Obj, key: string, pointer: string, min: number, max: number): number | undefined {
    const raw = own(o, key)
    if (raw === undefined) return undefined
    const v = typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : raw
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.error(ptr(pointer, key), `must be an integer from ${min} to ${max}`)
      return undefined
    }
    return v
  }

  /** A list of strings, or undefined. */
  strings(o: Obj, key: string, pointer: string): string[] | undefined {
    const v = own(o, key)
    if (v === undefined) return undefined
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) {
      this.error(ptr(pointer, key), 'must be a list of strings')
      return undefined
    }
    return [...(v as string[])]
  }

  /** An object of strings (a null-prototype copy), or undefined. */
  stringMap(o: Obj, key: string, pointer: string): Record<string, string> | undefined {
    const v = own(o, key)
    if (v === undefined) return undefined
    if (!isObject(v)) {
      this.error(ptr(pointer, key), 'must be an object of strings')
      return undefined
    }
    const out = dict<string>()
    for (const [k, x] of Object.entries(v)) {
      if (typeof x !== 'string') this.error(ptr(pointer, key, k), 'must be a string')
      else put(out, k, x)
    }
    return out
  }

  /** An object field, or undefined (an error when present but not an object). */
  obj(o: Obj, key: string, pointer: string): Obj | undefined {
    const v = own(o, key)
    if (v === undefined) return undefined
    if (!isObject(v)) {
      this.error(ptr(pointer, key), 'must be an object')
      return undefined
    }
    return v
  }

  /** Reports the keys of `o` that are neither known nor non-AWS vendor extensions. */
  unknownKeys(o: Obj, pointer: string, known: ReadonlySet<string>, what: string): void {
    for (const k of Object.keys(o)) {
      if (known.has(k)) continue
      if (k.startsWith(X)) this.warn(ptr(pointer, k), `${k} is not supported here by sluice and is ignored`)
      else if (k.startsWith('x-')) continue // other vendors' extensions: not API Gateway's, no effect there either
      else this.warn(ptr(pointer, k), `unknown ${what} field, ignored`)
    }
  }
}

/** The reason of a sluice error, without its option prefix and code suffix (the pointer replaces them). */
export function reason(e: unknown): string {
  if (!(e instanceof Error)) return String(e)
  const option = (e as { option?: unknown }).option
  let m = e.message
  if (typeof option === 'string' && m.startsWith(`${option}: `)) m = m.slice(option.length + 2)
  return m.replace(/ \(ERR_[A-Z_]+\)$/, '')
}
