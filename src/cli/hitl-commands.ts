import { InvalidArgumentError, type Command } from 'commander'
import type { HitlAnswered, HitlInbox, HitlTaskView } from '../../contract/api-types.ts'
import { outputOf, withOutput, type CliContext } from './context.ts'
import { formatJson, formatStamp, renderTable, type Column } from './format.ts'

/** Where a human-in-the-loop task is: `ENV/DAG/RUN/TASK`, with `/MAP_INDEX` for a mapped task. */
export interface HitlTarget {
  environment: string
  dag: string
  runId: string
  taskId: string
  mapIndex: number
}

/** The `ENV/DAG/RUN/TASK[/MAP_INDEX]` that names a task in `conductor hitl answer` (the map index is left out when -1). */
export function hitlRef(task: Pick<HitlTaskView, 'environment' | 'dagId' | 'runId' | 'taskId' | 'mapIndex'>): string {
  return [task.environment, task.dagId, task.runId, task.taskId, ...(task.mapIndex === -1 ? [] : [String(task.mapIndex)])].join('/')
}

/** Parses `ENV/DAG/RUN/TASK[/MAP_INDEX]` (for commander arguments). */
export function parseHitlTarget(value: string): HitlTarget {
  const parts = value.split('/')
  const usage = 'expected ENV/DAG/RUN/TASK or ENV/DAG/RUN/TASK/MAP_INDEX, as `conductor hitl` lists them'
  if ((parts.length !== 4 && parts.length !== 5) || parts.some((p) => p === '')) throw new InvalidArgumentError(usage)
  const mapIndex = parts.length === 5 ? Number(parts[4]) : -1
  if (!Number.isInteger(mapIndex) || mapIndex < -1) throw new InvalidArgumentError(`${usage}; MAP_INDEX is a whole number`)
  const [environment, dag, runId, taskId] = parts as [string, string, string, string]
  return { environment, dag, runId, taskId, mapIndex }
}

/** Adds one `--param NAME=VALUE` to those already given; the value is read as JSON when it is JSON, else kept as text. */
export function collectParam(value: string, previous: Record<string, unknown> = {}): Record<string, unknown> {
  const eq = value.indexOf('=')
  if (eq <= 0) throw new InvalidArgumentError('expected NAME=VALUE')
  const name = value.slice(0, eq)
  const raw = value.slice(eq + 1)
  let parsed: unknown = raw
  try { parsed = JSON.parse(raw) } catch { /* plain text */ }
  return { ...previous, [name]: parsed }
}

/** The columns of `conductor hitl`: the task reference is never cut, so it can be copied into `conductor hitl answer`. */
export const HITL_COLUMNS: Column<HitlTaskView>[] = [
  { header: 'TASK', value: hitlRef, min: 30 },
  { header: 'SUBJECT', value: (t) => t.subject, min: 12 },
  { header: 'OPTIONS', value: (t) => t.options.join(' | ') + (t.multiple ? ' (several)' : ''), min: 10 },
  { header: 'WAITING SINCE UTC', value: (t) => formatStamp(t.createdAt), min: 14, drop: 0 },
]

/** `conductor hitl` (the inbox of Airflow human-in-the-loop tasks you may answer) and `conductor hitl answer`. */
export function registerHitlCommands(program: Command, ctx: CliContext): void {
  const hitl = withOutput(program.command('hitl'))
    .description('Airflow human-in-the-loop tasks waiting for an answer that you may give (hitl:respond); answer one with `conductor hitl answer`')
    .action(async (opts: { output?: string }) => {
      const body = await (await ctx.client()).request<HitlInbox>('GET', '/api/v1/hitl')
      if (outputOf(opts) === 'json') { ctx.out(formatJson(body)); return }
      for (const line of renderTable(body.tasks, HITL_COLUMNS, ctx.width())) ctx.out(line)
      for (const gap of body.unavailable) ctx.err(`environment ${gap.environment} could not be asked (${gap.code}): its tasks are missing`)
    })

  withOutput(hitl.command('answer'))
    .description('Answer a human-in-the-loop task: Airflow records it as you where the environment supports it, else as Conductor\'s service account; audited either way')
    .argument('<task>', 'ENV/DAG/RUN/TASK[/MAP_INDEX], as `conductor hitl` lists it', parseHitlTarget)
    .requiredOption('--option <option>', 'an option to choose (repeat for a task that takes several)', (v: string, all: string[] = []) => [...all, v])
    .option('--param <name=value>', 'a value for one of the task\'s params (repeat; give all of them or none); JSON values are read as JSON', collectParam)
    .action(async (target: HitlTarget, opts: { option: string[]; param?: Record<string, unknown>; output?: string }) => {
      const path = ['/api/v1/environments', target.environment, 'dags', target.dag, 'runs', target.runId, 'hitl', target.taskId, String(target.mapIndex)]
        .map((p, i) => (i === 0 ? p : encodeURIComponent(p))).join('/')
      const body = await (await ctx.client()).request<HitlAnswered>('POST', path, { chosenOptions: opts.option, ...(opts.param ? { params: opts.param } : {}) })
      if (outputOf(opts) === 'json') { ctx.out(formatJson(body)); return }
      ctx.out(`answered ${hitlRef(body.task)} with ${body.task.chosenOptions.join(', ')} (as ${body.task.respondedBy})`)
    })
}
