import assert from 'node:assert/strict'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { startTestApp } from '../../harness/app.ts'
import { eventually } from '../../harness/poll.ts'
import { verifyWebhookSignature, type NotificationPayload } from '../../src/governance/index.ts'
import { conductor } from '../support/cli.ts'

/** Serves `handle` on a loopback port; JSON bodies are parsed. */
async function serve(handle: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => { body += c })
    req.on('end', () => handle(req, body, res))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }),
  }
}

// Shadow activity through the HTTP face: a loopback Airflow 3 whose runs and event log the test writes to
// "behind Conductor's back", the listing with its counts and permission, and the webhook. The real Airflow: test/e2e/shadow.test.ts.
forEachEngine((engine) => {
  let database: TestDatabase
  let airflow: Awaited<ReturnType<typeof serve>>
  let receiver: Awaited<ReturnType<typeof serve>>
  const runs: Record<string, unknown>[] = []
  const eventLogs: Record<string, unknown>[] = []
  const received: { type: string; runId: string | null; severity: string }[] = []
  const notified: NotificationPayload[] = []
  const asked: string[] = []

  before(async () => {
    database = await engine.open()
    airflow = await serve((req, _body, res) => {
      const url = new URL(req.url ?? '/', 'http://airflow')
      asked.push(`${url.pathname}?${url.searchParams.toString()}`)
      const send = (body: unknown) => res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' }).end(JSON.stringify(body))
      if (url.pathname === '/auth/token') return send({ access_token: 'x.eyJleHAiOjQxMDI0NDQ4MDB9.y' })
      if (url.pathname === '/api/v2/monitor/health') return send({ metadatabase: { status: 'healthy' } })
      if (url.pathname === '/api/v2/version') return send({ version: '3-stub' })
      if (url.pathname === '/api/v2/dags') return send({ dags: [{ dag_id: 'etl_daily', tags: [{ name: 'team:data-eng' }], owners: ['airflow'], is_paused: false }], total_entries: 1 })
      if (url.pathname === '/api/v2/dags/~/dagRuns') {
        const since = url.searchParams.get('run_after_gte') ?? ''
        const page = runs.filter((r) => String(r.run_after) >= since)
        return send({ dag_runs: page, total_entries: page.length })
      }
      if (url.pathname === '/api/v2/eventLogs') {
        const after = url.searchParams.get('after') ?? ''
        const page = eventLogs.filter((e) => String(e.when) >= after)
        return send({ event_logs: page, total_entries: page.length })
      }
      res.writeHead(404).end('{}')
    })
    receiver = await serve((req, body, res) => {
      if (req.url === '/notifications') {
        const signed = verifyWebhookSignature('shadow-hook-secret', String(req.headers['conductor-timestamp']), body, String(req.headers['conductor-signature']), Date.now())
        if (signed) notified.push(JSON.parse(body) as NotificationPayload)
        return res.writeHead(signed ? 204 : 401).end()
      }
      received.push(JSON.parse(body) as (typeof received)[number])
      res.writeHead(204).end()
    })
  })
  after(async () => {
    await airflow?.close()
    await receiver?.close()
    await database?.close()
  })

  test('runs and pauses done in Airflow are listed with counts to auditors, refused to others, and sent to the webhooks', async () => {
    const app = await startTestApp({
      databaseUrl: database.url, environments: [{ name: 'local', url: airflow.url }], secrets: { 'shadow-hook': 'shadow-hook-secret' },
      extraConfig: {
        shadow: { webhookUrl: `${receiver.url}/shadow` },
        notifications: { webhooks: [{ name: 'secops', url: `${receiver.url}/notifications`, secret: { provider: 'files', secret: 'shadow-hook' }, events: ['shadow.*'] }] },
      },
    })
    try {
      await app.governance.catalog.syncAll()
      const now = new Date().toISOString()
      runs.push({ dag_id: 'etl_daily', dag_run_id: 'manual__by_admin', state: 'queued', run_type: 'manual', run_after: now, triggering_user_name: 'admin' })
      eventLogs.push({ event_log_id: 7, when: now, event: 'patch_dag', owner: 'admin', dag_id: 'etl_daily', extra: '{"is_paused": true, "method": "PATCH"}' })
      eventLogs.push({ event_log_id: 8, when: now, event: 'patch_dag', owner: 'conductor', dag_id: 'etl_daily', extra: '{}' })
      await app.governance.catalog.syncAll()
      await app.governance.catalog.syncAll()
      assert.ok(asked.some((q) => q.startsWith('/api/v2/dags/~/dagRuns?') && q.includes('order_by=run_after')), 'runs of every DAG are read in order of run_after')

      const carol = await app.tokenFor('carol')
      const answer = await app.server.inject({ method: 'GET', url: '/api/v1/shadow?environment=local', headers: { authorization: `Bearer ${carol}` } })
      assert.equal(answer.statusCode, 200)
      const listed = answer.json() as { counts: Record<string, number>; items: { kind: string; actor: string; runId: string | null; severity: string }[] }
      assert.deepEqual(listed.counts, { run: 1, pause: 1, clear: 0, mark: 0, unowned_schedule: 0 })
      assert.deepEqual(listed.items.map((i) => [i.kind, i.actor, i.severity]).sort(), [['pause', 'admin', 'warning'], ['run', 'admin', 'warning']])
      const runsOnly = (await app.server.inject({ method: 'GET', url: '/api/v1/shadow?kind=run&limit=5', headers: { authorization: `Bearer ${carol}` } })).json() as typeof listed
      assert.deepEqual(runsOnly.items.map((i) => i.runId), ['manual__by_admin'])

      const base = await app.listen()
      const cli = await conductor(['shadow', '--env', 'local', '--token', carol], { CONDUCTOR_URL: base, COLUMNS: '80' })
      assert.equal(cli.code, 0, cli.stderr)
      const lines = cli.stdout.trimEnd().split('\n')
      assert.equal(lines[0], 'run 1 · pause 1 · clear 0 · mark 0 · unowned_schedule 0')
      assert.ok(lines.some((l) => /warning\s+run\s+local\s+etl_daily\/manual__by_admin\s+admin/.test(l)), cli.stdout)
      assert.ok(lines.every((l) => [...l].length <= 80), cli.stdout)

      const bob = await app.tokenFor('bob')
      const refused = await app.server.inject({ method: 'GET', url: '/api/v1/shadow', headers: { authorization: `Bearer ${bob}` } })
      assert.equal(refused.statusCode, 403)
      assert.equal(refused.json().error.code, 'policy_denied')

      await eventually(() => received.length === 2, { what: 'the webhook to receive both items' })
      assert.deepEqual(received.map((r) => r.type).sort(), ['shadow.pause', 'shadow.run'])
      await eventually(() => notified.length === 2, { what: 'the notification webhook to receive both items, signed' })
      assert.deepEqual(notified.map((n) => [n.version, n.type, n.data.environment, n.data.actor]).sort(), [[1, 'shadow.pause', 'local', 'admin'], [1, 'shadow.run', 'local', 'admin']])
      const audit = (await app.server.inject({ method: 'GET', url: '/api/v1/audit?type=shadow.run', headers: { authorization: `Bearer ${carol}` } })).json() as { events: { environment: string; dag: string }[] }
      assert.deepEqual(audit.events.map((e) => [e.environment, e.dag]), [['local', 'etl_daily']])
    } finally {
      await app.close()
      runs.length = 0
      eventLogs.length = 0
      received.length = 0
      notified.length = 0
    }
  })
})
