import { defineConfig } from 'tsup'

/** The build every adapter shares: one entry, ESM + CJS, declarations, Node 20. */
export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
})
