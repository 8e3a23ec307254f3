import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { useAirflow, type AirflowHandle } from '../../harness/airflow.ts'
import { startTestApp } from '../../harness/app.ts'
import { eventually } from '../../harness/poll.ts'
import { policiesWithQa } from '../support/policies.ts'

const root = new URL('../..', import.meta.url).pathname
const cliMain = join(root, 'src/cli/main.ts')

describe('the conductor command against Conductor and a real Airflow 3', () => {
  let airflow: AirflowHandle
  let app: Awaited<ReturnType<typeof startTestApp>>
  let url: string
  const tokens: Record<string, string> = {}
  const dir = mkdtempSync(join(tmpdir(), 'conductor-cli-e2e-'))

  /** Runs `conductor ARGS` as `user` (a token in $CONDUCTOR_TOKEN), with no stored login. */
  const conductor = (user: string, args: string[]) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_NO_WARNINGS: '1', CONDUCTOR_URL: url, CONDUCTOR_TOKEN: tokens[user], CONDUCTOR_CONFIG_DIR: join(dir, 'config') }
    const child = spawn(process.execPath, [cliMain, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = '', stderr = ''
    child.stdout.on('data', (d) => { stdout += d })
    child.stderr.on('data', (d) => { stderr += d })
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }))
  })
  const json = async (user: string, args: string[]) => {
    const res = await conductor(user, [...args, '--output', 'json'])
    assert.equal(res.code, 0, `conductor ${args.join(' ')}: ${res.stderr}`)
    return JSON.parse(res.stdout)
  }
  const fitsTerminal = (text: string) => {
    for (const line of text.split('\n')) assert.ok([...line].length <= 80, `wider than 80 columns: ${line}`)
  }

  before(async () => {
    airflow = await useAirflow()
    const policies = join(dir, 'policies')
    policiesWithQa(policies)
    app = await startTestApp({
      databaseUrl: `sqlite:${join(dir, 'conductor.db')}`,
      policyFolder: policies,
      environments: [{ name: 'local', url: airflow.url, username: airflow.username, password: airflow.password }],
    })
    url = await app.listen()
    for (const user of ['alice', 'bob', 'carol']) tokens[user] = await app.tokenFor(user)
    await app.governance.catalog.syncAll()
  })
  after(async () => {
    await app?.close()
    await airflow?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  test('envs: the environment with its health, as JSON and as an 80-column table', async () => {
    const body = await json('alice', ['envs'])
    const local = body.environments.find((e: { name: string }) => e.name === 'local')
    assert.equal(local.status.reachable, true)
    assert.equal(local.kind, 'airflow3')
    const table = await conductor('alice', ['envs'])
    assert.equal(table.code, 0, table.stderr)
    assert.match(table.stdout, /^NAME\s+KIND\s+ZONE/)
    assert.match(table.stdout, /^local\s+airflow3\s+dev\s+dev\s+up\s/m)
    fitsTerminal(table.stdout)
  })

  test('dags: what alice may see and do; --tag filters', async () => {
    const body = await json('alice', ['dags', '--env', 'local'])
    const etl = body.dags.find((d: { dagId: string }) => d.dagId === 'etl_daily')
    assert.ok(etl)
    assert.equal(body.dags.some((d: { dagId: string }) => d.dagId === 'ml_train'), false, 'alice may not read team:ml DAGs')
    const tagged = await json('alice', ['dags', '--tag', 'team:qa'])
    assert.ok(tagged.dags.length > 0)
    assert.ok(tagged.dags.every((d: { tags: string[] }) => d.tags.includes('team:qa')))
    const table = await conductor('alice', ['dags'])
    assert.match(table.stdout, /^local\s+etl_daily\s+no\s/m)
    fitsTerminal(table.stdout)
  })

  let runId: string
  test('trigger --wait follows the run to success and exits 0', async () => {
    const res = await conductor('alice', ['trigger', 'local/etl_daily', '--conf', '{"day":"2026-11-24"}', '--reason', 'cli e2e', '--wait', '--interval', '1', '--output', 'json'])
    assert.equal(res.code, 0, res.stderr)
    const body = JSON.parse(res.stdout)
    runId = body.run.runId
    assert.equal(body.run.state, 'success')
    assert.deepEqual(body.run.conf, { day: '2026-11-24' })
    assert.deepEqual(body.request.decision.policyIds, ['data-eng-operate'])
    assert.ok(body.run.tasks.length >= 2)
    // Not a terminal: progress is printed as state changes, one line each, ending with success.
    const progress = res.stderr.trim().split('\n')
    assert.ok(progress.every((line) => line.startsWith(`${runId}  `)), res.stderr)
    assert.match(progress.at(-1)!, new RegExp(`^${runId}  success  (\\d+)/\\1 tasks done`))
    assert.equal(new Set(progress).size, progress.length, 'no line repeats')
  })

  test('runs and run: who started it, and its tasks', async () => {
    const runs = await json('bob', ['runs', 'local/etl_daily'])
    const mine = runs.runs.find((r: { runId: string }) => r.runId === runId)
    assert.deepEqual(mine.startedBy, { via: 'conductor', principalType: 'User', principalId: 'alice', requestId: runId.replace('conductor__', '') })
    const table = await conductor('bob', ['runs', 'local/etl_daily'])
    assert.match(table.stdout, new RegExp(`^${runId}\\s+success\\s+alice\\s`, 'm'))
    fitsTerminal(table.stdout)

    const run = await json('bob', ['run', 'local/etl_daily', runId])
    assert.equal(run.runId, runId)
    assert.equal(run.state, 'success')
    assert.ok(run.tasks.every((t: { state: string }) => t.state === 'success'))
    const text = await conductor('bob', ['run', 'local/etl_daily', runId])
    assert.match(text.stdout, /^started by:\s+alice \(request /m)
    assert.match(text.stdout, /^TASK\s+STATE\s+TRY/m)
    fitsTerminal(text.stdout)
  })

  test('logs: every page of a task\'s log, as text and JSON', async () => {
    const run = await json('bob', ['run', 'local/etl_daily', runId])
    const task = run.tasks[0].taskId
    const body = await json('bob', ['logs', 'local/etl_daily', runId, task])
    assert.ok(body.lines.length > 0)
    assert.equal(body.tryNumber, 1)
    const text = await conductor('bob', ['logs', 'local/etl_daily', runId, task, '--try', '1'])
    assert.equal(text.code, 0, text.stderr)
    assert.equal(text.stdout.split('\n').length - 1, body.lines.length)
  })

  test('pause and unpause', async () => {
    const paused = await json('alice', ['pause', 'local/etl_daily'])
    assert.equal(paused.dag.paused, true)
    assert.deepEqual(paused.request.decision.policyIds, ['data-eng-operate'])
    const text = await conductor('alice', ['unpause', 'local/etl_daily'])
    assert.equal(text.code, 0, text.stderr)
    assert.match(text.stdout, /^unpaused local\/etl_daily \(request \S+, allowed by policy data-eng-operate\)$/m)
    const dags = await json('alice', ['dags', '--env', 'local'])
    assert.equal(dags.dags.find((d: { dagId: string }) => d.dagId === 'etl_daily').paused, false)
  })

  test('a failed run: trigger --wait exits 8; rerun clears the failed task and the run succeeds', async () => {
    const failed = await conductor('alice', ['trigger', 'local/conductor_fails_once', '--wait', '--interval', '1'])
    assert.equal(failed.code, 8, failed.stderr)
    const failedRunId = /run (conductor__\S+) failed/.exec(failed.stdout)?.[1]
    assert.ok(failedRunId, failed.stdout)
    const denied = await conductor('bob', ['rerun', 'local/conductor_fails_once', failedRunId])
    assert.equal(denied.code, 3)
    const rerun = await json('alice', ['rerun', 'local/conductor_fails_once', failedRunId, '--reason', 'flaky'])
    assert.ok(rerun.clearedTaskIds.includes('flaky'))
    const state = await eventually(async () => {
      const { state } = await json('alice', ['run', 'local/conductor_fails_once', failedRunId])
      if (state !== 'success' && state !== 'failed') throw new Error(`state is "${state}"`)
      return state as string
    }, { what: `rerun of ${failedRunId} to finish`, timeoutMs: 120_000, intervalMs: 1000 })
    assert.equal(state, 'success')
  })

  test('audit: carol reads alice\'s triggers; bob may not (exit 3)', async () => {
    const body = await json('carol', ['audit', '--principal', 'alice', '--action', 'dag:trigger', '--decision', 'allow', '--from', '1h', '--limit', '100'])
    assert.ok(body.events.length >= 2)
    assert.ok(body.events.every((e: { principal: string; action: string }) => e.principal === 'alice' && e.action === 'dag:trigger'))
    assert.ok(body.events.some((e: { dag: string }) => e.dag === 'etl_daily'))
    const table = await conductor('carol', ['audit', '--dag', 'etl_daily'])
    assert.match(table.stdout, /^SEQ\s+TIME \(UTC\)\s+TYPE\s+WHO\s+ACTION\s+TARGET\s+RESULT$/m)
    assert.match(table.stdout, /\sauthz\.decision\s+alice\s+dag:trigger\s+local\/etl_dai\S*\s+allow$/m)
    fitsTerminal(table.stdout)
    const denied = await conductor('bob', ['audit'])
    assert.equal(denied.code, 3)
    assert.match(denied.stderr, /^conductor: policy_denied: /)
  })

  test('denied: bob may not trigger etl_daily (exit 3, one line naming the decision)', async () => {
    const res = await conductor('bob', ['trigger', 'local/etl_daily'])
    assert.equal(res.code, 3)
    assert.equal(res.stdout, '')
    assert.match(res.stderr, /^conductor: policy_denied: User bob may not dag:trigger local\/etl_daily.*\n$/)
  })

  test('not found: an unknown DAG or run exits 4', async () => {
    const dag = await conductor('alice', ['trigger', 'local/no_such_dag'])
    assert.equal(dag.code, 4)
    assert.match(dag.stderr, /^conductor: dag_not_found: /)
    const run = await conductor('alice', ['run', 'local/etl_daily', 'no_such_run'])
    assert.equal(run.code, 4)
    assert.match(run.stderr, /^conductor: run_not_found: /)
  })

  test('bad input exits 2 before anything is sent', async () => {
    const res = await conductor('alice', ['trigger', 'local/etl_daily', '--conf', '[1,2]'])
    assert.equal(res.code, 2)
    assert.match(res.stderr, /the conf must be a JSON object/)
    const target = await conductor('alice', ['runs', 'etl_daily'])
    assert.equal(target.code, 2)
    assert.match(target.stderr, /expected ENV\/DAG/)
  })
})
