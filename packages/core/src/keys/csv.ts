import { SluiceConfigError } from '../errors.js'
import type { ApiKeyInit } from './registry.js'
import { API_KEY_VALUE } from './value.js'

/** One row that could not be imported. */
export interface CsvRowError {
  /** 1-based line number in the file. */
  readonly line: number
  readonly message: string
}

const MAX_CSV_BYTES = 16 * 1024 * 1024

/**
 * Splits CSV text into records of fields, with the 1-based line each record starts on. Fields may
 * be quoted with `"` (doubled to escape) or `'`, as AWS's key files allow.
 */
function records(text: string): Array<{ line: number; fields: string[]; error?: string }> {
  const out: Array<{ line: number; fields: string[]; error?: string }> = []
  let i = 0
  let line = 1
  while (i < text.length) {
    const start = line
    const fields: string[] = []
    let error: string | undefined
    for (;;) {
      let field = ''
      const q = text[i]
      if (q === '"' || q === "'") {
        i++
        let closed = false
        while (i < text.length) {
          const c = text[i] as string
          if (c === q) {
            if (text[i + 1] === q) {
              field += q
              i += 2
              continue
            }
            i++
            closed = true
            break
          }
          if (c === '\n') line++
          field += c
          i++
        }
        if (!closed) error = 'unterminated quoted field'
        while (i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          if (!/\s/.test(text[i] as string)) error ??= 'text after a closing quote'
          i++
        }
      } else {
        while (i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') field += text[i++]
      }
      fields.push(field)
      if (text[i] === ',') {
        i++
        continue
      }
      break
    }
    if (text[i] === '\r') i++
    if (text[i] === '\n') {
      i++
      line++
    }
    if (fields.length === 1 && fields[0]?.trim() === '' && error === undefined) continue
    out.push(error === undefined ? { line: start, fields } : { line: start, fields, error })
  }
  return out
}

/**
 * Parses API Gateway's API key import format: a header row naming `Key` and `Name` (required) and
 * optionally `Description`, `Enabled`, `UsagePlanIds` — case-insensitive, in any order, unknown
 * columns ignored. Several usage plan ids go in one quoted field, comma-separated. A key repeated
 * later in the file replaces the earlier row, as AWS does.
 *
 * Every bad row is reported with its line number in one {@link SluiceConfigError}
 * (`ERR_INVALID_API_KEY_CSV`, with the rows in `rows`).
 *
 * @example
 * const keys = parseApiKeysCsv('Key,Name,UsagePlanIds\napikey1234abcdefghij0123456789,First,"gold,silver"\n')
 */
export function parseApiKeysCsv(text: string): ApiKeyInit[] {
  if (typeof text !== 'string') throw new ApiKeyCsvError([{ line: 0, message: 'the CSV must be given as a string' }])
  if (text.length > MAX_CSV_BYTES) throw new ApiKeyCsvError([{ line: 0, message: 'the CSV is larger than 16 MiB' }])
  const rows = records(text.replace(/^\uFEFF/, ''))
  const header = rows.shift()
  if (!header) throw new ApiKeyCsvError([{ line: 1, message: 'the file is empty; expected a header row with Key and Name' }])
  if (header.error) throw new ApiKeyCsvError([{ line: header.line, message: header.error }])
  const columns = header.fields.map((f) => f.trim().toLowerCase())
  const col = (name: string): number => columns.indexOf(name)
  const keyCol = col('key')
  const nameCol = col('name')
  const missing = [keyCol === -1 ? 'Key' : '', nameCol === -1 ? 'Name' : ''].filter(Boolean)
  if (missing.length > 0) throw new ApiKeyCsvError([{ line: header.line, message: `the header row has no ${missing.join(' or ')} column` }])
  const descCol = col('description')
  const enabledCol = col('enabled')
  const plansCol = col('usageplanids')

  const errors: CsvRowError[] = []
  const byValue = new Map<string, ApiKeyInit>()
  for (const row of rows) {
    if (row.error) {
      errors.push({ line: row.line, message: row.error })
      continue
    }
    const field = (c: number): string => (c === -1 ? '' : (row.fields[c] ?? '').trim())
    const value = field(keyCol)
    const name = field(nameCol)
    const problems: string[] = []
    if (row.fields.length < columns.length) problems.push(`expected ${columns.length} fields, found ${row.fields.length}`)
    if (!API_KEY_VALUE.test(value)) problems.push('Key must be 20 to 128 alphanumeric characters')
    if (name === '') problems.push('Name is empty')
    if (name.length > 1024) problems.push('Name is longer than 1024 characters')
    const enabledText = field(enabledCol).toLowerCase()
    if (enabledText !== '' && enabledText !== 'true' && enabledText !== 'false') problems.push(`Enabled must be true or false, not "${field(enabledCol)}"`)
    if (problems.length > 0) {
      errors.push({ line: row.line, message: problems.join('; ') })
      continue
    }
    const plans = field(plansCol)
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)
    const description = field(descCol)
    byValue.set(value, {
      value,
      name,
      enabled: enabledText !== 'false',
      ...(description !== '' ? { description } : {}),
      usagePlanIds: plans,
    })
  }
  if (errors.length > 0) throw new ApiKeyCsvError(errors)
  return [...byValue.values()]
}

/** The error {@link parseApiKeysCsv} throws: a config error listing every bad row. */
export class ApiKeyCsvError extends SluiceConfigError {
  readonly rows: readonly CsvRowError[]
  constructor(rows: readonly CsvRowError[]) {
    super('ERR_INVALID_API_KEY_CSV', 'apiKeys (CSV)', `${rows.length} bad row(s):\n${rows.map((r) => `  line ${r.line}: ${r.message}`).join('\n')}`)
    this.rows = rows
  }
}
