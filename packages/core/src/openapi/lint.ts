/** `lintOpenApi`: what `importOpenApi` would reject or warn about, without throwing. */
import { convert } from './import.js'
import type { OpenApiDiagnostic } from './types.js'

/**
 * Lists what {@link importOpenApi} would reject (`severity: 'error'`) or warn about
 * (`'warning'`) in a document, each with its JSON pointer. Never throws, whatever the input.
 *
 * @example
 * for (const d of lintOpenApi(doc)) console.log(`${d.severity} ${d.pointer}: ${d.message}`)
 */
export function lintOpenApi(doc: unknown): OpenApiDiagnostic[] {
  try {
    return convert(doc).diagnostics
  } catch (e) {
    return [{ pointer: '', message: `cannot be read: ${e instanceof Error ? e.message : String(e)}`, severity: 'error' }]
  }
}
