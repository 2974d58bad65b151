/**
 * Request models: JSON Schemas compiled once with ajv, each by its own draft (`$schema`; AWS models
 * are draft-04), referable by name (`{"$ref": "Pet"}`) and by API Gateway's model address
 * (`https://apigateway.amazonaws.com/restapis/{api-id}/models/{Name}`).
 */
import type { ErrorObject, ValidateFunction } from 'ajv'
import * as ajvDefault from 'ajv'
import * as ajv2019 from 'ajv/dist/2019.js'
import * as ajv2020 from 'ajv/dist/2020.js'
import * as ajvDraft04 from 'ajv-draft-04'
import * as ajvFormats from 'ajv-formats'
import { SluiceConfigError } from '../errors.js'
import { putOwn } from '../own.js'
import { formatErrors } from './messages.js'

/** A JSON Schema (an object, or a boolean schema where the draft allows it). */
export type JsonSchema = Readonly<Record<string, unknown>> | boolean

/** JSON Schema drafts sluice validates with. */
export type SchemaDraft = 'draft-04' | 'draft-07' | '2019-09' | '2020-12'

interface AjvLike {
  compile(schema: unknown): ValidateFunction
  addSchema(schema: unknown, key?: string): unknown
  getSchema(key: string): ValidateFunction | undefined
}
type AjvClass = new (options: Record<string, unknown>) => AjvLike

// ajv's packages are CommonJS with a `default` export; take the class either way
const classOf = (m: unknown): AjvClass => ((m as { default?: unknown }).default ?? m) as AjvClass
const addFormats = ((ajvFormats as { default?: unknown }).default ?? ajvFormats) as (ajv: AjvLike) => unknown

const CLASSES: Record<SchemaDraft, AjvClass> = {
  'draft-04': classOf(ajvDraft04),
  'draft-07': classOf(ajvDefault),
  '2019-09': classOf(ajv2019),
  '2020-12': classOf(ajv2020),
}

const DRAFT_URIS: ReadonlyArray<readonly [RegExp, SchemaDraft]> = [
  [/^https?:\/\/json-schema\.org\/draft-04\/schema#?$/, 'draft-04'],
  [/^https?:\/\/json-schema\.org\/draft-07\/schema#?$/, 'draft-07'],
  [/^https?:\/\/json-schema\.org\/draft\/2019-09\/schema#?$/, '2019-09'],
  [/^https?:\/\/json-schema\.org\/draft\/2020-12\/schema#?$/, '2020-12'],
]

/** API Gateway's model address, as cross-model `$ref`s write it. */
const AWS_MODEL_REF = /^https:\/\/apigateway\.amazonaws\.com\/restapis\/[^/]+\/models\/([A-Za-z0-9]+)$/
const MODEL_NAME = /^[A-Za-z0-9]+$/
const KEY_PREFIX = 'sluice-model:'

/** The most validation errors kept in `$context.error.validationErrorString`. */
const MAX_ERRORS = 10

/** API Gateway's built-in models, present in every API. */
export const BUILT_IN_MODELS: Readonly<Record<'Empty' | 'Error', JsonSchema>> = Object.freeze({
  Empty: Object.freeze({ $schema: 'http://json-schema.org/draft-04/schema#', title: 'Empty Schema', type: 'object' }),
  Error: Object.freeze({
    $schema: 'http://json-schema.org/draft-04/schema#',
    title: 'Error Schema',
    type: 'object',
    properties: Object.freeze({ message: Object.freeze({ type: 'string' }) }),
  }),
})

/** The outcome of validating one value. */
export type ModelResult = { readonly valid: true } | { readonly valid: false; readonly errors: string }

/** A compiled model: validates a parsed JSON value. */
export interface CompiledModel {
  readonly name: string | undefined
  validate(value: unknown): ModelResult
}

function draftOf(schema: JsonSchema, fallback: SchemaDraft, option: string): SchemaDraft {
  if (typeof schema === 'boolean') return fallback
  const uri = schema.$schema
  if (uri === undefined) return fallback
  if (typeof uri === 'string') for (const [re, d] of DRAFT_URIS) if (re.test(uri)) return d
  throw new SluiceConfigError('ERR_INVALID_MODEL', `${option}.$schema`, `unsupported JSON Schema draft ${JSON.stringify(uri)}; use draft-04, draft-07, 2019-09 or 2020-12`)
}

/** Copies a schema, rewriting API Gateway model addresses (and bare model names) in `$ref` to the names registered here. */
/** @internal exported for tests. */
export function rewriteRefs(node: unknown, names: ReadonlySet<string>, depth = 0): unknown {
  if (depth > 256) throw new RangeError('schema nested too deeply')
  if (Array.isArray(node)) return node.map((n) => rewriteRefs(n, names, depth + 1))
  if (node === null || typeof node !== 'object') return node
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(node)) {
    if (k === '$ref' && typeof v === 'string') {
      const m = AWS_MODEL_REF.exec(v)
      const name = m ? (m[1] as string) : names.has(v) ? v : undefined
      out[k] = name === undefined ? v : `${KEY_PREFIX}${name}`
    } else putOwn(out, k, rewriteRefs(v, names, depth + 1)) // a property named __proto__ stays one
  }
  return out
}

function compiled(fn: ValidateFunction, name: string | undefined): CompiledModel {
  return {
    name,
    validate(value) {
      if (fn(value) === true) return { valid: true }
      return { valid: false, errors: formatErrors((fn.errors ?? []) as ErrorObject[], MAX_ERRORS) }
    },
  }
}

/** Options of {@link ModelSet}. */
export interface ModelSetOptions {
  /** The draft of schemas without `$schema`. Default `draft-04` (API Gateway's). */
  draft?: SchemaDraft
  /** Where the models came from, for error messages. Default `models`. */
  option?: string
}

/**
 * A set of named models compiled once: API Gateway's built-ins (`Empty`, `Error`) and yours. A
 * whole API shares one set; each method's validation step picks models from it by name.
 *
 * @example
 * const models = new ModelSet({ Pet: { type: 'object', required: ['name'] } })
 * models.get('Pet')?.validate({ name: 'rex' }) // { valid: true }
 */
export class ModelSet {
  readonly draft: SchemaDraft
  readonly #instances = new Map<SchemaDraft, AjvLike>()
  readonly #models = new Map<string, CompiledModel>()
  readonly #names: Set<string>
  readonly #option: string

  constructor(models: Readonly<Record<string, JsonSchema>> = {}, options: ModelSetOptions = {}) {
    this.#option = options.option ?? 'models'
    const draft = options.draft ?? 'draft-04'
    if (!Object.hasOwn(CLASSES, draft)) throw new SluiceConfigError('ERR_INVALID_MODEL', `${this.#option}.draft`, 'must be draft-04, draft-07, 2019-09 or 2020-12')
    this.draft = draft
    if (models === null || typeof models !== 'object') throw new SluiceConfigError('ERR_INVALID_MODEL', this.#option, 'must be an object of schemas by model name')
    const all: Record<string, JsonSchema> = { ...BUILT_IN_MODELS, ...models }
    this.#names = new Set(Object.keys(all))
    const drafts = new Map<string, SchemaDraft>()
    // register every model first (so references between them resolve), then compile each
    for (const [name, schema] of Object.entries(all)) {
      const o = `${this.#option}.${name}`
      if (!MODEL_NAME.test(name)) throw new SluiceConfigError('ERR_INVALID_MODEL', o, 'model names are letters and digits only')
      checkSchema(schema, o)
      const d = draftOf(schema, draft, o)
      drafts.set(name, d)
      try {
        this.#ajv(d).addSchema(this.#prepare(schema), `${KEY_PREFIX}${name}`)
      } catch (e) {
        throw new SluiceConfigError('ERR_INVALID_MODEL', o, `invalid schema: ${(e as Error).message}`)
      }
    }
    for (const name of this.#names) {
      const o = `${this.#option}.${name}`
      let fn: ValidateFunction | undefined
      try {
        fn = this.#ajv(drafts.get(name) as SchemaDraft).getSchema(`${KEY_PREFIX}${name}`)
      } catch (e) {
        throw new SluiceConfigError('ERR_INVALID_MODEL', o, `invalid schema: ${(e as Error).message}`)
      }
      if (fn === undefined) throw new SluiceConfigError('ERR_INVALID_MODEL', o, 'could not be compiled')
      this.#models.set(name, compiled(fn, name))
    }
  }

  /** The compiled model of that name (built-ins included). */
  get(name: string): CompiledModel | undefined {
    return this.#models.get(name)
  }

  /** Model names, built-ins included. */
  names(): string[] {
    return [...this.#names]
  }

  /**
   * Compiles an anonymous schema against this set (it may `$ref` the set's models by name or by
   * API Gateway address). Throws `ERR_INVALID_MODEL` for an invalid schema.
   */
  compile(schema: JsonSchema, option: string): CompiledModel {
    checkSchema(schema, option)
    const d = draftOf(schema, this.draft, option)
    try {
      return compiled(this.#ajv(d).compile(this.#prepare(schema)), undefined)
    } catch (e) {
      throw new SluiceConfigError('ERR_INVALID_MODEL', option, `invalid schema: ${(e as Error).message}`)
    }
  }

  #prepare(schema: JsonSchema): unknown {
    return typeof schema === 'boolean' ? schema : rewriteRefs(schema, this.#names)
  }

  #ajv(draft: SchemaDraft): AjvLike {
    let ajv = this.#instances.get(draft)
    if (ajv === undefined) {
      // strict off: API Gateway ignores keywords it does not know (OpenAPI's `example`,
      // `discriminator`); no `$data` (data-supplied patterns are a ReDoS vector); no logging;
      // own properties only: an absent `constructor` is absent, not Object.prototype.constructor
      ajv = new CLASSES[draft]({ strict: false, allErrors: false, verbose: true, logger: false, $data: false, validateSchema: true, ownProperties: true })
      addFormats(ajv)
      this.#instances.set(draft, ajv)
    }
    return ajv
  }
}

function checkSchema(schema: unknown, option: string): void {
  if (typeof schema === 'boolean') return
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
    throw new SluiceConfigError('ERR_INVALID_MODEL', option, 'must be a JSON Schema object')
  }
}
