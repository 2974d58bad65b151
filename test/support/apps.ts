/**
 * Builds the same app on each of the four frameworks, with sluice features mounted app-wide in
 * the given order, and serves it on a loopback port. Scenarios never branch per framework: they
 * describe the app once (an AppSpec) and every adapter builds it.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { getRequestListener } from '@hono/node-server'
import type { GatewayOptions } from '@sluice/core'
import { gateway as expressGateway } from '@sluice/express'
import { gateway as fastifyGateway } from '@sluice/fastify'
import { gateway as honoGateway } from '@sluice/hono'
import { gateway as koaGateway } from '@sluice/koa'
import express from 'express'
import Fastify from 'fastify'
import { Hono } from 'hono'
import Koa from 'koa'

/** The feature methods every adapter's gateway shares (their return types differ per framework). */
export interface AnyGateway {
  readonly apiKeys: ReturnType<typeof expressGateway>['apiKeys']
  apiKey(options?: Parameters<ReturnType<typeof expressGateway>['apiKey']>[0]): unknown
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  path: string
  /** The handler answers 200 with this JSON text (default `{"ok":true}`). */
  body?: string
}

export interface AppSpec {
  options: GatewayOptions
  /** The features to mount app-wide, in order. */
  features: (gw: AnyGateway) => unknown[]
  routes: Route[]
}

export interface RunningApp {
  readonly adapter: AdapterName
  readonly url: string
  readonly gw: AnyGateway
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
  for (const mw of spec.features(gw)) app.use(mw as express.RequestHandler)
  for (const r of spec.routes) {
    app[r.method.toLowerCase() as 'get'](r.path, (_req, res) => {
      res.statusCode = 200
      res.setHeader('content-type', JSON_TYPE)
      res.end(r.body ?? '{"ok":true}')
    })
  }
  const server = createServer(app)
  return { adapter: 'express', url: await listen(server), gw, close: closer(server) }
}

async function buildKoa(spec: AppSpec, options: GatewayOptions): Promise<RunningApp> {
  const gw = koaGateway(options)
  const app = new Koa()
  for (const mw of spec.features(gw)) app.use(mw as Koa.Middleware)
  app.use((ctx) => {
    const r = spec.routes.find((x) => x.method === ctx.method && x.path === ctx.path)
    if (!r) return
    ctx.status = 200
    ctx.set('content-type', JSON_TYPE)
    ctx.body = r.body ?? '{"ok":true}'
  })
  const server = createServer(app.callback())
  return { adapter: 'koa', url: await listen(server), gw, close: closer(server) }
}

async function buildFastify(spec: AppSpec, options: GatewayOptions): Promise<RunningApp> {
  const gw = fastifyGateway(options)
  const app = Fastify()
  for (const plugin of spec.features(gw)) await app.register(plugin as never)
  for (const r of spec.routes) {
    app.route({
      method: r.method,
      url: r.path,
      handler: (_req, reply) => {
        reply.code(200).header('content-type', JSON_TYPE).send(Buffer.from(r.body ?? '{"ok":true}'))
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
    close: async () => {
      server.closeAllConnections()
      await app.close()
    },
  }
}

async function buildHono(spec: AppSpec, options: GatewayOptions): Promise<RunningApp> {
  const gw = honoGateway(options)
  const app = new Hono()
  for (const mw of spec.features(gw)) app.use(mw as never)
  for (const r of spec.routes) {
    app.on(r.method, r.path, (c) => c.body(r.body ?? '{"ok":true}', 200, { 'content-type': JSON_TYPE }))
  }
  const server = createServer(getRequestListener(app.fetch))
  return { adapter: 'hono', url: await listen(server), gw, close: closer(server) }
}

const BUILDERS: Record<AdapterName, (spec: AppSpec, options: GatewayOptions) => Promise<RunningApp>> = {
  express: buildExpress,
  koa: buildKoa,
  fastify: buildFastify,
  hono: buildHono,
}

/** Builds and serves the app on one adapter. */
export function startApp(adapter: AdapterName, spec: AppSpec): Promise<RunningApp> {
  return BUILDERS[adapter](spec, { requestId: sequentialIds(), ...spec.options })
}
