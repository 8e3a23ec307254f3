import { InvalidArgumentError, type Command } from 'commander'
import type { ScheduleAnswer, ScheduleFindings, ScheduleList, ScheduleView } from '../../contract/api-types.ts'
import { outputOf, parseDagTarget, parsePositiveInt, withOutput, withQuery, type CliContext } from './context.ts'
import { formatJson, formatStamp, renderFields, renderTable, type Column } from './format.ts'
import { parseConf } from './run-commands.ts'

type OwnerType = 'User' | 'ServiceAccount' | 'Agent'
const OWNER_TYPES: Record<string, OwnerType> = { user: 'User', 'service-account': 'ServiceAccount', agent: 'Agent' }

/** An owner as the CLI takes it: `user:NAME`, `service-account:NAME` or `agent:NAME`. */
export function parseScheduleOwner(value: string): { type: OwnerType; id: string } {
  const colon = value.indexOf(':')
  const type = colon > 0 ? OWNER_TYPES[value.slice(0, colon)] : undefined
  if (!type || colon === value.length - 1) throw new InvalidArgumentError('expected user:NAME, service-account:NAME or agent:NAME')
  return { type, id: value.slice(colon + 1) }
}

/** How a schedule's timing reads: `cron 0 2 * * * (Europe/Paris)` or `every 300s`. */
export function timingText(s: Pick<ScheduleView, 'cron' | 'timezone' | 'intervalSeconds'>): string {
  return s.cron !== null ? `${s.cron} (${s.timezone ?? 'UTC'})` : `every ${s.intervalSeconds}s`
}

const ownerText = (o: ScheduleView['owner']) => `${o.type}:${o.id}`

/** The columns of `conductor schedules list`: the id is never cut, so it can be copied into the other commands. */
export const SCHEDULE_COLUMNS: Column<ScheduleView>[] = [
  { header: 'SCHEDULE', value: (s) => s.id, min: 36 },
  { header: 'DAG', value: (s) => `${s.environment}/${s.dagId}`, min: 16 },
  { header: 'OWNER', value: (s) => ownerText(s.owner), min: 10 },
  { header: 'WHEN', value: timingText, min: 12 },
  { header: 'STATE', value: (s) => s.state === 'active' ? 'active' : `suspended (${s.suspendedReason ?? '?'})`, min: 6 },
  { header: 'NEXT UTC', value: (s) => formatStamp(s.nextFireAt), min: 14, drop: 1 },
  { header: 'LAST UTC', value: (s) => formatStamp(s.lastFiredAt), min: 14, drop: 0 },
]

/** What `conductor schedules show` prints. */
export function scheduleFields(s: ScheduleView): [string, string][] {
  return [
    ['schedule', s.id], ['dag', `${s.environment}/${s.dagId}`], ['owner', ownerText(s.owner)], ['when', timingText(s)],
    ['state', s.state + (s.suspendedReason ? ` (${s.suspendedReason})` : '')], ['next', s.nextFireAt ?? '-'], ['last fired', s.lastFiredAt ?? '-'],
    ['last request', s.lastRequestId ?? '-'], ['conf', JSON.stringify(s.conf)], ['description', s.description ?? '-'], ['created', `${s.createdAt} by ${s.createdBy}`],
  ]
}

/** `conductor schedules list|create|show|suspend|resume|transfer|delete|findings`. */
export function registerScheduleCommands(program: Command, ctx: CliContext): void {
  const schedules = program.command('schedules').description('Owned schedules: Conductor-held schedules that trigger a DAG as their owner (docs/schedules.md)')
  const path = (id: string) => `/api/v1/schedules/${encodeURIComponent(id)}`
  const print = (body: ScheduleAnswer, opts: { output?: string }, line: string) => ctx.out(outputOf(opts) === 'json' ? formatJson(body) : line)

  withOutput(schedules.command('list'))
    .description('The schedules you may see, with owner, next and last firing')
    .option('--dag <env/dag>', 'only this DAG\'s', parseDagTarget)
    .action(async (opts: { dag?: { environment: string; dag: string }; output?: string }) => {
      const body = await (await ctx.client()).request<ScheduleList>('GET', withQuery('/api/v1/schedules', { environment: opts.dag?.environment, dagId: opts.dag?.dag }))
      if (outputOf(opts) === 'json') { ctx.out(formatJson(body)); return }
      if (body.schedules.length === 0) { ctx.out('no schedules'); return }
      for (const line of renderTable(body.schedules, SCHEDULE_COLUMNS, ctx.width())) ctx.out(line)
    })

  withOutput(schedules.command('create'))
    .description('Create a schedule of ENV/DAG that triggers as its owner (you, unless --owner): --cron (with --timezone) or --every')
    .argument('<env/dag>', 'the DAG, e.g. prod/etl_daily', parseDagTarget)
    .option('--cron <expr>', 'five cron fields, or @hourly, @daily, @weekly, @monthly, @yearly')
    .option('--timezone <tz>', 'the IANA time zone of --cron (default UTC)')
    .option('--every <seconds>', 'instead of --cron: every this many seconds from now (at least 60)', parsePositiveInt)
    .option('--conf <json>', 'the run conf of each firing: a JSON object, @file, or @- for stdin', parseConf)
    .option('-d, --description <text>', 'what it is for')
    .option('--owner <owner>', 'who it triggers as: user:NAME, service-account:NAME or agent:NAME (policy decides)', parseScheduleOwner)
    .action(async (target: { environment: string; dag: string }, opts: { cron?: string; timezone?: string; every?: number; conf?: Record<string, unknown>; description?: string; owner?: { type: OwnerType; id: string }; output?: string }) => {
      const conf = opts.conf
      const body = await (await ctx.client()).request<ScheduleAnswer>('POST', '/api/v1/schedules', {
        environment: target.environment, dagId: target.dag, ...(opts.cron !== undefined ? { cron: opts.cron } : {}), ...(opts.timezone !== undefined ? { timezone: opts.timezone } : {}),
        ...(opts.every !== undefined ? { intervalSeconds: opts.every } : {}), ...(conf !== undefined ? { conf } : {}),
        ...(opts.description !== undefined ? { description: opts.description } : {}), ...(opts.owner ? { owner: opts.owner } : {}),
      })
      const s = body.schedule
      print(body, opts, `created schedule ${s.id}: ${s.environment}/${s.dagId} ${timingText(s)} as ${ownerText(s.owner)}; next ${s.nextFireAt}`)
    })

  withOutput(schedules.command('show'))
    .description('One schedule')
    .argument('<id>')
    .action(async (id: string, opts: { output?: string }) => {
      const body = await (await ctx.client()).request<ScheduleAnswer>('GET', path(id))
      if (outputOf(opts) === 'json') { ctx.out(formatJson(body)); return }
      for (const line of renderFields(scheduleFields(body.schedule), ctx.width())) ctx.out(line)
    })

  for (const [verb, what] of [['suspend', 'Stop it firing'], ['resume', 'Let it fire again from now (its owner must still be allowed to trigger)']] as const) {
    withOutput(schedules.command(verb))
      .description(what)
      .argument('<id>')
      .action(async (id: string, opts: { output?: string }) => {
        const body = await (await ctx.client()).request<ScheduleAnswer>('POST', `${path(id)}/${verb}`)
        const s = body.schedule
        print(body, opts, `schedule ${s.id} ${s.state}${s.nextFireAt ? `; next ${s.nextFireAt}` : ''}`)
      })
  }

  withOutput(schedules.command('transfer'))
    .description('Give a schedule to another owner (schedule:transfer; the new owner must be allowed to trigger the DAG)')
    .argument('<id>')
    .requiredOption('--to <owner>', 'user:NAME, service-account:NAME or agent:NAME', parseScheduleOwner)
    .action(async (id: string, opts: { to: { type: OwnerType; id: string }; output?: string }) => {
      const body = await (await ctx.client()).request<ScheduleAnswer>('POST', `${path(id)}/transfer`, { to: opts.to })
      print(body, opts, `schedule ${body.schedule.id} now triggers as ${ownerText(body.schedule.owner)}`)
    })

  schedules.command('delete')
    .description('Delete a schedule')
    .argument('<id>')
    .action(async (id: string) => {
      await (await ctx.client()).request('DELETE', path(id))
      ctx.out(`deleted schedule ${id}`)
    })

  withOutput(schedules.command('findings'))
    .description('DAGs Airflow schedules by itself that no Conductor schedule owns')
    .action(async (opts: { output?: string }) => {
      const body = await (await ctx.client()).request<ScheduleFindings>('GET', '/api/v1/schedules/findings')
      if (outputOf(opts) === 'json') { ctx.out(formatJson(body)); return }
      if (body.findings.length === 0) { ctx.out(`no findings: every one of ${body.scheduled.length} scheduled DAGs has an owner`); return }
      for (const line of renderTable(body.findings, [
        { header: 'DAG', value: (f) => `${f.environment}/${f.dagId}`, min: 16 },
        { header: 'AIRFLOW SCHEDULE', value: (f) => f.schedule, min: 10 },
        { header: 'AIRFLOW OWNERS', value: (f) => f.owners.join(', ') || '-', min: 10 },
      ], ctx.width())) ctx.out(line)
    })
}
