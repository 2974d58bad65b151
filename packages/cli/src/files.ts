/**
 * Reading the command's input files: YAML or JSON documents (YAML is a superset of JSON, so one
 * parser reads both), with errors that name the file and the line, never a stack trace.
 */
import { readFile } from 'node:fs/promises'
import { isAbsolute, resolve } from 'node:path'
import { parseDocument } from 'yaml'
import { UsageError } from './io.js'

/** The largest input file read, in bytes. */
export const MAX_FILE_BYTES = 32 * 1024 * 1024

/** Resolves `path` against `cwd`. */
export function resolvePath(path: string, cwd: string | undefined): string {
  return isAbsolute(path) ? path : resolve(cwd ?? process.cwd(), path)
}

/** Reads a text file; a missing or unreadable file is a {@link UsageError} naming what it was for. */
export async function readText(path: string, what: string, cwd?: string): Promise<string> {
  const full = resolvePath(path, cwd)
  let data: Buffer
  try {
    data = await readFile(full)
  } catch (e) {
    const code = (e as { code?: unknown }).code
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : e instanceof Error ? e.message : String(e)
    throw new UsageError(`cannot read ${what} ${path}: ${reason}`)
  }
  if (data.length > MAX_FILE_BYTES) throw new UsageError(`${what} ${path} is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB`)
  return data.toString('utf8').replace(/^\uFEFF/, '')
}

/**
 * Parses YAML or JSON text into plain data. Keys such as `__proto__` and `constructor` become
 * ordinary own properties; aliases are bounded (no "billion laughs"); custom tags are refused.
 */
export function parseData(text: string, name: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, strict: true })
  const problem = doc.errors[0]
  if (problem !== undefined) {
    const where = problem.linePos?.[0] ? ` (line ${problem.linePos[0].line}, column ${problem.linePos[0].col})` : ''
    throw new UsageError(`${name} is not valid YAML or JSON${where}: ${problem.message.split('\n')[0] ?? ''}`)
  }
  const warning = doc.warnings.find((w) => w.code === 'TAG_RESOLVE_FAILED')
  if (warning !== undefined) throw new UsageError(`${name}: ${warning.message.split('\n')[0] ?? ''}`)
  try {
    return doc.toJS({ maxAliasCount: 1000 })
  } catch (e) {
    throw new UsageError(`${name}: ${e instanceof Error ? e.message : String(e)}`)
  }
}

/** Reads and parses a YAML or JSON file. */
export async function readData(path: string, what: string, cwd?: string): Promise<unknown> {
  return parseData(await readText(path, what, cwd), path)
}

/** True for a plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}
