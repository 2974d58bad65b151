/**
 * `@sluice/core`: Amazon API Gateway's request pipeline, framework-neutral.
 */
export { createGateway, gatewayOf } from './gateway.js'
export type { Gateway, GatewayOptions, StageOptions } from './gateway.js'

export { Exchange } from './exchange.js'
export type { ExchangeInit } from './exchange.js'
export type { RequestContext, Identity, ErrorContext } from './context.js'
export { formatRequestTime } from './context.js'
export type { TraceEntry } from './trace.js'

export { createRequest, RecordHeaders, splitUrl } from './request.js'
export type { GatewayRequest, HeaderReader, HeaderRecord, RequestInit } from './request.js'
export { toFetchResponse, CAPTURE_LIMIT } from './response.js'
export type { GatewayResponse } from './response.js'

export { CONTINUE, isPromise, proceed, respond, STEP, withStep } from './outcome.js'
export type { Outcome, Continue, Respond, Step, CarriesStep } from './outcome.js'

export { GatewayError, isGatewayError, SluiceConfigError, isSluiceConfigError } from './errors.js'
export type { ConfigErrorCode, GatewayResponseType } from './errors.js'
export { GatewayResponses, BUILT_IN_RESPONSES, GATEWAY_RESPONSE_TYPES } from './responses.js'
export type { GatewayResponseConfig, GatewayResponsesOptions } from './responses.js'

export { systemClock } from './clock.js'
export type { Clock } from './clock.js'
export { canonicalIp, createIpResolver } from './ip.js'
export type { TrustProxy, IpResolver } from './ip.js'

export { ApiKeyRegistry } from './keys/registry.js'
export type { ApiKey, ApiKeyInit, KeyMatch } from './keys/registry.js'
export { parseApiKeysCsv, ApiKeyCsvError } from './keys/csv.js'
export type { CsvRowError } from './keys/csv.js'
export { generateApiKeyValue } from './keys/value.js'
export type { ApiKeyOptions } from './keys/api-key.js'

export { resourceFromRoute } from './route.js'
export type { MethodSetting, GatewayStore } from './gateway.js'
export { MemoryThrottleStore, memoryThrottleStore } from './throttle/memory-store.js'
export type { MemoryThrottleStoreOptions } from './throttle/memory-store.js'
export type { ThrottleStore, ThrottleQuery, ThrottleDecision, BucketRef, QuotaRef, DailyUsage } from './throttle/store.js'
export { UsagePlans } from './throttle/plans.js'
export type { UsagePlan, UsagePlanApiStage, PreparedPlan } from './throttle/plans.js'
export type { ThrottleSettings, QuotaSettings, BucketSpec, QuotaSpec } from './throttle/settings.js'
export type { QuotaPeriod, WeekStart } from './throttle/periods.js'
export { periodStart, periodEnd } from './throttle/periods.js'
export type { ThrottleOptions } from './throttle/throttle.js'
export type { GetUsageInput, Usage } from './throttle/usage.js'
export { composeKey, ipIdentity } from './throttle/identity.js'
export { adapt } from './adapt.js'
export type { AdaptedGateway } from './adapt.js'
export { chainSteps } from './chain.js'
export { MemoryCacheStore, memoryCacheStore } from './cache/store.js'
export type { CacheStore, CacheEntry, CacheFlushFilter, MemoryCacheStoreOptions } from './cache/store.js'
export type { CacheOptions, StageCacheSettings, UnauthorizedCacheControlStrategy } from './cache/settings.js'
export type { CacheStats, MethodCacheSetting } from './cache/cache.js'
export { INVALIDATION_WARNING } from './cache/cache.js'
export { requestValidationStep, validationConfig } from './validation/validate.js'
export type { ValidateOptions, RequestValidationConfig, RequestValidator, ParameterLocation } from './validation/validate.js'
export { ModelSet, BUILT_IN_MODELS } from './validation/models.js'
export type { JsonSchema, SchemaDraft, ModelSetOptions, CompiledModel, ModelResult } from './validation/models.js'
export { mediaTypeEssence } from './validation/media-type.js'
export { corsStep, CORS_HEADERS } from './cors/cors.js'
export type { CorsOptions } from './cors/cors.js'
export { API_METHODS } from './api/definition.js'
export type {
  ApiDefinition,
  ApiMethod,
  ApiProtocol,
  AuthorizationType,
  AuthorizerDefinition,
  ContentHandling,
  CorsDefinition,
  IntegrationDefinition,
  IntegrationResponseDefinition,
  IntegrationType,
  MethodDefinition,
  MethodResponseDefinition,
  ModelDefinition,
  PathDefinition,
  RequestValidatorDefinition,
  ResourcePolicyDefinition,
  TlsConfigDefinition,
} from './api/definition.js'
export { Api, createApi } from './api/api.js'
export type { ApiOptions, CanarySettings, CanaryState, Deployment, ImportMode, StageSettings, StageState } from './api/api.js'
export type { MountOptions, MountedApi } from './api/mount.js'
export type { MountAuthorizer } from './api/authorizers.js'
export { importOpenApi } from './openapi/import.js'
export type { OpenApiError } from './openapi/import.js'
export { lintOpenApi } from './openapi/lint.js'
export { exportOpenApi } from './openapi/export.js'
export { parseOpenApiText } from './openapi/parse.js'
export type { OpenApiDiagnostic, ImportOpenApiOptions, ImportOpenApiResult, ExportOpenApiOptions, RewriteUri } from './openapi/types.js'
export { compileApi } from './api/compile.js'
export type { CompiledApi, CompiledMethod } from './api/compile.js'
export { Router } from './api/router.js'
export type { RouteMatch } from './api/router.js'
export { canonicalPath } from './api/path.js'
export type { CanonicalPath } from './api/path.js'
export { proxyEventV1, proxyEventV2 } from './api/events.js'
export type { ProxyEventV1, ProxyEventV2, ProxyInput } from './api/events.js'
export type { HttpApiRequestContext, HttpApiRequestEvent } from './event-shapes.js'
export { functionNameFromUri, proxyResponseV1, proxyResponseV2 } from './api/lambda.js'
export type { IntegrationHandler, LambdaContext, LambdaHandler } from './api/lambda.js'
export type { TemplateInput as MappingTemplateInput, TemplateRenderer } from './api/mapping.js'
export { backendUrl } from './api/backend.js'
export { compileTemplate, renderTemplate, DEFAULT_LIMITS as DEFAULT_TEMPLATE_LIMITS } from './templates/render.js'
export type { CompiledTemplate, TemplateInput, TemplateLimits, RenderResult } from './templates/render.js'
export { TemplateError } from './templates/values.js'
export type { TemplateErrorCode } from './templates/values.js'
export type { Overrides as TemplateOverrides } from './templates/input.js'
export { MemoryAuthorizerResultStore, memoryAuthorizerResultStore } from './auth/store.js'
export type { AuthorizerResultStore, StoredAuthorizerResult, MemoryAuthorizerResultStoreOptions } from './auth/store.js'
export { compilePolicy, combineDecisions, wildcardMatch, PolicyError } from './auth/policy.js'
export type { PolicyDocument, PolicyStatement, PolicyRequest, PolicyDecision, CompiledPolicy, CompilePolicyOptions } from './auth/policy.js'
export { resolveAws, methodArn, AWS_DEFAULTS } from './auth/arn.js'
export type { AwsIdentity } from './auth/arn.js'
export { prepareAuthorizer, authorizeStep, policyAllows, INVOKE, INVALIDATE_CACHE } from './auth/authorize.js'
export type { PreparedAuthorizer, AuthorizeEnv } from './auth/authorize.js'
export type {
  AuthorizerConfig,
  AuthorizeMethodOptions,
  TokenAuthorizerConfig,
  RequestAuthorizerConfig,
  JwtAuthorizerConfig,
  CognitoAuthorizerConfig,
  IamAuthorizerConfig,
  NoAuthorizerConfig,
  IamCredentials,
  JwtVerification,
  JsonWebKeySet,
  AuthorizerHandler,
  AuthorizerInvocation,
  AuthorizerPolicyResult,
  AuthorizerSimpleResult,
  AuthorizerContext,
  TokenAuthorizerEvent,
  RequestAuthorizerEvent,
  RequestAuthorizerEventV2,
} from './auth/types.js'
export { canonicalRequest, canonicalUri, canonicalQuery, uriEncode } from './auth/sigv4.js'
export type { TransformOptions } from './templates/transform.js'
export { transformStep } from './templates/transform.js'
export type { RequestRewrite } from './outcome.js'
export { compileTemplates, selectRequestTemplate, selectResponseTemplate, mediaTypeOf, PASSTHROUGH_BEHAVIORS } from './templates/selection.js'
export type { PassthroughBehavior, TemplateSet, RequestChoice } from './templates/selection.js'
export { prepareIntegrationResponses, mapResponse, applyResponseOverrides, compileSelectionPattern, NoIntegrationResponseError } from './templates/integration-response.js'
export type { IntegrationResponse, PreparedIntegrationResponse, PreparedResponses, ResponseMappingInput } from './templates/integration-response.js'
export { unsafeRegexReason } from './templates/regex-safety.js'
export { compileJsonPath } from './templates/jsonpath.js'
export type { JsonPath } from './templates/jsonpath.js'
export { escapeJavaScript, urlEncode, urlDecode, base64Encode, base64Decode } from './templates/util.js'
export { StoreUnavailableError, isStoreUnavailableError } from './errors.js'
export type { HeaderHook } from './outcome.js'
