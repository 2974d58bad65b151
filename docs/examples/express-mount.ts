/**
 * A whole API mounted in Express 5: a typed definition with a Lambda-style handler (payload 1.0),
 * an HTTP_PROXY backend, a MOCK with mapping templates, an API key on one method, and NEXT handing
 * one route to Express itself. A host route (`/health`) lives beside it.
 *
 *   curl -i http://127.0.0.1:3000/v1/pets                 # Lambda proxy handler
 *   curl -i http://127.0.0.1:3000/v1/pets/7               # MOCK: {"id":"7"}
 *   curl -i -X DELETE http://127.0.0.1:3000/v1/pets/7     # 403: needs x-api-key
 *   curl -i http://127.0.0.1:3000/v1/nope                 # 403 Missing Authentication Token
 *   curl -i http://127.0.0.1:3000/v1/docs                 # NEXT: Express's own route
 *   curl -i http://127.0.0.1:3000/health                  # outside the base path: Express
 */
import { generateApiKeyValue, type ApiDefinition, type ProxyEventV1 } from '@sluice/core'
import { gateway } from '@sluice/express'
import express from 'express'

const key = process.env.API_KEY ?? generateApiKeyValue()

// typed with sluice's own event type here; `APIGatewayProxyHandler` from @types/aws-lambda fits too
const listPets = async (event: ProxyEventV1) => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ pets: ['rex', 'tom'], stage: event.requestContext.stage, backend: event.stageVariables?.['backend'] ?? null }),
})

const api: ApiDefinition = {
  name: 'Pets',
  paths: {
    '/pets': { GET: { integration: { type: 'AWS_PROXY', handler: 'listPets' } } },
    '/pets/{id}': {
      GET: {
        integration: {
          type: 'MOCK',
          requestTemplates: { 'application/json': '{"statusCode": 200}' },
          responses: [{ statusCode: '200', responseTemplates: { 'application/json': '{"id":"$input.params(\'id\')"}' } }],
        },
      },
      DELETE: { apiKeyRequired: true, integration: { type: 'HTTP_PROXY', uri: '${stageVariables.backend}/pets/{id}' } },
    },
    '/docs': { GET: { integration: { type: 'NEXT' } } },
  },
}

const gw = gateway({ apiKeys: [{ id: 'demo', value: key }], stage: { name: 'prod', variables: { backend: 'http://127.0.0.1:9000' } } })
const app = express()
app.use(gw.mount(api, { integrations: { listPets }, basePath: '/v1' }))
app.get('/v1/docs', (_req, res) => res.json({ docs: 'served by Express' }))
app.get('/health', (_req, res) => res.json({ ok: true }))

const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  const address = server.address()
  console.log(`listening on ${typeof address === 'object' && address ? address.port : ''}; API key ${key}`)
})
