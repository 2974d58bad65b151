/**
 * The benchmark scenarios, by name. A scenario describes what the ON server adds to the bare app
 * and what the load generator sends; its OFF baseline is the same app, same route, same request,
 * with nothing added (server.mjs `--gateway off`). Shared by server.mjs (which mounts) and run.mjs
 * (which sends the headers), so it must not import any framework at module load.
 *
 * A scenario is:
 *   description  one line for the report
 *   headers      request headers the load generator sends, to OFF and ON alike
 *   frameworks   the frameworks it can run on (default: all four; `node` only if it says so)
 *   options      options of the adapter's `gateway()` (sluice scenarios)
 *   features     (gw) => [...]: sluice features to mount app-wide, in order (sluice scenarios)
 *   mount        { express|koa|fastify|hono|node: async (app) => void }: anything else, e.g. a peer
 *                limiter (`@fastify/rate-limit`, `express-rate-limit`); import it lazily inside.
 *                When both are given, `mount[framework]` wins for that framework.
 *   check        optional { path, headers, status } request that the ON server must answer with
 *                `status` and the OFF server with 200: proves the feature is really mounted.
 *
 * To add one (throttle, quota, a peer), add an entry here; nothing else changes.
 */

/** Ten API keys with fixed values (20–128 alphanumerics), so the driver knows what to send. */
export const API_KEYS = Array.from({ length: 10 }, (_, i) => ({
  id: `bench-key-${i}`,
  name: `bench key ${i}`,
  value: `BenchKey${String(i).padStart(2, '0')}${'x'.repeat(30)}`,
}))

/** The key the load generator presents (one in the middle of the list). */
export const BENCH_KEY = API_KEYS[6].value

export const SCENARIOS = {
  off: {
    description: 'bare app, nothing mounted (with --scenario off the run is an A/A test of the noise)',
    headers: {},
    frameworks: ['express', 'koa', 'fastify', 'hono', 'node'],
  },
  apikey: {
    description: 'gw.apiKey() app-wide, 10 registered keys, the client sends a valid x-api-key',
    headers: { 'x-api-key': BENCH_KEY },
    options: { apiKeys: API_KEYS },
    features: (gw) => [gw.apiKey()],
    check: { headers: {}, status: 403 },
  },
}

/** Limits far above the offered load, so the layers decide on every request but never refuse. */
const HIGH = { rateLimit: 10_000_000, burstLimit: 10_000_000 }
const THROTTLE_OPTIONS = {
  apiKeys: API_KEYS.map((k) => ({ ...k, usagePlanIds: ['bench'] })),
  usagePlans: [{ id: 'bench', throttle: HIGH, quota: { limit: 1_000_000_000, period: 'MONTH' } }],
  accountThrottle: { rateLimit: 100_000_000, burstLimit: 100_000_000 },
}

Object.assign(SCENARIOS, {
  throttle: {
    description: 'gw.apiKey() + gw.throttle(): the key\'s usage plan (token bucket + monthly quota) and the account bucket, app-wide',
    headers: { 'x-api-key': BENCH_KEY },
    options: THROTTLE_OPTIONS,
    features: (gw) => [gw.apiKey(), gw.throttle()],
    check: { headers: {}, status: 403 },
  },
  'throttle-chain': {
    description: 'gw.chain(gw.apiKey(), gw.throttle()): the same decisions as `throttle` in one middleware / hook',
    headers: { 'x-api-key': BENCH_KEY },
    options: THROTTLE_OPTIONS,
    features: (gw) => [gw.chain(gw.apiKey(), gw.throttle())],
    check: { headers: {}, status: 403 },
  },
  'cache-hit': {
    description: 'gw.cache() app-wide: every measured request is a cache hit; OFF is the bare trivial route',
    headers: {},
    features: (gw) => [gw.cache({ ttl: 3600 })],
  },
  'cache-vs-backend-wait': {
    description: 'gw.cache() hits vs a route whose backend waits 1 ms (asynchronous, e.g. a network call)',
    headers: {},
    backend: { kind: 'wait', ms: 1 },
    features: (gw) => [gw.cache({ ttl: 3600 })],
  },
  'cache-vs-backend-cpu': {
    description: 'gw.cache() hits vs a route whose backend computes for 1 ms',
    headers: {},
    backend: { kind: 'cpu', ms: 1 },
    features: (gw) => [gw.cache({ ttl: 3600 })],
  },
  'throttle-ip': {
    description: 'gw.throttle(plan) per client address (no API key): token bucket + account bucket, app-wide',
    headers: {},
    options: { accountThrottle: THROTTLE_OPTIONS.accountThrottle },
    features: (gw) => [gw.throttle({ id: 'per-ip', throttle: HIGH })],
  },
  'fastify-rate-limit': {
    description: 'peer: @fastify/rate-limit (in-memory, fixed window per client address, limit never reached)',
    headers: {},
    frameworks: ['fastify'],
    mount: {
      fastify: async (app) => {
        const { default: rateLimit } = await import('@fastify/rate-limit')
        await app.register(rateLimit, { max: 1_000_000_000, timeWindow: 60_000 })
      },
    },
  },
  'express-rate-limit': {
    description: 'peer: express-rate-limit (in-memory, fixed window per client address, limit never reached)',
    headers: {},
    frameworks: ['express'],
    mount: {
      express: async (app) => {
        const { rateLimit } = await import('express-rate-limit')
        app.use(rateLimit({ windowMs: 60_000, limit: 1_000_000_000, standardHeaders: 'draft-8', legacyHeaders: false }))
      },
    },
  },
})

/** The frameworks a scenario can run on. */
export function frameworksOf(scenario) {
  return scenario.frameworks ?? ['express', 'koa', 'fastify', 'hono']
}

SCENARIOS['noop-middleware'] = {
  description: 'a do-nothing middleware of the framework\'s own kind (what any middleware costs there)',
  headers: {},
  mount: {
    express: async (app) => app.use((_req, _res, next) => next()),
    koa: async (app) => app.use(async (_ctx, next) => { await next() }),
    fastify: async (app) => app.addHook('onRequest', (_req, _reply, done) => done()),
    hono: async (app) => app.use(async (_c, next) => { await next() }),
  },
}

import { createRequire } from 'node:module'

/**
 * The same decisions on Redis (`@sluice/redis`, `REDIS_URL`, default redis://127.0.0.1:6379): the
 * store is created when the server builds its gateway (a getter, so nothing connects at module
 * load). Fail-closed, so a Redis that is not there shows as 503s (a rejected run), never as a
 * silently local measurement.
 */
function withRedisStore(base) {
  const require = createRequire(import.meta.url)
  const { redisStore } = require('@sluice/redis')
  const { Redis } = require('ioredis')
  const client = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { enableOfflineQueue: false, autoResendUnfulfilledCommands: false, maxRetriesPerRequest: 0 })
  client.on('error', () => undefined)
  return { ...base, store: redisStore(client, { prefix: 'sluice-bench:', onStoreError: 'closed' }) }
}

Object.assign(SCENARIOS, {
  'throttle-redis': {
    description: 'gw.apiKey() + gw.throttle() on the Redis store: one Lua script per request (plan bucket, monthly quota, account bucket)',
    headers: { 'x-api-key': BENCH_KEY },
    get options() {
      return withRedisStore(THROTTLE_OPTIONS)
    },
    features: (gw) => [gw.apiKey(), gw.throttle()],
    check: { headers: {}, status: 403 },
  },
  'throttle-redis-chain': {
    description: 'gw.chain(gw.apiKey(), gw.throttle()) on the Redis store (compare with bare Fastify: the issue asks for >= 60 %)',
    headers: { 'x-api-key': BENCH_KEY },
    get options() {
      return withRedisStore(THROTTLE_OPTIONS)
    },
    features: (gw) => [gw.chain(gw.apiKey(), gw.throttle())],
    check: { headers: {}, status: 403 },
  },
})
