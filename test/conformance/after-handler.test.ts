import type { Step } from '@sluice/core'
import { proceed } from '@sluice/core'
import { describe, expect } from 'vitest'
import { LARGE_BYTES, type AppSpec } from '../support/apps.js'
import { scenario } from '../support/scenario.js'

const text = (body: string | Uint8Array): string => (typeof body === 'string' ? body : Buffer.from(body).toString('utf8'))
const size = (body: string | Uint8Array): number => (typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength)

/** A policy step with an after-handler phase: upper-cases the body, 200 → 201, reports what it saw. */
const upper: Step = {
  feature: 'upper',
  run: () =>
    proceed(undefined, (r) => ({
      status: r.status === 200 ? 201 : r.status,
      headers: { ...r.headers, 'content-type': 'text/plain', 'x-seen-type': (r.headers['content-type'] ?? '').split(';')[0] as string, 'x-seen-length': String(size(r.body)) },
      body: text(r.body).toUpperCase(),
    })),
}

const suffix = (tag: string): Step => ({
  feature: `suffix-${tag}`,
  run: () => proceed({ [`x-${tag}`]: 'on' }, (r) => ({ ...r, body: `${text(r.body)}-${tag}` })),
})

const broken: Step = {
  feature: 'broken',
  run: () =>
    proceed(undefined, () => {
      throw new Error('template failed')
    }),
}

const BODY = '{"pets":[{"id":1,"type":"dog"}]}'
const routes: AppSpec['routes'] = [
  { method: 'GET', path: '/text', body: BODY },
  { method: 'GET', path: '/json', body: BODY, kind: 'json' },
  { method: 'GET', path: '/stream', body: BODY, kind: 'stream' },
  { method: 'GET', path: '/large', kind: 'large' },
  { method: 'GET', path: '/cookies', body: BODY, cookies: ['a=1; Path=/', 'b=2; Path=/; HttpOnly'] },
  { method: 'GET', path: '/tagged', body: BODY, headers: { etag: '"v1-of-the-body"', 'content-md5': 'c3RhbGU=', 'last-modified': 'Sun, 22 Nov 2026 06:00:00 GMT' } },
]

/** Keeps the handler's body (and every header) as it was. */
const keep: Step = { feature: 'keep', run: () => proceed(undefined, (r) => ({ ...r, headers: { ...r.headers, 'x-kept': 'yes' } })) }

/** Rewrites the body and sets its own validator. */
const retag: Step = { feature: 'retag', run: () => proceed(undefined, (r) => ({ ...r, headers: { ...r.headers, etag: '"v2"' }, body: 'new' })) }

describe('the after-handler phase (finalize) on every adapter', () => {
  for (const mount of ['app', 'route'] as const) {
    scenario(
      `a step's finalize sees the handler's response, whatever the body kind, and replaces it (mounted per ${mount})`,
      { options: {}, features: (gw) => [gw.use(upper)], mount, routes },
      async ({ send }) => {
        for (const path of ['/text', '/json', '/stream']) {
          const r = await send({ path })
          expect(r.status, path).toBe(201)
          expect(r.body, path).toBe(BODY.toUpperCase())
          expect(r.headers['content-type'], path).toBe('text/plain')
          expect(r.headers['content-length'], path).toBe(String(BODY.length))
          expect(r.headers['x-seen-type'], path).toBe('application/json')
          expect(r.headers['x-seen-length'], path).toBe(String(BODY.length))
          expect(r.headers['x-amzn-requestid'], path).toMatch(/^00000000-0000-4000-8000-/)
        }
      },
    )
  }

  scenario('a body above the capture limit streams through untouched and finalize does not run', { options: {}, features: (gw) => [gw.use(upper)], routes }, async ({ send }) => {
    const r = await send({ path: '/large' })
    expect(r.status).toBe(200)
    expect(r.body.length).toBe(LARGE_BYTES)
    expect(r.body.startsWith('aaaa')).toBe(true)
    expect(r.headers['x-seen-length']).toBeUndefined()
  })

  scenario('several set-cookie lines survive the phase', { options: {}, features: (gw) => [gw.use(upper)], routes }, async ({ send }) => {
    const r = await send({ path: '/cookies' })
    expect(r.status).toBe(201)
    expect(r.cookieLines).toBe(2)
    expect(r.headers['set-cookie']).toBe('a=1; Path=/, b=2; Path=/; HttpOnly')
  })

  scenario('finalize phases unwind in reverse order, chained or mounted apart', { options: {}, features: (gw) => [gw.use(suffix('a')), gw.chain(gw.use(suffix('b')) as never, gw.use(suffix('c')) as never)], routes }, async ({ send }) => {
    const r = await send({ path: '/text' })
    expect(r.status).toBe(200)
    expect(r.body).toBe(`${BODY}-c-b-a`)
    expect([r.headers['x-a'], r.headers['x-b'], r.headers['x-c']]).toEqual(['on', 'on', 'on'])
  })

  scenario('a finalize that rewrites the body drops the handler\'s ETag, Content-MD5 and Content-Length', { options: {}, features: (gw) => [gw.use(upper)], routes }, async ({ send }) => {
    const r = await send({ path: '/tagged' })
    expect(r.body).toBe(BODY.toUpperCase())
    expect(r.headers['etag']).toBeUndefined()
    expect(r.headers['content-md5']).toBeUndefined()
    expect(r.headers['content-length']).toBe(String(BODY.length))
    expect(r.headers['last-modified']).toBe('Sun, 22 Nov 2026 06:00:00 GMT')
  })

  scenario('a finalize that keeps the body keeps its ETag; one that sets its own keeps that', { options: {}, features: (gw) => [gw.use(keep)], routes }, async ({ send }) => {
    const r = await send({ path: '/tagged' })
    expect(r.body).toBe(BODY)
    expect(r.headers['x-kept']).toBe('yes')
    expect(r.headers['etag']).toBe('"v1-of-the-body"')
    expect(r.headers['content-md5']).toBe('c3RhbGU=')
  })

  scenario('a finalize that rewrites the body and sets its own ETag keeps that one', { options: {}, features: (gw) => [gw.use(retag)], routes }, async ({ send }) => {
    const r = await send({ path: '/tagged' })
    expect(r.body).toBe('new')
    expect(r.headers['etag']).toBe('"v2"')
    expect(r.headers['content-md5']).toBeUndefined()
    expect(r.headers['content-length']).toBe('3')
  })

  scenario('a failing finalize becomes a 500 gateway response', { options: {}, features: (gw) => [gw.use(broken)], routes }, async ({ send }) => {
    const r = await send({ path: '/text' })
    expect(r.status).toBe(500)
    expect(r.body).toBe('{"message":"Internal server error"}')
    expect(r.headers['x-amzn-errortype']).toBe('ApiConfigurationException')
  })

  scenario('an earlier finalize also sees a later denial', { options: {}, features: (gw) => [gw.use(suffix('a')), gw.apiKey()], routes }, async ({ send }) => {
    const r = await send({ path: '/text' })
    expect(r.status).toBe(403)
    expect(r.body).toBe('{"message":"Forbidden"}-a')
    expect(r.headers['content-length']).toBe(String('{"message":"Forbidden"}-a'.length))
  })
})
