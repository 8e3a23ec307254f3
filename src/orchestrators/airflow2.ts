import type { EnvironmentConfig } from '../config/index.ts'
import { createBasicAuth } from './auth.ts'
import { conflictForRun } from './airflow3.ts'
import { seg, type AirflowHttp } from './http-client.ts'
import { type AdapterDeps, toDagParams, logLines, pageThrough, toDate } from './mapping.ts'
import type { DagInfo, Orchestrator, OrchestratorHealth, RunInfo, TaskInstanceInfo, TaskLogChunk, TriggerRunInput } from './orchestrator.ts'

interface V1Dag {
  dag_id: string
  description?: string | null
  tags?: { name: string }[] | null
  owners?: string[]
  is_paused?: boolean | null
  timetable_summary?: string | null
  schedule_interval?: { __type?: string; value?: string } | null
  fileloc?: string
}

interface V1Run {
  dag_id: string
  dag_run_id: string
  state: string
  run_type?: string | null
  logical_date?: string | null
  execution_date?: string | null
  queued_at?: string | null
  start_date?: string | null
  end_date?: string | null
  conf?: Record<string, unknown> | null
  note?: string | null
}

interface V1TaskInstance {
  task_id: string
  state?: string | null
  try_number?: number
  map_index?: number
  start_date?: string | null
  end_date?: string | null
  duration?: number | null
}

/**
 * The Airflow 2 adapter over `/api/v1` with HTTP basic auth (`[api] auth_backends` =
 * `airflow.providers.fab.auth_manager.api.auth.backend.basic_auth` on 2.9+, `airflow.api.auth.backend.basic_auth`
 * before). Tested against a real Airflow 2.11 by test/e2e/orchestrators.airflow2.test.ts. Airflow 2 accepts the
 * run note in the trigger body, does not record who triggered a run (`triggeredBy` is null), and answers a wrong
 * password with 403 rather than 401 (both give orchestrator_auth_failed).
 */
export function createAirflow2Orchestrator(env: EnvironmentConfig, deps: AdapterDeps & { http: AirflowHttp; onClose: () => Promise<void> }): Orchestrator {
  const { http } = deps
  const auth = createBasicAuth({ env, secrets: deps.secrets })
  const dagPath = (dagId: string) => `/api/v1/dags/${seg(dagId)}`
  const runPath = (dagId: string, runId: string) => `${dagPath(dagId)}/dagRuns/${seg(runId)}`

  return {
    environment: env.name,

    async health(): Promise<OrchestratorHealth> {
      try {
        const response = await http.send({ method: 'GET', path: '/api/v1/health' })
        if (response.status !== 200) return { reachable: false, detail: `health check answered ${response.status}` }
        // Airflow 2 lists the triggerer and the standalone DAG processor with status null when that
        // deployment does not run them; only a component that reports a status other than healthy counts.
        const unhealthy = Object.entries((response.body ?? {}) as Record<string, { status?: string | null } | null>)
          .filter(([, component]) => component && component.status !== undefined && component.status !== null && component.status !== 'healthy')
          .map(([name, component]) => `${name}: ${component?.status ?? 'unknown'}`)
        const version = await http.call<{ version?: string }>({ method: 'GET', path: '/api/v1/version', idempotent: false }, auth)
          .then((v) => v.version, () => undefined)
        return { reachable: true, ...(version ? { version } : {}), ...(unhealthy.length ? { detail: unhealthy.join(', ') } : {}) }
      } catch (error) {
        return { reachable: false, detail: error instanceof Error ? error.message : String(error) }
      }
    },

    async listDags(): Promise<DagInfo[]> {
      const dags = await pageThrough<V1Dag>(async (limit, offset) => {
        const page = await http.call<{ dags: V1Dag[]; total_entries?: number | null }>({ method: 'GET', path: '/api/v1/dags', query: { limit, offset }, idempotent: true }, auth)
        return { items: page.dags, total: page.total_entries ?? null }
      })
      return dags.map(toDag)
    },

    async getDagParams(dagId: string) {
      const details = await http.call<{ params?: unknown }>({ method: 'GET', path: `${dagPath(dagId)}/details`, idempotent: true, subject: { dagId } }, auth)
      return toDagParams(details.params)
    },

    async getDag(dagId: string): Promise<DagInfo> {
      return toDag(await http.call<V1Dag>({ method: 'GET', path: dagPath(dagId), idempotent: true, subject: { dagId } }, auth))
    },

    async triggerRun(dagId: string, input: TriggerRunInput): Promise<RunInfo> {
      // Airflow 2 rejects a null logical_date; leaving it out means "now".
      const body: Record<string, unknown> = { dag_run_id: input.runId, conf: input.conf }
      if (input.logicalDate !== null) body.logical_date = input.logicalDate
      if (input.note !== undefined) body.note = input.note
      try {
        return toRun(await http.call<V1Run>({ method: 'POST', path: `${dagPath(dagId)}/dagRuns`, body, idempotent: false, subject: { dagId } }, auth))
      } catch (error) {
        throw conflictForRun(error, env, dagId, input.runId)
      }
    },

    async listRuns(dagId: string, options: { limit?: number; offset?: number } = {}): Promise<RunInfo[]> {
      const page = await http.call<{ dag_runs: V1Run[] }>({
        method: 'GET', path: `${dagPath(dagId)}/dagRuns`, idempotent: true, subject: { dagId },
        query: { limit: options.limit ?? 100, offset: options.offset ?? 0, order_by: '-execution_date' },
      }, auth)
      return page.dag_runs.map(toRun)
    },

    async getRun(dagId: string, runId: string): Promise<RunInfo> {
      return toRun(await http.call<V1Run>({ method: 'GET', path: runPath(dagId, runId), idempotent: true, subject: { dagId, runId } }, auth))
    },

    async listTaskInstances(dagId: string, runId: string): Promise<TaskInstanceInfo[]> {
      const items = await pageThrough<V1TaskInstance>(async (limit, offset) => {
        const page = await http.call<{ task_instances: V1TaskInstance[]; total_entries?: number | null }>({
          method: 'GET', path: `${runPath(dagId, runId)}/taskInstances`, query: { limit, offset }, idempotent: true, subject: { dagId, runId },
        }, auth)
        return { items: page.task_instances, total: page.total_entries ?? null }
      })
      return items.map(toTaskInstance)
    },

    async clearFailedTasks(dagId: string, runId: string): Promise<{ taskIds: string[] }> {
      const result = await http.call<{ task_instances: { task_id: string }[] }>({
        method: 'POST', path: `${dagPath(dagId)}/clearTaskInstances`, idempotent: false, subject: { dagId, runId },
        body: { dry_run: false, dag_run_id: runId, only_failed: true, reset_dag_runs: true },
      }, auth)
      return { taskIds: [...new Set(result.task_instances.map((ti) => ti.task_id))] }
    },

    async setPaused(dagId: string, paused: boolean): Promise<DagInfo> {
      return toDag(await http.call<V1Dag>({
        method: 'PATCH', path: dagPath(dagId), query: { update_mask: 'is_paused' }, body: { is_paused: paused }, idempotent: true, subject: { dagId },
      }, auth))
    },

    async getTaskLog(dagId: string, runId: string, taskId: string, options: { tryNumber?: number; continuationToken?: string } = {}): Promise<TaskLogChunk> {
      const subject = { dagId, runId, taskId }
      let tryNumber = options.tryNumber
      if (tryNumber === undefined) {
        const ti = await http.call<V1TaskInstance>({ method: 'GET', path: `${runPath(dagId, runId)}/taskInstances/${seg(taskId)}`, idempotent: true, subject }, auth)
        tryNumber = Math.max(1, ti.try_number ?? 1)
      }
      const log = await http.call<{ content: unknown; continuation_token?: string | null }>({
        method: 'GET', path: `${runPath(dagId, runId)}/taskInstances/${seg(taskId)}/logs/${tryNumber}`, idempotent: true, subject,
        query: { token: options.continuationToken }, accept: 'application/json',
      }, auth)
      return { tryNumber, lines: logLines(logText(log.content)), continuationToken: log.continuation_token ?? null }
    },

    close: deps.onClose,
  }
}

function toDag(dag: V1Dag): DagInfo {
  return {
    dagId: dag.dag_id,
    description: dag.description ?? null,
    tags: (dag.tags ?? []).map((tag) => tag.name),
    owners: dag.owners ?? [],
    paused: dag.is_paused === true,
    schedule: dag.timetable_summary ?? dag.schedule_interval?.value ?? null,
    ...(dag.fileloc ? { fileloc: dag.fileloc } : {}),
  }
}

function toRun(run: V1Run): RunInfo {
  return {
    dagId: run.dag_id,
    runId: run.dag_run_id,
    state: run.state,
    runType: run.run_type ?? null,
    logicalDate: toDate(run.logical_date ?? run.execution_date),
    queuedAt: toDate(run.queued_at),
    startDate: toDate(run.start_date),
    endDate: toDate(run.end_date),
    conf: run.conf ?? {},
    note: run.note ?? null,
    triggeredBy: null,
  }
}

function toTaskInstance(ti: V1TaskInstance): TaskInstanceInfo {
  return {
    taskId: ti.task_id,
    state: ti.state ?? null,
    tryNumber: ti.try_number ?? 0,
    mapIndex: ti.map_index ?? -1,
    startDate: toDate(ti.start_date),
    endDate: toDate(ti.end_date),
    durationSeconds: ti.duration ?? null,
  }
}

/**
 * Airflow 2's JSON log `content` is Python's `str()` of a list of `(host, message)` tuples, e.g.
 * `[('worker-1', '*** Found local files:\\n...')]`; this gives the messages as one text. Anything else
 * (a plain string from a proxy or an older version) passes through unchanged.
 */
function logText(content: unknown): unknown {
  if (typeof content !== 'string' || !content.startsWith('[(')) return content
  const messages = parsePythonLogTuples(content)
  return messages === null ? content : messages.join('\n')
}

/** Parses `[('host', 'message'), …]` (Python reprs of str or None); null when the text is not that shape. */
function parsePythonLogTuples(text: string): string[] | null {
  let at = 0
  const skipSpace = () => { while (text[at] === ' ') at++ }
  const expect = (char: string) => { skipSpace(); if (text[at] !== char) throw new SyntaxError(`expected ${char} at ${at}`); at++ }
  const value = (): string | null => {
    skipSpace()
    if (text.startsWith('None', at)) { at += 4; return null }
    const quote = text[at]
    if (quote !== "'" && quote !== '"') throw new SyntaxError(`expected a string at ${at}`)
    at++
    let out = ''
    for (;;) {
      const char = text[at]
      if (char === undefined) throw new SyntaxError('unterminated string')
      at++
      if (char === quote) return out
      if (char !== '\\') { out += char; continue }
      const escape = text[at++]
      const hex = (length: number) => {
        const digits = text.slice(at, at + length)
        if (!/^[0-9a-fA-F]+$/.test(digits) || digits.length !== length) throw new SyntaxError(`bad escape at ${at}`)
        at += length
        return String.fromCodePoint(Number.parseInt(digits, 16))
      }
      switch (escape) {
        case 'n': out += '\n'; break
        case 'r': out += '\r'; break
        case 't': out += '\t'; break
        case 'x': out += hex(2); break
        case 'u': out += hex(4); break
        case 'U': out += hex(8); break
        case '\\': case "'": case '"': out += escape; break
        default: throw new SyntaxError(`unknown escape \\${escape ?? ''} at ${at}`)
      }
    }
  }
  try {
    const messages: string[] = []
    expect('[')
    skipSpace()
    if (text[at] === ']') { at++ } else {
      for (;;) {
        expect('(')
        value()
        expect(',')
        messages.push(value() ?? '')
        expect(')')
        skipSpace()
        if (text[at] === ']') { at++; break }
        expect(',')
      }
    }
    skipSpace()
    return at === text.length ? messages : null
  } catch {
    return null
  }
}
