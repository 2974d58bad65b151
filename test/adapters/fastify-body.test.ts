/**
 * Fastify parses the body from the same stream sluice reads: features that read the body run in
 * `preParsing` and hand Fastify a replay, so the route still gets its parsed body.
 */
import { gateway } from '@sluice/fastify'
import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'

const schema = { type: 'object', required: ['name'] }

describe('fastify: body-reading features', () => {
  it('validates, then the route gets the body Fastify parsed from the same bytes', async () => {
    const gw = gateway()
    const app = Fastify()
    await app.register(gw.validate({ body: { 'application/json': schema } }))
    app.post('/pets', async (req) => ({ got: req.body }))
    const ok = await app.inject({ method: 'POST', url: '/pets', headers: { 'content-type': 'application/json' }, payload: '{"name":"rex","n":[1,2]}' })
    expect(ok.statusCode).toBe(200)
    expect(ok.json()).toEqual({ got: { name: 'rex', n: [1, 2] } })
    const bad = await app.inject({ method: 'POST', url: '/pets', headers: { 'content-type': 'application/json' }, payload: '{}' })
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toBe('{"message":"Invalid request body"}')
    // a body the feature does not read (no model for text/plain) reaches Fastify untouched
    const text = await app.inject({ method: 'POST', url: '/pets', headers: { 'content-type': 'text/plain' }, payload: 'plain words' })
    expect(text.json()).toEqual({ got: 'plain words' })
    await app.close()
  })

  it('runs at route level as { preParsing }, and refuses to run as an onRequest hook when a body is present', async () => {
    const errors: unknown[] = []
    const gw = gateway({ onError: (e) => errors.push(e) })
    const plugin = gw.validate({ body: schema })
    expect(plugin.preParsing).toBeTypeOf('function')
    expect(gw.apiKey().preParsing).toBeUndefined()
    const app = Fastify()
    app.post('/right', { preParsing: plugin.preParsing as never }, async (req) => ({ got: req.body }))
    app.post('/wrong', { onRequest: plugin.hook as never }, async (req) => ({ got: req.body }))
    const right = await app.inject({ method: 'POST', url: '/right', headers: { 'content-type': 'application/json' }, payload: '{"name":"a"}' })
    expect(right.json()).toEqual({ got: { name: 'a' } })
    const wrong = await app.inject({ method: 'POST', url: '/wrong', headers: { 'content-type': 'application/json' }, payload: '{"name":"a"}' })
    expect(wrong.statusCode).toBe(500)
    expect(wrong.body).toBe('{"message":"Internal server error"}')
    expect(String(errors[0])).toContain('preParsing')
    await app.close()
  })

  it('also runs as a preHandler hook, on the body Fastify parsed', async () => {
    const gw = gateway()
    const plugin = gw.validate({ body: schema })
    const app = Fastify()
    app.post('/after', { preHandler: plugin.hook as never }, async (req) => ({ got: req.body }))
    const ok = await app.inject({ method: 'POST', url: '/after', headers: { 'content-type': 'application/json' }, payload: '{"name":"a"}' })
    expect(ok.json()).toEqual({ got: { name: 'a' } })
    const bad = await app.inject({ method: 'POST', url: '/after', headers: { 'content-type': 'application/json' }, payload: '{"x":1}' })
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toBe('{"message":"Invalid request body"}')
    await app.close()
  })
})
