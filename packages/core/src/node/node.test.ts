import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import { nodeRequest, type NodeRequestLike } from './index.js'

function fakeReq(chunks: string[], headers: Record<string, string> = {}): NodeRequestLike & { reads: number } {
  const e = new EventEmitter() as EventEmitter & { reads: number }
  e.reads = 0
  const req = Object.assign(e, { method: 'POST', url: '/x', headers, socket: null })
  const on = e.on.bind(e)
  ;(req as unknown as { on: (ev: string, l: (...a: unknown[]) => void) => unknown }).on = (ev, l) => {
    if (ev === 'data') {
      e.reads++
      queueMicrotask(() => {
        for (const c of chunks) e.emit('data', Buffer.from(c))
        e.emit('end')
      })
    }
    return on(ev, l)
  }
  return req as unknown as NodeRequestLike & { reads: number }
}

describe('nodeRequest body readers', () => {
  it('gives a value a framework already parsed as json() without a round trip through text', async () => {
    const parsed = { name: 'rex', n: [1, 2] }
    const req = fakeReq([])
    const r = nodeRequest(req, { ip: '127.0.0.1', parsedBody: () => parsed })
    expect(await r.json()).toBe(parsed)
    expect(await r.text()).toBe('{"name":"rex","n":[1,2]}')
    expect(req.reads).toBe(0)
  })

  it('reads the stream once for text() and json() when nothing was parsed', async () => {
    const req = fakeReq(['{"a"', ':1}'])
    const r = nodeRequest(req, { ip: '127.0.0.1', parsedBody: () => undefined })
    expect(await r.json()).toEqual({ a: 1 })
    expect(await r.text()).toBe('{"a":1}')
    expect(await r.json()).toEqual({ a: 1 })
    expect(req.reads).toBe(1)
  })

  it('parses a string body a framework left as text', async () => {
    const r = nodeRequest(fakeReq([]), { ip: '127.0.0.1', parsedBody: () => '{"b":2}' })
    expect(await r.json()).toEqual({ b: 2 })
  })

  it('refuses a stream over maxBodyBytes with a RangeError', async () => {
    const r = nodeRequest(fakeReq(['x'.repeat(10), 'y'.repeat(10)]), { ip: '127.0.0.1', maxBodyBytes: 15 })
    await expect(r.json()).rejects.toBeInstanceOf(RangeError)
  })
})
