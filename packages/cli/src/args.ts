/**
 * Argument parsing for every command, on `node:util`'s `parseArgs` (strict: an unknown flag or a
 * missing value is a usage error, exit code 2).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { UsageError } from './io.js'

type Options = NonNullable<ParseArgsConfig['options']>

/** A command's flags and the usage text `--help` prints. */
export interface CommandSpec {
  readonly name: string
  readonly usage: string
  readonly summary: string
  readonly help: string
  readonly options: Options
  /** How many positionals the command takes: [min, max]. */
  readonly positionals: readonly [number, number]
}

/** The parsed flags of a command. */
export type Values = Record<string, string | boolean | string[] | undefined>

/** Parses `argv` (after the command name) against a spec. */
export function parseCommand(spec: CommandSpec, argv: readonly string[]): { values: Values; positionals: string[] } {
  let parsed
  try {
    parsed = parseArgs({ args: [...argv], options: { ...spec.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true })
  } catch (e) {
    const message = e instanceof Error ? e.message.replace(/\. To specify a positional argument.*$/s, '') : String(e)
    throw new UsageError(`${message}`, true)
  }
  const values = parsed.values as Values
  if (values['help'] === true) return { values, positionals: parsed.positionals }
  const [min, max] = spec.positionals
  if (parsed.positionals.length < min) throw new UsageError(`${spec.name}: missing argument`, true)
  if (parsed.positionals.length > max) throw new UsageError(`${spec.name}: unexpected argument "${parsed.positionals[max] ?? ''}"`, true)
  return { values, positionals: parsed.positionals }
}

/** A string flag's value, or `undefined`. */
export function str(values: Values, name: string): string | undefined {
  const v = values[name]
  return typeof v === 'string' ? v : undefined
}

/** A repeatable string flag's values. */
export function list(values: Values, name: string): string[] {
  const v = values[name]
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : []
}

/**
 * `--rewrite-uri FROM=TO` flags (and the config's `rewriteUri` map) as importOpenApi's
 * `rewriteUri` map, or `undefined` when there are none.
 */
export function rewrites(values: Values, fromConfig?: Readonly<Record<string, string>>): Record<string, string> | undefined {
  const out = Object.create(null) as Record<string, string>
  if (fromConfig !== undefined) Object.assign(out, fromConfig)
  for (const flag of list(values, 'rewrite-uri')) {
    const i = flag.indexOf('=')
    if (i <= 0 || i === flag.length - 1) throw new UsageError(`--rewrite-uri must be FROM=TO (a URI prefix and its replacement), not "${flag}"`)
    out[flag.slice(0, i)] = flag.slice(i + 1)
  }
  return Object.keys(out).length === 0 ? undefined : out
}

/** A string flag that must be given. */
export function required(values: Values, name: string, command: string): string {
  const v = str(values, name)
  if (v === undefined || v === '') throw new UsageError(`${command}: --${name} is required`, true)
  return v
}
