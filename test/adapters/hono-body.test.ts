/**
 * Hono on `@hono/node-server`: a feature that reads the body reads the Node stream
 * (`c.env.incoming`), bounded as it arrives, and leaves the bytes in Hono's body cache, so the
 * route's `c.req.json()` / `text()` still get them. A body something else already started reading
 * is read through Hono's own readers.
 */
import { serve, type ServerType } from '@hono/node-server'
import { gateway } from '@sluice/hono'
import { CAPTURE_LIMIT } from '@sluice/core'
import { Hono } from 'hono'
import type { AddressInfo } from 'node:net'
import { request } from 'node:http'
import { afterAll, describe, expect, it } from 'vitest'

const schema = { type: 'object', required: ['name'] }
const servers: ServerType[] = []
afterAll(async () => {
  for (const s of servers) await new Promise((r) => s.close(r))
})

async function listen(app: Hono): Promise<string> {
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
  })
  servers.push(server)
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

describe('hono: body-reading features on @hono/node-server', () => {
  it('validates from the Node stream; the route reads the same bytes through c.req', async () => {
    const gw = gateway()
    const app = new Hono()
    app.use(gw.validate({ body: { 'application/json': schema } }))
    app.post('/json', async (c) => c.json({ got: await c.req.json() }))
    app.post('/text', async (c) => c.json({ got: await c.req.text() }))
    const base = await listen(app)
    const post = (path: string, body: string): Promise<Response> => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    expect(await (await post('/json', '{"name":"rex","n":[1,2]}')).json()).toEqual({ got: { name: 'rex', n: [1, 2] } })
    expect(await (await post('/text', '{"name":"rex"}')).json()).toEqual({ got: '{"name":"rex"}' })
    const bad = await post('/json', '{}')
    expect(bad.status).toBe(400)
    expect(await bad.text()).toBe('{"message":"Invalid request body"}')
  })

  it('a body another middleware already read is read through Hono (its cache)', async () => {
    const gw = gateway()
    const app = new Hono()
    app.use(async (c, next) => {
      await c.req.text()
      await next()
    })
    app.use(gw.validate({ body: { 'application/json': schema } }))
    app.post('/json', async (c) => c.json({ got: await c.req.json() }))
    const base = await listen(app)
    const ok = await fetch(`${base}/json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"a"}' })
    expect(await ok.json()).toEqual({ got: { name: 'a' } })
    const bad = await fetch(`${base}/json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"x":1}' })
    expect(bad.status).toBe(400)
  })

  it('stops at 10 MiB while the body arrives: 413, the route never runs', async () => {
    const gw = gateway()
    const app = new Hono()
    let reached = false
    app.use(gw.validate({ body: { 'application/json': schema } }))
    app.post('/json', (c) => {
      reached = true
      return c.text('no')
    })
    const base = await listen(app)
    const size = CAPTURE_LIMIT + 1024 * 1024
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${base}/json`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(size) } }, (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      req.on('error', (e) => (reached ? reject(e) : resolve(-1)))
      const chunk = Buffer.alloc(64 * 1024, 0x20)
      let sent = 0
      const pump = (): void => {
        while (sent < size) {
          sent += chunk.byteLength
          if (!req.write(chunk)) return void req.once('drain', pump)
        }
        req.end()
      }
      pump()
    })
    expect(reached).toBe(false)
    // the answer is a 413 (or the connection closed once the answer was sent mid-upload)
    expect([413, -1]).toContain(status)
  })
})
