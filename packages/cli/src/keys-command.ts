/**
 * `sluice keys import <csv>`: validates an API key file in API Gateway's CSV import format,
 * reports every bad row by line, and prints a summary or writes the keys as JSON.
 */
import { writeFile } from 'node:fs/promises'
import { ApiKeyCsvError, type ApiKeyInit } from '@sluice/core'
import { str, type Values } from './args.js'
import { readText, resolvePath } from './files.js'
import { EXIT, RuntimeError, type CliIo } from './io.js'
import { keysFromCsv } from './keys.js'

/** A key for display: never its value. */
function shown(k: ApiKeyInit): { id: string; name: string; enabled: boolean; usagePlanIds: readonly string[]; description?: string } {
  return { id: k.id ?? '', name: k.name ?? '', enabled: k.enabled !== false, usagePlanIds: k.usagePlanIds ?? [], ...(k.description !== undefined ? { description: k.description } : {}) }
}

/** The summary `keys import` prints. */
export function keysSummary(keys: readonly ApiKeyInit[], file: string): string {
  const enabled = keys.filter((k) => k.enabled !== false).length
  const plans = new Map<string, number>()
  for (const k of keys) for (const p of k.usagePlanIds ?? []) plans.set(p, (plans.get(p) ?? 0) + 1)
  const idWidth = Math.max(2, ...keys.map((k) => (k.id ?? '').length))
  const nameWidth = Math.max(4, ...keys.map((k) => (k.name ?? '').length))
  const rows = keys.map((k) => `  ${(k.id ?? '').padEnd(idWidth)}  ${(k.name ?? '').padEnd(nameWidth)}  ${k.enabled === false ? 'disabled' : 'enabled '}  ${(k.usagePlanIds ?? []).join(',') || '-'}`)
  return (
    `${file}: ${keys.length} API key${keys.length === 1 ? '' : 's'} (${enabled} enabled, ${keys.length - enabled} disabled)\n` +
    (keys.length > 0 ? `  ${'id'.padEnd(idWidth)}  ${'name'.padEnd(nameWidth)}  status    usage plans\n${rows.join('\n')}\n` : '') +
    (plans.size > 0 ? `usage plans: ${[...plans].map(([p, n]) => `${p} (${n})`).join(', ')}\n` : '')
  )
}

/** Runs `sluice keys import`. */
export async function keysImportCommand(file: string, values: Values, io: CliIo): Promise<number> {
  const text = await readText(file, 'API key file', io.cwd)
  let keys: ApiKeyInit[]
  try {
    keys = keysFromCsv(text)
  } catch (e) {
    if (!(e instanceof ApiKeyCsvError)) throw e
    io.err(`${file}: ${e.rows.length} bad row${e.rows.length === 1 ? '' : 's'}:\n${e.rows.map((r) => `  line ${r.line}: ${r.message}\n`).join('')}`)
    return EXIT.FAILURE
  }
  if (values['json'] === true) io.out(`${JSON.stringify({ apiKeys: keys.map(shown) }, null, 2)}\n`)
  else io.out(keysSummary(keys, file))
  const out = str(values, 'out')
  if (out !== undefined) {
    try {
      await writeFile(resolvePath(out, io.cwd), `${JSON.stringify({ apiKeys: keys }, null, 2)}\n`, { mode: 0o600 })
    } catch (e) {
      throw new RuntimeError(`cannot write ${out}: ${e instanceof Error ? e.message : String(e)}`)
    }
    io.err(`wrote ${keys.length} API key${keys.length === 1 ? '' : 's'} (with their values) to ${out}\n`)
  }
  return EXIT.OK
}
