// `npm test`: the browser suite, one file at a time (each starts its own server and browser).
// Builds the debug server first so the per-file builds are no-ops.
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { boleBinary } from './harness.mjs'

boleBinary()
const dir = fileURLToPath(new URL('./e2e/', import.meta.url))
const only = process.argv.slice(2)
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.test.mjs'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort()
  .map((f) => dir + f)
const r = spawnSync(process.execPath, [
  '--test',
  '--test-concurrency=1',
  // A failed test can leave a browser open; never let that hang the gate.
  '--test-force-exit',
  '--test-timeout=300000',
  '--test-reporter=spec',
  ...files,
], {
  stdio: 'inherit',
  env: { ...process.env, BOLE_BIN: process.env.BOLE_BIN ?? fileURLToPath(new URL('../../target/debug/bole', import.meta.url)) },
})
process.exit(r.status ?? 1)
