import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { freePort, startTestApp } from '../../harness/app.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { startStubAirflow, type StubAirflow } from '../../harness/stub-airflow.ts'
import { READ_TOOLS } from '../../src/mcp/index.ts'

const root = new URL('../..', import.meta.url).pathname

/** What a tool call answers, as an MCP client sees it. */
interface ToolAnswer { isError?: boolean; structuredContent?: Record<string, unknown>; content: { type: string; text?: string }[] }

// Conductor's MCP server through the official SDK client, over streamable HTTP (`/mcp` on a real Conductor on
// loopback) and over stdio (`bin/conductor mcp`), with the development issuer's people, the project's policies and a
// stub Airflow serving etl_daily (team:data-eng, with params) and payroll (sensitive).
forEachEngine((engine) => {
  let database: TestDatabase
  let stub: StubAirflow
  let app: Awaited<ReturnType<typeof startTestApp>>
  let url: string
  let home: string
  const tokens: Record<string, string> = {}
  let scimToken: string
  const clients: Client[] = []

  before(async () => {
    database = await engine.open()
    stub = await startStubAirflow([
      { dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['data-eng'], params: { day: { value: '2026-01-01', schema: { type: 'string', format: 'date' }, description: 'The day to load' } } },
      { dagId: 'payroll', tags: ['sensitive'], owners: ['finance'] },
      { dagId: 'ml_train', tags: ['team:ml'], owners: ['ml'] },
    ])
    app = await startTestApp({ databaseUrl: database.url, environments: [{ name: 'local', url: stub.url, retries: 0 }], port: await freePort(), scim: { enabled: true } })
    url = await app.listen()
    await app.governance.catalog.syncAll()
    for (const user of ['alice', 'bob', 'carol', 'dave']) tokens[user] = await app.tokenFor(user)
    scimToken = (await app.scim!.tokens.create('okta')).token
    home = mkdtempSync(join(tmpdir(), 'conductor-mcp-home-'))
  })
  after(async () => {
    for (const client of clients) await client.close().catch(() => {})
    await app?.close()
    await stub?.close()
    await database?.close()
    if (home) rmSync(home, { recursive: true, force: true })
  })

  /** An MCP client over streamable HTTP with `token` as its bearer. */
  async function overHttp(token: string): Promise<Client> {
    const client = new Client({ name: 'mcp-test', version: '1.0.0' })
    await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }))
    clients.push(client)
    return client
  }

  /** An MCP client of `bin/conductor mcp` with CONDUCTOR_URL and CONDUCTOR_TOKEN set. */
  async function overStdio(token: string, args: string[] = []): Promise<Client> {
    const client = new Client({ name: 'mcp-test', version: '1.0.0' })
    await client.connect(new StdioClientTransport({
      command: join(root, 'bin/conductor'), args: ['mcp', ...args], stderr: 'pipe',
      env: { ...process.env as Record<string, string>, CONDUCTOR_URL: url, CONDUCTOR_TOKEN: token, CONDUCTOR_CONFIG_DIR: home, NODE_NO_WARNINGS: '1' },
    }))
    clients.push(client)
    return client
  }

  const call = async (client: Client, name: string, args: Record<string, unknown> = {}) => await client.callTool({ name, arguments: args }) as ToolAnswer
  const errorOf = (answer: ToolAnswer) => {
    assert.equal(answer.isError, true, JSON.stringify(answer))
    const parsed = JSON.parse(answer.content[0]!.text!) as { error: { code: string; message: string; details?: Record<string, unknown> } }
    assert.deepEqual(answer.structuredContent, parsed, 'the structured error is the text error')
    return parsed.error
  }
  const ok = (answer: ToolAnswer) => {
    assert.notEqual(answer.isError, true, JSON.stringify(answer))
    assert.deepEqual(JSON.parse(answer.content[0]!.text!), answer.structuredContent, 'the text is the structured content as JSON')
    return answer.structuredContent!
  }

  test('without a token, or with a bad one, /mcp answers 401 with WWW-Authenticate pointing at the protected-resource metadata, which names the resource, the authorization servers and the scopes', async () => {
    const metadataUrl = `${url}/.well-known/oauth-protected-resource/mcp`
    const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }
    const post = (headers: Record<string, string>) => fetch(`${url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, body: JSON.stringify(initialize) })
    const anonymous = await post({})
    assert.equal(anonymous.status, 401)
    assert.equal(anonymous.headers.get('www-authenticate'), `Bearer resource_metadata="${metadataUrl}"`)
    assert.equal((await anonymous.json() as { error: { code: string } }).error.code, 'token_missing')
    const bad = await post({ authorization: 'Bearer not-a-token' })
    assert.equal(bad.status, 401)
    assert.equal(bad.headers.get('www-authenticate'), `Bearer resource_metadata="${metadataUrl}", error="invalid_token"`)
    assert.equal((await fetch(`${url}/mcp`)).status, 401, 'GET needs a token too')
    const rebound = await post({ authorization: `Bearer ${tokens.alice}`, origin: 'http://evil.example' })
    assert.equal(rebound.status, 403, 'a page of another origin is refused (DNS rebinding)')
    assert.equal((await rebound.json() as { error: { code: string } }).error.code, 'csrf_invalid')
    const sameOrigin = await post({ authorization: `Bearer ${tokens.alice}`, origin: new URL(url).origin })
    assert.equal(sameOrigin.status, 200)
    const authFailures = await app.audit.query({ type: 'auth.failed' })
    assert.ok(authFailures.some((e) => e.data.route === '/mcp'), 'refused MCP calls are audited')

    for (const path of ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']) {
      const answer = await fetch(`${url}${path}`)
      assert.equal(answer.status, 200)
      const metadata = await answer.json() as Record<string, unknown>
      assert.equal(metadata.resource, `${url}/mcp`)
      assert.deepEqual(metadata.authorization_servers, [url, app.devIssuer!.issuer])
      assert.deepEqual(metadata.bearer_methods_supported, ['header'])
      assert.ok((metadata.scopes_supported as string[]).includes('dag:trigger'))
    }
  })

  test('a person over HTTP sees only the read tools: lists DAGs, describes one with its params and what they may do, reads a run; a write tool is tool_not_allowed', async () => {
    const alice = await overHttp(tokens.alice!)
    const { tools } = await alice.listTools()
    assert.deepEqual(tools.map((t) => t.name), [...READ_TOOLS])
    assert.ok(tools.every((t) => t.annotations?.readOnlyHint === true))
    assert.ok(tools.find((t) => t.name === 'read_task_logs')!.inputSchema.properties!.maxBytes, 'input schemas are published')

    const environments = ok(await call(alice, 'list_environments')).environments as { name: string }[]
    assert.deepEqual(environments.map((e) => e.name), ['local'])
    const dags = ok(await call(alice, 'list_dags', { env: 'local' })).dags as { dagId: string }[]
    assert.deepEqual(dags.map((d) => d.dagId).sort(), ['etl_daily', 'payroll'])
    const tagged = ok(await call(alice, 'list_dags', { env: 'local', tag: 'sensitive' })).dags as { dagId: string }[]
    assert.deepEqual(tagged.map((d) => d.dagId), ['payroll'])

    const described = ok(await call(alice, 'describe_dag', { env: 'local', dag: 'etl_daily' }))
    assert.deepEqual(described.params, { day: { value: '2026-01-01', schema: { type: 'string', format: 'date' }, description: 'The day to load' } })
    const permissions = described.permissions as Record<string, { allowed: boolean }>
    assert.equal(permissions['dag:trigger']!.allowed, true)

    const bob = await overHttp(tokens.bob!)
    const bobs = ok(await call(bob, 'describe_dag', { env: 'local', dag: 'etl_daily' }))
    assert.equal((bobs.permissions as Record<string, { allowed: boolean }>)['dag:trigger']!.allowed, false, 'analysts may not trigger')

    const refused = errorOf(await call(alice, 'trigger_dag', { env: 'local', dag: 'etl_daily' }))
    assert.equal(refused.code, 'tool_not_allowed')
    assert.match(refused.message, /User alice may not use the tool trigger_dag/)
    assert.equal(stub.runs.get('etl_daily')?.length ?? 0, 0, 'nothing ran')

    const invalid = errorOf(await call(alice, 'describe_dag', { env: 'local' }))
    assert.deepEqual([invalid.code, invalid.details?.field], ['invalid_input', 'dag'])
    const missing = errorOf(await call(alice, 'describe_dag', { env: 'local', dag: 'nope' }))
    assert.equal(missing.code, 'dag_not_found')
  })

  test('read_task_logs returns at most maxBytes, cut at a line end, with a continuation until the whole log is read; the run ledger records each read as via mcp with the tool', async () => {
    stub.runs.set('etl_daily', [...(stub.runs.get('etl_daily') ?? []), { dag_run_id: 'manual__logs', conf: {}, note: null, tasks: [{ task_id: 'extract', state: 'success' }] }])
    const lines = Array.from({ length: 2000 }, (_, i) => `[2026-01-01T00:00:${String(i % 60).padStart(2, '0')}Z] extract: row batch ${i} loaded ✓`)
    stub.logs.set('etl_daily/manual__logs/extract', lines)
    const alice = await overHttp(tokens.alice!)

    const run = ok(await call(alice, 'get_run_status', { env: 'local', dag: 'etl_daily', runId: 'manual__logs' }))
    assert.equal(run.runId, 'manual__logs')
    assert.deepEqual((run.tasks as { taskId: string; state: string }[]).map((t) => [t.taskId, t.state]), [['extract', 'success']])

    const parts: string[] = []
    let continuation: string | undefined
    let reads = 0
    do {
      const page = ok(await call(alice, 'read_task_logs', { env: 'local', dag: 'etl_daily', runId: 'manual__logs', taskId: 'extract', maxBytes: 16384, ...(continuation ? { continuation } : {}) }))
      assert.ok((page.bytes as number) <= 16384, `page ${reads} is within maxBytes`)
      assert.equal(Buffer.byteLength(page.text as string), page.bytes)
      if (page.truncated) assert.match(page.text as string, /\n$/, 'a truncated page ends at a line end')
      parts.push(page.text as string)
      continuation = page.continuation as string | undefined ?? undefined
      assert.equal(page.truncated, continuation !== undefined)
      reads++
    } while (continuation && reads < 50)
    assert.equal(parts.join(''), lines.join('\n'), 'the pages put together are the whole log')
    assert.ok(reads >= 6, `${reads} reads for ~${Buffer.byteLength(lines.join('\n'))} bytes`)

    const defaults = ok(await call(alice, 'read_task_logs', { env: 'local', dag: 'etl_daily', runId: 'manual__logs', taskId: 'extract' }))
    assert.ok((defaults.bytes as number) <= 16 * 1024 && (defaults.bytes as number) > 15 * 1024, 'default 16 KiB')
    const tooMuch = errorOf(await call(alice, 'read_task_logs', { env: 'local', dag: 'etl_daily', runId: 'manual__logs', taskId: 'extract', maxBytes: 65537 }))
    assert.deepEqual([tooMuch.code, tooMuch.details?.field], ['invalid_input', 'maxBytes'])
    const forged = errorOf(await call(alice, 'read_task_logs', { env: 'local', dag: 'etl_daily', runId: 'manual__logs', taskId: 'extract', continuation: 'bm90LW91cnM' }))
    assert.deepEqual([forged.code, forged.details?.field], ['invalid_input', 'continuation'])

    const ledger = await app.server.inject({ method: 'GET', url: '/api/v1/requests?action=run:logs', headers: { authorization: `Bearer ${tokens.alice}` } })
    const requests = ledger.json().requests as { input: Record<string, unknown> }[]
    assert.ok(requests.length >= reads)
    assert.ok(requests.every((r) => r.input.via === 'mcp' && r.input.tool === 'read_task_logs'), JSON.stringify(requests[0]))
    const decisions = await app.audit.query({ type: 'authz.decision', action: 'run:logs' })
    assert.ok(decisions.length > 0 && decisions.every((e) => e.data.via === 'mcp' && e.data.tool === 'read_task_logs'))
    const status = await app.audit.query({ type: 'authz.decision', action: 'run:read' })
    assert.ok(status.some((e) => e.data.via === 'mcp' && e.data.tool === 'get_run_status'))
  })

  test('over stdio (`conductor mcp` with CONDUCTOR_URL and CONDUCTOR_TOKEN): a person gets the read tools; --tools narrows them; a tool left out is tool_not_allowed', async () => {
    const bob = await overStdio(tokens.bob!)
    assert.deepEqual((await bob.listTools()).tools.map((t) => t.name), [...READ_TOOLS])
    const dags = ok(await call(bob, 'list_dags', { env: 'local' })).dags as { dagId: string }[]
    assert.deepEqual(dags.map((d) => d.dagId).sort(), ['etl_daily', 'ml_train', 'payroll'])

    const narrowed = await overStdio(tokens.alice!, ['--tools', 'list_dags,trigger_dag'])
    assert.deepEqual((await narrowed.listTools()).tools.map((t) => t.name), ['list_dags'], '--tools cannot add a write tool')
    assert.equal(errorOf(await call(narrowed, 'describe_dag', { env: 'local', dag: 'etl_daily' })).code, 'tool_not_allowed')
    assert.equal(errorOf(await call(narrowed, 'trigger_dag', { env: 'local', dag: 'etl_daily' })).code, 'tool_not_allowed')

    // Credentials that do not work stop `conductor mcp` at start, with the reason on stderr and nothing on stdout.
    const refused = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(join(root, 'bin/conductor'), ['mcp'], { env: { ...process.env, CONDUCTOR_URL: url, CONDUCTOR_TOKEN: 'not-a-token', CONDUCTOR_CONFIG_DIR: home, NODE_NO_WARNINGS: '1' } })
      let stdout = '', stderr = ''
      child.stdout.on('data', (d) => { stdout += d })
      child.stderr.on('data', (d) => { stderr += d })
      child.on('exit', (status) => resolve({ status, stdout, stderr }))
    })
    assert.equal(refused.status, 6, refused.stderr)
    assert.match(refused.stderr, /^conductor: token_malformed: /)
    assert.equal(refused.stdout, '')
  })

  /** alice creates the agent etl-assistant (sponsor alice, group data-eng, the given tools, 2 triggers an hour) and an API token for it. */
  async function createAgent(name: string, tools: string[]): Promise<string> {
    const api = (method: 'POST', path: string, payload: object) => app.server.inject({ method, url: path, headers: { authorization: `Bearer ${tokens.alice}` }, payload })
    const created = await api('POST', '/api/v1/service-accounts', {
      name, kind: 'agent', description: 'runs the daily loads', owner: { type: 'Group', id: 'data-eng' }, groups: ['data-eng'], tools,
      budgets: [{ action: 'dag:trigger', max: 2, perHours: 1 }],
    })
    assert.equal(created.statusCode, 201, created.body)
    assert.equal(created.json().serviceAccount.sponsor, 'alice')
    const token = await api('POST', `/api/v1/service-accounts/${name}/tokens`, { name: 'mcp', expiresInDays: 7 })
    assert.equal(token.statusCode, 201, token.body)
    return token.json().token as string
  }

  for (const [transport, name] of [['HTTP', 'etl-assistant'], ['stdio', 'etl-assistant-local']] as const) {
    test(`an agent with an API token over ${transport}: sees exactly its tools; triggers what policy allows (via mcp, tool trigger_dag, principalType Agent, sponsor alice in the audit); is refused what it does not; waits for approval on a sensitive DAG; hits its hourly budget`, async () => {
      const agentToken = await createAgent(name, ['list_dags', 'describe_dag', 'get_run_status', 'list_my_requests', 'trigger_dag'])
      const agent = transport === 'HTTP' ? await overHttp(agentToken) : await overStdio(agentToken)
      assert.deepEqual((await agent.listTools()).tools.map((t) => t.name), ['list_dags', 'describe_dag', 'get_run_status', 'list_my_requests', 'trigger_dag'])
      const dags = ok(await call(agent, 'list_dags', { env: 'local' })).dags as { dagId: string }[]
      assert.deepEqual(dags.map((d) => d.dagId).sort(), ['etl_daily', 'payroll'], 'it reads what its group reads')
      assert.equal(errorOf(await call(agent, 'rerun_failed_tasks', { env: 'local', dag: 'etl_daily', runId: 'x' })).code, 'tool_not_allowed')
      assert.equal(errorOf(await call(agent, 'read_task_logs', { env: 'local', dag: 'etl_daily', runId: 'x', taskId: 'y' })).code, 'tool_not_allowed')

      const before = stub.runs.get('etl_daily')?.length ?? 0
      const triggered = ok(await call(agent, 'trigger_dag', { env: 'local', dag: 'etl_daily', conf: { day: '2026-11-30' }, reason: 'nightly load' }))
      assert.equal(triggered.state, 'triggered')
      assert.equal(triggered.runId, `conductor__${triggered.requestId as string}`)
      assert.equal(stub.runs.get('etl_daily')!.length, before + 1)
      const status = ok(await call(agent, 'get_run_status', { env: 'local', dag: 'etl_daily', runId: triggered.runId }))
      assert.deepEqual(status.startedBy, { via: 'conductor', principalType: 'Agent', principalId: name, requestId: triggered.requestId })

      const decision = (await app.audit.query({ type: 'authz.decision', requestId: triggered.requestId as string }))[0]!
      assert.deepEqual([decision.principalType, decision.principal, decision.decision], ['Agent', name, 'allow'])
      assert.deepEqual([decision.data.via, decision.data.tool, decision.data.sponsor], ['mcp', 'trigger_dag', 'alice'])
      const ledger = await app.server.inject({ method: 'GET', url: `/api/v1/requests/${triggered.requestId as string}`, headers: { authorization: `Bearer ${tokens.carol}` } })
      assert.equal(ledger.statusCode, 200, ledger.body)
      assert.deepEqual([ledger.json().input.via, ledger.json().input.tool, ledger.json().principal.type], ['mcp', 'trigger_dag', 'Agent'])

      const refused = errorOf(await call(agent, 'trigger_dag', { env: 'local', dag: 'ml_train' }))
      assert.equal(refused.code, 'policy_denied', refused.message)
      assert.match(refused.message, new RegExp(`Agent ${name} may not dag:trigger local/ml_train`))
      assert.ok((refused.details?.reasons as string[]).length > 0 && typeof refused.details?.requestId === 'string', 'the decision\'s reasons and request id')
      assert.equal(stub.runs.get('ml_train')?.length ?? 0, 0)

      const payrollBefore = stub.runs.get('payroll')?.length ?? 0
      const pending = ok(await call(agent, 'trigger_dag', { env: 'local', dag: 'payroll', reason: 'month-end payroll' }))
      assert.equal(pending.state, 'pending')
      assert.deepEqual(pending.needs, { approvals: [{ group: 'data-leads', count: 1 }], reasonRequired: true })
      assert.match(pending.message as string, /Do not retry/)
      assert.equal(stub.runs.get('payroll')?.length ?? 0, payrollBefore, 'nothing runs before approval')
      const waiting = (await app.audit.query({ type: 'request.pending', requestId: pending.requestId as string }))[0]!
      assert.deepEqual([waiting.principalType, waiting.data.via, waiting.data.tool], ['Agent', 'mcp', 'trigger_dag'])
      const mine = ok(await call(agent, 'list_my_requests')).requests as { requestId: string; state: string; dagId: string }[]
      assert.deepEqual(mine.map((r) => [r.requestId, r.state, r.dagId]), [[pending.requestId, 'pending', 'payroll']])

      const overBudget = errorOf(await call(agent, 'trigger_dag', { env: 'local', dag: 'etl_daily', reason: 'again' }))
      assert.equal(overBudget.code, 'budget_exceeded')
      assert.equal(overBudget.details?.action, 'dag:trigger')
      assert.ok((overBudget.details?.retryAfterSeconds as number) > 0)
      assert.equal(stub.runs.get('etl_daily')!.length, before + 1, 'the refused trigger did not run')
      assert.ok((await app.audit.query({ type: 'agent.budget_exceeded' })).some((e) => e.principal === name))

      const approved = await app.server.inject({ method: 'POST', url: `/api/v1/requests/${pending.requestId as string}/approve`, headers: { authorization: `Bearer ${tokens.dave}` }, payload: {} })
      assert.equal(approved.statusCode, 200, approved.body)
      assert.equal(stub.runs.get('payroll')!.length, payrollBefore + 1, 'approved, it runs as the agent')
    })
  }

  test('an agent reruns the failed tasks of a run it may operate, is refused one it may not, and asks a person for a just-in-time grant (pending, recorded via mcp; too long is refused)', async () => {
    const agent = await overHttp(await createAgent('rerunner', ['get_run_status', 'rerun_failed_tasks', 'request_approval', 'list_my_requests']))
    stub.runs.set('etl_daily', [...(stub.runs.get('etl_daily') ?? []), { dag_run_id: 'manual__failed', conf: {}, note: null, tasks: [{ task_id: 'extract', state: 'success' }, { task_id: 'load', state: 'failed' }] }])
    stub.runs.set('ml_train', [{ dag_run_id: 'manual__ml', conf: {}, note: null, tasks: [{ task_id: 'train', state: 'failed' }] }])

    const rerun = ok(await call(agent, 'rerun_failed_tasks', { env: 'local', dag: 'etl_daily', runId: 'manual__failed', reason: 'load timed out' }))
    assert.deepEqual([rerun.state, rerun.clearedTaskIds], ['rerun', ['load']])
    assert.equal(stub.runs.get('etl_daily')!.find((r) => r.dag_run_id === 'manual__failed')!.tasks![1]!.state, null, 'Airflow runs it again')
    const decision = (await app.audit.query({ type: 'authz.decision', requestId: rerun.requestId as string }))[0]!
    assert.deepEqual([decision.principalType, decision.action, decision.data.via, decision.data.tool], ['Agent', 'dag:rerun', 'mcp', 'rerun_failed_tasks'])

    const refused = errorOf(await call(agent, 'rerun_failed_tasks', { env: 'local', dag: 'ml_train', runId: 'manual__ml' }))
    assert.equal(refused.code, 'policy_denied')
    assert.equal(stub.runs.get('ml_train')![0]!.tasks![0]!.state, 'failed')

    const asked = ok(await call(agent, 'request_approval', { group: 'jit-prod-rerun', hours: 2, reason: 'incident 4411: rerun the prod load' }))
    assert.equal(asked.state, 'pending')
    assert.deepEqual(asked.needs, { approvals: [{ group: 'data-leads', count: 1 }], reasonRequired: true })
    const mine = ok(await call(agent, 'list_my_requests')).requests as { requestId: string; action: string; group: string; hours: number }[]
    assert.deepEqual(mine.map((r) => [r.requestId, r.action, r.group, r.hours]), [[asked.requestId, 'grant:request', 'jit-prod-rerun', 2]])
    const ledger = await app.server.inject({ method: 'GET', url: `/api/v1/requests/${asked.requestId as string}`, headers: { authorization: `Bearer ${tokens.carol}` } })
    assert.deepEqual([ledger.json().input.via, ledger.json().input.tool], ['mcp', 'request_approval'])
    const approved = await app.server.inject({ method: 'POST', url: `/api/v1/requests/${asked.requestId as string}/approve`, headers: { authorization: `Bearer ${tokens.dave}` }, payload: {} })
    assert.equal(approved.statusCode, 200, approved.body)
    assert.equal((ok(await call(agent, 'list_my_requests')).requests as unknown[]).length, 0, 'nothing waits any more')

    const tooLong = errorOf(await call(agent, 'request_approval', { group: 'jit-prod-rerun', hours: 8, reason: 'all week' }))
    assert.equal(tooLong.code, 'policy_denied')
  })

  test('over stdio, an agent token works the same; an agent listing no tools gets the read tools', async () => {
    const agentToken = await createAgent('log-reader', [])
    const agent = await overStdio(agentToken)
    assert.deepEqual((await agent.listTools()).tools.map((t) => t.name), [...READ_TOOLS])
    assert.equal(errorOf(await call(agent, 'trigger_dag', { env: 'local', dag: 'etl_daily' })).code, 'tool_not_allowed')
    assert.ok((ok(await call(agent, 'list_dags', {})).dags as unknown[]).length > 0)
  })

  test('when SCIM deactivates the sponsor, the agent loses all access at once: tools/list and tool calls are refused, over HTTP and stdio', async () => {
    const agentToken = await createAgent('sponsored', ['list_dags'])
    const overStdioAgent = await overStdio(agentToken)
    assert.equal((await overStdioAgent.listTools()).tools.length, 1)
    const user = await app.server.inject({ method: 'POST', url: '/scim/v2/Users', headers: { authorization: `Bearer ${scimToken}`, 'content-type': 'application/scim+json' }, payload: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'alice', active: true }) })
    assert.equal(user.statusCode, 201, user.body)
    const off = await app.server.inject({ method: 'PATCH', url: `/scim/v2/Users/${(user.json() as { id: string }).id}`, headers: { authorization: `Bearer ${scimToken}`, 'content-type': 'application/scim+json' }, payload: JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', value: { active: false } }] }) })
    assert.equal(off.statusCode, 200, off.body)

    const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }
    const http = await fetch(`${url}/mcp`, { method: 'POST', headers: { authorization: `Bearer ${agentToken}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify(initialize) })
    assert.equal(http.status, 401, 'the HTTP endpoint refuses the agent\'s token')
    assert.match(http.headers.get('www-authenticate') ?? '', /resource_metadata=/)
    await assert.rejects(overStdioAgent.listTools(), /token_|principal_|disabled|revoked/)
    const call2 = errorOf(await call(overStdioAgent, 'list_dags', {}))
    assert.match(call2.code, /^token_|^principal_/)
    const account = await app.serviceAccounts.get('sponsored')
    assert.equal(account!.state, 'disabled')
  })
})

