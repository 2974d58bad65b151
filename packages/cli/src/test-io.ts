/**
 * @internal test helpers: a captured {@link CliIo} and a temporary directory of files.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import type { CliIo } from './io.js'

export interface CapturedIo extends CliIo {
  readonly stdout: string[]
  readonly stderr: string[]
  text(): { out: string; err: string }
}

export function captureIo(extra: Partial<CliIo> = {}): CapturedIo {
  const stdout: string[] = []
  const stderr: string[] = []
  return {
    stdout,
    stderr,
    out: (t) => void stdout.push(t),
    err: (t) => void stderr.push(t),
    text: () => ({ out: stdout.join(''), err: stderr.join('') }),
    ...extra,
  }
}

/** A temporary directory with the given files; `cleanup()` removes it. */
export function tempFiles(files: Record<string, string>): { dir: string; path(name: string): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-cli-'))
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return { dir, path: (name) => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/** `files(...)` for the calling test file: each test's temporary directories are removed after it. */
export function tempFilesPerTest(): (files: Record<string, string>) => ReturnType<typeof tempFiles> {
  let cleanup: Array<() => void> = []
  afterEach(() => {
    for (const c of cleanup) c()
    cleanup = []
  })
  return (f) => {
    const t = tempFiles(f)
    cleanup.push(t.cleanup)
    return t
  }
}
