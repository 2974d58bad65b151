/**
 * Outages: a redis-server of the test's own is killed (then restarted), and separately frozen with
 * SIGSTOP (then thawed), for 2 s each, while three gateways — `open`, `closed`, `local` — each take
 * ~200 requests/s of apiKey + throttle. Bounds (behavioural, not speed): `open` never answers a
 * limiter-caused 5xx and adds at most the command timeout + 20 ms; `closed` answers every request
 * of the outage with 503 + Retry-After within the same bound; `local` keeps this process's limits;
 * the first Redis-backed decision comes within 1 s of Redis's return; nothing crashes and no
 * promise rejection goes unhandled. Event-loop stalls of the (busy) test machine are measured and
 * allowed on top of the bound.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createGateway, isPromise, type Gateway, type Outcome, type Step } from '@sluice/core'
import { createRequest } from '@sluice/core/testing'
import { redisStore, type RedisStores } from '@sluice/redis'
import { Redis } from 'ioredis'
import { CLIENT_OPTIONS, redisServerAvailable } from '../support/redis.js'
import { OwnRedis } from './support/server.js'

const TIMEOUT = 100
const KEY = 'outagekey1234abcdefghij0123456789'
const OUTAGE_MS = 2_000
const TICK_MS = 5 // one request per gateway every 5 ms: 200 requests/s each

type Policy = 'open' | 'closed' | 'local'
interface Sample {
  t: number
  latency: number
  status: number
  retryAfter: string | undefined
  redis: boolean
}
interface Target {
  policy: Policy
  gw: Gateway
  step: Step
  stores: RedisStores
  client: Redis
  samples: Sample[]
}

const unhandled: unknown[] = []
const onUnhandled = (e: unknown): void => void unhandled.push(e)

const server = new OwnRedis()
const targets: Target[] = []
const lag = monitorEventLoopDelay({ resolution: 5 })
let running = false
let loop: Promise<void> | undefined

function makeTarget(policy: Policy): Target {
  const client = new Redis(server.url, CLIENT_OPTIONS)
  client.on('error', () => undefined)
  const stores = redisStore(client, { prefix: `sluice-test:redis:outage:${policy}:`, onStoreError: policy, commandTimeoutMs: TIMEOUT, probeIntervalMs: 250 })
  // local: a limit the load exceeds (so per-process limits show); open/closed: one it never reaches
  const throttle = policy === 'local' ? { rateLimit: 50, burstLimit: 10 } : { rateLimit: 5_000, burstLimit: 5_000 }
  const gw = createGateway({ apiKeys: [{ id: 'k', value: KEY, usagePlanIds: ['p'] }], usagePlans: [{ id: 'p', throttle }], store: stores })
  return { policy, gw, step: gw.chain(gw.apiKey(), gw.throttle()), stores, client, samples: [] }
}

function fire(target: Target): void {
  const start = performance.now()
  const before = target.stores.throttle.stats.redis
  const ex = target.gw.exchange(createRequest({ url: 'http://localhost/pets', headers: { 'x-api-key': KEY } }))
  const done = (o: Outcome): void => {
    target.samples.push({
      t: start,
      latency: performance.now() - start,
      status: o.kind === 'respond' ? o.response.status : 200,
      retryAfter: o.kind === 'respond' ? o.response.headers['retry-after'] : undefined,
      redis: target.stores.throttle.stats.redis > before,
    })
  }
  const out = target.gw.run(target.step, ex)
  if (isPromise<Outcome>(out)) void out.then(done)
  else done(out)
}

/**
 * Offers one request per gateway every TICK_MS on average: a busy machine may wake the loop late,
 * so each wake-up sends what is due since the start (at most 20 at once), keeping the rate.
 */
async function load(): Promise<void> {
  const start = performance.now()
  let sent = 0
  while (running) {
    const due = Math.min(20, Math.floor((performance.now() - start) / TICK_MS) + 1 - sent)
    for (let i = 0; i < due; i++) for (const t of targets) fire(t)
    sent += Math.max(0, due)
    await new Promise((r) => setTimeout(r, TICK_MS))
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
const within = (s: Sample, from: number, to: number): boolean => s.t >= from && s.t < to

/** Phase marks (performance.now()). */
const marks = { killAt: 0, restartedAt: 0, freezeAt: 0, thawAt: 0, end: 0 }

if (await redisServerAvailable()) describe('outages of a Redis the test owns', () => {
  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled)
    await server.start()
    for (const p of ['open', 'closed', 'local'] as const) targets.push(makeTarget(p))
    await Promise.all(targets.map((t) => (t.client.status === 'ready' ? undefined : new Promise((r) => t.client.once('ready', r)))))
    lag.enable()
    running = true
    loop = load()
    await sleep(500)
    // kill for 2 s, then restart on the same port (an empty server: scripts reload through NOSCRIPT)
    marks.killAt = performance.now()
    await server.kill()
    await sleep(OUTAGE_MS - (performance.now() - marks.killAt))
    await server.start()
    marks.restartedAt = performance.now()
    await sleep(1_500)
    // freeze for 2 s (the connection stays open; nothing answers), then thaw
    marks.freezeAt = performance.now()
    server.freeze()
    await sleep(OUTAGE_MS)
    server.thaw()
    marks.thawAt = performance.now()
    await sleep(1_500)
    running = false
    await loop
    marks.end = performance.now()
    await sleep(TIMEOUT * 2)
    lag.disable()
  }, 60_000)

  afterAll(async () => {
    running = false
    await loop
    for (const t of targets) {
      await t.stores.close()
      t.client.disconnect()
    }
    await server.stop()
    process.off('unhandledRejection', onUnhandled)
  })

  /**
   * The bound on a request's time: the command timeout + 20 ms, plus twice the worst event-loop
   * stall measured (a request can meet one before its timeout fires and one after). It must stay
   * well below the outage, or the test could not tell a bounded wait from a hang (stalls of 400 ms
   * were seen on a 2-core machine running other suites and agents beside this one).
   */
  const bound = (): number => TIMEOUT + 20 + (2 * lag.max) / 1e6

  it('the bound stays meaningful: well below the 2 s outage (a request waiting out the outage would exceed it)', () => {
    expect(bound()).toBeLessThan(OUTAGE_MS * 0.75)
  })

  const outages = (): Array<[string, number, number, number]> => [
    ['kill', marks.killAt, marks.restartedAt, marks.restartedAt],
    ['freeze', marks.freezeAt, marks.thawAt, marks.thawAt],
  ]

  it('took ~200 requests/s per gateway through both outages, and nothing went unhandled', () => {
    for (const t of targets) {
      const back = outages().map(([name, , , at]) => {
        const first = t.samples.find((s) => s.t >= at && s.redis)
        return `${name}: first redis decision ${first ? (first.t + first.latency - at).toFixed(0) : '-'} ms after return`
      })
      const max = Math.max(...t.samples.map((s) => s.latency))
      console.info(`[outage] ${t.policy}: ${t.samples.length} requests, max latency ${max.toFixed(1)} ms (bound ${bound().toFixed(1)} ms, loop stall max ${(lag.max / 1e6).toFixed(1)} ms), ${back.join(', ')}; breaker opened ${t.stores.stats.breakerOpened}×`)
      expect(t.samples.length).toBeGreaterThan(((marks.end - marks.killAt) / TICK_MS) * 0.5)
    }
    expect(unhandled).toEqual([])
  })

  it('open: no limiter-caused 5xx, and no request waits longer than the timeout + 20 ms', () => {
    const t = targets.find((x) => x.policy === 'open') as Target
    expect(t.samples.filter((s) => s.status >= 500)).toEqual([])
    expect(t.samples.filter((s) => s.status !== 200)).toEqual([])
    const slow = t.samples.filter((s) => s.latency > bound())
    expect(slow, `bound ${bound().toFixed(1)} ms`).toEqual([])
  })

  it('closed: every request of the outage gets 503 + Retry-After within the same bound', () => {
    const t = targets.find((x) => x.policy === 'closed') as Target
    for (const [name, from, to] of outages()) {
      // requests sent after the server went away and before it came back
      const during = t.samples.filter((s) => within(s, from + 1, to - TIMEOUT))
      expect(during.length, name).toBeGreaterThan(100)
      expect(during.filter((s) => s.status !== 503 || s.retryAfter !== '1'), name).toEqual([])
      expect(during.filter((s) => s.latency > bound()), `${name}: bound ${bound().toFixed(1)} ms`).toEqual([])
    }
    // and never anything but 200 or 503
    expect(t.samples.filter((s) => s.status !== 200 && s.status !== 503)).toEqual([])
  })

  it('local: the per-process limit holds through the outage', () => {
    const t = targets.find((x) => x.policy === 'local') as Target
    for (const [name, from, to] of outages()) {
      const during = t.samples.filter((s) => within(s, from, to) && !s.redis)
      const admitted = during.filter((s) => s.status === 200).length
      const seconds = (to - from) / 1000
      // burst 10 + 50/s, in this process: at most the bucket's allowance over the outage
      expect(admitted, name).toBeLessThanOrEqual(10 + Math.ceil(50 * seconds) + 1)
      expect(admitted, name).toBeGreaterThan(10)
      expect(during.filter((s) => s.status !== 200 && s.status !== 429), name).toEqual([])
      expect(during.filter((s) => s.latency > bound()), `${name}: bound ${bound().toFixed(1)} ms`).toEqual([])
    }
  })

  it('the first Redis-backed decision comes within 1 s of Redis returning (scripts reloaded after a restart)', async () => {
    for (const t of targets) {
      for (const [name, , , back] of outages()) {
        const first = t.samples.find((s) => s.t >= back && s.redis)
        expect(first, `${t.policy} after ${name}`).toBeDefined()
        expect((first as Sample).t + (first as Sample).latency - back, `${t.policy} after ${name}`).toBeLessThan(1_000)
      }
    }
    // scripts are called by SHA; a server without them (flushed, restarted) gets them in full once
    const probe = new Redis(server.url, CLIENT_OPTIONS)
    probe.on('error', () => undefined)
    await new Promise((r) => probe.once('ready', r))
    await probe.script('FLUSH')
    await probe.config('RESETSTAT')
    // a store of its own (the load's stores may have their breakers open on a busy machine)
    const client = new Redis(server.url, CLIENT_OPTIONS)
    client.on('error', () => undefined)
    await new Promise((r) => client.once('ready', r))
    const store = redisStore(client, { prefix: 'sluice-test:redis:outage:noscript:', onStoreError: 'closed', commandTimeoutMs: 5_000 })
    const d = await store.throttle.consume({ buckets: [{ key: 'a-flushed', spec: { rateLimit: 1, burstLimit: 1, perMs: 1000, capacity: 1_000_000 }, layer: 'account' }] }, Date.now())
    expect(d.allowed).toBe(true)
    const stats = await probe.info('commandstats')
    expect(stats).toMatch(/cmdstat_evalsha:calls=1,.*failed_calls=1/)
    expect(stats).toMatch(/cmdstat_eval:calls=1,/)
    await store.close()
    client.disconnect()
    probe.disconnect()
  })
})
