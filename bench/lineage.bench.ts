/**
 * OpenLineage at the size of an organisation (docs/lineage.md):
 * - the intake: task events as Airflow's OpenLineage provider posts them (a START and a COMPLETE per task, two inputs and
 *   two outputs each), over loopback HTTP with a service account's API token, each validated, joined to the request
 *   Conductor triggered, stored with its datasets and put in the outbox for one endpoint; beside a plain authenticated
 *   read (`GET /api/v1/me`) in the same run, so the ratio says what an event costs over any request;
 * - what each DAG is known to write (policy's `context.lineage`): loading it at start from BENCH_LINEAGE_DAGS DAGs ×
 *   BENCH_LINEAGE_DATASETS datasets written (default 2,000 × 100, 200,000 rows), and its memory;
 * - a `dag:trigger` decision with that context beside one without it, decision cache off, in the same run;
 * - the dataset page (`GET /api/v1/lineage/dataset`, one write per task run) of a table written by BENCH_LINEAGE_HOT
 *   task runs (default 10,000, a START and a COMPLETE each), beside `GET /me`;
 * - pruning (`lineage.retentionDays`) those events and rows once they are old, every DAG's newest write kept.
 * Run: `node bench/lineage.bench.ts` (SQLite on a temporary file).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import type { Kysely } from 'kysely'
import pino from 'pino'
import { startTestApp } from '../harness/app.ts'
import { startStubAirflow } from '../harness/stub-airflow.ts'
import { createLineageIndex, parentRunId, type LineageTables } from '../src/governance/index.ts'
import { createPolicyEngine, type AuthorizationRequest } from '../src/policy/index.ts'
import { hostBeforeStart, printHost } from './host.ts'
import { percentile, printTable, writeResults } from './results.ts'

const EVENTS = 1000
const READS = 1000
const DAGS = Number(process.env.BENCH_LINEAGE_DAGS ?? 2000)
const DATASETS = Number(process.env.BENCH_LINEAGE_DATASETS ?? 100)
const DECISIONS = 20_000
const HOT = Number(process.env.BENCH_LINEAGE_HOT ?? 10_000)
const PAGES = 200
const PRODUCER = 'https://github.com/apache/airflow/tree/providers-openlineage/2.20.3'
const UNLIMITED = { maxConcurrentWrites: 1000, writesPerSecond: 10_000, maxConcurrentReads: 1000, readsPerSecond: 10_000 }

const host = hostBeforeStart()
printHost(host)
const dir = mkdtempSync(join(tmpdir(), 'conductor-bench-lineage-'))
const stub = await startStubAirflow([{ dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['data-eng'] }])
// The lineage backend: answers every event at once.
const receiver = createServer((req, res) => { req.resume(); req.on('end', () => res.writeHead(200).end()) })
await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done))
const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/v1/lineage`
const app = await startTestApp({
  databaseUrl: `sqlite:${join(dir, 'conductor.db')}`, environments: [{ name: 'local', url: stub.url, retries: 0, limits: UNLIMITED }],
  extraConfig: { lineage: { endpoints: [{ name: 'marquez', url: receiverUrl }], deliveryIntervalSeconds: 1, retentionDays: 7 } },
})
const base = await app.listen()
await app.governance.catalog.syncAll()
const alice = await app.tokenFor('alice')
const call = async (method: string, path: string, token: string, body?: unknown) => {
  const res = await fetch(`${base}/api/v1${path}`, {
    method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  })
  const text = await res.text()
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`)
  return JSON.parse(text) as Record<string, unknown>
}
await call('POST', '/service-accounts', alice, { name: 'airflow-lineage', description: 'bench', owner: { type: 'Group', id: 'data-eng' }, groups: ['data-eng'] })
const token = (await call('POST', '/service-accounts/airflow-lineage/tokens', alice, { name: 'ol', expiresInDays: 30, actions: ['lineage:write'] })).token as string
const triggered = await call('POST', '/environments/local/dags/etl_daily/runs', alice, { conf: {} }) as { request: { id: string }; run: { runId: string } }
const parent = parentRunId(triggered.request.id)

/** The i-th task event: task i/2, START then COMPLETE, reading two tables and writing two. */
const event = (i: number) => {
  const task = Math.floor(i / 2)
  const facet = (schema: string) => ({ _producer: PRODUCER, _schemaURL: `https://openlineage.io/spec/facets/${schema}` })
  return {
    eventType: i % 2 === 0 ? 'START' : 'COMPLETE', eventTime: new Date(Date.UTC(2026, 10, 30, 8, 0, 0, i)).toISOString(), producer: PRODUCER,
    schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
    run: {
      runId: `01934f4a-7c2e-7b7e-9a43-${String(task).padStart(12, '0')}`,
      facets: {
        parent: { ...facet('1-1-0/ParentRunFacet.json'), run: { runId: parent }, job: { namespace: 'conductor', name: 'dag:trigger/local/etl_daily' }, root: { run: { runId: parent }, job: { namespace: 'conductor', name: 'dag:trigger/local/etl_daily' } } },
        airflowDagRun: { ...facet('1-0-0/airflowDagRun.json'), dagRun: { dag_id: 'etl_daily', run_id: triggered.run.runId } },
      },
    },
    job: { namespace: 'local', name: `etl_daily.task_${task}` },
    inputs: [{ namespace: 'postgres://db:5432', name: `sales.public.orders_${task % 50}` }, { namespace: 'postgres://db:5432', name: 'sales.public.customers' }],
    outputs: [{ namespace: 's3://lake', name: `staging/orders_${task}.parquet` }, { namespace: 's3://lake', name: `daily/sales_${task % 20}` }],
  }
}

const timed = async (count: number, once: (i: number) => Promise<unknown>) => {
  const samples: number[] = []
  const started = performance.now()
  for (let i = 0; i < count; i++) {
    const t = performance.now()
    await once(i)
    samples.push(performance.now() - t)
  }
  return { perSecond: count / ((performance.now() - started) / 1000), p50: percentile(samples, 50), p99: percentile(samples, 99) }
}
for (let i = 0; i < 20; i++) await call('GET', '/me', token)
const reads = await timed(READS, () => call('GET', '/me', token))
const intake = await timed(EVENTS, (i) => call('POST', '/lineage', token, event(i)))

// What each DAG is known to write, loaded from DAGS × DATASETS stored output rows (what a replica reads at start).
const db = app.database.db as unknown as Kysely<LineageTables>
const at = Date.UTC(2026, 10, 1)
for (let d = 0; d < DAGS; d++) {
  const rows = Array.from({ length: DATASETS }, (_, k) => ({
    event_id: `${new Date(at + d * DATASETS + k).toISOString()}-${String(d).padStart(9, '0')}-${k}`, run_id: `run-${d}-${k}`, direction: 'output' as const, namespace: 's3://lake', name: `dag_${d}/table_${k}`,
    environment: 'prod', dag_id: `dag_${d}`, request_id: null, job_name: `dag_${d}.load`, event_time: new Date(at).toISOString(), tags: JSON.stringify(k === 0 && d % 10 === 0 ? ['pii'] : []),
  }))
  for (let i = 0; i < rows.length; i += 200) await db.insertInto('lineage_datasets').values(rows.slice(i, i + 200)).execute()
}
global.gc?.()
const heapBefore = process.memoryUsage().heapUsed
const index = createLineageIndex({ db, logger: pino({ level: 'silent' }) })
const loadStarted = performance.now()
await index.refresh()
const loadMs = performance.now() - loadStarted
global.gc?.()
const heapMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20
const size = index.size()

// A dag:trigger decision with context.lineage (a DAG known to write DATASETS datasets) beside one without the index.
const folder = join(import.meta.dirname, '..', 'policies')
const withLineage = await createPolicyEngine({ folder, lineage: index, decisionCacheSize: 0 })
const without = await createPolicyEngine({ folder, decisionCacheSize: 0 })
const request = (d: number): AuthorizationRequest => ({
  principal: { type: 'User', id: 'alice', groups: ['data-eng'] }, action: 'dag:trigger',
  resource: { environment: { name: 'prod', zone: 'eu', tier: 'prod' }, dag: { dagId: `dag_${d % DAGS}`, tags: ['team:data-eng'], owners: ['data-eng'], paused: false } },
  context: {},
} as AuthorizationRequest)
const decide = (engine: typeof without) => {
  for (let i = 0; i < 2000; i++) engine.authorize(request(i))
  const started = performance.now()
  let denied = 0
  for (let i = 0; i < DECISIONS; i++) if (engine.authorize(request(i)).decision === 'deny') denied++
  return { perSecond: DECISIONS / ((performance.now() - started) / 1000), denied }
}
const plain = decide(without)
const lineaged = decide(withLineage)

// A table written by HOT task runs of one DAG, 30 days ago: a START and a COMPLETE naming it each (the page shows one
// row per task run), stored as the intake stores them.
const hotTable = { namespace: 's3://lake', name: 'warehouse/hot_table' }
const old = Date.UTC(2026, 9, 1)
for (let i = 0; i < HOT * 2; i += 500) {
  const events = Array.from({ length: Math.min(500, HOT * 2 - i) }, (_, k) => {
    const n = i + k
    const time = new Date(old + n * 1000).toISOString()
    return {
      id: `${time}-${String(n).padStart(9, '0')}-hot`, event_key: `hot-${n}`, source: 'intake', run_id: `hot-run-${Math.floor(n / 2)}`, parent_run_id: parent, request_id: triggered.request.id,
      environment: 'local', dag_id: 'etl_daily', airflow_run_id: triggered.run.runId, job_namespace: 'local', job_name: 'etl_daily.load', event_type: n % 2 === 0 ? 'START' : 'COMPLETE',
      event_time: time, inputs: '[]', outputs: JSON.stringify([hotTable]), raw: '{}', principal_id: 'airflow-lineage', received_at: time,
    }
  })
  await db.insertInto('lineage_events').values(events).execute()
  await db.insertInto('lineage_datasets').values(events.map((e) => ({
    event_id: e.id, run_id: e.run_id, direction: 'output' as const, ...hotTable, environment: 'local', dag_id: 'etl_daily', request_id: e.request_id, job_name: e.job_name, event_time: e.event_time, tags: '[]',
  }))).execute()
}
const hotUrl = `/lineage/dataset?namespace=${encodeURIComponent(hotTable.namespace)}&name=${encodeURIComponent(hotTable.name)}&limit=50`
const first = await call('GET', hotUrl, alice) as { writes: unknown[] }
if (first.writes.length !== 50) throw new Error(`the hot table's page has ${first.writes.length} writes`)
for (let i = 0; i < 20; i++) await call('GET', '/me', alice)
const meAgain = await timed(PAGES, () => call('GET', '/me', alice))
const page = await timed(PAGES, () => call('GET', hotUrl, alice))
const pruneStarted = performance.now()
const pruned = (await app.lineage.prune())!
const pruneMs = performance.now() - pruneStarted

const rows = [
  { measure: 'authenticated read GET /me (loopback HTTP)', figure: `${Math.round(reads.perSecond)}/s`, p50: reads.p50.toFixed(2), p99: reads.p99.toFixed(2) },
  { measure: 'lineage intake POST /lineage: validate, join, store, outbox', figure: `${Math.round(intake.perSecond)}/s`, p50: intake.p50.toFixed(2), p99: intake.p99.toFixed(2) },
  { measure: 'intake cost : read cost', figure: `${(reads.perSecond / intake.perSecond).toFixed(2)}×`, p50: '', p99: '' },
  { measure: `writes index load (${size.dags} DAGs, ${size.datasets} datasets)`, figure: `${Math.round(loadMs)} ms`, p50: '', p99: '' },
  { measure: 'writes index heap', figure: `${heapMiB.toFixed(1)} MiB`, p50: '', p99: '' },
  { measure: 'dag:trigger decisions, no lineage context', figure: `${Math.round(plain.perSecond)}/s`, p50: '', p99: '' },
  { measure: `dag:trigger decisions with context.lineage (${DATASETS} writes)`, figure: `${Math.round(lineaged.perSecond)}/s (${lineaged.denied} pii denials)`, p50: '', p99: '' },
  { measure: 'decision cost with : without lineage', figure: `${(plain.perSecond / lineaged.perSecond).toFixed(2)}×`, p50: '', p99: '' },
  { measure: `dataset page, a table written by ${HOT} task runs (50 per page)`, figure: `${Math.round(page.perSecond)}/s`, p50: page.p50.toFixed(2), p99: page.p99.toFixed(2) },
  { measure: 'dataset page cost : GET /me cost', figure: `${(meAgain.perSecond / page.perSecond).toFixed(2)}×`, p50: meAgain.p50.toFixed(2), p99: meAgain.p99.toFixed(2) },
  { measure: `prune older than 7 days (${pruned.events} events, ${pruned.datasets} dataset rows deleted)`, figure: `${Math.round(pruneMs)} ms`, p50: '', p99: '' },
]
printTable('OpenLineage: intake, the writes index, decisions with context.lineage', rows)
writeResults('lineage', {
  host, events: EVENTS, intakePerSecond: Math.round(intake.perSecond), intakeP99Ms: Number(intake.p99.toFixed(2)), readPerSecond: Math.round(reads.perSecond),
  intakeToReadCost: Number((reads.perSecond / intake.perSecond).toFixed(2)), index: { ...size, loadMs: Math.round(loadMs), heapMiB: Number(heapMiB.toFixed(1)) },
  decisionsPerSecond: { without: Math.round(plain.perSecond), with: Math.round(lineaged.perSecond), ratio: Number((plain.perSecond / lineaged.perSecond).toFixed(2)) },
  datasetPage: { taskRuns: HOT, perSecond: Math.round(page.perSecond), p50Ms: Number(page.p50.toFixed(2)), p99Ms: Number(page.p99.toFixed(2)), toReadCost: Number((meAgain.perSecond / page.perSecond).toFixed(2)) },
  prune: { ms: Math.round(pruneMs), ...pruned },
})
await app.close()
await new Promise((done) => receiver.close(done))
await stub.close()
rmSync(dir, { recursive: true, force: true })
