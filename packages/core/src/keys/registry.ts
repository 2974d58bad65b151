import { SluiceConfigError } from '../errors.js'
import { API_KEY_VALUE, digestKey, generateApiKeyValue, generateId } from './value.js'

/** An API key as given in options (API Gateway's `ApiKey`). */
export interface ApiKeyInit {
  /** Stable id (`$context.identity.apiKeyId`); generated when omitted. */
  id?: string
  /** Display name, up to 1024 characters; defaults to the id. */
  name?: string
  /** The secret the client sends in `x-api-key`: 20–128 alphanumerics. */
  value: string
  /** Default true. A disabled key is refused with INVALID_API_KEY. */
  enabled?: boolean
  description?: string
  /** Usage plans this key belongs to. */
  usagePlanIds?: readonly string[]
}

/** A registered API key. */
export interface ApiKey {
  readonly id: string
  readonly name: string
  readonly value: string
  readonly enabled: boolean
  readonly description?: string
  readonly usagePlanIds: readonly string[]
}

/** The result of looking up a presented key. */
export type KeyMatch =
  | { readonly status: 'ok'; readonly key: ApiKey }
  | { readonly status: 'missing' | 'unknown' | 'disabled'; readonly key?: undefined }

const MISSING: KeyMatch = Object.freeze({ status: 'missing' })
const UNKNOWN: KeyMatch = Object.freeze({ status: 'unknown' })
const DISABLED: KeyMatch = Object.freeze({ status: 'disabled' })

function freezeKey(init: ApiKeyInit, option: string): ApiKey {
  if (init === null || typeof init !== 'object') throw new SluiceConfigError('ERR_INVALID_OPTION', option, 'must be an object with at least a value')
  if (typeof init.value !== 'string' || !API_KEY_VALUE.test(init.value)) {
    throw new SluiceConfigError('ERR_INVALID_API_KEY_VALUE', `${option}.value`, 'must be 20 to 128 alphanumeric characters (API Gateway rule); generateApiKeyValue() makes one')
  }
  const id = init.id ?? generateId()
  if (typeof id !== 'string' || id.length === 0 || id.length > 128) throw new SluiceConfigError('ERR_INVALID_OPTION', `${option}.id`, 'must be a non-empty string of at most 128 characters')
  const name = init.name ?? id
  if (typeof name !== 'string' || name.length > 1024) throw new SluiceConfigError('ERR_INVALID_OPTION', `${option}.name`, 'must be a string of at most 1024 characters')
  if (init.enabled !== undefined && typeof init.enabled !== 'boolean') throw new SluiceConfigError('ERR_INVALID_OPTION', `${option}.enabled`, 'must be a boolean')
  if (init.description !== undefined && typeof init.description !== 'string') throw new SluiceConfigError('ERR_INVALID_OPTION', `${option}.description`, 'must be a string')
  const plans = init.usagePlanIds ?? []
  if (!Array.isArray(plans) || plans.some((p) => typeof p !== 'string' || p.length === 0)) {
    throw new SluiceConfigError('ERR_INVALID_OPTION', `${option}.usagePlanIds`, 'must be a list of usage plan ids')
  }
  return Object.freeze({
    id,
    name,
    value: init.value,
    enabled: init.enabled ?? true,
    ...(init.description !== undefined ? { description: init.description } : {}),
    usagePlanIds: Object.freeze([...plans]),
  })
}

/**
 * The API keys of a gateway. Mutable at run time — add, disable, rotate, remove — and every
 * middleware sees the change on the next request.
 *
 * Presented keys are looked up by their SHA-256 digest, so the time a lookup takes depends on the
 * digest, not on how many leading characters of a real key the caller guessed.
 */
export class ApiKeyRegistry {
  readonly #byId = new Map<string, ApiKey>()
  readonly #byDigest = new Map<string, ApiKey>()
  readonly #listeners = new Set<(key: ApiKey, previous: ApiKey | undefined) => void>()

  readonly #validate: ((key: ApiKey, option: string) => void) | undefined

  /** @param validate extra checks for every key added or changed (the gateway checks usage plans). */
  constructor(keys: readonly ApiKeyInit[] = [], option = 'apiKeys', validate?: (key: ApiKey, option: string) => void) {
    this.#validate = validate
    if (!Array.isArray(keys)) throw new SluiceConfigError('ERR_INVALID_OPTION', option, 'must be a list of API keys')
    keys.forEach((k, i) => this.#insert(freezeKey(k, `${option}[${i}]`), `${option}[${i}]`))
  }

  #insert(key: ApiKey, option: string): ApiKey {
    this.#validate?.(key, option)
    if (this.#byId.has(key.id)) throw new SluiceConfigError('ERR_DUPLICATE_API_KEY', `${option}.id`, `an API key with id "${key.id}" already exists`)
    const digest = digestKey(key.value)
    if (this.#byDigest.has(digest)) throw new SluiceConfigError('ERR_DUPLICATE_API_KEY', `${option}.value`, 'another API key has the same value')
    this.#byId.set(key.id, key)
    this.#byDigest.set(digest, key)
    return key
  }

  #replace(previous: ApiKey, next: ApiKey): ApiKey {
    this.#byDigest.delete(digestKey(previous.value))
    this.#byId.delete(previous.id)
    try {
      this.#insert(next, `apiKeys["${previous.id}"]`)
    } catch (e) {
      this.#insert(previous, `apiKeys["${previous.id}"]`)
      throw e
    }
    for (const l of this.#listeners) l(next, previous)
    return next
  }

  #require(id: string): ApiKey {
    const key = this.#byId.get(id)
    if (!key) throw new SluiceConfigError('ERR_UNKNOWN_API_KEY', `apiKeys["${id}"]`, 'no API key has this id')
    return key
  }

  /** Registers a key; its id and value must be new. */
  add(init: ApiKeyInit): ApiKey {
    const key = this.#insert(freezeKey(init, 'apiKey'), 'apiKey')
    for (const l of this.#listeners) l(key, undefined)
    return key
  }

  /** Adds a key, or replaces the key with the same value (as AWS's import does). */
  upsert(init: ApiKeyInit): ApiKey {
    const existing = this.#byDigest.get(digestKey(init.value))
    if (!existing) return this.add(init)
    return this.#replace(existing, freezeKey({ ...init, id: init.id ?? existing.id }, 'apiKey'))
  }

  get(id: string): ApiKey | undefined {
    return this.#byId.get(id)
  }

  list(): ApiKey[] {
    return [...this.#byId.values()]
  }

  get size(): number {
    return this.#byId.size
  }

  enable(id: string): ApiKey {
    const key = this.#require(id)
    return key.enabled ? key : this.#replace(key, Object.freeze({ ...key, enabled: true }))
  }

  disable(id: string): ApiKey {
    const key = this.#require(id)
    return key.enabled ? this.#replace(key, Object.freeze({ ...key, enabled: false })) : key
  }

  /** Gives a key a new value (generated when omitted); the old value stops working at once. */
  rotate(id: string, value: string = generateApiKeyValue()): ApiKey {
    const key = this.#require(id)
    return this.#replace(key, freezeKey({ ...key, value }, `apiKeys["${id}"]`))
  }

  /** Removes a key; returns whether it existed. */
  remove(id: string): boolean {
    const key = this.#byId.get(id)
    if (!key) return false
    this.#byId.delete(id)
    this.#byDigest.delete(digestKey(key.value))
    return true
  }

  /** Called after a key is added or changed (used by features that cache per key). */
  onChange(listener: (key: ApiKey, previous: ApiKey | undefined) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /**
   * Looks up a presented key value. Values that cannot be API keys (wrong length or characters,
   * not a string) are `unknown` without being hashed.
   */
  match(presented: unknown): KeyMatch {
    if (presented === null || presented === undefined || presented === '') return MISSING
    if (typeof presented !== 'string' || presented.length < 20 || presented.length > 128 || !API_KEY_VALUE.test(presented)) return UNKNOWN
    const key = this.#byDigest.get(digestKey(presented))
    if (!key) return UNKNOWN
    if (!key.enabled) return DISABLED
    return { status: 'ok', key }
  }
}
