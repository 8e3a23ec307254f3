import { InvalidArgumentError, type Command } from 'commander'
import type { TrustRuleAnswer, TrustRuleList, TrustRuleView } from '../../contract/api-types.ts'
import { outputOf, withOutput, type CliContext } from './context.ts'
import { formatJson, formatStamp, renderTable, type Column } from './format.ts'

/** The columns of `conductor trusts list`: the id is never cut, so it can be copied into `trusts remove`. */
export const TRUST_COLUMNS: Column<TrustRuleView>[] = [
  { header: 'ID', value: (t) => t.id, min: 36 },
  { header: 'ISSUER', value: (t) => t.issuer, min: 6 },
  { header: 'CONDITIONS', value: (t) => Object.entries(t.conditions).map(([k, v]) => `${k}=${v}`).join(' '), min: 20 },
  { header: 'CREATED UTC', value: (t) => formatStamp(t.createdAt), min: 14, drop: 1 },
  { header: 'BY', value: (t) => t.createdBy, drop: 0 },
]

/** Parses `--condition claim=glob` into the conditions object (for commander's repeated option). */
export function parseCondition(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const at = value.indexOf('=')
  if (at <= 0 || at === value.length - 1) throw new InvalidArgumentError('a condition is claim=glob, e.g. repository=acme/etl')
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) }
}

/** `conductor trusts list|add|remove`: which workload identities may act as a service account (docs/workload-identity.md). */
export function registerTrustCommands(program: Command, ctx: CliContext): void {
  const trusts = program.command('trusts').description('Trust rules: the workload identities (GitHub, Kubernetes, OIDC, AWS) that may act as a service account')
  const path = (account: string) => `/api/v1/service-accounts/${encodeURIComponent(account)}/trusts`

  withOutput(trusts.command('list'))
    .description('The trust rules of a service account')
    .argument('<service-account>')
    .action(async (account: string, opts: { output?: string }) => {
      const answer = await (await ctx.client()).request<TrustRuleList>('GET', path(account))
      if (outputOf(opts) === 'json') { ctx.out(formatJson(answer)); return }
      if (answer.trusts.length === 0) { ctx.out(`no trust rules: no workload may act as ${account}`); return }
      for (const line of renderTable(answer.trusts, TRUST_COLUMNS, ctx.width())) ctx.out(line)
    })

  withOutput(trusts.command('add'))
    .description('Trust a workload identity, e.g. --issuer github --condition repository=acme/etl --condition ref=refs/heads/main')
    .argument('<service-account>')
    .requiredOption('--issuer <name>', 'a workload issuer of identity.workloadIssuers, or aws')
    .requiredOption('--condition <claim=glob>', 'a claim path and a glob (* matches any run of characters); repeat for more', parseCondition)
    .option('--description <text>', 'why this workload is trusted')
    .action(async (account: string, opts: { issuer: string; condition: Record<string, string>; description?: string; output?: string }) => {
      const answer = await (await ctx.client()).request<TrustRuleAnswer>('POST', path(account), {
        issuer: opts.issuer, conditions: opts.condition, ...(opts.description ? { description: opts.description } : {}),
      })
      ctx.out(outputOf(opts) === 'json' ? formatJson(answer) : `trusted: ${answer.trust.issuer} ${Object.entries(answer.trust.conditions).map(([k, v]) => `${k}=${v}`).join(' ')} as ${answer.trust.serviceAccount}, rule ${answer.trust.id}`)
    })

  trusts.command('remove')
    .description('Stop trusting a workload identity (tokens it already exchanged live out their minutes)')
    .argument('<service-account>')
    .argument('<id>', 'the rule id from `conductor trusts list`')
    .action(async (account: string, id: string) => {
      const answer = await (await ctx.client()).request<TrustRuleAnswer>('DELETE', `${path(account)}/${encodeURIComponent(id)}`)
      ctx.out(`removed rule ${answer.trust.id} (${answer.trust.issuer}) from ${answer.trust.serviceAccount}`)
    })
}
