#!/usr/bin/env node
/**
 * In-process micro benchmarks: µs per operation of sluice's hot-path pieces, for catching
 * regressions (method: shared/BENCH.md). Runs the built `@sluice/core` (`pnpm run build` first).
 *
 *   node test/bench/micro.mjs [--filter apiKey] [--rounds 7] [--round-ms 300] [--warmup-ms 500] [--no-save]
 *
 * Each case is warmed up, then timed in `rounds` rounds of about `round-ms` each; the table shows
 * the median round (and the fastest) as µs/op and ops/s. Results also go to
 * .bench-results/micro-<timestamp>.json unless --no-save.
 *
 * To add a feature's cases, add entries to CASES: `setup()` runs once (outside the timing) and
 * returns the operation; the operation must be synchronous and return something (kept in a sink so
 * it is not optimised away). Async operations: give the case `async: true` and return a promise.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { createGateway, createRequest, memoryThrottleStore, ModelSet } from '@sluice/core'
import { nodeRequest } from '@sluice/core/node'
import { API_KEYS, BENCH_KEY, PET_BODY, PET_MODEL } from './scenarios.mjs'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

const { values: args } = parseArgs({
  options: {
    filter: { type: 'string', default: '' },
    rounds: { type: 'string', default: process.env.MICRO_ROUNDS ?? '7' },
    'round-ms': { type: 'string', default: process.env.MICRO_ROUND_MS ?? '300' },
    'warmup-ms': { type: 'string', default: process.env.MICRO_WARMUP_MS ?? '500' },
    'no-save': { type: 'boolean', default: false },
  },
})
const rounds = Math.max(1, Number(args.rounds) | 0)
const roundMs = Math.max(10, Number(args['round-ms']))
const warmupMs = Math.max(0, Number(args['warmup-ms']))

const UNKNOWN_KEY = `Unknown${'y'.repeat(30)}`
const keyRequest = (key) => createRequest({ url: '/bench', headers: { 'x-api-key': key } })

function assertOutcome(outcome, kind, status) {
  if (outcome.kind !== kind || (status !== undefined && outcome.response.status !== status)) {
    throw new Error(`unexpected outcome ${JSON.stringify(outcome)}`)
  }
}

/** The cases: name, the feature it belongs to, and setup() → the operation to time. */
const CASES = [
  {
    name: 'createRequest (x-api-key header)',
    feature: 'request',
    setup: () => () => keyRequest(BENCH_KEY),
  },
  {
    name: 'exchange creation: gw.exchange(createRequest(…))',
    feature: 'exchange',
    setup() {
      const gw = createGateway({ apiKeys: API_KEYS })
      return () => gw.exchange(keyRequest(BENCH_KEY))
    },
  },
  {
    name: 'apiKey decision, valid key (10 keys): exchange + gw.run',
    feature: 'apiKey',
    setup() {
      const gw = createGateway({ apiKeys: API_KEYS })
      const step = gw.apiKey()
      assertOutcome(gw.run(step, gw.exchange(keyRequest(BENCH_KEY))), 'continue')
      return () => gw.run(step, gw.exchange(keyRequest(BENCH_KEY)))
    },
  },
  {
    name: 'apiKey decision, unknown key → 403: exchange + gw.run',
    feature: 'apiKey',
    setup() {
      const gw = createGateway({ apiKeys: API_KEYS })
      const step = gw.apiKey()
      assertOutcome(gw.run(step, gw.exchange(keyRequest(UNKNOWN_KEY))), 'respond', 403)
      return () => gw.run(step, gw.exchange(keyRequest(UNKNOWN_KEY)))
    },
  },
  {
    name: 'adapter path, valid key: exchangeFor(fresh node req, nodeRequest) + gw.run',
    feature: 'apiKey',
    setup() {
      // What the node:http adapters do per request: a new native request each time, its exchange
      // kept on it, the request viewed through nodeRequest.
      const gw = createGateway({ apiKeys: API_KEYS })
      const step = gw.apiKey()
      const op = () => {
        const req = { method: 'GET', url: '/bench', headers: { host: '127.0.0.1', 'x-api-key': BENCH_KEY }, socket: { remoteAddress: '127.0.0.1' } }
        const ex = gw.exchangeFor(req, () => nodeRequest(req, { ip: gw.resolveIp(req.socket.remoteAddress, undefined) }))
        return gw.run(step, ex)
      }
      assertOutcome(op(), 'continue')
      return op
    },
  },
  {
    name: 'throttle store decision: plan bucket + account bucket + quota, 10k keys round robin',
    feature: 'throttle',
    setup() {
      // The in-memory decision itself, as gw.throttle() calls it: buckets and quota references are
      // prepared per key once (the step caches them), the store decides and consumes.
      const store = memoryThrottleStore()
      const spec = { rateLimit: 1e7, burstLimit: 1e7, perMs: 1e10, capacity: 1e13 }
      const account = { key: 'a', spec, layer: 'account', pinned: true }
      const queries = Array.from({ length: 10_000 }, (_, i) => ({
        buckets: [{ key: `p${i}`, spec, layer: 'plan' }, account],
        quota: { key: `q${i}`, limit: 1e12, periodStart: 0, periodEnd: 4e12, day: 0 },
      }))
      let i = 0
      let now = 1_000_000
      const op = () => {
        const d = store.consume(queries[i], now)
        if (++i === queries.length) {
          i = 0
          now++
        }
        return d.allowed
      }
      if (op() !== true) throw new Error('the decision refused')
      return op
    },
  },
  {
    name: 'throttle step: gw.run(throttle) on an accepted key (plan + quota + account), 10k keys',
    feature: 'throttle',
    setup() {
      const keys = Array.from({ length: 10_000 }, (_, i) => ({ id: `k${i}`, value: `ThrottleBenchKey${String(i).padStart(6, '0')}xxxxxxxx`, usagePlanIds: ['p'] }))
      const gw = createGateway({
        apiKeys: keys,
        usagePlans: [{ id: 'p', throttle: { rateLimit: 1e7, burstLimit: 1e7 }, quota: { limit: 1e9, period: 'MONTH' } }],
        accountThrottle: { rateLimit: 1e8, burstLimit: 1e8 },
      })
      const step = gw.throttle()
      const exchanges = keys.map((k) => {
        const ex = gw.exchange(createRequest({ url: '/bench' }))
        ex.apiKey = gw.apiKeys.get(k.id)
        ex.requestIdSent = true
        return ex
      })
      let i = 0
      const op = () => {
        const ex = exchanges[i]
        ex.trace.length = 0
        if (++i === exchanges.length) i = 0
        return step.run(ex)
      }
      assertOutcome(op(), 'continue')
      return op
    },
  },
  {
    name: 'adapter path, apiKey + throttle + quota: exchangeFor(fresh node req) + 2 × gw.run',
    feature: 'throttle',
    setup() {
      const gw = createGateway({
        apiKeys: API_KEYS.map((k) => ({ ...k, usagePlanIds: ['p'] })),
        usagePlans: [{ id: 'p', throttle: { rateLimit: 1e7, burstLimit: 1e7 }, quota: { limit: 1e9, period: 'MONTH' } }],
        accountThrottle: { rateLimit: 1e8, burstLimit: 1e8 },
      })
      const steps = [gw.apiKey(), gw.throttle()]
      const op = () => {
        const req = { method: 'GET', url: '/bench', headers: { host: '127.0.0.1', 'x-api-key': BENCH_KEY }, socket: { remoteAddress: '127.0.0.1' } }
        const ex = gw.exchangeFor(req, () => nodeRequest(req, { ip: gw.resolveIp(req.socket.remoteAddress, undefined) }))
        gw.run(steps[0], ex)
        return gw.run(steps[1], ex)
      }
      assertOutcome(op(), 'continue')
      return op
    },
  },
  {
    name: 'cache hit: exchange + gw.run(cache) answering from the memory store',
    feature: 'cache',
    async setup() {
      const gw = createGateway({})
      const step = gw.cache({ ttl: 3600 })
      const warm = gw.exchange(createRequest({ url: '/bench' }))
      const first = gw.run(step, warm)
      await first.finalize?.({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' }, warm)
      const op = () => gw.run(step, gw.exchange(createRequest({ url: '/bench' })))
      assertOutcome(op(), 'respond', 200)
      return op
    },
  },
  {
    name: 'validate: compiled draft-04 model on a parsed 70-byte body (ModelSet.validate)',
    feature: 'validate',
    setup() {
      const model = new ModelSet({ Pet: PET_MODEL }).get('Pet')
      const value = JSON.parse(PET_BODY)
      const op = () => model.validate(value)
      if (!op().valid) throw new Error('the bench body must be valid')
      return op
    },
  },
  {
    name: 'validate: exchange + gw.run(validate) (required header, body read, parsed, validated)',
    feature: 'validate',
    async: true,
    async setup() {
      const gw = createGateway({})
      const step = gw.validate({ body: { 'application/json': PET_MODEL }, parameters: { header: ['content-type'] } })
      const op = () => gw.run(step, gw.exchange(createRequest({ method: 'POST', url: '/bench', headers: { 'content-type': 'application/json' }, body: PET_BODY })))
      assertOutcome(await op(), 'continue')
      return op
    },
  },
  {
    name: 'validate: the same exchange + request, body parsed, without the step (baseline for the line above)',
    feature: 'validate',
    async: true,
    async setup() {
      const gw = createGateway({})
      const op = async () => {
        const ex = gw.exchange(createRequest({ method: 'POST', url: '/bench', headers: { 'content-type': 'application/json' }, body: PET_BODY }))
        await ex.request.json()
        return ex
      }
      await op()
      return op
    },
  },
  {
    name: 'validate: parameters only (3 required, present), synchronous',
    feature: 'validate',
    setup() {
      const gw = createGateway({})
      const step = gw.validate({ parameters: { querystring: ['q'], header: ['x-a', 'content-type'] } })
      const ex = gw.exchange(createRequest({ url: '/bench?q=1', headers: { 'x-a': '1', 'content-type': 'application/json' } }))
      const op = () => step.run(ex)
      assertOutcome(op(), 'continue')
      return op
    },
  },
  {
    name: 'cors: simple request, gw.run(cors) + its response-header hook',
    feature: 'cors',
    setup() {
      const gw = createGateway({})
      const step = gw.cors({ allowOrigins: ['https://app.example.com'], allowMethods: ['GET'] })
      const response = { status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' }
      const op = () => {
        const ex = gw.exchange(createRequest({ url: '/bench', headers: { origin: 'https://app.example.com' } }))
        const out = gw.run(step, ex)
        return out.responseHeaders(response.headers, response.status, ex)
      }
      if (op()['access-control-allow-origin'] !== 'https://app.example.com') throw new Error('cors did not decorate')
      return op
    },
  },
]

let sink

/** Runs `fn` n times; returns elapsed ms. */
async function batch(fn, n, isAsync) {
  const t0 = performance.now()
  if (isAsync) for (let i = 0; i < n; i++) sink = await fn()
  else for (let i = 0; i < n; i++) sink = fn()
  return performance.now() - t0
}

async function measure(c) {
  const fn = await c.setup()
  const isAsync = c.async === true
  // Warm up (lets the JIT settle) and find a batch size of about 10 ms.
  let n = 100
  let spent = 0
  const warmStart = performance.now()
  do {
    const ms = await batch(fn, n, isAsync)
    spent = performance.now() - warmStart
    if (ms < 10) n = Math.min(n * 2, 1e8)
  } while (spent < warmupMs || n < 2)
  const usPerOp = []
  for (let r = 0; r < rounds; r++) {
    let ops = 0
    let ms = 0
    while (ms < roundMs) {
      ms += await batch(fn, n, isAsync)
      ops += n
    }
    usPerOp.push((ms * 1000) / ops)
  }
  usPerOp.sort((a, b) => a - b)
  const median = usPerOp[usPerOp.length >> 1]
  return { name: c.name, feature: c.feature, usPerOp: median, fastestUsPerOp: usPerOp[0], slowestUsPerOp: usPerOp[usPerOp.length - 1], opsPerSec: 1e6 / median, rounds }
}

const fmt = (us) => (us < 1 ? us.toFixed(3) : us < 10 ? us.toFixed(2) : us.toFixed(1))

const selected = CASES.filter((c) => c.name.toLowerCase().includes(args.filter.toLowerCase()) || c.feature.toLowerCase() === args.filter.toLowerCase())
if (selected.length === 0) {
  console.error(`micro: no case matches "${args.filter}"`)
  process.exit(2)
}
console.error(`micro: ${selected.length} case(s), ${warmupMs} ms warm-up, ${rounds} × ${roundMs} ms rounds each; Node ${process.version}`)
const results = []
for (const c of selected) {
  const r = await measure(c)
  results.push(r)
  console.error(`  ${r.name}: ${fmt(r.usPerOp)} µs/op`)
}
if (sink === Symbol.for('never')) console.log(sink)

const lines = [
  `### sluice micro — Node ${process.version}, median of ${rounds} rounds of ${roundMs} ms (fastest round in brackets)`,
  '',
  '| case | feature | µs/op | ops/s |',
  '| --- | --- | ---: | ---: |',
  ...results.map((r) => `| ${r.name} | ${r.feature} | ${fmt(r.usPerOp)} (${fmt(r.fastestUsPerOp)}) | ${Math.round(r.opsPerSec).toLocaleString('en-US')} |`),
]
console.log(lines.join('\n'))

if (!args['no-save']) {
  const dir = join(ROOT, '.bench-results')
  mkdirSync(dir, { recursive: true })
  const file = join(dir, `micro-${new Date().toISOString().replace(/[:.]/g, '-')}.json`)
  writeFileSync(file, `${JSON.stringify({ node: process.version, rounds, roundMs, warmupMs, results }, null, 2)}\n`)
  console.error(`micro: wrote ${relative(process.cwd(), file)}`)
}
