import assert from 'node:assert/strict'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import type { Page } from 'playwright-core'
import { CHROMIUM_PATH, signIn, useConsoleBrowser } from '../../harness/console-app.ts'

const skip = existsSync(CHROMIUM_PATH) ? false : `no Chromium at ${CHROMIUM_PATH}: install it with \`apt-get install -y chromium\` to run the browser tests`

interface Item { id: string; campaignId: string; principal: { type: string; id: string }; action: string; environment: string | null; reviewers: { type: string; id: string }[]; decision: null | { decision: string; comment: string | null; by: { id: string } } }
interface Campaign { id: string; state: string; counts: { items: number; pending: number; certified: number; revoked: number } }
interface Finding { campaignId: string; principal: { id: string }; action: string; state: string; source: { groups: string[]; policies: string[] } }

/**
 * The test's own policies: alice (data-eng) reads, triggers and reruns the data-eng DAGs, dave (data-leads) reads them;
 * carol (auditors) manages campaigns; data-leads review every access and auditors review the data-leads' own (nobody
 * reviews themselves: dave's access goes to carol).
 */
function reviewPolicies(folder: string): void {
  writeFileSync(join(folder, 'reviews-test.cedar'), `
@id("everyone-reads-environments")
permit (principal, action == Action::"environment:read", resource);

@id("data-eng-work")
permit (principal in Group::"data-eng", action in [Action::"dag:read", Action::"dag:trigger", Action::"dag:rerun", Action::"run:read"], resource)
when { resource.tags.contains("team:data-eng") };

@id("data-leads-read")
permit (principal in Group::"data-leads", action == Action::"dag:read", resource)
when { resource.tags.contains("team:data-eng") };

@id("auditors-manage-reviews")
permit (principal in Group::"auditors", action in [Action::"review:manage", Action::"audit:read"], resource == Conductor::"conductor");

@id("data-leads-review")
permit (principal in Group::"data-leads", action == Action::"access:review", resource);

@id("auditors-review-leads")
permit (principal in Group::"auditors", action == Action::"access:review", resource)
when { context has subject && context.subject.groups.contains("data-leads") };
`)
}

// Access review campaigns in the console over the shared real Airflow's catalog: carol starts one, dave reviews alice's
// access (certify, revoke with a comment, bulk), carol decides dave's own, and the revoke holds at once in the API.
describe('access review campaigns in the web console, in Chromium', { skip }, () => {
  const suite = useConsoleBrowser(reviewPolicies)

  /** Calls the API from the test as `user` (a bearer token from the development issuer; Conductor then knows the user). */
  const callAs = async <T = Record<string, unknown>>(user: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const token = await suite.conductor.app.tokenFor(user)
    const response = await fetch(`${suite.base}/api/v1${path}`, {
      method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    })
    return { status: response.status, body: await response.json() as T }
  }

  /** The main navigation's link `name` (exactly), clicked, and the page's heading awaited. */
  const open = async (page: Page, name: string) => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click()
    await page.getByRole('heading', { name, level: 1, exact: true }).waitFor()
  }

  const label = (item: Item) => `${item.principal.id} ${item.action} in ${item.environment ?? 'Conductor'}`

  test('carol starts a campaign; dave certifies, revokes with a comment and bulk-certifies (never his own access, no Start form for him); carol decides his; it completes, the finding is listed, and alice\'s trigger is denied at once', { timeout: 500_000 }, async () => {
    for (const user of ['alice', 'bob', 'carol', 'dave']) assert.equal((await callAs(user, 'GET', '/me')).status, 200, `${user} is known to Conductor`)
    const before = await callAs<{ decision: string }>('alice', 'POST', '/authorize', { action: 'dag:trigger', environment: 'local', dag: 'etl_daily' })
    assert.equal(before.body.decision, 'allow', 'alice may trigger etl_daily before the review')

    const carol = await suite.newPage()
    const dave = await suite.newPage()
    try {
      // Carol (review:manage) starts a campaign over the data-eng DAGs of local.
      await signIn(carol.page, suite.base, 'carol')
      await open(carol.page, 'Reviews')
      await carol.page.getByText('No open campaign you may see.').waitFor()
      const form = carol.page.getByRole('form', { name: 'Start a campaign' })
      assert.equal(await form.getByRole('button', { name: 'Start campaign' }).isDisabled(), true, 'a campaign needs a name')
      await form.getByLabel('Name').fill('Q4 data-eng access')
      await form.getByLabel('Description').fill('quarterly review')
      await form.getByLabel('Environments').fill('local')
      await form.getByLabel('DAG tags').fill('team:data-eng')
      await form.getByRole('button', { name: 'Start campaign' }).click()
      await carol.page.getByRole('heading', { name: 'Q4 data-eng access', level: 1 }).waitFor()
      const campaignId = decodeURIComponent(new URL(carol.page.url()).pathname.split('/')[2]!)
      const all = (await callAs<{ items: Item[] }>('carol', 'GET', `/reviews/campaigns/${campaignId}/items`)).body.items
      assert.ok(all.length >= 5, `items were frozen at the start (${all.length})`)
      assert.match(await carol.page.getByTestId('campaign-state').innerText(), /open/)
      assert.match(await carol.page.getByTestId('campaign-progress').first().innerText(), new RegExp(`^${all.length} pending · 0 certified · 0 revoked of ${all.length}$`))
      assert.match(await carol.page.getByRole('table', { name: 'Campaign items' }).innerText(), /dag:trigger/)

      const find = (principal: string, action: string) => {
        const item = all.find((i) => i.principal.id === principal && i.action === action)
        assert.ok(item, `an item for ${principal} ${action}`)
        return item
      }
      const read = find('alice', 'dag:read')
      const trigger = find('alice', 'dag:trigger')
      const daveOwn = all.filter((i) => i.principal.id === 'dave')
      assert.ok(daveOwn.length > 0, 'dave\'s own access is under review too')
      for (const item of daveOwn) assert.ok(!item.reviewers.some((r) => r.id === 'dave'), 'nobody reviews their own access')
      const forDave = all.filter((i) => i.reviewers.some((r) => r.id === 'dave'))
      const forCarol = all.filter((i) => !forDave.includes(i))
      assert.ok(forCarol.every((i) => i.reviewers.some((r) => r.id === 'carol')), 'every other item has carol as reviewer')

      // Dave reviews: no Start form for him; his list holds alice's access and never his own.
      await signIn(dave.page, suite.base, 'dave')
      await open(dave.page, 'Reviews')
      await dave.page.locator(`tr[data-campaign="${campaignId}"]`).waitFor()
      assert.equal(await dave.page.getByRole('form', { name: 'Start a campaign' }).count(), 0, 'a reviewer without review:manage sees no Start form')
      const badge = dave.page.getByRole('navigation', { name: 'Main' }).getByTestId('reviews-count')
      assert.equal(await badge.innerText(), String(forDave.length), 'the nav counts what waits for him')
      await dave.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^My reviews/ }).click()
      await dave.page.getByRole('heading', { name: 'My reviews', level: 1 }).waitFor()
      const table = dave.page.getByRole('table', { name: 'Items waiting for your review' })
      await table.waitFor()
      assert.equal(await dave.page.getByTestId('my-reviews-count').innerText(), String(forDave.length))
      assert.equal(await table.locator('tr[data-item]').count(), forDave.length)
      for (const text of await table.getByTestId('item-principal').allInnerTexts()) assert.doesNotMatch(text, /\bdave\b/, 'his own access is not among his items')
      const mine = (await callAs<{ items: Item[] }>('dave', 'GET', '/reviews/mine')).body.items
      assert.deepEqual(mine.map((i) => i.id).sort(), forDave.map((i) => i.id).sort(), 'the API agrees')

      const row = (item: Item) => table.locator(`tr[data-item="${item.id}"]`)
      await row(read).getByRole('button', { name: `Certify ${label(read)}` }).click()
      await row(read).getByTestId('item-decision').getByText('certified').waitFor()
      assert.match(await row(read).getByTestId('item-decision').innerText(), /certified by dave \(you\)/)

      await row(trigger).getByRole('button', { name: `Revoke ${label(trigger)}` }).click()
      const revokeForm = row(trigger).getByRole('form', { name: `Revoke ${label(trigger)}` })
      await revokeForm.getByRole('button', { name: 'Confirm revoke' }).click()
      assert.match(await revokeForm.getByRole('alert').innerText(), /A revoke needs a comment/, 'the form refuses a revoke without a comment')
      const bare = await callAs<{ error: { code: string; details?: { field?: string } } }>('dave', 'POST', `/reviews/campaigns/${campaignId}/decisions`, { decisions: [{ itemId: trigger.id, decision: 'revoke' }] })
      assert.equal(bare.status, 400, 'and so does the API')
      assert.equal(bare.body.error.code, 'invalid_input')
      await revokeForm.getByLabel('Why revoke?').fill('alice moved to analytics')
      await revokeForm.getByRole('button', { name: 'Confirm revoke' }).click()
      await row(trigger).getByTestId('item-decision').getByText('revoked').waitFor()
      assert.match(await row(trigger).getByTestId('item-decision').innerText(), /revoked by dave \(you\).*alice moved to analytics/s)

      // The revoke holds at once.
      const denied = await callAs<{ error: { code: string; message: string } }>('alice', 'POST', '/environments/local/dags/etl_daily/runs', { conf: {} })
      assert.equal(denied.status, 403, JSON.stringify(denied.body))
      assert.equal(denied.body.error.code, 'policy_denied')
      assert.match(denied.body.error.message, /suspended by access review Q4 data-eng access/)
      const stillRead = await callAs<{ decision: string }>('alice', 'POST', '/authorize', { action: 'dag:read', environment: 'local', dag: 'etl_daily' })
      assert.equal(stillRead.body.decision, 'allow', 'only the revoked access goes')

      // Bulk: a revoke needs the comment there too; certify the rest at once.
      const rest = forDave.filter((i) => i !== read && i !== trigger)
      assert.ok(rest.length >= 2, `more than one item left for the bulk (${rest.length})`)
      await dave.page.getByRole('button', { name: `Select all ${rest.length} undecided` }).click()
      const bulk = dave.page.getByRole('form', { name: 'Decide on the selected items' })
      assert.equal(await bulk.getByTestId('selected-count').innerText(), `${rest.length} selected`)
      await bulk.getByRole('button', { name: 'Revoke selected' }).click()
      assert.match(await bulk.getByRole('alert').innerText(), /A revoke needs a comment/)
      await bulk.getByLabel('Comment for the selected').fill('still needed')
      await bulk.getByRole('button', { name: 'Certify selected' }).click()
      await bulk.getByRole('status').getByText(`Certified ${rest.length} items.`).waitFor()
      for (const item of rest) assert.match(await row(item).getByTestId('item-decision').innerText(), /certified by dave \(you\).*still needed/s)
      assert.equal(await dave.page.getByTestId('my-reviews-count').innerText(), '0', 'nothing waits for him any more')
      assert.equal(await table.getByRole('checkbox').count(), 0)
      await badge.waitFor({ state: 'detached' })

      // Carol decides dave's own access on the campaign page; the campaign completes.
      await carol.page.getByRole('button', { name: 'Refresh' }).first().click()
      const items = carol.page.getByRole('table', { name: 'Campaign items' })
      for (const item of forCarol) {
        const r = items.locator(`tr[data-item="${item.id}"]`)
        await r.getByRole('button', { name: `Certify ${label(item)}` }).click()
        await r.getByTestId('item-decision').getByText('certified').waitFor()
      }
      await carol.page.getByTestId('campaign-state').getByText('completed').waitFor()
      assert.equal(await carol.page.getByRole('button', { name: 'Complete campaign' }).count(), 0, 'a completed campaign has no Complete button')
      assert.match(await carol.page.getByTestId('campaign-progress').first().innerText(), new RegExp(`^0 pending · ${all.length - 1} certified · 1 revoked of ${all.length}$`))
      const done = (await callAs<{ campaign: Campaign }>('carol', 'GET', `/reviews/campaigns/${campaignId}`)).body.campaign
      assert.equal(done.state, 'completed')
      assert.deepEqual(done.counts, { items: all.length, pending: 0, certified: all.length - 1, revoked: 1 })

      // The revoke is a finding to fix at its source.
      const finding = carol.page.getByRole('table', { name: 'Findings' }).locator('tr[data-finding]')
      await finding.first().waitFor()
      assert.equal(await finding.count(), 1)
      const text = await finding.innerText()
      assert.match(text, /alice/)
      assert.match(text, /dag:trigger/)
      assert.match(text, /data-eng-work/, 'the policy that gave the access')
      assert.match(text, /data-eng/, 'and the group')
      assert.match(await finding.getByTestId('finding-state').innerText(), /open/)
      const findings = (await callAs<{ findings: Finding[] }>('carol', 'GET', '/reviews/findings?state=open')).body.findings.filter((f) => f.campaignId === campaignId)
      assert.deepEqual(findings.map((f) => [f.principal.id, f.action, f.state]), [['alice', 'dag:trigger', 'open']])
      await carol.page.getByLabel('Finding state').selectOption('resolved')
      await carol.page.getByText('No finding here.').waitFor()
      await carol.page.getByLabel('Finding state').selectOption('open')
      await finding.first().waitFor()

      // The completed campaign in the list, by state.
      await open(carol.page, 'Reviews')
      await carol.page.getByLabel('State').selectOption('completed')
      const listed = carol.page.locator(`tr[data-campaign="${campaignId}"]`)
      await listed.waitFor()
      assert.match(await listed.getByTestId('campaign-state').innerText(), /completed/)
      assert.match(await listed.getByTestId('campaign-progress').innerText(), /0 pending · \d+ certified · 1 revoked/)
    } finally {
      await dave.context.close()
      await carol.context.close()
    }
  })

  test('a due date in the past is refused naming the field; the decision filter; carol cancels a campaign and dave\'s click on it is refused readably (campaign_closed); another she completes with items undecided', { timeout: 300_000 }, async () => {
    const carol = await suite.newPage()
    const dave = await suite.newPage()
    const campaigns = async () => (await callAs<{ campaigns: Campaign[] }>('carol', 'GET', '/reviews/campaigns')).body.campaigns
    try {
      const before = (await campaigns()).length
      await signIn(carol.page, suite.base, 'carol')
      await open(carol.page, 'Reviews')
      const form = carol.page.getByRole('form', { name: 'Start a campaign' })
      const start = async (name: string, due: string) => {
        await form.getByLabel('Name').fill(name)
        await form.getByLabel('Due date').fill(due)
        await form.getByLabel('Environments').fill('local')
        await form.getByLabel('DAG tags').fill('team:data-eng')
        await form.getByRole('button', { name: 'Start campaign' }).click()
      }
      await start('Too late', '2020-01-31')
      const refusal = form.getByRole('alert')
      await refusal.waitFor()
      assert.match(await refusal.innerText(), /The campaign was not started\..*dueAt must be in the future.*invalid_input/s)
      assert.equal(await refusal.getByTestId('error-field').innerText(), 'dueAt')
      assert.equal(await form.getByLabel('Due date').getAttribute('aria-invalid'), 'true', 'the field is marked')
      assert.equal((await campaigns()).length, before, 'nothing was started')

      const nextYear = String(new Date().getFullYear() + 1)
      await start('To cancel', `${nextYear}-03-31`)
      await carol.page.getByRole('heading', { name: 'To cancel', level: 1 }).waitFor()
      const cancelled = decodeURIComponent(new URL(carol.page.url()).pathname.split('/')[2]!)
      const items = carol.page.getByRole('table', { name: 'Campaign items' })
      await items.waitFor()
      const count = await items.locator('tr[data-item]').count()
      await carol.page.getByLabel('Decision').selectOption('pending')
      await carol.page.waitForFunction(`document.querySelectorAll('tr[data-item]').length === ${count}`)
      for (const text of await items.getByTestId('item-decision').allInnerTexts()) assert.match(text, /pending/)
      await carol.page.getByLabel('Decision').selectOption('certified')
      await carol.page.getByText('No certified item you may see in this campaign.').waitFor()
      await carol.page.getByLabel('Decision').selectOption('')
      await items.waitFor()

      // Dave opens his items, then carol cancels the campaign under him.
      await signIn(dave.page, suite.base, 'dave', '/my-reviews')
      const mine = dave.page.getByRole('table', { name: 'Items waiting for your review' })
      const first = (await callAs<{ items: Item[] }>('dave', 'GET', '/reviews/mine')).body.items.find((i) => i.campaignId === cancelled)
      assert.ok(first, 'dave has items in the new campaign')
      await mine.locator(`tr[data-item="${first.id}"]`).waitFor()
      await carol.page.getByRole('button', { name: 'Cancel campaign' }).click()
      await carol.page.getByTestId('campaign-state').getByText('cancelled').waitFor()
      assert.equal(await carol.page.getByRole('button', { name: 'Complete campaign' }).count(), 0)
      const row = mine.locator(`tr[data-item="${first.id}"]`)
      await row.getByRole('button', { name: `Certify ${label(first)}` }).click()
      const closed = row.getByRole('alert')
      await closed.waitFor()
      assert.match(await closed.innerText(), /The decision was not recorded\..*campaign_closed.*HTTP 409/s)
      assert.match(await closed.innerText(), /its decisions are final/, 'with what to do')
      assert.match(await row.getByTestId('item-decision').innerText(), /pending/, 'nothing changed')

      // Another campaign, completed before anyone decided.
      await open(carol.page, 'Reviews')
      await start('Completed early', `${nextYear}-04-30`)
      await carol.page.getByRole('heading', { name: 'Completed early', level: 1 }).waitFor()
      await carol.page.getByRole('button', { name: 'Complete campaign' }).click()
      await carol.page.getByTestId('campaign-state').getByText('completed').waitFor()
      const completed = decodeURIComponent(new URL(carol.page.url()).pathname.split('/')[2]!)
      assert.equal((await callAs<{ campaign: Campaign }>('carol', 'GET', `/reviews/campaigns/${completed}`)).body.campaign.state, 'completed')

      await open(carol.page, 'Reviews')
      await carol.page.getByLabel('State').selectOption('cancelled')
      await carol.page.locator(`tr[data-campaign="${cancelled}"]`).getByTestId('campaign-state').getByText('cancelled').waitFor()
      await dave.page.getByRole('button', { name: 'Refresh' }).click()
      await dave.page.getByText('Nothing waits for your review.').waitFor()
    } finally {
      await dave.context.close()
      await carol.context.close()
    }
  })
})
