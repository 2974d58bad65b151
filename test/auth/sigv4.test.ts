/**
 * SigV4 verification against AWS's own signing test vectors (test/fixtures/sigv4, Apache-2.0) and
 * against requests signed by AWS's JavaScript signer (@smithy/signature-v4).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Hash } from '@smithy/hash-node'
import { SignatureV4 } from '@smithy/signature-v4'
import { canonicalRequest, createGateway, createRequest, type IamCredentials, type PolicyDocument } from '@sluice/core'
import { ManualClock, simulate } from '@sluice/core/testing'
import { describe, expect, it } from 'vitest'

const DIR = join(import.meta.dirname, '../fixtures/sigv4')
const CASES = readdirSync(DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)
const ALLOW_ALL: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: 'arn:aws:execute-api:*:*:*' }] }

interface Context {
  credentials: { access_key_id: string; secret_access_key: string; token?: string }
  region: string
  service: string
  timestamp: string
}

/** Parses a raw HTTP request text into method, path and headers (folded lines joined with "\n"). */
function parseRaw(text: string): { method: string; path: string; headers: Record<string, string[]>; body: string } {
  const [head = '', ...rest] = text.split('\n\n')
  const lines = head.split('\n')
  const [method = '', ...pathParts] = (lines.shift() ?? '').split(' ')
  pathParts.pop() // HTTP/1.1
  const headers: Record<string, string[]> = {}
  let last: string[] | undefined
  for (const line of lines) {
    if (/^\s/.test(line) && last) {
      last[last.length - 1] += `\n${line}`
      continue
    }
    const colon = line.indexOf(':')
    const name = line.slice(0, colon).toLowerCase()
    ;(headers[name] ??= []).push(line.slice(colon + 1))
    last = headers[name]
  }
  return { method, path: pathParts.join(' '), headers, body: rest.join('\n\n') }
}

function load(name: string) {
  const read = (f: string) => readFileSync(join(DIR, name, f), 'utf8')
  const context = JSON.parse(read('context.json')) as Context
  return { context, signed: parseRaw(read('header-signed-request.txt')), canonical: read('header-canonical-request.txt') }
}

function gatewayFor(context: Context, policies: PolicyDocument[] = [ALLOW_ALL]) {
  const clock = new ManualClock(Date.parse(context.timestamp))
  const gw = createGateway({ clock, aws: { region: context.region } })
  const credentials = (id: string): IamCredentials | undefined => {
    if (id !== context.credentials.access_key_id) return undefined
    const c: IamCredentials = { secretAccessKey: context.credentials.secret_access_key, policies }
    if (context.credentials.token !== undefined) c.sessionToken = context.credentials.token
    return c
  }
  return { gw, clock, step: gw.authorize({ type: 'aws_iam', service: context.service, credentials }) }
}

const requestOf = (r: ReturnType<typeof parseRaw>, headers = r.headers) =>
  createRequest({ method: r.method, url: `http://${(r.headers['host'] ?? [''])[0]}${r.path}`, headers, body: r.body === '' ? undefined : r.body, ip: '203.0.113.9' })

describe('AWS SigV4 test vectors (header signing)', () => {
  it('has the vectors', () => {
    expect(CASES.length).toBe(29)
  })

  it.each(CASES)('%s: the canonical request is AWS\'s', (name) => {
    const { signed, canonical } = load(name)
    const auth = (signed.headers['authorization'] ?? [''])[0] as string
    const signedHeaders = (/SignedHeaders=([^,]+)/.exec(auth)?.[1] ?? '').split(';')
    const payload = canonical.split('\n').pop() as string
    const [path, query = ''] = signed.path.split(/\?(.*)/s)
    const get = (n: string) => (signed.headers[n] === undefined ? null : (signed.headers[n] as string[]).join(','))
    expect(canonicalRequest(signed.method, path as string, query, signedHeaders, get, payload)).toBe(canonical)
  })

  it.each(CASES)('%s: accepted', async (name) => {
    const { context, signed } = load(name)
    const { step } = gatewayFor(context)
    const r = await simulate(step, requestOf(signed))
    expect(r.response.status, String(r.response.body)).toBe(200)
    expect(r.context.identity).toMatchObject({ accessKey: 'AKIDEXAMPLE', caller: 'AKIDEXAMPLE', user: 'AKIDEXAMPLE', userArn: 'arn:aws:iam::123456789012:user/AKIDEXAMPLE' })
  })

  it.each(CASES)('%s: a changed signature is refused', async (name) => {
    const { context, signed } = load(name)
    const { step } = gatewayFor(context)
    const auth = (signed.headers['authorization'] ?? [''])[0] as string
    const flipped = auth.replace(/Signature=(.)/, (_, c: string) => `Signature=${c === '0' ? '1' : '0'}`)
    const r = await simulate(step, requestOf(signed, { ...signed.headers, authorization: [flipped] }))
    expect(r.response.status).toBe(403)
    expect(JSON.parse(String(r.response.body))).toEqual({
      message: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    })
    expect(r.response.headers['x-amzn-errortype']).toBe('InvalidSignatureException')
  })

  it('a changed path, query or signed header is refused', async () => {
    const { context, signed } = load('get-vanilla-query-order-key-case')
    const { step } = gatewayFor(context)
    expect((await simulate(step, requestOf({ ...signed, path: signed.path.replace('value2', 'value3') }))).response.status).toBe(403)
    expect((await simulate(step, requestOf({ ...signed, path: `/x${signed.path}` }))).response.status).toBe(403)
    expect((await simulate(step, requestOf(signed, { ...signed.headers, host: ['other.example.com'] }))).response.status).toBe(403)
  })

  it('a changed body is refused', async () => {
    const { context, signed } = load('post-x-www-form-urlencoded')
    const { step } = gatewayFor(context)
    const r = await simulate(step, requestOf({ ...signed, body: 'Param1=value2' }))
    expect(r.response.status).toBe(403)
  })
})

describe('SigV4 outcomes', () => {
  const { context, signed } = load('get-vanilla')

  it('no Authorization header: 403 Missing Authentication Token', async () => {
    const { step } = gatewayFor(context)
    const r = await simulate(step, { url: '/' })
    expect(r.response.status).toBe(403)
    expect(JSON.parse(String(r.response.body))).toEqual({ message: 'Missing Authentication Token' })
    expect(r.response.headers['x-amzn-errortype']).toBe('MissingAuthenticationTokenException')
  })

  it('outside the 5-minute window: AWS\'s expiry messages', async () => {
    const late = gatewayFor(context)
    late.clock.advance(5 * 60_000 + 1000)
    const r = await simulate(late.step, requestOf(signed))
    expect(r.response.status).toBe(403)
    expect(JSON.parse(String(r.response.body))).toEqual({ message: 'Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z (20150830T124101Z - 5 min.)' })
    const early = gatewayFor(context)
    early.clock.set(Date.parse(context.timestamp) - 5 * 60_000 - 1000)
    expect(JSON.parse(String((await simulate(early.step, requestOf(signed))).response.body))).toEqual({
      message: 'Signature not yet current: 20150830T123600Z is still later than 20150830T123559Z (20150830T123059Z + 5 min.)',
    })
    const edge = gatewayFor(context)
    edge.clock.advance(5 * 60_000)
    expect((await simulate(edge.step, requestOf(signed))).response.status).toBe(200)
  })

  it('an unknown access key, a missing session token, a wrong region or service', async () => {
    const body = async (step: Parameters<typeof simulate>[0], req = requestOf(signed)) => JSON.parse(String((await simulate(step, req)).response.body)) as unknown
    const unknown = createGateway({ clock: new ManualClock(Date.parse(context.timestamp)) }).authorize({ type: 'aws_iam', service: 'service', credentials: () => undefined })
    expect(await body(unknown)).toEqual({ message: 'The security token included in the request is invalid.' })
    const withToken = createGateway({ clock: new ManualClock(Date.parse(context.timestamp)) }).authorize({ type: 'aws_iam', service: 'service', credentials: () => ({ secretAccessKey: context.credentials.secret_access_key, sessionToken: 'tok' }) })
    expect(await body(withToken)).toEqual({ message: 'The security token included in the request is invalid.' })
    const region = createGateway({ clock: new ManualClock(Date.parse(context.timestamp)), aws: { region: 'eu-west-1' } }).authorize({ type: 'aws_iam', service: 'service', credentials: () => ({ secretAccessKey: 'x' }) })
    expect(await body(region)).toEqual({ message: 'Credential should be scoped to a valid region. ' })
    const service = createGateway({ clock: new ManualClock(Date.parse(context.timestamp)) }).authorize({ type: 'aws_iam', credentials: () => ({ secretAccessKey: 'x' }) })
    expect(await body(service)).toEqual({ message: "Credential should be scoped to correct service: 'execute-api'. " })
    const incomplete = gatewayFor(context).step
    expect(await body(incomplete, createRequest({ url: 'http://example.amazonaws.com/', headers: { host: 'example.amazonaws.com', authorization: 'Bearer abc' } }))).toEqual({
      message:
        "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    })
  })

  it('identity policies decide execute-api:Invoke: none → 403, explicit deny → 403, with AWS\'s messages', async () => {
    const arn = 'arn:aws:execute-api:us-east-1:123456789012:sluice/$default/GET/'
    const none = gatewayFor(context, [])
    const r = await simulate(none.step, requestOf(signed))
    expect(r.response.status).toBe(403)
    expect(JSON.parse(String(r.response.body))).toEqual({
      Message: `User: arn:aws:iam::123456789012:user/AKIDEXAMPLE is not authorized to perform: execute-api:Invoke on resource: ${arn} because no identity-based policy allows the execute-api:Invoke action`,
    })
    const deny = gatewayFor(context, [ALLOW_ALL, { Statement: [{ Effect: 'Deny', Action: 'execute-api:Invoke', Resource: arn }] }])
    expect(JSON.parse(String((await simulate(deny.step, requestOf(signed))).response.body))).toEqual({
      Message: `User: arn:aws:iam::123456789012:user/AKIDEXAMPLE is not authorized to perform: execute-api:Invoke on resource: ${arn} with an explicit deny`,
    })
  })
})

describe('requests signed by @smithy/signature-v4', () => {
  const T = Date.UTC(2026, 10, 18, 12, 0, 0)
  const creds = { accessKeyId: 'AKIDSMITHY', secretAccessKey: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0', sessionToken: 'session-token-1' }
  const signer = new SignatureV4({ service: 'execute-api', region: 'us-east-1', credentials: creds, sha256: Hash.bind(null, 'sha256') })
  const gw = createGateway({ clock: new ManualClock(T), stage: { name: 'prod' } })
  const step = gw.authorize({
    type: 'aws_iam',
    credentials: (id) => (id === creds.accessKeyId ? { secretAccessKey: creds.secretAccessKey, sessionToken: creds.sessionToken, userArn: 'arn:aws:iam::123456789012:user/smithy', policies: [ALLOW_ALL] } : undefined),
  })

  const signedRequest = async (method: string, path: string, query: Record<string, string | string[]>, body?: string) => {
    const req = await signer.sign(
      { method, protocol: 'http:', hostname: 'api.example.com', path, query, headers: { host: 'api.example.com', ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body } : {}) },
      { signingDate: new Date(T) },
    )
    const qs = Object.entries(query)
      .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${encodeURIComponent(k)}=${encodeURIComponent(x)}`))
      .join('&')
    const headers: Record<string, string> = { ...(req.headers as Record<string, string>) }
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body))
    return createRequest({ method, url: `http://api.example.com${path}${qs ? `?${qs}` : ''}`, headers, body })
  }

  it('GET with a query, an encoded path and a session token', async () => {
    const r = await simulate(step, await signedRequest('GET', '/pets/a%20b/%C3%A9', { z: '1', a: ['x y', 'b&c'], 'k~': '' }))
    expect(r.response.status, String(r.response.body)).toBe(200)
    expect(r.context.identity).toMatchObject({ accessKey: 'AKIDSMITHY', userArn: 'arn:aws:iam::123456789012:user/smithy' })
  })

  it('POST with a body; a different body is refused', async () => {
    const ok = await signedRequest('POST', '/pets', {}, '{"name":"rex"}')
    expect((await simulate(step, ok)).response.status).toBe(200)
    const tampered = await signedRequest('POST', '/pets', {}, '{"name":"rex"}')
    const h: Record<string, string> = {}
    tampered.headers.forEach((v, k) => (h[k] = v))
    const swapped = createRequest({ method: 'POST', url: tampered.url, headers: h, body: '{"name":"max"}' })
    expect((await simulate(step, swapped)).response.status).toBe(403)
  })
})
