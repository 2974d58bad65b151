/** `exportOpenApi`: an {@link ApiDefinition} → OpenAPI 3.0 or 2.0 with API Gateway's extensions. */
import type { ApiDefinition } from '../api/definition.js'
import type { ExportOpenApiOptions } from './types.js'

/**
 * Exports a definition (for a running API, `api.definition` or a deployment's definition) as an
 * OpenAPI document with the `x-amazon-apigateway-*` extensions, which {@link importOpenApi}
 * reads back to the same definition.
 *
 * @example
 * const doc = exportOpenApi(api.definition, { version: '3.0' })
 */
export function exportOpenApi(definition: ApiDefinition, options: ExportOpenApiOptions = {}): Record<string, unknown> {
  const paths: Record<string, unknown> = {}
  for (const [p, item] of Object.entries(definition.paths ?? {})) {
    const out: Record<string, unknown> = {}
    for (const [verb, m] of Object.entries(item)) out[verb === 'ANY' ? 'x-amazon-apigateway-any-method' : verb.toLowerCase()] = { 'x-amazon-apigateway-integration': { ...m.integration } }
    paths[p] = out
  }
  const info = { title: options.title ?? definition.name ?? 'api', version: options.apiVersion ?? definition.version ?? '1.0' }
  return options.version === '2.0' ? { swagger: '2.0', info, paths } : { openapi: '3.0.1', info, paths }
}
