import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { describe, test } from 'node:test'
import type { Page } from 'playwright-core'
import { eventually } from '../../harness/poll.ts'
import { CHROMIUM_PATH, signIn, useConsoleBrowser } from '../../harness/console-app.ts'
import { policiesWithQa } from '../support/policies.ts'

const skip = existsSync(CHROMIUM_PATH) ? false : `no Chromium at ${CHROMIUM_PATH}: install it with \`apt-get install -y chromium\` to run the browser tests`

interface LinkAnswer { link: { id: string; state: string; lastFirings: { sourceRunId: string; outcome: string; requestId: string | null }[] } }
interface ScheduleAnswer { schedule: { id: string; state: string; nextFireAt: string | null; owner: { type: string; id: string } } }

// Links and owned schedules in the console, over the shared real Airflow: a link fires after a real successful run of its
// source DAG (the firing round is driven from the test through the app, as the `links` lease loop would make it).
describe('links and owned schedules in the web console, in Chromium', { skip }, () => {
  const suite = useConsoleBrowser((folder) => policiesWithQa(folder))

  /** Calls the API from the test as `user` (a bearer token from the development issuer). */
  const callAs = async (user: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
    const token = await suite.conductor.app.tokenFor(user)
    const response = await fetch(`${suite.base}/api/v1${path}`, {
      method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    })
    return { status: response.status, body: await response.json() as Record<string, unknown> }
  }

  /** The main navigation's link to `name`, clicked, and the page's heading awaited. */
  const open = async (page: Page, name: string) => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name }).click()
    await page.getByRole('heading', { name, level: 1 }).waitFor()
  }

  test('a link made through the API is listed with source, target and owner; a real source run fires it and its last firing shows; Suspend/Resume; bob, without link:read, does not see it', { timeout: 400_000 }, async () => {
    const created = await callAs('alice', 'POST', '/links', {
      source: { environment: 'local', dagId: 'conductor_params' }, target: { environment: 'local', dagId: 'etl_daily' },
      description: 'load after the params check', confTemplate: { after: '{{source.run_id}}' },
    })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    const linkId = (created.body as unknown as LinkAnswer).link.id

    const { context, page } = await suite.newPage()
    const bobSide = await suite.newPage()
    try {
      await signIn(page, suite.base, 'alice')
      await open(page, 'Links')
      const row = page.locator(`tr[data-link="${linkId}"]`)
      await row.waitFor()
      const text = await row.innerText()
      assert.match(text, /local\/conductor_params\s*→\s*local\/etl_daily/, 'source → target')
      assert.match(text, /load after the params check/)
      assert.match(text, /person\s+alice/, 'the owner')
      assert.match(text, /none yet/, 'no firing before the source ran')
      assert.match(await row.getByTestId('link-state').innerText(), /^active/)

      // A real successful run of the source DAG, then the firing round.
      // On a busy machine the shared Airflow may not answer a first POST in time (503 orchestrator_unavailable): ask again.
      const trigger = await eventually(async () => {
        const answer = await callAs('alice', 'POST', '/environments/local/dags/conductor_params/runs', { conf: { region: 'eu', batch: 2 } })
        if (answer.status === 503) return false
        assert.equal(answer.status, 201, JSON.stringify(answer.body))
        return answer
      }, { what: 'a run of conductor_params to be created', timeoutMs: 120_000, intervalMs: 2000, fatal: (error) => error instanceof assert.AssertionError })
      const sourceRunId = (trigger.body as { run: { runId: string } }).run.runId
      await eventually(async () => {
        const run = await callAs('alice', 'GET', `/environments/local/dags/conductor_params/runs/${encodeURIComponent(sourceRunId)}`)
        if ((run.body as { state?: string }).state === 'failed') throw new Error('the source run failed')
        return (run.body as { state?: string }).state === 'success'
      }, { what: `source run ${sourceRunId} to succeed`, timeoutMs: 240_000, intervalMs: 1000 })
      const firing = await eventually(async () => {
        await suite.conductor.app.links.poll()
        const link = (await callAs('alice', 'GET', `/links/${linkId}`)).body as unknown as LinkAnswer
        // A firing shows as `claimed` while it is under way (the app's own loop may be at it): wait until it is settled.
        return link.link.lastFirings.find((f) => f.sourceRunId === sourceRunId && f.outcome !== 'claimed')
      }, { what: 'the link to fire after the source run', timeoutMs: 60_000, intervalMs: 1000 })
      assert.equal(firing.outcome, 'fired')

      await page.getByRole('button', { name: 'Refresh' }).click()
      await row.getByText(`after ${sourceRunId}`).waitFor()
      assert.match(await row.innerText(), /fired/, 'the last firing shows its outcome')
      assert.equal(await row.getByRole('link', { name: 'request' }).getAttribute('href'), `/requests/${firing.requestId}`, 'and links to the trigger request it made')

      await row.getByRole('button', { name: 'Suspend link conductor_params → etl_daily' }).click()
      await row.getByTestId('link-state').getByText('suspended').first().waitFor()
      assert.match(await row.getByTestId('link-state').innerText(), /suspended by user/)
      assert.equal(((await callAs('alice', 'GET', `/links/${linkId}`)).body as unknown as LinkAnswer).link.state, 'suspended')
      await row.getByRole('button', { name: 'Resume link conductor_params → etl_daily' }).click()
      await row.getByRole('button', { name: 'Suspend link conductor_params → etl_daily' }).waitFor()
      assert.match(await row.getByTestId('link-state').innerText(), /^active$/)
      assert.equal(((await callAs('alice', 'GET', `/links/${linkId}`)).body as unknown as LinkAnswer).link.state, 'active')

      await signIn(bobSide.page, suite.base, 'bob')
      await open(bobSide.page, 'Links')
      await bobSide.page.getByText('No link you may see.').waitFor()
      assert.equal(await bobSide.page.locator('tr[data-link]').count(), 0, 'bob sees no link')
      assert.equal((await callAs('bob', 'GET', `/links/${linkId}`)).status, 404, 'nor may he read it through the API')
    } finally {
      await bobSide.context.close()
      await context.close()
    }
  })

  test('alice creates a schedule with the form (a bad cron is refused naming the field), sees its owner and next firing, suspends and resumes it; the DAG page says who owns its schedule; carol sees it without managing it', { timeout: 300_000 }, async () => {
    const { context, page } = await suite.newPage()
    const carolSide = await suite.newPage()
    try {
      await signIn(page, suite.base, 'alice', '/environments/local/dags/etl_daily')
      const ownedBy = page.getByTestId('schedule-owned-by')
      await ownedBy.getByText('nobody').waitFor()
      assert.match(await ownedBy.innerText(), /Airflow schedules it and no principal answers for it/, 'etl_daily\'s Airflow schedule is unowned (its owner data-eng is no principal)')

      await open(page, 'Schedules')
      await page.getByText('No schedule you may see.').waitFor()
      const form = page.getByRole('form', { name: 'Create a schedule' })
      assert.equal(await form.getByLabel('Environment').inputValue(), 'local', 'the environment defaults to the first one')
      await form.getByLabel('DAG').fill('etl_daily')
      await form.getByLabel('Cron', { exact: true }).fill('61 2 * * *')
      await form.getByLabel('Time zone', { exact: true }).fill('Europe/Paris')
      await form.getByRole('button', { name: 'Create schedule' }).click()
      const refusal = form.getByRole('alert')
      await refusal.waitFor()
      assert.match(await refusal.innerText(), /The schedule was not created\./)
      assert.match(await refusal.innerText(), /invalid_input/)
      assert.equal(await refusal.getByTestId('error-field').innerText(), 'cron', 'the error names the field')
      assert.equal(await form.getByLabel('Cron', { exact: true }).getAttribute('aria-invalid'), 'true', 'and marks it')
      assert.equal(((await callAs('alice', 'GET', '/schedules')).body as { schedules: unknown[] }).schedules.length, 0, 'nothing was made')

      await form.getByRole('radio', { name: 'Every so many seconds' }).check()
      await form.getByLabel('Every (seconds)').fill('30')
      await form.getByRole('button', { name: 'Create schedule' }).click()
      await refusal.getByTestId('error-field').getByText('intervalSeconds').waitFor()
      assert.equal(await form.getByLabel('Every (seconds)').getAttribute('aria-invalid'), 'true', 'an interval under a minute is refused')
      await form.getByRole('radio', { name: 'Cron expression in a time zone' }).check()
      assert.equal(await form.getByLabel('Cron', { exact: true }).inputValue(), '61 2 * * *', 'the cron typed before is kept')

      await form.getByLabel('Time zone', { exact: true }).fill('Mars/Olympus')
      await form.getByLabel('Cron', { exact: true }).fill('30 2 * * *')
      await form.getByRole('button', { name: 'Create schedule' }).click()
      await refusal.getByTestId('error-field').getByText('timezone').waitFor()

      await form.getByLabel('Time zone', { exact: true }).fill('Europe/Paris')
      await form.getByLabel('Description').fill('nightly load')
      await form.getByRole('button', { name: 'Create schedule' }).click()
      await page.getByRole('status').filter({ hasText: 'Created a schedule of local/etl_daily' }).waitFor()
      assert.equal(await form.getByRole('alert').count(), 0, 'the refusal is gone')

      const listed = ((await callAs('alice', 'GET', '/schedules')).body as { schedules: ScheduleAnswer['schedule'][] }).schedules
      assert.equal(listed.length, 1)
      const schedule = listed[0]!
      assert.deepEqual(schedule.owner, { type: 'User', id: 'alice' }, 'the owner defaults to whoever creates it')
      assert.ok(schedule.nextFireAt)
      const next = new Date(schedule.nextFireAt)
      assert.ok(next.getTime() > Date.now() && next.getTime() <= Date.now() + 25 * 3600_000, 'it fires next within a day')
      assert.match(next.toLocaleTimeString('en-GB', { timeZone: 'Europe/Paris' }), /^02:30:00$/, 'at 02:30 Paris time')

      const row = page.locator(`tr[data-schedule="${schedule.id}"]`)
      await row.waitFor()
      assert.match(await row.innerText(), /local\/etl_daily/)
      assert.match(await row.innerText(), /nightly load/)
      assert.match(await row.getByTestId('schedule-owner').innerText(), /person\s+alice/)
      assert.equal(await row.getByTestId('schedule-timing').innerText(), '30 2 * * * (Europe/Paris)')
      assert.equal(await row.getByTestId('schedule-next').locator('time').first().getAttribute('datetime'), schedule.nextFireAt, 'the next firing is the one the API computed')
      assert.match(await row.getByTestId('schedule-next').innerText(), /in \d+/, 'and says how long until it')
      assert.match(await row.getByTestId('schedule-last').innerText(), /none yet/)
      assert.match(await row.getByTestId('schedule-state').innerText(), /^active$/)

      await row.getByRole('button', { name: 'Suspend schedule of local/etl_daily' }).click()
      await row.getByRole('button', { name: 'Resume schedule of local/etl_daily' }).waitFor()
      assert.match(await row.getByTestId('schedule-state').innerText(), /suspended\s+suspended by user/)
      assert.match(await row.getByTestId('schedule-next').innerText(), /not while suspended/)
      assert.equal(((await callAs('alice', 'GET', `/schedules/${schedule.id}`)).body as unknown as ScheduleAnswer).schedule.state, 'suspended')
      await row.getByRole('button', { name: 'Resume schedule of local/etl_daily' }).click()
      await row.getByRole('button', { name: 'Suspend schedule of local/etl_daily' }).waitFor()
      assert.match(await row.getByTestId('schedule-state').innerText(), /^active$/)
      await row.getByTestId('schedule-next').locator('time').first().waitFor()

      // The DAG page now names the owned schedule.
      await row.getByRole('link', { name: 'local/etl_daily' }).click()
      await ownedBy.getByText('via a Conductor schedule').waitFor()
      assert.match(await ownedBy.innerText(), /person\s+alice via a Conductor schedule\s+30 2 \* \* \* \(Europe\/Paris\), next in/)

      // Carol (auditors) reads every schedule, with its owner, but may not manage it.
      await signIn(carolSide.page, suite.base, 'carol')
      await open(carolSide.page, 'Schedules')
      const carolRow = carolSide.page.locator(`tr[data-schedule="${schedule.id}"]`)
      await carolRow.waitFor()
      assert.match(await carolRow.getByTestId('schedule-owner').innerText(), /person\s+alice/, 'the owner column tells her whose it is')
      await carolRow.getByRole('button', { name: 'Suspend schedule of local/etl_daily' }).click()
      const denied = carolRow.getByRole('alert')
      await denied.waitFor()
      assert.match(await denied.innerText(), /The schedule could not be suspended\..*policy_denied/s)
      assert.equal(((await callAs('alice', 'GET', `/schedules/${schedule.id}`)).body as unknown as ScheduleAnswer).schedule.state, 'active', 'her refused click changed nothing')

      // Alice deletes it.
      await open(page, 'Schedules')
      await row.getByRole('button', { name: 'Delete schedule of local/etl_daily' }).click()
      await row.getByRole('button', { name: 'Delete for good' }).click()
      await page.getByRole('status').filter({ hasText: 'Deleted the schedule of local/etl_daily' }).waitFor()
      await page.getByText('No schedule you may see.').waitFor()
      assert.equal((await callAs('alice', 'GET', `/schedules/${schedule.id}`)).status, 404)
    } finally {
      await carolSide.context.close()
      await context.close()
    }
  })
})
