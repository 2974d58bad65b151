/**
 * `sluice usage`: API Gateway's GetUsage for a usage plan, read from the Redis store a
 * `sluice serve --redis` process counts in. (A server on memory state keeps its counts to itself.)
 */
import { createGateway, type Usage } from '@sluice/core'
import { redisStore } from '@sluice/redis'
import { required, str, type Values } from './args.js'
import { gatewayOptions, loadConfig } from './config.js'
import { EXIT, UsageError, type CliIo } from './io.js'
import { loadKeysCsv } from './keys.js'
import { connect, disconnect, redisClient } from './server.js'

const DATE = /^\d{4}-\d{2}-\d{2}$/

/** Today's date (UTC), `YYYY-MM-DD`. */
export function today(now = Date.now()): string {
  return new Date(now).toISOString().slice(0, 10)
}

/** Formats a usage report for the terminal. */
export function formatUsage(usage: Usage, names: ReadonlyMap<string, string>): string {
  const days: string[] = []
  for (let t = Date.parse(`${usage.startDate}T00:00:00Z`); t <= Date.parse(`${usage.endDate}T00:00:00Z`); t += 86_400_000) days.push(today(t))
  const keys = Object.keys(usage.items)
  const lines = [`usage plan ${usage.usagePlanId}, ${usage.startDate} to ${usage.endDate} (UTC): ${keys.length} API key${keys.length === 1 ? '' : 's'}`]
  for (const id of keys) {
    const name = names.get(id)
    lines.push(`  ${id}${name !== undefined && name !== id ? ` (${name})` : ''}`)
    const items = usage.items[id] ?? []
    items.forEach(([used, remaining], i) => lines.push(`    ${days[i] ?? ''}  used ${used}${remaining === null ? '' : `, remaining ${remaining}`}`))
  }
  return `${lines.join('\n')}\n`
}

/** Runs `sluice usage`. */
export async function usageCommand(values: Values, io: CliIo): Promise<number> {
  const configPath = required(values, 'config', 'usage')
  const plan = required(values, 'plan', 'usage')
  const config = await loadConfig(configPath, io.cwd)
  const url = str(values, 'redis') ?? config.redis?.url
  if (url === undefined) {
    throw new UsageError(
      'usage: no Redis given. A `sluice serve` without --redis counts usage in its own memory, which no other process can read; ' +
        'serve with --redis URL (or redis.url in the config) and give the same URL here.',
    )
  }
  const start = str(values, 'start') ?? today()
  const end = str(values, 'end') ?? start
  for (const [flag, value] of [['--start', start], ['--end', end]] as const) {
    if (!DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) throw new UsageError(`usage: ${flag} must be a date written YYYY-MM-DD, not "${value}"`)
  }
  const keysPath = str(values, 'keys')
  const csvKeys = keysPath === undefined ? [] : await loadKeysCsv(keysPath, io.cwd)
  const { url: _url, ...redisOptions } = config.redis ?? {}
  const client = redisClient(url)
  // a report must not quietly fall back to this process's empty memory: Redis failures are errors here
  let store: ReturnType<typeof redisStore>
  try {
    store = redisStore(client, { ...redisOptions, onStoreError: 'closed' })
  } catch (e) {
    client.disconnect()
    throw e instanceof Error ? new UsageError(`${configPath}: ${e.message.replace(/^redisStore\(\)\./, 'redis.')}`) : e
  }
  try {
    const gw = (() => {
      try {
        return createGateway({ ...gatewayOptions(config, { apiKeys: csvKeys }), store: { throttle: store.throttle, cache: store.cache, authorizer: store.authorizer } })
      } catch (e) {
        throw e instanceof Error ? new UsageError(`${configPath}: ${e.message}`) : e
      }
    })()
    if (gw.usagePlans.get(plan) === undefined) throw new UsageError(`usage: ${configPath} has no usage plan "${plan}" (${gw.usagePlans.list().map((p) => p.id).join(', ') || 'none'})`)
    let keyId = str(values, 'key')
    if (keyId !== undefined && gw.apiKeys.get(keyId) === undefined) {
      const byName = gw.apiKeys.list().filter((k) => k.name === keyId)
      if (byName.length !== 1) throw new UsageError(`usage: no API key has the id${byName.length === 0 ? ' or name' : ''} "${keyId}"${byName.length > 1 ? ' (several keys have this name; give the id)' : ''}`)
      keyId = byName[0]?.id
    }
    await connect(client, url)
    const usage = await gw.getUsage({ usagePlanId: plan, startDate: start, endDate: end, ...(keyId !== undefined ? { keyId } : {}) })
    if (values['json'] === true) io.out(`${JSON.stringify(usage, null, 2)}\n`)
    else io.out(formatUsage(usage, new Map(gw.apiKeys.list().map((k) => [k.id, k.name]))))
    return EXIT.OK
  } finally {
    await store.close()
    await disconnect(client)
  }
}
