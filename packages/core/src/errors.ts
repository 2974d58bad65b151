/**
 * Error types of sluice. Every error carries a stable string `code`; check the code (or use the
 * `is*` guards) rather than `instanceof`, so identity survives two loaded copies of the package.
 */

/** Codes of {@link SluiceConfigError}: each names one misconfiguration and has a docs page. */
export type ConfigErrorCode =
  | 'ERR_INVALID_OPTION'
  | 'ERR_INVALID_API_KEY_VALUE'
  | 'ERR_DUPLICATE_API_KEY'
  | 'ERR_UNKNOWN_API_KEY'
  | 'ERR_INVALID_API_KEY_CSV'
  | 'ERR_INVALID_GATEWAY_RESPONSE'
  | 'ERR_INVALID_TRUST_PROXY'
  | 'ERR_INVALID_THROTTLE'
  | 'ERR_INVALID_USAGE_PLAN'
  | 'ERR_UNKNOWN_USAGE_PLAN'
  | 'ERR_USAGE_PLAN_CONFLICT'
  | 'ERR_QUOTA_WITHOUT_KEY'
  | 'ERR_INVALID_CACHE'
  | 'ERR_INVALID_VALIDATION'
  | 'ERR_INVALID_MODEL'
  | 'ERR_INVALID_CORS'
  | 'ERR_INVALID_AUTHORIZER'
  | 'ERR_INVALID_POLICY'
  | 'ERR_INVALID_TEMPLATE'
  | 'ERR_UNSAFE_REGEX'
  | 'ERR_INVALID_TRANSFORM'
  | 'ERR_INVALID_API_DEFINITION'
  | 'ERR_INVALID_OPENAPI'
  | 'ERR_UNKNOWN_INTEGRATION'
  | 'ERR_INVALID_STAGE'
  | 'ERR_INVALID_STORE'

const CONFIG_ERROR = Symbol.for('sluice.SluiceConfigError')

/**
 * Thrown at construction (or by a registry call) when an option cannot do what was asked.
 * The message names the option; `code` names the problem.
 *
 * @example
 * try { createGateway({ apiKeys: [{ id: 'a', value: 'short' }] }) }
 * catch (e) { if (isSluiceConfigError(e)) console.log(e.code, e.option) }
 */
export class SluiceConfigError extends Error {
  override readonly name = 'SluiceConfigError'
  readonly code: ConfigErrorCode
  /** The option path that is wrong, for example `apiKeys[2].value`. */
  readonly option: string
  readonly [CONFIG_ERROR] = true

  constructor(code: ConfigErrorCode, option: string, message: string) {
    super(`${option}: ${message} (${code})`)
    this.code = code
    this.option = option
  }
}

/** True for a {@link SluiceConfigError} from any loaded copy of `@sluice/core`. */
export function isSluiceConfigError(value: unknown): value is SluiceConfigError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[CONFIG_ERROR] === true
}

/** API Gateway's gateway-response types (REST). */
export type GatewayResponseType =
  | 'ACCESS_DENIED'
  | 'API_CONFIGURATION_ERROR'
  | 'AUTHORIZER_CONFIGURATION_ERROR'
  | 'AUTHORIZER_FAILURE'
  | 'BAD_REQUEST_PARAMETERS'
  | 'BAD_REQUEST_BODY'
  | 'DEFAULT_4XX'
  | 'DEFAULT_5XX'
  | 'EXPIRED_TOKEN'
  | 'INTEGRATION_FAILURE'
  | 'INTEGRATION_TIMEOUT'
  | 'INVALID_API_KEY'
  | 'INVALID_SIGNATURE'
  | 'MISSING_AUTHENTICATION_TOKEN'
  | 'QUOTA_EXCEEDED'
  | 'REQUEST_TOO_LARGE'
  | 'RESOURCE_NOT_FOUND'
  | 'THROTTLED'
  | 'UNAUTHORIZED'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'WAF_FILTERED'

const GATEWAY_ERROR = Symbol.for('sluice.GatewayError')

/**
 * A denial or failure of the gateway, typed by API Gateway's gateway-response type. It is rendered
 * through the gateway-responses table into a {@link GatewayResponse}. Features return denials as
 * values (`respond(...)`); this class exists so that user code (an authorizer, a handler) can throw
 * one and still get an AWS-shaped response.
 */
export class GatewayError extends Error {
  override readonly name = 'GatewayError'
  readonly type: GatewayResponseType
  readonly [GATEWAY_ERROR] = true

  /** @param message overrides the type's default message (`$context.error.message`). */
  constructor(type: GatewayResponseType, message?: string | null) {
    super(message ?? type)
    this.type = type
    this.errorMessage = message
  }

  /** The message given at construction, or undefined to use the type's default. */
  readonly errorMessage: string | null | undefined
}

/** True for a {@link GatewayError} from any loaded copy of `@sluice/core`. */
export function isGatewayError(value: unknown): value is GatewayError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[GATEWAY_ERROR] === true
}

const STORE_UNAVAILABLE = Symbol.for('sluice.StoreUnavailableError')

/**
 * Thrown (or rejected) by a store that cannot answer — a network store whose server is down or
 * slow, under a fail-closed policy. The gateway answers the request with a 503 gateway response
 * (DEFAULT_5XX, message `Service Unavailable`) carrying `Retry-After`, never a fake 429.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError'
  readonly code = 'ERR_STORE_UNAVAILABLE'
  /** Seconds the client should wait before retrying (the `Retry-After` header). */
  readonly retryAfter: number
  readonly [STORE_UNAVAILABLE] = true

  constructor(message = 'the store is unavailable', retryAfter = 1, options?: { cause?: unknown }) {
    super(message, options)
    this.retryAfter = Math.max(1, Math.ceil(retryAfter))
  }
}

/** True for a {@link StoreUnavailableError} from any loaded copy of `@sluice/core`. */
export function isStoreUnavailableError(value: unknown): value is StoreUnavailableError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[STORE_UNAVAILABLE] === true
}
