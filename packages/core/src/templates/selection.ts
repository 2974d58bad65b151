/**
 * Template selection (API Gateway's rules): request templates by the request's Content-Type MIME
 * type (absent → `application/json`), response templates by the first Accept media type with the
 * first template as fallback, and `passthroughBehavior`.
 */
import { SluiceConfigError } from '../errors.js'
import { compileTemplate, type CompiledTemplate, type TemplateLimits } from './render.js'

/** What happens to a request whose Content-Type has no template (API Gateway's `passthroughBehavior`). */
export type PassthroughBehavior = 'WHEN_NO_MATCH' | 'WHEN_NO_TEMPLATES' | 'NEVER'

export const PASSTHROUGH_BEHAVIORS: readonly PassthroughBehavior[] = ['WHEN_NO_MATCH', 'WHEN_NO_TEMPLATES', 'NEVER']

/** Templates by media type, compiled once; keys kept in their order (the first is the response fallback). */
export interface TemplateSet {
  readonly keys: readonly string[]
  get(mediaType: string): CompiledTemplate | undefined
  readonly first: { readonly mediaType: string; readonly template: CompiledTemplate } | undefined
}

/**
 * The MIME type of a Content-Type or Accept value: lower case, parameters dropped, the first of a
 * list; absent or empty → `application/json`.
 */
export function mediaTypeOf(value: string | null | undefined): string {
  if (value === null || value === undefined) return 'application/json'
  let end = value.length
  const comma = value.indexOf(',')
  if (comma !== -1) end = comma
  const semi = value.indexOf(';')
  if (semi !== -1 && semi < end) end = semi
  const t = value.slice(0, end).trim().toLowerCase()
  return t === '' ? 'application/json' : t
}

/** Compiles templates keyed by media type; throws `ERR_INVALID_TEMPLATE` naming `option`. */
export function compileTemplates(templates: Readonly<Record<string, string>> | undefined, limits: TemplateLimits | undefined, option: string): TemplateSet {
  const map = new Map<string, CompiledTemplate>()
  const keys: string[] = []
  if (templates !== undefined) {
    if (templates === null || typeof templates !== 'object' || Array.isArray(templates)) throw new SluiceConfigError('ERR_INVALID_TEMPLATE', option, 'must be an object of templates keyed by media type')
    for (const k of Object.keys(templates)) {
      const type = k.trim().toLowerCase()
      if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+*-]+$/.test(type)) throw new SluiceConfigError('ERR_INVALID_TEMPLATE', `${option}["${k}"]`, 'keys are media types such as application/json')
      if (map.has(type)) throw new SluiceConfigError('ERR_INVALID_TEMPLATE', `${option}["${k}"]`, 'a media type appears twice')
      map.set(type, compileTemplate(templates[k] as string, limits, `${option}["${k}"]`))
      keys.push(type)
    }
  }
  const firstKey = keys[0]
  return {
    keys,
    get: (t) => map.get(t),
    first: firstKey === undefined ? undefined : { mediaType: firstKey, template: map.get(firstKey) as CompiledTemplate },
  }
}

/** What request-template selection decided. */
export type RequestChoice =
  | { readonly kind: 'template'; readonly mediaType: string; readonly template: CompiledTemplate }
  | { readonly kind: 'passthrough' }
  | { readonly kind: 'unsupported' }

const PASS: RequestChoice = Object.freeze({ kind: 'passthrough' })
const UNSUPPORTED: RequestChoice = Object.freeze({ kind: 'unsupported' })

/**
 * Picks the request template for a Content-Type: the matching template always applies; otherwise
 * `WHEN_NO_MATCH` passes the body through, `WHEN_NO_TEMPLATES` passes it only when no template is
 * defined at all, and `NEVER` refuses (415 UNSUPPORTED_MEDIA_TYPE).
 */
export function selectRequestTemplate(set: TemplateSet, contentType: string | null | undefined, behavior: PassthroughBehavior = 'WHEN_NO_MATCH'): RequestChoice {
  const type = mediaTypeOf(contentType)
  const template = set.get(type)
  if (template !== undefined) return { kind: 'template', mediaType: type, template }
  if (behavior === 'NEVER') return UNSUPPORTED
  if (behavior === 'WHEN_NO_TEMPLATES' && set.keys.length > 0) return UNSUPPORTED
  return PASS
}

/** Picks the response template for an Accept value: the matching one, else the first defined, else none (pass through). */
export function selectResponseTemplate(set: TemplateSet, accept: string | null | undefined): { readonly mediaType: string; readonly template: CompiledTemplate } | undefined {
  if (set.first === undefined) return undefined
  const type = mediaTypeOf(accept)
  const template = set.get(type)
  return template === undefined ? set.first : { mediaType: type, template }
}
