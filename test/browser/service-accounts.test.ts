import assert from 'node:assert/strict'
import { cpSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import type { Page } from 'playwright-core'
import { CHROMIUM_PATH, signIn, useConsoleBrowser } from '../../harness/console-app.ts'

const skip = existsSync(CHROMIUM_PATH) ? false : `no Chromium at ${CHROMIUM_PATH}: install it with \`apt-get install -y chromium\` to run the browser tests`

const root = new URL('../..', import.meta.url).pathname

/** What `GET /api/v1/me` answers with a bearer token: its status, and the body or the error code. */
interface MeAnswer {
  status: number
  type?: string
  id?: string
  agent?: { sponsor: string; tools: string[]; budgets: { action: string; max: number; perHours: number; used: number }[] }
  credential?: { kind: string; scope: { actions: string[] | null; environments: string[] | null } }
  code?: string
}

describe('service accounts, agents and API tokens in the web console, in Chromium', { skip }, () => {
  // One GitHub Actions workload issuer, so trust rules have an issuer to name (no workload token is exchanged here).
  const suite = useConsoleBrowser((folder) => cpSync(join(root, 'policies'), folder, { recursive: true }), {
    identity: { workloadIssuers: [{ name: 'github', kind: 'github', issuer: 'https://token.actions.githubusercontent.com', audience: 'conductor', jwksUri: 'http://127.0.0.1:9/jwks' }] },
  })

  /** Calls `/api/v1/me` from the test (not the browser) with `token` as the bearer. */
  const meWith = async (token: string): Promise<MeAnswer> => {
    const response = await fetch(`${suite.base}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } })
    const body = await response.json() as Record<string, unknown> & { error?: { code: string } }
    return response.ok ? { status: response.status, ...body } as MeAnswer : { status: response.status, code: body.error?.code ?? '' }
  }

  /** Creates a token with the form on `page` (the section headed `section`); answers the token shown once. */
  const createToken = async (page: Page, section: string, name: string, days: string): Promise<string> => {
    const tokens = page.getByRole('region', { name: section })
    const form = tokens.getByRole('form', { name: 'Create token' })
    await form.getByLabel('Token name').fill(name)
    await form.getByLabel('Expires in days').fill(days)
    await form.getByRole('button', { name: 'Create token' }).click()
    const shown = page.getByRole('region', { name: new RegExp(`New token “${name}”`) })
    await shown.waitFor()
    assert.match(await shown.innerText(), /copy it now, you will not see it again/i, 'the token comes with a clear warning that it is shown once')
    assert.equal(await shown.getByRole('button', { name: 'Copy token' }).count(), 1, 'a copy button sits beside it')
    const token = (await shown.getByTestId('new-token').innerText()).trim()
    assert.match(token, /^cdt_[A-Za-z0-9_-]+$/, 'the token is a Conductor API token')
    await tokens.locator(`tr[data-token="${name}"]`).waitFor()
    assert.ok(!(await tokens.getByRole('table').innerText()).includes(token), 'the list never shows the secret')
    return token
  }

  /** After a reload, nowhere on the page (text or markup) is `token`. */
  const goneAfterReload = async (page: Page, token: string, waitFor: string): Promise<void> => {
    await page.reload()
    await page.locator(`tr[data-token="${waitFor}"]`).waitFor()
    assert.ok(!(await page.content()).includes(token), 'after a reload the token is nowhere on the page')
    assert.ok(!(await page.content()).includes(token.split('_').slice(2).join('_')), 'nor its secret part (everything after the second underscore)')
  }

  test('alice creates an agent sponsored by herself with tools and a budget; its token is shown once, acts as the Agent, stops when revoked; disabling stops every token; editing changes tools and budget', { timeout: 180_000 }, async () => {
    const { context, page } = await suite.newPage()
    try {
      await signIn(page, suite.base, 'alice')
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Service accounts' }).click()
      await page.getByRole('heading', { name: 'Service accounts', level: 1 }).waitFor()
      await page.getByText('No service account or agent you may see.').waitFor()

      const form = page.getByRole('form', { name: 'Create a service account or agent' })
      await form.getByRole('radio', { name: /^Agent/ }).check()
      assert.equal(await form.getByLabel('Sponsor', { exact: true }).inputValue(), 'alice', 'the sponsor defaults to the person creating the agent')
      assert.equal(await form.getByLabel('Owner', { exact: true }).inputValue(), 'data-eng', 'the owner defaults to her group')
      await form.getByLabel('Name', { exact: true }).fill('nightly-agent')
      await form.getByLabel('Description').fill('Reruns the nightly loads')
      await form.getByRole('checkbox', { name: 'list_dags' }).check()
      await form.getByRole('checkbox', { name: 'get_run_status' }).check()
      await form.getByRole('checkbox', { name: 'trigger_dag' }).check()
      await form.getByRole('button', { name: 'Add budget' }).click()
      await form.getByLabel('Budget action').selectOption('dag:trigger')
      await form.getByLabel('At most').fill('5')
      await form.getByLabel('Per hours').fill('2')

      // A group she is not in: refused with the code and the field, nothing created.
      await form.getByLabel(/^Groups/).fill('data-eng, platform-admins')
      await form.getByRole('button', { name: 'Create agent' }).click()
      const refusal = form.getByRole('alert')
      await refusal.getByText('group_not_held').waitFor()
      assert.match(await refusal.innerText(), /HTTP 403[\s\S]*field groups/, 'the error names its status and the field at fault')
      assert.equal(await form.getByLabel(/^Groups/).getAttribute('aria-invalid'), 'true', 'the groups input is marked invalid')
      assert.equal(await page.locator('tr[data-account]').count(), 0, 'the refused agent was not created')

      await form.getByLabel(/^Groups/).fill('data-eng')
      await form.getByRole('button', { name: 'Create agent' }).click()
      const row = page.locator('tr[data-account="nightly-agent"]')
      await row.waitFor()
      assert.match(await row.innerText(), /nightly-agent[\s\S]*agent[\s\S]*group data-eng[\s\S]*data-eng[\s\S]*alice[\s\S]*active/, 'the list shows kind, owner, groups, sponsor and state')
      assert.equal(await form.getByRole('alert').count(), 0, 'the earlier error is gone')

      await row.getByRole('link', { name: 'nightly-agent' }).click()
      await page.getByRole('heading', { name: /nightly-agent/, level: 1 }).waitFor()
      const facts = await page.locator('dl.facts').innerText()
      assert.match(facts, /Agent/, 'it acts as an Agent principal')
      assert.match(facts, /list_dags[\s\S]*get_run_status[\s\S]*trigger_dag/, 'its tools are listed')
      assert.match(facts, /dag:trigger: at most 5 per 2 hours/, 'its budget is listed')
      assert.equal(await page.getByTestId('sponsor').innerText(), 'alice')

      const token = await createToken(page, 'API tokens', 'ci', '7')
      const me = await meWith(token)
      assert.equal(me.status, 200)
      assert.equal(me.type, 'Agent', 'the token acts as the agent')
      assert.equal(me.id, 'nightly-agent')
      assert.equal(me.agent?.sponsor, 'alice')
      assert.deepEqual(me.agent?.tools, ['list_dags', 'get_run_status', 'trigger_dag'])
      assert.deepEqual(me.agent?.budgets.map((b) => [b.action, b.max, b.perHours]), [['dag:trigger', 5, 2]])
      assert.equal(me.credential?.kind, 'api-token')

      await goneAfterReload(page, token, 'ci')
      const ci = page.locator('tr[data-token="ci"]')
      assert.notEqual(await ci.getByTestId('last-used').innerText(), 'never', 'the list shows that the token was used')
      await ci.getByRole('button', { name: 'Revoke token ci' }).click()
      await ci.getByTestId('token-state').getByText('revoked', { exact: true }).waitFor()
      assert.equal(await ci.getByRole('button', { name: /Revoke/ }).count(), 0, 'a revoked token offers no Revoke')
      assert.deepEqual(await meWith(token), { status: 401, code: 'token_revoked' }, 'the revoked token is refused')

      const second = await createToken(page, 'API tokens', 'cron', '1')
      assert.equal((await meWith(second)).status, 200)
      await page.getByLabel('Reason for disabling').fill('rotating the agent')
      await page.getByRole('button', { name: 'Disable', exact: true }).click()
      await page.getByTestId('account-state').getByText('disabled', { exact: true }).waitFor()
      assert.equal(await page.getByTestId('disabled-reason').innerText(), 'rotating the agent')
      assert.equal((await meWith(second)).status, 401, 'a disabled agent\'s token stops at once')
      assert.equal(await page.getByRole('button', { name: 'Create token' }).count(), 0, 'no new token for a disabled agent')

      await page.getByRole('link', { name: 'Service accounts' }).first().click()
      await page.locator('tr[data-account="nightly-agent"]').getByTestId('account-state').getByText('disabled', { exact: true }).waitFor()

      await page.locator('tr[data-account="nightly-agent"]').getByRole('link', { name: 'nightly-agent' }).click()
      await page.getByRole('button', { name: 'Enable' }).click()
      await page.getByTestId('account-state').getByText('active', { exact: true }).waitFor()
      assert.equal((await meWith(second)).status, 200, 'enabled again, its live token works again')

      await page.getByRole('button', { name: 'Edit…' }).click()
      const edit = page.getByRole('form', { name: 'Edit nightly-agent' })
      assert.equal(await edit.getByLabel('Sponsor', { exact: true }).inputValue(), 'alice', 'the edit form starts from the agent as it is')
      await edit.getByRole('checkbox', { name: 'get_run_status' }).uncheck()
      await edit.getByLabel('At most').fill('10')
      await edit.getByRole('button', { name: 'Save changes' }).click()
      await page.locator('dl.facts').getByText('dag:trigger: at most 10 per 2 hours').waitFor()
      const edited = await meWith(second)
      assert.deepEqual(edited.agent?.tools, ['list_dags', 'trigger_dag'], 'the agent\'s tools changed at once')
      assert.deepEqual(edited.agent?.budgets.map((b) => [b.action, b.max, b.perHours]), [['dag:trigger', 10, 2]], 'and its budget')
    } finally {
      await context.close()
    }
  })

  test('bob, not in the owning group, neither sees nor manages the agent; creating one for data-eng answers 403 with the code', { timeout: 120_000 }, async () => {
    const { context, page } = await suite.newPage()
    try {
      await signIn(page, suite.base, 'bob', '/service-accounts')
      await page.getByText('No service account or agent you may see.').waitFor()
      assert.equal(await page.locator('tr[data-account="nightly-agent"]').count(), 0)

      await page.goto(`${suite.base}/service-accounts/nightly-agent`)
      await page.getByText('You may not see or manage this service account, or it does not exist.').waitFor()
      assert.equal(await page.getByRole('button', { name: /Disable|Enable|Delete/ }).count(), 0, 'nothing to manage')
      assert.equal(await page.getByRole('form', { name: 'Create token' }).count(), 0, 'no token form')

      await page.goto(`${suite.base}/service-accounts`)
      const form = page.getByRole('form', { name: 'Create a service account or agent' })
      await form.getByLabel('Name', { exact: true }).fill('bobs-agent')
      await form.getByRole('radio', { name: /^Agent/ }).check()
      await form.getByLabel('Owner', { exact: true }).fill('data-eng')
      await form.getByLabel(/^Groups/).fill('')
      await form.getByRole('button', { name: 'Create agent' }).click()
      const refusal = form.getByRole('alert')
      await refusal.getByText('policy_denied').waitFor()
      assert.match(await refusal.innerText(), /HTTP 403[\s\S]*members of the owning group/, 'the refusal says who may manage such accounts')
      assert.equal(await page.locator('tr[data-account]').count(), 0, 'nothing was created')
    } finally {
      await context.close()
    }
  })

  test('a personal API token on My access: too long a life is refused with the field; shown once, acts as the person, refused once revoked', { timeout: 120_000 }, async () => {
    const { context, page } = await suite.newPage()
    try {
      await signIn(page, suite.base, 'bob', '/me')
      const section = page.getByRole('region', { name: 'My API tokens' })
      await section.getByText('No API token yet.').waitFor()
      const form = section.getByRole('form', { name: 'Create token' })
      await form.getByLabel('Token name').fill('forever')
      await form.getByLabel('Expires in days').fill('5000')
      await form.getByRole('button', { name: 'Create token' }).click()
      const refusal = form.getByRole('alert')
      await refusal.getByText('token_expiry_too_long').waitFor()
      assert.match(await refusal.innerText(), /HTTP 400[\s\S]*field expiresInDays/, 'too long a life is refused with the field at fault')
      assert.equal(await form.getByLabel('Expires in days').getAttribute('aria-invalid'), 'true')
      assert.equal(await section.locator('tr[data-token]').count(), 0, 'and no token was made')
      const token = await createToken(page, 'My API tokens', 'laptop', '30')
      const me = await meWith(token)
      assert.equal(me.status, 200)
      assert.equal(me.type, 'User')
      assert.equal(me.id, 'bob', 'the personal token acts as bob')
      assert.equal(me.credential?.kind, 'api-token')

      await goneAfterReload(page, token, 'laptop')
      const row = section.locator('tr[data-token="laptop"]')
      assert.match(await row.innerText(), /laptop[\s\S]*whatever policy allows/, 'the list shows its name and scope')
      await row.getByRole('button', { name: 'Revoke token laptop' }).click()
      await row.getByTestId('token-state').getByText('revoked', { exact: true }).waitFor()
      assert.deepEqual(await meWith(token), { status: 401, code: 'token_revoked' })
    } finally {
      await context.close()
    }
  })

  test('alice trusts a GitHub repository to act as a service account: a rule that trusts too much is refused with the condition at fault; she adds a narrow one and removes it; deleting the account asks first and its name is not reused', { timeout: 120_000 }, async () => {
    const { context, page } = await suite.newPage()
    try {
      await signIn(page, suite.base, 'alice', '/service-accounts')
      const form = page.getByRole('form', { name: 'Create a service account or agent' })
      await form.getByRole('radio', { name: /^Service/ }).check()
      assert.equal(await form.getByLabel('Sponsor', { exact: true }).count(), 0, 'a service has no sponsor')
      assert.equal(await form.getByRole('checkbox').count(), 0, 'nor tools')
      await form.getByLabel('Name', { exact: true }).fill('deploy-bot')
      await form.getByRole('button', { name: 'Create service account' }).click()
      await page.locator('tr[data-account="deploy-bot"]').getByRole('link', { name: 'deploy-bot' }).click()
      const trusts = page.getByRole('region', { name: 'Trust rules' })
      await trusts.getByText('No workload is trusted.').waitFor()

      const add = trusts.getByRole('form', { name: 'Add a trust rule' })
      await add.getByLabel('Issuer').fill('github')
      await add.getByLabel('Claim').fill('repository')
      await add.getByLabel('Glob').fill('*/pipelines')
      await add.getByRole('button', { name: 'Add trust rule' }).click()
      const refusal = add.getByRole('alert')
      await refusal.getByText('trust_rule_invalid').waitFor()
      assert.match(await refusal.innerText(), /HTTP 400[\s\S]*field conditions\.repository/, 'the refusal names the condition that trusts too much')
      assert.equal(await add.getByLabel('Claim').getAttribute('aria-invalid'), 'true')

      await add.getByLabel('Glob').fill('acme/pipelines')
      await add.getByRole('button', { name: 'Add condition' }).click()
      await add.getByRole('listitem', { name: 'Condition 2' }).getByLabel('Claim').fill('ref')
      await add.getByRole('listitem', { name: 'Condition 2' }).getByLabel('Glob').fill('refs/heads/main')
      await add.getByLabel('Description').fill('deploys from main')
      await add.getByRole('button', { name: 'Add trust rule' }).click()
      const rule = trusts.getByRole('table', { name: 'Trust rules' }).locator('tr[data-trust]')
      await rule.waitFor()
      assert.match(await rule.innerText(), /github[\s\S]*ref = refs\/heads\/main[\s\S]*repository = acme\/pipelines[\s\S]*deploys from main/)

      await rule.getByRole('button', { name: /^Remove trust rule github/ }).click()
      await trusts.getByText('No workload is trusted.').waitFor()

      await page.getByRole('button', { name: 'Delete…' }).click()
      const confirm = page.getByRole('alertdialog')
      assert.match(await confirm.innerText(), /Delete deploy-bot for good\?[\s\S]*tokens are revoked/, 'deleting asks first, saying what it does')
      await confirm.getByRole('button', { name: 'Delete deploy-bot' }).click()
      await page.getByRole('status').getByText(/Deleted deploy-bot/).waitFor()
      assert.equal(await page.locator('tr[data-account="deploy-bot"]').count(), 0, 'a deleted account leaves the list')
      await form.getByLabel('Name', { exact: true }).fill('deploy-bot')
      await form.getByRole('button', { name: 'Create service account' }).click()
      await form.getByRole('alert').getByText('service_account_exists').waitFor()
    } finally {
      await context.close()
    }
  })
})
