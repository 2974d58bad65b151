/**
 * `--handlers module.mjs`: a module whose exports are Lambda-style handlers, by function name. An
 * integration whose Lambda ARN names `function:listPets` (or whose `handler` is `listPets`) runs
 * the export `listPets`. A default export that is an object of functions adds those too.
 */
import { pathToFileURL } from 'node:url'
import type { IntegrationHandler } from '@sluice/core'
import { resolvePath } from './files.js'
import { UsageError } from './io.js'

function isHandler(value: unknown): value is IntegrationHandler {
  if (typeof value === 'function') return true
  return value !== null && typeof value === 'object' && typeof (value as { handler?: unknown }).handler === 'function'
}

/** The handlers a loaded module exports, by name (a null-prototype record). */
export function handlersOf(module: Record<string, unknown>): Record<string, IntegrationHandler> {
  const out = Object.create(null) as Record<string, IntegrationHandler>
  const fallback = module['default']
  if (fallback !== null && typeof fallback === 'object' && !isHandler(fallback)) {
    for (const [name, value] of Object.entries(fallback)) if (typeof value === 'function') out[name] = value as IntegrationHandler
  }
  for (const [name, value] of Object.entries(module)) {
    if (name !== 'default' && isHandler(value)) out[name] = value
  }
  return out
}

/** Imports a handlers module (ESM or CommonJS) and returns its handlers by name. */
export async function loadHandlers(path: string, cwd?: string): Promise<Record<string, IntegrationHandler>> {
  const url = pathToFileURL(resolvePath(path, cwd)).href
  let module: Record<string, unknown>
  try {
    module = (await import(url)) as Record<string, unknown>
  } catch (e) {
    const code = (e as { code?: unknown }).code
    if (code === 'ERR_MODULE_NOT_FOUND' && String((e as Error).message).includes(url)) throw new UsageError(`cannot load handlers ${path}: no such file`)
    throw new UsageError(`cannot load handlers ${path}: ${e instanceof Error ? e.message : String(e)}`)
  }
  const handlers = handlersOf(module)
  if (Object.keys(handlers).length === 0) throw new UsageError(`handlers ${path} exports no functions (export each handler by its Lambda function name)`)
  return handlers
}
