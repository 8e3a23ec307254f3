// The Conductor auth manager's `filter_authorized_dag_ids` for 5,000 DAGs: the real Python manager (the pinned
// Airflow 3's Python, integrations/airflow/src, decision cache off) against a real Conductor in its own process
// (integrations/airflow/tests/conductor-for-tests.ts: 5,000 DAGs in environment `local`, half tagged team:data-eng),
// as alice (data-eng, 2,500 allowed). Also Conductor's answer to the same 5,000-question call timed from Node,
// without Python: Conductor's own time plus loopback HTTP.
//
//   node bench/filter-dag-ids.bench.ts        (BENCH_CALLS=30 by default)
import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { promisify } from 'node:util'
import { airflowVenv } from '../harness/airflow.ts'
import { hostBeforeStart, printHost } from './host.ts'
import { percentile, printTable, writeResults } from './results.ts'

const CALLS = Number(process.env.BENCH_CALLS ?? 30)
const DAGS = 5000
const root = resolve(import.meta.dirname, '..')
const run = promisify(execFile)

const host = hostBeforeStart()
printHost(host)
const venv = await airflowVenv(3)
const dir = mkdtempSync(join(tmpdir(), 'conductor-bench-filter-'))
const conductor = spawn(process.execPath, [join(root, 'integrations', 'airflow', 'tests', 'conductor-for-tests.ts')], {
  cwd: root, env: { ...process.env, DAGS_COUNT: String(DAGS) }, stdio: ['pipe', 'pipe', 'inherit'],
})
try {
  const first = await new Promise<string>((done, fail) => {
    const lines = createInterface({ input: conductor.stdout! })
    lines.once('line', done)
    conductor.once('exit', (code) => fail(new Error(`Conductor exited (${code}) before it was ready`)))
  })
  const { url, token } = JSON.parse(first) as { url: string; token: string }
  const tokenFile = join(dir, 'conductor-token')
  writeFileSync(tokenFile, token, { mode: 0o600 })

  const { stdout } = await run(join(venv, 'bin', 'python'), [join(root, 'bench', 'filter_dag_ids.py'), url, tokenFile, String(CALLS)], {
    cwd: root, maxBuffer: 16 * 1024 * 1024, timeout: 20 * 60_000,
    env: { ...process.env, PYTHONPATH: join(root, 'integrations', 'airflow', 'src'), AIRFLOW_HOME: join(dir, 'airflow-home'), PYTHONPYCACHEPREFIX: join(dir, 'pycache') },
  })
  const python = JSON.parse(stdout.trim().split('\n').at(-1)!) as { dags: number; allowed: number; managerMs: number[]; clientMs: number[] }

  // The same call from Node: what Conductor itself takes, HTTP on loopback included, Python not.
  const body = JSON.stringify({ user: { id: 'alice', type: 'User' }, questions: Array.from({ length: DAGS }, (_, i) => ({ resource: 'dag', method: 'GET', id: `dag_${String(i).padStart(5, '0')}` })) })
  const ask = async () => {
    const started = performance.now()
    const res = await fetch(`${url}/api/v1/airflow/local/authorize`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body })
    const answer = await res.json() as { decisions?: { allowed: boolean }[] }
    const ms = performance.now() - started
    const allowed = answer.decisions?.filter((d) => d.allowed).length
    if (res.status !== 200 || allowed !== DAGS / 2) throw new Error(`Conductor answered ${res.status} with ${allowed} allowed`)
    return ms
  }
  for (let i = 0; i < 3; i++) await ask()
  const conductorMs: number[] = []
  for (let i = 0; i < CALLS; i++) conductorMs.push(await ask())

  const round1 = (n: number) => Math.round(n * 10) / 10
  const stats = (xs: number[]) => ({ p50: round1(percentile(xs, 50)), p95: round1(percentile(xs, 95)), min: round1(Math.min(...xs)), max: round1(Math.max(...xs)) })
  const figures = {
    host, dags: python.dags, allowedForAlice: python.allowed, calls: CALLS, decisionCacheTtlSeconds: 0,
    filterAuthorizedDagIds: stats(python.managerMs), clientDecide: stats(python.clientMs), conductorFromNode: stats(conductorMs),
  }
  printTable(`filter_authorized_dag_ids, ${DAGS} DAGs, one call each to a real Conductor (${CALLS} calls), ms`, [
    { what: 'filter_authorized_dag_ids (Python manager)', ...figures.filterAuthorizedDagIds, target: 'p50 <= 50' },
    { what: 'ConductorClient.decide alone (Python)', ...figures.clientDecide, target: '-' },
    { what: 'Conductor\'s answer, timed from Node', ...figures.conductorFromNode, target: '-' },
  ])
  writeResults('airflowFilterDagIds', figures)
} finally {
  conductor.stdin!.end()
  await new Promise((done) => { if (conductor.exitCode !== null) done(undefined); else conductor.once('exit', done) })
  rmSync(dir, { recursive: true, force: true })
}
