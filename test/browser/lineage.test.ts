import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { CHROMIUM_PATH, launchChromium, signIn, startConsoleApp, type ConsoleApp } from '../../harness/console-app.ts'
import { startStubAirflow, type StubAirflow } from '../../harness/stub-airflow.ts'
import { parentRunId } from '../../src/governance/index.ts'
import { taskEvent } from '../support/lineage-events.ts'
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts'

const skip = existsSync(CHROMIUM_PATH) ? false : `no Chromium at ${CHROMIUM_PATH}: install it with \`apt-get install -y chromium\` to run the browser tests`

const ORDERS = { namespace: 'postgres://db:5432', name: 'sales.public.orders' }
const DAILY = { namespace: 's3://lake', name: 'daily/orders/2026-11-30' }

// The console's lineage over synthetic OpenLineage events (a stand-in Airflow; the real-Airflow test is separate, and
// the project's own policies): alice's run page opens with who started it and through which policy, and each task's
// reads and writes; a dataset's page lists the run that wrote it with alice. Bob (analysts) may read no lineage.
describe('lineage in the web console, in Chromium', { skip }, () => {
  let stub: StubAirflow
  let receiver: WebhookReceiver
  let conductor: ConsoleApp
  let browser: Browser
  let airflowRunId: string
  before(async () => {
    stub = await startStubAirflow([{ dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['data-eng'] }])
    receiver = await startWebhookReceiver()
    conductor = await startConsoleApp({ url: stub.url, username: 'conductor', password: 'conductor-password' }, {
      extraConfig: { lineage: { endpoints: [{ name: 'marquez', url: `${receiver.url}/api/v1/lineage` }], deliveryIntervalSeconds: 60 } },
    })
    browser = await launchChromium()

    // alice triggers through Conductor; Airflow's provider posts the tasks' events (parent: Conductor's run).
    const alice = { authorization: `Bearer ${await conductor.app.tokenFor('alice')}` }
    const res = await conductor.app.server.inject({ method: 'POST', url: '/api/v1/environments/local/dags/etl_daily/runs', headers: alice, payload: { conf: {}, reason: 'month-end close' } })
    assert.equal(res.statusCode, 201, res.body)
    const body = res.json() as { request: { id: string }; run: { runId: string } }
    airflowRunId = body.run.runId
    const base = { airflowRunId, parent: parentRunId(body.request.id) }
    for (const event of [
      taskEvent({ ...base, type: 'START', time: '2026-11-30T08:00:01Z', runId: '01934f4a-7c2e-7b7e-9a43-2f0e8f1d6c11', task: 'extract', inputs: [ORDERS] }),
      taskEvent({ ...base, type: 'COMPLETE', time: '2026-11-30T08:00:05Z', runId: '01934f4a-7c2e-7b7e-9a43-2f0e8f1d6c11', task: 'extract', inputs: [ORDERS] }),
      taskEvent({ ...base, type: 'COMPLETE', time: '2026-11-30T08:00:09Z', runId: '01934f4a-7c2e-7b7e-9a43-2f0e8f1d6c12', task: 'load', inputs: [ORDERS], outputs: [DAILY] }),
    ]) {
      const posted = await conductor.app.server.inject({ method: 'POST', url: '/api/v1/lineage', headers: alice, payload: event })
      assert.equal(posted.statusCode, 200, posted.body)
    }
  })
  after(async () => {
    await browser?.close()
    await conductor?.close()
    await receiver?.close()
    await stub?.close()
  })

  const newPage = async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } })
    const page = await context.newPage()
    page.setDefaultTimeout(30_000)
    return { context, page }
  }
  const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' })

  test('alice sees her run\'s lineage, opens the dataset it wrote and finds her run there; the Lineage list finds it by search', { timeout: 300_000 }, async () => {
    const { context, page } = await newPage()
    try {
      await signIn(page, conductor.baseUrl, 'alice', `/environments/local/dags/etl_daily/runs/${encodeURIComponent(airflowRunId)}`)
      const lineage = page.getByTestId('lineage')
      const startedBy = lineage.getByTestId('lineage-started-by')
      await startedBy.waitFor()
      const sentence = await startedBy.innerText()
      assert.match(sentence, /^Started by alice \(User\) through polic(y|ies) .+ via api, reason “month-end close”$/, sentence)
      const table = lineage.getByRole('table', { name: 'Lineage by task' })
      const extract = table.locator('tr[data-lineage-task="extract"]')
      const load = table.locator('tr[data-lineage-task="load"]')
      assert.match(await extract.innerText(), /success/)
      assert.match(await extract.innerText(), /sales\.public\.orders/)
      assert.match(await load.innerText(), /daily\/orders\/2026-11-30/)

      // The dataset load wrote: its page lists alice's run.
      await load.getByRole('link', { name: /daily\/orders\/2026-11-30/ }).click()
      await page.getByRole('heading', { name: `Dataset ${DAILY.name}`, level: 1 }).waitFor()
      const writes = page.getByRole('table', { name: 'Writes' })
      const row = writes.locator('tbody tr')
      assert.equal(await row.count(), 1)
      const text = await row.innerText()
      assert.match(text, /alice/)
      assert.match(text, /month-end close/)
      assert.match(text, /load/)
      assert.ok(text.includes(airflowRunId), 'the write names the Airflow run')
      const reads = page.getByRole('table', { name: 'Reads' })
      assert.equal(await reads.count(), 0, 'nobody read it')

      // Back to the run from the write.
      await row.getByRole('link', { name: airflowRunId }).click()
      await page.getByTestId('lineage-started-by').waitFor()

      // The Lineage list: the entry shows for alice, and the search finds the dataset.
      await nav(page).getByRole('link', { name: 'Lineage', exact: true }).click()
      await page.getByRole('heading', { name: 'Lineage', level: 1 }).waitFor()
      await page.getByRole('searchbox').fill('DAILY/')
      const datasets = page.getByRole('table', { name: 'Datasets' })
      await datasets.locator(`tr[data-dataset-row="${DAILY.name}"]`).waitFor()
      await datasets.locator('tr[data-dataset-row]').nth(1).waitFor({ state: 'detached' })
      assert.equal(await datasets.locator('tr[data-dataset-row]').count(), 1, 'only the dataset whose name holds the search')
      assert.match(await datasets.locator(`tr[data-dataset-row="${DAILY.name}"]`).innerText(), /s3:\/\/lake[\s\S]*1$/)
      await page.getByRole('searchbox').fill('orders')
      await datasets.locator('tr[data-dataset-row]').nth(1).waitFor()
      await datasets.getByRole('link', { name: /sales\.public\.orders/ }).click()
      await page.getByRole('heading', { name: `Dataset ${ORDERS.name}`, level: 1 }).waitFor()
      assert.match(await page.getByText('No run you may see wrote it; it was only read.').innerText(), /only read/)
      assert.equal(await page.getByRole('table', { name: 'Reads' }).locator('tbody tr').count(), 2, 'extract (its START and COMPLETE are one read) and load read it')
    } finally {
      await context.close()
    }
  })

  test('bob (analysts) has no Lineage entry, and a dataset\'s page answers not found', { timeout: 300_000 }, async () => {
    const { context, page } = await newPage()
    try {
      await signIn(page, conductor.baseUrl, 'bob')
      await nav(page).getByRole('link', { name: 'DAG catalog', exact: true }).waitFor()
      // The entry depends on an answer of the API: wait until the nav has settled with it.
      await page.waitForLoadState('networkidle')
      assert.equal(await nav(page).getByRole('link', { name: 'Lineage', exact: true }).count(), 0)
      await page.goto(`${conductor.baseUrl}/lineage/datasets/view?namespace=${encodeURIComponent(DAILY.namespace)}&name=${encodeURIComponent(DAILY.name)}`)
      await page.getByTestId('dataset-not-found').waitFor()
      assert.doesNotMatch(await page.locator('main').innerText(), /alice/)
    } finally {
      await context.close()
    }
  })
})
