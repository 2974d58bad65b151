#!/usr/bin/env node
// The README's two commands go through here, so that they work on a machine with only Node >= 20
// and npm: pnpm is used when installed, otherwise fetched once through npx (corepack is not relied on).
//   npm run demo   install, build, serve the example pet store API with the sluice CLI
//   npm test       install, then lint, type-check, build and run every test
import { spawn, spawnSync } from 'node:child_process'
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

// The main job: the example pet store API (OpenAPI with API Gateway's extensions) served by the CLI,
// with Lambda-style handlers, a config with usage plans, and demo API keys from a CSV file.
function demo() {
  const api = 'docs/examples/api'
  const port = process.env.PORT ?? '3000'
  const args = ['packages/cli/dist/cli.js', 'serve', `${api}/petstore.yaml`, '--handlers', `${api}/handlers.mjs`, '--config', `${api}/sluice.yaml`, '--keys', `${api}/keys.csv`, '--port', port]
  console.log(`\n$ node ${args.join(' ')}\n`)
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['inherit', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (text) => {
    process.stdout.write(text)
    if (out === null) return
    out += text
    const url = /listening on (http:\/\/\S+)\n/.exec(out)?.[1]
    if (url === undefined) return
    out = null
    const free = 'demoFreeKeyNotASecret0000000001'
    const gold = 'demoGoldKeyNotASecret0000000002'
    console.log(`
Try (demo keys from ${api}/keys.csv):

  curl -i ${url}/pets                                         # a Lambda-style handler (handlers.mjs)
  curl -i '${url}/pets?type=cat'
  curl -i ${url}/health                                       # MOCK: answered from the mapping templates
  curl -i ${url}/pets/1                                       # 403 {"message":"Forbidden"}: needs an API key
  curl -i -H 'x-api-key: ${gold}' ${url}/pets/1
  curl -i -X POST -H 'x-api-key: ${gold}' -H 'content-type: application/json' -d '{"name":"Ada","type":"cat"}' ${url}/pets
  for i in 1 2 3 4 5; do curl -s -o /dev/null -w '%{http_code} ' -H 'x-api-key: ${free}' ${url}/pets/1; done; echo   # free plan: burst 3, then 429
  curl -i ${url}/owners                                       # 403 Missing Authentication Token: no such route

Ctrl-C stops it.`)
  })
  // Ctrl-C reaches the server too (same process group): it closes gracefully, then we exit with its code
  const ignore = () => undefined
  process.on('SIGINT', ignore)
  process.on('SIGTERM', () => child.kill('SIGTERM'))
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
}

const task = process.argv[2]
must(p('install', '--frozen-lockfile', '--prefer-offline'), 'pnpm install')

if (task === 'demo') {
  must(p('run', 'build'), 'build')
  demo()
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
