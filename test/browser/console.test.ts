import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { policiesWithQa } from '../support/policies.ts'
import { useAirflow, type AirflowHandle } from '../../harness/airflow.ts'
import { CHROMIUM_PATH, launchChromium, sessionCookie, signIn, startConsoleApp, type ConsoleApp } from '../../harness/console-app.ts'

const skip = existsSync(CHROMIUM_PATH) ? false : `no Chromium at ${CHROMIUM_PATH}: install it with \`apt-get install -y chromium\` to run the browser tests`

describe('the web console in Chromium', { skip }, () => {
  let airflow: AirflowHandle
  let conductor: ConsoleApp
  let browser: Browser
  let base: string

  const policies = mkdtempSync(join(tmpdir(), 'conductor-browser-policies-'))

  before(async () => {
    policiesWithQa(policies)
    airflow = await useAirflow()
    conductor = await startConsoleApp(airflow, { policyFolder: policies })
    base = conductor.baseUrl
    browser = await launchChromium()
  })
  after(async () => {
    await browser?.close()
    await conductor?.close()
    await airflow?.stop()
    rmSync(policies, { recursive: true, force: true })
  })

  const newPage = async (): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
    const page = await context.newPage()
    page.setDefaultTimeout(30_000)
    return { context, page }
  }

  test('alice signs in, finds etl_daily, triggers it with conf, sees her run, and reads a task log', { timeout: 300_000 }, async () => {
    const { context, page } = await newPage()
    try {
      await signIn(page, base, 'alice')
      assert.match(await page.getByTestId('whoami').innerText(), /Alice Example/)
      assert.match(await page.locator('main').innerText(), /local/, 'the home page lists the environment')

      await page.getByRole('link', { name: 'DAG catalog' }).click()
      await page.getByRole('searchbox').fill('etl')
      const row = page.locator('tr[data-dag="etl_daily"]')
      await row.waitFor()
      assert.match(await row.innerText(), /trigger/, 'the catalog says what alice may do')
      await row.getByRole('link', { name: 'etl_daily' }).click()

      await page.getByRole('heading', { name: /Trigger a run/ }).waitFor()
      const conf = page.getByLabel(/^Conf/)
      await conf.fill('{"rows": ')
      assert.match(await page.locator('.field-errors').innerText(), /not valid JSON/, 'broken JSON is caught before sending')
      assert.equal(await page.getByRole('button', { name: 'Trigger run' }).isDisabled(), true)
      await conf.fill('{"rows": 7}')
      await page.getByLabel(/^Reason/).fill('browser test')
      await page.getByRole('button', { name: 'Trigger run' }).click()

      const created = page.locator('.success', { hasText: 'created' })
      await created.waitFor()
      const runId = (await created.locator('code').first().innerText()).trim()
      assert.match(runId, /^conductor__/)
      const runRow = page.locator(`tr[data-run="${runId}"]`)
      await runRow.waitFor()
      assert.match(await runRow.innerText(), /alice/, 'the run shows who started it')

      await created.getByRole('link', { name: 'Open the run →' }).click()
      await page.getByRole('heading', { name: 'Task instances' }).waitFor()
      assert.match(await page.locator('main dl.facts').innerText(), /Started by\s*:?\s*alice/, 'the run page opens with who ran it')
      // Airflow schedules the run within seconds; the page refreshes itself until the task has run.
      const extract = page.locator('tr[data-task="extract"]')
      await extract.locator('.state-success').waitFor({ timeout: 180_000 })
      await extract.getByRole('button', { name: /Show the log of extract/ }).click()
      const log = page.getByTestId('task-log')
      await log.waitFor()
      assert.match(await log.innerText(), /extracting/, 'the task log is shown')

      const answer = await fetch(`${base}/api/v1/environments/local/dags/etl_daily/runs/${encodeURIComponent(runId)}`, { headers: { cookie: await sessionCookie(context) } })
      assert.equal(answer.status, 200)
      assert.deepEqual(((await answer.json()) as { conf: unknown }).conf, { rows: 7 }, 'the conf reached Airflow')
    } finally {
      await context.close()
    }
  })

  test('the trigger form checks conf against the DAG\'s params before sending', { timeout: 120_000 }, async () => {
    const { context, page } = await newPage()
    try {
      await signIn(page, base, 'alice', '/environments/local/dags/conductor_params')
      const conf = page.getByLabel(/^Conf/)
      await conf.waitFor()
      assert.deepEqual(JSON.parse(await conf.inputValue()), { region: 'eu', batch: 1 }, 'the form starts from the params\' defaults')
      await conf.fill('{"region": "mars", "batch": 500}')
      const errors = await page.locator('.field-errors').innerText()
      assert.match(errors, /"region" must be one of "eu", "us"/)
      assert.match(errors, /"batch" must be at most 100/)
      assert.equal(await page.getByRole('button', { name: 'Trigger run' }).isDisabled(), true)
      await conf.fill('[1, 2]')
      assert.match(await page.locator('.field-errors').innerText(), /must be a JSON object/)
      await conf.fill('{"region": "us", "batch": 5}')
      assert.equal(await page.getByRole('button', { name: 'Trigger run' }).isDisabled(), false)
    } finally {
      await context.close()
    }
  })

  test('a failed run offers "rerun failed tasks" only to whom policy allows, and the rerun clears the failed task', { timeout: 300_000 }, async () => {
    const { context, page } = await newPage()
    const bobSide = await newPage()
    try {
      await signIn(page, base, 'alice', '/environments/local/dags/conductor_fails_once')
      await page.getByLabel(/^Reason/).fill('rerun test')
      await page.getByRole('button', { name: 'Trigger run' }).click()
      const created = page.locator('.success', { hasText: 'created' })
      await created.getByRole('link', { name: 'Open the run →' }).click()
      const rerun = page.getByRole('button', { name: 'Rerun failed tasks' })
      await rerun.waitFor({ timeout: 180_000 })
      assert.match(await page.locator('tr[data-task="flaky"]').innerText(), /failed/)
      const runUrl = page.url()

      await signIn(bobSide.page, base, 'bob', new URL(runUrl).pathname)
      await bobSide.page.locator('tr[data-task="flaky"] .state-failed').waitFor()
      await bobSide.page.getByText('Rerun: you may not').waitFor()
      assert.equal(await bobSide.page.getByRole('button', { name: 'Rerun failed tasks' }).count(), 0)

      await rerun.click()
      await page.getByText(/Cleared .*flaky/).waitFor()
      await page.locator('tr[data-task="flaky"] .state-success').waitFor({ timeout: 180_000 })
    } finally {
      await bobSide.context.close()
      await context.close()
    }
  })

  test('bob sees no trigger button, and a forged trigger with his CSRF token is denied by policy', { timeout: 120_000 }, async () => {
    const { context, page } = await newPage()
    try {
      await signIn(page, base, 'bob', '/environments/local/dags/etl_daily')
      await page.getByRole('heading', { name: /Trigger a run/ }).waitFor()
      assert.match(await page.locator('main').innerText(), /You may not trigger this DAG/)
      assert.equal(await page.getByRole('button', { name: 'Trigger run' }).count(), 0)

      const forged = await page.evaluate(async () => {
        const session = await (await fetch('/auth/session')).json() as { csrfToken: string }
        const response = await fetch('/api/v1/environments/local/dags/etl_daily/runs', {
          method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken }, body: JSON.stringify({ conf: {} }),
        })
        return { status: response.status, body: await response.json() as { error: { code: string } } }
      })
      assert.equal(forged.status, 403)
      assert.equal(forged.body.error.code, 'policy_denied')
    } finally {
      await context.close()
    }
  })

  test('a POST with the session cookie but no CSRF token is refused, and the console sends the token', { timeout: 120_000 }, async () => {
    const { context, page } = await newPage()
    try {
      await signIn(page, base, 'alice')
      const cookie = await sessionCookie(context)
      const refused = await fetch(`${base}/api/v1/environments/local/dags/etl_daily`, {
        method: 'PATCH', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ paused: true }),
      })
      assert.equal(refused.status, 403)
      assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'csrf_invalid')

      const inPage = await page.evaluate(async () => {
        const response = await fetch('/api/v1/environments/local/dags/etl_daily', { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{"paused":true}' })
        return { status: response.status, code: (await response.json() as { error?: { code: string } }).error?.code }
      })
      assert.deepEqual(inPage, { status: 403, code: 'csrf_invalid' }, 'even same-origin script needs the token')

      const dag = await fetch(`${base}/api/v1/environments/local/dags/etl_daily`, { headers: { cookie } })
      assert.equal(((await dag.json()) as { paused: boolean }).paused, false, 'the refused request changed nothing')
    } finally {
      await context.close()
    }
  })

  test('signing out ends the session: the old cookie gets 401', { timeout: 120_000 }, async () => {
    const { context, page } = await newPage()
    try {
      await signIn(page, base, 'alice')
      const cookie = await sessionCookie(context)
      assert.equal((await fetch(`${base}/api/v1/me`, { headers: { cookie } })).status, 200)

      // RP-initiated logout: the console ends its session, then sends the browser to the issuer, which asks to confirm.
      await Promise.all([
        page.waitForURL((url) => url.origin !== base, { timeout: 30_000 }),
        page.getByRole('button', { name: 'Sign out' }).click(),
      ])
      assert.equal((await fetch(`${base}/api/v1/me`, { headers: { cookie } })).status, 401, 'the session ended before the issuer was asked')
      await Promise.all([
        page.waitForURL((url) => url.origin === base, { timeout: 30_000 }),
        page.getByRole('button', { name: /^Yes/ }).click(),
      ])
      await page.getByRole('link', { name: 'Sign in with your identity provider' }).waitFor()

      const after = await fetch(`${base}/api/v1/me`, { headers: { cookie } })
      assert.equal(after.status, 401)
      assert.match(((await after.json()) as { error: { code: string } }).error.code, /^session_/)
    } finally {
      await context.close()
    }
  })
})
