import { Option, type Command } from 'commander'
import type { ShadowItem, ShadowList } from '../../contract/api-types.ts'
import { parseTimeOption } from './audit-commands.ts'
import { outputOf, parsePositiveInt, withOutput, withQuery, type CliContext } from './context.ts'
import { formatJson, formatStamp, renderTable, type Column } from './format.ts'

/** The columns of `conductor shadow`. */
export const SHADOW_COLUMNS: Column<ShadowItem>[] = [
  { header: 'FOUND (UTC)', value: (s) => formatStamp(s.detectedAt), min: 14 },
  { header: 'SEVERITY', value: (s) => s.severity, min: 8 },
  { header: 'KIND', value: (s) => s.kind, min: 16 },
  { header: 'ENV', value: (s) => s.environment, min: 6 },
  { header: 'DAG / RUN', value: (s) => [s.dagId, s.runId].filter(Boolean).join('/') || '-', min: 14 },
  { header: 'BY', value: (s) => s.actor ?? '-', min: 5, drop: 0 },
]

/** `conductor shadow`: what was done in the environments behind Conductor's back (audit:read), newest first, with counts. */
export function registerShadowCommands(program: Command, ctx: CliContext): void {
  withOutput(program.command('shadow'))
    .description('Shadow activity: runs, pauses, clears and marks done in Airflow behind Conductor\'s back, found at each catalog sync (audit:read)')
    .option('-e, --env <environment>', 'only this environment')
    .addOption(new Option('--kind <kind>', 'only this kind').choices(['run', 'pause', 'clear', 'mark', 'unowned_schedule']))
    .option('--since <time>', 'found at or after: ISO 8601, a date, or a span ago (30m, 2h, 7d)', (v) => parseTimeOption(v))
    .option('-n, --limit <n>', 'how many items (at most 1000)', parsePositiveInt, 50)
    .action(async (opts: { env?: string; kind?: string; since?: string; limit: number; output?: string }) => {
      const path = withQuery('/api/v1/shadow', { environment: opts.env, kind: opts.kind, since: opts.since, limit: opts.limit })
      const body = await (await ctx.client()).request<ShadowList>('GET', path)
      if (outputOf(opts) === 'json') { ctx.out(formatJson(body)); return }
      ctx.out(Object.entries(body.counts).map(([kind, n]) => `${kind} ${n}`).join(' · '))
      for (const line of renderTable(body.items, SHADOW_COLUMNS, ctx.width())) ctx.out(line)
    })
}
