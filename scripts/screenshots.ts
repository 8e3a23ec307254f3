/**
 * Regenerates docs/screenshots/*.png: the console's main pages at 1280x800, in Debian's Chromium, against a
 * real Airflow (reused from CONDUCTOR_TEST_AIRFLOW_URL/_USER/_PASSWORD, else started and stopped here).
 *
 *   node scripts/screenshots.ts
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { launchChromium, signIn, startConsoleApp, type ConsoleApp } from '../harness/console-app.ts'
import { useAirflow, type AirflowHandle } from '../harness/airflow.ts'

const out = join(new URL('..', import.meta.url).pathname, 'docs', 'screenshots')

async function shot(page: Page, name: string): Promise<void> {
  // Let polling and fonts settle; the spinner of a read in flight is not what a screenshot should show.
  await page.locator('.loading').first().waitFor({ state: 'detached', timeout: 30_000 })
  await page.screenshot({ path: join(out, `${name}.png`), fullPage: true })
  console.log(`docs/screenshots/${name}.png`)
}

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true })
  let airflow: AirflowHandle | undefined
  let conductor: ConsoleApp | undefined
  let browser: Browser | undefined
  try {
    airflow = await useAirflow()
    conductor = await startConsoleApp(airflow)
    const base = conductor.baseUrl
    browser = await launchChromium()

    const alice = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage()
    await signIn(alice, base, 'alice')
    await shot(alice, 'home')

    await alice.goto(`${base}/dags`)
    await alice.locator('tr[data-dag]').first().waitFor()
    await shot(alice, 'catalog')

    await alice.goto(`${base}/environments/local/dags/etl_daily`)
    await alice.getByLabel(/^Conf/).fill('{\n  "rows": 42\n}')
    await alice.getByLabel(/^Reason/).fill('re-run the daily load after the upstream fix')
    await alice.getByRole('button', { name: 'Trigger run' }).click()
    const created = alice.locator('.success', { hasText: 'created' })
    await created.waitFor()
    await alice.locator('tr[data-run]').first().waitFor()
    await shot(alice, 'dag')

    await created.getByRole('link', { name: 'Open the run →' }).click()
    const transform = alice.locator('tr[data-task="transform"]')
    await transform.locator('.state-success').waitFor({ timeout: 180_000 })
    await transform.getByRole('button', { name: /Show the log/ }).click()
    await alice.getByTestId('task-log').waitFor()
    await shot(alice, 'run')

    await alice.goto(`${base}/environments/local/dags/etl_daily/access`)
    await alice.locator('tr[data-action]').first().waitFor()
    await shot(alice, 'access')

    await alice.goto(`${base}/policies`)
    await alice.locator('article.policy').first().waitFor()
    await shot(alice, 'policies')

    const carol = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage()
    await signIn(carol, base, 'carol', '/audit?principal=alice')
    await carol.locator('tr[data-seq]').first().waitFor()
    await carol.locator('.integrity .badge').waitFor()
    await shot(carol, 'audit')
  } finally {
    await browser?.close()
    await conductor?.close()
    await airflow?.stop()
  }
}

await main()
