import { InvalidArgumentError, type Command } from 'commander'
import type { LinkAnswer, LinkFiringList, LinkList, LinkView } from '../../contract/api-types.ts'
import { outputOf, parseDagTarget, parsePositiveInt, withOutput, type CliContext } from './context.ts'
import { formatJson, formatStamp, renderFields, renderTable, type Column } from './format.ts'
import { parseConf } from './run-commands.ts'
import { parseScheduleOwner } from './schedule-commands.ts'

const ownerText = (o: LinkView['owner']) => `${o.type}:${o.id}`
const dagText = (d: LinkView['source']) => d.assetUri !== undefined ? `${d.environment} asset ${d.assetUri}` : `${d.environment}/${d.dagId}`

/** An asset end of a link: ENV/URI, split at the first slash (an environment name has none; the URI may). */
export function parseAssetEnd(value: string): { environment: string; assetUri: string } {
  const slash = value.indexOf('/')
  if (slash <= 0 || slash === value.length - 1) throw new InvalidArgumentError('expected ENV/URI, e.g. prod/s3://data-eng/orders/ready')
  return { environment: value.slice(0, slash), assetUri: value.slice(slash + 1) }
}
const stateText = (l: LinkView) => l.state === 'active' ? 'active' : `suspended (${l.suspendedReason ?? '?'})`

/** The columns of `conductor links list`: the id is never cut, so it can be copied into the other commands. */
export const LINK_COLUMNS: Column<LinkView>[] = [
  { header: 'LINK', value: (l) => l.id, min: 36 },
  { header: 'SOURCE → TARGET', value: (l) => `${dagText(l.source)} → ${dagText(l.target)}`, min: 20 },
  { header: 'OWNER', value: (l) => ownerText(l.owner), min: 10 },
  { header: 'STATE', value: stateText, min: 6 },
  { header: 'LAST FIRING', value: (l) => l.lastFirings[0] ? `${l.lastFirings[0].outcome} ${formatStamp(l.lastFirings[0].at)}` : '-', min: 14, drop: 0 },
]

const sourceEventText = (f: LinkView['lastFirings'][number]) => f.sourceAssetEventId !== null ? `source asset event ${f.sourceAssetEventId}` : `source run ${f.sourceRunId}`

/** What `conductor links show` prints. */
export function linkFields(l: LinkView): [string, string][] {
  return [
    ['link', l.id], ['source', dagText(l.source)], ['target', dagText(l.target)], ['owner', ownerText(l.owner)], ['state', stateText(l)],
    ['cursor', l.cursor ?? '-'], ['conf template', JSON.stringify(l.confTemplate)], ['description', l.description ?? '-'], ['created', `${l.createdAt} by ${l.createdBy}`],
    ...l.lastFirings.map((f): [string, string] => ['firing', `${f.at} ${f.outcome} ${sourceEventText(f)}${f.requestId ? ` request ${f.requestId}` : ''}`]),
  ]
}

/** `conductor links list|create|show|suspend|resume|delete|firings`. */
export function registerLinkCommands(program: Command, ctx: CliContext): void {
  const links = program.command('links').description('Cross-deployment links: when a DAG succeeds (or an asset is updated) in one environment, trigger a DAG (or post an asset event) in another as the owner (docs/links.md)')
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
    .description('Create a link: when SOURCE (env/dag, or --source-asset) succeeds or is updated, trigger TARGET (env/dag) or post an event for --target-asset, as its owner (you, unless --owner)')
    .argument('[source]', 'the source DAG, e.g. staging/extract_orders (leave out with --source-asset)', parseDagTarget)
    .argument('[target]', 'the target DAG, e.g. prod/etl_daily (leave out with --target-asset)', parseDagTarget)
    .option('--source-asset <env/uri>', 'fire on the events of this asset (Airflow 3) instead of a source DAG\'s runs, e.g. staging/s3://data-eng/orders/ready', parseAssetEnd)
    .option('--target-asset <env/uri>', 'post an event for this asset (Airflow 3) instead of triggering a target DAG, e.g. prod/s3://data-eng/reports/daily', parseAssetEnd)
    .option('--conf <json>', 'the conf template (the event\'s extra for --target-asset): a JSON object, @file, or @- for stdin; string values may hold {{source.environment}} and {{source.run_id}}, {{source.dag_id}}, {{source.logical_date}}, {{source.end_date}} (DAG source) or {{source.asset_uri}}, {{source.event_id}}, {{source.timestamp}} (asset source)', parseConf)
    .option('-d, --description <text>', 'what it is for')
    .option('--owner <owner>', 'who it acts as: user:NAME, service-account:NAME or agent:NAME (policy decides)', parseScheduleOwner)
    .action(async (first: { environment: string; dag: string } | undefined, second: { environment: string; dag: string } | undefined, opts: {
      sourceAsset?: { environment: string; assetUri: string }; targetAsset?: { environment: string; assetUri: string }
      conf?: Record<string, unknown>; description?: string; owner?: { type: 'User' | 'ServiceAccount' | 'Agent'; id: string }; output?: string
    }, command: Command) => {
      // The DAG ends come in order, leaving out the ends given as assets.
      const dags = [first, second].filter((d) => d !== undefined).map((d) => ({ environment: d.environment, dagId: d.dag }))
      const source = opts.sourceAsset ?? dags.shift()
      const target = opts.targetAsset ?? dags.shift()
      if (!source || !target || dags.length > 0) command.error('conductor links create: give a source (ENV/DAG or --source-asset ENV/URI) and a target (ENV/DAG or --target-asset ENV/URI)')
      const body = await (await ctx.client()).request<LinkAnswer>('POST', '/api/v1/links', {
        source, target,
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

  for (const [verb, what] of [['suspend', 'Stop it firing'], ['resume', 'Let it fire again for source runs ending (asset events happening) from now (its owner must still be allowed)']] as const) {
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
        { header: 'SOURCE EVENT', value: (f) => f.sourceAssetEventId !== null ? `asset event ${f.sourceAssetEventId}` : f.sourceRunId ?? '-', min: 20 },
        { header: 'REQUEST', value: (f) => f.requestId ?? '-', min: 36, drop: 0 },
      ], ctx.width())) ctx.out(line)
    })
}
