/**
 * The OpenAPI side of the CLI: import (for `serve`) and lint, through `@sluice/core`'s
 * `importOpenApi` and `lintOpenApi`. An import that fails becomes one {@link UsageError} listing
 * every issue with its JSON pointer.
 */
import { importOpenApi, isSluiceConfigError, lintOpenApi, type ApiDefinition, type ImportOpenApiOptions, type OpenApiDiagnostic } from '@sluice/core'
import { UsageError } from './io.js'

/** One lint finding, at a JSON pointer into the document. */
export type Diagnostic = OpenApiDiagnostic

/** Imports an OpenAPI document: the definition and what import warned about. */
export function importDocument(doc: unknown, name = 'OpenAPI document', options: ImportOpenApiOptions = {}): { definition: ApiDefinition; warnings: readonly Diagnostic[] } {
  try {
    return importOpenApi(doc, options)
  } catch (e) {
    const issues = (e as { issues?: unknown }).issues
    if (isSluiceConfigError(e) && e.code === 'ERR_INVALID_OPENAPI' && Array.isArray(issues)) {
      const list = (issues as Diagnostic[]).map((i) => `  ${i.pointer || '/'}: ${i.message}`).join('\n')
      throw new UsageError(`${name} cannot be imported (${issues.length} problem${issues.length === 1 ? '' : 's'}; sluice lint ${name} lists them too):\n${list}`)
    }
    throw e
  }
}

/** Lints an OpenAPI document. */
export function lintDocument(doc: unknown): readonly Diagnostic[] {
  return lintOpenApi(doc)
}
