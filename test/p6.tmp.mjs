import Fastify from 'fastify'
import { gateway } from '@sluice/fastify'
const mode = process.argv[2]
const app = Fastify()
const gw = gateway({})
if (mode === 'noop') await app.register(gw.use({ feature: 'noop', finalizes: false, run: () => ({ kind: 'continue' }) }))
app.get('/bench', async () => ({ ok: true }))
await app.ready()
for (let k = 0; k < 4; k++) {
const t0 = performance.now()
for (let i = 0; i < 20000; i++) { const r = await app.inject({ method: 'GET', url: '/bench' }); if (r.statusCode !== 200) throw new Error(r.body) }
console.log(mode, ((performance.now() - t0) / 20000 * 1000).toFixed(1))
}
