/**
 * `npm run bench`: every benchmark in bench/, one after the other (each in its own process so one
 * cannot warm or load another), each printing its table and merging its figures into bench/results.json.
 */
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'

const dir = new URL('.', import.meta.url).pathname
const only = new Set(process.argv.slice(2))
let failed = 0
for (const file of readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).sort()) {
  if (only.size && !only.has(file.replace('.bench.ts', ''))) continue
  console.log(`\n### ${file}`)
  const { status } = spawnSync(process.execPath, [join(dir, file)], { stdio: 'inherit', env: { ...process.env, NODE_NO_WARNINGS: '1' } })
  if (status !== 0) { failed++; console.error(`${file} failed with exit code ${status}`) }
}
process.exitCode = failed ? 1 : 0
