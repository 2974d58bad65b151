/**
 * Gateway-response templates: not VTL, only substitution of `$context.*` and `$stageVariables.*`
 * (also written `${context.x}`), as API Gateway does for gateway responses.
 */
import type { Exchange } from './exchange.js'

type Part = string | { readonly root: 'context' | 'stageVariables'; readonly path: readonly string[] }

/** A template parsed once at construction. */
export interface CompiledSubstitution {
  readonly parts: readonly Part[]
}

const REFERENCE = /\$(?:\{(context|stageVariables)((?:\.[A-Za-z0-9_-]+)+)\}|(context|stageVariables)((?:\.[A-Za-z0-9_]+)+))/g

/** Parses a substitution template. */
export function compileSubstitution(source: string): CompiledSubstitution {
  const parts: Part[] = []
  let last = 0
  for (const m of source.matchAll(REFERENCE)) {
    const index = m.index
    if (index > last) parts.push(source.slice(last, index))
    const root = (m[1] ?? m[3]) as 'context' | 'stageVariables'
    const path = (m[2] ?? m[4] ?? '').slice(1).split('.')
    parts.push({ root, path })
    last = index + m[0].length
  }
  if (last < source.length) parts.push(source.slice(last))
  return { parts }
}

/** Looks up `context.a.b` or `stageVariables.x` for an exchange; missing values read as `undefined`. */
export function lookup(exchange: Exchange, root: 'context' | 'stageVariables', path: readonly string[]): unknown {
  let value: unknown = root === 'context' ? exchange.context : exchange.stageVariables
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined
    if (!(key in (value as object)) || key === '__proto__' || key === 'constructor' || key === 'prototype') return undefined
    value = (value as Record<string, unknown>)[key]
  }
  // Inherited methods (toString, toJSON, ...) are not values a template can print.
  return typeof value === 'function' ? undefined : value
}

/** Renders a value the way a template prints it: strings as they are, missing as empty. */
export function printValue(value: unknown): string {
  if (value === undefined || value === null) return ''
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return JSON.stringify(value)
}

/** Renders a compiled template against an exchange. */
export function renderSubstitution(template: CompiledSubstitution, exchange: Exchange): string {
  let out = ''
  for (const part of template.parts) {
    out += typeof part === 'string' ? part : printValue(lookup(exchange, part.root, part.path))
  }
  return out
}
