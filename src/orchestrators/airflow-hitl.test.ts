import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isConductorError } from '../core/index.ts'
import { AIRFLOW2, AIRFLOW3, fake, JSON_HEADERS } from './airflow.test-support.ts'

/** A `HITLDetail` as Airflow 3.3 answers it (trimmed of the task instance fields Conductor does not read). */
function detail(taskId: string, extra: Record<string, unknown> = {}, ti: Record<string, unknown> = {}) {
  return {
    options: ['Ship', 'Hold'], subject: `Ship ${taskId}?`, body: 'The batch is **staged**.', defaults: ['Hold'], multiple: false,
    params: { comment: { value: '', description: 'Why', schema: { type: 'string' }, source: 'task' } },
    assigned_users: [], created_at: '2026-01-01T00:00:00Z', responded_by_user: null, responded_at: null, chosen_options: null, params_input: {},
    response_received: false,
    task_instance: { id: 'ti-1', task_id: taskId, dag_id: 'etl', dag_run_id: 'r1', map_index: -1, state: 'awaiting_input', try_number: 1, ...ti },
    ...extra,
  }
}

describe('Airflow adapter: human-in-the-loop tasks on Airflow 3 (MockAgent)', () => {
  const t = fake(AIRFLOW3)
  const hitlPath = '/api/v2/dags/etl/dagRuns/r1/taskInstances/decide/-1/hitlDetails'

  it('lists the unanswered tasks of every DAG page by page, keeping only those still waiting, in Conductor\'s shape', async () => {
    t.signIn(1)
    const queries: URLSearchParams[] = []
    const page1 = Array.from({ length: 100 }, (_, i) => detail(`t${i}`, {}, i === 1 ? { state: 'failed' } : i === 2 ? { state: 'deferred' } : {}))
    for (const items of [page1, [detail('last', { assigned_users: [{ id: 'dave', name: 'Dave' }], multiple: true, body: null, defaults: null }, { map_index: 3 })]]) {
      t.pool().intercept({ path: (p) => p.startsWith('/api/v2/dags/~/dagRuns/~/hitlDetails?'), method: 'GET' }).reply((opts) => {
        queries.push(new URL(String(opts.path), 'http://x').searchParams)
        return { statusCode: 200, data: { hitl_details: items, total_entries: 101 }, responseOptions: JSON_HEADERS }
      })
    }
    const tasks = await t.orchestrator().listHitl()
    assert.deepEqual(queries.map((q) => [q.get('response_received'), q.get('offset'), q.get('limit')]), [['false', '0', '100'], ['false', '100', '100']])
    assert.equal(tasks.length, 100, 'the task that failed unanswered is left out; the deferred one (Airflow < 3.3) stays')
    assert.ok(!tasks.some((task) => task.taskId === 't1'))
    assert.deepEqual(tasks[0], {
      dagId: 'etl', runId: 'r1', taskId: 't0', mapIndex: -1, subject: 'Ship t0?', body: 'The batch is **staged**.', options: ['Ship', 'Hold'], multiple: false,
      params: { comment: { value: '', description: 'Why', schema: { type: 'string' } } }, defaults: ['Hold'], assignedUsers: [], createdAt: '2026-01-01T00:00:00Z',
      state: 'awaiting_input', answered: false, respondedBy: null, respondedAt: null, chosenOptions: null,
    })
    const last = tasks.at(-1)!
    assert.deepEqual([last.taskId, last.mapIndex, last.multiple, last.body, last.defaults, last.assignedUsers], ['last', 3, true, null, null, [{ id: 'dave', name: 'Dave' }]])
  })

  it('answers a task with chosen_options and params_input, and reads who Airflow recorded', async () => {
    t.signIn(1)
    let sent: unknown
    t.pool().intercept({ path: hitlPath, method: 'PATCH' }).reply((opts) => {
      sent = JSON.parse(String(opts.body))
      return { statusCode: 200, data: { responded_by: { id: 'conductor', name: 'conductor' }, responded_at: '2026-01-01T00:01:00Z', chosen_options: ['Ship'], params_input: { comment: 'ok' } }, responseOptions: JSON_HEADERS }
    })
    const response = await t.orchestrator().respondHitl({ dagId: 'etl', runId: 'r1', taskId: 'decide', mapIndex: -1 }, { chosenOptions: ['Ship'], paramsInput: { comment: 'ok' } })
    assert.deepEqual(sent, { chosen_options: ['Ship'], params_input: { comment: 'ok' } })
    assert.deepEqual(response, { respondedBy: { id: 'conductor', name: 'conductor' }, respondedAt: '2026-01-01T00:01:00Z', chosenOptions: ['Ship'], paramsInput: { comment: 'ok' } })
  })

  it('turns Airflow\'s refusals into the product\'s codes: 409 answered, 404 no such task, 403 not a respondent; never retries an answer', async () => {
    t.signIn(3)
    const ref = { dagId: 'etl', runId: 'r1', taskId: 'decide', mapIndex: -1 }
    const o = t.orchestrator()
    t.pool().intercept({ path: hitlPath, method: 'PATCH' }).reply(409, { detail: 'Human-in-the-loop detail has already been updated for Task Instance with id x and is not allowed to write again.' }, JSON_HEADERS)
    await assert.rejects(o.respondHitl(ref, { chosenOptions: ['Ship'] }), (e) => isConductorError(e, 'hitl_already_answered') && e.details?.environment === 'prod-eu')
    t.pool().intercept({ path: hitlPath, method: 'PATCH' }).reply(404, { detail: 'Human-in-the-loop detail does not exist for Task Instance with id x' }, JSON_HEADERS)
    await assert.rejects(o.respondHitl(ref, { chosenOptions: ['Ship'] }), (e) => isConductorError(e, 'hitl_not_found') && e.details?.taskId === 'decide')
    // A 403 is tried once more with a fresh token (it could be a stale one), then reported.
    t.pool().intercept({ path: hitlPath, method: 'PATCH' }).reply(403, { detail: 'User=conductor (id=conductor) is not a respondent for the task.' }, JSON_HEADERS).times(2)
    await assert.rejects(o.respondHitl(ref, { chosenOptions: ['Ship'] }), (e) => isConductorError(e, 'hitl_not_assigned'))
    let patches = 0
    t.pool().intercept({ path: hitlPath, method: 'PATCH' }).reply(() => { patches++; return { statusCode: 503, data: { detail: 'down' }, responseOptions: JSON_HEADERS } }).times(3)
    await assert.rejects(o.respondHitl(ref, { chosenOptions: ['Ship'] }), (e) => isConductorError(e, 'orchestrator_unavailable') && e.details?.status === 503)
    assert.equal(patches, 1, 'an answer is sent once, whatever Airflow says (the environment allows 2 retries of reads)')
    t.pool().intercept({ path: hitlPath, method: 'GET' }).reply(200, detail('decide', { response_received: true, responded_by_user: { id: 'dave', name: 'dave' }, responded_at: '2026-01-01T00:02:00Z', chosen_options: ['Hold'] }, { state: 'success' }), JSON_HEADERS)
    const answered = await o.getHitl(ref)
    assert.deepEqual([answered.answered, answered.respondedBy, answered.chosenOptions, answered.state], [true, { id: 'dave', name: 'dave' }, ['Hold'], 'success'])
  })
})

describe('Airflow adapter: human-in-the-loop tasks on Airflow 2', () => {
  const t = fake(AIRFLOW2)
  it('answers hitl_not_supported without calling Airflow', async () => {
    const o = t.orchestrator()
    await assert.rejects(o.listHitl(), (e) => isConductorError(e, 'hitl_not_supported') && e.details?.environment === 'legacy')
    await assert.rejects(o.respondHitl({ dagId: 'etl', runId: 'r1', taskId: 'decide', mapIndex: -1 }, { chosenOptions: ['Ship'] }), (e) => isConductorError(e, 'hitl_not_supported'))
  })
})
