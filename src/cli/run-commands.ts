import { InvalidArgumentError, type Command } from 'commander'
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { setTimeout as delay } from 'node:timers/promises'
import type { PendingResult, RequestView, RerunResult, RunDetail, RunList, RunView, StartedBy, TaskInstance, TaskLogPage, TriggerResult } from '../../contract/api-types.ts'
import { pendingLine, waitForDecision } from './approval-commands.ts'
import { ApiError, EXIT, type ApiClient } from './api-client.ts'
import { policyNote } from './catalog-commands.ts'
import { dagPath, outputOf, parseDagTarget, parsePositiveInt, withOutput, withQuery, type CliContext, type CliStream } from './context.ts'
import { formatDuration, formatJson, formatShortTime, formatTime, oneLine, renderFields, renderTable, safeLine, secondsBetween, type Column } from './format.ts'

/** How often `trigger` and `rerun` resend their request (with the same `Idempotency-Key`) after a network error or a 503. */
export const TRIGGER_RETRIES = 3

/** The run states after which nothing more happens. */
export const FINAL_RUN_STATES = new Set(['success', 'failed'])
const FINAL_TASK_STATES = new Set(['success', 'failed', 'skipped', 'upstream_failed', 'removed'])

/** `alice` for runs started through Conductor, `(scheduled)` and the like for runs Airflow started itself. */
export function startedByText(startedBy: StartedBy): string {
  return startedBy.via === 'conductor' ? startedBy.principalId : `(${startedBy.runType ?? startedBy.triggeredBy ?? 'airflow'})`
}

/** The columns of `conductor runs`: the run id is never cut, so it can be copied. */
export const RUN_COLUMNS: Column<RunView>[] = [
  { header: 'RUN ID', value: (r) => r.runId, min: 47 },
  { header: 'STATE', value: (r) => r.state, min: 7 },
  { header: 'WHO', value: (r) => startedByText(r.startedBy), min: 8 },
  { header: 'STARTED UTC', value: (r) => formatShortTime(r.startDate ?? r.queuedAt), min: 11, drop: 1 },
  { header: 'DURATION', value: (r) => formatDuration(secondsBetween(r.startDate, r.endDate)), align: 'right', drop: 0 },
]

/** The columns of a run's tasks in `conductor run`. */
export const TASK_COLUMNS: Column<TaskInstance>[] = [
  { header: 'TASK', value: (t) => (t.mapIndex >= 0 ? `${t.taskId}[${t.mapIndex}]` : t.taskId), min: 12 },
  { header: 'STATE', value: (t) => t.state ?? 'none', min: 7 },
  { header: 'TRY', value: (t) => String(t.tryNumber), align: 'right' },
  { header: 'STARTED UTC', value: (t) => formatShortTime(t.startDate), min: 11, drop: 1 },
  { header: 'DURATION', value: (t) => formatDuration(t.durationSeconds ?? secondsBetween(t.startDate, t.endDate)), align: 'right', drop: 0 },
]

/** One line of progress for a run: `conductor__…  running  2/5 tasks done  1m02s`. */
export function progressLine(run: RunDetail, now: Date = new Date()): string {
  const done = run.tasks.filter((t) => t.state !== null && FINAL_TASK_STATES.has(t.state)).length
  const failed = run.tasks.filter((t) => t.state === 'failed' || t.state === 'upstream_failed').length
  const elapsed = formatDuration(secondsBetween(run.startDate ?? run.queuedAt, run.endDate, now))
  return `${run.runId}  ${run.state}  ${done}/${run.tasks.length} tasks done${failed ? `, ${failed} failed` : ''}  ${elapsed}`
}

/** Parses `--conf`: a JSON object, `@file` holding one, or `@-` for stdin. */
export function parseConf(value: string): Record<string, unknown> {
  let text = value
  if (value.startsWith('@')) {
    try {
      text = readFileSync(value === '@-' ? 0 : value.slice(1), 'utf8')
    } catch (error) {
      throw new InvalidArgumentError(`cannot read ${value.slice(1)}: ${(error as Error).message}`)
    }
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new InvalidArgumentError(`not JSON: ${(error as Error).message}`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidArgumentError('the conf must be a JSON object')
  return parsed as Record<string, unknown>
}

/** Options of {@link waitForRun}. */
export interface WaitForRunOptions {
  /** Fetches the run's current state. */
  fetchRun: () => Promise<RunDetail>
  /** Where progress goes: on a TTY one line rewritten in place, otherwise a line per change. */
  stream: CliStream
  intervalMs?: number
  /** Consecutive failures to fetch (Conductor or Airflow briefly unavailable) tolerated before giving up (default 5). */
  maxErrors?: number
  now?: () => Date
}

/** Polls a run until it reaches a final state, showing progress, and returns it. */
export async function waitForRun(options: WaitForRunOptions): Promise<RunDetail> {
  const tty = options.stream.isTTY === true
  const now = options.now ?? (() => new Date())
  let last = ''
  let errors = 0
  for (;;) {
    let run: RunDetail
    try {
      run = await options.fetchRun()
      errors = 0
    } catch (error) {
      const transient = error instanceof ApiError && (error.status === 502 || error.status === 503 || error.status === 504)
      if (!transient || ++errors > (options.maxErrors ?? 5)) {
        if (tty) options.stream.write('\n')
        throw error
      }
      await delay(options.intervalMs ?? 2000)
      continue
    }
    const line = progressLine(run, now())
    const final = FINAL_RUN_STATES.has(run.state)
    if (tty) {
      options.stream.write(`\r\x1b[2K${line}${final ? '\n' : ''}`)
    } else {
      // Without a terminal, print only when the state or the number of finished tasks changes.
      const key = line.replace(/\s+\S+$/, '')
      if (key !== last) options.stream.write(`${line}\n`)
      last = key
    }
    if (final) return run
    await delay(options.intervalMs ?? 2000)
  }
}

/**
 * A trigger that waits for approval: prints which request waits for whom; with `wait`, polls it (a line on stderr) until
 * a person decided, and answers the started run, or null (exit code set) when it will not run or `wait` is off.
 */
async function approvedRun(client: ApiClient, pending: RequestView, opts: { json: boolean; wait: boolean; intervalMs: number; ctx: CliContext }): Promise<TriggerResult | null> {
  if (!opts.wait) {
    opts.ctx.out(opts.json ? formatJson({ request: pending }) : pendingLine(pending))
    return null
  }
  opts.ctx.stderr.write(`${pendingLine(pending)}\n`)
  const decided = await waitForDecision(client, pending.id, opts.intervalMs)
  if (!decided.runId || decided.state === 'failed') {
    opts.ctx.out(opts.json ? formatJson({ request: decided }) : `request ${decided.id} ${decided.state}${decided.error ? `: ${decided.error.message}` : ''}; nothing ran`)
    process.exitCode = decided.state === 'failed' ? EXIT.runFailed : EXIT.denied
    return null
  }
  const run = await client.request<RunDetail>('GET', `/api/v1/environments/${encodeURIComponent(decided.environment)}/dags/${encodeURIComponent(decided.dagId ?? '')}/runs/${encodeURIComponent(decided.runId)}`)
  const { tasks: _tasks, ...view } = run
  return { request: decided, run: view }
}

/** `conductor trigger`, `runs`, `run`, `logs`, `rerun`. */
export function registerRunCommands(program: Command, ctx: CliContext): void {
  const runPath = (target: { environment: string; dag: string }, runId: string) => `${dagPath(target)}/runs/${encodeURIComponent(runId)}`

  withOutput(program.command('trigger'))
    .description('Trigger a run of a DAG (dag:trigger); with --wait, follow it until it ends')
    .argument('<env/dag>', 'the DAG, e.g. local/etl_daily', parseDagTarget)
    .option('--conf <json>', 'the run\'s conf: a JSON object, @file, or @- for stdin', parseConf)
    .option('--reason <text>', 'why you run it (recorded; policy sees it as context.reason)')
    .option('--note <text>', 'added to the note on the Airflow run')
    .option('--logical-date <iso>', 'the run\'s logical date (ISO 8601)')
    .option('-w, --wait', 'follow the run until it ends (waiting first for an approval policy asks for); exit 0 on success, 8 when it failed')
    .option('--interval <seconds>', 'with --wait: seconds between checks', parsePositiveInt, 2)
    .action(async (target: { environment: string; dag: string }, opts: { conf?: Record<string, unknown>; reason?: string; note?: string; logicalDate?: string; wait?: boolean; interval: number; output?: string }) => {
      const client = await ctx.client()
      // One key per invocation: if an answer is lost, the retries replay it instead of starting a second run.
      const answer = await client.request<TriggerResult | PendingResult>('POST', `${dagPath(target)}/runs`, {
        ...(opts.conf ? { conf: opts.conf } : {}), ...(opts.reason ? { reason: opts.reason } : {}),
        ...(opts.note ? { note: opts.note } : {}), ...(opts.logicalDate ? { logicalDate: opts.logicalDate } : {}),
      }, { idempotencyKey: randomUUID(), retries: TRIGGER_RETRIES })
      const json = outputOf(opts) === 'json'
      const body = 'run' in answer ? answer : await approvedRun(client, answer.request, { json, wait: opts.wait === true, intervalMs: opts.interval * 1000, ctx })
      if (body === null) return
      if (!opts.wait) {
        ctx.out(json ? formatJson(body) : `triggered ${target.environment}/${target.dag}: run ${body.run.runId} (request ${body.request.id}${policyNote(body.request)})`)
        return
      }
      if (!json) ctx.out(`triggered ${target.environment}/${target.dag}: run ${body.run.runId} (request ${body.request.id}${policyNote(body.request)})`)
      const run = await waitForRun({ fetchRun: () => client.request<RunDetail>('GET', runPath(target, body.run.runId)), stream: ctx.stderr, intervalMs: opts.interval * 1000 })
      if (json) ctx.out(formatJson({ request: body.request, run }))
      else ctx.out(`run ${run.runId} ${run.state} after ${formatDuration(secondsBetween(run.startDate ?? run.queuedAt, run.endDate))}`)
      process.exitCode = run.state === 'success' ? EXIT.ok : EXIT.runFailed
    })

  withOutput(program.command('runs'))
    .description('Recent runs of a DAG with who started them (run:read)')
    .argument('<env/dag>', 'the DAG, e.g. local/etl_daily', parseDagTarget)
    .option('-n, --limit <n>', 'how many (at most 100)', parsePositiveInt, 25)
    .option('--offset <n>', 'skip this many', (v) => (v === '0' ? 0 : parsePositiveInt(v)), 0)
    .action(async (target: { environment: string; dag: string }, opts: { limit: number; offset: number; output?: string }) => {
      const body = await (await ctx.client()).request<RunList>('GET', withQuery(`${dagPath(target)}/runs`, { limit: opts.limit, offset: opts.offset || undefined }))
      if (outputOf(opts) === 'json') { ctx.out(formatJson(body)); return }
      for (const line of renderTable(body.runs, RUN_COLUMNS, ctx.width())) ctx.out(line)
    })

  withOutput(program.command('run'))
    .description('One run with its tasks (run:read)')
    .argument('<env/dag>', 'the DAG, e.g. local/etl_daily', parseDagTarget)
    .argument('<run-id>', 'the run id')
    .action(async (target: { environment: string; dag: string }, runId: string, opts: { output?: string }) => {
      const run = await (await ctx.client()).request<RunDetail>('GET', runPath(target, runId))
      if (outputOf(opts) === 'json') { ctx.out(formatJson(run)); return }
      const width = ctx.width()
      for (const line of renderFields([
        ['run', run.runId],
        ['dag', `${run.environment}/${run.dagId}`],
        ['state', run.state],
        ['started by', startedByText(run.startedBy) + (run.startedBy.via === 'conductor' ? ` (request ${run.startedBy.requestId})` : '')],
        ['type', run.runType ?? '-'],
        ['logical date', formatTime(run.logicalDate)],
        ['started', `${formatTime(run.startDate ?? run.queuedAt)} UTC`],
        ['ended', run.endDate ? `${formatTime(run.endDate)} UTC (${formatDuration(secondsBetween(run.startDate, run.endDate))})` : '-'],
        ['conf', JSON.stringify(run.conf)],
        ['note', run.note ?? '-'],
      ], width)) ctx.out(line)
      ctx.out('')
      for (const line of renderTable(run.tasks, TASK_COLUMNS, width)) ctx.out(line)
    })

  withOutput(program.command('logs'))
    .description('A task\'s log, every page (run:logs)')
    .argument('<env/dag>', 'the DAG, e.g. local/etl_daily', parseDagTarget)
    .argument('<run-id>', 'the run id')
    .argument('<task>', 'the task id')
    .option('--try <n>', 'the try number (default: the latest)', parsePositiveInt)
    .action(async (target: { environment: string; dag: string }, runId: string, task: string, opts: { try?: number; output?: string }) => {
      const client = await ctx.client()
      const json = outputOf(opts) === 'json'
      const log = await readLog(client, `${runPath(target, runId)}/tasks/${encodeURIComponent(task)}/logs`, opts.try, json ? undefined : (line) => ctx.out(safeLine(line)))
      if (json) ctx.out(formatJson(log))
    })

  withOutput(program.command('rerun'))
    .description('Rerun the failed tasks of a run (dag:rerun)')
    .argument('<env/dag>', 'the DAG, e.g. local/etl_daily', parseDagTarget)
    .argument('<run-id>', 'the run id')
    .option('--reason <text>', 'why (recorded; policy sees it as context.reason)')
    .action(async (target: { environment: string; dag: string }, runId: string, opts: { reason?: string; output?: string }) => {
      const body = await (await ctx.client()).request<RerunResult>('POST', `${runPath(target, runId)}/rerun`, opts.reason ? { reason: opts.reason } : {}, { idempotencyKey: randomUUID(), retries: TRIGGER_RETRIES })
      if (outputOf(opts) === 'json') { ctx.out(formatJson(body)); return }
      const tasks = body.clearedTaskIds
      ctx.out(oneLine(`cleared ${tasks.length} task${tasks.length === 1 ? '' : 's'} of run ${runId}${tasks.length ? `: ${tasks.join(', ')}` : ''} (request ${body.request.id}${policyNote(body.request)})`))
    })
}

/**
 * Reads every page of a task's log, following `continuationToken` until it is null, repeats, or a page
 * brings no lines; each line goes to `onLine` as it arrives. Returns the try number and all lines.
 */
export async function readLog(client: ApiClient, path: string, tryNumber: number | undefined, onLine?: (line: string) => void): Promise<{ tryNumber: number; lines: string[] }> {
  const lines: string[] = []
  const seen = new Set<string>()
  let token: string | undefined
  let resolvedTry = tryNumber
  for (let page = 0; page < 10_000; page++) {
    const body = await client.request<TaskLogPage>('GET', withQuery(path, { tryNumber: resolvedTry, continuationToken: token }))
    resolvedTry = body.tryNumber
    for (const line of body.lines) { lines.push(line); onLine?.(line) }
    if (!body.continuationToken || body.lines.length === 0 || seen.has(body.continuationToken)) break
    seen.add(body.continuationToken)
    token = body.continuationToken
  }
  return { tryNumber: resolvedTry ?? 1, lines }
}
