/**
 * Express with its JSON parser mounted before validate(): sluice validates what express.json()
 * parsed; a Content-Type the parser does not take (a look-alike) is read from the stream by sluice
 * and still validated.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gateway } from '@sluice/express'
import express from 'express'
import { describe, expect, it } from 'vitest'
import { send } from '../support/client.js'

describe('express: validate() after express.json()', () => {
  it('validates the parsed body, and refuses look-alike content types the parser skipped', async () => {
    const gw = gateway()
    const app = express()
    app.post('/pets', express.json(), gw.validate({ body: { 'application/json': { type: 'object', required: ['name'] } } }), (req, res) => {
      res.json({ got: req.body as unknown })
    })
    const server = createServer(app)
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    try {
      const ok = await send(base, { method: 'POST', path: '/pets', headers: { 'content-type': 'application/json' }, body: '{"name":"rex"}' })
      expect(ok.body).toBe('{"got":{"name":"rex"}}')
      const bad = await send(base, { method: 'POST', path: '/pets', headers: { 'content-type': 'application/json' }, body: '{"nom":"rex"}' })
      expect(bad.status).toBe(400)
      expect(bad.body).toBe('{"message":"Invalid request body"}')
      for (const ct of ['application/json\tx', 'application/json x']) {
        const r = await send(base, { method: 'POST', path: '/pets', headers: { 'content-type': ct }, body: '{"nom":"rex"}' })
        expect(r.status, JSON.stringify(ct)).toBe(400)
        expect(r.body).toBe('{"message":"Invalid request body"}')
      }
    } finally {
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
    }
  })
})
