#!/usr/bin/env node
/**
 * The HTTP benchmark driver (method: shared/BENCH.md, usage: test/bench/README.md).
 *
 * For each framework: alternating ABBA pairs of fresh server processes, gateway OFF vs ON, the
 * server pinned to one core and wrk to the other; per run, a warm-up then a measured window giving
 * requests/s, server CPU µs per request (/proc/<pid>/stat utime+stime) and p50/p99 latency. Prints
 * a markdown table (median of per-pair ON/OFF ratios with min and max) plus the bare node:http
 * ceiling, and writes everything to .bench-results/<timestamp>.json.
 *
 *   pnpm run build && pnpm bench [--scenario apikey] [--pairs 5] [--warmup 3] [--duration 10]
 *     [--frameworks express,koa,fastify,hono] [--connections 64] [--threads 1] [--no-ceiling]
 *     [--client wrk|autocannon] [--server-cpu 0] [--client-cpu 1]
 *
 * Every option also reads BENCH_<NAME> from the environment (BENCH_PAIRS=1 …); flags win.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { createRequire } from 'node:module'
import { availableParallelism, cpus, tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { SCENARIOS, frameworksOf } from './scenarios.mjs'

const HERE = dirname(fileURLToPath(import.meta.url))
const ROOT = resolve(HERE, '../..')
const SERVER = join(HERE, 'server.mjs')
const BODY = '{"ok":true}'
const ALL_FRAMEWORKS = ['express', 'koa', 'fastify', 'hono']

// ---------------------------------------------------------------- options

const env = (name, fallback) => process.env[`BENCH_${name}`] ?? fallback
const { values: args } = parseArgs({
  options: {
    scenario: { type: 'string', default: env('SCENARIO', 'apikey') },
    pairs: { type: 'string', default: env('PAIRS', '5') },
    warmup: { type: 'string', default: env('WARMUP', '3') },
    duration: { type: 'string', default: env('DURATION', '10') },
    frameworks: { type: 'string', default: env('FRAMEWORKS', ALL_FRAMEWORKS.join(',')) },
    connections: { type: 'string', default: env('CONNECTIONS', '64') },
    threads: { type: 'string', default: env('THREADS', '1') },
    client: { type: 'string', default: env('CLIENT', '') },
    'server-cpu': { type: 'string', default: env('SERVER_CPU', '0') },
    'client-cpu': { type: 'string', default: env('CLIENT_CPU', '1') },
    'no-ceiling': { type: 'boolean', default: env('NO_CEILING', '') === '1' },
    out: { type: 'string', default: env('OUT', join(ROOT, '.bench-results')) },
    help: { type: 'boolean', short: 'h', default: false },
  },
})

if (args.help) {
  const head = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(2, 16)
  console.log(head.map((l) => l.replace(/^ ?\*\/? ?/, '')).join('\n'))
  process.exit(0)
}

const scenarioName = args.scenario
const scenario = SCENARIOS[scenarioName]
if (!scenario) die(`unknown scenario "${scenarioName}"; known: ${Object.keys(SCENARIOS).join(', ')}`)
const pairs = positiveInt('pairs', args.pairs)
const warmupS = positiveNumber('warmup', args.warmup, true)
const durationS = positiveNumber('duration', args.duration)
const connections = positiveInt('connections', args.connections)
const threads = positiveInt('threads', args.threads)
const frameworks = args.frameworks.split(',').map((s) => s.trim()).filter(Boolean)
for (const f of frameworks) {
  if (!ALL_FRAMEWORKS.includes(f)) die(`unknown framework "${f}"; expected some of ${ALL_FRAMEWORKS.join(',')}`)
  if (!frameworksOf(scenario).includes(f)) die(`scenario "${scenarioName}" does not run on ${f}`)
}
const ceiling = !args['no-ceiling']

function die(message) {
  console.error(`bench: ${message}`)
  process.exit(2)
}
function positiveInt(name, v) {
  const n = Number(v)
  if (!Number.isInteger(n) || n < 1) die(`--${name} must be a positive integer, got "${v}"`)
  return n
}
function positiveNumber(name, v, zeroOk = false) {
  const n = Number(v)
  if (!Number.isFinite(n) || n < 0 || (n === 0 && !zeroOk)) die(`--${name} must be a positive number of seconds, got "${v}"`)
  return n
}

// ---------------------------------------------------------------- environment

function run(cmd, argv) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 5000 })
  return r.error ? undefined : r
}
const has = (cmd) => run('sh', ['-c', `command -v ${cmd}`])?.status === 0

const CLK_TCK = Number(run('getconf', ['CLK_TCK'])?.stdout.trim()) || 100

const clientKind = args.client || (has('wrk') ? 'wrk' : 'autocannon')
if (clientKind !== 'wrk' && clientKind !== 'autocannon') die('--client must be wrk or autocannon')
if (clientKind === 'wrk' && !has('wrk')) die('wrk is not installed: apt-get update && apt-get install -y wrk (or --client autocannon)')
let autocannonBin
if (clientKind === 'autocannon') {
  try {
    autocannonBin = createRequire(join(ROOT, 'test', 'package.json')).resolve('autocannon/autocannon.js')
  } catch {
    die('neither wrk nor autocannon is available: apt-get install -y wrk, or pnpm install (autocannon is a devDependency of @sluice/test)')
  }
  console.error('bench: wrk not found, falling back to autocannon: it saturates its core near 55–60k req/s, so fast servers read low')
}
const clientVersion =
  clientKind === 'wrk'
    ? (/wrk \S+/.exec(run('wrk', ['-v'])?.stdout ?? '')?.[0] ?? 'wrk')
    : `autocannon ${JSON.parse(readFileSync(join(dirname(autocannonBin), 'package.json'), 'utf8')).version}`

const pinnable = has('taskset') && availableParallelism() >= 2
if (!pinnable) console.error('bench: taskset or a second CPU is missing: server and client are NOT pinned, figures are unreliable')
const pin = (cpu, cmd, argv) => (pinnable ? ['taskset', ['-c', String(cpu), cmd, ...argv]] : [cmd, argv])

// The built packages must exist (and should be newer than their sources).
const PACKAGES = ['core', ...ALL_FRAMEWORKS]
for (const p of PACKAGES) {
  const dist = join(ROOT, 'packages', p, 'dist', 'index.js')
  if (!existsSync(dist)) die(`packages/${p}/dist is missing: run \`pnpm run build\` at the repo root first`)
  const newest = newestMtime(join(ROOT, 'packages', p, 'src'))
  if (newest > statSync(dist).mtimeMs) console.error(`bench: warning: packages/${p}/src is newer than its dist — run \`pnpm run build\` to bench the current code`)
}
function newestMtime(dir) {
  let newest = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name)
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(path))
    else if (!e.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs)
  }
  return newest
}

// ---------------------------------------------------------------- processes (every one killed by pid)

const children = new Map() // pid -> ChildProcess

function track(child, label) {
  if (child.pid === undefined) throw new Error(`could not start ${label}`)
  children.set(child.pid, child)
  child.once('exit', () => children.delete(child.pid))
  return child
}

function exited(child) {
  return child.exitCode !== null || child.signalCode !== null
}

function waitExit(child, ms) {
  if (exited(child)) return Promise.resolve(true)
  return new Promise((done) => {
    const t = setTimeout(() => done(false), ms)
    child.once('exit', () => {
      clearTimeout(t)
      done(true)
    })
  })
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves with whether it exited on SIGTERM with code 0. */
async function stop(child, graceMs = 3000) {
  if (exited(child)) return child.exitCode === 0
  try {
    process.kill(child.pid, 'SIGTERM')
  } catch {
    // already gone
  }
  if (await waitExit(child, graceMs)) return child.exitCode === 0
  try {
    process.kill(child.pid, 'SIGKILL')
  } catch {
    // already gone
  }
  await waitExit(child, 2000)
  return false
}

let cleaning
function cleanup() {
  cleaning ??= Promise.all([...children.values()].map((c) => stop(c, 1500)))
  return cleaning
}
process.on('exit', () => {
  for (const pid of children.keys()) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
})
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    console.error(`\nbench: ${signal}: stopping ${children.size} process(es)`)
    cleanup().finally(() => process.exit(130))
  })
}

// ---------------------------------------------------------------- server

async function startServer(framework, scenarioArg, gateway) {
  const [cmd, argv] = pin(args['server-cpu'], process.execPath, [SERVER, framework, '--scenario', scenarioArg, '--gateway', gateway])
  const child = track(spawn(cmd, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }), `${framework} server`)
  let stderr = ''
  child.stderr.on('data', (d) => {
    stderr += d
  })
  const ready = await new Promise((done, fail) => {
    let out = ''
    const t = setTimeout(() => fail(new Error(`${framework} server: no ready line within 15 s\n${stderr}`)), 15000)
    child.stdout.on('data', (d) => {
      out += d
      const m = /^ready (\{.*\})$/m.exec(out)
      if (m) {
        clearTimeout(t)
        done(JSON.parse(m[1]))
      }
    })
    child.once('exit', (code) => {
      clearTimeout(t)
      fail(new Error(`${framework} server exited (${code}) before it was ready\n${stderr}`))
    })
  })
  if (ready.pid !== child.pid) throw new Error(`server pid ${ready.pid} is not the spawned pid ${child.pid} (taskset must exec)`)
  return { child, pid: child.pid, port: ready.port, stderr: () => stderr }
}

function get(port, headers, body = scenario.body) {
  return new Promise((done, fail) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/bench', method: scenario.method ?? 'GET', headers: { ...headers, connection: 'close' }, agent: false, timeout: 3000 }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d) => {
        body += d
      })
      res.on('end', () => done({ status: res.statusCode, body }))
    })
    req.on('timeout', () => req.destroy(new Error('request timed out')))
    req.on('error', fail)
    req.end(body)
  })
}

/** The route answers as the load expects, and the feature is really mounted (ON) or not (OFF). */
async function checkServer(server, on) {
  const r = await get(server.port, scenario.headers)
  const expected = scenario.payload === undefined ? BODY : JSON.stringify(scenario.payload)
  const answered = r.status === 200 && (on && scenario.verify ? scenario.verify(r.body) : JSON.stringify(JSON.parse(r.body)) === expected)
  if (!answered) throw new Error(`GET /bench answered ${r.status} ${r.body}`)
  if (scenario.check && scenarioName !== 'off') {
    const c = await get(server.port, scenario.check.headers ?? {}, scenario.check.body ?? scenario.body)
    const want = on ? scenario.check.status : 200
    if (c.status !== want) throw new Error(`check request answered ${c.status}, expected ${want} (gateway ${on ? 'on' : 'off'})`)
  }
}

// ---------------------------------------------------------------- load

function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ') // f[0] is field 3 (state)
  return Number(f[11]) + Number(f[12]) // utime (14) + stime (15)
}

/** Machine-wide user+nice+system and steal ticks (interrupt and softirq time excluded). */
function machineTicks() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number)
  return { busy: f[0] + f[1] + f[2], steal: f[7] ?? 0 }
}

function toMs(value, unit) {
  const n = Number(value)
  return unit === 'us' ? n / 1000 : unit === 's' ? n * 1000 : unit === 'm' ? n * 60000 : n
}

function parseWrk(out) {
  const num = (re) => {
    const m = re.exec(out)
    return m ? Number(m[1]) : 0
  }
  const lat = (p) => {
    const m = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(out)
    return m ? toMs(m[1], m[2]) : NaN
  }
  const total = /(\d+) requests in ([\d.]+)(us|ms|s|m)/.exec(out)
  if (!total) throw new Error(`unreadable wrk output:\n${out}`)
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)
  return {
    requests: Number(total[1]),
    seconds: toMs(total[2], total[3]) / 1000,
    rps: num(/Requests\/sec:\s+([\d.]+)/),
    p50: lat(50),
    p99: lat(99),
    non2xx: num(/Non-2xx or 3xx responses: (\d+)/),
    socketErrors: sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
  }
}

function parseAutocannon(out) {
  const r = JSON.parse(out.slice(out.indexOf('{')))
  return {
    requests: r.requests.total,
    seconds: r.duration,
    rps: r.requests.total / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    socketErrors: r.errors + r.timeouts,
  }
}

/** A wrk script that sends `method` with `body` (written once per run to a temporary file). */
let wrkScriptPath
function wrkScript(method, body) {
  if (wrkScriptPath === undefined) {
    wrkScriptPath = join(mkdtempSync(join(tmpdir(), 'sluice-bench-')), 'request.lua')
    writeFileSync(wrkScriptPath, `wrk.method = ${JSON.stringify(method)}\nwrk.body = ${JSON.stringify(body)}\n`)
  }
  return wrkScriptPath
}

/** Runs the load generator for `seconds`; returns its figures and its own CPU share. */
async function load(port, seconds) {
  const url = `http://127.0.0.1:${port}/bench`
  const headers = Object.entries(scenario.headers)
  // a scenario with a method or body (a POST route): wrk takes them from a script, autocannon from flags
  const method = scenario.method ?? 'GET'
  const withBody = method !== 'GET' || scenario.body !== undefined
  const argv =
    clientKind === 'wrk'
      ? ['-t', String(threads), '-c', String(connections), '-d', `${seconds}s`, '--latency', '--timeout', '5s', ...headers.flatMap(([k, v]) => ['-H', `${k}: ${v}`]), ...(withBody ? ['-s', wrkScript(method, scenario.body ?? '')] : []), url]
      : [autocannonBin, '-c', String(connections), '-d', String(seconds), '-j', '-n', ...headers.flatMap(([k, v]) => ['-H', `${k}=${v}`]), ...(withBody ? ['-m', method, '-b', scenario.body ?? ''] : []), url]
  const [cmd, full] = clientKind === 'wrk' ? pin(args['client-cpu'], 'wrk', argv) : pin(args['client-cpu'], process.execPath, argv)
  const child = track(spawn(cmd, full, { stdio: ['ignore', 'pipe', 'pipe'] }), clientKind)
  let out = ''
  let err = ''
  child.stdout.on('data', (d) => {
    out += d
  })
  child.stderr.on('data', (d) => {
    err += d
  })
  // The client's own CPU share, sampled while it runs (it must not be the bottleneck).
  const samples = []
  const poll = setInterval(() => {
    try {
      samples.push([performance.now(), cpuTicks(child.pid)])
    } catch {
      // exiting
    }
  }, 250)
  const limit = (seconds + 15) * 1000
  const finished = await waitExit(child, limit)
  clearInterval(poll)
  if (!finished) {
    await stop(child, 500)
    throw new Error(`${clientKind} did not finish within ${limit / 1000} s`)
  }
  if (child.exitCode !== 0) throw new Error(`${clientKind} exited ${child.exitCode}: ${err || out}`)
  const figures = clientKind === 'wrk' ? parseWrk(out) : parseAutocannon(out)
  let clientCpu = NaN
  if (samples.length >= 3) {
    const [t0, c0] = samples[1]
    const [t1, c1] = samples[samples.length - 1]
    if (t1 > t0) clientCpu = (c1 - c0) / CLK_TCK / ((t1 - t0) / 1000)
  }
  return { ...figures, clientCpu }
}

// ---------------------------------------------------------------- one run

async function measure(framework, gateway, label) {
  const on = gateway === 'on'
  const scenarioArg = framework === 'node' ? 'off' : scenarioName
  const server = await startServer(framework, scenarioArg, gateway)
  try {
    await checkServer(server, on && framework !== 'node')
    if (warmupS > 0) await load(server.port, warmupS)
    const ticks0 = cpuTicks(server.pid)
    const machine0 = machineTicks()
    const t0 = performance.now()
    const r = await load(server.port, durationS)
    const ticks1 = cpuTicks(server.pid)
    const machine1 = machineTicks()
    const wall = (performance.now() - t0) / 1000
    if (r.non2xx > 0) throw new Error(`${framework} ${gateway}: ${r.non2xx} non-2xx responses: the run is invalid`)
    if (r.requests === 0) throw new Error(`${framework} ${gateway}: no requests completed`)
    const cpuSeconds = (ticks1 - ticks0) / CLK_TCK
    // CPU used by anything but the server and the client (another job on a shared VM skews a run).
    const otherCpu = Math.max(0, (machine1.busy - machine0.busy) / CLK_TCK - cpuSeconds - (Number.isFinite(r.clientCpu) ? r.clientCpu * wall : 0)) / wall
    const stealCpu = (machine1.steal - machine0.steal) / CLK_TCK / wall
    const result = {
      framework,
      gateway,
      rps: r.rps,
      requests: r.requests,
      seconds: r.seconds,
      cpuUsPerRequest: (cpuSeconds * 1e6) / r.requests,
      serverCpu: cpuSeconds / wall,
      clientCpu: r.clientCpu,
      otherCpu,
      stealCpu,
      p50: r.p50,
      p99: r.p99,
      socketErrors: r.socketErrors,
    }
    console.error(
      `  ${label.padEnd(14)} ${framework.padEnd(7)} ${gateway.padEnd(3)} ${fmtInt(result.rps).padStart(7)} req/s  ${result.cpuUsPerRequest.toFixed(1).padStart(6)} µs/req  p50 ${fmtMs(result.p50)}  p99 ${fmtMs(result.p99)}  server ${pct(result.serverCpu)} client ${pct(result.clientCpu)} other ${pct(result.otherCpu)}${result.stealCpu >= 0.01 ? ` steal ${pct(result.stealCpu)}` : ''}${result.socketErrors ? `  socket errors ${result.socketErrors}` : ''}`,
    )
    return result
  } finally {
    const clean = await stop(server.child)
    if (!clean) console.error(`bench: warning: ${framework} server did not exit cleanly on SIGTERM`)
  }
}

// ---------------------------------------------------------------- stats & output

function median(xs) {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
  if (s.length === 0) return NaN
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
const fmtInt = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—')
const fmtMs = (n) => (Number.isFinite(n) ? `${n < 10 ? n.toFixed(2) : n.toFixed(1)} ms` : '—')
const pct = (n) => (Number.isFinite(n) ? `${Math.round(n * 100)}%` : '—')
const signed = (n, digits = 1) => (Number.isFinite(n) ? `${n >= 0 ? '+' : '−'}${Math.abs(n).toFixed(digits)}` : '—')

function summarise(framework, pairResults) {
  const ratios = pairResults.map(({ off, on }) => on.rps / off.rps)
  const deltas = pairResults.map(({ off, on }) => on.cpuUsPerRequest - off.cpuUsPerRequest)
  const offs = pairResults.map((p) => p.off)
  const ons = pairResults.map((p) => p.on)
  return {
    framework,
    pairs: pairResults.length,
    ratio: { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios), all: ratios },
    cpuDeltaUs: { median: median(deltas), min: Math.min(...deltas), max: Math.max(...deltas), all: deltas },
    off: { rps: median(offs.map((r) => r.rps)), cpuUsPerRequest: median(offs.map((r) => r.cpuUsPerRequest)), p50: median(offs.map((r) => r.p50)), p99: median(offs.map((r) => r.p99)) },
    on: { rps: median(ons.map((r) => r.rps)), cpuUsPerRequest: median(ons.map((r) => r.cpuUsPerRequest)), p50: median(ons.map((r) => r.p50)), p99: median(ons.map((r) => r.p99)) },
  }
}

function table(summaries, ceilingRuns, meta) {
  const lines = []
  lines.push(`### sluice bench — scenario \`${scenarioName}\`: ${scenario.description}`)
  lines.push('')
  lines.push(
    `Node ${meta.node}, ${meta.client}, ${threads} thread(s) × ${connections} connections on 127.0.0.1; ${pairs} ABBA pair(s) of fresh processes per framework, ${warmupS} s warm-up + ${durationS} s measured; server on CPU ${args['server-cpu']}, client on CPU ${args['client-cpu']}${pinnable ? '' : ' (NOT pinned)'}; ${meta.cpu}.`,
  )
  lines.push('')
  lines.push('| framework | OFF req/s | ON req/s | ON/OFF median (min–max) | CPU µs/req OFF | CPU µs/req ON | Δ CPU µs/req (median) | p50 OFF / ON | p99 OFF / ON |')
  lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
  for (const s of summaries) {
    lines.push(
      `| ${s.framework} | ${fmtInt(s.off.rps)} | ${fmtInt(s.on.rps)} | ${s.ratio.median.toFixed(3)} (${s.ratio.min.toFixed(3)}–${s.ratio.max.toFixed(3)}) | ${s.off.cpuUsPerRequest.toFixed(1)} | ${s.on.cpuUsPerRequest.toFixed(1)} | ${signed(s.cpuDeltaUs.median)} | ${fmtMs(s.off.p50)} / ${fmtMs(s.on.p50)} | ${fmtMs(s.off.p99)} / ${fmtMs(s.on.p99)} |`,
    )
  }
  if (ceilingRuns.length > 0) {
    const c = ceilingRuns
    lines.push(
      `| node:http (ceiling, ${c.length} run${c.length > 1 ? 's' : ''}) | ${fmtInt(median(c.map((r) => r.rps)))} | — | — | ${median(c.map((r) => r.cpuUsPerRequest)).toFixed(1)} | — | — | ${fmtMs(median(c.map((r) => r.p50)))} | ${fmtMs(median(c.map((r) => r.p99)))} |`,
    )
  }
  lines.push('')
  lines.push(
    `Medians over runs; ON/OFF and Δ CPU are per pair (same framework, back to back). Latencies are wrk's at saturation (closed loop, ${connections} connections), not at a fixed offered load. Server core busy ${pct(meta.serverCpuMin)}–${pct(meta.serverCpuMax)}; client core at most ${pct(meta.clientCpuMax)} (must stay below 100 %); other processes at most ${pct(meta.otherCpuMax)} of a core.`,
  )
  if (meta.otherCpuMax > 0.1) lines.push('', `**Warning:** other processes used up to ${pct(meta.otherCpuMax)} of a core during measured windows: this run is skewed; rerun on a quiet machine.`)
  return lines.join('\n')
}

// ---------------------------------------------------------------- main

const perRunS = warmupS + durationS + 2
const runsTotal = pairs * (frameworks.length * 2 + (ceiling ? 1 : 0))
const budgetS = Math.ceil(runsTotal * perRunS * 1.5 + 60)
const watchdog = setTimeout(() => {
  console.error(`bench: exceeded its time budget of ${budgetS} s; stopping`)
  cleanup().finally(() => process.exit(124))
}, budgetS * 1000)
watchdog.unref()

const meta = {
  startedAt: new Date().toISOString(),
  node: process.version,
  client: clientVersion,
  cpu: `${cpus()[0]?.model?.trim() ?? 'unknown CPU'} × ${availableParallelism()}`,
  clkTck: CLK_TCK,
  pinned: pinnable,
  git: gitInfo(),
}

function gitInfo() {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8', timeout: 5000 }).trim()
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8', timeout: 5000 }).trim() !== ''
    return { commit, dirty }
  } catch {
    return undefined
  }
}

async function main() {
  console.error(
    `bench: scenario ${scenarioName} on ${frameworks.join(', ')}${ceiling ? ' + node:http' : ''}; ${runsTotal} runs of ~${perRunS} s (~${Math.ceil((runsTotal * perRunS) / 60)} min, hard limit ${Math.ceil(budgetS / 60)} min); Node ${process.version}, ${clientVersion}`,
  )
  const results = Object.fromEntries(frameworks.map((f) => [f, []]))
  const ceilingRuns = []
  const runs = []
  for (let i = 0; i < pairs; i++) {
    // ABBA: even pairs run OFF first, odd pairs ON first.
    const order = i % 2 === 0 ? ['off', 'on'] : ['on', 'off']
    for (const framework of frameworks) {
      const pair = {}
      for (const gateway of order) {
        pair[gateway] = await measure(framework, gateway, `pair ${i + 1}/${pairs}`)
        runs.push({ pair: i + 1, ...pair[gateway] })
      }
      results[framework].push(pair)
    }
    if (ceiling) {
      const r = await measure('node', 'off', `ceiling ${i + 1}/${pairs}`)
      ceilingRuns.push(r)
      runs.push({ pair: i + 1, ...r, framework: 'node:http' })
    }
  }
  const summaries = frameworks.map((f) => summarise(f, results[f]))
  const all = runs.filter((r) => r.framework !== 'node:http' || ceiling)
  meta.serverCpuMin = Math.min(...all.map((r) => r.serverCpu))
  meta.serverCpuMax = Math.max(...all.map((r) => r.serverCpu))
  meta.clientCpuMax = Math.max(...all.map((r) => r.clientCpu).filter(Number.isFinite))
  meta.otherCpuMax = Math.max(...all.map((r) => r.otherCpu))
  meta.finishedAt = new Date().toISOString()
  const markdown = table(summaries, ceilingRuns, meta)
  console.log(markdown)

  mkdirSync(args.out, { recursive: true })
  const file = join(args.out, `${meta.startedAt.replace(/[:.]/g, '-')}.json`)
  const ceilingSummary =
    ceilingRuns.length > 0
      ? {
          rps: median(ceilingRuns.map((r) => r.rps)),
          cpuUsPerRequest: median(ceilingRuns.map((r) => r.cpuUsPerRequest)),
          p50: median(ceilingRuns.map((r) => r.p50)),
          p99: median(ceilingRuns.map((r) => r.p99)),
        }
      : undefined
  const settings = { scenario: scenarioName, description: scenario.description, frameworks, pairs, warmupS, durationS, connections, threads, clientKind, serverCpu: args['server-cpu'], clientCpu: args['client-cpu'] }
  writeFileSync(file, `${JSON.stringify({ meta, settings, summaries, ceiling: ceilingSummary, runs, markdown }, null, 2)}\n`)
  console.error(`bench: wrote ${relative(process.cwd(), file) || file}`)
}

try {
  await main()
  await cleanup()
  process.exit(0)
} catch (error) {
  console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
  await cleanup()
  process.exit(1)
}
