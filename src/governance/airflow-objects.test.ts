import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import type { AuditLog } from '../audit/index.ts'
import { ConductorError, isConductorError } from '../core/index.ts'
import { createInMemoryOrchestrator, type InMemoryOrchestrator, type Orchestrator } from '../orchestrators/index.ts'
import { createAirflowObjects, type AirflowObjects } from './airflow-objects.ts'
import { openTestStore, testEnvironment, testUser, usePolicies } from './governance.test-support.ts'

const POLICIES = `
permit (principal in Group::"ops", action in [Action::"variable:read", Action::"variable:write", Action::"connection:write"], resource);
`
const ops = testUser('olga', ['ops'])

describe('Airflow objects for a principal', () => {
  const policies = usePolicies(POLICIES)
  let audit: AuditLog
  let airflow: InMemoryOrchestrator
  let objects: AirflowObjects
  const asWhom: string[] = []

  before(async () => {
    ;({ audit } = await openTestStore())
    airflow = createInMemoryOrchestrator({ environment: 'dev' })
    // The environment can speak for a person: note for whom each call is made.
    const personal: Orchestrator = { ...airflow, as: (actor) => { asWhom.push(actor.id); return airflow } }
    objects = createAirflowObjects({
      policy: policies.engine, audit,
      targets: { environmentOf: (name) => { if (name !== 'dev') throw new ConductorError('environment_not_found', name); return { env: testEnvironment('dev'), orchestrator: personal } } },
    })
  })

  it('calls Airflow as the person where the environment can, and says which Airflow it runs', async () => {
    await objects.create(ops, 'dev', 'variable', { key: 'k', value: 'v' })
    assert.deepEqual((await objects.list(ops, 'dev', 'variable')).map((v) => v.key), ['k'])
    assert.deepEqual(asWhom, ['olga', 'olga'])
    assert.equal(objects.apiOf('dev'), 'airflow3')
    assert.throws(() => objects.apiOf('nowhere'), (e) => isConductorError(e, 'environment_not_found'))
  })

  it('scrubs the secret values sent from an error Airflow answers with, and audits the failure without them', async () => {
    airflow.failNext('createObject', new ConductorError('orchestrator_rejected', 'Airflow refused password p4ssw0rd-x for conn', { details: { detail: 'p4ssw0rd-x is too weak' } }))
    await assert.rejects(objects.create(ops, 'dev', 'connection', { connection_id: 'c', conn_type: 'http', password: 'p4ssw0rd-x' }), (error) => {
      assert.ok(isConductorError(error, 'orchestrator_rejected'))
      assert.equal(error.message, 'Airflow refused password [redacted] for conn')
      assert.equal(error.details?.detail, '[redacted] is too weak')
      assert.equal(error.cause, undefined, 'the unscrubbed error is not kept')
      return true
    })
    airflow.failNext('createObject', new ConductorError('orchestrator_rejected', 'extra key tok-123456 is not allowed'))
    await assert.rejects(objects.create(ops, 'dev', 'connection', { connection_id: 'c', conn_type: 'http', extra: '{"auth": {"token": "tok-123456"}}' }), (error) => {
      assert.equal((error as Error).message, 'extra key [redacted] is not allowed', 'a secret inside extra is scrubbed too')
      return true
    })
    const [event] = (await audit.query({ limit: 10 })).filter((e) => e.data.name === 'c')
    assert.equal(event!.data.outcome, 'failed')
    assert.equal(event!.data.errorCode, 'orchestrator_rejected')
    assert.ok(!JSON.stringify(event).includes('p4ssw0rd-x'))
  })
})
