/**
 * What a request path is, for routing. The router and the host framework must agree on which
 * route a request reaches, so the path is put into one canonical form before matching:
 *
 * - the path is split on `/` only: an encoded slash (`%2F`) stays inside its segment and never
 *   separates segments (it can only be captured by a path parameter);
 * - percent-encoded unreserved characters (`A-Z a-z 0-9 - . _ ~`, RFC 3986 section 6.2.2.2) are
 *   decoded for matching, so `/p%65ts` is `/pets` (a framework that decodes before routing reaches
 *   the same route); every other escape is kept as sent, with its hex digits in upper case;
 * - a dot segment (`.` or `..`, also written `%2e`) matches no resource: the path is refused (the
 *   router answers as for an unknown route) rather than resolved, so no `..` can climb out of a
 *   prefix that policy was applied to;
 * - empty segments (`//`) are kept: they match only a greedy `{name+}` parameter, which captures
 *   them as sent (as API Gateway does);
 * - one trailing slash is ignored for matching (`/pets/` reaches `/pets`); the event's `path` keeps it;
 * - matching is case-sensitive, as on API Gateway.
 */

/** A path ready for matching. */
export interface CanonicalPath {
  /** Segments for matching (unreserved escapes decoded). */
  readonly segments: readonly string[]
  /** The same segments as sent (what path parameters capture). */
  readonly raw: readonly string[]
  /** The path ended with `/` (after at least one segment). */
  readonly trailingSlash: boolean
}

const UNRESERVED = /%(?:[46][1-9A-Fa-f]|[57][0-9Aa]|3[0-9]|2[dDeE]|5[fF]|7[eE])/g
const ESCAPE = /%[0-9a-fA-F]{2}/g

function normaliseSegment(segment: string): string {
  if (!segment.includes('%')) return segment
  return segment.replace(UNRESERVED, (m) => String.fromCharCode(parseInt(m.slice(1), 16))).replace(ESCAPE, (m) => m.toUpperCase())
}

/**
 * Puts a request path (no query string) in canonical form; `undefined` when it has a dot segment
 * or is not an absolute path.
 */
export function canonicalPath(path: string): CanonicalPath | undefined {
  if (!path.startsWith('/')) return undefined
  if (path === '/') return { segments: [], raw: [], trailingSlash: false }
  let body = path.slice(1)
  const trailingSlash = body.endsWith('/')
  if (trailingSlash) body = body.slice(0, -1)
  const raw = body.split('/')
  const segments = raw.map(normaliseSegment)
  for (const s of segments) if (s === '.' || s === '..') return undefined
  return { segments, raw, trailingSlash }
}

/** A path-part of a resource template. */
export type TemplatePart = { readonly kind: 'static'; readonly value: string } | { readonly kind: 'param'; readonly name: string } | { readonly kind: 'greedy'; readonly name: string }

const PARAM = /^\{([A-Za-z0-9_.-]+)\}$/
const GREEDY = /^\{([A-Za-z0-9_.-]+)\+\}$/
const STATIC = /^[A-Za-z0-9_\-.,:~@!$&'()*=;%]+$/

/**
 * Parses a resource path template (`/pets/{id}`, `/{proxy+}`); throws a message naming the problem.
 * Static parts are normalised as request segments are.
 */
export function parseTemplate(template: string): TemplatePart[] {
  if (typeof template !== 'string' || !template.startsWith('/')) throw new Error('must start with /')
  if (template === '/') return []
  const parts = template.slice(1).split('/')
  const out: TemplatePart[] = []
  const names = new Set<string>()
  parts.forEach((p, i) => {
    let m = GREEDY.exec(p)
    if (m) {
      if (i !== parts.length - 1) throw new Error(`the greedy parameter "${p}" must be the last part`)
      const name = m[1] as string
      if (names.has(name)) throw new Error(`the parameter "${name}" appears twice`)
      names.add(name)
      out.push({ kind: 'greedy', name })
      return
    }
    m = PARAM.exec(p)
    if (m) {
      const name = m[1] as string
      if (names.has(name)) throw new Error(`the parameter "${name}" appears twice`)
      names.add(name)
      out.push({ kind: 'param', name })
      return
    }
    if (p === '') throw new Error('has an empty part (//) or a trailing slash')
    if (p === '.' || p === '..' || !STATIC.test(p) || p.includes('{') || p.includes('}')) throw new Error(`has an invalid part "${p}" (parameters must be whole parts)`)
    const value = normaliseSegment(p)
    if (value === '.' || value === '..') throw new Error(`has a dot part "${p}"`)
    out.push({ kind: 'static', value })
  })
  return out
}

/** The template written back from its parts, in canonical form (`/pets/{id}`). */
export function formatTemplate(parts: readonly TemplatePart[]): string {
  if (parts.length === 0) return '/'
  return parts.map((p) => (p.kind === 'static' ? `/${p.value}` : p.kind === 'param' ? `/{${p.name}}` : `/{${p.name}+}`)).join('')
}
