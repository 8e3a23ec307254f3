// The latency the Conductor auth manager adds to an Airflow UI page: the API calls Airflow 3.3.2's DAG list page
// makes on load, against a real Airflow with the SimpleAuthManager (admin), then, in the same run, against a real
// Airflow with the Conductor auth manager asking a real Conductor on loopback (alice, data-eng). Same DAGs (dags/),
// same calls, same schedule. One Airflow at a time (two shared cores).
//
// Each round: 1.1 s idle (longer than the manager's default 1 s decision cache, so its answers have expired), the
// page's calls fired together as the browser does ("cold"), at once the same page again ("warm": answers cached),
// then 1.1 s idle and each call alone, one after the other (per-call figures). The cold page is what a person
// clicking through the UI sees; warm is a burst (several tabs, polling).
//
//   node bench/airflow-ui.bench.ts            (BENCH_ROUNDS=30 by default)
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { setTimeout as delay } from 'node:timers/promises'
import { adminToken, startAirflow } from '../harness/airflow.ts'
import { startAirflowWithConductor } from '../harness/airflow-with-conductor.ts'
import { hostBeforeStart, printHost } from './host.ts'
import { percentile, printTable, writeResults } from './results.ts'

/** What the DAG list page (`/dags`) of Airflow 3.3.2's UI asked for on load, recorded from Chromium (two `/api/v2/version` calls: one kept). */
const PAGE_CALLS = [
  '/api/v2/version',
  '/ui/config',
  '/ui/auth/menus',
  '/ui/auth/me',
  '/api/v2/plugins',
  '/api/v2/dagTags?limit=10&offset=0&order_by=name&tag_name_prefix_pattern=',
  '/api/v2/importErrors?limit=1',
  '/api/v2/dags/~/dagRuns?limit=1&state=running&state=queued',
  '/ui/dags?dag_runs_limit=14&limit=50&offset=0&tags_match_mode=any&exclude_stale=true&order_by=dag_display_name',
]
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30)
const WARMUP = 3
const IDLE_MS = 1100
const DAGS = join(import.meta.dirname, '..', 'dags')

interface Samples { cold: number[]; warm: number[]; perCall: Record<string, number[]> }

async function get(base: string, path: string, token: string): Promise<{ ms: number; status: number; body: string }> {
  const started = performance.now()
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(30_000) })
  const body = await res.text()
  return { ms: performance.now() - started, status: res.status, body }
}

/** The page's calls together; fails on any answer but 200. */
async function page(base: string, token: string): Promise<number> {
  const started = performance.now()
  const answers = await Promise.all(PAGE_CALLS.map((path) => get(base, path, token)))
  const bad = answers.findIndex((a) => a.status !== 200)
  if (bad >= 0) throw new Error(`${PAGE_CALLS[bad]} answered ${answers[bad]!.status}: ${answers[bad]!.body.slice(0, 200)}`)
  return performance.now() - started
}

/** The DAG ids the page's DAG list shows to the token's user. */
async function listed(base: string, token: string): Promise<string[]> {
  const answer = await get(base, PAGE_CALLS.at(-1)!, token)
  if (answer.status !== 200) throw new Error(`/ui/dags answered ${answer.status}`)
  return (JSON.parse(answer.body) as { dags: { dag_id: string }[] }).dags.map((d) => d.dag_id).sort()
}

async function measure(base: string, token: string): Promise<Samples> {
  for (let i = 0; i < WARMUP; i++) await page(base, token)
  const samples: Samples = { cold: [], warm: [], perCall: Object.fromEntries(PAGE_CALLS.map((p) => [p, []])) }
  for (let round = 0; round < ROUNDS; round++) {
    await delay(IDLE_MS)
    samples.cold.push(await page(base, token))
    samples.warm.push(await page(base, token))
    await delay(IDLE_MS)
    for (const path of PAGE_CALLS) {
      const answer = await get(base, path, token)
      if (answer.status !== 200) throw new Error(`${path} answered ${answer.status}`)
      samples.perCall[path]!.push(answer.ms)
    }
  }
  return samples
}

const host = hostBeforeStart()
printHost(host)

console.log('Airflow with the SimpleAuthManager (admin) …')
const simpleAirflow = await startAirflow({ dagsFolders: [DAGS] })
let simple: Samples
let simpleSees: string[]
try {
  const token = await adminToken(simpleAirflow)
  simpleSees = await listed(simpleAirflow.url, token)
  simple = await measure(simpleAirflow.url, token)
} finally {
  await simpleAirflow.stop()
}

console.log('Airflow with the Conductor auth manager (alice) …')
const pair = await startAirflowWithConductor({ dagsFolders: [DAGS] })
let conductor: Samples
let aliceSees: string[]
const conductorCalls = { coldPage: 0, warmPage: 0 }
try {
  const token = await pair.airflowTokenFor('alice')
  aliceSees = await listed(pair.airflow.url, token)
  if (aliceSees.join() !== 'etl_daily') throw new Error(`alice should see exactly etl_daily, saw ${aliceSees.join(', ')}`)
  conductor = await measure(pair.airflow.url, token)
  // How many decision calls reach Conductor for one page, cold and warm (each is one airflow.authorize audit event).
  const events = async () => (await pair.app.audit.query({ type: 'airflow.authorize', principal: 'alice', limit: 1000, afterSeq: 0 })).length
  await delay(IDLE_MS)
  let before = await events()
  await page(pair.airflow.url, token)
  conductorCalls.coldPage = (await events()) - before
  before = await events()
  await page(pair.airflow.url, token)
  conductorCalls.warmPage = (await events()) - before
} finally {
  await pair.stop()
}

const round2 = (n: number) => Math.round(n * 100) / 100
const stats = (xs: number[]) => ({ p50: round2(percentile(xs, 50)), p95: round2(percentile(xs, 95)) })
const figures = {
  host, rounds: ROUNDS, calls: PAGE_CALLS,
  dagsShown: { simpleAdmin: simpleSees, conductorAlice: aliceSees },
  page: {
    simple: { cold: stats(simple.cold), warm: stats(simple.warm) },
    conductor: { cold: stats(conductor.cold), warm: stats(conductor.warm) },
  },
  p50Ratio: { cold: round2(percentile(conductor.cold, 50) / percentile(simple.cold, 50)), warm: round2(percentile(conductor.warm, 50) / percentile(simple.warm, 50)) },
  conductorDecisionCallsPerPage: conductorCalls,
  perCall: Object.fromEntries(PAGE_CALLS.map((p) => [p, { simple: stats(simple.perCall[p]!), conductor: stats(conductor.perCall[p]!) }])),
}

printTable(`DAG list page of Airflow's UI: its ${PAGE_CALLS.length} API calls together, ms (${ROUNDS} rounds)`, [
  { manager: 'SimpleAuthManager', 'cold p50': figures.page.simple.cold.p50, 'cold p95': figures.page.simple.cold.p95, 'warm p50': figures.page.simple.warm.p50, 'warm p95': figures.page.simple.warm.p95 },
  { manager: 'Conductor', 'cold p50': figures.page.conductor.cold.p50, 'cold p95': figures.page.conductor.cold.p95, 'warm p50': figures.page.conductor.warm.p50, 'warm p95': figures.page.conductor.warm.p95 },
])
console.log(`p50 ratio Conductor : SimpleAuthManager — cold ${figures.p50Ratio.cold}×, warm ${figures.p50Ratio.warm}×`)
console.log(`decision calls to Conductor per page: cold ${conductorCalls.coldPage}, warm ${conductorCalls.warmPage}`)
printTable('Each call alone (after 1.1 s idle, one after the other), ms', PAGE_CALLS.map((p) => ({
  call: p.split('?')[0]!, 'simple p50': figures.perCall[p]!.simple.p50, 'simple p95': figures.perCall[p]!.simple.p95,
  'conductor p50': figures.perCall[p]!.conductor.p50, 'conductor p95': figures.perCall[p]!.conductor.p95,
})))
writeResults('airflowUi', figures)
