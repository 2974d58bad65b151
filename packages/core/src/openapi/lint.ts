/** `lintOpenApi`: what `importOpenApi` would reject or warn about, without throwing. */
import { convert } from './import.js'
import type { ImportOpenApiOptions, OpenApiDiagnostic } from './types.js'

/**
 * Lists what {@link importOpenApi} would reject (`severity: 'error'`) or warn about
 * (`'warning'`) in a document, each with its JSON pointer. Never throws, whatever the input.
 * `options` are the import's (`protocol`, `rewriteUri`, `keepQualifier`), for a lint of the
 * import you will run; `strict` has no effect here (every warning is listed anyway).
 *
 * @example
 * for (const d of lintOpenApi(doc)) console.log(`${d.severity} ${d.pointer}: ${d.message}`)
 */
export function lintOpenApi(doc: unknown, options: ImportOpenApiOptions = {}): OpenApiDiagnostic[] {
  try {
    return convert(doc, options !== null && typeof options === 'object' ? options : {}).diagnostics
  } catch (e) {
    return [{ pointer: '', message: `cannot be read: ${e instanceof Error ? e.message : String(e)}`, severity: 'error' }]
  }
}
