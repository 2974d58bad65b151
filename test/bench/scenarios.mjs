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
 *   payload      optional: the JSON value GET /bench answers (default `{"ok":true}`), ON and OFF alike
 *   verify       optional (body) => boolean: accepts the ON server's answer when the feature
 *                rewrites it (default: it must equal the payload)
 *
 * To add one (throttle, quota, a peer), add an entry here; nothing else changes.
 */

import { createHmac } from 'node:crypto'

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

/** A fixed HS256 token (exp in 2100) the load generator repeats: the JWT scenarios' caller. */
export const JWT_SECRET = 'bench-jwt-secret-0123456789abcdefghij'
export const JWT_ISSUER = 'https://issuer.bench.local'
export const BENCH_JWT = (() => {
  const part = (v) => Buffer.from(JSON.stringify(v)).toString('base64url')
  const input = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ iss: JWT_ISSUER, aud: 'bench', sub: 'bench-user', exp: 4102444800, iat: 1700000000, scope: 'bench/read' })}`
  return `${input}.${createHmac('sha256', JWT_SECRET).update(input).digest('base64url')}`
})()
const JWT_CONFIG = { type: 'jwt', jwtConfiguration: { issuer: JWT_ISSUER, audience: ['bench'] }, secret: JWT_SECRET }

Object.assign(SCENARIOS, {
  'jwt-throttle': {
    description: 'gw.authorize(jwt, HS256) + gw.throttle(plan) per client, app-wide; the client repeats one valid token (remembered after the first verification)',
    headers: { authorization: `Bearer ${BENCH_JWT}` },
    options: { accountThrottle: THROTTLE_OPTIONS.accountThrottle },
    features: (gw) => [gw.authorize(JWT_CONFIG, { authorizationScopes: ['bench/read'] }), gw.throttle({ id: 'per-ip', throttle: HIGH })],
    check: { headers: {}, status: 401 },
  },
  'jwt-throttle-chain': {
    description: 'gw.chain(gw.authorize(jwt), gw.throttle(plan)): the same decisions as `jwt-throttle` in one middleware / hook',
    headers: { authorization: `Bearer ${BENCH_JWT}` },
    options: { accountThrottle: THROTTLE_OPTIONS.accountThrottle },
    features: (gw) => [gw.chain(gw.authorize(JWT_CONFIG, { authorizationScopes: ['bench/read'] }), gw.throttle({ id: 'per-ip', throttle: HIGH }))],
    check: { headers: {}, status: 401 },
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

/** A draft-04 model of a typical small JSON body (AWS's PetStore shape) and a body that satisfies it. */
export const PET_MODEL = {
  $schema: 'http://json-schema.org/draft-04/schema#',
  type: 'object',
  required: ['name', 'type', 'price'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 64 },
    type: { type: 'string', enum: ['dog', 'cat', 'fish'] },
    price: { type: 'number', minimum: 0 },
    tags: { type: 'array', items: { type: 'string' }, maxItems: 10 },
  },
}
export const PET_BODY = JSON.stringify({ name: 'rex', type: 'dog', price: 24.5, tags: ['good', 'boy'] })

SCENARIOS['validate-post'] = {
  description: 'POST /bench with a 70-byte JSON body: gw.validate() (draft-04 model + a required header) vs the same POST route bare; the route uses its parsed body (express.json() / a Koa parser before sluice, Fastify\'s parser, c.req.json())',
  method: 'POST',
  routeReadsBody: true,
  body: PET_BODY,
  headers: { 'content-type': 'application/json' },
  features: (gw) => [gw.validate({ body: { 'application/json': PET_MODEL }, parameters: { header: ['content-type'] } })],
  check: { headers: { 'content-type': 'application/json' }, body: '{"name":"rex"}', status: 400 },
}

SCENARIOS['validate-post-ignored'] = {
  ...SCENARIOS['validate-post'],
  description: 'validate-post, but the bare route ignores the body (so the gateway pays for the whole read)',
  routeReadsBody: false,
}

SCENARIOS['cors-simple'] = {
  description: 'gw.cors() app-wide, a simple cross-origin GET from an allowed origin (headers set in the after-handler phase)',
  headers: { origin: 'https://app.example.com' },
  features: (gw) => [gw.cors({ allowOrigins: ['https://app.example.com'], allowMethods: ['GET', 'POST'], allowHeaders: ['content-type'] })],
}

/** Ten pets: the response a typical mapping template iterates over. */
const PETS = { pets: Array.from({ length: 10 }, (_, i) => ({ id: i + 1, name: `pet ${i}`, type: i % 2 ? 'dog' : 'cat', price: 10 + i / 4 })) }
/** A typical response template: a #foreach over 10 items read with $input.path (as micro-templates.mjs). */
const TYPICAL_TEMPLATE = `#set($pets = $input.path('$.pets'))
{"count": $pets.size(), "items": [
#foreach($p in $pets)
  {"id": $p.id, "name": "$util.escapeJavaScript($p.name)", "type": "$p.type", "price": $p.price}#if($foreach.hasNext),#end
#end
]}`

Object.assign(SCENARIOS, {
  'transform-response': {
    description: 'gw.transform() with a typical response template (10-item #foreach over $input.path) vs the same route answering the same 10 pets bare',
    headers: {},
    payload: PETS,
    features: (gw) => [gw.transform({ response: { 'application/json': TYPICAL_TEMPLATE } })],
    verify: (body) => JSON.parse(body).count === 10,
  },
  'transform-passthrough': {
    description: "gw.transform() with the pass-through response template $input.json('$') vs the same route bare",
    headers: {},
    payload: PETS,
    features: (gw) => [gw.transform({ response: { 'application/json': "$input.json('$')" } })],
  },
})

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
