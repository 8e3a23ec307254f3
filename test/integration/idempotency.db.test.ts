import assert from 'node:assert/strict'
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { randomUUID } from 'node:crypto'
import { fixedClock } from '../../src/core/index.ts'
import { createIdempotencyKeys } from '../../src/governance/index.ts'
import { startTestApp } from '../../harness/app.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { startStubAirflow, type StubAirflow } from '../../harness/stub-airflow.ts'
import { conductor } from '../support/cli.ts'

// Retrying a mutation with the same Idempotency-Key is safe: one action, the first answer again.
forEachEngine((engine) => {
  let database: TestDatabase
  let stub: StubAirflow
  let app: Awaited<ReturnType<typeof startTestApp>>
  let alice: string, bob: string
  let policies: string
  const start = Date.now()
  const TRIGGER = '/api/v1/environments/local/dags/etl_daily/runs'

  before(async () => {
    database = await engine.open()
    stub = await startStubAirflow([{ dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['data-eng'] }])
    // The project's policies, plus bob may trigger too: two people who may both act with the same key.
    policies = mkdtempSync(join(tmpdir(), 'conductor-policies-'))
    cpSync(new URL('../../policies', import.meta.url).pathname, policies, { recursive: true })
    writeFileSync(join(policies, 'bob.cedar'), '@id("bob-triggers")\npermit (principal in Group::"analysts", action == Action::"dag:trigger", resource)\nwhen { resource.tags.contains("team:data-eng") };\n')
    app = await startTestApp({
      databaseUrl: database.url, policyFolder: policies,
      environments: [{ name: 'local', url: stub.url }, { name: 'down', url: 'http://127.0.0.1:1', timeoutMs: 1000, retries: 0 }],
    })
    await app.governance.catalog.syncAll()
    await app.governance.catalog.remember('down', { dagId: 'etl_daily', description: null, tags: ['team:data-eng'], owners: ['data-eng'], paused: false, schedule: null })
    alice = await app.tokenFor('alice')
    bob = await app.tokenFor('bob')
  })
  after(async () => {
    await app?.close()
    await stub?.close()
    await database?.close()
    if (policies) rmSync(policies, { recursive: true, force: true })
  })

  const post = (url: string, payload: object, key: string | undefined, token = alice) =>
    app.server.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}`, ...(key !== undefined ? { 'idempotency-key': key } : {}) }, payload })
  const runCount = () => (stub.runs.get('etl_daily') ?? []).length
  const ledgerRows = async () => Number((await app.database.db.selectFrom('requests').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)
  const keyRows = async () => Number((await app.database.db.selectFrom('idempotency_keys').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)

  test('a retry with the same key and body answers the first answer, marked as a replay, and starts no second run', async () => {
    const key = randomUUID()
    const [runs, rows] = [runCount(), await ledgerRows()]
    const first = await post(TRIGGER, { conf: { day: 1 }, reason: 'nightly backfill' }, key)
    assert.equal(first.statusCode, 201, first.body)
    assert.equal(first.headers['idempotency-replayed'], undefined)
    const again = await post(TRIGGER, { reason: 'nightly backfill', conf: { day: 1 } }, key)
    assert.equal(again.statusCode, 201)
    assert.equal(again.headers['idempotency-replayed'], 'true')
    assert.equal(again.body, first.body, 'the same answer, byte for byte')
    assert.equal(again.headers.location, first.headers.location)
    assert.notEqual(again.headers['x-request-id'], first.headers['x-request-id'])
    assert.equal(runCount(), runs + 1, 'one run in Airflow')
    assert.equal(await ledgerRows(), rows + 1, 'one request in the ledger')
    const [replayed] = await app.audit.query({ type: 'request.replayed', limit: 1000 }).then((events) => events.slice(-1))
    assert.equal(replayed?.requestId, first.json().request.id)
    assert.equal(replayed?.principal, 'alice')
    assert.equal(replayed?.data.originalHttpRequestId, first.headers['x-request-id'])
  })

  test('the same key with another body, or on another route, is refused with 422 and does nothing', async () => {
    const key = randomUUID()
    assert.equal((await post(TRIGGER, { conf: { day: 2 } }, key)).statusCode, 201)
    const [runs, rows] = [runCount(), await ledgerRows()]
    for (const [url, payload] of [[TRIGGER, { conf: { day: 3 } }], ['/api/v1/environments/down/dags/etl_daily/runs', { conf: { day: 2 } }]] as const) {
      const res = await post(url, payload, key)
      assert.equal(res.statusCode, 422, res.body)
      assert.equal(res.json().error.code, 'idempotency_key_reused')
      assert.equal(res.json().error.details.header, 'Idempotency-Key')
    }
    assert.equal(runCount(), runs)
    assert.equal(await ledgerRows(), rows)
  })

  test('keys belong to their principal: two people sending the same key each get their own run', async () => {
    const key = randomUUID()
    const runs = runCount()
    const byAlice = await post(TRIGGER, { conf: {} }, key)
    const byBob = await post(TRIGGER, { conf: {} }, key, bob)
    assert.equal(byAlice.statusCode, 201, byAlice.body)
    assert.equal(byBob.statusCode, 201, byBob.body)
    assert.equal(byBob.headers['idempotency-replayed'], undefined)
    assert.equal(byBob.json().run.startedBy.principalId, 'bob')
    assert.notEqual(byBob.json().run.runId, byAlice.json().run.runId)
    assert.equal(runCount(), runs + 2)
  })

  test('simultaneous requests with one key dispatch exactly once; the others wait their turn (409) or get the first answer', async () => {
    const key = randomUUID()
    const [runs, rows] = [runCount(), await ledgerRows()]
    const answers = await Promise.all(Array.from({ length: 8 }, () => post(TRIGGER, { conf: { burst: true } }, key)))
    assert.equal(runCount(), runs + 1, 'one run in Airflow')
    assert.equal(await ledgerRows(), rows + 1, 'one request in the ledger')
    const created = answers.filter((a) => a.statusCode === 201)
    assert.ok(created.length >= 1)
    assert.equal(new Set(created.map((a) => a.json().run.runId)).size, 1)
    for (const a of answers.filter((a) => a.statusCode !== 201)) {
      assert.equal(a.statusCode, 409, a.body)
      assert.equal(a.json().error.code, 'idempotency_key_in_use')
    }
    assert.equal(answers.filter((a) => a.statusCode === 201 && a.headers['idempotency-replayed'] === undefined).length, 1)
  })

  test('a key is forgotten after governance.idempotencyKeyHours: then it is claimed afresh', async () => {
    // The store as the server uses it, on this engine, with its own pinned clock (moving the app's clock would expire the tokens).
    const keyClock = fixedClock(start)
    const keys = createIdempotencyKeys({ db: app.database.db, audit: app.audit, clock: keyClock, ttlHours: app.config.governance.idempotencyKeyHours })
    const attempt = { principalType: 'User', principalId: 'alice', key: randomUUID(), method: 'POST', route: TRIGGER, bodyHash: 'h', httpRequestId: randomUUID() }
    assert.deepEqual(await keys.claim(attempt), { outcome: 'claimed' })
    await keys.settle(attempt, { status: 201, body: '{"first":true}', location: '/first' })
    keyClock.advance(23 * 3600_000)
    assert.equal((await keys.claim({ ...attempt, httpRequestId: randomUUID() })).outcome, 'replay')
    keyClock.advance(2 * 3600_000)
    assert.deepEqual(await keys.claim({ ...attempt, bodyHash: 'another body', httpRequestId: randomUUID() }), { outcome: 'claimed' }, 'expired: a new request, whatever its body')
  })

  test('a throttled (429) or failed (5xx) answer releases the key; a 503 whose outcome is unknown is kept, so a retry never dispatches twice', async () => {
    const keys = createIdempotencyKeys({ db: app.database.db, audit: app.audit, clock: fixedClock(start), ttlHours: 24 })
    const attempt = (body: string) => ({ principalType: 'User', principalId: 'alice', key: randomUUID(), method: 'POST', route: TRIGGER, bodyHash: body, httpRequestId: randomUUID() })
    const answer = (status: number, details: Record<string, unknown> = {}) => ({ status, body: JSON.stringify({ error: { code: 'x', message: 'x', details, requestId: 'r' } }), location: null })
    for (const [status, details, kept] of [[429, {}, false], [503, {}, false], [502, {}, false], [503, { outcome: 'unknown' }, true]] as const) {
      const first = attempt(`${status}-${JSON.stringify(details)}`)
      await keys.claim(first)
      await keys.settle(first, answer(status, details))
      const retry = await keys.claim({ ...first, httpRequestId: randomUUID() })
      assert.equal(retry.outcome, kept ? 'replay' : 'claimed', `${status} ${JSON.stringify(details)}`)
    }
  })

  test('a malformed key is refused with 400 naming the header, and nothing is recorded', async () => {
    const [runs, rows, keys] = [runCount(), await ledgerRows(), await keyRows()]
    for (const bad of ['', 'k'.repeat(256), 'caf\u00e9', 'tab\there']) {
      const res = await post(TRIGGER, { conf: {} }, bad)
      assert.equal(res.statusCode, 400, `${JSON.stringify(bad)}: ${res.body}`)
      assert.equal(res.json().error.code, 'invalid_input')
      assert.equal(res.json().error.details.field, 'headers.idempotency-key')
    }
    assert.deepEqual([runCount(), await ledgerRows(), await keyRows()], [runs, rows, keys])
  })

  test('a refusal (4xx) is replayed as that refusal; a failure (5xx) releases the key so a retry is processed afresh', async () => {
    const rerun = '/api/v1/environments/local/dags/etl_daily/runs/no_such_run/rerun'
    const key = randomUUID()
    const refused = await post(rerun, { reason: 'retry the failed tasks' }, key)
    assert.ok(refused.statusCode >= 400 && refused.statusCode < 500, refused.body)
    const rows = await ledgerRows()
    const replayed = await post(rerun, { reason: 'retry the failed tasks' }, key)
    assert.equal(replayed.statusCode, refused.statusCode)
    assert.equal(replayed.headers['idempotency-replayed'], 'true')
    assert.equal(replayed.body, refused.body)
    assert.equal(await ledgerRows(), rows, 'the replay is not a new request')

    const down = '/api/v1/environments/down/dags/etl_daily/runs'
    const failedKey = randomUUID()
    const failed = await post(down, { conf: {} }, failedKey)
    assert.equal(failed.statusCode, 503, failed.body)
    const retried = await post(down, { conf: {} }, failedKey)
    assert.equal(retried.statusCode, 503)
    assert.equal(retried.headers['idempotency-replayed'], undefined, 'processed again, not replayed')
    assert.notEqual(retried.json().error.requestId, failed.json().error.requestId)
  })

  test('without the header nothing changes: each trigger is its own run', async () => {
    const runs = runCount()
    assert.equal((await post(TRIGGER, { conf: {} }, undefined)).statusCode, 201)
    assert.equal((await post(TRIGGER, { conf: {} }, undefined)).statusCode, 201)
    assert.equal(runCount(), runs + 2)
  })

  test('the OpenAPI document declares the header and the 409 and 422 answers on the routes that take it', async () => {
    const doc = (await app.server.inject({ method: 'GET', url: '/openapi.json' })).json()
    for (const [path, status] of [['/api/v1/environments/{env}/dags/{dag}/runs', '201'], ['/api/v1/environments/{env}/dags/{dag}/runs/{runId}/rerun', '200']] as const) {
      const post = doc.paths[path].post
      assert.ok(post.parameters.some((p: { in: string; name: string }) => p.in === 'header' && p.name === 'idempotency-key'), path)
      assert.ok(post.responses['409'] && post.responses['422'] && post.responses[status], path)
    }
    assert.ok(!doc.paths['/api/v1/environments/{env}/dags/{dag}'].patch.parameters?.some((p: { name: string }) => p.name === 'idempotency-key'))
  })

  test('conductor trigger whose answer is lost retries with the same key and starts one run', async () => {
    const upstream = await app.listen()
    // Between the CLI and Conductor: passes every request on, but cuts the connection instead of returning the first answer.
    const keys: string[] = []
    const proxy = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        keys.push(String(req.headers['idempotency-key']))
        const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => !['host', 'connection', 'content-length'].includes(name))) as Record<string, string>
        void fetch(new URL(req.url!, upstream), { method: req.method!, headers, body: Buffer.concat(chunks) }).then(async (answer) => {
          const text = await answer.text()
          if (keys.length === 1) { res.socket?.destroy(); return }
          res.writeHead(answer.status, { 'content-type': 'application/json', ...(answer.headers.get('idempotency-replayed') ? { 'idempotency-replayed': 'true' } : {}) })
          res.end(text)
        })
      })
    })
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
    const dir = mkdtempSync(join(tmpdir(), 'conductor-cli-'))
    try {
      const runs = runCount()
      const { port } = proxy.address() as AddressInfo
      const result = await conductor(['--server', `http://127.0.0.1:${port}`, '--token', alice, 'trigger', 'local/etl_daily', '--conf', '{"from":"cli"}', '-o', 'json'], { CONDUCTOR_CONFIG_DIR: dir })
      assert.equal(result.code, 0, result.stderr)
      assert.equal(keys.length, 2, 'sent twice')
      assert.match(keys[0]!, /^[0-9a-f-]{36}$/, 'a UUID')
      assert.equal(keys[1], keys[0], 'with the same key')
      assert.equal(runCount(), runs + 1, 'one run in Airflow')
      assert.equal(JSON.parse(result.stdout).run.runId, stub.runs.get('etl_daily')!.at(-1)!.dag_run_id)
    } finally {
      proxy.closeAllConnections()
      await new Promise((resolve) => proxy.close(resolve))
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
