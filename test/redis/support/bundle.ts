/**
 * Bundles a TypeScript entry (and the workspace sources it imports, through the `sluice-source`
 * condition) into one CommonJS file that a plain `node` child process can run.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'tsup'

export async function bundle(entry: string, name: string): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'sluice-redis-test-'))
  await build({
    entry: { [name]: entry },
    outDir,
    format: ['cjs'],
    platform: 'node',
    target: 'node20',
    noExternal: [/.*/],
    splitting: false,
    sourcemap: false,
    dts: false,
    silent: true,
    config: false,
    esbuildOptions(options) {
      options.conditions = ['sluice-source']
    },
  })
  return join(outDir, `${name}.cjs`)
}
