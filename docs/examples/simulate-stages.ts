/**
 * Deployments, stages, canary and live updates, run without a server through `simulate`.
 * A seeded random source makes the canary split repeatable.
 */
import { createApi, createGateway, type ApiDefinition } from '@sluice/core'
import { simulate } from '@sluice/core/testing'

const version = (n: number): ApiDefinition => ({
  paths: {
    '/version': {
      GET: {
        integration: {
          type: 'MOCK',
          requestTemplates: { 'application/json': '{"statusCode": 200}' },
          responses: [{ statusCode: '200', responseTemplates: { 'application/json': `{"version":${n},"color":"$stageVariables.color","canary":"$context.isCanaryRequest"}` } }],
        },
      },
    },
  },
})

const api = createApi(version(1))
api.deploy({ stageName: 'prod', variables: { color: 'blue' } }) // deployment 1 serves prod

// Ship version 2 as a 10% canary with its own variable values.
api.import(version(2)) // validated now; prod still serves deployment 1
const next = api.deploy({ description: 'v2' })
api.updateStage('prod', { canary: { deploymentId: next.id, percentTraffic: 10, stageVariableOverrides: { color: 'green' } } })

let seed = 7
const random = (): number => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646
const step = createGateway().mount(api, { stage: 'prod', random })

const bodies: string[] = []
for (let i = 0; i < 20; i++) bodies.push(String((await simulate(step, { url: '/version' })).response.body))
console.log(bodies.filter((b) => b.includes('"canary":"true"')).length, 'of 20 went to the canary')

// Promote: the canary's deployment and variables become the stage's, atomically.
api.promoteCanary('prod')
console.log((await simulate(step, { url: '/version' })).response.body) // {"version":2,"color":"green","canary":"false"}

// An invalid definition never replaces the running one.
try {
  api.import({ paths: { '/version': { GET: { integration: { type: 'HTTP_PROXY', uri: 'not a url' } } } } })
} catch (e) {
  console.log((e as Error).message) // /paths/~1version/GET/integration/uri: an HTTP_PROXY integration needs an http(s) URL (ERR_INVALID_API_DEFINITION)
}
