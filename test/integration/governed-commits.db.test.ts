import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Kysely } from 'kysely'
import { createAuditLog } from '../../src/audit/index.ts'
import type { AuditEvent } from '../../src/audit/index.ts'
import type { EnvironmentConfig } from '../../src/config/index.ts'
import { fixedClock, isConductorError } from '../../src/core/index.ts'
import type { Orchestrator } from '../../src/orchestrators/index.ts'
import { runPipeline } from '../../src/governance/index.ts'
import type { GovernanceTables, PipelineContext } from '../../src/governance/index.ts'
import { isUniqueViolation } from '../../src/store/index.ts'
import { forEachEngine } from '../../harness/databases.ts'

const NOW = '2026-11-30T10:00:00.000Z'
type RequestsTable = GovernanceTables['requests']

function findRequest(db: Kysely<GovernanceTables>, id: string): Promise<RequestsTable | undefined> {
  return db.selectFrom('requests').selectAll().where('id', '=', id).executeTakeFirst()
}

function newRequest(id: string): RequestsTable {
  return {
    id, created_at: NOW, updated_at: NOW, principal_type: 'User', principal_id: 'alice', issuer: 'dev', principal_groups: '[]',
    action: 'dag:trigger', environment: 'local', dag_id: 'etl_daily', run_id: null, input: '{}', decision: 'deny', policy_ids: '[]', reasons: '[]',
    policy_version: 0, state: 'new', error_code: null, error_message: null, http_request_id: null,
  }
}

forEachEngine((engine) => {
  test('a governed trigger is durable before Airflow is called: the request, its decision and its dispatch, then the outcome', async () => {
    const database = await engine.open()
    try {
      const audit = createAuditLog({ database })
      const allow = { decision: 'allow' as const, policyIds: ['p1'], reasons: ['allowed by p1'], errors: [], policyVersion: 3, approval: null }
      let seenAtCall: { state: string | undefined; types: string[] } | undefined
      const ctx: PipelineContext<{ runId: string }> = {
        deps: { db: database.db, policy: { authorize: () => allow }, audit, clock: fixedClock(Date.parse(NOW)) },
        call: {
          principal: { type: 'User', id: 'alice', groups: [], issuer: 'dev' } as never, action: 'dag:trigger',
          environment: { name: 'local', kind: 'airflow3' } as EnvironmentConfig, dag: null, runId: null,
          createsRunId: 'conductor__r1', input: {}, context: {}, mutates: true, httpRequestId: null,
          // What another process (or a restart after kill -9) would find while the call is out.
          perform: async () => {
            const stored = await findRequest(database.db, 'r1')
            seenAtCall = { state: stored?.state, types: (await audit.query({ requestId: 'r1' })).map((e) => e.type) }
            return { runId: 'conductor__r1' }
          },
          runIdOf: (result) => result.runId,
        },
        orchestrator: {} as Orchestrator,
        request: newRequest('r1'),
      }
      assert.deepEqual(await runPipeline(ctx), { runId: 'conductor__r1' })
      assert.deepEqual(seenAtCall, { state: 'dispatching', types: ['authz.decision', 'dispatch.sent'] })
      const stored = await findRequest(database.db, 'r1')
      assert.deepEqual([stored?.state, stored?.decision, stored?.run_id, stored?.policy_version], ['succeeded', 'allow', 'conductor__r1', 3])
      assert.deepEqual((await audit.query({ requestId: 'r1' })).map((e) => e.type), ['authz.decision', 'dispatch.sent', 'dispatch.result'])
      assert.equal((await audit.verify()).ok, true)
    } finally {
      await database.close()
    }
  })

  test('commit writes rows and events together: a failing write leaves nothing and does not fail the others committed with it', async () => {
    const database = await engine.open()
    try {
      const audit = createAuditLog({ database })
      const db = database.db
      const write = (id: string) => async (trx: typeof db) => { await trx.insertInto('requests').values(newRequest(id)).execute() }
      await audit.commit([{ type: 'request.created', requestId: 'taken' }], write('taken'))
      // Three callers at once share one batch; the middle one's insert collides and only it fails.
      const results = await Promise.allSettled([
        audit.commit([{ type: 'request.created', requestId: 'a' }, { type: 'dispatch.sent', requestId: 'a' }], write('a')),
        audit.commit([{ type: 'request.created', requestId: 'dup' }], write('taken')),
        audit.append({ type: 'config.loaded' }),
      ])
      assert.equal(results[0].status, 'fulfilled')
      assert.deepEqual((results[0] as PromiseFulfilledResult<AuditEvent[]>).value.map((e) => e.type), ['request.created', 'dispatch.sent'])
      assert.equal(results[1].status, 'rejected')
      assert.ok(isUniqueViolation((results[1] as PromiseRejectedResult).reason), String((results[1] as PromiseRejectedResult).reason))
      assert.equal(results[2].status, 'fulfilled')
      assert.equal(await findRequest(db, 'a').then((r) => r?.id), 'a')
      const all = await audit.query({})
      assert.deepEqual(all.map((e) => e.seq), [1, 2, 3, 4])
      assert.equal(all.some((e) => e.requestId === 'dup'), false)
      assert.equal((await audit.verify()).ok, true)
      // A malformed event is refused before anything is written.
      await assert.rejects(audit.commit([{ type: 'Bad Type' }], write('b')), (error) => isConductorError(error, 'invalid_input'))
      assert.equal(await findRequest(db, 'b'), undefined)
    } finally {
      await database.close()
    }
  })

  test('two audit logs on one database (two replicas) appending in turn and at once keep one gapless chain', async () => {
    const database = await engine.open()
    try {
      const a = createAuditLog({ database })
      const b = createAuditLog({ database })
      for (let i = 0; i < 4; i++) {
        await a.append({ type: 'dispatch.sent', data: { i, by: 'a' } })
        await b.append({ type: 'dispatch.sent', data: { i, by: 'b' } })
      }
      await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).append({ type: 'dispatch.result', data: { i } })))
      const all = await a.query({ limit: 1000 })
      assert.deepEqual(all.map((e) => e.seq), Array.from({ length: 28 }, (_, i) => i + 1))
      assert.deepEqual(await a.verify(), { ok: true, count: 28, lastSeq: 28, lastHash: all.at(-1)!.hash })
    } finally {
      await database.close()
    }
  })
})
