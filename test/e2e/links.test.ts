import assert from 'node:assert/strict'
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { useAirflow, type AirflowHandle } from '../../harness/airflow.ts'
import { startTestApp } from '../../harness/app.ts'
import { eventually } from '../../harness/poll.ts'

// A cross-deployment link between two real Airflows: etl_daily succeeding in Airflow 3 triggers etl_daily in Airflow 2,
// through Conductor's own polling loop, as the link's owner.
describe('links: a run succeeding in a real Airflow 3 triggers the linked DAG in a real Airflow 2', { timeout: 30 * 60_000, skip: process.env.CONDUCTOR_SKIP_AIRFLOW2 === '1' ? 'CONDUCTOR_SKIP_AIRFLOW2=1: the Airflow 2 tier is switched off' : false }, () => {
  let airflow3: AirflowHandle
  let airflow2: AirflowHandle
  let app: Awaited<ReturnType<typeof startTestApp>>
  let alice: string
  const dir = mkdtempSync(join(tmpdir(), 'conductor-e2e-links-'))
  const policies = join(dir, 'policies')

  before(async () => {
    cpSync(new URL('../../policies', import.meta.url).pathname, policies, { recursive: true })
    airflow3 = await useAirflow()
    airflow2 = await useAirflow({ version: 2 })
    app = await startTestApp({
      databaseUrl: `sqlite:${join(dir, 'conductor.db')}`,
      environments: [
        { name: 'upstream', url: airflow3.url, username: airflow3.username, password: airflow3.password },
        { name: 'downstream', kind: 'airflow2', url: airflow2.url, username: airflow2.username, password: airflow2.password, credentials: { kind: 'basic' } },
      ],
      policyFolder: policies,
      extraConfig: { governance: { linkPollSeconds: 2 } },
    })
    alice = await app.tokenFor('alice')
    await app.governance.catalog.syncAll()
  }, { timeout: 30 * 60_000 })
  after(async () => {
    await app?.close()
    await airflow3?.stop()
    await airflow2?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
    app.server.inject({ method, url, headers: { authorization: `Bearer ${alice}` }, ...(payload ? { payload } : {}) })

  test('the source run succeeds, the link fires once as alice, and the Airflow 2 run carries the filled conf and names the link', async () => {
    const made = await call('POST', '/api/v1/links', {
      source: { environment: 'upstream', dagId: 'etl_daily' }, target: { environment: 'downstream', dagId: 'etl_daily' },
      confTemplate: { upstream_run: '{{source.run_id}}', from: '{{source.environment}}', rows: 2 },
    })
    assert.equal(made.statusCode, 201, made.body)
    const link = made.json().link as { id: string }

    const source = await call('POST', '/api/v1/environments/upstream/dags/etl_daily/runs', { conf: { rows: 1 } })
    assert.equal(source.statusCode, 201, source.body)
    const sourceRunId = source.json().run.runId as string

    const firing = await eventually(async () => {
      const firings = (await call('GET', `/api/v1/links/${link.id}/firings`)).json().firings as { sourceRunId: string; outcome: string; requestId: string }[]
      // A firing shows as `claimed` while it is under way; wait until it is settled.
      if (firings.length === 0 || firings[0]!.outcome === 'claimed') throw new Error(firings.length === 0 ? 'no firing yet' : 'the firing is under way')
      return firings
    }, { what: 'the link to fire', timeoutMs: 180_000, intervalMs: 1000 })
    assert.deepEqual(firing.map((f) => [f.sourceRunId, f.outcome]), [[sourceRunId, 'fired']])

    const request = (await call('GET', `/api/v1/requests/${firing[0]!.requestId}`)).json()
    assert.deepEqual([request.principal.id, request.state, request.environment, request.dagId], ['alice', 'succeeded', 'downstream', 'etl_daily'])
    const auth = `Basic ${Buffer.from(`${airflow2.username}:${airflow2.password}`).toString('base64')}`
    const run = await (await fetch(`${airflow2.url}/api/v1/dags/etl_daily/dagRuns/${encodeURIComponent(request.runId)}`, { headers: { authorization: auth } })).json() as { conf: unknown; note: string | null }
    assert.deepEqual(run.conf, { upstream_run: sourceRunId, from: 'upstream', rows: 2 })
    assert.match(run.note ?? '', /by User alice/)
    assert.match(run.note ?? '', new RegExp(`Link ${link.id}: upstream/etl_daily run ${sourceRunId.replace(/[+.]/g, '\\$&')} succeeded`))

    // More rounds of the loop do not fire the same source run again.
    await new Promise((resolve) => setTimeout(resolve, 5000))
    assert.equal((await call('GET', `/api/v1/links/${link.id}/firings`)).json().firings.length, 1)
  })

  test('once policy no longer lets alice trigger the target, the next source run is refused, audited as hers, and the link suspended', async () => {
    const link = ((await call('GET', '/api/v1/links')).json().links as { id: string }[])[0]!
    writeFileSync(join(policies, 'zz-e2e-links.cedar'), [
      '@id("e2e-alice-no-longer-triggers-downstream")',
      'forbid (principal, action == Action::"dag:trigger", resource)',
      'when { principal has username && principal.username == "alice" && resource.environment.name == "downstream" };',
    ].join('\n'))
    assert.equal((await app.policy.reload()).ok, true)
    const before = (await call('GET', `/api/v1/links/${link.id}/firings`)).json().firings.length as number
    const source = await call('POST', '/api/v1/environments/upstream/dags/etl_daily/runs', { conf: { rows: 1 } })
    assert.equal(source.statusCode, 201, source.body, 'alice may still trigger upstream')
    const suspended = await eventually(async () => {
      const shown = (await call('GET', `/api/v1/links/${link.id}`)).json().link as { state: string; suspendedReason: string | null; lastFirings: { outcome: string; requestId: string | null; sourceRunId: string }[] }
      if (shown.state !== 'suspended') throw new Error(`state is ${shown.state}`)
      return shown
    }, { what: 'the link to be suspended', timeoutMs: 180_000, intervalMs: 1000 })
    assert.equal(suspended.suspendedReason, 'owner_not_allowed')
    assert.deepEqual([suspended.lastFirings.length, suspended.lastFirings[0]!.outcome, suspended.lastFirings[0]!.sourceRunId], [before + 1, 'refused', source.json().run.runId])
    const refused = await app.database.db.selectFrom('requests').selectAll().where('id', '=', suspended.lastFirings[0]!.requestId!).executeTakeFirstOrThrow()
    assert.deepEqual([refused.principal_id, refused.decision, refused.environment], ['alice', 'deny', 'downstream'])
    const audited = (await app.audit.query({ type: 'link.suspended' })).at(-1)!
    assert.deepEqual([(audited.data as { linkId: string }).linkId, (audited.data as { reason: string }).reason], [link.id, 'owner_not_allowed'])
  })
})
