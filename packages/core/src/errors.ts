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
  | 'ERR_UNKNOWN_INTEGRATION'
  | 'ERR_INVALID_STAGE'

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
