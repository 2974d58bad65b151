/**
 * CORS and validation on Express: preflights answered by the gateway, CORS headers on the route's
 * responses and on the gateway's own refusals (400, 403, 429), the backend's CORS headers replaced.
 *
 *   curl -i -X OPTIONS http://127.0.0.1:3000/pets -H 'Origin: https://app.example.com' -H 'Access-Control-Request-Method: POST'
 */
import express from 'express'
import { generateApiKeyValue } from '@sluice/core'
import { gateway } from '@sluice/express'

const key = process.env.API_KEY ?? generateApiKeyValue()
const gw = gateway({
  apiKeys: [{ id: 'web', name: 'Web app', value: key, usagePlanIds: ['web'] }],
  usagePlans: [{ id: 'web', throttle: { rateLimit: 5, burstLimit: 10 } }],
})

const app = express()
// CORS first: a preflight is answered before the key check, and later refusals carry its headers
app.use(
  gw.cors({
    allowOrigins: ['https://app.example.com', 'https://*.preview.example.com'],
    allowMethods: ['GET', 'POST'],
    allowHeaders: ['content-type', 'x-api-key'],
    exposeHeaders: ['x-amzn-requestid'],
    maxAge: 600,
    allowCredentials: true,
  }),
)
app.use(gw.chain(gw.apiKey(), gw.throttle()))
// parse the body before validate(): sluice then validates what express.json() read
app.post('/pets', express.json(), gw.validate({ body: { 'application/json': { type: 'object', required: ['name'] } } }), (req, res) => {
  res.status(201).json({ created: (req.body as { name: string }).name })
})
app.get('/pets', (_req, res) => res.json([]))

const port = Number(process.env.PORT ?? 3000)
app.listen(port, '127.0.0.1', () => {
  console.log(`curl -i http://127.0.0.1:${port}/pets -H 'Origin: https://app.example.com' -H 'x-api-key: ${key}'`)
})
