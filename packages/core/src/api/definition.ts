/**
 * The typed API definition `gw.mount()` serves and OpenAPI import produces: API Gateway's own
 * resources (RestApi / Api, Resource, Method, Integration, IntegrationResponse, MethodResponse,
 * Authorizer, RequestValidator, GatewayResponse), with field names taken from the API Gateway API
 * and the `x-amazon-apigateway-*` OpenAPI extensions, so an import is mostly a mapping.
 *
 * Plain data (JSON-serialisable) except the handlers, which are given separately to `mount()` in
 * its `integrations` map and referenced here by name.
 */
import type { PolicyDocument } from '../auth/policy.js'
import type { GatewayResponsesOptions } from '../responses.js'

/** HTTP methods a resource can define; `ANY` matches every method the resource does not define itself. */
export type ApiMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS' | 'ANY'

/** Every {@link ApiMethod}, in a stable order. */
export const API_METHODS: readonly ApiMethod[] = Object.freeze(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'])

/**
 * API Gateway's integration types, plus `NEXT`: hand the request to the host framework's own route
 * (the mount middleware calls `next()`), so a mounted API and à la carte routes compose.
 * OpenAPI's lowercase spellings (`aws_proxy`) are accepted by import and normalised to these.
 */
export type IntegrationType = 'AWS_PROXY' | 'AWS' | 'HTTP' | 'HTTP_PROXY' | 'MOCK' | 'NEXT'

/** What the gateway does with a request body no request template matches (default `WHEN_NO_MATCH`). */
export type PassthroughBehavior = 'WHEN_NO_MATCH' | 'WHEN_NO_TEMPLATES' | 'NEVER'

/** API Gateway's `contentHandling` (binary conversion of payloads). */
export type ContentHandling = 'CONVERT_TO_TEXT' | 'CONVERT_TO_BINARY'

/** The API flavour: a REST API (v1) or an HTTP API (v2). It sets routing, events and error shapes. */
export type ApiProtocol = 'REST' | 'HTTP'

/**
 * One integration response (API Gateway's `IntegrationResponse`): which method-response status a
 * backend result maps to, and how.
 */
export interface IntegrationResponseDefinition {
  /**
   * Java-style regular expression matched against the whole selection value (the backend status
   * code for HTTP and MOCK, the Lambda `errorMessage` for AWS). Absent: the default response.
   * In `x-amazon-apigateway-integration.responses` this is the map key (`default` = absent).
   */
  selectionPattern?: string
  /** The method-response status this response produces, e.g. `'200'`. */
  statusCode: string
  /** `method.response.header.NAME` ← `integration.response.header.N`, `integration.response.body[.path]`, `'static'`, ... */
  responseParameters?: Record<string, string>
  /** Response mapping templates by content type (VTL). */
  responseTemplates?: Record<string, string>
  contentHandling?: ContentHandling
}

/** Client TLS for HTTP / HTTP_PROXY backends (API Gateway's `tlsConfig`, plus the client certificate). */
export interface TlsConfigDefinition {
  /** Accept a backend certificate that does not verify (REST `insecureSkipVerification`). Default false. */
  insecureSkipVerification?: boolean
  /** The name the backend certificate must carry (HTTP API `serverNameToVerify`). */
  serverNameToVerify?: string
  /**
   * A client certificate presented to the backend (mutual TLS; API Gateway's stage
   * `clientCertificateId`). PEM text.
   */
  clientCertificate?: { certificatePem: string; privateKeyPem: string }
  /** Extra trusted CA certificates for the backend, PEM text. */
  caPem?: string
}

/** How a method reaches its backend (API Gateway's `Integration`, `x-amazon-apigateway-integration`). */
export interface IntegrationDefinition {
  type: IntegrationType
  /**
   * HTTP(S) URL for HTTP / HTTP_PROXY (may hold `{proxy}`, `{name}` path parameters and
   * `${stageVariables.name}`); a Lambda invocation ARN for AWS / AWS_PROXY (its function name is
   * looked up in `mount()`'s `integrations` map unless `handler` names one).
   */
  uri?: string
  /**
   * The name of a handler in `mount()`'s `integrations` map, for AWS / AWS_PROXY (a sluice
   * addition; import fills it from the Lambda ARN's function name). May use `${stageVariables.x}`.
   */
  handler?: string
  /** The method used to call an HTTP backend (default: the request's method; `ANY` = the request's). */
  httpMethod?: string
  /** Lambda proxy event format: `'1.0'` (REST default) or `'2.0'` (HTTP API default). */
  payloadFormatVersion?: '1.0' | '2.0'
  /** Request mapping templates by content type (VTL). */
  requestTemplates?: Record<string, string>
  /** `integration.request.{path|querystring|header}.NAME` ← `method.request...`, `stageVariables.x`, `context.x`, `'static'`. */
  requestParameters?: Record<string, string>
  /** Default `WHEN_NO_MATCH`. */
  passthroughBehavior?: PassthroughBehavior
  /** Integration responses, in definition order (the first match wins a tie). */
  responses?: IntegrationResponseDefinition[]
  /** Request parameters (`method.request.querystring.type`, ...) that make up the cache key. */
  cacheKeyParameters?: string[]
  cacheNamespace?: string
  /** 50 to 29,000 ms for REST (30,000 for HTTP APIs). Default 29,000. Timeout → 504 INTEGRATION_TIMEOUT. */
  timeoutInMillis?: number
  contentHandling?: ContentHandling
  tlsConfig?: TlsConfigDefinition
  /** Accepted for import fidelity and ignored: `INTERNET` only. */
  connectionType?: 'INTERNET' | 'VPC_LINK'
  connectionId?: string
  /** Accepted for import fidelity and ignored (no IAM role is assumed locally). */
  credentials?: string
}

/** A declared method response (API Gateway's `MethodResponse`). */
export interface MethodResponseDefinition {
  /** `method.response.header.NAME` → required. Only declared headers leave a non-proxy integration. */
  responseParameters?: Record<string, boolean>
  /** Content type → model name. */
  responseModels?: Record<string, string>
}

/**
 * How a method is authorised. `NONE` (default); `CUSTOM` / `COGNITO_USER_POOLS` / `JWT` name an
 * authorizer of the API; `AWS_IAM` is SigV4.
 */
export type AuthorizationType = 'NONE' | 'CUSTOM' | 'AWS_IAM' | 'COGNITO_USER_POOLS' | 'JWT'

/** One method of a resource (API Gateway's `Method`), or one HTTP API route. */
export interface MethodDefinition {
  /** A name for the operation (OpenAPI `operationId`). */
  operationName?: string
  /** Default `NONE`, or `CUSTOM` etc. when `authorizer` is set. */
  authorizationType?: AuthorizationType
  /** The name of an authorizer in {@link ApiDefinition.authorizers}. */
  authorizer?: string
  /** OAuth scopes the caller's token must carry (Cognito / JWT authorizers). */
  authorizationScopes?: string[]
  /** The caller must present an API key (usage plans then apply). Default false. */
  apiKeyRequired?: boolean
  /** The name of a validator in {@link ApiDefinition.requestValidators}; overrides the API's default. */
  requestValidator?: string
  /** `method.request.{path|querystring|header}.NAME` → required. */
  requestParameters?: Record<string, boolean>
  /** Content type → model name (in {@link ApiDefinition.models}), for body validation. */
  requestModels?: Record<string, string>
  integration: IntegrationDefinition
  /** Declared method responses by status code. */
  methodResponses?: Record<string, MethodResponseDefinition>
}

/** The methods of one resource path, e.g. `paths['/pets/{id}'] = { GET: ..., DELETE: ... }`. */
export type PathDefinition = Partial<Record<ApiMethod, MethodDefinition>>

/** A Lambda-style authorizer, Cognito user pool or JWT authorizer (API Gateway's `Authorizer`). */
export interface AuthorizerDefinition {
  /** REST: `TOKEN`, `REQUEST`, `COGNITO_USER_POOLS`; HTTP API: `REQUEST`, `JWT`. */
  type: 'TOKEN' | 'REQUEST' | 'COGNITO_USER_POOLS' | 'JWT'
  /** The authorizer Lambda's invocation ARN (its function name is looked up in `integrations`). */
  authorizerUri?: string
  /** The name of a handler in `mount()`'s `integrations` map (a sluice addition). */
  handler?: string
  /** `method.request.header.Authorization`, comma-separated for REQUEST; `$request.header.X` for HTTP APIs. */
  identitySource?: string
  /** TOKEN: a regular expression the token must match, else 401 without calling the authorizer. */
  identityValidationExpression?: string
  /** 0 to 3600; default 300. */
  authorizerResultTtlInSeconds?: number
  /** Cognito user pool ARNs. */
  providerARNs?: string[]
  /** HTTP API Lambda authorizers: `'1.0'` or `'2.0'`. */
  authorizerPayloadFormatVersion?: '1.0' | '2.0'
  /** HTTP API Lambda authorizers (2.0): `{ isAuthorized, context }` responses. */
  enableSimpleResponses?: boolean
  /** JWT authorizers. */
  jwtConfiguration?: { issuer?: string; audience?: string[] }
  /** Accepted for import fidelity and ignored. */
  authorizerCredentials?: string
}

/** API Gateway's `RequestValidator`. */
export interface RequestValidatorDefinition {
  validateRequestBody?: boolean
  validateRequestParameters?: boolean
}

/** HTTP API CORS (`x-amazon-apigateway-cors`, `corsConfiguration`). */
export interface CorsDefinition {
  allowOrigins?: string[]
  allowCredentials?: boolean
  exposeHeaders?: string[]
  /** Seconds. */
  maxAge?: number
  allowMethods?: string[]
  allowHeaders?: string[]
}

/** A resource policy (`x-amazon-apigateway-policy`): an IAM policy document. */
export type ResourcePolicyDefinition = PolicyDocument

/** A JSON Schema (draft 4) model. */
export type ModelDefinition = Record<string, unknown>

/**
 * A whole API: its routes and their integrations, authorizers, validators, models and API-level
 * settings.
 *
 * @example
 * const api: ApiDefinition = {
 *   paths: {
 *     '/pets': { GET: { integration: { type: 'AWS_PROXY', handler: 'listPets' } } },
 *     '/pets/{id}': { GET: { apiKeyRequired: true, integration: { type: 'HTTP_PROXY', uri: 'http://127.0.0.1:9000/pets/{id}' } } },
 *   },
 * }
 */
export interface ApiDefinition {
  /** `REST` (default) or `HTTP`. */
  protocol?: ApiProtocol
  /** The API's name (OpenAPI `info.title`). */
  name?: string
  /** The API's version label (OpenAPI `info.version`). */
  version?: string
  description?: string
  /** Resources by path (`/pets/{id}`, `/{proxy+}`), each with its methods. */
  paths?: Record<string, PathDefinition>
  /**
   * HTTP APIs may instead give routes by route key: `'GET /pets'`, `'ANY /{proxy+}'`, `'$default'`.
   * Merged with `paths`; a route defined both ways is an error.
   */
  routes?: Record<string, MethodDefinition>
  /** Where API keys come from: the `x-api-key` header (default) or the authorizer's `usageIdentifierKey`. */
  apiKeySource?: 'HEADER' | 'AUTHORIZER'
  /** Authorizers by name, referenced by `MethodDefinition.authorizer`. */
  authorizers?: Record<string, AuthorizerDefinition>
  /** Request validators by name. */
  requestValidators?: Record<string, RequestValidatorDefinition>
  /** The validator every method uses unless it names its own (`x-amazon-apigateway-request-validator` at the root). */
  requestValidator?: string
  /** Models by name (alphanumeric), JSON Schema draft 4. `Empty` and `Error` are built in. */
  models?: Record<string, ModelDefinition>
  /** Customised gateway responses (`x-amazon-apigateway-gateway-responses`). */
  gatewayResponses?: GatewayResponsesOptions
  /** Media types treated as binary (`x-amazon-apigateway-binary-media-types`), e.g. `image/png`, `*\/*`. */
  binaryMediaTypes?: string[]
  /** HTTP API CORS configuration. */
  cors?: CorsDefinition
  /** Resource policy. */
  policy?: ResourcePolicyDefinition
  /** Responses at least this many bytes may be compressed (accepted and ignored). */
  minimumCompressionSize?: number
}
