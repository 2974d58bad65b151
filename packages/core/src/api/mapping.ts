/**
 * The non-proxy integration machinery (reference section 4.5 to 4.7): mapping-template selection
 * and passthrough, integration-response selection by pattern, and parameter mapping.
 * Template rendering itself is an injected {@link TemplateRenderer}: VTL by default when the
 * template engine is available, else a literal-only renderer (templates with no `$` or `#`).
 */
import { compileTemplate, type CompiledTemplate } from '../templates/render.js'
import { emptyOverrides, type Overrides } from '../templates/input.js'
import type { IntegrationResponseDefinition, PassthroughBehavior } from './definition.js'
import { has, put } from './events.js'

/** What a mapping template sees. */
export interface TemplateInput {
  /** The payload (request body, or integration response body). */
  readonly body: string
  /** `$input.params()`: path, querystring, header. */
  readonly params: { readonly path: Readonly<Record<string, string>>; readonly querystring: Readonly<Record<string, string>>; readonly header: Readonly<Record<string, string>> }
  /** `$context`. */
  readonly context: Readonly<Record<string, unknown>>
  readonly stageVariables: Readonly<Record<string, string>>
}

/** Renders one mapping template. */
export type TemplateRenderer = (template: string, input: TemplateInput) => string | Promise<string>

/** A render's output and the `$context.requestOverride` / `responseOverride` values it set. */
export interface Rendered {
  readonly body: string
  readonly overrides: Overrides
}

/** How integrations render: with overrides carried from the request template to the response one. */
export type Renderer = (template: string, input: TemplateInput, overrides?: Overrides) => Promise<Rendered>

/** The default renderer: sluice's VTL engine, each template compiled once. */
export function vtlRenderer(): Renderer {
  const compiled = new Map<string, CompiledTemplate>()
  return (template, input, overrides) => {
    let t = compiled.get(template)
    if (t === undefined) {
      t = compileTemplate(template)
      if (compiled.size < 10_000) compiled.set(template, t)
    }
    const r = t.render({
      body: input.body,
      headers: input.params.header,
      query: input.params.querystring,
      path: input.params.path,
      context: input.context,
      stageVariables: input.stageVariables,
      overrides: overrides ?? emptyOverrides(),
    })
    return Promise.resolve({ body: r.body, overrides: r.overrides })
  }
}

/** A user's {@link TemplateRenderer} as a {@link Renderer} (no overrides). */
export function userRenderer(fn: TemplateRenderer): Renderer {
  return async (template, input, overrides) => ({ body: await fn(template, input), overrides: overrides ?? emptyOverrides() })
}

/** True when a template holds no VTL (no `$`, no `#`): it renders as itself. */
export const isLiteralTemplate = (template: string): boolean => !template.includes('$') && !template.includes('#')

/** The MIME type of a Content-Type / Accept value, lower case, parameters dropped; absent → `application/json`. */
export function mimeType(value: string | null | undefined): string {
  const t = (value ?? '').split(',')[0]?.split(';')[0]?.trim().toLowerCase() ?? ''
  return t === '' ? 'application/json' : t
}

/** What template selection decided. */
export type TemplateChoice = { readonly kind: 'template'; readonly template: string } | { readonly kind: 'passthrough' } | { readonly kind: 'unsupported' }

/** Picks the request template for a Content-Type, honouring `passthroughBehavior`. */
export function selectRequestTemplate(templates: Readonly<Record<string, string>> | undefined, contentType: string | null, behavior: PassthroughBehavior = 'WHEN_NO_MATCH'): TemplateChoice {
  const keys = templates === undefined ? [] : Object.keys(templates)
  const key = mimeType(contentType)
  const found = keys.find((k) => k.toLowerCase() === key)
  if (found !== undefined) return { kind: 'template', template: (templates as Record<string, string>)[found] as string }
  if (behavior === 'NEVER') return { kind: 'unsupported' }
  if (behavior === 'WHEN_NO_TEMPLATES' && keys.length > 0) return { kind: 'unsupported' }
  return { kind: 'passthrough' }
}

/** Picks the response template for the request's Accept: the matching one, else the first defined, else none. */
export function selectResponseTemplate(templates: Readonly<Record<string, string>> | undefined, accept: string | null): { contentType: string; template: string } | undefined {
  if (templates === undefined) return undefined
  const keys = Object.keys(templates)
  if (keys.length === 0) return undefined
  const key = mimeType(accept)
  const found = keys.find((k) => k.toLowerCase() === key) ?? (keys[0] as string)
  return { contentType: found, template: templates[found] as string }
}

const compiled = new Map<string, RegExp>()

/** Compiles a selection pattern as a whole-string match (Java `Pattern.matches`); throws when invalid. */
export function compilePattern(pattern: string): RegExp {
  let re = compiled.get(pattern)
  if (re === undefined) {
    re = new RegExp(`^(?:${pattern})$`)
    if (compiled.size < 1000) compiled.set(pattern, re)
  }
  return re
}

/**
 * Picks the integration response for a selection value (backend status, or Lambda
 * `errorMessage`; `undefined` for a successful Lambda): the first patterned response that
 * matches, else the default one, else `undefined` (→ 500).
 */
export function selectIntegrationResponse(responses: readonly IntegrationResponseDefinition[] | undefined, value: string | undefined): IntegrationResponseDefinition | undefined {
  if (responses === undefined || responses.length === 0) return undefined
  let fallback: IntegrationResponseDefinition | undefined
  for (const r of responses) {
    if (r.selectionPattern === undefined || r.selectionPattern === '' || r.selectionPattern === 'default') {
      fallback ??= r
      continue
    }
    if (compilePattern(r.selectionPattern).test(value ?? '')) return r
  }
  return fallback
}

/** Where mapping expressions read from. */
export interface MappingSources {
  readonly path?: Readonly<Record<string, string>>
  readonly query?: ReadonlyArray<readonly [string, string]>
  readonly header?: (name: string) => string | null
  readonly body?: string
  readonly responseHeader?: (name: string) => string | null
  readonly responseBody?: string
  readonly stageVariables: Readonly<Record<string, string>>
  readonly context: Readonly<Record<string, unknown>>
}

function jsonPath(body: string | undefined, path: string): string | undefined {
  if (body === undefined) return undefined
  let v: unknown
  try {
    v = JSON.parse(body)
  } catch {
    return undefined
  }
  for (const part of path.split('.')) {
    if (part === '') continue
    if (v === null || typeof v !== 'object' || !has(v, part)) return undefined
    v = (v as Record<string, unknown>)[part]
  }
  return v === undefined ? undefined : typeof v === 'string' ? v : JSON.stringify(v)
}

function contextValue(context: Readonly<Record<string, unknown>>, path: string): string | undefined {
  let v: unknown = context
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object' || !(part in v) || (part === '__proto__' && !has(v, part))) return undefined
    v = (v as Record<string, unknown>)[part]
  }
  return v === undefined || v === null ? undefined : typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v as number)
}

/** Evaluates one mapping expression (`method.request.header.x`, `'static'`, ...); `undefined` when it has no value. */
export function mapValue(expr: string, s: MappingSources): string | undefined {
  if (expr.length >= 2 && expr.startsWith("'") && expr.endsWith("'")) return expr.slice(1, -1)
  const dot = (prefix: string): string | undefined => (expr.startsWith(prefix) ? expr.slice(prefix.length) : undefined)
  let n: string | undefined
  if ((n = dot('method.request.path.')) !== undefined) return s.path !== undefined && has(s.path, n) ? s.path[n] : undefined
  if ((n = dot('method.request.querystring.')) !== undefined) {
    const hits = s.query?.filter(([k]) => k === n)
    return hits === undefined || hits.length === 0 ? undefined : (hits[hits.length - 1] as readonly [string, string])[1]
  }
  if ((n = dot('method.request.multivaluequerystring.')) !== undefined) {
    const hits = s.query?.filter(([k]) => k === n).map(([, v]) => v)
    return hits === undefined || hits.length === 0 ? undefined : hits.join(',')
  }
  if ((n = dot('method.request.header.') ?? dot('method.request.multivalueheader.')) !== undefined) return s.header?.(n) ?? undefined
  if (expr === 'method.request.body') return s.body
  if ((n = dot('method.request.body.')) !== undefined) return jsonPath(s.body, n)
  if ((n = dot('integration.response.header.') ?? dot('integration.response.multivalueheader.')) !== undefined) return s.responseHeader?.(n) ?? undefined
  if (expr === 'integration.response.body') return s.responseBody
  if ((n = dot('integration.response.body.')) !== undefined) return jsonPath(s.responseBody, n)
  if ((n = dot('stageVariables.')) !== undefined) return has(s.stageVariables, n) ? s.stageVariables[n] : undefined
  if ((n = dot('context.')) !== undefined) return contextValue(s.context, n)
  return undefined
}

/** Applies `integration.request.{path|querystring|header}.NAME` mappings. */
export function mapRequestParameters(
  mappings: Readonly<Record<string, string>> | undefined,
  s: MappingSources,
): { path: Record<string, string>; querystring: Array<[string, string]>; header: Record<string, string> } {
  const out = { path: {} as Record<string, string>, querystring: [] as Array<[string, string]>, header: {} as Record<string, string> }
  if (mappings === undefined) return out
  for (const [target, expr] of Object.entries(mappings)) {
    const v = mapValue(expr, s)
    if (v === undefined) continue
    const m = /^integration\.request\.(path|querystring|header)\.(.+)$/.exec(target)
    if (!m) continue
    const name = m[2] as string
    if (m[1] === 'path') put(out.path, name, v)
    else if (m[1] === 'querystring') out.querystring.push([name, v])
    else put(out.header, name.toLowerCase(), v)
  }
  return out
}

/** Applies `method.response.header.NAME` mappings. */
export function mapResponseParameters(mappings: Readonly<Record<string, string>> | undefined, s: MappingSources): Record<string, string> {
  const out: Record<string, string> = {}
  if (mappings === undefined) return out
  for (const [target, expr] of Object.entries(mappings)) {
    const m = /^method\.response\.header\.(.+)$/.exec(target)
    if (!m) continue
    const v = mapValue(expr, s)
    if (v !== undefined && !/[\r\n\0]/.test(v)) put(out, (m[1] as string).toLowerCase(), v)
  }
  return out
}
