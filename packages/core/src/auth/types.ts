/**
 * Authorizer configuration, close to API Gateway's own (`x-amazon-apigateway-authorizer`):
 * `type` (`token`, `request`, `jwt`, `cognito_user_pools`, plus `aws_iam` and `none`),
 * `identitySource`, `identityValidationExpression`, `authorizerResultTtlInSeconds`,
 * `jwtConfiguration { issuer, audience }`, `providerARNs`, `authorizerPayloadFormatVersion`,
 * `enableSimpleResponses`. A whole-API mount builds the same config from an OpenAPI document and
 * calls `gw.authorize(config, { authorizationScopes })` per method.
 */
import type { PolicyDocument } from './policy.js'
import type { HttpApiRequestEvent } from '../event-shapes.js'

/** `context` an authorizer may return: strings, numbers and booleans (REST); anything for HTTP API simple responses. */
export type AuthorizerContext = Readonly<Record<string, unknown>>

/** What a Lambda-style authorizer returns with an IAM policy (REST, HTTP API payload 1.0 / 2.0). */
export interface AuthorizerPolicyResult {
  principalId: string
  policyDocument: PolicyDocument
  context?: AuthorizerContext
  /** An API key value for usage plans (`apiKey({ source: 'AUTHORIZER' })`). */
  usageIdentifierKey?: string
}

/** An HTTP API (payload 2.0) simple response. */
export interface AuthorizerSimpleResult {
  isAuthorized: boolean
  context?: AuthorizerContext
}

/** API Gateway's TOKEN authorizer event. */
export interface TokenAuthorizerEvent {
  type: 'TOKEN'
  authorizationToken: string
  methodArn: string
}

/** API Gateway's REQUEST authorizer event (REST; HTTP API payload 1.0 adds `identitySource` and `authorizationToken`). */
export interface RequestAuthorizerEvent {
  type: 'REQUEST'
  methodArn: string
  resource: string
  path: string
  httpMethod: string
  headers: Record<string, string>
  multiValueHeaders: Record<string, string[]>
  queryStringParameters: Record<string, string>
  multiValueQueryStringParameters: Record<string, string[]>
  pathParameters: Record<string, string>
  stageVariables: Record<string, string>
  requestContext: {
    path: string
    accountId: string
    resourceId: string
    stage: string
    requestId: string
    identity: { apiKey: string | null; sourceIp: string; userAgent: string | null }
    resourcePath: string
    httpMethod: string
    apiId: string
  }
  identitySource?: string
  authorizationToken?: string
}

/** API Gateway's HTTP API (payload 2.0) authorizer event. */
export interface RequestAuthorizerEventV2 extends HttpApiRequestEvent {
  type: 'REQUEST'
  routeArn: string
  /** The identity-source values, in order. */
  identitySource: string[]
}

/** What the handler gets besides the event. */
export interface AuthorizerInvocation {
  /** `$context.requestId`. */
  readonly requestId: string
  /** Aborted when the authorizer timed out. */
  readonly signal: AbortSignal
}

/**
 * A Lambda-style authorizer: returns (or resolves to) a result. Throwing (or rejecting with)
 * `"Unauthorized"` answers 401; any other error 500.
 */
export type AuthorizerHandler<E, R = AuthorizerPolicyResult> = (event: E, invocation: AuthorizerInvocation) => R | Promise<R>

interface Named {
  /** Names the authorizer (cache keys, trace). Default: one generated per config object. */
  name?: string
}

interface Lambda extends Named {
  /** Cache TTL of results keyed by the identity-source values: default 300, max 3600, 0 off. */
  authorizerResultTtlInSeconds?: number
  /** How long the handler may take, in ms (default 10,000): past it the request gets a 500. */
  timeoutMs?: number
}

/** A TOKEN authorizer. */
export interface TokenAuthorizerConfig extends Lambda {
  type: 'token'
  handler: AuthorizerHandler<TokenAuthorizerEvent>
  /** One header mapping expression. Default `method.request.header.Authorization`. */
  identitySource?: string
  /** A regular expression the whole token must match, else 401 without calling the handler. */
  identityValidationExpression?: string
}

/** A REQUEST authorizer (REST, or HTTP API with `authorizerPayloadFormatVersion`). */
export interface RequestAuthorizerConfig extends Lambda {
  type: 'request'
  /** Gets the REST / payload 1.0 event, or the 2.0 event (`version: '2.0'`) with payload 2.0. */
  handler: AuthorizerHandler<RequestAuthorizerEvent | RequestAuthorizerEventV2, AuthorizerPolicyResult | AuthorizerSimpleResult>
  /** Comma-separated mapping expressions (or a list); all must be present, else 401 without calling. */
  identitySource?: string | readonly string[]
  /** Absent: the REST event. `1.0` / `2.0`: HTTP API payloads. */
  authorizerPayloadFormatVersion?: '1.0' | '2.0'
  /** With payload 2.0: the handler returns `{ isAuthorized, context }`. */
  enableSimpleResponses?: boolean
}

/** JSON Web Key Set (RFC 7517). */
export interface JsonWebKeySet {
  keys: ReadonlyArray<Record<string, unknown>>
}

/** Token verification settings shared by `jwt` and `cognito_user_pools`. */
export interface JwtVerification {
  /** The JWKS URL. Default: the issuer's OIDC discovery document's `jwks_uri`. */
  jwksUri?: string
  /** A local key set instead of a remote one. */
  jwks?: JsonWebKeySet
  /** A shared secret (HS256/384/512) instead of a key set. */
  secret?: string | Uint8Array
  /** Accepted `alg` values. Default: RS256-512, PS256-512, ES256-512, EdDSA (HS256-512 with `secret`). `none` is never accepted. */
  algorithms?: readonly string[]
  /** Leeway for `exp`, `nbf`, `iat` in seconds. Default 0. */
  clockToleranceSeconds?: number
  /** Claims that must be present. Default `['exp']`. */
  requiredClaims?: readonly string[]
  /** After a failed lookup of an unknown `kid`, no refetch for this long (ms). Default 30,000. */
  jwksCooldownMs?: number
  /** A fetched key set is refetched after this long (ms). Default 600,000. */
  jwksMaxAgeMs?: number
  /** Timeout of a JWKS or discovery fetch (ms). Default 1,500 (API Gateway's). */
  jwksTimeoutMs?: number
  /** The fetch to use. Default the platform's `fetch`. */
  fetch?: (url: string, init: { signal: AbortSignal; headers: Record<string, string> }) => Promise<{ ok: boolean; status: number; text(): Promise<string> }>
  /** How many verified tokens to remember (never past their `exp`). Default 10,000; 0 off. */
  verifiedTokenCacheSize?: number
}

/** An HTTP API JWT authorizer. */
export interface JwtAuthorizerConfig extends Named, JwtVerification {
  type: 'jwt'
  /** Default `$request.header.Authorization` (a raw token or `Bearer <token>`). */
  identitySource?: string
  jwtConfiguration: { issuer: string; audience: readonly string[] }
}

/** A REST Cognito user-pool authorizer. */
export interface CognitoAuthorizerConfig extends Named, JwtVerification {
  type: 'cognito_user_pools'
  /** `arn:aws:cognito-idp:{region}:{account}:userpool/{poolId}`; the issuer is derived from it. */
  providerARNs: readonly string[]
  /** Overrides the derived issuer (a local identity provider in tests). */
  issuer?: string
  /** App client ids an ID token's `aud` must name (optional). */
  audience?: readonly string[]
  /** Default `method.request.header.Authorization`. */
  identitySource?: string
  /** Matched against the token's `aud`. */
  identityValidationExpression?: string
}

/** What a SigV4 credential resolver returns for an access key id. */
export interface IamCredentials {
  secretAccessKey: string
  /** Temporary credentials: the `X-Amz-Security-Token` the request must carry. */
  sessionToken?: string
  /** `$context.identity.accountId` (default the gateway's account). */
  accountId?: string
  /** `$context.identity.userArn`, e.g. `arn:aws:iam::123456789012:user/alice`. */
  userArn?: string
  /** `$context.identity.caller` (default the access key id). */
  caller?: string
  /** `$context.identity.user` (default the access key id). */
  user?: string
  /** Identity policies deciding `execute-api:Invoke` (and `InvalidateCache`). */
  policies?: readonly PolicyDocument[]
}

/** IAM (SigV4) authorization. */
export interface IamAuthorizerConfig extends Named {
  type: 'aws_iam'
  /** Looks up an access key id; undefined for an unknown key. */
  credentials: (accessKeyId: string) => IamCredentials | undefined | Promise<IamCredentials | undefined>
  /** The signing service name. Default `execute-api`. */
  service?: string
  /** Accept `X-Amz-Content-Sha256: UNSIGNED-PAYLOAD` (the body is then not verified). Default false. */
  allowUnsignedPayload?: boolean
}

/** No authorizer: only the gateway's resource policy decides (it must allow explicitly). */
export interface NoAuthorizerConfig extends Named {
  type: 'none'
}

/** Any authorizer `gw.authorize()` accepts. */
export type AuthorizerConfig = TokenAuthorizerConfig | RequestAuthorizerConfig | JwtAuthorizerConfig | CognitoAuthorizerConfig | IamAuthorizerConfig | NoAuthorizerConfig

/** Per-method settings of `gw.authorize(config, method)`. */
export interface AuthorizeMethodOptions {
  /** The method's `authorizationScopes` (JWT and Cognito access tokens): one must be in the token's `scope` / `scp`. */
  authorizationScopes?: readonly string[]
}
