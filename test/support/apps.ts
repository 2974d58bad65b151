/**
 * Builds the same app on each of the four frameworks, with sluice features mounted app-wide in
 * the given order, and serves it on a loopback port. Scenarios never branch per framework: they
 * describe the app once (an AppSpec) and every adapter builds it.
 */
import { createServer, type Server } from 'node:http'
import { Readable } from 'node:stream'
import type { AddressInfo } from 'node:net'
import { getRequestListener } from '@hono/node-server'
import type { GatewayOptions } from '@sluice/core'
import { ManualClock } from '@sluice/core/testing'
import Router from '@koa/router'
import { gateway as expressGateway } from '@sluice/express'
import { gateway as fastifyGateway } from '@sluice/fastify'
import { gateway as honoGateway } from '@sluice/hono'
import { gateway as koaGateway } from '@sluice/koa'
import express from 'express'
import Fastify from 'fastify'
import { Hono, type Context, type MiddlewareHandler } from 'hono'
import Koa from 'koa'

/** The feature methods every adapter's gateway shares (their return types differ per framework). */
type Ex = ReturnType<typeof expressGateway>
export interface AnyGateway {
  readonly apiKeys: Ex['apiKeys']
  readonly core: Ex['core']
  apiKey(options?: Parameters<Ex['apiKey']>[0]): unknown
  throttle(...args: Parameters<Ex['throttle']>): unknown
  chain(...features: never[]): unknown
  use(step: Parameters<Ex['use']>[0]): unknown
  cache(...args: Parameters<Ex['cache']>): unknown
  flushCache: Ex['flushCache']
  cacheStats: Ex['cacheStats']
  getUsage: Ex['getUsage']
  validate(...args: Parameters<Ex['validate']>): unknown
  cors(...args: Parameters<Ex['cors']>): unknown
  authorize(...args: Parameters<Ex['authorize']>): unknown
  transform(options: Parameters<Ex['transform']>[0]): unknown
  mount(...args: Parameters<Ex['mount']>): unknown
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  path: string
  /** The handler answers 200 with this JSON text (default `{"ok":true}`). */
  body?: string
  /**
   * How the handler produces its body, in the framework's own way: `text` (default: the JSON text
   * with content-type application/json), `json` (the framework's JSON serialiser on JSON.parse(body)),
   * `stream` (a stream of the body in three chunks), `large` (a stream of LARGE_BYTES bytes of "a").
   */
  kind?: 'text' | 'json' | 'stream' | 'large'
  /** Cookies the handler sets (two or more `set-cookie` header lines). */
  cookies?: string[]
  /** Status the handler answers with (default 200). */
  status?: number
  /** Extra headers the handler sets. */
  headers?: Record<string, string>
  /**
   * The body echoes the request: `{"n":<calls to this route so far>,"url":"<path?query>","key":"<x-api-key>"}`
   * (and `body` is ignored). Lets scenarios count backend calls and see whose response came back.
   */
  echo?: boolean
  /** The handler waits this long before answering (ms, real time). */
  delayMs?: number
  /**
   * The body shows what the handler sees of the request: `{"seen":<the body as the framework holds
   * it, or null>,"header":<the x-mapped header, or null>}` (Hono: `c.req.text()`, parsed when JSON).
   */
  seen?: boolean
}

/** The `seen` route's body. */
function seenBody(body: unknown, header: unknown): string {
  return JSON.stringify({ seen: body ?? null, header: header ?? null })
}

/** The handler's body for a route, given its call count and the request. */
function routeBody(r: Route, calls: number, url: string, key: string | undefined): string {
  if (!r.echo) return r.body ?? '{"ok":true}'
  return JSON.stringify({ n: calls, url, key: key ?? null })
}

const delay = (ms: number | undefined): Promise<void> => (ms ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve())

/** Bytes of the `large` route kind: above the adapters' capture limit. */
export const LARGE_BYTES = 10 * 1024 * 1024 + 4096

function chunksOf(r: Route): string[] {
  const body = r.body ?? '{"ok":true}'
  const third = Math.ceil(body.length / 3)
  return [body.slice(0, third), body.slice(third, 2 * third), body.slice(2 * third)]
}

function nodeStream(r: Route): Readable {
  if (r.kind === 'large') {
    const block = Buffer.alloc(64 * 1024, 'a')
    let left = LARGE_BYTES
    return new Readable({
      read() {
        if (left <= 0) {
          this.push(null)
          return
        }
        const n = Math.min(left, block.length)
        left -= n
        this.push(block.subarray(0, n))
      },
    })
  }
  return Readable.from(chunksOf(r).map((c) => Buffer.from(c)))
}

export interface AppSpec {
  options: GatewayOptions
  /** The features, in order. */
  features: (gw: AnyGateway) => unknown[]
  /** `app` (default): mounted app-wide before the routes; `route`: on each route, so the matched route template is known. */
  mount?: 'app' | 'route'
  /** When set, the gateway runs on a manual clock starting here (epoch ms). */
  clockStart?: number
  routes: Route[]
}

export interface RunningApp {
  readonly adapter: AdapterName
  readonly url: string
  readonly gw: AnyGateway
  readonly clock: ManualClock | undefined
  close(): Promise<void>
}

export const ADAPTERS = ['express', 'koa', 'fastify', 'hono'] as const
export type AdapterName = (typeof ADAPTERS)[number]

const JSON_TYPE = 'application/json'

/** Request ids that are the same on every adapter, so responses compare byte for byte. */
function sequentialIds(): () => string {
  let n = 0
  return () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))
  })
}

function closer(server: Server): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
}

async function buildExpress(spec: AppSpec, options: GatewayOptions): Promise<RunningApp> {
  const gw = expressGateway(options)
  const app = express()
  app.set('etag', false)
  const features = spec.features(gw) as express.RequestHandler[]
  const perRoute = spec.mount === 'route' ? features : []
  if (spec.mount !== 'route') for (const mw of features) app.use(mw)
  for (const r of spec.routes) {
    let calls = 0
    app[r.method.toLowerCase() as 'get'](r.path, ...perRoute, async (req: express.Request, res: express.Response) => {
      const n = ++calls
      await delay(r.delayMs)
      res.statusCode = r.status ?? 200
      for (const [k, v] of Object.entries(r.headers ?? {})) res.setHeader(k, v)
      if (r.cookies) res.setHeader('set-cookie', r.cookies)
      if (r.seen) {
        res.setHeader('content-type', JSON_TYPE)
        return void res.end(seenBody(req.body, req.headers['x-mapped']))
      }
      if (r.echo) {
        res.setHeader('content-type', JSON_TYPE)
        return void res.end(routeBody(r, n, req.originalUrl, req.headers['x-api-key'] as string | undefined))
      }
      if (r.kind === 'json') return void res.json(JSON.parse(r.body ?? '{"ok":true}'))
      res.setHeader('content-type', JSON_TYPE)
      if (r.kind === 'stream' || r.kind === 'large') return void nodeStream(r).pipe(res)
      res.end(r.body ?? '{"ok":true}')
    })
  }
  const server = createServer(app)
  return { adapter: 'express', url: await listen(server), gw, clock: options.clock as ManualClock | undefined, close: closer(server) }
}

async function buildKoa(spec: AppSpec, options: GatewayOptions): Promise<RunningApp> {
  const gw = koaGateway(options)
  const app = new Koa()
  const features = spec.features(gw) as Koa.Middleware[]
  if (spec.mount !== 'route') for (const mw of features) app.use(mw)
  const router = new Router()
  for (const r of spec.routes) {
    let calls = 0
    const handler: Koa.Middleware = async (ctx) => {
      const n = ++calls
      await delay(r.delayMs)
      ctx.status = r.status ?? 200
      for (const [k, v] of Object.entries(r.headers ?? {})) ctx.set(k, v)
      if (r.cookies) ctx.set('set-cookie', r.cookies)
      if (r.seen) {
        ctx.set('content-type', JSON_TYPE)
        return void (ctx.body = seenBody((ctx.request as { body?: unknown }).body, ctx.get('x-mapped') || undefined))
      }
      if (r.echo) {
        ctx.set('content-type', JSON_TYPE)
        return void (ctx.body = routeBody(r, n, ctx.url, ctx.get('x-api-key') || undefined))
      }
      if (r.kind === 'json') return void (ctx.body = JSON.parse(r.body ?? '{"ok":true}'))
      ctx.set('content-type', JSON_TYPE)
      ctx.body = r.kind === 'stream' || r.kind === 'large' ? nodeStream(r) : (r.body ?? '{"ok":true}')
    }
    router.register(r.path, [r.method], [...(spec.mount === 'route' ? features : []), handler] as never)
  }
  app.use(router.routes())
  const server = createServer(app.callback())
  return { adapter: 'koa', url: await listen(server), gw, clock: options.clock as ManualClock | undefined, close: closer(server) }
}

async function buildFastify(spec: AppSpec, options: GatewayOptions): Promise<RunningApp> {
  const gw = fastifyGateway(options)
  const app = Fastify()
  // every media type reaches the route (and sluice) as text, as on the other three frameworks
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body))
  const features = spec.features(gw) as Array<ReturnType<typeof gw.apiKey>>
  if (spec.mount !== 'route') for (const plugin of features) await app.register(plugin as never)
  for (const r of spec.routes) {
    let calls = 0
    app.route({
      method: r.method,
      url: r.path,
      ...(spec.mount === 'route'
        ? {
            onRequest: features.filter((f) => f.preParsing === undefined).map((f) => f.hook) as never,
            onSend: features.map((f) => f.onSend) as never,
            preParsing: features.flatMap((f) => (f.preParsing === undefined ? [] : [f.preParsing])) as never,
            preHandler: features.flatMap((f) => (f.preHandler === undefined ? [] : [f.preHandler])) as never,
          }
        : {}),
      handler: async (req, reply) => {
        const n = ++calls
        await delay(r.delayMs)
        reply.code(r.status ?? 200)
        for (const [k, v] of Object.entries(r.headers ?? {})) reply.header(k, v)
        if (r.cookies) reply.header('set-cookie', r.cookies)
        if (r.seen) {
          reply.header('content-type', JSON_TYPE)
          return reply.send(Buffer.from(seenBody(req.body, req.headers['x-mapped'])))
        }
        if (r.echo) {
          reply.header('content-type', JSON_TYPE)
          return reply.send(Buffer.from(routeBody(r, n, req.url, req.headers['x-api-key'] as string | undefined)))
        }
        if (r.kind === 'json') return reply.send(JSON.parse(r.body ?? '{"ok":true}'))
        reply.header('content-type', JSON_TYPE)
        return reply.send(r.kind === 'stream' || r.kind === 'large' ? nodeStream(r) : Buffer.from(r.body ?? '{"ok":true}'))
      },
    })
  }
  await app.ready()
  const server = app.server
  await app.listen({ port: 0, host: '127.0.0.1' })
  return {
    adapter: 'fastify',
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    gw,
    clock: options.clock as ManualClock | undefined,
    close: async () => {
      server.closeAllConnections()
      await app.close()
    },
  }
}

async function buildHono(spec: AppSpec, options: GatewayOptions): Promise<RunningApp> {
  const gw = honoGateway(options)
  const app = new Hono()
  const features = spec.features(gw) as never[]
  if (spec.mount !== 'route') for (const mw of features) app.use(mw)
  for (const r of spec.routes) {
    let calls = 0
    const handler = async (c: Context): Promise<Response> => {
      const n = ++calls
      await delay(r.delayMs)
      const status = (r.status ?? 200) as 200
      for (const [k, v] of Object.entries(r.headers ?? {})) c.header(k, v)
      if (r.cookies) for (const cookie of r.cookies) c.header('set-cookie', cookie, { append: true })
      if (r.seen) {
        const text = await c.req.text()
        let seen: unknown = text === '' ? undefined : text
        try {
          seen = JSON.parse(text) as unknown
        } catch {
          // not JSON: the text itself
        }
        return c.body(seenBody(seen, c.req.header('x-mapped')), status, { 'content-type': JSON_TYPE })
      }
      if (r.echo) {
        const u = new URL(c.req.url)
        return c.body(routeBody(r, n, u.pathname + u.search, c.req.header('x-api-key')), status, { 'content-type': JSON_TYPE })
      }
      // Hono's own JSON type has no charset; the other three frameworks add one
      if (r.kind === 'json') return c.json(JSON.parse(r.body ?? '{"ok":true}') as object, status, { 'content-type': 'application/json; charset=utf-8' })
      if (r.kind === 'stream' || r.kind === 'large') {
        return c.body(Readable.toWeb(nodeStream(r)) as ReadableStream, status, { 'content-type': JSON_TYPE })
      }
      return c.body(r.body ?? '{"ok":true}', status, { 'content-type': JSON_TYPE })
    }
    const chain = [...(spec.mount === 'route' ? features : []), handler] as unknown as [MiddlewareHandler]
    app.on(r.method, [r.path], ...chain)
  }
  const server = createServer(getRequestListener(app.fetch))
  return { adapter: 'hono', url: await listen(server), gw, clock: options.clock as ManualClock | undefined, close: closer(server) }
}

const BUILDERS: Record<AdapterName, (spec: AppSpec, options: GatewayOptions) => Promise<RunningApp>> = {
  express: buildExpress,
  koa: buildKoa,
  fastify: buildFastify,
  hono: buildHono,
}

/** Builds and serves the app on one adapter. */
export function startApp(adapter: AdapterName, spec: AppSpec): Promise<RunningApp> {
  const clock = spec.clockStart === undefined ? undefined : new ManualClock(spec.clockStart)
  return BUILDERS[adapter](spec, { requestId: sequentialIds(), ...(clock ? { clock } : {}), ...spec.options })
}
