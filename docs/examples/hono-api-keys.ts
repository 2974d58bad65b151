/**
 * API keys on Hono 4, served by `@hono/node-server`.
 *
 * Build the packages (`pnpm build`), compile or run this file with your TypeScript runner, then:
 *
 *   curl -i http://127.0.0.1:3000/health                        # 200: no key needed
 *   curl -i http://127.0.0.1:3000/api/pets                      # 403 {"message":"Forbidden"}
 *   curl -i -H "x-api-key: $KEY" http://127.0.0.1:3000/api/pets # 200, with x-amzn-requestid
 *
 * `KEY` is printed at start-up (or set it with the API_KEY environment variable).
 */
import { serve } from '@hono/node-server'
import { generateApiKeyValue } from '@sluice/core'
import { gateway } from '@sluice/hono'
import { Hono } from 'hono'

const key = process.env.API_KEY ?? generateApiKeyValue()
const port = Number(process.env.PORT ?? 3000)

// On @hono/node-server the socket address is found by default; other runtimes pass `socketAddress`.
const gw = gateway({
  apiKeys: [{ id: 'demo', name: 'Demo key', value: key }],
  stage: { name: 'dev' },
})

const app = new Hono()

app.get('/health', (c) => c.json({ ok: true }))

// Every route under /api needs a key.
app.use('/api/*', gw.apiKey())

app.get('/api/pets', (c) => c.json([{ id: 1, type: 'dog' }]))

app.get('/api/whoami', (c) => {
  // The exchange is keyed by the Fetch Request (`c.req.raw`).
  const exchange = gw.core.exchangeFor(c.req.raw, () => {
    throw new Error('no sluice middleware ran on this request')
  })
  const { identity, requestId, stage } = exchange.context
  return c.json({ apiKeyId: identity.apiKeyId ?? null, sourceIp: identity.sourceIp, requestId, stage })
})

serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, (info) => {
  console.log(`listening on http://127.0.0.1:${info.port}`)
  console.log(`curl -i -H 'x-api-key: ${key}' http://127.0.0.1:${info.port}/api/pets`)
})
