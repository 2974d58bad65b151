/**
 * The OpenAPI side of the CLI: import (for `serve`) and lint, through `@sluice/core`'s
 * `importOpenApi` and `lintOpenApi`.
 */
import * as core from '@sluice/core'
import type { ApiDefinition } from '@sluice/core'
import { RuntimeError } from './io.js'

/** One lint finding, at a JSON pointer into the document. */
export interface Diagnostic {
  readonly pointer: string
  readonly message: string
  readonly severity: 'error' | 'warning'
}

type ImportFn = (doc: unknown) => { definition: ApiDefinition; warnings: readonly Diagnostic[] }
type LintFn = (doc: unknown) => readonly Diagnostic[]

function fn<T>(name: string): T {
  const f = (core as unknown as Record<string, unknown>)[name]
  if (typeof f !== 'function') throw new RuntimeError(`this build of @sluice/core has no ${name}: OpenAPI documents cannot be read`)
  return f as T
}

/** Imports an OpenAPI document: the definition and what import warned about. */
export function importDocument(doc: unknown): { definition: ApiDefinition; warnings: readonly Diagnostic[] } {
  return fn<ImportFn>('importOpenApi')(doc)
}

/** Lints an OpenAPI document. */
export function lintDocument(doc: unknown): readonly Diagnostic[] {
  return fn<LintFn>('lintOpenApi')(doc)
}
