#!/usr/bin/env node
/**
 * The benchmark app: one framework app serving `GET /bench` → 200 `{"ok":true}`, with a scenario's
 * features mounted only when `--gateway on`. Runs the built packages (`pnpm run build` first).
 *
 *   node test/bench/server.mjs <express|koa|fastify|hono|node> [--scenario apikey] [--gateway on|off] [--port 0]
 *
 * Prints one line `ready {"port":…,"pid":…,…}` on stdout when listening on 127.0.0.1, and exits
 * cleanly (code 0) on SIGTERM or SIGINT.
 */
import { createServer } from 'node:http'
import { parseArgs } from 'node:util'
import { SCENARIOS, frameworksOf } from './scenarios.mjs'

const FRAMEWORKS = ['express', 'koa', 'fastify', 'hono', 'node']
/** What GET /bench answers: the scenario's `payload` (default `{"ok":true}`). */
const PAYLOAD_OF = (scenario) => scenario?.payload ?? { ok: true }

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    scenario: { type: 'string', default: 'off' },
    gateway: { type: 'string', default: 'on' },
    port: { type: 'string', default: '0' },
  },
})

const framework = positionals[0]
if (!FRAMEWORKS.includes(framework)) fail(`first argument must be one of ${FRAMEWORKS.join(', ')}`)
const scenario = SCENARIOS[values.scenario]
if (!scenario) fail(`unknown scenario "${values.scenario}"; known: ${Object.keys(SCENARIOS).join(', ')}`)
if (values.gateway !== 'on' && values.gateway !== 'off') fail('--gateway must be on or off')
const on = values.gateway === 'on' && values.scenario !== 'off'
if (on && !frameworksOf(scenario).includes(framework)) fail(`scenario "${values.scenario}" does not run on ${framework}`)
const port = Number(values.port)
/** The route's method: GET, or the scenario's (a POST scenario sends a body the route ignores, unless `routeReadsBody`). */
const METHOD = (scenario.method ?? 'GET').toUpperCase()
/**
 * `routeReadsBody`: the route uses its JSON body, parsed the framework's usual way, with the gateway
 * on and off alike — `express.json()` and a small Koa body parser (both mounted before sluice, as
 * the validation docs ask), Fastify's own parser, `c.req.json()` on Hono.
 */
const READS_BODY = scenario.routeReadsBody === true
const PAYLOAD = PAYLOAD_OF(scenario)
const BODY = JSON.stringify(PAYLOAD)

function fail(message) {
  console.error(`server.mjs: ${message}`)
  process.exit(2)
}

/** The adapter's gateway, built with the scenario's options. */
async function sluiceGateway() {
  const mod = await import(`@sluice/${framework}`)
  return mod.gateway(scenario.options ?? {})
}

/** What the scenario adds: `mount[framework]` if it has one, else its sluice features. */
async function mountScenario(app, use) {
  if (!on) return
  const custom = scenario.mount?.[framework]
  if (custom) return custom(app)
  if (!scenario.features) fail(`scenario "${values.scenario}" has nothing to mount on ${framework}`)
  const gw = await sluiceGateway()
  for (const feature of scenario.features(gw)) await use(feature)
}

/**
 * The route's own work, from the scenario (`backend: { kind: 'wait' | 'cpu', ms }`), the same with
 * the gateway on or off: `wait` is an asynchronous delay (a backend call), `cpu` a busy loop (a
 * backend computing its answer). Undefined: none.
 */
const backend = scenario.backend
function work() {
  if (!backend) return undefined
  if (backend.kind === 'cpu') {
    const until = performance.now() + backend.ms
    while (performance.now() < until) {
      // busy: the backend computing
    }
    return undefined
  }
  return new Promise((resolve) => setTimeout(resolve, backend.ms))
}

const BUILDERS = {
  async node() {
    const handler = (req, res) => {
      if (req.method === METHOD && req.url === '/bench') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': BODY.length })
        res.end(BODY)
      } else {
        res.writeHead(404).end()
      }
    }
    await mountScenario(null, () => fail('node:http takes scenario.mount.node only'))
    return listenNode(createServer(handler))
  },

  async express() {
    const { default: express } = await import('express')
    const app = express()
    if (READS_BODY) app.use(express.json())
    await mountScenario(app, (mw) => app.use(mw))
    app[METHOD.toLowerCase()]('/bench', async (req, res) => {
      await work()
      if (READS_BODY && typeof req.body !== 'object') throw new Error('no parsed body')
      res.json(PAYLOAD)
    })
    return listenNode(createServer(app))
  },

  async koa() {
    const { default: Koa } = await import('koa')
    const app = new Koa()
    if (READS_BODY) {
      // a minimal JSON body parser (what koa-bodyparser does for application/json)
      app.use(async (ctx, next) => {
        if (ctx.is('application/json')) {
          const chunks = []
          for await (const c of ctx.req) chunks.push(c)
          ctx.request.body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
        }
        await next()
      })
    }
    await mountScenario(app, (mw) => app.use(mw))
    app.use(async (ctx) => {
      if (ctx.method === METHOD && ctx.path === '/bench') {
        await work()
        if (READS_BODY && typeof ctx.request.body !== 'object') throw new Error('no parsed body')
        ctx.body = PAYLOAD
      }
    })
    return listenNode(createServer(app.callback()))
  },

  async fastify() {
    const { default: Fastify } = await import('fastify')
    const app = Fastify({ logger: false })
    await mountScenario(app, (plugin) => app.register(plugin))
    app.route({ method: METHOD, url: '/bench', handler: async (request) => {
      await work()
      if (READS_BODY && typeof request.body !== 'object') throw new Error('no parsed body')
      return PAYLOAD
    } })
    await app.listen({ port, host: '127.0.0.1' })
    return {
      port: app.server.address().port,
      close: async () => {
        app.server.closeAllConnections()
        await app.close()
      },
    }
  },

  async hono() {
    const [{ Hono }, { getRequestListener }] = await Promise.all([import('hono'), import('@hono/node-server')])
    const app = new Hono()
    await mountScenario(app, (mw) => app.use(mw))
    app.on(METHOD, '/bench', async (c) => {
      await work()
      if (READS_BODY && typeof (await c.req.json()) !== 'object') throw new Error('no parsed body')
      return c.json(PAYLOAD)
    })
    return listenNode(createServer(getRequestListener(app.fetch)))
  },
}

function listenNode(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      resolve({
        port: server.address().port,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections()
            server.close(() => done())
          }),
      })
    })
  })
}

const running = await BUILDERS[framework]()

let closing = false
async function shutdown() {
  if (closing) return
  closing = true
  const hard = setTimeout(() => process.exit(1), 2000)
  hard.unref()
  await running.close()
  clearTimeout(hard)
  process.exit(0)
}
process.on('SIGTERM', shutdown)
process.on('SIGINT', shutdown)

console.log(`ready ${JSON.stringify({ port: running.port, pid: process.pid, framework, scenario: values.scenario, gateway: on ? 'on' : 'off', node: process.version })}`)
