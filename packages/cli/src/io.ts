/**
 * What a command reads and writes: injected, so every command runs in tests with captured output.
 */
import { isSluiceConfigError, isStoreUnavailableError } from '@sluice/core'

/** The process around a command. */
export interface CliIo {
  /** Writes to standard output. */
  out(text: string): void
  /** Writes to standard error. */
  err(text: string): void
  /** The directory relative paths are resolved against. Default `process.cwd()`. */
  readonly cwd?: string
  /** Reads standard input to the end (for `--body -`). */
  readStdin?(): Promise<string>
  /**
   * Aborted when the process is asked to stop (SIGINT / SIGTERM): `serve` then closes gracefully
   * and its `run` resolves. Without one, `serve` runs until the process ends.
   */
  readonly stop?: AbortSignal
  /**
   * A `reload` event on it makes `serve` re-read its API file and switch to it without a restart
   * (the process's SIGHUP). A definition that fails validation never replaces the running one.
   */
  readonly reload?: EventTarget
  /** Told how each reload went. */
  onReload?(result: { ok: boolean; message: string }): void
  /** Receives the listening server once `serve` is up (for tests and embedding). */
  onListening?(info: { url: string; port: number; host: string }): void
}

/** Exit codes of the `sluice` command. */
export const EXIT = Object.freeze({ OK: 0, FAILURE: 1, USAGE: 2 })

/**
 * A problem with how the command was called or with its input files: exit code 2 and the message,
 * never a stack trace.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError'
  /** Print the command's usage line after the message. */
  readonly showUsage: boolean
  constructor(message: string, showUsage = false) {
    super(message)
    this.showUsage = showUsage
  }
}

/** A failure while running (a port in use, Redis unreachable): exit code 1, the message only. */
export class RuntimeError extends Error {
  override readonly name = 'RuntimeError'
}

/** Renders an error for the terminal and chooses the exit code. */
export function describeError(error: unknown): { message: string; code: number } {
  if (error instanceof UsageError) return { message: error.message, code: EXIT.USAGE }
  if (isSluiceConfigError(error)) return { message: error.message, code: EXIT.USAGE }
  if (error instanceof RuntimeError) return { message: error.message, code: EXIT.FAILURE }
  if (isStoreUnavailableError(error)) return { message: `the store is unavailable: ${error.message}`, code: EXIT.FAILURE }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error)
  return { message: `unexpected error: ${message}`, code: EXIT.FAILURE }
}
