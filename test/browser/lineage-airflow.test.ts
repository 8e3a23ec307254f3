import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { startAirflow, type AirflowHandle } from '../../harness/airflow.ts'
import { freePort } from '../../harness/app.ts'
import { CHROMIUM_PATH, launchChromium, signIn, startConsoleApp, type ConsoleApp } from '../../harness/console-app.ts'
import { eventually } from '../../harness/poll.ts'
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts'

const skip = existsSync(CHROMIUM_PATH) ? false : `no Chromium at ${CHROMIUM_PATH}: install it with \`apt-get install -y chromium\` to run the browser tests`

/** What `GET /api/v1/requests/{id}/lineage` (and a run's `…/lineage`) answers (the parts this test reads). */
interface RequestLineage {
  run: { runId: string; name: string; outcome: string | null } | null
  reruns: { requestId: string; run: { outcome: string | null }; by: { principal: { id: string }; action: string; via: string; policyIds: string[]; reason: string | null } }[]
  tasks: { job: string; eventType: string | null; requestId: string | null }[]
  events: { source: string; eventType: string | null; runId: string; parentRunId: string | null; job: { namespace: string; name: string } }[]
  datasets: { inputs: { namespace: string; name: string }[]; outputs: { namespace: string; name: string }[] }
}

/** An OpenLineage event as the lineage backend receives it from Conductor. */
interface Forwarded {
  eventType: string
  job: { namespace: string; name: string }
  run: { runId: string; facets: Record<string, { principal?: { type: string; id: string }; requestId?: string; run?: { runId: string }; root?: { run: { runId: string } } }> }
}

const TASKS = ['etl_daily.extract', 'etl_daily.transform', 'etl_daily.load']

// A real Airflow 3 with the OpenLineage provider (requirements/airflow.txt) posting every event to Conductor's intake
// with a service account's API token, and Conductor forwarding them, with who ran the run, to a lineage backend.
describe('lineage with identity from a real Airflow 3 and its OpenLineage provider', { skip }, () => {
  let airflow: AirflowHandle
  let conductor: ConsoleApp
  let backend: WebhookReceiver
  let browser: Awaited<ReturnType<typeof launchChromium>>

  const callAs = async <T>(user: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${conductor.baseUrl}/api/v1${path}`, {
      method, headers: { authorization: `Bearer ${await conductor.app.tokenFor(user)}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    })
    return { status: response.status, body: await response.json() as T }
  }

  // The project's policies, and one letting data leads rerun the data engineers' DAGs (they alone may, once a DAG is
  // known to write pii: policies/lineage.cedar) and read them and their runs (Airflow's clear answers with the run).
  const policies = mkdtempSync(join(tmpdir(), 'conductor-lineage-policies-'))
  cpSync(join(import.meta.dirname, '..', '..', 'policies'), policies, { recursive: true })
  writeFileSync(join(policies, 'leads-rerun.cedar'), [
    '@id("data-leads-rerun-data-eng")',
    'permit (principal in Group::"data-leads", action in [Action::"dag:read", Action::"run:read", Action::"dag:rerun"], resource) when { resource.tags.contains("team:data-eng") };',
  ].join('\n'))

  before(async () => {
    backend = await startWebhookReceiver()
    // Conductor starts first: Airflow's OpenLineage transport names it, and Conductor knows Airflow's admin up front.
    const port = await freePort()
    const admin = { url: `http://127.0.0.1:${port}`, username: 'conductor', password: randomBytes(18).toString('base64url') }
    conductor = await startConsoleApp(admin, {
      policyFolder: policies,
      extraConfig: {
        lineage: {
          endpoints: [{ name: 'marquez', url: backend.url }], deliveryIntervalSeconds: 1, initialRetryDelaySeconds: 1,
          // The platform team classifies the warehouse's tables as pii (policies/lineage.cedar: only data leads run DAGs writing pii).
          datasetTags: [{ dataset: 'file//srv/warehouse/*', tags: ['pii'] }],
        },
      },
    })
    // The README's way: a service account for Airflow's lineage, with an API token scoped to lineage:write.
    const account = await callAs('alice', 'POST', '/service-accounts', { name: 'airflow-lineage', description: 'OpenLineage from Airflow', owner: { type: 'Group', id: 'data-eng' }, groups: ['data-eng'] })
    assert.equal(account.status, 201, JSON.stringify(account.body))
    const token = await callAs<{ token: string }>('alice', 'POST', '/service-accounts/airflow-lineage/tokens', { name: 'openlineage', expiresInDays: 30, actions: ['lineage:write'] })
    assert.equal(token.status, 201, JSON.stringify(token.body))
    airflow = await startAirflow({
      port, password: admin.password,
      env: {
        AIRFLOW__OPENLINEAGE__NAMESPACE: 'local',
        AIRFLOW__OPENLINEAGE__TRANSPORT: JSON.stringify({ type: 'http', url: conductor.baseUrl, endpoint: 'api/v1/lineage', auth: { type: 'api_key', apiKey: token.body.token } }),
      },
    })
    const synced = await conductor.app.governance.catalog.syncAll()
    assert.equal(synced.find((s) => s.environment === 'local')?.reachable, 1, 'Conductor reaches the Airflow it was told of before it started')
    browser = await launchChromium()
  })
  after(async () => {
    await browser?.close()
    await airflow?.stop()
    await conductor?.close()
    await backend?.close()
    rmSync(policies, { recursive: true, force: true })
  })

  let requestId: string
  let airflowRunId: string
  let lineage: RequestLineage
  test('alice triggers etl_daily: Conductor\'s parent run and every task event arrive, linked to her request, with the datasets the tasks read and wrote', { timeout: 300_000 }, async () => {
    const res = await callAs<{ request: { id: string }; run: { runId: string } }>('alice', 'POST', '/environments/local/dags/etl_daily/runs', { conf: { rows: 5 }, reason: 'month-end close' })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    requestId = res.body.request.id
    airflowRunId = res.body.run.runId
    await eventually(async () => {
      const run = await callAs<{ state: string }>('alice', 'GET', `/environments/local/dags/etl_daily/runs/${airflowRunId}`)
      if (run.body.state !== 'success') throw new Error(`state is "${run.body.state}"`)
      return run.body
    }, { what: 'the etl_daily run to succeed', timeoutMs: 180_000, intervalMs: 1000 })

    lineage = await eventually(async () => {
      const got = await callAs<RequestLineage>('alice', 'GET', `/requests/${requestId}/lineage`)
      assert.equal(got.status, 200)
      const completed = new Set(got.body.events.filter((e) => e.source === 'intake' && e.eventType === 'COMPLETE').map((e) => e.job.name))
      for (const task of TASKS) if (!completed.has(task)) throw new Error(`no COMPLETE from ${task} yet (have ${[...completed].join(', ') || 'none'})`)
      if (got.body.run?.outcome !== 'COMPLETE') throw new Error(`Conductor's run is ${got.body.run?.outcome ?? 'open'}`)
      return got.body
    }, { what: 'every task\'s COMPLETE joined to alice\'s request, and Conductor\'s run ended', timeoutMs: 90_000, intervalMs: 1000 })

    const conductorRun = lineage.run!
    assert.equal(conductorRun.name, 'dag:trigger/local/etl_daily')
    const taskEvents = lineage.events.filter((e) => TASKS.includes(e.job.name))
    assert.ok(taskEvents.length >= 6, 'a START and a COMPLETE for each task')
    for (const event of taskEvents) {
      assert.equal(event.job.namespace, 'local', 'the provider\'s namespace is the environment')
      assert.ok(event.parentRunId, `${event.job.name} names its parent`)
    }
    // The provider makes the DAG run the tasks' parent, and Conductor's run the DAG run's parent (the root of them all).
    const dagRun = lineage.events.find((e) => e.source === 'intake' && e.job.name === 'etl_daily')
    assert.ok(dagRun, 'the DAG run\'s own events arrive too')
    assert.equal(dagRun.parentRunId, conductorRun.runId, 'the DAG run\'s parent is Conductor\'s run for alice\'s request')
    assert.ok(taskEvents.every((e) => e.parentRunId === dagRun.runId || e.parentRunId === conductorRun.runId), 'each task\'s parent is the DAG run (or Conductor\'s run)')

    const names = (list: { namespace: string; name: string }[]) => list.map((d) => `${d.namespace}:${d.name}`).sort()
    assert.deepEqual(names(lineage.datasets.outputs), ['file:/srv/lake/staging/daily_sales.parquet', 'file:/srv/lake/staging/orders.parquet', 'file:/srv/warehouse/daily_sales.csv'])
    assert.deepEqual(names(lineage.datasets.inputs), ['file:/srv/lake/staging/daily_sales.parquet', 'file:/srv/lake/staging/orders.parquet', 'file:/srv/shop/orders.csv'])
  })

  test('the lineage backend receives Airflow\'s events enriched with who ran the run, and Conductor\'s own run', { timeout: 120_000 }, async () => {
    assert.ok(requestId, 'the trigger test ran')
    const received = () => backend.deliveries.filter((d) => d.status === 200).map((d) => JSON.parse(d.body) as Forwarded)
    const forwarded = await eventually(() => {
      const got = received()
      const loads = got.filter((e) => e.job.name === 'etl_daily.load' && e.eventType === 'COMPLETE')
      if (loads.length === 0 || !got.some((e) => e.job.namespace === 'conductor' && e.eventType === 'COMPLETE')) throw new Error(`${got.length} events so far`)
      return got
    }, { what: 'the load task\'s COMPLETE and Conductor\'s COMPLETE at the backend', timeoutMs: 60_000, intervalMs: 500 })
    // Airflow also schedules etl_daily (@daily) on its own: those events reach the backend too, without anyone's name.
    const ofAlice = forwarded.filter((e) => e.run.facets.parent?.root?.run.runId === lineage.run!.runId)
    for (const task of TASKS) {
      const event = ofAlice.find((e) => e.job.name === task && e.eventType === 'COMPLETE')
      assert.ok(event, `${task}'s COMPLETE is forwarded`)
      assert.deepEqual(event.run.facets.conductor?.principal, { type: 'User', id: 'alice' }, `${task} carries alice`)
      assert.equal(event.run.facets.conductor?.requestId, requestId)
    }
    const scheduled = forwarded.filter((e) => e.job.namespace === 'local' && e.run.facets.parent?.root?.run.runId !== lineage.run!.runId)
    assert.ok(scheduled.every((e) => e.run.facets.conductor === undefined), 'a run not started through Conductor carries no one\'s identity')
    const ours = forwarded.filter((e) => e.job.namespace === 'conductor').map((e) => e.eventType)
    assert.deepEqual(ours, ['START', 'COMPLETE'], 'Conductor\'s own run: START at dispatch, COMPLETE when the Airflow run succeeded, in order')
    assert.ok(backend.deliveries.every((d) => !d.body.includes('Bearer ')), 'no token is forwarded')
  })

  test('in Chromium, alice\'s run page shows who started it, through which policy, and what each task read and wrote; the table it loaded lists her run', { timeout: 120_000 }, async () => {
    assert.ok(airflowRunId, 'the trigger test ran')
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } })
    try {
      const page = await context.newPage()
      page.setDefaultTimeout(30_000)
      await signIn(page, conductor.baseUrl, 'alice', `/environments/local/dags/etl_daily/runs/${encodeURIComponent(airflowRunId)}`)
      const lineageSection = page.getByTestId('lineage')
      const startedBy = await lineageSection.getByTestId('lineage-started-by').innerText()
      assert.match(startedBy, /^Started by alice \(User\) through policy data-eng-operate via api, reason “month-end close”$/, startedBy)
      const table = lineageSection.getByRole('table', { name: 'Lineage by task' })
      const row = (task: string) => table.locator(`tr[data-lineage-task="${task}"]`)
      assert.match(await row('extract').innerText(), /\/srv\/shop\/orders\.csv[\s\S]*\/srv\/lake\/staging\/orders\.parquet/, 'extract read the orders and wrote the staged copy')
      assert.match(await row('load').innerText(), /\/srv\/warehouse\/daily_sales\.csv/)
      for (const task of ['extract', 'transform', 'load']) assert.match(await row(task).innerText(), /COMPLETE|success/i, `${task} is shown done`)

      await row('load').getByRole('link', { name: '/srv/warehouse/daily_sales.csv' }).click()
      await page.getByRole('heading', { name: 'Dataset /srv/warehouse/daily_sales.csv', level: 1 }).waitFor()
      const writes = page.getByRole('table', { name: 'Writes' }).locator('tbody tr')
      await writes.first().waitFor()
      const ofAlice = writes.filter({ hasText: airflowRunId })
      assert.equal(await ofAlice.count(), 1, 'the write of alice\'s run is listed once, though the task\'s START and COMPLETE both name the table')
      const text = await ofAlice.first().innerText()
      assert.match(text, /alice/)
      assert.match(text, /data-eng-operate/)
      assert.match(text, /load/)
      assert.match(text, /success/, 'in the task run\'s last state (COMPLETE)')
    } finally {
      await context.close()
    }
  })

  test('once the lineage shows etl_daily writes a pii table, alice\'s next trigger is denied by pii-writers-need-data-leads, in the API and in explain', { timeout: 60_000 }, async () => {
    assert.ok(requestId, 'the trigger test ran')
    const explained = await callAs<{ decision: string; policyIds: string[]; context: { lineage: { writes: string[]; writeTags: string[] } } }>(
      'alice', 'POST', '/authorize', { action: 'dag:trigger', environment: 'local', dag: 'etl_daily' })
    assert.equal(explained.status, 200, JSON.stringify(explained.body))
    assert.equal(explained.body.decision, 'deny')
    assert.ok(explained.body.context.lineage.writes.includes('file//srv/warehouse/daily_sales.csv'), 'the table load wrote, from Airflow\'s events')
    assert.deepEqual(explained.body.context.lineage.writeTags, ['pii'])
    const again = await callAs<{ error: { code: string; details: { reasons: string[] } } }>('alice', 'POST', '/environments/local/dags/etl_daily/runs', { conf: {}, reason: 'again' })
    assert.equal(again.status, 403, JSON.stringify(again.body))
    assert.equal(again.body.error.code, 'policy_denied')
    assert.match(JSON.stringify(again.body.error.details.reasons), /pii-writers-need-data-leads/)
  })

  test('dave reruns alice\'s run through Airflow\'s API on Conductor: the tasks\' new events are his, the run\'s lineage and its page name both', { timeout: 240_000 }, async () => {
    assert.ok(airflowRunId, 'the trigger test ran')
    const cleared = await fetch(`${conductor.baseUrl}/airflow/local/api/v2/dags/etl_daily/dagRuns/${encodeURIComponent(airflowRunId)}/clear`, {
      method: 'POST', headers: { authorization: `Bearer ${await conductor.app.tokenFor('dave')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ dry_run: false, only_failed: false, note: 'reload after the pii review' }),
    })
    assert.equal(cleared.status, 200, await cleared.text())
    const runUrl = `/environments/local/dags/etl_daily/runs/${encodeURIComponent(airflowRunId)}`
    const lineage = await eventually(async () => {
      const got = await callAs<RequestLineage>('alice', 'GET', `${runUrl}/lineage`)
      assert.equal(got.status, 200, JSON.stringify(got.body))
      const rerun = got.body.reruns[0]
      if (!rerun) throw new Error('no rerun yet')
      const notYet = TASKS.filter((task) => !got.body.tasks.some((t) => t.job === task && t.requestId === rerun.requestId && t.eventType === 'COMPLETE'))
      if (notYet.length > 0) throw new Error(`no COMPLETE of dave's rerun from ${notYet.join(', ')} yet`)
      if (rerun.run.outcome !== 'COMPLETE') throw new Error(`Conductor's run for the rerun is ${rerun.run.outcome ?? 'open'}`)
      return got.body
    }, { what: 'every task run again, joined to dave\'s rerun, and Conductor\'s run for it ended', timeoutMs: 180_000, intervalMs: 1000 })
    const rerun = lineage.reruns[0]!
    assert.deepEqual([rerun.by.principal.id, rerun.by.action, rerun.by.via, rerun.by.reason, rerun.by.policyIds], ['dave', 'dag:rerun', 'api', 'reload after the pii review', ['data-leads-rerun-data-eng']])
    assert.equal(lineage.run?.name, 'dag:trigger/local/etl_daily', 'the run is still the one alice started')

    // The backend gets the second run of load with dave's identity facet, though its parent is still alice's run.
    const forwarded = () => backend.deliveries.filter((d) => d.status === 200).map((d) => JSON.parse(d.body) as Forwarded)
    const load = await eventually(() => forwarded().find((e) => e.job.name === 'etl_daily.load' && e.eventType === 'COMPLETE' && e.run.facets.conductor?.requestId === rerun.requestId),
      { what: 'the rerun load\'s COMPLETE at the backend', timeoutMs: 60_000, intervalMs: 500 })
    assert.deepEqual(load.run.facets.conductor?.principal, { type: 'User', id: 'dave' })
    assert.equal(load.run.facets.parent?.root?.run.runId, lineage.run!.runId, 'Airflow still names alice\'s run as the root: the conf cannot change on a clear')

    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } })
    try {
      const page = await context.newPage()
      page.setDefaultTimeout(30_000)
      await signIn(page, conductor.baseUrl, 'alice', runUrl)
      const section = page.getByTestId('lineage')
      assert.match(await section.getByTestId('lineage-started-by').innerText(), /^Started by alice /)
      const reruns = await section.getByTestId('lineage-reruns').innerText()
      assert.match(reruns, /^Rerun by dave \(User\) through policy data-leads-rerun-data-eng via api, reason “reload after the pii review”/, reruns)
      const load = section.getByRole('table', { name: 'Lineage by task' }).locator('tr[data-lineage-task="load"]')
      assert.match(await load.innerText(), /dave \(rerun\)/, 'the task as it last ran: dave\'s')
    } finally {
      await context.close()
    }
    // dave's own request page has the rerun's lineage: his sentence, and the tasks he ran again.
    const daves = await browser.newContext({ viewport: { width: 1400, height: 900 } })
    try {
      const page = await daves.newPage()
      page.setDefaultTimeout(30_000)
      await signIn(page, conductor.baseUrl, 'dave', `/requests/${encodeURIComponent(rerun.requestId)}`)
      const section = page.getByTestId('lineage')
      assert.match(await section.getByTestId('lineage-started-by').innerText(), /^Rerun by dave \(User\) through policy data-leads-rerun-data-eng/)
      await section.getByRole('table', { name: 'Lineage by task' }).locator('tr[data-lineage-task="load"]').waitFor()
    } finally {
      await daves.close()
    }
  })
})
