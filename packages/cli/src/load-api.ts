/**
 * Reading an API file for `serve` and `lint`: an OpenAPI 2.0 / 3.x document (it has a `swagger` or
 * `openapi` field) with `x-amazon-apigateway-*` extensions, or sluice's own `ApiDefinition`, in
 * YAML or JSON.
 */
import type { ApiDefinition, ImportOpenApiOptions } from '@sluice/core'
import { isRecord, parseData, readText } from './files.js'
import { UsageError } from './io.js'
import { importDocument, type Diagnostic } from './openapi.js'

/** What an API file holds. */
export type ApiFormat = 'openapi' | 'definition'

/** A loaded API file. */
export interface LoadedApi {
  readonly format: ApiFormat
  /** The parsed document as written. */
  readonly document: Record<string, unknown>
  /** The definition to serve (the import's result, for OpenAPI). */
  readonly definition: ApiDefinition
  /** What the import warned about (always empty for a native definition). */
  readonly warnings: readonly Diagnostic[]
}

/** Which format a parsed document is; a {@link UsageError} when it is neither. */
export function detectFormat(document: unknown, name: string): ApiFormat {
  if (!isRecord(document)) throw new UsageError(`${name} must hold an object: an OpenAPI document or a sluice API definition`)
  if (Object.hasOwn(document, 'swagger') || Object.hasOwn(document, 'openapi')) return 'openapi'
  if (Object.hasOwn(document, 'paths') || Object.hasOwn(document, 'routes')) return 'definition'
  throw new UsageError(`${name} is neither an OpenAPI document (no swagger or openapi field) nor a sluice API definition (no paths or routes)`)
}

/** Parses API file text (YAML or JSON). */
export function parseApi(text: string, name: string, options: ImportOpenApiOptions = {}): LoadedApi {
  const document = parseData(text, name)
  const format = detectFormat(document, name)
  const doc = document as Record<string, unknown>
  if (format === 'definition') return { format, document: doc, definition: doc as unknown as ApiDefinition, warnings: [] }
  const { definition, warnings } = importDocument(doc, name, options)
  return { format, document: doc, definition, warnings }
}

/** Reads an API file. */
export async function loadApi(path: string, cwd?: string, options: ImportOpenApiOptions = {}): Promise<LoadedApi> {
  return parseApi(await readText(path, 'API file', cwd), path, options)
}
