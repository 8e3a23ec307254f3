import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { adminToken, startAirflow, type AirflowHandle } from '../../harness/airflow.ts'
import { startTestApp } from '../../harness/app.ts'
import { eventually } from '../../harness/poll.ts'
import { postgresServer } from '../../harness/postgres.ts'

const ROOT = join(import.meta.dirname, '..', '..')
const ORDERS_READY = 's3://data-eng/orders/ready'
const REPORTS = 's3://data-eng/reports/daily'

interface Firing { sourceRunId: string | null; sourceAssetEventId: string | null; outcome: string; requestId: string | null }
interface AirflowAssetEvent { id: number; extra: Record<string, unknown> | null; created_dagruns: { dag_id: string; run_id: string }[] }

// Links with asset ends against a real Airflow 3, through Conductor's own polling loop. One Airflow plays two
// environments (`upstream` and `downstream`), with the test-only DAGs of test/dags-assets/: a producer of
// s3://data-eng/orders/ready and a DAG scheduled on s3://data-eng/reports/daily.
describe('links with asset ends in a real Airflow 3', { timeout: 15 * 60_000 }, () => {
  let airflow: AirflowHandle
  let app: Awaited<ReturnType<typeof startTestApp>>
  let alice: string
  let admin: string
  const dir = mkdtempSync(join(tmpdir(), 'conductor-e2e-link-assets-'))

  before(async () => {
    // Airflow's metadata on PostgreSQL when DATABASE_URL names one: on SQLite a busy scheduler answers "database is locked".
    const postgres = postgresServer(process.env.DATABASE_URL)
    airflow = await startAirflow({ dagsFolders: [join(ROOT, 'dags'), join(ROOT, 'test', 'dags'), join(ROOT, 'test', 'dags-assets')], ...(postgres ? { postgres } : {}) })
    const login = { username: airflow.username, password: airflow.password }
    app = await startTestApp({
      databaseUrl: `sqlite:${join(dir, 'conductor.db')}`,
      environments: [{ name: 'upstream', url: airflow.url, ...login }, { name: 'downstream', url: airflow.url, ...login }],
      extraConfig: { governance: { linkPollSeconds: 1 } },
    })
    alice = await app.tokenFor('alice')
    // A freshly started Airflow on a busy machine may be slow to give its first token.
    admin = await eventually(() => adminToken(airflow), { what: 'an admin token from Airflow', timeoutMs: 60_000, intervalMs: 1000 })
    await app.governance.catalog.syncAll()
  }, { timeout: 10 * 60_000 })
  after(async () => {
    await app?.close()
    await airflow?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
    app.server.inject({ method, url, headers: { authorization: `Bearer ${alice}` }, ...(payload ? { payload } : {}) })
  /** Airflow's own API as its admin; a read that meets a busy SQLite metadata database (500) is asked again. */
  const airflowApi = async <T>(method: 'GET' | 'POST', path: string, body?: object): Promise<T> => {
    const send = () => fetch(`${airflow.url}/api/v2${path}`, {
      method, headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}),
    })
    const res = method === 'GET'
      ? await eventually(async () => { const r = await send(); if (r.status >= 500) throw new Error(`${path}: ${r.status}`); return r }, { what: `GET ${path}`, timeoutMs: 30_000, intervalMs: 1000 })
      : await send()
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${await res.clone().text()}`)
    return res.json() as Promise<T>
  }
  const assetId = async (uri: string) => (await airflowApi<{ assets: { id: number; uri: string }[] }>('GET', `/assets?uri_pattern=${encodeURIComponent(uri)}`)).assets.find((a) => a.uri === uri)!.id
  const firings = async (linkId: string) => {
    const firing = await eventually(async () => {
      const list = (await call('GET', `/api/v1/links/${linkId}/firings`)).json().firings as Firing[]
      if (list.length === 0 || list[0]!.outcome === 'claimed') throw new Error('no firing yet')
      return list
    }, { what: 'the link to fire', timeoutMs: 120_000, intervalMs: 1000 })
    return firing
  }

  test('an asset event posted in Airflow fires a link that triggers a DAG as alice, once', async () => {
    const made = await call('POST', '/api/v1/links', {
      source: { environment: 'upstream', assetUri: ORDERS_READY }, target: { environment: 'downstream', dagId: 'etl_daily' },
      confTemplate: { asset: '{{source.asset_uri}}', event: '{{source.event_id}}', rows: 2 },
    })
    assert.equal(made.statusCode, 201, made.body)
    const link = made.json().link as { id: string }

    const posted = await airflowApi<AirflowAssetEvent>('POST', '/assets/events', { asset_id: await assetId(ORDERS_READY), extra: { batch: 7 } })
    const [firing] = await firings(link.id)
    assert.deepEqual([firing!.sourceAssetEventId, firing!.sourceRunId, firing!.outcome], [String(posted.id), null, 'fired'])
    const request = (await call('GET', `/api/v1/requests/${firing!.requestId}`)).json()
    assert.deepEqual([request.principal.id, request.action, request.state, request.environment, request.dagId], ['alice', 'dag:trigger', 'succeeded', 'downstream', 'etl_daily'])
    const run = await airflowApi<{ conf: unknown; note: string | null }>('GET', `/dags/etl_daily/dagRuns/${encodeURIComponent(request.runId)}`)
    assert.deepEqual(run.conf, { asset: ORDERS_READY, event: String(posted.id), rows: 2 })
    assert.match(run.note ?? '', new RegExp(`Link ${link.id}: asset ${ORDERS_READY} in upstream was updated`))

    await new Promise((resolve) => setTimeout(resolve, 3000))
    assert.equal((await call('GET', `/api/v1/links/${link.id}/firings`)).json().firings.length, 1, 'later rounds do not fire the same event again')
    assert.equal((await call('DELETE', `/api/v1/links/${link.id}`)).statusCode, 200)
  })

  test('a DAG succeeding fires a link that posts an asset event as alice: Airflow records it with the extra and queues the asset-scheduled DAG', async () => {
    const made = await call('POST', '/api/v1/links', {
      source: { environment: 'upstream', dagId: 'conductor_asset_producer' }, target: { environment: 'downstream', assetUri: REPORTS },
      confTemplate: { upstream_run: '{{source.run_id}}', from: '{{source.environment}}/{{source.dag_id}}' },
    })
    assert.equal(made.statusCode, 201, made.body)
    const link = made.json().link as { id: string }
    // An Airflow on SQLite may answer 500 "Database error" while its scheduler writes: that trigger did not start a run, ask again.
    const source = await eventually(async () => {
      const res = await call('POST', '/api/v1/environments/upstream/dags/conductor_asset_producer/runs', {})
      if (res.statusCode === 503 && res.json().error.details?.detail === 'Database error') throw new Error(res.body)
      return res
    }, { what: 'the producer to be triggered', timeoutMs: 30_000, intervalMs: 2000 })
    assert.equal(source.statusCode, 201, source.body)
    const sourceRunId = source.json().run.runId as string

    const [firing] = await firings(link.id)
    assert.deepEqual([firing!.sourceRunId, firing!.outcome], [sourceRunId, 'fired'])
    const request = (await call('GET', `/api/v1/requests/${firing!.requestId}`)).json()
    assert.deepEqual([request.principal.id, request.action, request.state, request.environment, request.dagId], ['alice', 'asset:post_event', 'succeeded', 'downstream', null])

    const id = await assetId(REPORTS)
    const events = (await airflowApi<{ asset_events: AirflowAssetEvent[] }>('GET', `/assets/events?asset_id=${id}`)).asset_events
    assert.equal(events.length, 1, 'Airflow recorded one event for the report')
    assert.deepEqual(events[0]!.extra, { upstream_run: sourceRunId, from: 'upstream/conductor_asset_producer', from_rest_api: true })
    const queued = await eventually(async () => {
      const runs = (await airflowApi<{ dag_runs: { run_type: string }[] }>('GET', '/dags/conductor_asset_consumer/dagRuns')).dag_runs
      if (runs.length === 0) throw new Error('no run of the asset-scheduled DAG yet')
      return runs
    }, { what: 'the asset-scheduled DAG to be queued', timeoutMs: 60_000, intervalMs: 1000 })
    assert.equal(queued[0]!.run_type, 'asset_triggered')
  })
})
