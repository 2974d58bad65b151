/**
 * contentHandling and binaryMediaTypes for non-proxy integrations, row by row against API
 * Gateway's content type conversion tables, then through a mounted API.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createGateway } from '../gateway.js'
import { simulate } from '../testing/simulate.js'
import { finishRequest, finishResponse, requestPayload, responseIsBinary, responseStart, type Payload } from './content.js'
import type { ApiDefinition, ContentHandling, IntegrationDefinition } from './definition.js'

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff])
const PNG64 = PNG.toString('base64')
const TYPES = ['image/png']
const show = (p: Payload | undefined): string => (p === undefined ? 'error' : 'text' in p ? `text:${p.text}` : `bytes:${Buffer.from(p.bytes).toString('base64')}`)

describe('request conversion (the integration\'s contentHandling)', () => {
  const convert = (body: Buffer, type: string, bmt: readonly string[], h: ContentHandling | undefined): string => show(finishRequest(requestPayload(body, type, bmt, h), h))
  it.each<[string, Buffer, string, readonly string[], ContentHandling | undefined, string]>([
    ['text, no binary types, unset → UTF-8 text', Buffer.from('{"a":1}'), 'application/json', [], undefined, 'text:{"a":1}'],
    ['text, no binary types, CONVERT_TO_BINARY → base64-decoded', Buffer.from(PNG64), 'text/plain', [], 'CONVERT_TO_BINARY', `bytes:${PNG64}`],
    ['text, no binary types, CONVERT_TO_TEXT → text', Buffer.from('hello'), 'text/plain', [], 'CONVERT_TO_TEXT', 'text:hello'],
    ['text type, binary types set, unset → text', Buffer.from('hello'), 'text/plain', TYPES, undefined, 'text:hello'],
    ['text type, binary types set, CONVERT_TO_BINARY → base64-decoded', Buffer.from(PNG64), 'text/plain', TYPES, 'CONVERT_TO_BINARY', `bytes:${PNG64}`],
    ['text type, binary types set, CONVERT_TO_TEXT → text', Buffer.from('hello'), 'text/plain', TYPES, 'CONVERT_TO_TEXT', 'text:hello'],
    ['binary type, unset → bytes', PNG, 'image/png', TYPES, undefined, `bytes:${PNG64}`],
    ['binary type, CONVERT_TO_BINARY → bytes', PNG, 'image/png', TYPES, 'CONVERT_TO_BINARY', `bytes:${PNG64}`],
    ['binary type, CONVERT_TO_TEXT → base64 text', PNG, 'image/png', TYPES, 'CONVERT_TO_TEXT', `text:${PNG64}`],
    ['CONVERT_TO_BINARY of text that is not base64 → error', Buffer.from('not base64!'), 'text/plain', [], 'CONVERT_TO_BINARY', 'error'],
  ])('%s', (_, body, type, bmt, h, out) => expect(convert(body, type, bmt, h)).toBe(out))
})

describe('response conversion (the integration response\'s contentHandling)', () => {
  const convert = (body: Buffer | string, type: string, accept: string, bmt: readonly string[], h: ContentHandling | undefined): string => {
    const binaryOut = responseIsBinary(accept, bmt, h)
    return show(finishResponse(responseStart(body, type, bmt, binaryOut), binaryOut))
  }
  it.each<[string, Buffer | string, string, string, readonly string[], ContentHandling | undefined, string]>([
    ['no binary types, unset → text', 'hello', 'text/plain', 'application/json', [], undefined, 'text:hello'],
    ['no binary types, CONVERT_TO_BINARY → base64-decoded', PNG64, 'text/plain', 'application/json', [], 'CONVERT_TO_BINARY', `bytes:${PNG64}`],
    ['no binary types, CONVERT_TO_TEXT → text', 'hello', 'text/plain', 'application/json', [], 'CONVERT_TO_TEXT', 'text:hello'],
    ['text data, text Accept, unset → text', 'hello', 'text/plain', 'application/json', TYPES, undefined, 'text:hello'],
    ['text data, text Accept, CONVERT_TO_BINARY → base64-decoded', PNG64, 'text/plain', 'application/json', TYPES, 'CONVERT_TO_BINARY', `bytes:${PNG64}`],
    ['text data, binary Accept, unset → base64-decoded', PNG64, 'text/plain', 'image/png', TYPES, undefined, `bytes:${PNG64}`],
    ['text data, binary Accept, CONVERT_TO_TEXT → text', 'hello', 'text/plain', 'image/png', TYPES, 'CONVERT_TO_TEXT', 'text:hello'],
    ['binary data, text Accept, unset → base64 text', PNG, 'image/png', 'application/json', TYPES, undefined, `text:${PNG64}`],
    ['binary data, text Accept, CONVERT_TO_BINARY → bytes', PNG, 'image/png', 'application/json', TYPES, 'CONVERT_TO_BINARY', `bytes:${PNG64}`],
    ['binary data, text Accept, CONVERT_TO_TEXT → base64 text', PNG, 'image/png', 'application/json', TYPES, 'CONVERT_TO_TEXT', `text:${PNG64}`],
    ['binary data, binary Accept, unset → bytes', PNG, 'image/png', 'image/png', TYPES, undefined, `bytes:${PNG64}`],
    ['binary data, binary Accept, CONVERT_TO_TEXT → base64 text', PNG, 'image/png', 'image/png', TYPES, 'CONVERT_TO_TEXT', `text:${PNG64}`],
    ['only the first Accept type counts', PNG, 'image/png', 'text/html, image/png', TYPES, undefined, `text:${PNG64}`],
  ])('%s', (_, body, type, accept, bmt, h, out) => expect(convert(body, type, accept, bmt, h)).toBe(out))
})

describe('contentHandling through a mounted API', () => {
  let server: ReturnType<typeof createServer>
  let backend = ''
  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        if (req.url === '/png') {
          res.setHeader('content-type', 'image/png')
          return void res.end(PNG)
        }
        res.setHeader('content-type', 'application/json')
        res.end(JSON.stringify({ type: req.headers['content-type'] ?? null, b64: Buffer.concat(chunks).toString('base64') }))
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    backend = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise<void>((r) => server.close(() => r()))
  })

  const api = (integrations: Record<string, IntegrationDefinition>): ApiDefinition => ({
    binaryMediaTypes: ['image/png', 'application/octet-stream'],
    paths: Object.fromEntries(Object.entries(integrations).map(([p, integration]) => [p, { ANY: { integration } }])),
  })
  const bytes = (b: string | Uint8Array): Buffer => Buffer.from(typeof b === 'string' ? Buffer.from(b) : b)
  const png = { method: 'POST', headers: { 'content-type': 'image/png' }, body: PNG }

  it('request: CONVERT_TO_TEXT gives the template base64 text; unset passes bytes; CONVERT_TO_BINARY decodes text', async () => {
    const seen: unknown[] = []
    const step = createGateway().mount(
      api({
        '/text': { type: 'AWS', handler: 'h', contentHandling: 'CONVERT_TO_TEXT', requestTemplates: { 'image/png': '{"b64":"$input.body"}' }, responses: [{ statusCode: '200' }] },
        '/bytes': { type: 'AWS', handler: 'h', requestTemplates: { 'image/png': '{"never":"rendered"}' }, responses: [{ statusCode: '200' }] },
        '/decode': { type: 'HTTP', uri: `${backend}/echo`, httpMethod: 'POST', contentHandling: 'CONVERT_TO_BINARY', responses: [{ statusCode: '200' }] },
      }),
      { integrations: { h: async (e: unknown) => (seen.push(e), 'ok') } },
    )
    expect((await simulate(step, { ...png, url: '/text' })).response.status).toBe(200)
    expect(seen[0]).toEqual({ b64: PNG64 })
    await simulate(step, { ...png, url: '/bytes' })
    expect(Buffer.isBuffer(seen[1]) && (seen[1] as Buffer).equals(PNG)).toBe(true)
    const decoded = await simulate(step, { method: 'POST', url: '/decode', headers: { 'content-type': 'text/plain' }, body: PNG64 })
    expect(JSON.parse(bytes(decoded.response.body).toString())).toEqual({ type: 'text/plain', b64: PNG64 })
    const bad = await simulate(step, { method: 'POST', url: '/decode', headers: { 'content-type': 'text/plain' }, body: 'not base64!' })
    expect(bad.response.status).toBe(500)
    expect(bad.trace.at(-1)).toMatchObject({ reason: 'content-handling' })
  })

  it('response: a binary backend body goes out as bytes for a binary Accept, as base64 text otherwise or with CONVERT_TO_TEXT', async () => {
    const step = createGateway().mount(
      api({
        '/png': { type: 'HTTP', uri: `${backend}/png`, httpMethod: 'GET', responses: [{ statusCode: '200', responseParameters: { 'method.response.header.Content-Type': 'integration.response.header.Content-Type' } }] },
        '/png-text': { type: 'HTTP', uri: `${backend}/png`, httpMethod: 'GET', responses: [{ statusCode: '200', contentHandling: 'CONVERT_TO_TEXT' }] },
      }),
    )
    const asBytes = await simulate(step, { url: '/png', headers: { accept: 'image/png' } })
    expect(bytes(asBytes.response.body).equals(PNG)).toBe(true)
    expect(asBytes.response.headers['content-type']).toBe('image/png')
    expect(bytes((await simulate(step, { url: '/png', headers: { accept: 'application/json' } })).response.body).toString()).toBe(PNG64)
    expect(bytes((await simulate(step, { url: '/png-text', headers: { accept: 'image/png' } })).response.body).toString()).toBe(PNG64)
  })

  it('response: text the template produced is base64-decoded with CONVERT_TO_BINARY (a Lambda returning base64)', async () => {
    const step = createGateway().mount(
      api({ '/img': { type: 'AWS', handler: 'img', responses: [{ statusCode: '200', contentHandling: 'CONVERT_TO_BINARY', responseTemplates: { 'application/json': "$input.path('$')" } }] } }),
      { integrations: { img: async () => PNG64 } },
    )
    const r = await simulate(step, { url: '/img' })
    expect(bytes(r.response.body).equals(PNG)).toBe(true)
    const noConversion = createGateway().mount(api({ '/img': { type: 'AWS', handler: 'img', responses: [{ statusCode: '200', responseTemplates: { 'application/json': "$input.path('$')" } }] } }), { integrations: { img: async () => PNG64 } })
    expect(bytes((await simulate(noConversion, { url: '/img' })).response.body).toString()).toBe(PNG64)
    expect(bytes((await simulate(noConversion, { url: '/img', headers: { accept: 'image/png' } })).response.body).equals(PNG)).toBe(true)
  })

  it('an unknown contentHandling fails the definition with its pointer', () => {
    expect(() => createGateway().mount(api({ '/a': { type: 'MOCK', contentHandling: 'CONVERT_TO_HEX' as ContentHandling } }))).toThrow(expect.objectContaining({ code: 'ERR_INVALID_API_DEFINITION', option: '/paths/~1a/ANY/integration/contentHandling' }))
    expect(() => createGateway().mount(api({ '/a': { type: 'MOCK', responses: [{ statusCode: '200', contentHandling: 'BINARY' as ContentHandling }] } }))).toThrow(expect.objectContaining({ option: '/paths/~1a/ANY/integration/responses/0/contentHandling' }))
  })
})
