/**
 * `importOpenApi`: an OpenAPI 2.0 / 3.x document with `x-amazon-apigateway-*` extensions → an
 * {@link ApiDefinition}.
 */
import { SluiceConfigError } from '../errors.js'
import type { ApiDefinition, IntegrationDefinition, MethodDefinition, PathDefinition } from '../api/definition.js'
import type { ImportOpenApiOptions, ImportOpenApiResult, OpenApiDiagnostic } from './types.js'
import { ptr } from './pointer.js'

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)

/** @internal converts a document, collecting every diagnostic instead of throwing. */
export function convert(doc: unknown, _options: ImportOpenApiOptions = {}): { definition: ApiDefinition; diagnostics: OpenApiDiagnostic[] } {
  const diagnostics: OpenApiDiagnostic[] = []
  const definition: ApiDefinition = {}
  if (!isObject(doc)) {
    diagnostics.push({ pointer: '', message: 'an OpenAPI document must be an object', severity: 'error' })
    return { definition, diagnostics }
  }
  const paths = Object.create(null) as Record<string, PathDefinition>
  for (const [path, item] of Object.entries(isObject(doc['paths']) ? doc['paths'] : {})) {
    if (!isObject(item)) continue
    const out = Object.create(null) as PathDefinition
    for (const [verb, op] of Object.entries(item)) {
      if (!isObject(op)) continue
      const x = op['x-amazon-apigateway-integration']
      if (!isObject(x)) {
        diagnostics.push({ pointer: ptr('/paths', path, verb), message: 'has no x-amazon-apigateway-integration', severity: 'error' })
        continue
      }
      const integration = { type: String(x['type']).toUpperCase() } as IntegrationDefinition
      if (typeof x['uri'] === 'string') integration.uri = x['uri']
      const method: MethodDefinition = { integration }
      out[verb === 'x-amazon-apigateway-any-method' ? 'ANY' : (verb.toUpperCase() as 'GET')] = method
    }
    paths[path] = out
  }
  definition.paths = paths
  return { definition, diagnostics }
}

/**
 * Imports an OpenAPI 2.0 (swagger) or 3.0 / 3.1 document with API Gateway's extensions into an
 * {@link ApiDefinition} for `createApi()` / `gw.mount()`. Errors (anything the document needs
 * that sluice cannot serve) are collected and thrown together as one `SluiceConfigError`
 * (`ERR_INVALID_OPENAPI`) with an `issues` list; what is only ignored comes back as `warnings`.
 *
 * @example
 * const { definition, warnings } = importOpenApi(JSON.parse(text), { rewriteUri: { 'https://backend.example': '${stageVariables.backend}' } })
 * app.use(gw.mount(definition, { integrations: { listPets } }))
 */
export function importOpenApi(doc: unknown, options: ImportOpenApiOptions = {}): ImportOpenApiResult {
  const { definition, diagnostics } = convert(doc, options)
  const errors = diagnostics.filter((d) => d.severity === 'error' || options.strict === true)
  if (errors.length > 0) throw openApiError(errors)
  return { definition, warnings: diagnostics.filter((d) => d.severity === 'warning') }
}

/** A `SluiceConfigError` with code `ERR_INVALID_OPENAPI` that lists every issue found. */
export interface OpenApiError extends SluiceConfigError {
  readonly issues: readonly OpenApiDiagnostic[]
}

function openApiError(issues: OpenApiDiagnostic[]): OpenApiError {
  const first = issues[0] as OpenApiDiagnostic
  const list = issues.map((i) => `${i.pointer === '' ? '/' : i.pointer}: ${i.message}`).join('; ')
  const e = new SluiceConfigError('ERR_INVALID_OPENAPI', first.pointer === '' ? '/' : first.pointer, issues.length === 1 ? first.message : `${issues.length} problems: ${list}`)
  Object.defineProperty(e, 'issues', { value: Object.freeze(issues.map((i) => Object.freeze({ ...i }))), enumerable: true })
  return e as OpenApiError
}
