import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs'
import { createServer as createHttpServer, request as httpRequest, type Server as HttpServer } from 'node:http'
import { connect, createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { eventually } from '../../harness/poll.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { freePort, logTail, stopGroup } from '../../harness/processes.ts'
import { startStubAirflow, type StubAirflow, type StubDag } from '../../harness/stub-airflow.ts'
import { startDevIssuer, type DevIssuer } from '../../src/identity/index.ts'
import { openDatabase, type Database } from '../../src/store/index.ts'
import { policiesWithQa } from '../support/policies.ts'

// Several `conductor serve` processes on one PostgreSQL behind one address (a round-robin TCP proxy), against a stub
// Airflow: one is killed with SIGKILL in the middle of a trigger burst, another in the middle of a catalog sync.
// Nothing acknowledged may be lost, nothing done twice, and the background work must move to a survivor within the
// lease time. PostgreSQL only (replicas share PostgreSQL): runs when DATABASE_URL=postgres://… is set, in the
// integration tier's PostgreSQL pass.

const root = new URL('../..', import.meta.url).pathname
const cliMain = join(root, 'src/cli/main.ts')
const LEASE_SECONDS = 3
/** Takeover: the lease's expiry plus one keeper tick (a third of the lease), with slack for a loaded machine. */
const TAKEOVER_MS = LEASE_SECONDS * 1000 * (4 / 3) + 3_000
const DAG = 'qa_etl'
const TRIGGERS = 40
const CONCURRENCY = 4
const KILL_AFTER_ACKS = 12
const UNSETTLED = ['allowed', 'dispatching', 'unknown']
const BACKGROUND = ['catalog-sync', 'dispatch-resolver', 'webhook-outbox', 'schedules', 'links', 'audit-stream:siem', 'audit-checkpoints', 'review-findings', 'review-reminders']

interface Replica {
  name: string
  port: number
  /** What this replica asked of Airflow, through its own front to the shared stub. */
  front: AirflowFront
  child: ChildProcess
  stop(): Promise<void>
  kill(): Promise<void>
}

/** A loopback HTTP proxy in front of the stub Airflow for one replica: counts its calls and can slow its DAG listing. */
interface AirflowFront {
  url: string
  /** `GET /api/v2/dags` (the catalog sync's listing): started and finished. */
  listings: { started: number; finished: number }
  /** Trigger calls (`POST …/dagRuns`). */
  triggers: number
  /** Delay of each DAG listing, in ms (a slow Airflow, so a sync can be caught in the middle). */
  listDelayMs: number
  close(): Promise<void>
}

async function startFront(target: string): Promise<AirflowFront> {
  const front: AirflowFront = { url: '', listings: { started: 0, finished: 0 }, triggers: 0, listDelayMs: 0, close: async () => {} }
  const server: HttpServer = createHttpServer((req, res) => {
    const listing = req.method === 'GET' && new URL(req.url ?? '/', 'http://front').pathname === '/api/v2/dags'
    if (req.method === 'POST' && /\/dagRuns$/.test(req.url ?? '')) front.triggers++
    if (listing) front.listings.started++
    const forward = () => {
      const upstream = httpRequest(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
        answer.on('end', () => { if (listing) front.listings.finished++ })
      })
      upstream.on('error', () => res.destroy())
      req.pipe(upstream)
    }
    if (listing && front.listDelayMs > 0) setTimeout(forward, front.listDelayMs)
    else forward()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  front.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  front.close = () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()) })
  return front
}

/** One address for every replica: each new connection goes to the next backend, skipping those that refuse it. */
async function startBalancer(backends: () => number[]): Promise<{ url: string; connections: Map<number, number>; close(): Promise<void> }> {
  const connections = new Map<number, number>()
  const sockets = new Set<Socket>()
  let next = 0
  const server: TcpServer = createTcpServer((client) => {
    sockets.add(client)
    client.on('close', () => sockets.delete(client))
    client.pause()
    const ports = backends()
    const attempt = (tries: number) => {
      if (tries >= ports.length) { client.destroy(); return }
      const port = ports[next++ % ports.length]!
      const upstream = connect(port, '127.0.0.1')
      sockets.add(upstream)
      upstream.on('close', () => sockets.delete(upstream))
      let connected = false
      upstream.on('error', () => { if (connected) client.destroy(); else attempt(tries + 1) })
      upstream.once('connect', () => {
        connected = true
        connections.set(port, (connections.get(port) ?? 0) + 1)
        client.on('error', () => upstream.destroy())
        client.pipe(upstream).pipe(client)
        client.resume()
      })
    }
    attempt(0)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections,
    close: () => new Promise((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()) }),
  }
}

forEachEngine((engine) => {
  const only = engine.name === 'postgres' ? {} : { skip: 'replicas share PostgreSQL' }
  const dir = mkdtempSync(join(tmpdir(), 'conductor-replicas-e2e-'))
  const dags: StubDag[] = [{ dagId: DAG, tags: ['team:qa'], owners: ['qa'] }]
  let stub: StubAirflow
  let issuer: DevIssuer
  let scratch: TestDatabase
  let db: Database<{ requests: { id: string; state: string; run_id: string | null; action: string }; leases: { name: string; holder: string; token: number }; catalog_dags: { dag_id: string }; environment_status: { environment: string; checked_at: string; last_sync_at: string | null } }>
  let balancer: Awaited<ReturnType<typeof startBalancer>>
  const replicas: Replica[] = []
  const live = () => replicas.filter((r) => r.child.exitCode === null && r.child.signalCode === null)

  /** Starts `conductor serve` as replica `name` on its own port, with the shared database and its own front to Airflow. */
  async function serve(name: string): Promise<Replica> {
    const port = await freePort()
    const front = await startFront(stub.url)
    const configFile = join(dir, `${name}.json`)
    const logFile = join(dir, `${name}.log`)
    writeFileSync(configFile, JSON.stringify({
      server: { host: '127.0.0.1', port, publicUrl: balancer.url },
      database: { url: scratch.url },
      identity: { audience: 'conductor', issuers: [{ name: 'test-idp', issuer: issuer.issuer }] },
      policy: { folder: join(dir, 'policies'), reloadIntervalSeconds: 0 },
      secrets: { providers: [{ name: 'files', type: 'file', path: join(dir, 'secrets') }] },
      environments: [{ name: 'local', kind: 'airflow3', url: front.url, credentials: { provider: 'files', secret: 'airflow' }, timeoutMs: 1_000, retries: 0, limits: { maxConcurrentWrites: 50, writesPerSecond: 1000 } }],
      catalog: { syncIntervalSeconds: 2 },
      governance: { resolveIntervalSeconds: 1, dispatchGraceSeconds: 1, scheduleTickSeconds: 1, linkPollSeconds: 1 },
      replicas: { id: name, leaseSeconds: LEASE_SECONDS },
      // An audit sink nobody listens to: its loop (lease `audit-stream:siem`) must move like the rest of the background work.
      audit: {
        streamIntervalSeconds: 1, sinks: [{ name: 'siem', type: 'http', url: 'http://127.0.0.1:9/audit', timeoutSeconds: 1, maxRetryDelaySeconds: 1 }],
        // Signed checkpoints every second (lease `audit-checkpoints`).
        checkpoints: { key: { provider: 'files', secret: 'audit-checkpoint-key' }, intervalSeconds: 1 },
      },
      // Access review findings check and reminders every second (leases `review-findings`, `review-reminders`).
      compliance: { reviews: { findingsCheckSeconds: 1, reminders: { webhook: { url: 'http://127.0.0.1:9/reminders' }, checkSeconds: 1 } } },
      logging: { level: 'warn' },
    }))
    const log = openSync(logFile, 'a')
    const child = spawn(process.execPath, [cliMain, 'serve', '--config', configFile], {
      cwd: dir, detached: true, stdio: ['ignore', log, log], env: { ...process.env, NODE_NO_WARNINGS: '1', DATABASE_URL: scratch.url },
    })
    closeSync(log)
    let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined
    const exit = new Promise<void>((done) => child.once('exit', (code, signal) => { exited = { code, signal }; done() }))
    await eventually(async () => {
      if (exited) throw new Error(`replica ${name} exited (${exited.code ?? exited.signal}) before it was ready\n${await logTail(logFile)}`)
      return (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null))?.status === 200
    }, { what: `replica ${name} to be ready`, timeoutMs: 60_000, intervalMs: 200, fatal: (e) => e instanceof Error && e.message.includes('before it was ready') })
    const replica: Replica = {
      name, port, front, child,
      stop: () => stopGroup(child, exit, () => exited !== undefined),
      kill: async () => {
        process.kill(-child.pid!, 'SIGKILL')
        await exit
        assert.equal(exited?.signal, 'SIGKILL')
      },
    }
    replicas.push(replica)
    return replica
  }

  const holders = async () => new Map((await db.db.selectFrom('leases').select(['name', 'holder', 'token']).execute()).map((l) => [l.name, l]))
  const token = () => issuer.tokenFor('alice')
  const trigger = async (base: string, n: number, headers: Record<string, string> = {}) => fetch(`${base}/api/v1/environments/local/dags/${DAG}/runs`, {
    method: 'POST', headers: { authorization: `Bearer ${await token()}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ conf: { n }, reason: 'replicas test' }),
  })

  before(async () => {
    if (engine.name !== 'postgres') return
    stub = await startStubAirflow(dags)
    issuer = await startDevIssuer({ config: { enabled: true, host: '127.0.0.1', port: 0, users: [{ username: 'alice', groups: ['data-eng'] }] }, audience: 'conductor' })
    scratch = await engine.open()
    policiesWithQa(join(dir, 'policies'))
    mkdirSync(join(dir, 'secrets'))
    writeFileSync(join(dir, 'secrets', 'airflow'), JSON.stringify({ username: 'svc', password: 'stub-password' }))
    writeFileSync(join(dir, 'secrets', 'audit-checkpoint-key'), generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }))
    balancer = await startBalancer(() => live().map((r) => r.port))
    await serve('replica-1')
    await serve('replica-2')
    db = await openDatabase({ url: scratch.url })
  })
  after(async () => {
    for (const r of replicas) await r.stop().catch(() => {})
    for (const r of replicas) await r.front.close()
    await db?.close()
    await balancer?.close()
    await issuer?.close()
    await stub?.close()
    await scratch?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  test('two replicas behind one address: background work runs on one only, and an idempotency key used at one replica is honoured by the other', only, async () => {
    const leases = await eventually(async () => {
      const all = await holders()
      return BACKGROUND.every((name) => all.get(name)?.holder === 'replica-1') ? all : undefined
    }, { what: 'replica-1 (started first) to hold the background leases', timeoutMs: 10_000 })
    assert.equal(leases.size, BACKGROUND.length)
    // Only the holder lists DAGs for the catalog: replica-2 never does, although its sync timer fires as often.
    await eventually(() => replicas[0]!.front.listings.finished >= 2, { what: 'replica-1 to sync twice', timeoutMs: 15_000 })
    assert.equal(replicas[1]!.front.listings.started, 0, 'the replica without the lease does not sync')

    const first = await trigger(`http://127.0.0.1:${replicas[0]!.port}`, -1, { 'idempotency-key': 'replicas-once' })
    assert.equal(first.status, 201)
    const again = await trigger(`http://127.0.0.1:${replicas[1]!.port}`, -1, { 'idempotency-key': 'replicas-once' })
    assert.equal(again.status, 201)
    assert.equal(again.headers.get('idempotency-replayed'), 'true')
    assert.deepEqual(await again.json(), await first.json())
    assert.equal((stub.runs.get(DAG) ?? []).length, 1, 'the retry at the other replica did not trigger again')
  })

  test(`${TRIGGERS} triggers through one address, the lease holder killed after ${KILL_AFTER_ACKS} acknowledgements: none lost, none doubled, background work moves within the lease time`, { timeout: 180_000, ...only }, async (t) => {
    const holder = replicas[0]!
    const survivor = replicas[1]!
    const acknowledged: { n: number; requestId: string; runId: string }[] = []
    let killedAt = 0
    let killed: Promise<void> | undefined
    let moved: Promise<number> | undefined
    const fire = async (n: number) => {
      try {
        const res = await trigger(balancer.url, n)
        const body = await res.json() as { request: { id: string }; run: { runId: string } }
        if (res.status !== 201) return
        acknowledged.push({ n, requestId: body.request.id, runId: body.run.runId })
        if (acknowledged.length === KILL_AFTER_ACKS) {
          killedAt = Date.now()
          killed = holder.kill()
          // Watched from the kill on, while the burst goes on through the survivor.
          moved = eventually(async () => {
            const all = await holders()
            return BACKGROUND.every((name) => all.get(name)?.holder === survivor.name) ? Date.now() : undefined
          }, { what: 'the survivor to hold every background lease', timeoutMs: 30_000, intervalMs: 100 })
        }
      } catch {
        // The replica serving this call died mid-call: it was never acknowledged.
      }
    }
    let next = 0
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => { while (next < TRIGGERS) await fire(next++) }))
    assert.ok(killed, `the holder was killed after ${KILL_AFTER_ACKS} acknowledgements (got ${acknowledged.length})`)
    await killed
    assert.ok(acknowledged.length > KILL_AFTER_ACKS, 'the survivor kept acknowledging triggers after the kill')
    assert.ok((balancer.connections.get(holder.port) ?? 0) > 0 && (balancer.connections.get(survivor.port) ?? 0) > 0, 'both replicas served the burst')

    // The survivor takes every background lease over, with a new fencing token, within the lease time.
    const movedAt = await moved!
    t.diagnostic(`acknowledged ${acknowledged.length} of ${TRIGGERS}; background leases moved ${movedAt - killedAt} ms after the kill`)
    assert.ok(movedAt - killedAt <= TAKEOVER_MS, `background work moved in ${movedAt - killedAt} ms (lease ${LEASE_SECONDS} s)`)
    for (const lease of (await holders()).values()) if (BACKGROUND.includes(lease.name)) assert.ok(Number(lease.token) >= 2, `${lease.name} changed hands: token ${lease.token}`)

    // The survivor's resolver settles what the dead replica left on its way to Airflow.
    const requests = await eventually(async () => {
      const all = await db.db.selectFrom('requests').select(['id', 'state', 'run_id', 'action']).where('action', '=', 'dag:trigger').execute()
      const unsettled = all.filter((r) => UNSETTLED.includes(r.state))
      if (unsettled.length) throw new Error(`${unsettled.length} requests still unsettled`)
      return all
    }, { what: 'every request to be settled by the survivor', timeoutMs: 60_000, intervalMs: 500 })

    const runs = stub.runs.get(DAG) ?? []
    const runIds = runs.map((r) => r.dag_run_id)
    assert.equal(new Set(runIds).size, runIds.length, 'no run twice')
    for (const ack of acknowledged) assert.equal(runIds.filter((id) => id === ack.runId).length, 1, `acknowledged trigger ${ack.n} has exactly one run`)
    const perAttempt = new Map<number, number>()
    for (const run of runs) perAttempt.set((run.conf as { n: number }).n, (perAttempt.get((run.conf as { n: number }).n) ?? 0) + 1)
    assert.deepEqual([...perAttempt.entries()].filter(([, count]) => count > 1), [], 'no attempt produced two runs')
    assert.equal(replicas.reduce((sum, r) => sum + r.front.triggers, 0), runs.length, 'no trigger was sent to Airflow twice')
    const succeeded = requests.filter((r) => r.state === 'succeeded')
    assert.deepEqual(succeeded.map((r) => r.run_id).sort(), [...runIds].sort(), 'a run exactly for each succeeded request')
    for (const r of requests) assert.ok(['succeeded', 'failed'].includes(r.state), `request ${r.id} is ${r.state}`)
  })

  test('the lease holder killed in the middle of a catalog sync: a standby replica syncs within the lease time, and the catalog gets the new DAG', { timeout: 120_000, ...only }, async (t) => {
    const standby = await serve('replica-3')
    const holder = replicas.find((r) => r.name === 'replica-2')!
    assert.equal((await holders()).get('catalog-sync')?.holder, holder.name)
    dags.push({ dagId: 'qa_new', tags: ['team:qa'], owners: ['qa'] })
    holder.front.listDelayMs = 60_000
    const startedBefore = holder.front.listings.started
    await eventually(() => holder.front.listings.started > startedBefore, { what: 'the holder to start a sync', timeoutMs: 15_000 })
    assert.equal(standby.front.listings.started, 0, 'the standby does not sync while the holder is alive')
    const killedAt = Date.now()
    await holder.kill()

    await eventually(() => standby.front.listings.finished > 0, { what: 'the standby to sync', timeoutMs: 30_000, intervalMs: 100 })
    const syncedIn = Date.now() - killedAt
    t.diagnostic(`the standby synced ${syncedIn} ms after the kill`)
    assert.ok(syncedIn <= TAKEOVER_MS, `the standby synced ${syncedIn} ms after the kill (lease ${LEASE_SECONDS} s)`)
    assert.equal((await holders()).get('catalog-sync')?.holder, standby.name)
    const known = await eventually(async () => {
      const ids = (await db.db.selectFrom('catalog_dags').select('dag_id').execute()).map((d) => d.dag_id)
      return ids.includes('qa_new') ? ids : undefined
    }, { what: 'the new DAG in the catalog', timeoutMs: 10_000 })
    assert.deepEqual(known.sort(), [DAG, 'qa_new'].sort())
    const res = await trigger(balancer.url, 1000)
    assert.equal(res.status, 201, 'the one replica left still triggers through the shared address')
  })
})
