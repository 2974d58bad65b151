/**
 * Throttling and quotas on Express 5: a usage plan with a per-key bucket, a per-method limit and a
 * daily quota; a stage method setting shared by every caller; the IETF RateLimit headers.
 *
 * Build the packages (`pnpm build`), compile or run this file with your TypeScript runner, then:
 *
 *   curl -i -H "x-api-key: $KEY" http://127.0.0.1:3000/pets      # 200, RateLimit headers
 *   for i in 1 2 3 4; do curl -s -o /dev/null -w '%{http_code}\n' -H "x-api-key: $KEY" http://127.0.0.1:3000/pets/1; done
 *                                                                  # 200 200 200 429 (per-method burst 3)
 *   curl -i http://127.0.0.1:3000/public                           # per client address, no key needed
 *   curl -s http://127.0.0.1:3000/usage                            # GetUsage for today
 *
 * `KEY` is printed at start-up (or set it with the API_KEY environment variable).
 */
import { generateApiKeyValue } from '@sluice/core'
import { gateway } from '@sluice/express'
import express from 'express'

const key = process.env.API_KEY ?? generateApiKeyValue()
const port = Number(process.env.PORT ?? 3000)

const gw = gateway({
  apiKeys: [{ id: 'demo', name: 'Demo key', value: key, usagePlanIds: ['basic'] }],
  usagePlans: [
    {
      id: 'basic',
      name: 'Basic',
      throttle: { rateLimit: 5, burstLimit: 10 }, // per key
      quota: { limit: 1000, period: 'DAY' }, // per key, per UTC day
      apiStages: [{ stage: 'dev', throttle: { '/pets/{id}/GET': { rateLimit: 1, burstLimit: 3 } } }],
    },
  ],
  stage: {
    name: 'dev',
    // shared by every caller: one bucket per method
    methodSettings: { '*/*': { throttlingRateLimit: 50, throttlingBurstLimit: 100 } },
  },
})

const keyed = [gw.apiKey(), gw.throttle(undefined, { rateLimitHeaders: true })]
// An anonymous route: an inline plan without a quota, counted per client address.
const perClient = gw.throttle({ id: 'public', throttle: { rateLimit: 1, burstLimit: 5 } }, { identity: 'ip', rateLimitHeaders: true })

const app = express()

// Mounted on each route, so the middleware sees the route template (/pets/{id}) for per-method limits.
app.get('/pets', ...keyed, (_req, res) => {
  res.json([{ id: 1, type: 'dog' }])
})
app.get('/pets/:id', ...keyed, (req, res) => {
  res.json({ id: req.params.id, type: 'dog' })
})
app.get('/public', perClient, (_req, res) => {
  res.json({ ok: true })
})

// An admin view of today's usage (protect it in a real deployment).
app.get('/usage', async (_req, res, next) => {
  try {
    const today = new Date().toISOString().slice(0, 10)
    res.json(await gw.getUsage({ usagePlanId: 'basic', startDate: today, endDate: today }))
  } catch (e) {
    next(e)
  }
})

const server = app.listen(port, '127.0.0.1', () => {
  const address = server.address()
  const actual = typeof address === 'object' && address !== null ? address.port : port
  console.log(`listening on http://127.0.0.1:${actual}`)
  console.log(`curl -i -H 'x-api-key: ${key}' http://127.0.0.1:${actual}/pets`)
})
