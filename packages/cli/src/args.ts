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
export type Values = Record<string, string | boolean | undefined>

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

/** A string flag that must be given. */
export function required(values: Values, name: string, command: string): string {
  const v = str(values, name)
  if (v === undefined || v === '') throw new UsageError(`${command}: --${name} is required`, true)
  return v
}
