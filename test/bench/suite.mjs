#!/usr/bin/env node
/**
 * Several scenarios in one invocation, one after another under the same conditions, so sluice and
 * its peers are measured side by side in the same run:
 *
 *   node test/bench/suite.mjs throttle fastify-rate-limit express-rate-limit [-- run.mjs options]
 *
 * Each scenario is a run of run.mjs (ABBA pairs, pinned server and client); the node:http ceiling
 * is measured with the first only. The combined markdown is printed at the end and saved to
 * .bench-results/suite-<timestamp>.md.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { SCENARIOS, frameworksOf } from './scenarios.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const root = resolve(here, '../..')
const argv = process.argv.slice(2)
const split = argv.indexOf('--')
const scenarios = split === -1 ? argv : argv.slice(0, split)
const passthrough = split === -1 ? [] : argv.slice(split + 1)
if (scenarios.length === 0) {
  console.error('usage: node test/bench/suite.mjs <scenario> [<scenario> ...] [-- run.mjs options]')
  process.exit(2)
}

const sections = []
for (const [i, scenario] of scenarios.entries()) {
  const known = SCENARIOS[scenario]
  // a peer runs only on its own framework
  const only = known && !passthrough.includes('--frameworks') ? ['--frameworks', frameworksOf(known).filter((f) => f !== 'node').join(',')] : []
  const args = [join(here, 'run.mjs'), '--scenario', scenario, ...only, ...passthrough, ...(i > 0 ? ['--no-ceiling'] : [])]
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 })
  process.stdout.write(r.stdout ?? '')
  if (r.status !== 0) {
    console.error(`scenario ${scenario} failed (exit ${r.status})`)
    process.exit(r.status ?? 1)
  }
  const start = (r.stdout ?? '').indexOf('### sluice bench')
  sections.push(start === -1 ? r.stdout : r.stdout.slice(start))
}
const out = join(root, '.bench-results')
mkdirSync(out, { recursive: true })
const file = join(out, `suite-${new Date().toISOString().replace(/[:.]/g, '-')}.md`)
writeFileSync(file, sections.join('\n\n'))
console.log(`\n---\nsuite: ${scenarios.join(', ')} — saved to ${file}`)
