/**
 * The server `sluice serve` runs: Express 5 with the API mounted by `@sluice/express`'s
 * `gw.mount()`, state in memory or in Redis, and a graceful close.
 */
import { createServer as createHttpServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createApi, isSluiceConfigError, type Api, type ApiDefinition, type ApiKeyInit, type IntegrationHandler, type MountOptions } from '@sluice/core'
import { gateway, type ExpressGateway } from '@sluice/express'
import { RECOMMENDED_CLIENT_OPTIONS, redisStore, type RedisStores } from '@sluice/redis'
import express from 'express'
import { Redis } from 'ioredis'
import { gatewayOptions, type SluiceConfig } from './config.js'
import { RuntimeError, UsageError } from './io.js'

/** What {@link createServer} serves. */
export interface ServerOptions {
  /** The API definition (imported from OpenAPI, or native). */
  definition: ApiDefinition
  /** Lambda-style handlers by function name. */
  integrations?: Record<string, IntegrationHandler>
  /** The config file's contents. */
  config?: SluiceConfig
  /** Extra API keys (from `--keys`). */
  apiKeys?: readonly ApiKeyInit[]
  /** The stage name (wins over the config's). */
  stage?: string
  /** The base path (wins over the config's). */
  basePath?: string
  /** Redis URL (wins over the config's `redis.url`); without one, state is in memory. */
  redis?: string
  /** Names used in error messages. */
  sources?: { api?: string; config?: string }
}

/** A server ready to listen. */
export interface SluiceServer {
  /** The Express application. */
  readonly app: express.Express
  /** The sluice gateway (API keys, usage API, cache). */
  readonly gateway: ExpressGateway
  /** The stage served. */
  readonly stage: string
  /** The base path, or `''`. */
  readonly basePath: string
  /**
   * Re-imports a definition into the running API and switches the stage to a new deployment,
   * atomically: requests in flight finish on the old one. An invalid definition throws (naming the
   * problem) and changes nothing. Returns the new deployment's id.
   */
  reload(definition: ApiDefinition): string
  /** The routes served: `GET /pets` and their integration types. */
  readonly routes: ReadonlyArray<{ method: string; path: string; integration: string; apiKeyRequired: boolean }>
  /** Where state lives: `memory`, or the Redis URL without credentials. */
  readonly state: string
  /** Connects to Redis (when used) and listens; resolves with the address. */
  listen(port: number, host: string): Promise<{ url: string; port: number; host: string }>
  /** Stops accepting connections, lets in-flight requests finish (at most `graceMs`), closes Redis. */
  close(graceMs?: number): Promise<void>
}

/** A Redis URL with its password hidden, for printing. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.password !== '') u.password = '***'
    return u.href.replace(/\/$/, '')
  } catch {
    return 'redis (unparseable URL)'
  }
}

/** A Redis client with sluice's recommended options that connects when asked. */
export function redisClient(url: string): Redis {
  if (!/^rediss?:\/\/\S+$/.test(url)) throw new UsageError(`the Redis URL must start with redis:// or rediss://, not "${url}"`)
  const client = new Redis(url, { ...RECOMMENDED_CLIENT_OPTIONS, lazyConnect: true })
  client.on('error', () => undefined)
  return client
}

/** Connects a lazy client, failing with a {@link RuntimeError} after `timeoutMs`. */
export async function connect(client: Redis, url: string, timeoutMs = 5_000): Promise<void> {
  let lastError = ''
  const onError = (e: Error): void => {
    lastError = e.message
  }
  client.on('error', onError)
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    await Promise.race([client.connect(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('no answer')), timeoutMs)))])
  } catch (e) {
    client.disconnect()
    throw new RuntimeError(`cannot reach Redis at ${redactUrl(url)} within ${timeoutMs / 1000} s: ${lastError || (e instanceof Error ? e.message : String(e))}`)
  } finally {
    clearTimeout(timer)
    client.off('error', onError)
  }
}

/** Quits a client (or drops it when it is not connected). */
export async function disconnect(client: Redis): Promise<void> {
  try {
    if (client.status === 'ready') await client.quit()
    else client.disconnect()
  } catch {
    client.disconnect()
  }
}

function prefixed(error: unknown, source: string | undefined): unknown {
  if (source === undefined || !isSluiceConfigError(error)) return error
  // the store's options are the config's `redis` section
  return new UsageError(`${source}: ${error.message.replace(/^redisStore\(\)\./, 'redis.')}`)
}

/**
 * Builds the server: the gateway from the config (validated now: a bad option throws naming it),
 * the API mounted on Express. Call `listen` to start it.
 *
 * @example
 * const server = createServer({ definition, integrations: { listPets }, config: { apiKeys } })
 * const { url } = await server.listen(0, '127.0.0.1')
 */
export function createServer(options: ServerOptions): SluiceServer {
  const config = options.config ?? {}
  const redisUrl = options.redis ?? config.redis?.url
  const { url: _url, ...redisOptions } = config.redis ?? {}
  let client: Redis | undefined
  let store: RedisStores | undefined

  const apiSource = options.sources?.api ?? 'API'
  const configSource = options.sources?.config ?? 'config'
  let gw: ExpressGateway
  try {
    const gwOptions = gatewayOptions(config, { stage: options.stage, apiKeys: options.apiKeys ?? [] })
    if (redisUrl !== undefined) {
      // a client that connects on listen: the stores are bound to it now, so the gateway is built once
      client = redisClient(redisUrl)
      store = redisStore(client, redisOptions)
      gwOptions.store = { throttle: store.throttle, cache: store.cache, authorizer: store.authorizer }
    }
    gw = gateway(gwOptions)
  } catch (e) {
    client?.disconnect()
    throw prefixed(e, configSource)
  }

  // the API as gw.mount() would create it from a definition (same id, account and clock), kept
  // here so that a reload can import into it
  let api: Api
  try {
    const core = gw.core
    api = createApi(options.definition, { ...(options.integrations !== undefined ? { integrations: options.integrations } : {}), accountId: core.aws.accountId, now: () => core.clock.now() })
  } catch (e) {
    client?.disconnect()
    throw prefixed(e, apiSource)
  }
  try {
    api.deploy({ stageName: gw.core.stage.name, variables: { ...gw.core.stage.variables } })
  } catch (e) {
    client?.disconnect()
    throw prefixed(e, configSource)
  }

  const mountOptions: MountOptions = { stage: gw.core.stage.name }
  const basePath = options.basePath ?? config.basePath
  if (basePath !== undefined && basePath !== '' && basePath !== '/') mountOptions.basePath = basePath
  if (config.caching !== undefined) mountOptions.caching = config.caching
  if (config.unmatched !== undefined) mountOptions.unmatched = config.unmatched
  if (config.authorizers !== undefined) mountOptions.authorizers = config.authorizers
  let middleware
  try {
    middleware = gw.mount(api, mountOptions)
  } catch (e) {
    client?.disconnect()
    throw prefixed(e, configSource)
  }

  const app = express()
  app.disable('x-powered-by')
  app.use(middleware)
  // outside the base path, NEXT integrations and `unmatched: next`: no host route here
  app.use((_req, res) => {
    res.status(404).type('application/json').send('{"message":"Not Found"}')
  })
  app.use((_error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    if (!res.headersSent) res.status(500).type('application/json').send('{"message":"Internal server error"}')
    else res.end()
  })

  const stageName = gw.core.stage.name
  const served = mountOptions.basePath ?? ''
  const routesOf = (): SluiceServer['routes'] =>
    (api.stage(stageName)?.deployment.compiled.methods ?? []).map((m) => ({ method: m.method, path: `${served}${m.resource}`, integration: m.integration.type, apiKeyRequired: m.definition.apiKeyRequired === true }))
  let server: Server | undefined
  let closing = false

  return {
    app,
    gateway: gw,
    stage: stageName,
    basePath: served,
    get routes() {
      return routesOf()
    },
    reload(definition) {
      try {
        api.import(definition)
        return api.deploy({ stageName, description: 'reload' }).id
      } catch (e) {
        throw prefixed(e, apiSource)
      }
    },
    state: redisUrl === undefined ? 'memory' : redactUrl(redisUrl),
    async listen(port, host) {
      if (client !== undefined) await connect(client, redisUrl ?? '')
      const s = createHttpServer(app)
      server = s
      // while closing, a connection whose response has just finished is idle: close it then, rather
      // than when its keep-alive times out
      s.on('request', (_req: unknown, res: { once(event: 'finish', listener: () => void): unknown }) => {
        res.once('finish', () => {
          if (closing) setImmediate(() => s.closeIdleConnections())
        })
      })
      await new Promise<void>((resolve, reject) => {
        const onError = (e: NodeJS.ErrnoException): void => {
          reject(new RuntimeError(e.code === 'EADDRINUSE' ? `cannot listen on ${host}:${port}: the port is in use (choose another with --port, or 0 for any free port)` : `cannot listen on ${host}:${port}: ${e.message}`))
        }
        s.once('error', onError)
        s.listen(port, host, () => {
          s.off('error', onError)
          resolve()
        })
      })
      const address = s.address() as AddressInfo
      const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address
      return { url: `http://${shown}:${address.port}`, port: address.port, host: address.address }
    },
    async close(graceMs = 10_000) {
      closing = true
      const s = server
      if (s !== undefined && s.listening) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => s.closeAllConnections(), graceMs)
          timer.unref()
          s.close(() => {
            clearTimeout(timer)
            resolve()
          })
          s.closeIdleConnections()
        })
      }
      if (store !== undefined) await store.close()
      if (client !== undefined) await disconnect(client)
    },
  }
}
