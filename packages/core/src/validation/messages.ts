/**
 * Validation errors in the words API Gateway's validator uses in
 * `$context.error.validationErrorString` (a Java list: `[message, message]`), e.g.
 * `[object has missing required properties (["name"])]`. Keywords without a known wording keep
 * ajv's message.
 */
import type { ErrorObject } from 'ajv'

const json = (v: unknown): string => {
  try {
    return JSON.stringify(v) ?? String(v)
  } catch {
    return String(v)
  }
}

/** JSON Schema's primitive type of a value, as the validator names it (`integer` apart from `number`). */
function primitive(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'array'
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number'
  return typeof v
}

const list = (v: unknown): string => json(Array.isArray(v) ? v : [v])

/** Long strings are cut in messages: the message is for humans and logs, not a copy of the body. */
const clip = (s: string): string => (s.length > 128 ? `${s.slice(0, 125)}...` : s)

function missing(e: ErrorObject): string[] {
  const required = e.schema
  const data = e.data
  if (Array.isArray(required) && data !== null && typeof data === 'object') {
    const out = (required as unknown[]).filter((k): k is string => typeof k === 'string' && !Object.hasOwn(data, k))
    if (out.length > 0) return out.sort()
  }
  return [String((e.params as { missingProperty?: unknown }).missingProperty)]
}

/** One error in the validator's words. */
export function formatError(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>
  const data = e.data
  switch (e.keyword) {
    case 'required':
      return `object has missing required properties (${json(missing(e))})`
    case 'type':
      return `instance type (${primitive(data)}) does not match any allowed primitive type (allowed: ${list(p.type)})`
    case 'minimum':
      // draft-04's boolean exclusiveMinimum reports as `minimum` with a strict comparison
      if (p.comparison === '>') return `numeric instance is not strictly greater than the required minimum ${json(p.limit)}`
      return `numeric instance is lower than the required minimum (minimum: ${json(p.limit)}, found: ${json(data)})`
    case 'maximum':
      if (p.comparison === '<') return `numeric instance is not strictly lower than the required maximum ${json(p.limit)}`
      return `numeric instance is greater than the required maximum (maximum: ${json(p.limit)}, found: ${json(data)})`
    case 'exclusiveMinimum':
      return `numeric instance is not strictly greater than the required minimum ${json(p.limit)}`
    case 'exclusiveMaximum':
      return `numeric instance is not strictly lower than the required maximum ${json(p.limit)}`
    case 'minLength':
      return `string ${clip(json(data))} is too short (length: ${String(typeof data === 'string' ? [...data].length : 0)}, required minimum: ${json(p.limit)})`
    case 'maxLength':
      return `string ${clip(json(data))} is too long (length: ${String(typeof data === 'string' ? [...data].length : 0)}, maximum allowed: ${json(p.limit)})`
    case 'pattern':
      return `ECMA 262 regex ${json(p.pattern)} does not match input string ${clip(json(data))}`
    case 'enum':
      return `instance value (${clip(json(data))}) not found in enum (possible values: ${clip(json(p.allowedValues))})`
    case 'additionalProperties':
      return `object instance has properties which are not allowed by the schema: ${json([p.additionalProperty])}`
    case 'minItems':
      return `array is too short: must have at least ${json(p.limit)} elements but instance has ${String(Array.isArray(data) ? data.length : 0)} elements`
    case 'maxItems':
      return `array is too long: must have at most ${json(p.limit)} elements but instance has ${String(Array.isArray(data) ? data.length : 0)} elements`
    case 'minProperties':
      return `object has too few properties (found ${String(data !== null && typeof data === 'object' ? Object.keys(data).length : 0)}, required minimum: ${json(p.limit)})`
    case 'maxProperties':
      return `object has too many properties (found ${String(data !== null && typeof data === 'object' ? Object.keys(data).length : 0)}, maximum allowed: ${json(p.limit)})`
    case 'uniqueItems':
      return 'array must not contain duplicate elements'
    case 'multipleOf':
      return `numeric instance is not a multiple of ${json(p.multipleOf)}`
    case 'format':
      return `string ${clip(json(data))} is invalid against requested format ${json(p.format)}`
    default:
      return `${e.instancePath === '' ? 'instance' : e.instancePath} ${e.message ?? 'is invalid'}`
  }
}

/** Errors as `$context.error.validationErrorString`: `[first, second]`, at most `max` of them. */
export function formatErrors(errors: readonly ErrorObject[], max: number): string {
  return `[${errors.slice(0, max).map(formatError).join(', ')}]`
}
