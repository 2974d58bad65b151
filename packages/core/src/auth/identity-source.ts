/**
 * Identity sources: where an authorizer's identity comes from, in REST form
 * (`method.request.header.Auth`, `method.request.querystring.name`, `stageVariables.x`, `context.x`)
 * or HTTP API form (`$request.header.Auth`, `$request.querystring.name`, `$stageVariables.x`,
 * `$context.x`). Headers are case-insensitive, query string names case-sensitive.
 */
import { SluiceConfigError } from '../errors.js'
import type { Exchange } from '../exchange.js'
import { lookup, printValue } from '../substitution.js'

/** One parsed identity source. */
export interface IdentitySource {
  readonly kind: 'header' | 'querystring' | 'stageVariables' | 'context'
  /** Header name (lower case), query name, or dotted path. */
  readonly name: string
  readonly path: readonly string[]
}

const FORMS: ReadonlyArray<readonly [string, IdentitySource['kind']]> = [
  ['method.request.header.', 'header'],
  ['$request.header.', 'header'],
  ['method.request.querystring.', 'querystring'],
  ['$request.querystring.', 'querystring'],
  ['stageVariables.', 'stageVariables'],
  ['$stageVariables.', 'stageVariables'],
  ['context.', 'context'],
  ['$context.', 'context'],
]

/** Parses `identitySource` (a comma-separated string or a list). */
export function parseIdentitySources(value: unknown, option: string): IdentitySource[] {
  if (value === undefined) return []
  const items = typeof value === 'string' ? value.split(',') : value
  if (!Array.isArray(items) || items.some((x) => typeof x !== 'string')) throw new SluiceConfigError('ERR_INVALID_AUTHORIZER', option, 'must be a comma-separated string or a list of mapping expressions')
  return (items as string[])
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      for (const [prefix, kind] of FORMS) {
        if (s.startsWith(prefix) && s.length > prefix.length) {
          const name = s.slice(prefix.length)
          return { kind, name: kind === 'header' ? name.toLowerCase() : name, path: name.split('.') }
        }
      }
      throw new SluiceConfigError('ERR_INVALID_AUTHORIZER', option, `"${s}" is not an identity source (method.request.header.X, method.request.querystring.X, stageVariables.X, context.X, or the $request / $context forms); path parameters cannot be identity sources`)
    })
}

/** Reads one identity source's value; undefined when absent or empty. */
export function readIdentitySource(source: IdentitySource, exchange: Exchange): string | undefined {
  let v: string | null | undefined
  switch (source.kind) {
    case 'header':
      v = exchange.request.headers.get(source.name)
      break
    case 'querystring':
      v = queryValue(exchange.query, source.name)
      break
    default: {
      // HTTP API's $context.routeKey (a cached result per route): sluice's context has no field of that name
      if (source.kind === 'context' && source.name === 'routeKey') return `${exchange.request.method} ${exchange.context.resourcePath}`
      const x = lookup(exchange, source.kind, source.path)
      v = x === undefined || x === null ? undefined : printValue(x)
    }
  }
  return v === null || v === undefined || v === '' ? undefined : v
}

/** The first value of a query parameter (case-sensitive name), decoded. */
export function queryValue(query: string, name: string): string | undefined {
  if (query === '') return undefined
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=')
    const k = decode(eq === -1 ? pair : pair.slice(0, eq))
    if (k === name) return eq === -1 ? '' : decode(pair.slice(eq + 1))
  }
  return undefined
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '))
  } catch {
    return s
  }
}
