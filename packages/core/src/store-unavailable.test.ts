import { describe, expect, it } from 'vitest'
import { isStoreUnavailableError, StoreUnavailableError } from './errors.js'
import { createGateway } from './gateway.js'
import { createRequest } from './request.js'
import type { ThrottleStore } from './throttle/store.js'
import { simulate } from './testing/simulate.js'

const KEY = 'goldkey1234abcdefghij0123456789'

/** A throttle store that cannot answer: synchronously or through a rejected promise. */
function unavailable(async: boolean): ThrottleStore {
  const fail = (): never => {
    throw new StoreUnavailableError('down', 2.5)
  }
  return {
    consume: () => (async ? Promise.reject(new StoreUnavailableError('down', 2.5)) : fail()),
    usage: fail,
    setUsed: fail,
    resetBuckets: fail,
  }
}

const request = () => createRequest({ url: 'http://localhost/pets', headers: { 'x-api-key': KEY } })

describe('a store that cannot answer', () => {
  for (const async of [false, true]) {
    it(`becomes a 503 with Retry-After through DEFAULT_5XX, never a 429 (${async ? 'rejected promise' : 'thrown'})`, async () => {
      const errors: unknown[] = []
      const gw = createGateway({ apiKeys: [{ id: 'k', value: KEY }], accountThrottle: { rateLimit: 10, burstLimit: 10 }, store: { throttle: unavailable(async) }, onError: (e) => errors.push(e) })
      const r = await simulate(gw.chain(gw.apiKey(), gw.throttle()), request())
      expect(r.response.status).toBe(503)
      expect(r.response.headers['retry-after']).toBe('3')
      expect(r.response.headers['x-amzn-requestid']).toBeDefined()
      expect(r.response.body).toBe('{"message":"Service Unavailable"}')
      expect(r.trace.at(-1)).toMatchObject({ decision: 'error', reason: 'store-unavailable' })
      // not an unexpected failure: onError is not called
      expect(errors).toEqual([])
    })
  }

  it('keeps a status and template the user gave DEFAULT_5XX', async () => {
    const gw = createGateway({
      apiKeys: [{ id: 'k', value: KEY }],
      store: { throttle: unavailable(false) },
      gatewayResponses: { DEFAULT_5XX: { statusCode: 502, responseTemplates: { 'application/json': '{"error":$context.error.messageString}' } } },
    })
    const r = await simulate(gw.chain(gw.apiKey(), gw.throttle()), request())
    expect(r.response.status).toBe(502)
    expect(r.response.body).toBe('{"error":"Service Unavailable"}')
    expect(r.response.headers['retry-after']).toBe('3')
  })

  it('is recognised across copies by its symbol, and its retry delay is whole seconds of at least 1', () => {
    expect(isStoreUnavailableError(new StoreUnavailableError())).toBe(true)
    expect(isStoreUnavailableError(new Error('x'))).toBe(false)
    expect(isStoreUnavailableError({ [Symbol.for('sluice.StoreUnavailableError')]: true })).toBe(true)
    expect(new StoreUnavailableError('x', 0).retryAfter).toBe(1)
    expect(new StoreUnavailableError('x', 1.2).retryAfter).toBe(2)
  })
})
