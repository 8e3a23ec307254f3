import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { AuditEventInput } from '../../audit/index.ts'
import type { EnvironmentConfig } from '../../config/index.ts'
import { fixedClock, isConductorError } from '../../core/index.ts'
import type { Orchestrator } from '../../orchestrators/index.ts'
import { migrateToLatest, openDatabase } from '../../store/index.ts'
import type { GovernanceTables, RequestsTable } from '../governance.tables.ts'
import { findRequest, insertRequest } from '../requests.repository.ts'
import { dispatch } from './dispatch.ts'
import type { PipelineContext } from './context.ts'

test('an orchestrator failure that is no Conductor error fails the request as dispatch_failed, audited, with the cause kept', async () => {
  const database = await openDatabase<GovernanceTables>({ url: 'sqlite::memory:' })
  try {
    await migrateToLatest(database)
    const now = '2026-11-30T00:00:00.000Z'
    const request: RequestsTable = {
      id: 'req-1', created_at: now, updated_at: now, principal_type: 'User', principal_id: 'alice', issuer: 'dev', principal_groups: '[]',
      action: 'dag:trigger', environment: 'local', dag_id: 'etl_daily', run_id: null, input: '{}', decision: 'allow', policy_ids: '[]', reasons: '[]',
      policy_version: 1, state: 'allowed', error_code: null, error_message: null, http_request_id: null,
    }
    await insertRequest(database.db, request)
    const events: AuditEventInput[] = []
    const bug = new TypeError('Cannot read properties of undefined (reading \'dag_run_id\')')
    const ctx = {
      deps: { db: database.db, policy: { authorize: () => { throw new Error('not asked') } }, audit: { append: async (e: AuditEventInput) => { events.push(e); return {} as never } }, clock: fixedClock(Date.parse(now)) },
      call: {
        principal: {} as never, action: 'dag:trigger', environment: { name: 'local', kind: 'airflow3' } as EnvironmentConfig, dag: null, runId: null,
        input: {}, context: {}, mutates: true, httpRequestId: null, perform: async () => { throw bug },
      },
      orchestrator: {} as Orchestrator,
      request,
    } satisfies PipelineContext<unknown>
    await assert.rejects(dispatch(ctx), (error) => isConductorError(error, 'dispatch_failed') && error.cause === bug && error.details?.environment === 'local')
    const stored = await findRequest(database.db, 'req-1')
    assert.equal(stored?.state, 'failed')
    assert.equal(stored?.error_code, 'dispatch_failed')
    assert.deepEqual(events.map((e) => [e.type, e.data?.errorCode]), [['dispatch.sent', undefined], ['dispatch.result', 'dispatch_failed']])
  } finally {
    await database.close()
  }
})
