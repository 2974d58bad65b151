/** One OpenAPI operation (with its path item's parameters) → a {@link MethodDefinition}. */
import type { MethodDefinition, MethodResponseDefinition, ModelDefinition } from '../api/definition.js'
import { type Ctx, type Obj, dict, isObject, own, put, X } from './context.js'
import { integrationFrom } from './integration.js'
import { modelOf, resolveRef, suggestName } from './models.js'
import { ptr } from './pointer.js'
import { applySecurity, type SchemeKind } from './security.js'

const OPERATION_KEYS = new Set([
  'tags',
  'summary',
  'description',
  'externalDocs',
  'operationId',
  'consumes',
  'produces',
  'parameters',
  'requestBody',
  'responses',
  'schemes',
  'deprecated',
  'security',
  'servers',
  'callbacks',
  'isDefaultRoute',
  `${X}integration`,
  `${X}request-validator`,
  `${X}auth`,
])
const LOCATIONS: Record<string, string> = { path: 'path', query: 'querystring', header: 'header' }

/** What an operation needs from the rest of the document. */
export interface OperationEnv {
  readonly kinds: ReadonlyMap<string, SchemeKind>
  readonly models: Record<string, ModelDefinition>
  readonly validators: ReadonlySet<string>
}

interface Param {
  readonly value: Obj
  readonly pointer: string
}

/** Resolves a parameters list; `key` is `in:name`. */
function parameters(ctx: Ctx, list: unknown, pointer: string, into: Map<string, Param>): void {
  if (list === undefined) return
  if (!Array.isArray(list)) {
    ctx.error(pointer, 'must be a list of parameters')
    return
  }
  list.forEach((raw, n) => {
    const r = resolveRef(ctx, raw, ptr(pointer, n))
    if (r === undefined) return
    if (!isObject(r.value)) {
      ctx.error(ptr(pointer, n), 'must be a parameter object')
      return
    }
    const name = own(r.value, 'name')
    const where = own(r.value, 'in')
    if (typeof name !== 'string' || typeof where !== 'string') {
      ctx.error(ptr(pointer, n), 'a parameter needs a string name and in')
      return
    }
    into.set(`${where}:${name}`, { value: r.value, pointer: ptr(pointer, n) })
  })
}

function mediaTypes(ctx: Ctx, op: Obj, key: 'consumes' | 'produces', pointer: string): string[] {
  const own1 = ctx.strings(op, key, pointer)
  if (own1 !== undefined) return own1
  const root = ctx.strings(ctx.doc, key, '')
  return root ?? ['application/json']
}

function responsesOf(ctx: Ctx, op: Obj, pointer: string, env: OperationEnv, suggest: (status: string) => string): Record<string, MethodResponseDefinition> | undefined {
  const raw = own(op, 'responses')
  if (raw === undefined) return undefined
  const p = ptr(pointer, 'responses')
  if (!isObject(raw)) {
    ctx.error(p, 'must be an object of responses by status code')
    return undefined
  }
  const out = dict<MethodResponseDefinition>()
  for (const [status, rawResp] of Object.entries(raw)) {
    const rp = ptr(p, status)
    if (!/^[1-5]\d\d$/.test(status)) {
      if (!status.startsWith('x-')) ctx.warn(rp, 'API Gateway method responses are by status code: ignored')
      continue
    }
    const r = resolveRef(ctx, rawResp, rp)
    if (r === undefined) continue
    if (!isObject(r.value)) {
      ctx.error(rp, 'must be a response object')
      continue
    }
    const resp: MethodResponseDefinition = {}
    const headers = own(r.value, 'headers')
    if (headers !== undefined) {
      if (!isObject(headers)) ctx.error(ptr(rp, 'headers'), 'must be an object of headers')
      else {
        const params = dict<boolean>()
        for (const [h, hv] of Object.entries(headers)) {
          const hr = resolveRef(ctx, hv, ptr(rp, 'headers', h))
          put(params, `method.response.header.${h}`, hr !== undefined && own(hr.value, 'required') === true)
        }
        resp.responseParameters = params
      }
    }
    const models = dict<string>()
    if (ctx.version === 2) {
      const schema = own(r.value, 'schema')
      if (schema !== undefined) {
        const name = modelOf(ctx, schema, ptr(rp, 'schema'), env.models, suggest(status))
        if (name !== undefined) for (const mt of mediaTypes(ctx, op, 'produces', pointer)) put(models, mt, name)
      }
    } else {
      const content = own(r.value, 'content')
      if (content !== undefined && !isObject(content)) ctx.error(ptr(rp, 'content'), 'must be an object by media type')
      for (const [mt, media] of Object.entries(isObject(content) ? content : {})) {
        const schema = own(media, 'schema')
        if (schema === undefined) continue
        const name = modelOf(ctx, schema, ptr(rp, 'content', mt, 'schema'), env.models, suggest(status))
        if (name !== undefined) put(models, mt, name)
      }
    }
    if (Object.keys(models).length > 0) resp.responseModels = models
    put(out, status, resp)
  }
  return out
}

/** Converts one operation; `verb` is the method (`GET` ... `ANY`). */
export function operationFrom(ctx: Ctx, op: Obj, pointer: string, path: string, verb: string, pathParams: unknown, pathPointer: string, env: OperationEnv): MethodDefinition | undefined {
  ctx.unknownKeys(op, pointer, OPERATION_KEYS, 'operation')
  const rawX = own(op, `${X}integration`)
  if (rawX === undefined) {
    ctx.error(pointer, 'has no x-amazon-apigateway-integration: sluice cannot tell what serves it')
    return undefined
  }
  const resolved = resolveRef(ctx, rawX, ptr(pointer, `${X}integration`))
  if (resolved === undefined) return undefined
  if (!isObject(resolved.value)) {
    ctx.error(resolved.pointer, 'must be an integration object')
    return undefined
  }
  const integration = integrationFrom(ctx, resolved.value, resolved.pointer)
  if (integration === undefined) return undefined
  const method: MethodDefinition = { integration }
  if (own(op, 'callbacks') !== undefined) ctx.warn(ptr(pointer, 'callbacks'), 'callbacks are not served: ignored')
  const opId = ctx.str(op, 'operationId', pointer)
  if (opId !== undefined) method.operationName = opId

  // parameters: the path item's, overridden by the operation's (by in + name)
  const params = new Map<string, Param>()
  parameters(ctx, pathParams, ptr(pathPointer, 'parameters'), params)
  parameters(ctx, own(op, 'parameters'), ptr(pointer, 'parameters'), params)
  const requestParameters = dict<boolean>()
  const requestModels = dict<string>()
  for (const { value, pointer: pp } of params.values()) {
    const name = own(value, 'name') as string
    const where = own(value, 'in') as string
    if (Object.prototype.hasOwnProperty.call(LOCATIONS, where)) {
      put(requestParameters, `method.request.${LOCATIONS[where] as string}.${name}`, where === 'path' || own(value, 'required') === true)
    } else if (where === 'body' && ctx.version === 2) {
      const model = modelOf(ctx, own(value, 'schema'), ptr(pp, 'schema'), env.models, suggestName(verb, path, 'Body'))
      if (model !== undefined) for (const mt of mediaTypes(ctx, op, 'consumes', pointer)) put(requestModels, mt, model)
    } else ctx.warn(pp, `${where} parameters are not validated by API Gateway: ignored`)
  }
  if (ctx.version === 3) {
    const rb = own(op, 'requestBody')
    if (rb !== undefined) {
      const r = resolveRef(ctx, rb, ptr(pointer, 'requestBody'))
      const content = r === undefined ? undefined : own(r.value, 'content')
      if (r !== undefined && !isObject(content)) ctx.error(ptr(r.pointer, 'content'), 'must be an object by media type')
      for (const [mt, media] of Object.entries(isObject(content) ? content : {})) {
        const schema = own(media, 'schema')
        if (schema === undefined) continue
        const model = modelOf(ctx, schema, ptr((r as { pointer: string }).pointer, 'content', mt, 'schema'), env.models, suggestName(verb, path, 'Body'))
        if (model !== undefined) put(requestModels, mt, model)
      }
    }
  }
  if (Object.keys(requestParameters).length > 0) method.requestParameters = requestParameters
  if (Object.keys(requestModels).length > 0) method.requestModels = requestModels

  const validator = ctx.str(op, `${X}request-validator`, pointer)
  if (validator !== undefined) {
    if (!env.validators.has(validator)) ctx.error(ptr(pointer, `${X}request-validator`), `names no request validator of x-amazon-apigateway-request-validators (${[...env.validators].join(', ') || 'none defined'})`)
    else method.requestValidator = validator
  }
  const auth = ctx.obj(op, `${X}auth`, pointer)
  if (auth !== undefined) {
    const t = own(auth, 'type')
    if (typeof t !== 'string' || !['NONE', 'AWS_IAM'].includes(t.toUpperCase())) ctx.error(ptr(pointer, `${X}auth`, 'type'), 'must be NONE or AWS_IAM')
    else if (t.toUpperCase() === 'AWS_IAM') method.authorizationType = 'AWS_IAM'
  }
  applySecurity(ctx, own(op, 'security'), ptr(pointer, 'security'), env.kinds, method)
  const responses = responsesOf(ctx, op, pointer, env, (status) => suggestName(verb, path, `Response${status}`))
  if (responses !== undefined && Object.keys(responses).length > 0) method.methodResponses = responses
  return method
}
