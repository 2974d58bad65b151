#!/usr/bin/env node
/**
 * The `sluice` executable: `run()` with the process's streams and signals.
 */
import { run } from './run.js'

const stop = new AbortController()
let stopping = false
const onSignal = (signal: NodeJS.Signals): void => {
  if (stopping) {
    // a second signal: stop now
    process.stderr.write(`sluice: ${signal} again, exiting\n`)
    process.exit(1)
  }
  stopping = true
  stop.abort()
}
process.on('SIGINT', onSignal)
process.on('SIGTERM', onSignal)
// SIGHUP: `serve` re-reads its API file (not on Windows, which has no SIGHUP)
const reload = new EventTarget()
const onHangup = (): void => void reload.dispatchEvent(new Event('reload'))
if (process.platform !== 'win32') process.on('SIGHUP', onHangup)

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)))
  return Buffer.concat(chunks).toString('utf8')
}

run(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  readStdin,
  stop: stop.signal,
  reload,
}).then(
  (code) => {
    process.exitCode = code
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    process.off('SIGHUP', onHangup)
  },
  (error: unknown) => {
    process.stderr.write(`sluice: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exitCode = 1
  },
)
