import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { performance } from 'node:perf_hooks'
import { startTestApp } from '../harness/app.ts'
import { engines } from '../harness/databases.ts'
import { startStubAirflow } from '../harness/stub-airflow.ts'
import { hostBeforeStart, printHost } from './host.ts'
import { percentile, printTable, writeResults } from './results.ts'

// How long an approval takes to become a run: from the moment dave's approving call leaves (loopback HTTP to
// Conductor's API) to the moment the trigger it causes arrives at the orchestrator. The orchestrator is the stub Airflow
// (it answers at once) behind a forwarder that notes when each trigger's request arrives, so the figure is Conductor's:
// authenticate, load the request, check the approver (groups, request:approve policy), record the verdict, audit it,
// count the approvals, move pending → allowed, check the input hash, replay the call, audit dispatch.sent, send.
// Also the approving call's full round trip (which includes the orchestrator's answer, tracking and dispatch.result).
// On SQLite always, and on PostgreSQL when DATABASE_URL names one. Usage: node bench/approval-dispatch.bench.ts
const WARMUP = 20
const REQUESTS = Number(process.env.BENCH_APPROVALS ?? 250)
const UNLIMITED = { maxConcurrentWrites: 1000, writesPerSecond: 10_000, maxConcurrentReads: 1000, readsPerSecond: 10_000 }

const host = hostBeforeStart()
printHost(host)

async function post(url: string, token: string, body: unknown, expect: number): Promise<Record<string, unknown>> {
  const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const json = await res.json() as Record<string, unknown>
  if (res.status !== expect) throw new Error(`${url} answered ${res.status}, expected ${expect}: ${JSON.stringify(json)}`)
  return json
}

/** A forwarder to `target` that calls `arrived` when a trigger (POST …/dagRuns) arrives, before forwarding it. */
async function timestampingForwarder(target: string, arrived: () => void) {
  const server = createServer((req, res) => {
    if (req.method === 'POST' && /\/dagRuns$/.test(req.url ?? '')) arrived()
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', async () => {
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'connection', 'content-length'].includes(k))) as Record<string, string>
      const answer = await fetch(`${target}${req.url}`, { method: req.method!, headers, ...(chunks.length ? { body: Buffer.concat(chunks) } : {}) })
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' })
      res.end(Buffer.from(await answer.arrayBuffer()))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }),
  }
}

const rows: Record<string, string | number>[] = []
const figures: Record<string, unknown> = { requests: REQUESTS, host }
for (const engine of engines()) {
  const database = await engine.open()
  const stub = await startStubAirflow([{ dagId: 'payroll', tags: ['sensitive'], owners: ['finance'] }])
  let arrivedAt: number | undefined
  const forwarder = await timestampingForwarder(stub.url, () => { arrivedAt = performance.now() })
  const app = await startTestApp({ databaseUrl: database.url, environments: [{ name: 'local', url: forwarder.url, limits: UNLIMITED, retries: 0 }] })
  try {
    const base = await app.listen()
    await app.governance.catalog.syncAll()
    const [alice, dave] = [await app.tokenFor('alice'), await app.tokenFor('dave')]
    const trigger = `${base}/api/v1/environments/local/dags/payroll/runs`
    const ids: string[] = []
    for (let i = 0; i < WARMUP + REQUESTS; i++) ids.push(((await post(trigger, alice, { conf: { i }, reason: 'bench' }, 202)).request as { id: string }).id)
    const toDispatch: number[] = []
    const roundTrip: number[] = []
    for (const [i, id] of ids.entries()) {
      arrivedAt = undefined
      const started = performance.now()
      const answer = await post(`${base}/api/v1/requests/${id}/approve`, dave, {}, 200)
      const ended = performance.now()
      if (answer.state !== 'succeeded' || arrivedAt === undefined) throw new Error(`request ${id} did not run: ${JSON.stringify(answer)}`)
      if (i < WARMUP) continue
      toDispatch.push(arrivedAt - started)
      roundTrip.push(ended - started)
    }
    const runs = stub.runs.get('payroll')?.length ?? 0
    if (runs !== ids.length) throw new Error(`the stub has ${runs} runs for ${ids.length} approvals`)
    const timing = (s: number[]) => ({ p50: percentile(s, 50), p99: percentile(s, 99), mean: s.reduce((a, b) => a + b, 0) / s.length })
    const figure = { approveToDispatchMs: timing(toDispatch), approveRoundTripMs: timing(roundTrip) }
    figures[engine.name] = figure
    rows.push({ engine: engine.name, measure: 'approve → trigger at Airflow', approvals: REQUESTS, 'p50 ms': figure.approveToDispatchMs.p50, 'p99 ms': figure.approveToDispatchMs.p99, 'mean ms': figure.approveToDispatchMs.mean })
    rows.push({ engine: engine.name, measure: 'approving call round trip', approvals: REQUESTS, 'p50 ms': figure.approveRoundTripMs.p50, 'p99 ms': figure.approveRoundTripMs.p99, 'mean ms': figure.approveRoundTripMs.mean })
  } finally {
    await app.close()
    await forwarder.close()
    await stub.close()
    await database.close()
  }
}

printTable('From approving a pending request to its trigger reaching Airflow (sequential, loopback HTTP, stub Airflow)', rows)
writeResults('approvalDispatch', figures)
