/**
 * The `sluice.yaml` config file of `sluice serve` and `sluice usage`: the gateway's options that are
 * plain data (API keys, usage plans, the stage, gateway responses, ...), how the API is mounted, and
 * the Redis store. Unknown keys are refused, naming the key and the ones that exist; the values are
 * then validated by the gateway itself, whose errors name the option (`usagePlans[0].throttle`).
 */
import { SluiceConfigError, type ApiKeyInit, type GatewayOptions, type GatewayResponsesOptions, type MountAuthorizer, type PolicyDocument, type StageOptions, type ThrottleSettings, type UsagePlan } from '@sluice/core'
import type { RedisStoreOptions } from '@sluice/redis'
import { isRecord, readData } from './files.js'

/** The config file, as written. Every field is optional. */
export interface SluiceConfig {
  /** The stage served: `name` (default `prod`), `variables`, `methodSettings`, `cache`. */
  stage?: StageOptions
  /** API keys (`id`, `name`, `value`, `enabled`, `description`, `usagePlanIds`). */
  apiKeys?: ApiKeyInit[]
  usagePlans?: UsagePlan[]
  /** The account-level bucket (default 10,000 rps, burst 5,000); `false` for none. */
  accountThrottle?: ThrottleSettings | false
  gatewayResponses?: GatewayResponsesOptions
  /** Proxies allowed to name the client in `X-Forwarded-For` (addresses or CIDR ranges). Default none. */
  trustProxy?: string[] | false
  /** Where the API pretends to live, for method ARNs. */
  aws?: { region?: string; accountId?: string; apiId?: string }
  /** The API's resource policy (an IAM policy document). */
  resourcePolicy?: PolicyDocument
  /** Serve the API under this base path (`/v1`). */
  basePath?: string
  /** The stage cache is on (`cacheClusterEnabled`). Default false. */
  caching?: boolean
  /** Paths that match no route: `respond` (403 / 404, default) or `next` (the server's 404). */
  unmatched?: 'respond' | 'next'
  /** Config fields merged over the definition's authorizers, by name (a JWKS, a secret, issuer ...). */
  authorizers?: Record<string, MountAuthorizer>
  /** Listening port (`--port` wins). Default 3000. */
  port?: number
  /** Listening address (`--host` wins). Default 127.0.0.1. */
  host?: string
  /** OpenAPI: HTTP integration URI prefixes and their replacements (`--rewrite-uri` adds to them). */
  rewriteUri?: Record<string, string>
  /** Keep state in Redis: `url` (`--redis` wins) and `@sluice/redis` store options (`prefix`, `onStoreError`, ...). */
  redis?: { url?: string } & Omit<RedisStoreOptions, 'onError' | 'clock'>
}

/** The top-level keys of the config file, in the order the docs list them. */
export const CONFIG_KEYS: readonly string[] = Object.freeze([
  'stage',
  'apiKeys',
  'usagePlans',
  'accountThrottle',
  'gatewayResponses',
  'trustProxy',
  'aws',
  'resourcePolicy',
  'basePath',
  'caching',
  'unmatched',
  'authorizers',
  'port',
  'host',
  'rewriteUri',
  'redis',
])
const KEYS = new Set(CONFIG_KEYS)

function fail(option: string, message: string): never {
  throw new SluiceConfigError('ERR_INVALID_OPTION', option, message)
}

/** A close known key for a typo, by edit distance (at most 2), or by case. */
function suggest(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined
  let bestDistance = 3
  for (const k of known) {
    if (k.toLowerCase() === name.toLowerCase()) return k
    const d = distance(name, k)
    if (d < bestDistance) {
      best = k
      bestDistance = d
    }
  }
  return best
}

function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1))
    prev = cur
  }
  return prev[b.length] as number
}

/**
 * Checks a parsed config file's shape: an object whose keys are all {@link CONFIG_KEYS}, with the
 * right kinds of values for the keys the CLI itself reads. Throws `ERR_INVALID_OPTION` naming the
 * key (prefixed with `name`, the file).
 */
export function validateConfig(data: unknown, name = 'config'): SluiceConfig {
  if (data === undefined || data === null) return {}
  if (!isRecord(data)) fail(name, 'must be a mapping of options (stage, apiKeys, usagePlans, ...)')
  for (const k of Object.keys(data)) {
    if (!KEYS.has(k)) {
      const hint = suggest(k, CONFIG_KEYS)
      fail(`${name}: ${k}`, `unknown key${hint ? `; did you mean ${hint}?` : ''} Known keys: ${CONFIG_KEYS.join(', ')}`)
    }
  }
  const c = data as Record<string, unknown>
  const object = (k: string): void => {
    if (c[k] !== undefined && !isRecord(c[k])) fail(`${name}: ${k}`, 'must be a mapping')
  }
  const list = (k: string): void => {
    if (c[k] !== undefined && !Array.isArray(c[k])) fail(`${name}: ${k}`, 'must be a list')
  }
  object('stage')
  list('apiKeys')
  list('usagePlans')
  object('gatewayResponses')
  object('aws')
  object('resourcePolicy')
  object('authorizers')
  object('redis')
  if (c['accountThrottle'] !== undefined && c['accountThrottle'] !== false && !isRecord(c['accountThrottle'])) fail(`${name}: accountThrottle`, 'must be { rateLimit, burstLimit } or false')
  if (c['trustProxy'] !== undefined && c['trustProxy'] !== false && !(Array.isArray(c['trustProxy']) && c['trustProxy'].every((a) => typeof a === 'string'))) {
    fail(`${name}: trustProxy`, 'must be a list of addresses or CIDR ranges, or false')
  }
  if (c['basePath'] !== undefined && typeof c['basePath'] !== 'string') fail(`${name}: basePath`, 'must be a path such as /v1')
  if (c['caching'] !== undefined && typeof c['caching'] !== 'boolean') fail(`${name}: caching`, 'must be true or false')
  if (c['unmatched'] !== undefined && c['unmatched'] !== 'respond' && c['unmatched'] !== 'next') fail(`${name}: unmatched`, 'must be respond or next')
  if (c['port'] !== undefined) parsePort(c['port'], `${name}: port`)
  if (c['host'] !== undefined && (typeof c['host'] !== 'string' || c['host'] === '')) fail(`${name}: host`, 'must be an address such as 127.0.0.1')
  const rewrite = c['rewriteUri']
  if (rewrite !== undefined && !(isRecord(rewrite) && Object.values(rewrite).every((v) => typeof v === 'string'))) fail(`${name}: rewriteUri`, 'must be a mapping of URI prefixes to replacements')
  const redis = c['redis'] as Record<string, unknown> | undefined
  if (redis !== undefined && redis['url'] !== undefined && typeof redis['url'] !== 'string') fail(`${name}: redis.url`, 'must be a redis:// or rediss:// URL')
  return data as SluiceConfig
}

/** Reads and validates a config file. */
export async function loadConfig(path: string, cwd?: string): Promise<SluiceConfig> {
  return validateConfig(await readData(path, 'config file', cwd), path)
}

/** Parses a port: an integer from 0 (any free port) to 65535. */
export function parsePort(value: unknown, option: string): number {
  const n = typeof value === 'string' && /^\d{1,5}$/.test(value) ? Number(value) : value
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 65535) fail(option, 'must be a port number from 0 to 65535 (0 picks a free port)')
  return n
}

/**
 * The gateway options a config gives (the stage name and keys merged by the caller). Values are
 * passed as written: `gateway()` validates them and names the option that is wrong.
 */
export function gatewayOptions(config: SluiceConfig, overrides: { stage?: string | undefined; apiKeys?: readonly ApiKeyInit[] }): GatewayOptions {
  const stage: StageOptions = { ...config.stage, name: overrides.stage ?? config.stage?.name ?? 'prod' }
  const options: GatewayOptions = { stage, apiKeys: [...(config.apiKeys ?? []), ...(overrides.apiKeys ?? [])] }
  if (config.usagePlans !== undefined) options.usagePlans = config.usagePlans
  if (config.accountThrottle !== undefined) options.accountThrottle = config.accountThrottle
  if (config.gatewayResponses !== undefined) options.gatewayResponses = config.gatewayResponses
  if (config.trustProxy !== undefined) options.trustProxy = config.trustProxy
  if (config.aws !== undefined) options.aws = config.aws
  if (config.resourcePolicy !== undefined) options.resourcePolicy = config.resourcePolicy
  return options
}
