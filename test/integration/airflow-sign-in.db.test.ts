import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { freePort, startTestApp, TEST_USERS } from '../../harness/app.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { browser, signIn } from '../support/http-browser.ts'

// Sign-in to Airflow's own UI through Conductor: the login page of the Conductor auth manager, the one-time code it
// carries back to Airflow, and its exchange by the auth manager for the person.
forEachEngine((engine) => {
  const airflowUi = 'https://airflow.example.com/team-a'
  let database: TestDatabase
  let app: Awaited<ReturnType<typeof startTestApp>>
  let base: string
  let managerToken: string
  before(async () => {
    database = await engine.open()
    const users = [...TEST_USERS, { username: 'airflow-am', name: 'Airflow auth manager', email: 'am@example.com', groups: ['airflow-auth-managers'] }]
    app = await startTestApp({
      databaseUrl: database.url, port: await freePort(),
      environments: [{ name: 'local', url: 'http://127.0.0.1:1', publicUrl: airflowUi }, { name: 'other', url: 'http://127.0.0.1:2' }],
      extraConfig: { identity: { audience: 'conductor', devIssuer: { enabled: true, host: '127.0.0.1', port: 0, users } } },
    })
    base = await app.listen()
    managerToken = await app.tokenFor('airflow-am')
  })
  after(async () => {
    await app?.close()
    await database?.close()
  })

  /** Alice signed in to Conductor in a browser, and where Conductor's Airflow login page sends her. */
  async function airflowLogin(next?: string, username = 'alice') {
    const b = browser()
    await signIn(b, base, username)
    const cookie = [...(b.jar.get(new URL(base).origin) ?? new Map()).entries()].map(([k, v]) => `${k}=${v}`).join('; ')
    const query = next === undefined ? '' : `?${new URLSearchParams({ next })}`
    const res = await fetch(`${base}/auth/airflow/local/login${query}`, { redirect: 'manual', headers: { cookie } })
    assert.equal(res.status, 302)
    return new URL(res.headers.get('location')!)
  }
  const exchange = (code: string, token = managerToken, env = 'local') => fetch(`${base}/api/v1/airflow/${env}/sign-in`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ code }),
  })

  test('without a Conductor session, Airflow\'s login page sends the person through Conductor\'s own sign-in and back', async () => {
    const res = await fetch(`${base}/auth/airflow/local/login?next=${encodeURIComponent(`${airflowUi}/dags`)}`, { redirect: 'manual' })
    assert.equal(res.status, 302)
    const location = new URL(res.headers.get('location')!, base)
    assert.equal(location.pathname, '/auth/login')
    assert.equal(location.searchParams.get('returnTo'), `/auth/airflow/local/login?next=${encodeURIComponent(`${airflowUi}/dags`)}`)
  })

  test('a signed-in person goes back to the Airflow\'s callback with a one-time code, which the auth manager redeems for them once', async () => {
    const callback = await airflowLogin(`${airflowUi}/dags/etl_daily`)
    assert.equal(`${callback.origin}${callback.pathname}`, `${airflowUi}/auth/callback`)
    assert.equal(callback.searchParams.get('next'), `${airflowUi}/dags/etl_daily`)
    const code = callback.searchParams.get('code')!
    assert.ok(code.length >= 40)

    const first = await exchange(code)
    assert.equal(first.status, 200, await first.clone().text())
    assert.deepEqual(await first.json(), { user: { id: 'alice', name: 'Alice Example', groups: ['data-eng'], type: 'User' } })
    const again = await exchange(code)
    assert.equal(again.status, 400)
    assert.equal(((await again.json()) as { error: { code: string } }).error.code, 'airflow_sign_in_invalid')

    const signedIn = await app.audit.query({ type: 'airflow.sign_in', principal: 'alice' })
    assert.equal(signedIn.length, 1)
    assert.equal(signedIn[0]!.environment, 'local')
    assert.ok(!JSON.stringify(await app.audit.query({})).includes(code), 'the code is not in the audit trail')
  })

  test('next is followed only inside the environment\'s own Airflow; anything else returns to its home page', async () => {
    for (const next of ['https://evil.example/dags', '//evil.example/x', 'javascript:alert(1)', 'https://airflow.example.com/other-team/dags', undefined]) {
      const callback = await airflowLogin(next)
      assert.equal(callback.searchParams.get('next'), `${airflowUi}/`, String(next))
    }
    assert.equal((await airflowLogin('/team-a/dags?tags=x')).searchParams.get('next'), `${airflowUi}/dags?tags=x`)
  })

  test('only the auth manager\'s credential redeems codes, and a refused caller does not use the code up', async () => {
    const code = (await airflowLogin()).searchParams.get('code')!
    const bob = await exchange(code, await app.tokenFor('bob'))
    assert.equal(bob.status, 403)
    assert.equal(((await bob.json()) as { error: { code: string } }).error.code, 'policy_denied')
    assert.equal((await exchange(code)).status, 200, 'still redeemable by the auth manager after bob was refused')
    const otherEnv = await exchange((await airflowLogin()).searchParams.get('code')!, managerToken, 'other')
    assert.equal(otherEnv.status, 400, 'a code is bound to its environment')
    const unknown = await exchange('x'.repeat(43))
    assert.equal(unknown.status, 400)
    const missing = await fetch(`${base}/api/v1/airflow/local/sign-in`, { method: 'POST', headers: { authorization: `Bearer ${managerToken}`, 'content-type': 'application/json' }, body: '{}' })
    assert.equal(missing.status, 400)
    assert.equal(((await missing.json()) as { error: { details: { field: string } } }).error.details.field, 'body.code')
    const failures = await app.audit.query({ type: 'auth.failed' })
    assert.ok(failures.some((e) => (e.data as { reason?: string }).reason === 'airflow_sign_in_invalid'))
  })

  test('an unknown environment is 404 at the login page', async () => {
    const res = await fetch(`${base}/auth/airflow/nowhere/login`, { redirect: 'manual' })
    assert.equal(res.status, 404)
  })

  test('the decision endpoint says whether the user is still active: known people are, strangers are not', async () => {
    await fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${await app.tokenFor('alice')}` } })
    const ask = async (id: string) => {
      const res = await fetch(`${base}/api/v1/airflow/local/authorize`, {
        method: 'POST', headers: { authorization: `Bearer ${managerToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ user: { id }, questions: [] }),
      })
      assert.equal(res.status, 200)
      return (await res.json()) as { userActive: boolean; decisions: unknown[] }
    }
    assert.deepEqual(await ask('alice').then((a) => [a.userActive, a.decisions.length]), [true, 0])
    assert.equal((await ask('zed')).userActive, false)
  })
})
