#!/usr/bin/env node
/**
 * In-process micro benchmarks of the authorizers (method: shared/BENCH.md). Runs the built
 * `@sluice/core` (`pnpm run build` first).
 *
 *   node test/bench/micro-auth.mjs [--filter jwt] [--ms 1000]
 *
 * Cases: a cold HS256 verification (every token new; node:crypto HMAC, not WebCrypto), a repeated token
 * (remembered after its first verification), a cached Lambda-style policy re-evaluated, a SigV4
 * GET verification, and one policy evaluation. Each runs `--ms` after a warm-up; the table shows
 * µs/op and ops/s of the whole step (`gw.run` on a fresh exchange, as an adapter would).
 */
import { createHash, createHmac, createSign, generateKeyPairSync } from 'node:crypto'
import { parseArgs } from 'node:util'
import { compilePolicy, createGateway, createRequest } from '@sluice/core'

const { values: args } = parseArgs({ options: { filter: { type: 'string', default: '' }, ms: { type: 'string', default: '1000' } } })
const MS = Math.max(50, Number(args.ms))
const SECRET = 'micro-bench-secret-0123456789abcdefghij'
const ISS = 'https://issuer.bench.local'
const part = (v) => Buffer.from(JSON.stringify(v)).toString('base64url')
const hs256 = (claims) => {
  const input = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ iss: ISS, aud: 'bench', sub: 'u', exp: 4102444800, iat: 1700000000, ...claims })}`
  return `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`
}
const JWT = { type: 'jwt', jwtConfiguration: { issuer: ISS, audience: ['bench'] }, secret: SECRET }

const CASES = [
  {
    name: 'JWT cold: HS256 verification of a new token each time (synchronous HMAC, claims checked)',
    async: true,
    setup() {
      const gw = createGateway({ accountThrottle: false })
      const step = gw.authorize({ ...JWT, verifiedTokenCacheSize: 0 })
      const tokens = Array.from({ length: 4096 }, (_, i) => `Bearer ${hs256({ jti: `t${i}` })}`)
      let i = 0
      return async () => {
        const out = await gw.run(step, gw.exchange(createRequest({ url: '/bench', headers: { authorization: tokens[i++ & 4095] } })))
        if (out.kind !== 'continue') throw new Error('denied')
        return out
      }
    },
  },
  {
    name: 'JWT cold: RS256 verification of a new token each time (jose, WebCrypto; key imported once)',
    async: true,
    setup() {
      const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
      const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' }
      const gw = createGateway({ accountThrottle: false })
      const step = gw.authorize({ type: 'jwt', jwtConfiguration: { issuer: ISS, audience: ['bench'] }, jwks: { keys: [jwk] }, verifiedTokenCacheSize: 0 })
      const tokens = Array.from({ length: 1024 }, (_, i) => {
        const input = `${part({ alg: 'RS256', kid: 'k1' })}.${part({ iss: ISS, aud: 'bench', sub: 'u', exp: 4102444800, jti: `r${i}` })}`
        return `Bearer ${input}.${createSign('RSA-SHA256').update(input).sign(privateKey).toString('base64url')}`
      })
      let i = 0
      return async () => {
        const out = await gw.run(step, gw.exchange(createRequest({ url: '/bench', headers: { authorization: tokens[i++ & 1023] } })))
        if (out.kind !== 'continue') throw new Error('denied')
        return out
      }
    },
  },
  {
    name: 'JWT repeated token: remembered after the first verification (synchronous)',
    setup() {
      const gw = createGateway({ accountThrottle: false })
      const step = gw.authorize(JWT)
      const headers = { authorization: `Bearer ${hs256({})}` }
      return () => gw.run(step, gw.exchange(createRequest({ url: '/bench', headers })))
    },
  },
  {
    name: 'Lambda TOKEN authorizer: cached policy re-evaluated against the method ARN',
    setup() {
      const gw = createGateway({ accountThrottle: false })
      const step = gw.authorize({
        type: 'token',
        handler: () => ({ principalId: 'u', policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: 'arn:aws:execute-api:*:*:sluice/*/GET/*' }] }, context: { tier: 'gold' } }),
      })
      const headers = { authorization: 'token-1' }
      return () => gw.run(step, gw.exchange(createRequest({ url: '/bench/items/1', headers })))
    },
  },
  {
    name: 'SigV4: verify a signed GET (canonical request, 2 SHA-256, 1 HMAC with a cached key)',
    async: true,
    setup() {
      const t = Date.UTC(2026, 0, 1)
      const gw = createGateway({ accountThrottle: false, clock: { now: () => t } })
      const secret = 'bench/secret/key/0123456789'
      const step = gw.authorize({ type: 'aws_iam', credentials: () => ({ secretAccessKey: secret, policies: [{ Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: '*' }] }] }) })
      const amz = '20260101T000000Z'
      const canonical = `GET\n/bench\n\nhost:api.example.com\nx-amz-date:${amz}\n\nhost;x-amz-date\n${createHash('sha256').update('').digest('hex')}`
      const h = (k, d) => createHmac('sha256', k).update(d).digest()
      const key = h(h(h(h(`AWS4${secret}`, '20260101'), 'us-east-1'), 'execute-api'), 'aws4_request')
      const sig = createHmac('sha256', key).update(`AWS4-HMAC-SHA256\n${amz}\n20260101/us-east-1/execute-api/aws4_request\n${createHash('sha256').update(canonical).digest('hex')}`).digest('hex')
      const headers = { host: 'api.example.com', 'x-amz-date': amz, authorization: `AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=${sig}` }
      return async () => {
        const out = await gw.run(step, gw.exchange(createRequest({ url: 'http://api.example.com/bench', headers })))
        if (out.kind !== 'continue') throw new Error(JSON.stringify(out))
        return out
      }
    },
  },
  {
    name: 'policy evaluation: 3 statements, wildcards, one IP condition',
    setup() {
      const p = compilePolicy({
        Statement: [
          { Effect: 'Allow', Action: 'execute-api:Invoke', Resource: 'arn:aws:execute-api:*:*:api/*/GET/*' },
          { Effect: 'Deny', Action: 'execute-api:Invoke', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': ['198.51.100.0/24'] } } },
          { Effect: 'Allow', Action: 'execute-api:InvalidateCache', Resource: '*' },
        ],
      })
      const req = { action: 'execute-api:Invoke', resource: 'arn:aws:execute-api:us-east-1:123456789012:api/prod/GET/pets/1', sourceIp: '203.0.113.7' }
      return () => p.evaluate(req)
    },
  },
]

let sink
async function time(fn, isAsync, ms) {
  let n = 0
  const start = process.hrtime.bigint()
  const end = start + BigInt(ms) * 1_000_000n
  while (process.hrtime.bigint() < end) {
    for (let i = 0; i < 64; i++) sink = isAsync ? await fn() : fn()
    n += 64
  }
  return { n, ns: Number(process.hrtime.bigint() - start) }
}

console.log(`Node ${process.version}; ${MS} ms per case after a ${Math.round(MS / 3)} ms warm-up (noisy on a shared machine)\n`)
console.log('| case | µs/op | ops/s |\n| --- | --- | --- |')
for (const c of CASES) {
  if (args.filter && !c.name.toLowerCase().includes(args.filter.toLowerCase())) continue
  const fn = await c.setup()
  await time(fn, c.async === true, Math.round(MS / 3))
  const { n, ns } = await time(fn, c.async === true, MS)
  console.log(`| ${c.name} | ${(ns / n / 1000).toFixed(2)} | ${Math.round((n * 1e9) / ns).toLocaleString('en-US')} |`)
}
void sink
