import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { useAirflow, type AirflowHandle } from '../../harness/airflow.ts'
import { startTestApp } from '../../harness/app.ts'
import { eventually } from '../../harness/poll.ts'

const root = new URL('../..', import.meta.url).pathname

/** What a tool call answers, as an MCP client sees it. */
interface ToolAnswer { isError?: boolean; structuredContent?: Record<string, unknown>; content: { type: string; text?: string }[] }

// An AI agent drives a real Airflow 3 through Conductor's MCP server over stdio (`bin/conductor mcp`, the way a
// desktop assistant starts it), with an agent's API token: it triggers etl_daily, follows the run to success with
// get_run_status, and reads the real task log.
describe('an agent over MCP (stdio) against a real Airflow 3', () => {
  let airflow: AirflowHandle
  let app: Awaited<ReturnType<typeof startTestApp>>
  let client: Client
  const dir = mkdtempSync(join(tmpdir(), 'conductor-mcp-e2e-'))

  before(async () => {
    airflow = await useAirflow()
    app = await startTestApp({
      databaseUrl: `sqlite:${join(dir, 'conductor.db')}`,
      environments: [{ name: 'local', url: airflow.url, username: airflow.username, password: airflow.password }],
    })
    const url = await app.listen()
    await app.governance.catalog.syncAll()
    const alice = await app.tokenFor('alice')
    const api = (path: string, payload: object) => app.server.inject({ method: 'POST', url: path, headers: { authorization: `Bearer ${alice}` }, payload })
    const created = await api('/api/v1/service-accounts', {
      name: 'etl-assistant', kind: 'agent', owner: { type: 'Group', id: 'data-eng' }, groups: ['data-eng'],
      tools: ['list_dags', 'describe_dag', 'trigger_dag', 'get_run_status', 'read_task_logs'],
    })
    assert.equal(created.statusCode, 201, created.body)
    const token = await api('/api/v1/service-accounts/etl-assistant/tokens', { name: 'desktop', expiresInDays: 1 })
    assert.equal(token.statusCode, 201, token.body)
    client = new Client({ name: 'e2e-agent', version: '1.0.0' })
    await client.connect(new StdioClientTransport({
      command: join(root, 'bin/conductor'), args: ['mcp'], stderr: 'pipe',
      env: { ...process.env as Record<string, string>, CONDUCTOR_URL: url, CONDUCTOR_TOKEN: token.json().token as string, CONDUCTOR_CONFIG_DIR: join(dir, 'config'), NODE_NO_WARNINGS: '1' },
    }))
  })
  after(async () => {
    await client?.close()
    await app?.close()
    await airflow?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  const call = async (name: string, args: Record<string, unknown>) => {
    const answer = await client.callTool({ name, arguments: args }) as ToolAnswer
    assert.notEqual(answer.isError, true, answer.content[0]?.text ?? '')
    return answer.structuredContent!
  }

  test('the agent triggers etl_daily, get_run_status follows the run to success, and read_task_logs returns the task\'s real log', async () => {
    const dags = (await call('list_dags', { env: 'local' })).dags as { dagId: string }[]
    assert.ok(dags.some((d) => d.dagId === 'etl_daily'))
    const triggered = await call('trigger_dag', { env: 'local', dag: 'etl_daily', conf: { rows: 5 }, reason: 'e2e: the agent\'s nightly load' })
    assert.equal(triggered.state, 'triggered')
    const runId = triggered.runId as string
    assert.equal(runId, `conductor__${triggered.requestId as string}`)

    const run = await eventually(async () => {
      const status = await call('get_run_status', { env: 'local', dag: 'etl_daily', runId })
      if (status.state !== 'success') throw new Error(`state is "${String(status.state)}"`)
      return status
    }, { what: `run ${runId} to succeed`, timeoutMs: 180_000, intervalMs: 1000 })
    assert.deepEqual(run.startedBy, { via: 'conductor', principalType: 'Agent', principalId: 'etl-assistant', requestId: triggered.requestId })
    assert.deepEqual((run.tasks as { taskId: string; state: string }[]).map((t) => [t.taskId, t.state]).sort(), [['extract', 'success'], ['load', 'success'], ['transform', 'success']])

    const log = await call('read_task_logs', { env: 'local', dag: 'etl_daily', runId, taskId: 'extract', maxBytes: 4096 })
    assert.match(log.text as string, new RegExp(`extracting ${runId}`))
    assert.ok((log.bytes as number) <= 4096)
    const transform = await call('read_task_logs', { env: 'local', dag: 'etl_daily', runId, taskId: 'transform' })
    assert.match(transform.text as string, /"rows": 5/)
  })
})
