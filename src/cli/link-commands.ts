import type { Command } from 'commander'
import type { LinkAnswer, LinkFiringList, LinkList, LinkView } from '../../contract/api-types.ts'
import { outputOf, parseDagTarget, parsePositiveInt, withOutput, type CliContext } from './context.ts'
import { formatJson, formatStamp, renderFields, renderTable, type Column } from './format.ts'
import { parseConf } from './run-commands.ts'
import { parseScheduleOwner } from './schedule-commands.ts'

const ownerText = (o: LinkView['owner']) => `${o.type}:${o.id}`
const dagText = (d: LinkView['source']) => `${d.environment}/${d.dagId}`
const stateText = (l: LinkView) => l.state === 'active' ? 'active' : `suspended (${l.suspendedReason ?? '?'})`

/** The columns of `conductor links list`: the id is never cut, so it can be copied into the other commands. */
export const LINK_COLUMNS: Column<LinkView>[] = [
  { header: 'LINK', value: (l) => l.id, min: 36 },
  { header: 'SOURCE → TARGET', value: (l) => `${dagText(l.source)} → ${dagText(l.target)}`, min: 20 },
  { header: 'OWNER', value: (l) => ownerText(l.owner), min: 10 },
  { header: 'STATE', value: stateText, min: 6 },
  { header: 'LAST FIRING', value: (l) => l.lastFirings[0] ? `${l.lastFirings[0].outcome} ${formatStamp(l.lastFirings[0].at)}` : '-', min: 14, drop: 0 },
]

/** What `conductor links show` prints. */
export function linkFields(l: LinkView): [string, string][] {
  return [
    ['link', l.id], ['source', dagText(l.source)], ['target', dagText(l.target)], ['owner', ownerText(l.owner)], ['state', stateText(l)],
    ['cursor', l.cursor ?? '-'], ['conf template', JSON.stringify(l.confTemplate)], ['description', l.description ?? '-'], ['created', `${l.createdAt} by ${l.createdBy}`],
    ...l.lastFirings.map((f): [string, string] => ['firing', `${f.at} ${f.outcome} source run ${f.sourceRunId}${f.requestId ? ` request ${f.requestId}` : ''}`]),
  ]
}

/** `conductor links list|create|show|suspend|resume|delete|firings`. */
export function registerLinkCommands(program: Command, ctx: CliContext): void {
  const links = program.command('links').description('Cross-deployment links: when a DAG succeeds in one environment, trigger a DAG in another as the owner (docs/links.md)')
  const path = (id: string) => `/api/v1/links/${encodeURIComponent(id)}`
  const print = (body: LinkAnswer, opts: { output?: string }, line: string) => ctx.out(outputOf(opts) === 'json' ? formatJson(body) : line)

  withOutput(links.command('list'))
    .description('The links you may see, with owner, state and last firing')
    .action(async (opts: { output?: string }) => {
      const body = await (await ctx.client()).request<LinkList>('GET', '/api/v1/links')
      if (outputOf(opts) === 'json') { ctx.out(formatJson(body)); return }
      if (body.links.length === 0) { ctx.out('no links'); return }
      for (const line of renderTable(body.links, LINK_COLUMNS, ctx.width())) ctx.out(line)
    })

  withOutput(links.command('create'))
    .description('Create a link: when SOURCE (env/dag) succeeds, trigger TARGET (env/dag) as its owner (you, unless --owner)')
    .argument('<source>', 'the source DAG, e.g. staging/extract_orders', parseDagTarget)
    .argument('<target>', 'the target DAG, e.g. prod/etl_daily', parseDagTarget)
    .option('--conf <json>', 'the conf template: a JSON object, @file, or @- for stdin; string values may hold {{source.run_id}}, {{source.dag_id}}, {{source.environment}}, {{source.logical_date}}, {{source.end_date}}', parseConf)
    .option('-d, --description <text>', 'what it is for')
    .option('--owner <owner>', 'who it triggers as: user:NAME, service-account:NAME or agent:NAME (policy decides)', parseScheduleOwner)
    .action(async (source: { environment: string; dag: string }, target: { environment: string; dag: string }, opts: { conf?: Record<string, unknown>; description?: string; owner?: { type: 'User' | 'ServiceAccount' | 'Agent'; id: string }; output?: string }) => {
      const body = await (await ctx.client()).request<LinkAnswer>('POST', '/api/v1/links', {
        source: { environment: source.environment, dagId: source.dag }, target: { environment: target.environment, dagId: target.dag },
        ...(opts.conf !== undefined ? { confTemplate: opts.conf } : {}), ...(opts.description !== undefined ? { description: opts.description } : {}), ...(opts.owner ? { owner: opts.owner } : {}),
      })
      const l = body.link
      print(body, opts, `created link ${l.id}: ${dagText(l.source)} → ${dagText(l.target)} as ${ownerText(l.owner)}`)
    })

  withOutput(links.command('show'))
    .description('One link, with its last firings')
    .argument('<id>')
    .action(async (id: string, opts: { output?: string }) => {
      const body = await (await ctx.client()).request<LinkAnswer>('GET', path(id))
      if (outputOf(opts) === 'json') { ctx.out(formatJson(body)); return }
      for (const line of renderFields(linkFields(body.link), ctx.width())) ctx.out(line)
    })

  for (const [verb, what] of [['suspend', 'Stop it firing'], ['resume', 'Let it fire again for source runs ending from now (its owner must still be allowed)']] as const) {
    withOutput(links.command(verb))
      .description(what)
      .argument('<id>')
      .action(async (id: string, opts: { output?: string }) => {
        const body = await (await ctx.client()).request<LinkAnswer>('POST', `${path(id)}/${verb}`)
        print(body, opts, `link ${body.link.id} ${stateText(body.link)}`)
      })
  }

  links.command('delete')
    .description('Delete a link and its firings')
    .argument('<id>')
    .action(async (id: string) => {
      await (await ctx.client()).request('DELETE', path(id))
      ctx.out(`deleted link ${id}`)
    })

  withOutput(links.command('firings'))
    .description('A link\'s firings, newest first')
    .argument('<id>')
    .option('--limit <n>', 'at most this many (default 50)', parsePositiveInt)
    .action(async (id: string, opts: { limit?: number; output?: string }) => {
      const body = await (await ctx.client()).request<LinkFiringList>('GET', `${path(id)}/firings${opts.limit ? `?limit=${opts.limit}` : ''}`)
      if (outputOf(opts) === 'json') { ctx.out(formatJson(body)); return }
      if (body.firings.length === 0) { ctx.out('no firings'); return }
      for (const line of renderTable(body.firings, [
        { header: 'AT UTC', value: (f) => formatStamp(f.at), min: 14 },
        { header: 'OUTCOME', value: (f) => f.outcome, min: 7 },
        { header: 'SOURCE RUN', value: (f) => f.sourceRunId, min: 20 },
        { header: 'REQUEST', value: (f) => f.requestId ?? '-', min: 36, drop: 0 },
      ], ctx.width())) ctx.out(line)
    })
}
