/**
 * The AWS PetStore sample (test/fixtures/openapi/petstore-swagger.json, Apache-2.0, see its NOTICE)
 * and a loopback stand-in for its HTTP backend.
 */
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'

/** The document, parsed fresh on each call. */
export const petstoreDocument = (): Record<string, unknown> => JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/openapi/petstore-swagger.json'), 'utf8')) as Record<string, unknown>

/** The origin the PetStore export's HTTP integrations call. */
export const PETSTORE_ORIGIN = 'http://petstore.execute-api.eu-west-1.amazonaws.com'

export interface PetBackend {
  readonly url: string
  close(): Promise<void>
}

const PETS = [
  { id: 1, type: 'dog', price: 249.99 },
  { id: 2, type: 'cat', price: 124.99 },
  { id: 3, type: 'fish', price: 0.99 },
]

/**
 * A pet store backend on 127.0.0.1: `GET /petstore/pets[?type=&page=]`, `GET /petstore/pets/{id}`,
 * `POST /petstore/pets` (echoes the new pet). No `Date` header, so transcripts compare exactly.
 */
export async function startPetBackend(): Promise<PetBackend> {
  const server: Server = createServer((req, res) => {
    res.sendDate = false
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://backend')
      const json = (status: number, body: unknown): void => {
        res.statusCode = status
        res.setHeader('content-type', 'application/json')
        res.end(JSON.stringify(body))
      }
      if (req.method === 'GET' && url.pathname === '/petstore/pets') {
        const type = url.searchParams.get('type')
        return json(200, { pets: type === null ? PETS : PETS.filter((p) => p.type === type), page: url.searchParams.get('page') })
      }
      const one = /^\/petstore\/pets\/([^/]+)$/.exec(url.pathname)
      if (req.method === 'GET' && one) {
        const pet = PETS.find((p) => String(p.id) === one[1])
        return pet === undefined ? json(404, { message: 'no such pet' }) : json(200, pet)
      }
      if (req.method === 'POST' && url.pathname === '/petstore/pets') {
        const pet = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>
        return json(200, { pet: { id: 4, ...pet }, message: 'success' })
      }
      json(404, { message: 'not found', path: url.pathname })
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
