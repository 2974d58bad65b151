import { SluiceConfigError } from '../errors.js'
import type { Exchange } from '../exchange.js'
import { CONTINUE, respond, type Outcome, type Step } from '../outcome.js'
import type { GatewayResponses } from '../responses.js'
import type { UsagePlans } from '../throttle/plans.js'
import type { ApiKeyRegistry } from './registry.js'

/** Options of `gw.apiKey()`. */
export interface ApiKeyOptions {
  /**
   * Where the key comes from: `HEADER` (default) reads `x-api-key`; `AUTHORIZER` reads the
   * `usageIdentifierKey` an authorizer returned for this request.
   */
  source?: 'HEADER' | 'AUTHORIZER'
}

/** @internal builds the API key step of a gateway. */
export function apiKeyStep(registry: ApiKeyRegistry, responses: GatewayResponses, options: ApiKeyOptions = {}, plans?: UsagePlans): Step {
  if (options === null || typeof options !== 'object') throw new SluiceConfigError('ERR_INVALID_OPTION', 'apiKey()', 'options must be an object')
  for (const k of Object.keys(options)) {
    if (k !== 'source') throw new SluiceConfigError('ERR_INVALID_OPTION', `apiKey().${k}`, 'unknown option; expected source')
  }
  const source = options.source ?? 'HEADER'
  if (source !== 'HEADER' && source !== 'AUTHORIZER') throw new SluiceConfigError('ERR_INVALID_OPTION', 'apiKey().source', 'must be HEADER or AUTHORIZER')
  const fromHeader = source === 'HEADER'

  return {
    feature: 'apiKey',
    finalizes: false,
    run(exchange: Exchange): Outcome {
      const presented = fromHeader ? exchange.request.headers.get('x-api-key') : exchange.usageIdentifierKey
      const m = registry.match(presented)
      if (m.status === 'ok' && plans !== undefined && plans.size > 0 && plans.planFor(m.key) === undefined) {
        exchange.record({ feature: 'apiKey', decision: 'deny', reason: 'no-plan', detail: { keyId: m.key.id, source } })
        return respond(responses.render('INVALID_API_KEY', exchange))
      }
      if (m.status === 'ok') {
        const identity = exchange.context.identity
        identity.apiKey = m.key.value
        identity.apiKeyId = m.key.id
        exchange.apiKey = m.key
        exchange.record({ feature: 'apiKey', decision: 'allow', detail: { keyId: m.key.id, source } })
        return CONTINUE
      }
      exchange.record({ feature: 'apiKey', decision: 'deny', reason: m.status, detail: { source } })
      return respond(responses.render('INVALID_API_KEY', exchange))
    },
  }
}
