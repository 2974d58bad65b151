import { request } from 'node:http'

export interface SentRequest {
  method?: string
  path: string
  /** Header values; an array sends the header once per value. */
  headers?: Record<string, string | string[]>
  body?: string
  /** Send `path` exactly as written (no URL normalisation of `..`, `%2e`, `//`). */
  raw?: boolean
}

export interface Received {
  status: number
  /** Lower-case names; transport headers removed. */
  headers: Record<string, string>
  body: string
  /** How many `set-cookie` lines came back. */
  cookieLines: number
}

/**
 * Headers that belong to the transport or to the framework itself, not to sluice or the route:
 * they are left out of cross-framework comparisons.
 */
export const TRANSPORT_HEADERS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', 'x-powered-by'])

/** Sends one request over loopback and reads the whole response. */
export function send(base: string, req: SentRequest): Promise<Received> {
  const url = new URL(req.path, base)
  return new Promise((resolve, reject) => {
    const options = { method: req.method ?? 'GET', headers: { connection: 'close', ...req.headers }, agent: false as const }
    const r = request(
      req.raw === true ? `${url.origin}/` : url,
      req.raw === true ? { ...options, path: req.path } : options,
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const headers: Record<string, string> = {}
          for (const [k, v] of Object.entries(res.headers)) {
            if (v === undefined || TRANSPORT_HEADERS.has(k)) continue
            headers[k] = Array.isArray(v) ? v.join(', ') : v
          }
          // a 204 or 304 has no body: a Content-Type on it is the server's doing (@hono/node-server
          // adds text/plain to every response without one; Koa strips it), not the gateway's
          if (res.statusCode === 204 || res.statusCode === 304) delete headers['content-type']
          const cookies = res.headers['set-cookie']
          resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8'), cookieLines: cookies === undefined ? 0 : cookies.length })
        })
        res.on('error', reject)
      },
    )
    r.on('error', reject)
    r.setTimeout(10_000, () => r.destroy(new Error(`request to ${url.href} timed out`)))
    r.end(req.body)
  })
}
