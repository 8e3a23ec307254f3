import { InvalidArgumentError, type Command } from 'commander'
import type { Campaign, CampaignAnswer, CampaignList, ReviewDecisionAnswer, ReviewFindingList, ReviewItem, ReviewItemList } from '../../contract/api-types.ts'
import { outputOf, withOutput, type CliContext } from './context.ts'
import { formatJson, formatStamp, renderFields, renderTable, type Column } from './format.ts'

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 }

/** A due date: an ISO 8601 date and time, or a time from now such as `14d`, `72h`, `90m`. */
export function parseDue(value: string, now = Date.now()): string {
  const relative = /^([1-9][0-9]{0,5})(m|h|d)$/.exec(value)
  if (relative) return new Date(now + Number(relative[1]) * UNIT_MS[relative[2]!]!).toISOString()
  const at = Date.parse(value)
  if (Number.isNaN(at)) throw new InvalidArgumentError('expected an ISO 8601 date and time (2026-12-31T17:00:00Z) or a time from now (14d, 72h)')
  return new Date(at).toISOString()
}

const collect = (value: string, previous: string[] = []) => [...previous, value]
const who = (p: { type: string; id: string }) => `${p.type}:${p.id}`
const counts = (c: Campaign) => `${c.counts.pending} pending, ${c.counts.certified} certified, ${c.counts.revoked} revoked of ${c.counts.items}`
const scopeText = (c: Campaign) => Object.entries(c.scope).map(([axis, values]) => `${axis} ${(values as string[]).join(',')}`).join('; ') || 'everything'
const targetText = (i: { environment: string | null; dagIds: string[] | null }) => i.environment === null ? 'conductor' : i.dagIds === null ? i.environment : `${i.environment}: ${i.dagIds.join(', ')}`
const decisionText = (i: ReviewItem) => i.decision === null ? 'pending' : i.decision.decision === 'certify' ? 'certified' : 'revoked'

/** The columns of `conductor reviews list`. */
export const CAMPAIGN_COLUMNS: Column<Campaign>[] = [
  { header: 'CAMPAIGN', value: (c) => c.id, min: 36 },
  { header: 'NAME', value: (c) => c.name, min: 10 },
  { header: 'STATE', value: (c) => c.state, min: 9 },
  { header: 'DUE UTC', value: (c) => formatStamp(c.dueAt), min: 14 },
  { header: 'ITEMS', value: counts, min: 12, drop: 0 },
]

/** The columns of `conductor reviews items`. */
export const ITEM_COLUMNS: Column<ReviewItem>[] = [
  { header: 'ITEM', value: (i) => i.id, min: 42 },
  { header: 'PRINCIPAL', value: (i) => who(i.principal), min: 10 },
  { header: 'ACTION', value: (i) => i.action, min: 10 },
  { header: 'ON', value: targetText, min: 10 },
  { header: 'WHY', value: (i) => [...i.why.policies, ...i.why.groups.map((g) => `group ${g}`), ...i.why.grants.map((g) => `grant ${g.group}`)].join(', '), min: 10, drop: 1 },
  { header: 'DECISION', value: decisionText, min: 9 },
  { header: 'BY', value: (i) => i.decision?.by.id ?? '-', min: 4, drop: 2 },
]

/** `conductor reviews start|list|show|items|certify|revoke|complete|cancel|findings`. */
export function registerReviewCommands(program: Command, ctx: CliContext): void {
  const reviews = program.command('reviews').description('Access review campaigns: who can do what and why, certified or revoked by the reviewers policy names (docs/reviews.md)')
  const path = (id: string) => `/api/v1/reviews/campaigns/${encodeURIComponent(id)}`
  const printCampaign = (body: CampaignAnswer, opts: { output?: string }, line: string) => ctx.out(outputOf(opts) === 'json' ? formatJson(body) : line)

  withOutput(reviews.command('start'))
    .description('Start a campaign: its items are computed now from the policy and the directory, and frozen (review:manage)')
    .requiredOption('--name <name>', 'the campaign\'s name')
    .requiredOption('--due <when>', 'the due date: ISO 8601, or a time from now (14d, 72h)', (v: string) => parseDue(v))
    .option('--description <text>', 'what it is for')
    .option('--env <name>', 'only this environment (repeatable)', collect)
    .option('--zone <zone>', 'only environments of this zone (repeatable)', collect)
    .option('--tag <tag>', 'only DAGs with this tag (repeatable); DAG access only', collect)
    .action(async (opts: { name: string; due: string; description?: string; env?: string[]; zone?: string[]; tag?: string[]; output?: string }) => {
      const scope = { ...(opts.env ? { environments: opts.env } : {}), ...(opts.zone ? { zones: opts.zone } : {}), ...(opts.tag ? { tags: opts.tag } : {}) }
      const body = await (await ctx.client()).request<CampaignAnswer>('POST', '/api/v1/reviews/campaigns', {
        name: opts.name, dueAt: opts.due, scope, ...(opts.description !== undefined ? { description: opts.description } : {}),
      })
      printCampaign(body, opts, `started campaign ${body.campaign.id} "${body.campaign.name}": ${body.campaign.counts.items} items, due ${body.campaign.dueAt}`)
    })

  withOutput(reviews.command('list'))
    .description('The campaigns you may see')
    .option('--state <state>', 'open, completed or cancelled')
    .action(async (opts: { state?: string; output?: string }) => {
      const body = await (await ctx.client()).request<CampaignList>('GET', `/api/v1/reviews/campaigns${opts.state ? `?state=${encodeURIComponent(opts.state)}` : ''}`)
      if (outputOf(opts) === 'json') { ctx.out(formatJson(body)); return }
      if (body.campaigns.length === 0) { ctx.out('no campaigns'); return }
      for (const line of renderTable(body.campaigns, CAMPAIGN_COLUMNS, ctx.width())) ctx.out(line)
    })

  withOutput(reviews.command('show'))
    .description('One campaign')
    .argument('<id>')
    .action(async (id: string, opts: { output?: string }) => {
      const body = await (await ctx.client()).request<CampaignAnswer>('GET', path(id))
      if (outputOf(opts) === 'json') { ctx.out(formatJson(body)); return }
      const c = body.campaign
      for (const line of renderFields([
        ['campaign', c.id], ['name', c.name], ['description', c.description ?? '-'], ['scope', scopeText(c)], ['state', c.state], ['due', c.dueAt],
        ['items', counts(c)], ['policy version', String(c.policyVersion)], ['created', `${c.createdAt} by ${who(c.createdBy)}`], ['completed', c.completedAt ?? '-'],
      ], ctx.width())) ctx.out(line)
    })

  withOutput(reviews.command('items'))
    .description('A campaign\'s items (only those you review, without review:read)')
    .argument('<id>')
    .option('--pending', 'only the undecided ones')
    .option('--mine', 'only the ones you review')
    .action(async (id: string, opts: { pending?: boolean; mine?: boolean; output?: string }) => {
      const query = new URLSearchParams({ ...(opts.pending ? { decision: 'pending' } : {}), ...(opts.mine ? { mine: 'true' } : {}) }).toString()
      const body = await (await ctx.client()).request<ReviewItemList>('GET', `${path(id)}/items${query ? `?${query}` : ''}`)
      if (outputOf(opts) === 'json') { ctx.out(formatJson(body)); return }
      if (body.items.length === 0) { ctx.out('no items'); return }
      for (const line of renderTable(body.items, ITEM_COLUMNS, ctx.width())) ctx.out(line)
    })

  for (const [verb, decision, what] of [['certify', 'certify', 'Certify items: the access stays'], ['revoke', 'revoke', 'Revoke items: the access is suspended at once, and a finding says what to fix at the source (--comment required)']] as const) {
    const command = withOutput(reviews.command(verb))
      .description(`${what}; all or nothing`)
      .argument('<id>', 'the campaign')
      .argument('<items...>', 'the items')
    if (decision === 'revoke') command.requiredOption('--comment <text>', 'why')
    else command.option('--comment <text>', 'why')
    command.action(async (id: string, items: string[], opts: { comment?: string; output?: string }) => {
      const body = await (await ctx.client()).request<ReviewDecisionAnswer>('POST', `${path(id)}/decisions`, {
        decisions: items.map((itemId) => ({ itemId, decision, ...(opts.comment !== undefined ? { comment: opts.comment } : {}) })),
      })
      if (outputOf(opts) === 'json') { ctx.out(formatJson(body)); return }
      ctx.out(`${decision === 'certify' ? 'certified' : 'revoked'} ${body.items.length} item${body.items.length === 1 ? '' : 's'}; campaign ${body.campaign.state}: ${counts(body.campaign)}`)
    })
  }

  for (const [verb, what] of [['complete', 'Complete the campaign now; undecided items stay not reviewed (review:manage)'], ['cancel', 'Cancel the campaign (review:manage)']] as const) {
    withOutput(reviews.command(verb))
      .description(what)
      .argument('<id>')
      .action(async (id: string, opts: { output?: string }) => {
        const body = await (await ctx.client()).request<CampaignAnswer>('POST', `${path(id)}/${verb}`)
        printCampaign(body, opts, `campaign ${body.campaign.id} ${body.campaign.state}: ${counts(body.campaign)}`)
      })
  }

  withOutput(reviews.command('findings'))
    .description('Revoked access to fix at the source (the IdP group, the policy, the grant); open ones are suspended')
    .option('--open', 'only the open ones')
    .action(async (opts: { open?: boolean; output?: string }) => {
      const body = await (await ctx.client()).request<ReviewFindingList>('GET', `/api/v1/reviews/findings${opts.open ? '?state=open' : ''}`)
      if (outputOf(opts) === 'json') { ctx.out(formatJson(body)); return }
      if (body.findings.length === 0) { ctx.out('no findings'); return }
      for (const line of renderTable(body.findings, [
        { header: 'FINDING', value: (f) => f.id, min: 36 },
        { header: 'PRINCIPAL', value: (f) => who(f.principal), min: 10 },
        { header: 'ACTION', value: (f) => f.action, min: 10 },
        { header: 'ON', value: targetText, min: 10 },
        { header: 'FIX AT', value: (f) => [...f.source.groups.map((g) => `group ${g}`), ...f.source.policies.map((p) => `policy ${p}`), ...f.source.grants.map((g) => `grant ${g.id}`)].join(', '), min: 10, drop: 1 },
        { header: 'STATE', value: (f) => f.state, min: 8 },
      ], ctx.width())) ctx.out(line)
    })
}
