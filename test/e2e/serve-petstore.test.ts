/**
 * The AWS PetStore export (test/fixtures/openapi, Apache-2.0, see its NOTICE) through the built
 * CLI: `sluice lint` passes it (one warning), and `sluice serve --rewrite-uri` serves its MOCK and
 * HTTP integrations with the backend pointed at a local one.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBackend, type Backend } from '../support/backend.js'
import { ROOT, runCli, startServe, type ServeProcess } from './cli.js'

const PETSTORE = join(ROOT, 'test/fixtures/openapi/petstore-swagger.json')
const AWS_BACKEND = 'http://petstore.execute-api.eu-west-1.amazonaws.com'

describe('the AWS PetStore export through the CLI', () => {
  let backend: Backend
  let server: ServeProcess
  beforeAll(async () => {
    backend = await startBackend()
    server = await startServe([PETSTORE, '--rewrite-uri', `${AWS_BACKEND}=${backend.url}`, '--port', '0'])
  })
  afterAll(async () => {
    if (server !== undefined && server.child.exitCode === null) await server.stop('SIGKILL')
    await backend?.close()
  })

  it('lints with no errors', async () => {
    const r = await runCli(['lint', PETSTORE, '--json'])
    expect(r.code).toBe(0)
    const report = JSON.parse(r.stdout) as { format: string; diagnostics: Array<{ severity: string }> }
    expect(report.format).toBe('openapi')
    expect(report.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
  })

  it('prints the import warnings when serving', () => {
    expect(server.stderr()).toContain('warning: /x-amazon-apigateway-documentation: ')
  })

  it('serves the HTTP integrations against the local backend, with the mapped query and path parameters', async () => {
    const list = await fetch(`${server.url}/pets?type=dog&page=2&other=x`)
    expect(list.status).toBe(200)
    expect(list.headers.get('access-control-allow-origin')).toBe('*')
    const seen = (await list.json()) as { method: string; url: string; headers: Record<string, string> }
    expect(seen.method).toBe('GET')
    expect(seen.url).toBe('/petstore/pets?page=2&type=dog')
    expect(seen.headers['host']).toBe(new URL(backend.url).host)
    const one = (await (await fetch(`${server.url}/pets/7`)).json()) as { url: string }
    expect(one.url).toBe('/petstore/pets/7')
  })

  it('serves the MOCK integrations', async () => {
    const root = await fetch(`${server.url}/`)
    expect(root.status).toBe(200)
    expect(root.headers.get('content-type')).toBe('text/html')
    expect(await root.text()).toContain('<html>')
    const preflight = await fetch(`${server.url}/pets`, { method: 'OPTIONS' })
    expect(preflight.status).toBe(200)
    expect(preflight.headers.get('access-control-allow-methods')).toContain('GET')
  })

  it('stops cleanly', async () => {
    expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null })
  })
})
