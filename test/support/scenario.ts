/**
 * One scenario, every adapter: the scenario's own assertions run against each framework in turn,
 * then the transcripts (status, headers less transport headers, body of every response) must be
 * identical byte for byte across the four.
 */
import { expect, it } from 'vitest'
import { ADAPTERS, startApp, type AnyGateway, type AppSpec } from './apps.js'
import { send, type Received, type SentRequest } from './client.js'
import type { ManualClock } from '@sluice/core/testing'

export interface ScenarioContext {
  /** Sends a request to the app under test. */
  send(req: SentRequest): Promise<Received>
  /** The app's gateway (to change keys at run time). */
  readonly gw: AnyGateway
  /** The gateway's manual clock, when the spec asked for one. */
  readonly clock: ManualClock
}

export interface ScenarioOptions {
  /**
   * `unordered` for scenarios that send concurrent requests: which request the server takes first
   * is not the adapter's choice, so transcripts are compared as sets, without request ids.
   */
  compare?: 'exact' | 'unordered'
}

function normalise(log: Received[], compare: ScenarioOptions['compare']): unknown {
  if (compare !== 'unordered') return log
  return log
    .map((r) => {
      const headers = { ...r.headers }
      delete headers['x-amzn-requestid']
      return JSON.stringify({ ...r, headers })
    })
    .sort()
}

export function scenario(name: string, spec: AppSpec, run: (ctx: ScenarioContext) => Promise<void>, options: ScenarioOptions = {}): void {
  it(name, async () => {
    const transcripts = new Map<string, Received[]>()
    for (const adapter of ADAPTERS) {
      const app = await startApp(adapter, spec)
      const log: Received[] = []
      try {
        await run({
          gw: app.gw,
          get clock(): ManualClock {
            if (!app.clock) throw new Error('this scenario has no clockStart')
            return app.clock
          },
          send: async (req) => {
            const r = await send(app.url, req)
            log.push(r)
            return r
          },
        })
      } catch (e) {
        if (e instanceof Error) e.message = `[${adapter}] ${e.message}`
        throw e
      } finally {
        await app.close()
      }
      transcripts.set(adapter, log)
    }
    const reference = normalise(transcripts.get(ADAPTERS[0]) ?? [], options.compare)
    for (const adapter of ADAPTERS.slice(1)) {
      expect(normalise(transcripts.get(adapter) ?? [], options.compare), `${adapter} differs from ${ADAPTERS[0]}`).toEqual(reference)
    }
  })
}
