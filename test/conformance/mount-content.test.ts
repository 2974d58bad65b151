/**
 * contentHandling and binaryMediaTypes of non-proxy integrations on every adapter: base64 text
 * from a handler goes out as bytes, a binary request reaches the template as base64 text.
 */
import type { ApiDefinition } from '@sluice/core'
import { describe, expect } from 'vitest'
import type { AppSpec } from '../support/apps.js'
import { scenario } from '../support/scenario.js'

const DATA = 'PNGDATA'
const DATA64 = Buffer.from(DATA).toString('base64')

const api = (): ApiDefinition => ({
  binaryMediaTypes: ['image/png', 'application/octet-stream'],
  paths: {
    '/image': { GET: { integration: { type: 'AWS', handler: 'image', responses: [{ statusCode: '200', responseParameters: { 'method.response.header.Content-Type': "'image/png'" }, responseTemplates: { 'application/json': "$input.path('$')" } }] } } },
    '/converted': { GET: { integration: { type: 'AWS', handler: 'image', responses: [{ statusCode: '200', contentHandling: 'CONVERT_TO_BINARY', responseTemplates: { 'application/json': "$input.path('$')" } }] } } },
    '/upload': {
      POST: {
        integration: {
          type: 'AWS',
          handler: 'upload',
          contentHandling: 'CONVERT_TO_TEXT',
          requestTemplates: { 'application/octet-stream': '{"b64":"$input.body"}' },
          responses: [{ statusCode: '200' }],
        },
      },
    },
  },
})

const spec = (): AppSpec => ({
  options: {},
  features: (gw) => [gw.mount(api(), { integrations: { image: async () => DATA64, upload: async (e: { b64: string }) => ({ got: Buffer.from(e.b64, 'base64').toString('utf8'), b64: e.b64 }) } })],
  routes: [],
})

describe('binary payloads of a mounted API on every adapter', () => {
  scenario('base64 from a handler goes out as bytes (binary Accept, or CONVERT_TO_BINARY); a binary upload reaches the template as base64', spec(), async ({ send }) => {
    const bytes = await send({ path: '/image', headers: { accept: 'image/png' } })
    expect(bytes.status).toBe(200)
    expect(bytes.body).toBe(DATA)
    expect(bytes.headers['content-type']).toBe('image/png')
    expect(bytes.headers['content-length']).toBe(String(DATA.length))
    const text = await send({ path: '/image', headers: { accept: 'application/json' } })
    expect(text.body).toBe(DATA64)
    expect((await send({ path: '/converted', headers: { accept: 'application/json' } })).body).toBe(DATA)
    const up = await send({ method: 'POST', path: '/upload', headers: { 'content-type': 'application/octet-stream' }, body: DATA })
    expect(up.status).toBe(200)
    expect(JSON.parse(up.body)).toEqual({ got: DATA, b64: DATA64 })
  })
})
