/**
 * API keys on Express 5.
 *
 * Build the packages (`pnpm build`), compile or run this file with your TypeScript runner, then:
 *
 *   curl -i http://127.0.0.1:3000/pets                       # 403 {"message":"Forbidden"}
 *   curl -i -H "x-api-key: $KEY" http://127.0.0.1:3000/pets  # 200, with x-amzn-requestid
 *   curl -i http://127.0.0.1:3000/health                     # 200: mounted before the key check
 *
 * `KEY` is printed at start-up (or set it with the API_KEY environment variable).
 */
import { generateApiKeyValue } from '@sluice/core'
import { gateway } from '@sluice/express'
import express from 'express'

const key = process.env.API_KEY ?? generateApiKeyValue()
const port = Number(process.env.PORT ?? 3000)

const gw = gateway({
  apiKeys: [{ id: 'demo', name: 'Demo key', value: key }],
  stage: { name: 'dev' },
})

/** The exchange sluice attached to this request (after a sluice middleware ran on it). */
const exchangeOf = (req: object) =>
  gw.core.exchangeFor(req, () => {
    throw new Error('no sluice middleware ran on this request')
  })

const app = express()

// Routes registered before the middleware stay open.
app.get('/health', (_req, res) => {
  res.json({ ok: true })
})

// Everything below needs a known, enabled key in x-api-key.
app.use(gw.apiKey())

app.get('/pets', (_req, res) => {
  res.json([{ id: 1, type: 'dog' }])
})

app.get('/whoami', (req, res) => {
  const { identity, requestId, stage } = exchangeOf(req).context
  res.json({ apiKeyId: identity.apiKeyId, sourceIp: identity.sourceIp, requestId, stage })
})

const server = app.listen(port, '127.0.0.1', () => {
  const address = server.address()
  const actual = typeof address === 'object' && address !== null ? address.port : port
  console.log(`listening on http://127.0.0.1:${actual}`)
  console.log(`curl -i -H 'x-api-key: ${key}' http://127.0.0.1:${actual}/pets`)
})
