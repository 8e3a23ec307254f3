import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { setTimeout as delay } from 'node:timers/promises'
import { adminToken, useAirflow, type AirflowHandle } from '../../harness/airflow.ts'
import { freePort, startTestApp } from '../../harness/app.ts'
import { eventually } from '../../harness/poll.ts'
import { policiesWithQa } from '../support/policies.ts'

const DAG = 'conductor_hitl'

describe('Airflow human-in-the-loop tasks in Conductor\'s inbox, against a real Airflow 3 (SimpleAuthManager: answered as the service account)', () => {
  let airflow: AirflowHandle
  let app: Awaited<ReturnType<typeof startTestApp>>
  let alice: string, bob: string, dave: string
  let airflowToken: string
  const dir = mkdtempSync(join(tmpdir(), 'conductor-e2e-hitl-'))

  before(async () => {
    airflow = await useAirflow()
    app = await startTestApp({
      databaseUrl: `sqlite:${join(dir, 'conductor.db')}`,
      policyFolder: policiesWithQa(join(dir, 'policies')),
      environments: [
        { name: 'local', url: airflow.url, username: airflow.username, password: airflow.password },
        // Nothing listens there: the inbox still answers, naming it.
        { name: 'gone', url: `http://127.0.0.1:${await freePort()}`, timeoutMs: 2000, retries: 0 },
      ],
    })
    alice = await app.tokenFor('alice')
    bob = await app.tokenFor('bob')
    dave = await app.tokenFor('dave')
    airflowToken = await adminToken(airflow)
    // The HITL DAG's id is not a literal the harness waits for (Airflow 2 has no such DAG): wait for it here.
    await eventually(async () => (await fetch(`${airflow.url}/api/v2/dags/${DAG}`, { headers: { authorization: `Bearer ${airflowToken}` } })).status === 200,
      { what: `${DAG} parsed by Airflow`, timeoutMs: 120_000, intervalMs: 1000 })
    await app.governance.catalog.syncAll()
  })
  after(async () => {
    await app?.close()
    await airflow?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  const call = (method: 'GET' | 'POST', url: string, token: string, payload?: unknown) =>
    app.server.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload !== undefined ? { payload: payload as object } : {}) })
  const airflowGet = async (path: string) => {
    const res = await fetch(`${airflow.url}/api/v2${path}`, { headers: { authorization: `Bearer ${airflowToken}` } })
    assert.equal(res.status, 200, `${path}: ${res.status}`)
    return res.json() as Promise<Record<string, unknown>>
  }
  const inbox = async (token: string) => {
    const res = await call('GET', '/api/v1/hitl', token)
    assert.equal(res.statusCode, 200, res.body)
    return res.json() as { tasks: { environment: string; dagId: string; runId: string; taskId: string; mapIndex: number; subject: string; options: string[]; createdAt: string }[]; unavailable: { environment: string; code: string }[] }
  }
  const answerUrl = (runId: string) => `/api/v1/environments/local/dags/${DAG}/runs/${encodeURIComponent(runId)}/hitl/decide/-1`

  let runId: string
  let waitingSince: number
  test('a run of the HITL DAG waits for input, and shows in the inbox of dave (data lead) but not of bob', async () => {
    const trigger = await call('POST', `/api/v1/environments/local/dags/${DAG}/runs`, alice, { reason: 'hitl e2e' })
    assert.equal(trigger.statusCode, 201, trigger.body)
    runId = trigger.json().run.runId
    const waiting = await eventually(async () => (await inbox(dave)).tasks.find((t) => t.runId === runId), { what: `${DAG} ${runId} to wait for input`, timeoutMs: 180_000, intervalMs: 1000 })
    waitingSince = Date.parse(waiting.createdAt)
    assert.deepEqual([waiting.environment, waiting.dagId, waiting.taskId, waiting.mapIndex, waiting.subject, waiting.options], ['local', DAG, 'decide', -1, `Ship the ${runId} batch?`, ['Ship', 'Hold']])
    const daves = await inbox(dave)
    assert.deepEqual(daves.unavailable.map((u) => u.environment), ['gone'], 'an environment that cannot be asked is named, and hides nothing else')
    // Unreachable at first, then refused unsent once its circuit opens after failures in a row.
    assert.ok(['orchestrator_unavailable', 'environment_circuit_open'].includes(daves.unavailable[0]!.code), daves.unavailable[0]!.code)
    assert.ok(!(await inbox(bob)).tasks.some((t) => t.runId === runId), 'bob (analysts) may not answer it, so he does not see it')
    const tis = (await airflowGet(`/dags/${DAG}/dagRuns/${encodeURIComponent(runId)}/taskInstances`)).task_instances as { task_id: string; state: string | null }[]
    assert.equal(tis.find((t) => t.task_id === 'decide')!.state, 'awaiting_input')
  })

  test('bob\'s answer is refused with 403, a bad option with 400, and Airflow still waits', async () => {
    const denied = await call('POST', answerUrl(runId), bob, { chosenOptions: ['Ship'] })
    assert.equal(denied.statusCode, 403, denied.body)
    assert.equal(denied.json().error.code, 'policy_denied')
    const bad = await call('POST', answerUrl(runId), dave, { chosenOptions: ['Maybe'] })
    assert.equal(bad.statusCode, 400, bad.body)
    assert.deepEqual([bad.json().error.code, bad.json().error.details.field], ['invalid_input', 'chosenOptions'])
    const empty = await call('POST', answerUrl(runId), dave, { chosenOptions: [] })
    assert.equal(empty.statusCode, 400, empty.body)
    const unknown = await call('POST', `/api/v1/environments/local/dags/${DAG}/runs/${encodeURIComponent(runId)}/hitl/after/-1`, dave, { chosenOptions: ['Ship'] })
    assert.equal(unknown.statusCode, 404, unknown.body)
    assert.equal(unknown.json().error.code, 'hitl_not_found')
    const detail = await airflowGet(`/dags/${DAG}/dagRuns/${encodeURIComponent(runId)}/taskInstances/decide/-1/hitlDetails`)
    assert.equal(detail.response_received, false)
  })

  test('dave answers "Ship" from Conductor: Airflow records it (as the service account), the DAG run goes on to success, and the audit says dave', async () => {
    // Airflow 3.3.2 races an answer given in the scheduler loop right after the task parked: the parking workload's
    // executor event then finds the resumed task queued and sends it up for retry, which asks again. People take longer
    // than that; a test must wait the scheduler out.
    await delay(Math.max(0, waitingSince + 10_000 - Date.now()))
    const res = await call('POST', answerUrl(runId), dave, { chosenOptions: ['Ship'], params: { comment: 'numbers checked' } })
    assert.equal(res.statusCode, 200, res.body)
    const { task } = res.json()
    assert.deepEqual([task.respondedBy, task.chosenOptions, task.runId], ['dave', ['Ship'], runId])
    const detail = await airflowGet(`/dags/${DAG}/dagRuns/${encodeURIComponent(runId)}/taskInstances/decide/-1/hitlDetails`)
    assert.deepEqual([detail.response_received, detail.chosen_options, (detail.responded_by_user as { name: string }).name], [true, ['Ship'], airflow.username])
    const run = await eventually(async () => {
      const r = await airflowGet(`/dags/${DAG}/dagRuns/${encodeURIComponent(runId)}`)
      return r.state === 'success' || r.state === 'failed' ? r : undefined
    }, { what: `run ${runId} to finish`, timeoutMs: 180_000, intervalMs: 1000 })
    assert.equal(run.state, 'success')
    const tis = (await airflowGet(`/dags/${DAG}/dagRuns/${encodeURIComponent(runId)}/taskInstances`)).task_instances as { task_id: string; state: string | null }[]
    assert.deepEqual(tis.map((t) => [t.task_id, t.state]).sort(), [['after', 'success'], ['decide', 'success']])
    assert.ok(!(await inbox(dave)).tasks.some((t) => t.runId === runId), 'an answered task leaves the inbox')
    const [event] = await app.audit.query({ type: 'hitl.responded' })
    assert.equal(event!.principal, 'dave')
    assert.deepEqual([event!.environment, event!.dag, event!.data.runId, event!.data.chosenOptions, event!.data.airflowUser, event!.data.asPerson], ['local', DAG, runId, ['Ship'], airflow.username, false])
    assert.deepEqual((event!.data.params as { names: string[] }).names, ['comment'])
    assert.doesNotMatch(JSON.stringify(event), /numbers checked/, 'params input is kept as a hash, never as typed')
  })

  test('a second answer is refused with 409 hitl_already_answered, and the first stands', async () => {
    const again = await call('POST', answerUrl(runId), dave, { chosenOptions: ['Hold'] })
    assert.equal(again.statusCode, 409, again.body)
    assert.equal(again.json().error.code, 'hitl_already_answered')
    const detail = await airflowGet(`/dags/${DAG}/dagRuns/${encodeURIComponent(runId)}/taskInstances/decide/-1/hitlDetails`)
    assert.deepEqual(detail.chosen_options, ['Ship'])
  })

  test('a task assigned to dave is in his inbox, but behind the shared service account Airflow refuses the answer: hitl_not_assigned', async () => {
    const trigger = await call('POST', '/api/v1/environments/local/dags/conductor_hitl_assigned/runs', alice, {})
    assert.equal(trigger.statusCode, 201, trigger.body)
    const assignedRun = trigger.json().run.runId as string
    const waiting = await eventually(async () => (await inbox(dave)).tasks.find((t) => t.runId === assignedRun), { what: `conductor_hitl_assigned ${assignedRun} to wait for input`, timeoutMs: 180_000, intervalMs: 1000 })
    assert.deepEqual((waiting as unknown as { assignedUsers: string[] }).assignedUsers, ['dave'])
    const res = await call('POST', `/api/v1/environments/local/dags/conductor_hitl_assigned/runs/${encodeURIComponent(assignedRun)}/hitl/decide/-1`, dave, { chosenOptions: ['Ship'] })
    assert.equal(res.statusCode, 403, res.body)
    assert.equal(res.json().error.code, 'hitl_not_assigned')
    assert.match(res.json().error.message, /Airflow refused/)
    const detail = await airflowGet(`/dags/conductor_hitl_assigned/dagRuns/${encodeURIComponent(assignedRun)}/taskInstances/decide/-1/hitlDetails`)
    assert.equal(detail.response_received, false, 'Airflow still waits')
    const failed = (await app.audit.query({ type: 'hitl.failed' })).filter((e) => e.data.runId === assignedRun)
    assert.deepEqual(failed.map((e) => [e.principal, e.data.code, e.data.asPerson]), [['dave', 'hitl_not_assigned', false]])
  })
})
