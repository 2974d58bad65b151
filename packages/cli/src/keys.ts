/**
 * API keys from API Gateway's CSV import format, with ids that are the same in every process that
 * reads the same file (so `sluice usage` finds what `sluice serve` counted).
 */
import { createHash } from 'node:crypto'
import { parseApiKeysCsv, type ApiKeyInit } from '@sluice/core'
import { readText } from './files.js'

/**
 * The id the CLI gives a key imported from CSV (the format has no id column): `k` and the first
 * 12 hex digits of the SHA-256 of its value. Stable across processes; the value cannot be
 * recovered from it.
 */
export function csvKeyId(value: string): string {
  return `k${createHash('sha256').update(value).digest('hex').slice(0, 12)}`
}

/** Parses CSV text into keys with stable ids. Throws `ERR_INVALID_API_KEY_CSV` listing every bad row. */
export function keysFromCsv(text: string): ApiKeyInit[] {
  return parseApiKeysCsv(text).map((k) => ({ ...k, id: csvKeyId(k.value) }))
}

/** Reads a CSV key file. */
export async function loadKeysCsv(path: string, cwd?: string): Promise<ApiKeyInit[]> {
  return keysFromCsv(await readText(path, 'API key file', cwd))
}
