#!/usr/bin/env node
/**
 * Aggregate throttle decisions per second against one Redis, from several processes with many
 * decisions in flight each (the target: 60,000/s on one local Redis). Runs the built
 * packages (`pnpm run build` first) against `REDIS_URL` (default redis://127.0.0.1:6379), under
 * the key prefix `sluice-bench:decisions:` (deleted at the end).
 *
 *   node test/bench/redis-decisions.mjs [--processes 4] [--inflight 256] [--duration 5] [--keys 1000] [--flood] [--autopipelining]
 *
 * Each decision is one `gw.throttle()` store call with two buckets (the caller's plan and the
 * shared account) and a monthly quota — what `apiKey + throttle` asks of the store per request.
 * `--autopipelining`: the clients batch commands of one tick into one write (ioredis
 * `enableAutoPipelining`), worth comparing with many decisions in flight.
 * `--flood`: every caller is over its limit; shows that refused callers are answered from the
 * process's memory (Redis calls stay near zero) and how fast.
 */
import { fork } from 'node:child_process'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'

const { values } = parseArgs({
  options: {
    processes: { type: 'string', default: '4' },
    inflight: { type: 'string', default: '256' },
    duration: { type: 'string', default: '5' },
    keys: { type: 'string', default: '1000' },
    flood: { type: 'boolean', default: false },
    autopipelining: { type: 'boolean', default: false },
    child: { type: 'boolean', default: false },
  },
})
const URL_ = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const PREFIX = 'sluice-bench:decisions:'

async function child() {
  const { redisStore } = await import('@sluice/redis')
  const { Redis } = await import('ioredis')
  const { composeKey } = await import('@sluice/core')
  const client = new Redis(URL_, { enableOfflineQueue: false, autoResendUnfulfilledCommands: false, maxRetriesPerRequest: 0, enableAutoPipelining: values.autopipelining })
  client.on('error', () => undefined)
  await new Promise((r) => client.once('ready', r))
  const store = redisStore(client, { prefix: PREFIX, onStoreError: 'closed', commandTimeoutMs: 5_000 })
  const spec = (rate, burst) => ({ rateLimit: rate, burstLimit: burst, perMs: Math.round(rate * 1000), capacity: burst * 1_000_000 })
  const plan = values.flood ? spec(0.001, 1) : spec(1_000_000, 1_000_000)
  const account = { key: 'a', spec: spec(100_000_000, 100_000_000), layer: 'account', pinned: true }
  const keys = Number(values.keys)
  const queries = Array.from({ length: keys }, (_, i) => {
    const id = composeKey('k', `bench-${process.pid}-${i}`)
    const day = Date.UTC(2026, 0, 1)
    return { buckets: [{ key: composeKey('p', 'bench', id), spec: plan, layer: 'plan' }, account], quota: { key: composeKey('q', 'bench', id), limit: 1_000_000_000, periodStart: day, periodEnd: day + 31 * 86_400_000, day } }
  })
  process.send({ type: 'ready' })
  await new Promise((r) => process.once('message', r))
  const end = performance.now() + Number(values.duration) * 1000
  let decisions = 0
  let admitted = 0
  let next = 0
  const worker = async () => {
    while (performance.now() < end) {
      const d = await store.throttle.consume(queries[next++ % keys], Date.now())
      decisions++
      if (d.allowed) admitted++
    }
  }
  const start = performance.now()
  await Promise.all(Array.from({ length: Number(values.inflight) }, worker))
  const seconds = (performance.now() - start) / 1000
  process.send({ type: 'done', decisions, admitted, seconds, redisCalls: store.stats.calls, remembered: store.throttle.stats.remembered })
  await store.close()
  client.disconnect()
}

async function parent() {
  const n = Number(values.processes)
  const script = fileURLToPath(import.meta.url)
  const args = ['--child', '--inflight', values.inflight, '--duration', values.duration, '--keys', values.keys, ...(values.flood ? ['--flood'] : []), ...(values.autopipelining ? ['--autopipelining'] : [])]
  const children = Array.from({ length: n }, () => fork(script, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }))
  const wait = (c, type) => new Promise((resolve, reject) => {
    c.on('message', (m) => m.type === type && resolve(m))
    c.once('exit', (code) => code !== 0 && reject(new Error(`child exited with ${code}`)))
  })
  await Promise.all(children.map((c) => wait(c, 'ready')))
  const results = children.map((c) => wait(c, 'done'))
  for (const c of children) c.send({ type: 'go' })
  const done = await Promise.all(results)
  const total = done.reduce((a, r) => a + r.decisions, 0)
  const seconds = Math.max(...done.map((r) => r.seconds))
  console.log(`processes ${n}, in flight ${values.inflight} each, ${values.keys} callers each, ${values.flood ? 'flood (all refused)' : 'limits never reached'}`)
  console.log(`decisions: ${total} in ${seconds.toFixed(2)} s = ${Math.round(total / seconds)} /s aggregate`)
  console.log(`admitted: ${done.reduce((a, r) => a + r.admitted, 0)}, Redis calls: ${done.reduce((a, r) => a + r.redisCalls, 0)}, answered from memory: ${done.reduce((a, r) => a + r.remembered, 0)}`)
  // clean up this benchmark's keys only
  const { Redis } = await import('ioredis')
  const client = new Redis(URL_)
  let cursor = '0'
  do {
    const [nextCursor, keys] = await client.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 1000)
    cursor = nextCursor
    if (keys.length > 0) await client.del(...keys)
  } while (cursor !== '0')
  client.disconnect()
}

if (values.child) await child()
else await parent()
