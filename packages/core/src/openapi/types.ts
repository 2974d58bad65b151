/**
 * Public types of OpenAPI import, lint and export.
 */
import type { ApiDefinition, ApiProtocol } from '../api/definition.js'

/**
 * One finding about an OpenAPI document: where (an RFC 6901 JSON pointer into the document, `~0`
 * for `~` and `~1` for `/`), what, and whether import rejects it (`error`) or goes on (`warning`).
 */
export type OpenApiDiagnostic = { pointer: string; message: string; severity: 'error' | 'warning' }

/**
 * Rewrites an HTTP / HTTP_PROXY integration URI at import: a map from an origin (or any URI
 * prefix) to its replacement, or a function of the URI and its JSON pointer. The replacement
 * may be `${stageVariables.name}`, so that each stage chooses its backend.
 */
export type RewriteUri = Readonly<Record<string, string>> | ((uri: string, pointer: string) => string)

/** Options of {@link importOpenApi}. */
export interface ImportOpenApiOptions {
  /**
   * The API flavour. Default: detected — `HTTP` when the document carries
   * `x-amazon-apigateway-importexport-version`, `x-amazon-apigateway-cors`, a JWT authorizer or an
   * integration with `payloadFormatVersion: '2.0'`; `REST` otherwise.
   */
  protocol?: ApiProtocol
  /**
   * Keep a Lambda ARN's alias or version qualifier in the handler name (`fn:live` instead of
   * `fn`). Default false.
   */
  keepQualifier?: boolean
  /** Rewrites HTTP / HTTP_PROXY integration URIs (and only those): see {@link RewriteUri}. */
  rewriteUri?: RewriteUri
  /**
   * Treat warnings as errors: import throws if the document has anything it would otherwise only
   * warn about. Default false.
   */
  strict?: boolean
}

/** What {@link importOpenApi} returns: the definition and what it warned about. */
export interface ImportOpenApiResult {
  definition: ApiDefinition
  warnings: OpenApiDiagnostic[]
}

/** Options of {@link exportOpenApi}. */
export interface ExportOpenApiOptions {
  /** `'3.0'` (default: OpenAPI 3.0.1) or `'2.0'` (swagger). */
  version?: '3.0' | '2.0'
  /** `info.title`. Default: the definition's `name`, else `'api'`. */
  title?: string
  /** `info.version`. Default: the definition's `version` (left out when it has none). */
  apiVersion?: string
  /** OpenAPI 3 `servers[0].url` / swagger `host` + `basePath` (a URL). Default: none. */
  serverUrl?: string
  /** The region of Lambda ARNs built for integrations given by `handler` alone. Default `us-east-1`. */
  region?: string
  /** The account of Lambda ARNs built for integrations given by `handler` alone. Default `123456789012`. */
  accountId?: string
}
