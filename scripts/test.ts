/**
 * `npm test`: every tier, in order, with one summary line at the end.
 *   unit         src/**\/*.test.ts, harness/**\/*.test.ts, and test/project (checks of the repository itself:
 *                import boundaries, the generated API contract, the error docs)
 *   integration  test/integration on SQLite; then, when DATABASE_URL is set, its *.db.test.ts files (the suites
 *                that run per database engine, through forEachEngine) again on PostgreSQL only
 *   airflow-plugin  integrations/airflow/tests: the Conductor auth manager (pytest, the pinned Airflow 3's Python)
 *                against a stub and a real Conductor, through scripts/test-airflow-integration.sh
 *   e2e          test/e2e against a real Airflow 3 started here (project virtualenv)
 *   browser      test/browser: the web console in Debian's Chromium, against the same Airflow
 * Pass tier names to run only some: `npm test -- unit integration`.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const wanted = new Set(process.argv.slice(2))
const want = (tier: string) => wanted.size === 0 || wanted.has(tier)
const totals = { passed: 0, failed: 0, skipped: 0 }
const failedTiers: string[] = []
/** Each failure's name and diagnosis, repeated at the very end so that a log's tail holds every one of them. */
const failures: string[] = []

/**
 * The failures in a TAP report: each `not ok` with its YAML block (location, error, the top of the stack), except a
 * suite's own line when it failed only because a test inside it did. A hook's failure is kept: it names no test.
 */
function tapFailures(tier: string, text: string): string[] {
  const lines = text.split('\n')
  const out: string[] = []
  for (let i = 0; i < lines.length; i++) {
    const head = /^(\s*)not ok \d+ - (.*)$/.exec(lines[i]!)
    if (!head) continue
    const indent = head[1]!.length
    const block: string[] = []
    if (lines[i + 1]?.trim() === '---') {
      for (i += 2; i < lines.length && lines[i]!.trim() !== '...'; i++) block.push(lines[i]!.slice(indent + 2))
    }
    if (block.some((l) => l.includes("failureType: 'subtestsFailed'"))) continue
    const kept = block.filter((l) => !/^(duration_ms|type):/.test(l) && !/\(?node:(internal|async_hooks)/.test(l)).slice(0, 24).join('\n')
    out.push(`✖ [${tier}] ${head[2]}\n${kept.length > 2500 ? `${kept.slice(0, 2500)}…` : kept}`)
  }
  return out
}

function find(dir: string, suffix: string): string[] {
  const out: string[] = []
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith(suffix)) out.push(join(entry.parentPath, entry.name))
  }
  return out.sort()
}

async function runTier(name: string, files: string[], env: NodeJS.ProcessEnv, options: { concurrency?: number; timeoutMs?: number } = {}): Promise<void> {
  if (files.length === 0) { console.log(`\n== ${name}: no test files`); return }
  console.log(`\n== ${name} (${files.length} files)`)
  const started = Date.now()
  const dir = mkdtempSync(join(tmpdir(), 'conductor-test-'))
  const tap = join(dir, 'tap.txt')
  const args = [
    '--test', '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tap}`,
    `--test-concurrency=${options.concurrency ?? 1}`, `--test-timeout=${options.timeoutMs ?? 120_000}`, ...files,
  ]
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: 'inherit' })
    child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)))
  })
  const text = readFileSync(tap, 'utf8')
  const count = (key: string) => Number(new RegExp(`^# ${key} (\\d+)$`, 'm').exec(text)?.[1] ?? 0)
  const passed = count('pass'), failed = count('fail') + count('cancelled'), skipped = count('skipped') + count('todo')
  totals.passed += passed; totals.failed += failed; totals.skipped += skipped
  if (code !== 0 || failed > 0) failedTiers.push(name)
  failures.push(...tapFailures(name, text))
  console.log(`== ${name}: ${passed} passed, ${failed} failed, ${skipped} skipped in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  rmSync(dir, { recursive: true, force: true })
}

/** Runs a pytest suite through its script, echoing its output, and counts pytest's summary line (`3 passed, 1 failed in 2.1s`). */
async function runPytestTier(name: string, script: string, env: NodeJS.ProcessEnv): Promise<void> {
  console.log(`\n== ${name}`)
  const started = Date.now()
  let out = ''
  const code = await new Promise<number>((resolve) => {
    const child = spawn('bash', [script, '-q'], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] })
    child.stdout.on('data', (chunk: Buffer) => { process.stdout.write(chunk); out += chunk.toString() })
    child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)))
  })
  const summary = out.split('\n').reverse().find((line) => / in [\d.]+s/.test(line) && /\d+ (passed|failed|error|skipped|no tests ran)/.test(line)) ?? ''
  const count = (word: string) => Number(new RegExp(`(\\d+) ${word}`).exec(summary)?.[1] ?? 0)
  const passed = count('passed'), failed = count('failed') + count('errors?'), skipped = count('skipped')
  totals.passed += passed; totals.failed += failed; totals.skipped += skipped
  // pytest exits 5 when it collected no tests: a failure here, where there are tests to run.
  if (code !== 0 || failed > 0 || passed === 0) failedTiers.push(name)
  console.log(`== ${name}: ${passed} passed, ${failed} failed, ${skipped} skipped in ${((Date.now() - started) / 1000).toFixed(1)} s${code !== 0 && failed === 0 ? ` (exit code ${code})` : ''}`)
}

const baseEnv: NodeJS.ProcessEnv = { ...process.env, NODE_NO_WARNINGS: '1' }
delete baseEnv.DATABASE_URL
delete baseEnv.CONDUCTOR_TEST_ENGINES

if (want('unit')) await runTier('unit', [...find('src', '.test.ts'), ...find('harness', '.test.ts'), ...find('test/project', '.test.ts')], baseEnv, { concurrency: 2 })
if (want('integration')) {
  await runTier('integration (SQLite)', find('test/integration', '.test.ts'), { ...baseEnv, CONDUCTOR_TEST_ENGINES: 'sqlite' })
  if (process.env.DATABASE_URL) {
    // Only the per-engine suites depend on the database engine; the rest ran once above.
    await runTier('integration (PostgreSQL)', find('test/integration', '.db.test.ts'), { ...baseEnv, DATABASE_URL: process.env.DATABASE_URL, CONDUCTOR_TEST_ENGINES: 'postgres' })
  } else {
    console.log('\n== integration (PostgreSQL): skipped, DATABASE_URL is not set (e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres)')
  }
}
if (want('airflow-plugin')) await runPytestTier('airflow-plugin', join(root, 'scripts', 'test-airflow-integration.sh'), baseEnv)

if (want('e2e') || want('browser')) {
  const { postgresServer, startAirflow } = await import('../harness/airflow.ts')
  // Its metadata in PostgreSQL when there is one: many test files load it at once, and on SQLite it answers
  // "500 Database error" while the scheduler holds the lock.
  const postgres = postgresServer(process.env.DATABASE_URL)
  console.log(`\n== starting a real Airflow for the e2e tier (metadata on ${postgres ? 'PostgreSQL' : 'SQLite'}) …`)
  const started = Date.now()
  const airflow = await startAirflow({ postgres })
  console.log(`== Airflow ${airflow.version} ready at ${airflow.url} in ${Math.round((Date.now() - started) / 1000)} s`)
  const airflowEnv = {
    ...baseEnv,
    CONDUCTOR_TEST_AIRFLOW_URL: airflow.url, CONDUCTOR_TEST_AIRFLOW_USER: airflow.username, CONDUCTOR_TEST_AIRFLOW_PASSWORD: airflow.password,
    // The Airflows a test file starts for itself (e.g. with the Conductor auth manager) keep their metadata there too.
    ...(postgres ? { CONDUCTOR_TEST_AIRFLOW_POSTGRES: postgres } : {}),
  }
  try {
    if (want('e2e')) await runTier('e2e', find('test/e2e', '.test.ts'), airflowEnv, { timeoutMs: 300_000 })
    if (want('browser')) {
      const { ensureConsoleBuilt } = await import('./build-web.ts')
      await ensureConsoleBuilt()
      await runTier('browser', find('test/browser', '.test.ts'), airflowEnv, { timeoutMs: 300_000 })
    }
  } finally {
    await airflow.stop()
  }
}

if (failures.length) console.log(`\n== every failure, again\n${failures.join('\n\n')}`)
console.log(`\n${failedTiers.length ? `failed tiers: ${failedTiers.join(', ')}\n` : ''}tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`)
process.exitCode = failedTiers.length ? 1 : 0
