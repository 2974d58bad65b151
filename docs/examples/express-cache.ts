/**
 * Response caching on Express 5: per-caller entries behind an API key, declared key parameters, a
 * shared cache for a public route, authorized `Cache-Control: max-age=0` invalidation, flushing and
 * statistics.
 *
 * Build the packages (`pnpm build`), compile or run this file with your TypeScript runner, then:
 *
 *   curl -i -H "x-api-key: $KEY" 'http://127.0.0.1:3000/pets?type=dog'          # miss: no Age
 *   curl -i -H "x-api-key: $KEY" 'http://127.0.0.1:3000/pets?type=dog&page=2'   # hit: Age, same servedAt
 *   curl -i -H "x-api-key: $KEY" -H 'cache-control: max-age=0' 'http://127.0.0.1:3000/pets?type=dog'
 *                                                         # 403: this key may not invalidate
 *   curl -i http://127.0.0.1:3000/catalog                                        # shared by every caller
 *   curl -i -H "x-admin-token: $ADMIN" -H 'cache-control: max-age=0' http://127.0.0.1:3000/catalog
 *                                                         # refetched and replaced
 *   curl -s -X POST -H "x-admin-token: $ADMIN" 'http://127.0.0.1:3000/admin/flush?prefix=/pets'
 *   curl -s -H "x-admin-token: $ADMIN" http://127.0.0.1:3000/admin/stats
 *
 * `KEY` and `ADMIN` are printed at start-up (or set them with API_KEY and ADMIN_TOKEN).
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { generateApiKeyValue, type Exchange } from '@sluice/core'
import { gateway } from '@sluice/express'
import express from 'express'

const key = process.env.API_KEY ?? generateApiKeyValue()
const adminToken = process.env.ADMIN_TOKEN ?? generateApiKeyValue()
const port = Number(process.env.PORT ?? 3000)

const digest = (s: string): Buffer => createHash('sha256').update(s).digest()
const isAdmin = (token: string | null | undefined): boolean => typeof token === 'string' && timingSafeEqual(digest(token), digest(adminToken))
const adminOnly = (ex: Exchange): boolean => isAdmin(ex.request.headers.get('x-admin-token'))

const gw = gateway({
  apiKeys: [{ id: 'demo', name: 'Demo key', value: key }],
  stage: {
    name: 'dev',
    // stage-wide: entries live 5 minutes; an unauthorized max-age=0 gets a 403
    cache: { ttl: 300, unauthorizedStrategy: 'FAIL_WITH_403' },
    // API Gateway's method settings: a shorter TTL for one resource
    methodSettings: { '/pets/{id}/GET': { cacheTtlInSeconds: 30 } },
  },
})

const app = express()

// Per caller (the API key is in the key), split by ?type= only; ?page= does not split entries.
app.get('/pets', gw.apiKey(), gw.cache({ ttl: 60, key: ['querystring.type'] }), (req, res) => {
  res.json({ type: req.query['type'] ?? null, servedAt: new Date().toISOString() })
})

// A route template: declare the path parameter, or /pets/1 and /pets/2 would share one entry.
app.get('/pets/:id', gw.chain(gw.apiKey(), gw.cache({ key: ['path.id'] })), (req, res) => {
  res.json({ id: req.params.id, servedAt: new Date().toISOString() })
})

// The same for everyone, so one shared entry (no API key on this route); only the admin may
// invalidate it with Cache-Control: max-age=0.
app.get('/catalog', gw.cache({ shared: true, authorizeInvalidation: adminOnly }), (_req, res) => {
  res.json({ items: ['dog', 'cat'], servedAt: new Date().toISOString() })
})

// Never stored: the response sets a cookie.
app.get('/session', gw.cache({ shared: true }), (_req, res) => {
  res.cookie('session', 'abc', { httpOnly: true }).json({ servedAt: new Date().toISOString() })
})

app.post('/admin/flush', async (req, res, next) => {
  if (!isAdmin(req.get('x-admin-token'))) return void res.status(403).json({ message: 'Forbidden' })
  try {
    const prefix = typeof req.query['prefix'] === 'string' ? req.query['prefix'] : undefined
    const removed = await gw.flushCache(prefix === undefined ? undefined : { pathPrefix: prefix })
    res.json({ removed })
  } catch (e) {
    next(e)
  }
})

app.get('/admin/stats', (req, res) => {
  if (!isAdmin(req.get('x-admin-token'))) return void res.status(403).json({ message: 'Forbidden' })
  res.json(gw.cacheStats())
})

const server = app.listen(port, '127.0.0.1', () => {
  const address = server.address()
  const actual = typeof address === 'object' && address !== null ? address.port : port
  console.log(`listening on http://127.0.0.1:${actual}`)
  console.log(`curl -i -H 'x-api-key: ${key}' 'http://127.0.0.1:${actual}/pets?type=dog'`)
  console.log(`curl -i -H 'x-admin-token: ${adminToken}' -H 'cache-control: max-age=0' http://127.0.0.1:${actual}/catalog`)
})
