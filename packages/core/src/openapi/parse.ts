/** `parseOpenApiText`: JSON text → a document for {@link importOpenApi} (YAML is the CLI's). */
import { SluiceConfigError } from '../errors.js'

/**
 * Parses an OpenAPI document written as JSON. YAML is not read here (core has no YAML
 * dependency): parse it with a YAML library and pass the object to `importOpenApi`.
 * Throws `ERR_INVALID_OPENAPI` for text that is not a JSON object.
 */
export function parseOpenApiText(text: string): unknown {
  let doc: unknown
  try {
    doc = JSON.parse(typeof text === 'string' ? text.replace(/^\uFEFF/, '') : String(text))
  } catch (e) {
    throw new SluiceConfigError('ERR_INVALID_OPENAPI', '/', `is not JSON (${e instanceof Error ? e.message : String(e)}); parse YAML with a YAML library and pass the object`)
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new SluiceConfigError('ERR_INVALID_OPENAPI', '/', 'must be a JSON object')
  return doc
}
