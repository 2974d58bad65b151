import { afterEach, describe, expect, it, vi } from 'vitest'
import type { RedisLike } from './client.js'
import { Guard, RedisUnavailable } from './guard.js'

/** A client double: a status, a ping that answers when `up`, and nothing else. */
function fakeClient(): { client: RedisLike; state: { status: string; up: boolean; pings: number; connects: number } } {
  const state = { status: 'ready', up: true, pings: 0, connects: 0 }
  const client = {
    get status() {
      return state.status
    },
    ping: () => {
      state.pings++
      return state.up ? Promise.resolve('PONG') : new Promise(() => undefined)
    },
    connect: () => {
      state.connects++
      return Promise.resolve()
    },
  }
  return { client: client as unknown as RedisLike, state }
}

const never = <T>(): Promise<T> => new Promise<T>(() => undefined)

describe('Guard', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('answers within the timeout when Redis does not, and opens the breaker after N failures', async () => {
    vi.useFakeTimers()
    const { client } = fakeClient()
    const errors: string[] = []
    const guard = new Guard(client, { timeoutMs: 100, failures: 3, probeIntervalMs: 250, onError: (_e, op) => errors.push(op) })
    const calls = [0, 1, 2].map(() => guard.call('op', never))
    const settled = calls.map((p) => p.catch((e: unknown) => e))
    await vi.advanceTimersByTimeAsync(99)
    expect(guard.breakerOpen).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    for (const e of await Promise.all(settled)) expect(e).toBeInstanceOf(RedisUnavailable)
    expect(errors).toEqual(['op', 'op', 'op'])
    expect(guard.breakerOpen).toBe(true)
    expect(guard.available).toBe(false)
    // while open, nothing is sent
    const send = vi.fn(() => Promise.resolve(1))
    await expect(guard.call('op', send)).rejects.toThrow(/breaker open/)
    expect(send).not.toHaveBeenCalled()
    guard.stop()
  })

  it('times out commands sent at different moments each at its own deadline (one timer)', async () => {
    vi.useFakeTimers()
    const { client } = fakeClient()
    const guard = new Guard(client, { timeoutMs: 100, failures: 100, probeIntervalMs: 250, onError: undefined })
    const done: number[] = []
    const a = guard.call('a', never).catch(() => done.push(1))
    await vi.advanceTimersByTimeAsync(40)
    const b = guard.call('b', never).catch(() => done.push(2))
    const c = guard.call('c', () => Promise.resolve('ok'))
    expect(await c).toBe('ok')
    await vi.advanceTimersByTimeAsync(60)
    expect(done).toEqual([1])
    await vi.advanceTimersByTimeAsync(39)
    expect(done).toEqual([1])
    await vi.advanceTimersByTimeAsync(1)
    expect(done).toEqual([1, 2])
    await Promise.all([a, b])
    guard.stop()
  })

  it('probes a tripped breaker and closes it when Redis answers again', async () => {
    vi.useFakeTimers()
    const { client, state } = fakeClient()
    const guard = new Guard(client, { timeoutMs: 100, failures: 1, probeIntervalMs: 250, onError: undefined })
    state.up = false
    await guard.call('op', () => Promise.reject(new Error('boom'))).catch(() => undefined)
    expect(guard.breakerOpen).toBe(true)
    await vi.advanceTimersByTimeAsync(250)
    expect(state.pings).toBe(1)
    await vi.advanceTimersByTimeAsync(100) // the probe times out
    expect(guard.breakerOpen).toBe(true)
    state.up = true
    await vi.advanceTimersByTimeAsync(250)
    expect(state.pings).toBe(2)
    expect(guard.breakerOpen).toBe(false)
    expect(await guard.call('op', () => Promise.resolve(7))).toBe(7)
    guard.stop()
  })

  it('sends nothing while the client is not ready, and connects a lazy client once', async () => {
    const { client, state } = fakeClient()
    const guard = new Guard(client, { timeoutMs: 100, failures: 3, probeIntervalMs: 250, onError: undefined })
    state.status = 'reconnecting'
    const send = vi.fn(() => Promise.resolve(1))
    await expect(guard.call('op', send)).rejects.toThrow(/reconnecting/)
    expect(send).not.toHaveBeenCalled()
    state.status = 'wait'
    expect(guard.available).toBe(false)
    expect(guard.available).toBe(false)
    expect(state.connects).toBe(1)
    state.status = 'ready'
    expect(guard.available).toBe(true)
    guard.stop()
    expect(guard.available).toBe(false)
  })

  it('a send that throws synchronously is a failure, not an exception', async () => {
    const { client } = fakeClient()
    const guard = new Guard(client, { timeoutMs: 100, failures: 3, probeIntervalMs: 250, onError: undefined })
    await expect(
      guard.call('op', () => {
        throw new Error('sync')
      }),
    ).rejects.toThrow('sync')
    expect(guard.stats.failures).toBe(1)
    guard.stop()
  })
})
