/**
 * API keys on Fastify 5: app-wide, in one encapsulated context, and on one route.
 *
 * Build the packages (`pnpm build`), compile or run this file with your TypeScript runner, then:
 *
 *   curl -i http://127.0.0.1:3000/health                        # 200: no key needed
 *   curl -i http://127.0.0.1:3000/v1/pets                       # 403 {"message":"Forbidden"}
 *   curl -i -H "x-api-key: $KEY" http://127.0.0.1:3000/v1/pets  # 200, with x-amzn-requestid
 *   curl -i http://127.0.0.1:3000/reports                       # 403: a key check on this route only
 *
 * `KEY` is printed at start-up (or set it with the API_KEY environment variable).
 */
import { generateApiKeyValue } from '@sluice/core'
import { gateway } from '@sluice/fastify'
import Fastify from 'fastify'

const key = process.env.API_KEY ?? generateApiKeyValue()
const port = Number(process.env.PORT ?? 3000)

const gw = gateway({
  apiKeys: [{ id: 'demo', name: 'Demo key', value: key }],
  stage: { name: 'dev' },
})

const app = Fastify()

app.get('/health', async () => ({ ok: true }))

// One route: the feature's onRequest hook.
app.get('/reports', { onRequest: gw.apiKey().hook }, async () => ({ reports: [] }))

// Every route of one encapsulated context: register the plugin inside it.
await app.register(
  async (v1) => {
    await v1.register(gw.apiKey())
    v1.get('/pets', async () => [{ id: 1, type: 'dog' }])
    v1.get('/whoami', async (request) => {
      // The exchange is keyed by the Node request (`request.raw`).
      const exchange = gw.core.exchangeFor(request.raw, () => {
        throw new Error('no sluice hook ran on this request')
      })
      const { identity, requestId, stage } = exchange.context
      return { apiKeyId: identity.apiKeyId, sourceIp: identity.sourceIp, requestId, stage }
    })
  },
  { prefix: '/v1' },
)

const address = await app.listen({ port, host: '127.0.0.1' })
console.log(`listening on ${address}`)
console.log(`curl -i -H 'x-api-key: ${key}' ${address}/v1/pets`)
