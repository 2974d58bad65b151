/**
 * The `sluice` command's functions from your own code: serve the example pet store (the same as
 * `sluice serve` with the example files), call it, and run a command with captured output, as
 * `@sluice/cli`'s own tests do.
 *
 *   node <compiled>/cli-embed.js     # from the repository root, after `pnpm run build`
 */
import assert from 'node:assert/strict'
import { createServer, loadApi, loadConfig, loadHandlers, loadKeysCsv, run, type CliIo } from '@sluice/cli'

const dir = 'docs/examples/api'
const { definition, warnings } = await loadApi(`${dir}/petstore.yaml`)
assert.deepEqual(warnings, [])

const server = createServer({
  definition,
  integrations: await loadHandlers(`${dir}/handlers.mjs`),
  config: await loadConfig(`${dir}/sluice.yaml`),
  apiKeys: await loadKeysCsv(`${dir}/keys.csv`),
})
const { url } = await server.listen(0, '127.0.0.1') // port 0: any free port
try {
  assert.equal((await fetch(`${url}/health`)).status, 200)
  assert.equal((await fetch(`${url}/pets/1`)).status, 403) // needs an API key
  const ok = await fetch(`${url}/pets/1`, { headers: { 'x-api-key': 'demoGoldKeyNotASecret0000000002' } })
  assert.deepEqual(await ok.json(), { id: '1', type: 'dog', name: 'Rex' })
} finally {
  await server.close()
}

// any command, with its output captured: run() resolves with the exit code
const out: string[] = []
const io: CliIo = { out: (text) => out.push(text), err: (text) => out.push(text) }
assert.equal(await run(['lint', `${dir}/petstore.yaml`], io), 0)
assert.equal(out.join(''), `${dir}/petstore.yaml: no problems\n`)
console.log('ok')
