/**
 * CORS never holds a response body: an event stream that has not ended yet reaches the client with
 * the CORS headers (Express, where the hook wraps writeHead, and Koa).
 */
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { PassThrough } from 'node:stream'
import { gateway as expressGateway } from '@sluice/express'
import { gateway as koaGateway } from '@sluice/koa'
import express from 'express'
import Koa from 'koa'
import { describe, expect, it } from 'vitest'

const CORS = { allowOrigins: ['https://app.example.com'] }

/** Reads the head and the first chunk of a response that has not ended, then closes the connection. */
function firstChunk(server: Server): Promise<{ headers: Record<string, unknown>; chunk: string }> {
  const { port } = server.address() as AddressInfo
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/events', headers: { origin: 'https://app.example.com' } }, (res) => {
      res.once('data', (c: Buffer) => {
        resolve({ headers: res.headers, chunk: c.toString() })
        req.destroy()
      })
    })
    req.on('error', (e) => (e.message.includes('socket hang up') ? undefined : reject(e)))
    req.setTimeout(5000, () => req.destroy(new Error('the first event never arrived: the body was held')))
    req.end()
  })
}

async function check(server: Server): Promise<void> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  try {
    const { headers, chunk } = await firstChunk(server)
    expect(chunk).toBe('data: one\n\n')
    expect(headers['access-control-allow-origin']).toBe('https://app.example.com')
    expect(headers.vary).toBe('Origin')
    expect(headers['content-type']).toBe('text/event-stream')
  } finally {
    server.closeAllConnections()
    await new Promise<void>((r) => server.close(() => r()))
  }
}

describe('cors() and a response that streams', () => {
  it('express: the first event arrives before the stream ends', async () => {
    const gw = expressGateway()
    const app = express()
    app.use(gw.cors(CORS))
    const open: express.Response[] = []
    app.get('/events', (_req, res) => {
      res.setHeader('content-type', 'text/event-stream')
      res.setHeader('access-control-allow-origin', '*')
      res.write('data: one\n\n')
      open.push(res) // never ended by the test
    })
    await check(createServer(app))
  })

  it('koa: the first event arrives before the stream ends', async () => {
    const gw = koaGateway()
    const app = new Koa()
    app.silent = true // the client hangs up mid-stream on purpose
    app.use(gw.cors(CORS))
    app.use((ctx) => {
      const stream = new PassThrough()
      ctx.set('content-type', 'text/event-stream')
      ctx.body = stream
      stream.write('data: one\n\n')
    })
    await check(createServer(app.callback()))
  })
})
