// An à la carte gateway on in-memory state (Express 5), listening on loopback: API keys, throttling
// and the usage API in your own routes. Run it with `node docs/examples/demo.mjs` after `pnpm run build`.
// (`npm run demo` serves a whole API with the sluice CLI instead: see docs/features/cli.md.)
import express from 'express'
import { gateway } from '@sluice/express'

const GOLD = 'demoGoldKey0123456789abcdefghij'
const FREE = 'demoFreeKey0123456789abcdefghij'

const gw = gateway({
  apiKeys: [
    { id: 'gold', name: 'Gold customer', value: GOLD, usagePlanIds: ['gold'] },
    { id: 'free', name: 'Free tier', value: FREE, usagePlanIds: ['free'] },
  ],
  usagePlans: [
    { id: 'gold', throttle: { rateLimit: 50, burstLimit: 100 }, quota: { limit: 100_000, period: 'MONTH' } },
    { id: 'free', throttle: { rateLimit: 1, burstLimit: 3 }, quota: { limit: 20, period: 'DAY' } },
  ],
  stage: { name: 'demo' },
})

const app = express()
app.use(gw.apiKey())
app.use(gw.throttle(undefined, { rateLimitHeaders: true }))
app.get('/pets', (_req, res) => res.json([{ id: 1, type: 'dog' }, { id: 2, type: 'cat' }]))
app.get('/usage/:plan', async (req, res) => {
  const today = new Date().toISOString().slice(0, 10)
  res.json(await gw.getUsage({ usagePlanId: req.params.plan, startDate: today, endDate: today }))
})

const port = Number(process.env.PORT ?? 3000)
const server = app.listen(port, '127.0.0.1', () => {
  const url = `http://127.0.0.1:${server.address().port}`
  console.log(`sluice demo gateway on ${url} (stage "demo", in-memory state). Try:

  curl -i ${url}/pets                                   # 403 {"message":"Forbidden"}: no API key
  curl -i -H 'x-api-key: wrongwrongwrongwrongwrong' ${url}/pets   # 403: unknown key
  curl -i -H 'x-api-key: ${GOLD}' ${url}/pets    # 200, with RateLimit headers
  for i in 1 2 3 4; do curl -s -o /dev/null -w '%{http_code}\\n' -H 'x-api-key: ${FREE}' ${url}/pets; done   # 200 200 200 429
  curl -s -H 'x-api-key: ${GOLD}' ${url}/usage/free      # GetUsage for the free plan

Ctrl-C stops it.`)
})
server.on('error', (e) => {
  console.error(`cannot listen on 127.0.0.1:${port}: ${e.message} (set PORT to choose another port)`)
  process.exit(1)
})
