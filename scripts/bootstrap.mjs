#!/usr/bin/env node
// The README's two commands go through here, so that they work on a machine with only Node >= 20
// and npm: pnpm is used when installed, otherwise fetched once through npx (corepack is not relied on).
//   npm run demo   install, build, start the example gateway server
//   npm test       install, then lint, type-check, build and run every test
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const PNPM_VERSION = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.split('@')[1]
const [major] = process.versions.node.split('.').map(Number)
if (major < 20) {
  console.error(`sluice needs Node >= 20 (this is ${process.version}).`)
  process.exit(1)
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32', ...opts })
  if (r.error) throw r.error
  return r.status ?? 1
}

function pnpm() {
  const probe = spawnSync('pnpm', ['--version'], { encoding: 'utf8', shell: process.platform === 'win32' })
  if (probe.status === 0 && probe.stdout.trim().split('.')[0] === PNPM_VERSION.split('.')[0]) return ['pnpm', []]
  return ['npx', ['--yes', `pnpm@${PNPM_VERSION}`]]
}

const [cmd, pre] = pnpm()
const p = (...args) => run(cmd, [...pre, ...args])
const must = (status, what) => {
  if (status !== 0) {
    console.error(`\n${what} failed (exit ${status}).`)
    process.exit(status)
  }
}

const task = process.argv[2]
must(p('install', '--frozen-lockfile', '--prefer-offline'), 'pnpm install')

if (task === 'demo') {
  must(p('run', 'build'), 'build')
  process.exit(run(process.execPath, [join(root, 'docs/examples/demo.mjs')]))
} else if (task === 'test') {
  const report = join(tmpdir(), `sluice-vitest-${process.pid}.json`)
  must(p('run', 'lint'), 'lint')
  must(p('run', 'typecheck'), 'type-check')
  must(p('run', 'build'), 'build')
  const status = p('exec', 'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`)
  if (existsSync(report)) {
    const r = JSON.parse(readFileSync(report, 'utf8'))
    rmSync(report, { force: true })
    const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0)
    console.log(`\n${r.numPassedTests} passed, ${r.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`)
    if (r.numTotalTests === 0) {
      console.error('no test ran')
      process.exit(1)
    }
  }
  process.exit(status)
} else {
  console.error('usage: node scripts/bootstrap.mjs demo|test')
  process.exit(2)
}
