/**
 * HTTP integrations over TLS with API Gateway's `tlsConfig`: the backend's certificate is checked
 * against the given CA (and server name), and a configured client certificate is presented (mutual
 * TLS). A backend that demands a client certificate refuses a gateway without one: 502.
 */
import { createGateway, type ApiDefinition, type TlsConfigDefinition } from '@sluice/core'
import { simulate } from '@sluice/core/testing'
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { TLSSocket } from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const pem = (name: string): string => readFileSync(new URL(`../fixtures/tls/${name}`, import.meta.url), 'utf8')

describe('HTTP integrations with tlsConfig (mutual TLS)', () => {
  let server: Server
  let port = 0
  beforeAll(async () => {
    // a backend that only talks to clients with a certificate from the test CA
    server = createServer({ key: pem('server.key'), cert: pem('server.pem'), ca: pem('ca.pem'), requestCert: true, rejectUnauthorized: true }, (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate()
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ client: peer.subject?.CN ?? null, path: req.url }))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
  })

  const api = (tls: TlsConfigDefinition): ApiDefinition => ({
    paths: { '/pets': { GET: { integration: { type: 'HTTP_PROXY', uri: `https://127.0.0.1:${port}/backend/pets`, tlsConfig: tls } } } },
  })

  it('presents the client certificate and trusts the given CA', async () => {
    const step = createGateway().mount(api({ caPem: pem('ca.pem'), clientCertificate: { certificatePem: pem('client.pem'), privateKeyPem: pem('client.key') } }))
    const r = await simulate(step, { url: '/pets' })
    expect(r.response.status).toBe(200)
    expect(JSON.parse(String(r.response.body))).toEqual({ client: 'sluice-gateway', path: '/backend/pets' })
  })

  it('without a client certificate the backend refuses the handshake: 502', async () => {
    const step = createGateway().mount(api({ caPem: pem('ca.pem') }))
    const r = await simulate(step, { url: '/pets' })
    expect(r.response.status).toBe(502)
  })

  it('a backend certificate from an unknown CA is refused (502) unless verification is skipped', async () => {
    const client = { certificatePem: pem('client.pem'), privateKeyPem: pem('client.key') }
    const untrusted = await simulate(createGateway().mount(api({ clientCertificate: client })), { url: '/pets' })
    expect(untrusted.response.status).toBe(502)
    const skipped = await simulate(createGateway().mount(api({ clientCertificate: client, insecureSkipVerification: true })), { url: '/pets' })
    expect(skipped.response.status).toBe(200)
  })

  it('checks the server name it is told to verify', async () => {
    const client = { certificatePem: pem('client.pem'), privateKeyPem: pem('client.key') }
    const wrong = await simulate(createGateway().mount(api({ caPem: pem('ca.pem'), clientCertificate: client, serverNameToVerify: 'backend.example.com' })), { url: '/pets' })
    expect(wrong.response.status).toBe(502)
    const right = await simulate(createGateway().mount(api({ caPem: pem('ca.pem'), clientCertificate: client, serverNameToVerify: 'localhost' })), { url: '/pets' })
    expect(right.response.status).toBe(200)
  })
})
