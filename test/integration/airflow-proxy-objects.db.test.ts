import assert from 'node:assert/strict'
import { test } from 'node:test'
import { forEachEngine } from '../../harness/databases.ts'
import { useProxyApp } from './airflow-proxy-support.ts'

// Airflow's connections, variables and pools through Conductor: decided per name by policy, audited without secrets.
const PROD_CONNECTIONS = `
@id("prod-connections-for-admins-only")
forbid (principal, action in [Action::"connection:read", Action::"connection:write"], resource)
when { context has airflow && context.airflow.name like "prod_*" }
unless { principal in Group::"platform-admins" };
`
const PASSWORD = 'hunter2-s3cret'
const VALUE = 'v4lue-n0t-f0r-audit'

forEachEngine((engine) => {
  const f = useProxyApp(engine, [{ dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['data-eng'] }], { extraPolicy: PROD_CONNECTIONS })
  const auditText = async () => JSON.stringify(await f.app.audit.query({ limit: 1000 }))

  test('a platform admin creates, reads, lists, changes and deletes a variable; each write is audited with its name only', async () => {
    const { dana } = f.tokens
    const created = await f.call('POST', '/variables', dana, { key: 'threshold', value: VALUE, description: 'alerting' })
    assert.equal(created.statusCode, 201, created.body)
    assert.equal(created.json().key, 'threshold')
    assert.equal(f.stub.objects.variables.get('threshold')?.value, VALUE, 'Airflow got the value')
    assert.equal((await f.call('GET', '/variables/threshold', dana)).json().value, VALUE)
    const listed = await f.call('GET', '/variables?variable_key_pattern=THRESH', dana)
    assert.deepEqual(listed.json(), { variables: [{ key: 'threshold', value: VALUE, description: 'alerting' }], total_entries: 1 })
    const patched = await f.call('PATCH', '/variables/threshold?update_mask=description', dana, { key: 'threshold', value: 'ignored', description: 'paging' })
    assert.equal(patched.statusCode, 200, patched.body)
    assert.equal(patched.json().description, 'paging')
    assert.equal(f.stub.objects.variables.get('threshold')?.value, VALUE, 'update_mask reached Airflow')
    const renamed = await f.call('PATCH', '/variables/threshold', dana, { key: 'other' })
    assert.equal(renamed.statusCode, 400)
    assert.equal(renamed.json().details.field, 'body.key')
    const deleted = await f.call('DELETE', '/variables/threshold', dana)
    assert.equal(deleted.statusCode, 204, deleted.body)
    assert.equal(f.stub.objects.variables.has('threshold'), false)
    assert.equal((await f.call('GET', '/variables/threshold', dana)).statusCode, 404)

    const writes = (await f.app.audit.query({ limit: 1000 })).filter((e) => e.type === 'airflow.proxy.write' && e.data.name === 'threshold')
    assert.deepEqual(writes.map((e) => [e.action, e.data.operation, e.data.outcome, e.principal]), [
      ['variable:write', 'create', 'succeeded', 'dana'], ['variable:write', 'update', 'succeeded', 'dana'], ['variable:write', 'delete', 'succeeded', 'dana'],
    ], 'the refused rename never reached policy or Airflow')
    assert.deepEqual(writes[0]!.data.fields, ['description', 'key', 'value'], 'the names of the fields sent')
    assert.ok(!(await auditText()).includes(VALUE), 'the value is nowhere in the audit trail')
  })

  test('an analyst may not read or write variables: lists are empty, reads and writes are 403 and never reach Airflow', async () => {
    const { bob, dana } = f.tokens
    await f.call('POST', '/variables', dana, { key: 'shared', value: 'x1' })
    const list = await f.call('GET', '/variables', bob)
    assert.equal(list.statusCode, 200, list.body)
    assert.deepEqual(list.json(), { variables: [], total_entries: 0 })
    const read = await f.call('GET', '/variables/shared', bob)
    assert.equal(read.statusCode, 403)
    assert.equal(read.json().code, 'policy_denied')
    assert.equal(read.json().details.action, 'variable:read')
    const write = await f.call('POST', '/variables', bob, { key: 'sneaky', value: VALUE })
    assert.equal(write.statusCode, 403)
    assert.equal(f.stub.objects.variables.has('sneaky'), false)
    assert.equal((await f.call('DELETE', '/variables/shared', bob)).statusCode, 403)
    assert.equal(f.stub.objects.variables.has('shared'), true)
    const denied = (await f.app.audit.query({ limit: 1000 })).filter((e) => e.principal === 'bob' && e.type.startsWith('airflow.proxy.'))
    assert.deepEqual(denied.map((e) => [e.type, e.data.operation, e.data.outcome, e.decision]), [
      ['airflow.proxy.read', 'read', 'denied', 'deny'], ['airflow.proxy.write', 'create', 'denied', 'deny'], ['airflow.proxy.write', 'delete', 'denied', 'deny'],
    ])
    assert.ok(!(await auditText()).includes(VALUE))
  })

  test('connection lists hold only the names policy lets the caller read; a forbidden name is a 403', async () => {
    const { alice, dana } = f.tokens
    for (const id of ['prod_db', 'dev_db']) {
      const created = await f.call('POST', '/connections', dana, { connection_id: id, conn_type: 'postgres', host: 'db', login: 'etl', password: PASSWORD, extra: `{"token": "${PASSWORD}"}` })
      assert.equal(created.statusCode, 201, created.body)
      assert.equal(created.json().password, '***', 'Airflow\'s masked answer is passed on')
    }
    const forAlice = await f.call('GET', '/connections', alice)
    assert.deepEqual(forAlice.json().connections.map((c: { connection_id: string }) => c.connection_id), ['dev_db'])
    assert.equal(forAlice.json().total_entries, 1)
    const forDana = await f.call('GET', '/connections?limit=1&offset=1', dana)
    assert.deepEqual(forDana.json().connections.map((c: { connection_id: string }) => c.connection_id), ['prod_db'])
    assert.equal(forDana.json().total_entries, 2)
    const hidden = await f.call('GET', '/connections/prod_db', alice)
    assert.equal(hidden.statusCode, 403)
    assert.deepEqual(hidden.json().details.policyIds, ['prod-connections-for-admins-only'])
    assert.equal((await f.call('GET', '/connections/dev_db', alice)).json().host, 'db')
    assert.equal((await f.call('PATCH', '/connections/dev_db', alice, { host: 'elsewhere' })).statusCode, 403, 'data-eng reads connections, never writes them')
    assert.ok(!(await auditText()).includes(PASSWORD), 'no password or extra in the audit trail')
  })

  test('Airflow\'s refusals come back as Conductor errors in Airflow\'s shape, without the secrets sent', async () => {
    const { dana } = f.tokens
    await f.call('POST', '/pools', dana, { name: 'etl', slots: 2 })
    const taken = await f.call('POST', '/pools', dana, { name: 'etl', slots: 3 })
    assert.equal(taken.statusCode, 409, taken.body)
    assert.equal(taken.json().code, 'orchestrator_conflict')
    assert.equal((await f.call('PATCH', '/pools/etl', dana, { slots: 5 })).json().slots, 5)
    const missingId = await f.call('POST', '/connections', dana, { conn_type: 'http', password: PASSWORD })
    assert.equal(missingId.statusCode, 400)
    assert.equal(missingId.json().details.field, 'body.connection_id')
    const notObject = await f.call('POST', '/pools', dana, [1, 2] as unknown as object)
    assert.equal(notObject.statusCode, 400)
    const gone = await f.call('DELETE', '/connections/never_made', dana)
    assert.equal(gone.statusCode, 404, gone.body)
    assert.equal(gone.json().code, 'not_found')
    assert.match(gone.json().detail, /Connection "never_made" not found/)
    const failed = (await f.app.audit.query({ limit: 1000 })).filter((e) => e.type === 'airflow.proxy.write' && e.data.outcome === 'failed')
    assert.deepEqual(failed.map((e) => [e.data.kind, e.data.name, e.data.errorCode]), [['pool', 'etl', 'orchestrator_conflict'], ['connection', 'never_made', 'not_found']])
    assert.ok(!taken.body.includes(PASSWORD) && !missingId.body.includes(PASSWORD))
  })
})
