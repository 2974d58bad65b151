/**
 * Runs the BUILT `sluice` command (packages/cli/dist/cli.js) as a child process, the way users
 * run it. Needs `pnpm run build` first (the gate builds before it tests).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
export const CLI = join(ROOT, 'packages/cli/dist/cli.js')
export const EXAMPLES = join(ROOT, 'docs/examples/api')

/**
 * The example's plans, with a free plan that refills so slowly (1 token per 1000 s) that its burst
 * of 2 is all a test sees: a 429 cannot depend on how fast the machine is. `extra` is appended
 * (a `redis:` section, say).
 */
export function e2eConfig(extra = ''): string {
  return `stage:
  name: prod
usagePlans:
  - id: free
    throttle: { rateLimit: 0.001, burstLimit: 2 }
    quota: { limit: 100, period: DAY }
  - id: gold
    throttle: { rateLimit: 50, burstLimit: 100 }
${extra}`
}

/** Throws (never skips) when the CLI has not been built. */
export function requireBuild(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`pnpm run build\` before these tests`)
}

/** A running `sluice serve`. */
export interface ServeProcess {
  readonly url: string
  readonly child: ChildProcess
  stdout(): string
  stderr(): string
  /** Resolves when standard output (from now on) matches `pattern`. */
  waitForOutput(pattern: RegExp): Promise<string>
  /** Sends the signal and resolves with how the process ended. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode })
    else child.once('exit', (code, signal) => resolve({ code, signal }))
  })
}

/**
 * Starts `node cli.js serve ...args` and resolves once it prints `listening on URL`. Rejects
 * with its output if it exits first (or prints nothing within `startLimitMs`, so a broken build
 * cannot hang the suite).
 */
export function startServe(args: readonly string[], startLimitMs = 15_000): Promise<ServeProcess> {
  requireBuild()
  const child = spawn(process.execPath, [CLI, 'serve', ...args], { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout?.setEncoding('utf8')
  child.stderr?.setEncoding('utf8')
  child.stderr?.on('data', (d: string) => (err += d))
  const done = exited(child)
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`sluice serve did not start within ${startLimitMs} ms\nstdout: ${out}\nstderr: ${err}`))
    }, startLimitMs)
    const waiters = new Set<() => void>()
    child.stdout?.on('data', (d: string) => {
      out += d
      for (const w of waiters) w()
      const m = /listening on (http:\/\/\S+)\n/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolvePromise({
          url: m[1] as string,
          child,
          stdout: () => out,
          stderr: () => err,
          waitForOutput: (pattern) => {
            const from = out.length
            return new Promise((resolveWait) => {
              const check = (): void => {
                const m = pattern.exec(out.slice(from))
                if (m) {
                  waiters.delete(check)
                  resolveWait(m[0])
                }
              }
              waiters.add(check)
            })
          },
          stop: async (signal = 'SIGTERM') => {
            child.kill(signal)
            return done
          },
        })
      }
    })
    void done.then(({ code, signal }) => {
      clearTimeout(timer)
      reject(new Error(`sluice serve exited (code ${code}, signal ${signal}) before listening\nstdout: ${out}\nstderr: ${err}`))
    })
  })
}

/** Runs a non-serving command to the end. */
export function runCli(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  requireBuild()
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }))
  })
}
