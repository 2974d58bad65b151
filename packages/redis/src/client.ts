/**
 * The Redis client sluice works with (ioredis `Redis` or `Cluster`), scripts called by SHA with a
 * fallback on `NOSCRIPT`, key scanning on one server or every Cluster master, and the client
 * options we recommend.
 */
import { createHash } from 'node:crypto'
import type { Cluster, Redis, RedisOptions } from 'ioredis'

/** An ioredis client: a `Redis` (standalone or Sentinel) or a `Cluster`. */
export type RedisLike = Redis | Cluster

/**
 * Client options that keep a request from ever waiting on a Redis that is not there: no offline
 * queue, no command resent after a reconnect (its request was already answered by the failure
 * policy), no per-request retries, quick reconnects. `redisStore(url)` creates its client with them.
 */
export const RECOMMENDED_CLIENT_OPTIONS = Object.freeze({
  enableOfflineQueue: false,
  autoResendUnfulfilledCommands: false,
  maxRetriesPerRequest: 0,
  connectTimeout: 2_000,
  retryStrategy: (times: number): number => Math.min(50 * times, 500),
} satisfies RedisOptions)

/** A Lua script called by its SHA1, sent in full only when the server answers `NOSCRIPT`. */
export class Script {
  readonly source: string
  readonly sha: string

  constructor(source: string) {
    this.source = source
    this.sha = createHash('sha1').update(source).digest('hex')
  }

  run(client: RedisLike, keys: readonly string[], args: ReadonlyArray<string | number | Buffer>): Promise<unknown> {
    return client.evalsha(this.sha, keys.length, ...keys, ...args).catch((error: unknown) => {
      if (error instanceof Error && error.message.startsWith('NOSCRIPT')) return client.eval(this.source, keys.length, ...keys, ...args)
      throw error
    })
  }
}

/** Escapes a text for a `SCAN MATCH` glob. */
export function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`)
}

/** Every key matching a glob, on one server or every Cluster master. */
export async function scanKeys(client: RedisLike, pattern: string): Promise<string[]> {
  const nodes: Redis[] = client.isCluster ? (client as Cluster).nodes('master') : [client as Redis]
  const out: string[] = []
  for (const node of nodes) {
    let cursor = '0'
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000)
      cursor = next
      out.push(...keys)
    } while (cursor !== '0')
  }
  return out
}
