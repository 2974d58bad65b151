/**
 * `sluice serve`: load the API, its handlers, config and keys; serve until SIGINT / SIGTERM.
 */
import { parsePort, loadConfig, type SluiceConfig } from './config.js'
import { rewrites, str, type Values } from './args.js'
import { loadHandlers } from './handlers.js'
import { describeError, EXIT, type CliIo } from './io.js'
import { loadKeysCsv } from './keys.js'
import { loadApi } from './load-api.js'
import { createServer } from './server.js'

/** Runs `sluice serve`; resolves with the exit code once the server has closed. */
export async function serveCommand(file: string, values: Values, io: CliIo): Promise<number> {
  const cwd = io.cwd
  const configPath = str(values, 'config')
  const config: SluiceConfig = configPath === undefined ? {} : await loadConfig(configPath, cwd)
  const port = parsePort(str(values, 'port') ?? config.port ?? 3000, '--port')
  const host = str(values, 'host') ?? config.host ?? '127.0.0.1'
  const rewriteUri = rewrites(values, config.rewriteUri)
  const loaded = await loadApi(file, cwd, rewriteUri === undefined ? {} : { rewriteUri })
  const handlersPath = str(values, 'handlers')
  const integrations = handlersPath === undefined ? undefined : await loadHandlers(handlersPath, cwd)
  const keysPath = str(values, 'keys')
  const apiKeys = keysPath === undefined ? [] : await loadKeysCsv(keysPath, cwd)

  for (const w of loaded.warnings) io.err(`warning: ${w.pointer || '/'}: ${w.message}\n`)

  const server = createServer({
    definition: loaded.definition,
    ...(integrations !== undefined ? { integrations } : {}),
    config,
    apiKeys,
    ...(str(values, 'stage') !== undefined ? { stage: str(values, 'stage') as string } : {}),
    ...(str(values, 'base-path') !== undefined ? { basePath: str(values, 'base-path') as string } : {}),
    ...(str(values, 'redis') !== undefined ? { redis: str(values, 'redis') as string } : {}),
    sources: { api: file, ...(configPath !== undefined ? { config: configPath } : {}) },
  })

  if (io.stop?.aborted) {
    await server.close()
    return EXIT.OK
  }
  let address
  try {
    address = await server.listen(port, host)
  } catch (e) {
    await server.close() // a connected Redis client would keep the process alive
    throw e
  }
  const base = `${address.url}${server.basePath}`
  const keyCount = server.gateway.apiKeys.list().length
  io.out(
    `sluice: serving ${loaded.format === 'openapi' ? 'OpenAPI' : 'API definition'} ${file} on ${base} (stage "${server.stage}", state: ${server.state}, ${keyCount} API key${keyCount === 1 ? '' : 's'})\n` +
      server.routes.map((r) => `  ${r.method.padEnd(7)} ${address.url}${r.path}  ${r.integration}${r.apiKeyRequired ? ' (API key)' : ''}\n`).join('') +
      `listening on ${address.url}\n`,
  )
  io.onListening?.({ url: address.url, port: address.port, host: address.host })

  // SIGHUP (io.reload): re-read the API file and switch to it; one reload at a time
  let reloading: Promise<void> = Promise.resolve()
  const onReload = (): void => {
    reloading = reloading.then(async () => {
      let result: { ok: boolean; message: string }
      try {
        const next = await loadApi(file, cwd, rewriteUri === undefined ? {} : { rewriteUri })
        for (const w of next.warnings) io.err(`warning: ${w.pointer || '/'}: ${w.message}\n`)
        const id = server.reload(next.definition)
        result = { ok: true, message: `sluice: reloaded ${file} (deployment ${id}, ${server.routes.length} route${server.routes.length === 1 ? '' : 's'})` }
        io.out(`${result.message}\n`)
      } catch (e) {
        result = { ok: false, message: `sluice: reload failed, still serving the previous definition: ${describeError(e).message}` }
        io.err(`${result.message}\n`)
      }
      io.onReload?.(result)
    })
  }
  io.reload?.addEventListener('reload', onReload)

  await new Promise<void>((resolve) => {
    if (io.stop === undefined) return
    if (io.stop.aborted) resolve()
    else io.stop.addEventListener('abort', () => resolve(), { once: true })
  })
  io.reload?.removeEventListener('reload', onReload)
  await reloading
  io.out('sluice: stopping (finishing in-flight requests)\n')
  await server.close()
  io.out('sluice: stopped\n')
  return EXIT.OK
}
