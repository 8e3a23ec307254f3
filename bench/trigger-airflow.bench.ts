// What a person sees when triggering through Conductor instead of calling Airflow directly: a real Airflow 3 (started
// here with the project's DAGs, or the one named by CONDUCTOR_TEST_AIRFLOW_URL/_USER/_PASSWORD) and a real Conductor
// (SQLite, development issuer) in front of it, on loopback. N sequential triggers of `etl_daily`, interleaved
// (direct, through, direct, through, …) so the load of this shared machine lands on both paths alike:
// - direct: `POST /api/v2/dags/etl_daily/dagRuns` with an admin JWT, as a script would;
// - direct with a note: the same, with a run note as long as the one Conductor writes (Airflow stores it in a table of
//   its own: that write is Airflow's, so this path tells Conductor's share apart from the note's);
// - through Conductor: `POST /api/v1/environments/local/dags/etl_daily/runs` as alice (authenticate, authorize, record,
//   audit, dispatch to that same Airflow, track).
// Target: p50 through Conductor <= 1.10x p50 direct (both ratios are printed). Airflow's metadata is on PostgreSQL when DATABASE_URL is set.
//
//   node bench/trigger-airflow.bench.ts       (BENCH_TRIGGERS=200 by default)
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { adminToken, postgresServer, useAirflow } from '../harness/airflow.ts'
import { startTestApp } from '../harness/app.ts'
import { hostBeforeStart, printHost } from './host.ts'
import { percentile, printTable, writeResults } from './results.ts'

const TRIGGERS = Number(process.env.BENCH_TRIGGERS ?? 200)
const WARMUP = 10
const TARGET_RATIO = 1.1
// Conductor's limits would pace these sequential triggers; the bench measures Conductor, not its limiter.
const UNLIMITED = { maxConcurrentWrites: 1000, writesPerSecond: 10_000, maxConcurrentReads: 1000, readsPerSecond: 10_000 }

/** One POST, timed from the request leaving to the whole answer read; fails on any other status than `expect`. */
async function post(url: string, token: string, body: unknown, expect: number): Promise<number> {
  const started = performance.now()
  const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(30_000) })
  const text = await res.text()
  const ms = performance.now() - started
  if (res.status !== expect) throw new Error(`${url} answered ${res.status} (expected ${expect}): ${text.slice(0, 300)}`)
  return ms
}

async function setPaused(base: string, token: string, paused: boolean): Promise<void> {
  const res = await fetch(`${base}/api/v2/dags/etl_daily?update_mask=is_paused`, { method: 'PATCH', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ is_paused: paused }) })
  await res.arrayBuffer()
  if (res.status !== 200) throw new Error(`pausing etl_daily answered ${res.status}`)
}

const host = hostBeforeStart()
printHost(host)
const postgres = postgresServer(process.env.DATABASE_URL)
const started = Date.now()
const airflow = await useAirflow({ dagsFolders: [join(import.meta.dirname, '..', 'dags')], postgres })
console.log(`Airflow ${airflow.version} at ${airflow.url} (metadata on ${postgres ? 'PostgreSQL' : 'SQLite'}), ready in ${Math.round((Date.now() - started) / 1000)} s`)
const folder = await mkdtemp(join(tmpdir(), 'conductor-bench-trigger-airflow-'))
const app = await startTestApp({
  databaseUrl: `sqlite:${join(folder, 'conductor.db')}`,
  environments: [{ name: 'local', url: airflow.url, username: airflow.username, password: airflow.password, limits: UNLIMITED }],
})
try {
  const base = await app.listen()
  await app.governance.catalog.syncAll()
  const alice = await app.tokenFor('alice')
  const token = await adminToken(airflow)
  // Paused, so the queued runs do not load the scheduler (on the same two cores) while we measure the API.
  await setPaused(airflow.url, token, true)
  const direct = `${airflow.url}/api/v2/dags/etl_daily/dagRuns`
  const through = `${base}/api/v1/environments/local/dags/etl_daily/runs`
  const stamp = Date.now()
  const samples = { direct: [] as number[], directNote: [] as number[], through: [] as number[] }
  const note = `Triggered through Airflow Conductor by User alice (Alice Example).\nRequest req_${'x'.repeat(26)}; allowed by policy data-eng-trigger.\nGroups: data-eng.`
  const paths = (i: number) => [
    () => post(direct, token, { dag_run_id: `bench_${stamp}_${i}`, logical_date: null, conf: {} }, 200).then((ms) => samples.direct.push(ms)),
    () => post(direct, token, { dag_run_id: `bench_note_${stamp}_${i}`, logical_date: null, conf: {}, note }, 200).then((ms) => samples.directNote.push(ms)),
    () => post(through, alice, { conf: {} }, 201).then((ms) => samples.through.push(ms)),
  ]
  try {
    for (let i = 0; i < WARMUP; i++) for (const p of paths(TRIGGERS + i)) await p()
    samples.direct.length = samples.directNote.length = samples.through.length = 0
    for (let i = 0; i < TRIGGERS; i++) {
      // Rotate which goes first, so none always follows another's Airflow write.
      const round = paths(i)
      for (let k = 0; k < round.length; k++) await round[(i + k) % round.length]!()
    }
  } finally {
    await setPaused(airflow.url, token, false)
  }
  const stats = (xs: number[]) => ({ p50: percentile(xs, 50), p99: percentile(xs, 99), mean: xs.reduce((a, b) => a + b, 0) / xs.length })
  const d = stats(samples.direct)
  const n = stats(samples.directNote)
  const t = stats(samples.through)
  const ratio = t.p50 / d.p50
  const ratioNote = t.p50 / n.p50
  const figures = {
    triggers: TRIGGERS, airflowVersion: airflow.version, airflowMetadata: postgres ? 'postgresql' : 'sqlite', conductorDatabase: 'sqlite',
    directMs: d, directWithNoteMs: n, throughConductorMs: t, addedMsP50: t.p50 - d.p50, ratioP50: ratio, ratioP50VsDirectWithNote: ratioNote, target: TARGET_RATIO, met: ratio <= TARGET_RATIO,
    host,
  }
  printTable(`Trigger etl_daily on a real Airflow ${airflow.version}: ${TRIGGERS} sequential, interleaved (ms)`, [
    { path: 'directly to Airflow', 'p50': d.p50, 'p99': d.p99, 'mean': d.mean },
    { path: 'directly, with a run note', 'p50': n.p50, 'p99': n.p99, 'mean': n.mean },
    { path: 'through Conductor', 'p50': t.p50, 'p99': t.p99, 'mean': t.mean },
  ])
  console.log(`p50 ratio through Conductor : direct = ${ratio.toFixed(3)}x (target <= ${TARGET_RATIO}x, ${ratio <= TARGET_RATIO ? 'met' : 'NOT met'}); Conductor adds ${(t.p50 - d.p50).toFixed(2)} ms at p50`)
  console.log(`p50 ratio through Conductor : direct with the same note = ${ratioNote.toFixed(3)}x`)
  writeResults('triggerAirflow', figures)
} finally {
  await app.close()
  await airflow.stop()
  await rm(folder, { recursive: true, force: true })
}
