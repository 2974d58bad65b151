/**
 * A loopback HTTP backend for integration scenarios: it echoes what it received as JSON, and has
 * a few paths that misbehave on purpose. No `Date` header, so transcripts compare byte for byte.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Backend {
  readonly url: string
  /** A loopback URL where nothing listens (connection refused). */
  readonly refusedUrl: string
  close(): Promise<void>
}

export async function startBackend(): Promise<Backend> {
  const timers = new Set<NodeJS.Timeout>()
  const server: Server = createServer((req, res) => {
    res.sendDate = false
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const url = req.url ?? '/'
      if (url.startsWith('/slow')) {
        const t = setTimeout(() => {
          timers.delete(t)
          res.end('late')
        }, 2000)
        timers.add(t)
        return
      }
      if (url.startsWith('/reset')) {
        req.socket.destroy()
        return
      }
      const status = /^\/status\/(\d{3})/.exec(url)?.[1]
      res.statusCode = status === undefined ? 200 : Number(status)
      res.setHeader('content-type', 'application/json')
      res.setHeader('x-backend', 'yes')
      res.setHeader('connection', 'close, x-hop')
      res.setHeader('x-hop', 'must-not-pass')
      res.setHeader('keep-alive', 'timeout=5')
      res.setHeader('server', 'loopback')
      if (url.startsWith('/cookies')) res.setHeader('set-cookie', ['a=1; Path=/', 'b=2; Expires=Wed, 21 Oct 2026 07:28:00 GMT'])
      const headers: Record<string, string | string[] | undefined> = { ...req.headers }
      res.end(JSON.stringify({ method: req.method, url, headers, body: Buffer.concat(chunks).toString('utf8') }))
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const port = (server.address() as AddressInfo).port
  // a port that was free a moment ago: bind and release it
  const probe = createServer()
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()))
  const refusedPort = (probe.address() as AddressInfo).port
  await new Promise<void>((r) => probe.close(() => r()))
  return {
    url: `http://127.0.0.1:${port}`,
    refusedUrl: `http://127.0.0.1:${refusedPort}`,
    close: () =>
      new Promise((resolve) => {
        for (const t of timers) clearTimeout(t)
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
