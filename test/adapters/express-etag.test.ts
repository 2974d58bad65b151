/**
 * Express computes an ETag (and a Content-Length) in `res.send()` from the handler's body. When an
 * after-handler phase rewrites that body, neither may survive: they describe bytes the client
 * never gets.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { proceed, type Step } from '@sluice/core'
import { gateway } from '@sluice/express'
import express from 'express'
import { describe, expect, it } from 'vitest'
import { send } from '../support/client.js'

const rewrite: Step = { feature: 'rewrite', run: () => proceed(undefined, (r) => ({ ...r, body: `${Buffer.from(r.body).toString('utf8')} (rewritten)` })) }
const keep: Step = { feature: 'keep', run: () => proceed(undefined, (r) => r) }

describe('express: the after-handler phase and Express\'s own ETag', () => {
  it('drops the ETag Express computed when the phase rewrites the body; keeps it otherwise', async () => {
    const gw = gateway()
    const app = express() // etag on (Express's default)
    app.get('/rewritten', gw.use(rewrite), (_req, res) => void res.send('original body'))
    app.get('/kept', gw.use(keep), (_req, res) => void res.send('original body'))
    app.get('/plain', (_req, res) => void res.send('original body'))
    const server = createServer(app)
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    try {
      const plain = await send(base, { path: '/plain' })
      expect(plain.headers['etag']).toMatch(/^W\/"/)
      const rewritten = await send(base, { path: '/rewritten' })
      expect(rewritten.body).toBe('original body (rewritten)')
      expect(rewritten.headers['etag']).toBeUndefined()
      expect(rewritten.headers['content-length']).toBe(String('original body (rewritten)'.length))
      const kept = await send(base, { path: '/kept' })
      expect(kept.body).toBe('original body')
      expect(kept.headers['etag']).toBe(plain.headers['etag'])
    } finally {
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
    }
  })
})
