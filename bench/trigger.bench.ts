import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { startTestApp } from '../harness/app.ts'
import { startStubAirflow } from '../harness/stub-airflow.ts'
import { hostBeforeStart, printHost } from './host.ts'
import { percentile, printTable, writeResults } from './results.ts'

// Conductor's own time per governed trigger (authenticate, authorize, record, audit, dispatch, track),
// measured end to end over loopback HTTP against a stub Airflow that answers at once, beside the disk's fdatasync
// time (two durable commits per trigger: the floor). Through a real Airflow: bench/trigger-airflow.bench.ts.
// Usage: node bench/trigger.bench.ts
const WARMUP = 50
const STUB_TRIGGERS = 500
const TRACED_TRIGGERS = 300

type Timing = { p50: number; p99: number; mean: number; perSecond: number }

async function timeLoop(count: number, once: (i: number) => Promise<void>, between?: () => void): Promise<Timing> {
  const samples: number[] = []
  let aside = 0
  const started = performance.now()
  for (let i = 0; i < count; i++) {
    const t = performance.now()
    await once(i)
    samples.push(performance.now() - t)
    if (between) {
      const b = performance.now()
      between()
      aside += performance.now() - b
    }
  }
  const seconds = (performance.now() - started - aside) / 1000
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), mean: samples.reduce((a, b) => a + b, 0) / samples.length, perSecond: count / seconds }
}

async function post(url: string, token: string, body: unknown, expect: number): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
  await res.arrayBuffer()
  if (res.status !== expect) throw new Error(`${url} answered ${res.status}, expected ${expect}`)
}

// Conductor's limits would pace these sequential triggers; the bench measures Conductor, not its limiter.
const UNLIMITED = { maxConcurrentWrites: 1000, writesPerSecond: 10_000, maxConcurrentReads: 1000, readsPerSecond: 10_000 }
const host = hostBeforeStart()
printHost(host)
const rows: Record<string, string | number>[] = []
const figures: Record<string, unknown> = { host }
const dir = mkdtempSync(join(tmpdir(), 'conductor-bench-'))

// The floor a durable trigger cannot go under on this disk: the two commits (before Airflow is called, after it
// answered; docs/writes.md) each wait for an fsync of SQLite's write-ahead log. One fdatasync of a page, on a file in
// the database's folder, after each trigger through Conductor: the same disk, at the same moments.
const fsyncMs: number[] = []
const probeFd = openSync(join(dir, 'fsync-probe'), 'w')
const probePage = Buffer.alloc(4096, 1)
const probeFsync = () => {
  writeSync(probeFd, probePage)
  const t = performance.now()
  fdatasyncSync(probeFd)
  fsyncMs.push(performance.now() - t)
}

// 1. Against the stub: what Conductor itself costs.
const stub = await startStubAirflow([{ dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['data-eng'] }])
{
  const app = await startTestApp({ databaseUrl: `sqlite:${join(dir, 'stub.db')}`, environments: [{ name: 'local', url: stub.url, limits: UNLIMITED }] })
  try {
    const base = await app.listen()
    await app.governance.catalog.syncAll()
    const alice = await app.tokenFor('alice')
    const url = `${base}/api/v1/environments/local/dags/etl_daily/runs`
    const direct = `${stub.url}/api/v2/dags/etl_daily/dagRuns`
    for (let i = 0; i < WARMUP; i++) await post(url, alice, { conf: { i } }, 201)
    const stubDirect = await timeLoop(STUB_TRIGGERS, (i) => post(direct, 'stub', { dag_run_id: `direct-${i}`, logical_date: null, conf: { i } }, 200))
    const viaConductor = await timeLoop(STUB_TRIGGERS, (i) => post(url, alice, { conf: { i }, reason: 'bench' }, 201), probeFsync)
    const own = { p50: viaConductor.p50 - stubDirect.p50, p99: viaConductor.p99 - stubDirect.p50 }
    rows.push({ target: 'stub Airflow', path: 'direct', triggers: STUB_TRIGGERS, 'p50 ms': stubDirect.p50, 'p99 ms': stubDirect.p99, 'per s': stubDirect.perSecond })
    rows.push({ target: 'stub Airflow', path: 'via Conductor', triggers: STUB_TRIGGERS, 'p50 ms': viaConductor.p50, 'p99 ms': viaConductor.p99, 'per s': viaConductor.perSecond })
    figures.stub = { direct: stubDirect, viaConductor, conductorOwnMs: own }
  } finally {
    await app.close()
  }
}

// 1b. What tracing costs: the same triggers through two Conductors, tracing off and on (exporting to a loopback
// collector that accepts everything), interleaved so load on this shared machine lands on both alike.
{
  let exported = 0
  const collector = createServer((req, res) => {
    req.on('data', (chunk: Buffer) => { exported += chunk.length })
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'))
  })
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve))
  const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}/v1/traces`
  const off = await startTestApp({ databaseUrl: `sqlite:${join(dir, 'off.db')}`, environments: [{ name: 'local', url: stub.url, limits: UNLIMITED }] })
  const on = await startTestApp({
    databaseUrl: `sqlite:${join(dir, 'on.db')}`, environments: [{ name: 'local', url: stub.url, limits: UNLIMITED }], extraConfig: { tracing: { enabled: true, endpoint } },
  })
  try {
    const targets = await Promise.all([off, on].map(async (app) => {
      const base = await app.listen()
      await app.governance.catalog.syncAll()
      return { url: `${base}/api/v1/environments/local/dags/etl_daily/runs`, token: await app.tokenFor('alice'), samples: [] as number[] }
    }))
    for (const t of targets) for (let i = 0; i < WARMUP; i++) await post(t.url, t.token, { conf: { i } }, 201)
    for (let i = 0; i < TRACED_TRIGGERS; i++) {
      for (const t of targets) {
        const started = performance.now()
        await post(t.url, t.token, { conf: { i }, reason: 'bench' }, 201)
        t.samples.push(performance.now() - started)
      }
    }
    const [untraced, traced] = targets.map((t) => ({ p50: percentile(t.samples, 50), p99: percentile(t.samples, 99) }))
    rows.push({ target: 'stub Airflow', path: 'via Conductor, tracing off', triggers: TRACED_TRIGGERS, 'p50 ms': untraced!.p50, 'p99 ms': untraced!.p99, 'per s': 1000 / untraced!.p50 })
    rows.push({ target: 'stub Airflow', path: 'via Conductor, tracing on', triggers: TRACED_TRIGGERS, 'p50 ms': traced!.p50, 'p99 ms': traced!.p99, 'per s': 1000 / traced!.p50 })
    figures.tracing = { off: untraced, on: traced, costP50Ms: traced!.p50 - untraced!.p50 }
  } finally {
    await off.close()
    await on.close()
    await new Promise((resolve) => collector.close(resolve))
  }
  // Read after `close`, which flushes the spans still queued.
  figures.tracing = { ...figures.tracing as object, exportedBytes: exported }
}
await stub.close()

closeSync(probeFd)
figures.fsync = { probes: fsyncMs.length, p50: percentile(fsyncMs, 50), p99: percentile(fsyncMs, 99), commitsPerTrigger: 2 }
rmSync(dir, { recursive: true, force: true })

printTable('Governed trigger latency (sequential, loopback HTTP)', rows)
const own = (figures.stub as { conductorOwnMs: { p50: number; p99: number } }).conductorOwnMs
const floor = 2 * percentile(fsyncMs, 50)
figures.conductorOwnBeyondCommitsMsP50 = own.p50 - floor
printTable("Conductor's own time per trigger (ms)", [
  { figure: 'own time p50', measured: own.p50, target: '<= 2' },
  { figure: 'own time p99', measured: own.p99, target: '<= 6' },
  { figure: `disk fdatasync p50 (p99 ${percentile(fsyncMs, 99).toFixed(2)})`, measured: percentile(fsyncMs, 50), target: '-' },
  { figure: 'own time p50 less 2 fdatasync p50 (durable commits)', measured: own.p50 - floor, target: '-' },
])
const tracing = figures.tracing as { costP50Ms: number; exportedBytes: number }
console.log(`Tracing on costs ${tracing.costP50Ms.toFixed(2)} ms per trigger at p50 (${tracing.exportedBytes} bytes of spans exported)`)
writeResults('trigger', figures)
