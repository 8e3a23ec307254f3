import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { startAirflow, type AirflowHandle } from '../../harness/airflow.ts'
import { freePort, startTestApp, TEST_USERS } from '../../harness/app.ts'
import { CHROMIUM_PATH, launchChromium } from '../../harness/console-app.ts'
import { eventually } from '../../harness/poll.ts'

const skip = existsSync(CHROMIUM_PATH) ? false : `no Chromium at ${CHROMIUM_PATH}: install it with \`apt-get install -y chromium\` to run the browser tests`
const SCIM_USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'

// Airflow's own UI, governed by Conductor: a real Airflow 3 running the Conductor auth manager and trusting
// Conductor's JWKS, people signing in to it through Conductor and the development IdP in Chromium.
describe('Airflow\'s own UI through the Conductor auth manager, in Chromium', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'conductor-airflow-ui-'))
  let app: Awaited<ReturnType<typeof startTestApp>>
  let airflow: AirflowHandle
  let browser: Browser
  let conductorUrl: string
  let scimToken: string
  let aliceScimId: string
  let conductorStopped = false

  before(async () => {
    // Airflow signs its own UI and task tokens with this key; Conductor publishes its public half beside its own
    // (identity.airflowTokens.extraJwks), and Airflow trusts exactly that set (trusted_jwks_url).
    const airflowKeys = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const airflowKeyPath = join(dir, 'airflow-jwt.pem')
    writeFileSync(airflowKeyPath, airflowKeys.privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 })
    const airflowJwk = { ...airflowKeys.publicKey.export({ format: 'jwk' }), kid: 'airflow-ui', alg: 'RS256', use: 'sig' }
    const conductorKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
    const users = [...TEST_USERS, { username: 'airflow-am', name: 'Airflow auth manager', email: 'am@example.com', groups: ['airflow-auth-managers'] }]
    const conductorPort = await freePort()
    const airflowPort = await freePort()
    app = await startTestApp({
      databaseUrl: `sqlite:${join(dir, 'conductor.db')}`, port: conductorPort,
      environments: [{
        name: 'local', url: `http://127.0.0.1:${airflowPort}`,
        // Governed actions reach Airflow as the person; Conductor's own reads carry tokens it signs for itself.
        credentials: { kind: 'conductor-identity', serviceAccountKind: 'conductor-signed' }, settings: { conductorAuthManager: true },
      }],
      secrets: { 'airflow-token-key': conductorKey, 'airflow-own-jwk': JSON.stringify(airflowJwk) },
      extraConfig: {
        identity: {
          audience: 'conductor', devIssuer: { enabled: true, host: '127.0.0.1', port: 0, users }, scim: { enabled: true },
          airflowTokens: { signingKeys: [{ provider: 'files', secret: 'airflow-token-key' }], extraJwks: [{ provider: 'files', secret: 'airflow-own-jwk' }] },
        },
      },
    })
    conductorUrl = await app.listen()
    const tokenFile = join(dir, 'conductor-token')
    writeFileSync(tokenFile, await app.tokenFor('airflow-am'), { mode: 0o600 })
    airflow = await startAirflow({
      port: airflowPort,
      conductor: { url: conductorUrl, environment: 'local', tokenFile },
      env: {
        AIRFLOW__API_AUTH__TRUSTED_JWKS_URL: `${conductorUrl}/.well-known/airflow-jwks.json`,
        AIRFLOW__API_AUTH__JWT_PRIVATE_KEY_PATH: airflowKeyPath,
        AIRFLOW__API_AUTH__JWT_KID: 'airflow-ui',
      },
    })
    // Conductor reads its catalog through the auth manager too, as its own service account.
    const [status] = await app.governance.catalog.syncAll()
    assert.equal(status!.reachable, 1, String(status!.last_error))

    scimToken = (await app.scim!.tokens.create('okta')).token
    const alice = await scim('POST', '/Users', { schemas: [SCIM_USER], userName: 'alice', name: { givenName: 'Alice', familyName: 'Example' }, active: true })
    assert.equal(alice.status, 201)
    aliceScimId = (alice.body as { id: string }).id
    browser = await launchChromium()
  })
  after(async () => {
    await browser?.close()
    if (!conductorStopped) await app?.close()
    await airflow?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  async function scim(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${conductorUrl}/scim/v2${path}`, {
      method, headers: { authorization: `Bearer ${scimToken}`, 'content-type': 'application/scim+json' }, ...(body ? { body: JSON.stringify(body) } : {}),
    })
    return { status: res.status, body: await res.json().catch(() => null) }
  }

  /** A fresh browser that opens Airflow, is sent to Conductor and the IdP, signs in as `username`, and comes back to Airflow. */
  async function signInToAirflow(username: string): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    page.setDefaultTimeout(30_000)
    await page.goto(`${airflow.url}/dags`)
    await page.locator('input[name="login"]').waitFor()
    assert.notEqual(new URL(page.url()).origin, airflow.url, 'Airflow sent the browser away to sign in')
    await page.locator('input[name="login"]').fill(username)
    await page.locator('input[name="password"]').fill(username)
    await Promise.all([page.waitForURL((url) => url.origin === airflow.url), page.locator('button[type="submit"]').click()])
    return { context, page }
  }

  /** Airflow's REST API with the browser's own Airflow session (what the UI itself calls). */
  const airflowApi = (page: Page, method: 'GET' | 'POST', path: string, data?: unknown) =>
    page.request.fetch(`${airflow.url}/api/v2${path}`, { method, ...(data ? { data } : {}), failOnStatusCode: false })

  test('alice signs in through Conductor, sees only the DAGs policy lets her read, and triggers etl_daily there: the run is hers in Airflow and in Conductor', { timeout: 240_000 }, async () => {
    const { context, page } = await signInToAirflow('alice')
    try {
      await page.getByText('etl_daily').first().waitFor()
      // What policy lets data-eng read: its own DAGs (etl_daily, and the test DAG conductor_scheduled_only, also tagged
      // team:data-eng) and the DAGs tagged sensitive (which it may ask to run).
      const listed = await page.locator('body').innerText()
      assert.match(listed, /4 Dags\b/)
      for (const dag of ['etl_daily', 'conductor_scheduled_only', 'conductor_sensitive', 'payments_export']) assert.match(listed, new RegExp(dag))
      assert.doesNotMatch(listed, /ml_train/, 'ml_train belongs to the ML team')
      assert.doesNotMatch(listed, /hitl_review/, 'hitl_review belongs to the data leads')
      const cookie = (await context.cookies(airflow.url)).find((c) => c.name === '_token')
      assert.ok(cookie?.httpOnly, 'Airflow\'s own session cookie, HttpOnly')

      await page.goto(`${airflow.url}/dags/etl_daily`)
      await page.getByRole('button', { name: 'Trigger' }).first().click()
      const dialog = page.getByRole('dialog')
      await dialog.waitFor()
      await dialog.getByRole('button', { name: /^Trigger$/ }).click()
      const run = await eventually(async () => {
        const runs = await airflowApi(page, 'GET', '/dags/etl_daily/dagRuns?order_by=-run_after&limit=20')
        assert.equal(runs.status(), 200)
        return ((await runs.json()) as { dag_runs: { dag_run_id: string; run_type: string; triggering_user_name: string | null }[] }).dag_runs
          .find((r) => r.run_type === 'manual')
      }, { what: 'the run alice triggered in Airflow\'s UI', timeoutMs: 30_000 })
      assert.equal(run.triggering_user_name, 'alice')

      // Airflow asked Conductor, and Conductor's next look at Airflow puts the run in its ledger as alice's.
      const asked = await app.audit.query({ type: 'airflow.authorize', principal: 'alice' })
      assert.ok(asked.some((e) => (e.data as { counts: Record<string, { allowed: number }> }).counts['dag:trigger']?.allowed), 'the trigger was decided by Conductor')
      // The run may still be running when the UI shows it: Conductor's look at Airflow records it once it has ended.
      await eventually(async () => {
        await app.governance.catalog.syncAll()
        const ledger = await app.database.db.selectFrom('requests').selectAll().where('run_id', '=', run.dag_run_id).execute()
        assert.deepEqual(ledger.map((r) => [r.principal_id, r.action, r.state]), [['alice', 'dag:trigger', 'succeeded']])
        return true
      }, { what: 'alice\'s run in Conductor\'s ledger as succeeded', timeoutMs: 90_000, intervalMs: 1000 })
      assert.equal((await app.audit.query({ type: 'airflow.run', principal: 'alice' })).length, 1)
      assert.equal((await app.audit.query({ type: 'shadow.run' })).length, 0, 'not shadow activity')
      assert.equal((await app.audit.query({ type: 'airflow.sign_in', principal: 'alice' })).length >= 1, true)
    } finally {
      await context.close()
    }
  })

  test('a trigger through Conductor\'s API in this environment reaches Airflow as alice', async () => {
    const res = await fetch(`${conductorUrl}/api/v1/environments/local/dags/etl_daily/runs`, {
      method: 'POST', headers: { authorization: `Bearer ${await app.tokenFor('alice')}`, 'content-type': 'application/json' }, body: JSON.stringify({ conf: {}, reason: 'from the API' }),
    })
    assert.equal(res.status, 201, await res.clone().text())
    const { run } = (await res.json()) as { run: { runId: string } }
    const read = await fetch(`${conductorUrl}/api/v1/environments/local/dags/etl_daily/runs/${run.runId}`, { headers: { authorization: `Bearer ${await app.tokenFor('alice')}` } })
    assert.equal(read.status, 200)
    assert.equal(((await read.json()) as { triggeredBy: string }).triggeredBy, 'alice', 'Airflow\'s triggering_user_name')
  })

  test('bob is refused by Airflow\'s own UI and API: he may read etl_daily but not trigger it', { timeout: 120_000 }, async () => {
    const { context, page } = await signInToAirflow('bob')
    try {
      await page.getByText('etl_daily').first().waitFor()
      const trigger = await airflowApi(page, 'POST', '/dags/etl_daily/dagRuns', { logical_date: null })
      assert.equal(trigger.status(), 403)
      const refused = await app.audit.query({ type: 'airflow.authorize', principal: 'bob' })
      assert.ok(refused.some((e) => (e.data as { counts: Record<string, { denied: number }> }).counts['dag:trigger']?.denied))
    } finally {
      await context.close()
    }
  })

  test('SCIM deactivates alice: her Airflow session fails at its next request, and she cannot sign in again', { timeout: 120_000 }, async () => {
    const { context, page } = await signInToAirflow('alice')
    try {
      assert.equal((await airflowApi(page, 'GET', '/dags')).status(), 200)
      const off = await scim('PATCH', `/Users/${aliceScimId}`, { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: false } }] })
      assert.equal(off.status, 200)
      const started = performance.now()
      const next = await eventually(async () => {
        const res = await airflowApi(page, 'GET', '/dags')
        return res.status() === 200 ? undefined : res
      }, { what: 'Airflow to refuse alice', timeoutMs: 5_000, intervalMs: 100 })
      const elapsed = performance.now() - started
      assert.ok([401, 403].includes(next.status()), String(next.status()))
      // How fast is the revocation bench's business (a test asserts no time); this prints it for the record.
      console.log(`# alice refused by Airflow ${elapsed.toFixed(0)} ms after the SCIM call`)
      // Airflow ends the session itself too: within the cache's half second its refresh drops her cookie, and she is unauthenticated.
      await eventually(async () => {
        const res = await airflowApi(page, 'GET', '/dags')
        return res.status() === 401 && !(await context.cookies(airflow.url)).some((c) => c.name === '_token')
      }, { what: 'Airflow to drop alice\'s session cookie', timeoutMs: 3_000, intervalMs: 200 })
      // Back to sign-in: her Conductor session died with the deactivation, and the IdP's word is no longer enough.
      // (The IdP may still hold her session and answer at once; either way Conductor's callback refuses her.)
      const refusedAt = (url: URL) => url.origin === conductorUrl && url.pathname === '/auth/callback'
      await page.goto(`${airflow.url}/dags`).catch(() => {})
      // Either the IdP asks for her password, or (its session still alive) it answers at once.
      const settled = () => null
      await Promise.race([page.locator('input[name="login"]').waitFor().catch(settled), page.waitForURL(refusedAt).catch(settled)])
      if (!refusedAt(new URL(page.url()))) {
        await page.locator('input[name="login"]').fill('alice')
        await page.locator('input[name="password"]').fill('alice')
        await Promise.all([page.waitForURL(refusedAt), page.locator('button[type="submit"]').click()])
      }
      assert.match(await page.locator('body').innerText(), /session_revoked|login_failed|deactivated|no longer/i)
      assert.equal((await context.cookies(airflow.url)).some((c) => c.name === '_token'), false, 'no new Airflow session')
    } finally {
      await context.close()
    }
  })

  test('Conductor stopped: Airflow refuses everything and says why (fails closed)', { timeout: 120_000 }, async () => {
    const { context, page } = await signInToAirflow('bob')
    try {
      assert.equal((await airflowApi(page, 'GET', '/dags/etl_daily')).status(), 200)
      conductorStopped = true
      await app.close()
      await eventually(async () => (await airflowApi(page, 'GET', '/dags/etl_daily')).status() === 403, { what: 'Airflow to refuse bob', timeoutMs: 10_000 })
      assert.equal((await airflowApi(page, 'GET', '/dags')).status() === 200 ? ((await (await airflowApi(page, 'GET', '/dags')).json()) as { total_entries: number }).total_entries : 0, 0)
      const log = readFileSync(join(airflow.home!, 'airflow.log'), 'utf8')
      assert.match(log, /Conductor auth manager: denying .*unreachable/)
    } finally {
      await context.close()
    }
  })
})
