import type { Command } from 'commander'
import type { DagList, DagView, EnvironmentList, EnvironmentView, PauseResult, RequestView } from '../../contract/api-types.ts'
import { dagPath, outputOf, parseDagTarget, withOutput, withQuery, type CliContext } from './context.ts'
import { formatJson, formatTime, renderTable, type Column } from './format.ts'

/** The columns of `conductor envs`. */
export const ENVIRONMENT_COLUMNS: Column<EnvironmentView>[] = [
  { header: 'NAME', value: (e) => e.name, min: 8 },
  { header: 'KIND', value: (e) => e.kind, drop: 1 },
  { header: 'ZONE', value: (e) => e.zone },
  { header: 'TIER', value: (e) => e.tier, drop: 2 },
  { header: 'STATUS', value: (e) => (e.status === null ? 'unknown' : e.status.reachable ? 'up' : 'down'), min: 7 },
  { header: 'VERSION', value: (e) => e.status?.version ?? '-', drop: 3 },
  { header: 'DAGS', value: (e) => (e.status ? String(e.status.dagCount) : '-'), align: 'right' },
  { header: 'LAST SYNC (UTC)', value: (e) => formatTime(e.status?.lastSyncAt), min: 16, drop: 4 },
  { header: 'ERROR', value: (e) => e.status?.lastError ?? '', min: 20, drop: 0 },
]

/** What the caller may do with a DAG, in a few letters: `trigger,rerun,pause`, or `-`. */
export function mayDo(permissions: DagView['permissions']): string {
  if (!permissions) return '?'
  const allowed = (['dag:trigger', 'dag:rerun', 'dag:pause'] as const).filter((a) => permissions[a]?.allowed).map((a) => a.slice(4))
  return allowed.length ? allowed.join(',') : '-'
}

/** The columns of `conductor dags`. */
export const DAG_COLUMNS: Column<DagView>[] = [
  { header: 'ENV', value: (d) => d.environment, min: 8 },
  { header: 'DAG', value: (d) => d.dagId, min: 24 },
  { header: 'PAUSED', value: (d) => (d.paused ? 'yes' : 'no'), min: 6 },
  { header: 'SCHEDULE', value: (d) => d.schedule ?? '-', min: 8, drop: 1 },
  { header: 'TAGS', value: (d) => d.tags.join(','), min: 8, drop: 2 },
  { header: 'YOU MAY', value: (d) => mayDo(d.permissions), min: 19 },
  { header: 'DESCRIPTION', value: (d) => d.description ?? '', min: 20, drop: 0 },
]

/** `conductor envs`, `dags`, `pause`, `unpause`. */
export function registerCatalogCommands(program: Command, ctx: CliContext): void {
  withOutput(program.command('envs'))
    .description('Environments you may read, with their health and last catalog sync')
    .action(async (opts: { output?: string }) => {
      const body = await (await ctx.client()).request<EnvironmentList>('GET', '/api/v1/environments')
      if (outputOf(opts) === 'json') { ctx.out(formatJson(body)); return }
      for (const line of renderTable(body.environments, ENVIRONMENT_COLUMNS, ctx.width())) ctx.out(line)
    })

  withOutput(program.command('dags'))
    .description('DAGs you may read, with what you may do with each')
    .option('-e, --env <environment>', 'only this environment')
    .option('--tag <tag>', 'only DAGs with this tag')
    .action(async (opts: { env?: string; tag?: string; output?: string }) => {
      const body = await (await ctx.client()).request<DagList>('GET', withQuery('/api/v1/dags', { environment: opts.env, tag: opts.tag }))
      if (outputOf(opts) === 'json') { ctx.out(formatJson(body)); return }
      for (const line of renderTable(body.dags, DAG_COLUMNS, ctx.width())) ctx.out(line)
    })

  for (const [name, paused] of [['pause', true], ['unpause', false]] as const) {
    withOutput(program.command(name))
      .description(paused ? 'Pause a DAG (dag:pause): Airflow schedules no new runs' : 'Unpause a DAG (dag:pause)')
      .argument('<env/dag>', 'the DAG, e.g. local/etl_daily', parseDagTarget)
      .action(async (target: { environment: string; dag: string }, opts: { output?: string }) => {
        const body = await (await ctx.client()).request<PauseResult>('PATCH', dagPath(target), { paused })
        if (outputOf(opts) === 'json') { ctx.out(formatJson(body)); return }
        ctx.out(`${body.dag.paused ? 'paused' : 'unpaused'} ${target.environment}/${target.dag} (request ${body.request.id}${policyNote(body.request)})`)
      })
  }
}

/** `, allowed by policy a, b` for a request's decision, or nothing. */
export function policyNote(request: Pick<RequestView, 'decision'>): string {
  const ids = request.decision.policyIds
  return ids.length ? `, allowed by policy ${ids.join(', ')}` : ''
}
