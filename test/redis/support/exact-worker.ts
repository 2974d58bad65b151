/**
 * One process of the exactness test (bundled and forked by the test). On each `window` message it
 * sends `concurrency` concurrent decisions for every key at once and answers with what it recorded:
 * key index, the Redis time of the decision, admitted or not.
 */
import { composeKey, type BucketRef } from '@sluice/core'
import { redisStore } from '@sluice/redis'
import { Redis } from 'ioredis'
import { NaiveThrottleStore } from './naive-store.js'

interface Config {
  url: string
  prefix: string
  keys: number
  concurrency: number
  rateLimit: number
  burstLimit: number
  store: 'redis' | 'naive'
}

const config = JSON.parse(process.argv[2] as string) as Config
const client = new Redis(config.url, { enableOfflineQueue: true, maxRetriesPerRequest: 1 })
client.on('error', () => undefined)
// rememberDenials off: every request reaches Redis, so the whole timeline is recorded there
const stores = redisStore(client, { prefix: config.prefix, commandTimeoutMs: 20_000, rememberDenials: false, onStoreError: 'closed' })
const naive = new NaiveThrottleStore(client, config.prefix)
const spec = { rateLimit: config.rateLimit, burstLimit: config.burstLimit, perMs: Math.round(config.rateLimit * 1000), capacity: config.burstLimit * 1_000_000 }
const refs: BucketRef[] = Array.from({ length: config.keys }, (_, i) => ({ key: composeKey('p', 'exact', composeKey('k', `key${i}`)), spec, layer: 'plan' }))

async function window(): Promise<Array<[number, number, number]>> {
  const out: Array<[number, number, number]> = []
  const all: Array<Promise<void>> = []
  for (let c = 0; c < config.concurrency; c++) {
    for (let k = 0; k < config.keys; k++) {
      const query = { buckets: [refs[k] as BucketRef] }
      const p = config.store === 'naive' ? naive.consume(query) : Promise.resolve(stores.throttle.consume(query, Date.now()) as unknown as Promise<{ allowed: boolean; at: number }>)
      all.push(p.then((d) => void out.push([k, d.at, d.allowed ? 1 : 0])))
    }
  }
  await Promise.all(all)
  return out
}

client.once('ready', () => process.send?.({ type: 'ready' }))
process.on('message', (m: { type: string }) => {
  if (m.type === 'window') {
    window().then(
      (records) => process.send?.({ type: 'done', records }),
      (e: unknown) => process.send?.({ type: 'error', message: String(e) }),
    )
  } else if (m.type === 'exit') {
    void stores.close().then(() => {
      client.disconnect()
      process.exit(0)
    })
  }
})
