/**
 * `x-amazon-apigateway-integration` → {@link IntegrationDefinition}, and Lambda URIs → handler
 * names.
 */
import type { ContentHandling, IntegrationDefinition, IntegrationResponseDefinition, IntegrationType, PassthroughBehavior, TlsConfigDefinition } from '../api/definition.js'
import { compilePattern } from '../api/mapping.js'
import { unsafeRegexReason } from '../templates/regex-safety.js'
import { type Ctx, type Obj, dict, isObject, own, put } from './context.js'
import { ptr } from './pointer.js'

const TYPES: Record<string, IntegrationType> = { aws: 'AWS', aws_proxy: 'AWS_PROXY', http: 'HTTP', http_proxy: 'HTTP_PROXY', mock: 'MOCK', next: 'NEXT' }
const PASSTHROUGH: Record<string, PassthroughBehavior> = { when_no_match: 'WHEN_NO_MATCH', when_no_templates: 'WHEN_NO_TEMPLATES', never: 'NEVER' }
const CONTENT_HANDLING = new Set<ContentHandling>(['CONVERT_TO_TEXT', 'CONVERT_TO_BINARY'])
const INTEGRATION_KEYS = new Set([
  'type',
  'uri',
  'httpMethod',
  'requestTemplates',
  'requestParameters',
  'responses',
  'passthroughBehavior',
  'cacheKeyParameters',
  'cacheNamespace',
  'timeoutInMillis',
  'payloadFormatVersion',
  'connectionType',
  'connectionId',
  'contentHandling',
  'tlsConfig',
  'credentials',
  'integrationSubtype',
])
const RESPONSE_KEYS = new Set(['statusCode', 'responseParameters', 'responseTemplates', 'contentHandling'])

/** `arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations`. */
const LAMBDA_INVOCATION = /^arn:aws[a-z-]*:apigateway:[^:]*:lambda:path\/[^/]+\/functions\/(.+)\/invocations$/
/** `arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`. */
const FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:[^:]*:[^:]*:function:([^:]+)(?::(.+))?$/
/** Another AWS service: `arn:aws:apigateway:REGION:SERVICE:action/...` or `:path/...`. */
const SERVICE_URI = /^arn:aws[a-z-]*:apigateway:[^:]*:([^:]+):/
const NAME = /^(?:[A-Za-z0-9_-]|\$\{stageVariables\.[A-Za-z0-9_]+\})+$/

/** Mapping expressions sluice evaluates (`mapValue`): static, request, response, stage variable and context values. */
const EXPRESSION = /^(?:'.*'|method\.request\.(?:path|querystring|multivaluequerystring|header|multivalueheader)\.[^.].*|method\.request\.body(?:\..+)?|integration\.response\.(?:header|multivalueheader)\..+|integration\.response\.body(?:\..+)?|stageVariables\..+|context\..+)$/s

/** Reports mappings sluice would skip: targets of another form (HTTP API `overwrite:header.x`), values it cannot evaluate. */
function checkMappings(ctx: Ctx, map: Readonly<Record<string, string>>, pointer: string, target: RegExp, targetForm: string): void {
  for (const [k, v] of Object.entries(map)) {
    if (!target.test(k)) ctx.warn(ptr(pointer, k), `sluice maps ${targetForm} only (HTTP API parameter mapping is not supported): ignored`)
    else if (!EXPRESSION.test(v)) ctx.warn(ptr(pointer, k), `"${v}" is not a mapping expression sluice evaluates ('static', method.request.*, integration.response.*, stageVariables.*, context.*): the mapping is skipped`)
  }
}

export type LambdaTarget = { handler: string } | { error: string }

/**
 * The handler name a Lambda URI names: the function name (the last part of the function ARN),
 * without its alias or version unless `keepQualifier`. `${stageVariables.x}` stays in the name;
 * a bare function name or ARN (HTTP APIs) is accepted too.
 */
export function lambdaHandlerName(uri: string, keepQualifier = false): LambdaTarget {
  let fn = uri
  const inv = LAMBDA_INVOCATION.exec(uri)
  if (inv) {
    fn = inv[1] as string
    try {
      fn = decodeURIComponent(fn)
    } catch {
      return { error: 'the function ARN is not validly percent-encoded' }
    }
  } else {
    const svc = SERVICE_URI.exec(uri)
    if (svc) return { error: `an AWS service integration (${svc[1] as string}) is not supported: only Lambda functions run locally` }
  }
  const arn = FUNCTION_ARN.exec(fn)
  if (arn) {
    const name = arn[1] as string
    const qualifier = arn[2]
    if (!NAME.test(name)) return { error: `"${name}" is not a Lambda function name` }
    return { handler: keepQualifier && qualifier !== undefined ? `${name}:${qualifier}` : name }
  }
  if (fn.startsWith('arn:')) return { error: 'is not a Lambda function ARN or invocation URI' }
  // a bare function name, possibly a stage variable (`${stageVariables.fn}`)
  const [name, qualifier] = fn.split(':', 2) as [string, string | undefined]
  if (!NAME.test(name)) return { error: 'names no Lambda function (expected an invocation URI, a function ARN, or a function name)' }
  return { handler: keepQualifier && qualifier !== undefined ? `${name}:${qualifier}` : name }
}

/** Applies `rewriteUri` to an HTTP integration URI. */
function rewrite(ctx: Ctx, uri: string, pointer: string): string {
  const r = ctx.options.rewriteUri
  if (r === undefined) return uri
  if (typeof r === 'function') {
    const out = r(uri, pointer)
    if (typeof out !== 'string') {
      ctx.error(pointer, 'rewriteUri returned something other than a string')
      return uri
    }
    return out
  }
  // the longest matching prefix wins
  let best: string | undefined
  for (const prefix of Object.keys(r)) if (uri.startsWith(prefix) && (best === undefined || prefix.length > best.length)) best = prefix
  return best === undefined ? uri : `${r[best] as string}${uri.slice(best.length)}`
}

function responses(ctx: Ctx, raw: unknown, pointer: string): IntegrationResponseDefinition[] | undefined {
  if (raw === undefined) return undefined
  if (!isObject(raw)) {
    ctx.error(pointer, 'must be an object of integration responses by selection pattern (or "default")')
    return undefined
  }
  const out: IntegrationResponseDefinition[] = []
  for (const [pattern, r] of Object.entries(raw)) {
    const p = ptr(pointer, pattern)
    if (!isObject(r)) {
      ctx.error(p, 'must be an object { statusCode, responseParameters?, responseTemplates?, contentHandling? }')
      continue
    }
    ctx.unknownKeys(r, p, RESPONSE_KEYS, 'integration response')
    const rawStatus = own(r, 'statusCode')
    const statusCode = typeof rawStatus === 'number' ? String(rawStatus) : rawStatus
    if (typeof statusCode !== 'string' || !/^[1-5]\d\d$/.test(statusCode)) {
      ctx.error(ptr(p, 'statusCode'), "must be a status code such as '200'")
      continue
    }
    const resp: IntegrationResponseDefinition = { statusCode }
    if (pattern !== 'default') {
      const unsafe = unsafeRegexReason(pattern)
      if (unsafe !== undefined) ctx.error(p, `the selection pattern is unsafe to run on backend output: ${unsafe}`)
      else {
        try {
          compilePattern(pattern)
          resp.selectionPattern = pattern
        } catch (e) {
          ctx.error(p, `the selection pattern is not a valid regular expression (${e instanceof Error ? e.message : String(e)})`)
        }
      }
    }
    const params = ctx.stringMap(r, 'responseParameters', p)
    if (params !== undefined) {
      checkMappings(ctx, params, ptr(p, 'responseParameters'), /^method\.response\.header\.[^.]/, 'method.response.header.NAME')
      resp.responseParameters = params
    }
    const templates = ctx.stringMap(r, 'responseTemplates', p)
    if (templates !== undefined) resp.responseTemplates = templates
    const ch = contentHandling(ctx, r, p)
    if (ch !== undefined) resp.contentHandling = ch
    out.push(resp)
  }
  return out
}

function contentHandling(ctx: Ctx, o: Obj, pointer: string): ContentHandling | undefined {
  const v = ctx.str(o, 'contentHandling', pointer)
  if (v === undefined) return undefined
  if (!CONTENT_HANDLING.has(v as ContentHandling)) {
    ctx.error(ptr(pointer, 'contentHandling'), 'must be CONVERT_TO_TEXT or CONVERT_TO_BINARY')
    return undefined
  }
  return v as ContentHandling
}

function tlsConfig(ctx: Ctx, o: Obj, pointer: string): TlsConfigDefinition | undefined {
  const t = ctx.obj(o, 'tlsConfig', pointer)
  if (t === undefined) return undefined
  const p = ptr(pointer, 'tlsConfig')
  ctx.unknownKeys(t, p, new Set(['insecureSkipVerification', 'serverNameToVerify']), 'tlsConfig')
  const out: TlsConfigDefinition = {}
  const skip = ctx.bool(t, 'insecureSkipVerification', p)
  if (skip !== undefined) out.insecureSkipVerification = skip
  const name = ctx.str(t, 'serverNameToVerify', p)
  if (name !== undefined) out.serverNameToVerify = name
  return out
}

/** Converts one `x-amazon-apigateway-integration` object (already resolved from any `$ref`). */
export function integrationFrom(ctx: Ctx, x: Obj, pointer: string): IntegrationDefinition | undefined {
  ctx.unknownKeys(x, pointer, INTEGRATION_KEYS, 'integration')
  const rawType = own(x, 'type')
  const type = typeof rawType === 'string' && Object.prototype.hasOwnProperty.call(TYPES, rawType.toLowerCase()) ? TYPES[rawType.toLowerCase()] : undefined
  if (type === undefined) {
    ctx.error(ptr(pointer, 'type'), 'must be aws, aws_proxy, http, http_proxy or mock')
    return undefined
  }
  if (type === 'NEXT') ctx.warn(ptr(pointer, 'type'), "'next' is a sluice integration type (the host framework's own route answers); API Gateway does not know it")
  const out: IntegrationDefinition = { type }
  const subtype = own(x, 'integrationSubtype')
  if (subtype !== undefined) ctx.error(ptr(pointer, 'integrationSubtype'), 'AWS service integrations (integrationSubtype) are not supported: only Lambda functions run locally')
  const uri = ctx.str(x, 'uri', pointer)
  if (type === 'AWS' || type === 'AWS_PROXY') {
    if (uri === undefined) ctx.error(ptr(pointer, 'uri'), `an ${type.toLowerCase()} integration needs the Lambda function's uri`)
    else {
      const t = lambdaHandlerName(uri, ctx.options.keepQualifier === true)
      if ('error' in t) ctx.error(ptr(pointer, 'uri'), t.error)
      else {
        out.uri = uri
        out.handler = t.handler
      }
    }
  } else if (type === 'HTTP' || type === 'HTTP_PROXY') {
    if (uri === undefined) ctx.error(ptr(pointer, 'uri'), `an ${type.toLowerCase()} integration needs the backend's URL`)
    else {
      const u = rewrite(ctx, uri, ptr(pointer, 'uri'))
      if (!/^(https?:\/\/[^/?#]|\$\{stageVariables\.)/.test(u)) ctx.error(ptr(pointer, 'uri'), `must be an http(s) URL (or start with a stage variable), not "${u}"`)
      else out.uri = u
    }
  } else if (uri !== undefined) out.uri = uri
  const httpMethod = ctx.str(x, 'httpMethod', pointer)
  if (httpMethod !== undefined) {
    if (!/^[A-Za-z]+$/.test(httpMethod)) ctx.error(ptr(pointer, 'httpMethod'), 'must be an HTTP method')
    else out.httpMethod = httpMethod.toUpperCase()
  }
  const pfv = own(x, 'payloadFormatVersion')
  if (pfv !== undefined) {
    if (pfv !== '1.0' && pfv !== '2.0') ctx.error(ptr(pointer, 'payloadFormatVersion'), "must be '1.0' or '2.0'")
    else if (pfv === '2.0' && ctx.protocol === 'REST') ctx.error(ptr(pointer, 'payloadFormatVersion'), 'payload format 2.0 is for HTTP APIs')
    else out.payloadFormatVersion = pfv
  }
  const rt = ctx.stringMap(x, 'requestTemplates', pointer)
  if (rt !== undefined) out.requestTemplates = rt
  const rp = ctx.stringMap(x, 'requestParameters', pointer)
  if (rp !== undefined) {
    checkMappings(ctx, rp, ptr(pointer, 'requestParameters'), /^integration\.request\.(?:path|querystring|header)\.[^.]/, 'integration.request.{path|querystring|header}.NAME')
    out.requestParameters = rp
  }
  const rs = responses(ctx, own(x, 'responses'), ptr(pointer, 'responses'))
  if (rs !== undefined) out.responses = rs
  const pb = ctx.str(x, 'passthroughBehavior', pointer)
  if (pb !== undefined) {
    const v = Object.prototype.hasOwnProperty.call(PASSTHROUGH, pb.toLowerCase()) ? PASSTHROUGH[pb.toLowerCase()] : undefined
    if (v === undefined) ctx.error(ptr(pointer, 'passthroughBehavior'), 'must be when_no_match, when_no_templates or never')
    else out.passthroughBehavior = v
  }
  const ck = ctx.strings(x, 'cacheKeyParameters', pointer)
  if (ck !== undefined) out.cacheKeyParameters = ck
  const ns = ctx.str(x, 'cacheNamespace', pointer)
  if (ns !== undefined) out.cacheNamespace = ns
  const timeout = ctx.int(x, 'timeoutInMillis', pointer, 50, ctx.protocol === 'HTTP' ? 30_000 : 29_000)
  if (timeout !== undefined) out.timeoutInMillis = timeout
  const ch = contentHandling(ctx, x, pointer)
  if (ch !== undefined) out.contentHandling = ch
  const tls = tlsConfig(ctx, x, pointer)
  if (tls !== undefined) out.tlsConfig = tls
  const ct = ctx.str(x, 'connectionType', pointer)
  if (ct !== undefined) {
    if (ct.toUpperCase() === 'VPC_LINK') ctx.error(ptr(pointer, 'connectionType'), 'VPC_LINK integrations are not supported: point the integration at a reachable URL (rewriteUri can do it at import)')
    else if (ct.toUpperCase() !== 'INTERNET') ctx.error(ptr(pointer, 'connectionType'), 'must be INTERNET or VPC_LINK')
    else out.connectionType = 'INTERNET'
  }
  const cid = ctx.str(x, 'connectionId', pointer)
  if (cid !== undefined && out.connectionType !== undefined) out.connectionId = cid
  const cred = ctx.str(x, 'credentials', pointer)
  if (cred !== undefined) {
    out.credentials = cred
    ctx.warn(ptr(pointer, 'credentials'), "no IAM role is assumed locally: the integration runs with the process's own rights")
  }
  return out
}

/** A null-prototype copy of a string map (for re-use by other modules). */
export function copyStrings(m: Readonly<Record<string, string>>): Record<string, string> {
  const out = dict<string>()
  for (const [k, v] of Object.entries(m)) put(out, k, v)
  return out
}
