import { InvalidArgumentError, type Command } from 'commander'
import type { AccessToken, AccessTokenAnswer, AccessTokenCreated, AccessTokenList, ServiceAccount, ServiceAccountAnswer, ServiceAccountList } from '../../contract/api-types.ts'
import { outputOf, withOutput, type CliContext } from './context.ts'
import { formatJson, formatStamp, renderTable, type Column } from './format.ts'

/** A budget as the CLI takes it: `ACTION=MAX/HOURSh`, e.g. `dag:trigger=20/1h`. */
export function parseBudget(value: string): { action: string; max: number; perHours: number } {
  const match = /^([a-z_]+:[a-z_]+)=(\d+)\/(\d+)h$/.exec(value.trim())
  if (!match) throw new InvalidArgumentError('expected ACTION=MAX/HOURSh, e.g. dag:trigger=20/1h')
  return { action: match[1]!, max: Number(match[2]), perHours: Number(match[3]) }
}

/** An owner as the CLI takes it: `group:NAME` or `user:NAME`. */
export function parseOwner(value: string): { type: 'User' | 'Group'; id: string } {
  const match = /^(group|user):(.+)$/i.exec(value.trim())
  if (!match) throw new InvalidArgumentError('expected group:NAME or user:NAME, e.g. group:data-eng')
  return { type: match[1]!.toLowerCase() === 'group' ? 'Group' : 'User', id: match[2]! }
}

/** A token lifetime as the CLI takes it: `30d` or `30` (days). */
export function parseDays(value: string): number {
  const match = /^(\d+)d?$/.exec(value.trim())
  if (!match || Number(match[1]) < 1) throw new InvalidArgumentError('expected a number of days, e.g. 30d')
  return Number(match[1])
}

const collect = (value: string, previous: string[] = []) => [...previous, value]
const collectBudget = (value: string, previous: ReturnType<typeof parseBudget>[] = []) => [...previous, parseBudget(value)]

/** The columns of `conductor service-accounts list`. */
export const SERVICE_ACCOUNT_COLUMNS: Column<ServiceAccount>[] = [
  { header: 'NAME', value: (a) => a.name, min: 12 },
  { header: 'KIND', value: (a) => a.kind, min: 7 },
  { header: 'STATE', value: (a) => a.state, min: 8 },
  { header: 'OWNER', value: (a) => `${a.owner.type.toLowerCase()}:${a.owner.id}`, min: 10 },
  { header: 'SPONSOR', value: (a) => a.sponsor ?? '-', min: 7, drop: 1 },
  { header: 'GROUPS', value: (a) => a.groups.join(',') || '-', min: 6, drop: 0 },
]

/** The columns of token listings: the id is never cut, so it can be copied into `tokens revoke`. */
export const TOKEN_COLUMNS: Column<AccessToken>[] = [
  { header: 'ID', value: (t) => t.id, min: 16 },
  { header: 'NAME', value: (t) => t.name, min: 8 },
  { header: 'STATE', value: (t) => t.state, min: 7 },
  { header: 'EXPIRES UTC', value: (t) => formatStamp(t.expiresAt), min: 14 },
  { header: 'LAST USED UTC', value: (t) => formatStamp(t.lastUsedAt), min: 14, drop: 1 },
  { header: 'SCOPE', value: (t) => scopeText(t), min: 5, drop: 0 },
]

/** A token's scope in one line: `actions dag:read; environments prod`, or `-` when unlimited. */
export function scopeText(t: Pick<AccessToken, 'scope'>): string {
  const parts = [
    ...(t.scope.actions ? [`actions ${t.scope.actions.join(',')}`] : []),
    ...(t.scope.environments ? [`environments ${t.scope.environments.join(',')}`] : []),
  ]
  return parts.length ? parts.join('; ') : '-'
}

/** What `service-accounts show` prints. */
export function accountLines(a: ServiceAccount): string[] {
  return [
    `name:        ${a.name} (${a.kind}, acts as ${a.principalType})`,
    `state:       ${a.state}${a.disabledReason ? ` (${a.disabledReason})` : ''}`,
    `owner:       ${a.owner.type.toLowerCase()}:${a.owner.id}`,
    `groups:      ${a.groups.join(', ') || '-'}`,
    ...(a.kind === 'agent' ? [
      `sponsor:     ${a.sponsor ?? '-'}`,
      `tools:       ${a.tools.join(', ') || '- (all that policy allows)'}`,
      `budgets:     ${a.budgets.map((b) => `${b.action}=${b.max}/${b.perHours}h`).join(', ') || '-'}`,
    ] : []),
    `description: ${a.description || '-'}`,
    `created:     ${formatStamp(a.createdAt)} UTC by ${a.createdBy}`,
  ]
}

const tokenBody = (opts: { name: string; expires: number; action?: string[]; environment?: string[] }) => ({
  name: opts.name, expiresInDays: opts.expires, ...(opts.action?.length ? { actions: opts.action } : {}), ...(opts.environment?.length ? { environments: opts.environment } : {}),
})

function printCreated(ctx: CliContext, created: AccessTokenCreated, json: boolean): void {
  if (json) { ctx.out(formatJson(created)); return }
  // The token alone on stdout, so `$(conductor tokens create …)` captures it; the rest goes to stderr.
  ctx.stderr.write(`created token ${created.accessToken.id} (${created.accessToken.name}) for ${created.accessToken.principal.type} ${created.accessToken.principal.id}, expires ${formatStamp(created.accessToken.expiresAt)} UTC; scope: ${scopeText(created.accessToken)}\n`)
  ctx.stderr.write('it is shown once: store it now (use it as CONDUCTOR_TOKEN or a Bearer token)\n')
  ctx.out(created.token)
}

function addTokenOptions(command: Command): Command {
  return command
    .requiredOption('--name <label>', 'a label, e.g. ci')
    .requiredOption('--expires <days>', 'lifetime, e.g. 30d (at most identity.tokens.maxApiTokenDays)', parseDays)
    .option('--action <action>', 'allow only this action (repeat for more)', collect)
    .option('--environment <env>', 'allow only this environment (repeat for more)', collect)
}

/** `conductor service-accounts …` and `conductor tokens …` (docs/service-accounts.md, docs/api-tokens.md). */
export function registerServiceAccountCommands(program: Command, ctx: CliContext): void {
  const sa = program.command('service-accounts').alias('sa').description('Service accounts and AI agents: workloads that act in their own name (docs/service-accounts.md)')
  const path = (name: string) => `/api/v1/service-accounts/${encodeURIComponent(name)}`

  withOutput(sa.command('list'))
    .description('The service accounts and agents you may see')
    .action(async (opts: { output?: string }) => {
      const body = await (await ctx.client()).request<ServiceAccountList>('GET', '/api/v1/service-accounts')
      if (outputOf(opts) === 'json') { ctx.out(formatJson(body)); return }
      if (body.serviceAccounts.length === 0) { ctx.out('no service accounts'); return }
      for (const line of renderTable(body.serviceAccounts, SERVICE_ACCOUNT_COLUMNS, ctx.width())) ctx.out(line)
    })

  withOutput(sa.command('show'))
    .description('One service account or agent')
    .argument('<name>')
    .action(async (name: string, opts: { output?: string }) => {
      const body = await (await ctx.client()).request<ServiceAccountAnswer>('GET', path(name))
      if (outputOf(opts) === 'json') { ctx.out(formatJson(body)); return }
      for (const line of accountLines(body.serviceAccount)) ctx.out(line)
    })

  withOutput(sa.command('create'))
    .description('Create a service account, or with --agent an AI agent sponsored by you (or --sponsor)')
    .argument('<name>', 'lowercase letters, digits, . _ -; never reused')
    .requiredOption('--owner <owner>', 'group:NAME (its members manage it) or user:NAME', parseOwner)
    .option('--group <group>', 'a group it acts with (repeat; only groups you are in)', collect)
    .option('--description <text>', 'what it is for')
    .option('--agent', 'an AI agent (principal type Agent) with a human sponsor')
    .option('--sponsor <user>', 'with --agent: the sponsoring person (default you; another person needs policy:write)')
    .option('--tool <name>', 'with --agent: an MCP tool it may use (repeat)', collect)
    .option('--budget <spec>', 'with --agent: ACTION=MAX/HOURSh, e.g. dag:trigger=20/1h (repeat)', collectBudget)
    .action(async (name: string, opts: { owner: { type: 'User' | 'Group'; id: string }; group?: string[]; description?: string; agent?: boolean; sponsor?: string; tool?: string[]; budget?: ReturnType<typeof parseBudget>[]; output?: string }) => {
      if (!opts.agent && (opts.sponsor || opts.tool || opts.budget)) throw new InvalidArgumentError('--sponsor, --tool and --budget are for agents (add --agent)')
      const body = await (await ctx.client()).request<ServiceAccountAnswer>('POST', '/api/v1/service-accounts', {
        name, kind: opts.agent ? 'agent' : 'service', owner: opts.owner, ...(opts.group ? { groups: opts.group } : {}), ...(opts.description ? { description: opts.description } : {}),
        ...(opts.sponsor ? { sponsor: opts.sponsor } : {}), ...(opts.tool ? { tools: opts.tool } : {}), ...(opts.budget ? { budgets: opts.budget } : {}),
      })
      const a = body.serviceAccount
      ctx.out(outputOf(opts) === 'json' ? formatJson(body) : `created ${a.kind === 'agent' ? `agent ${a.name} (sponsor ${a.sponsor})` : `service account ${a.name}`}, owner ${a.owner.type.toLowerCase()}:${a.owner.id}`)
    })

  withOutput(sa.command('disable'))
    .description('Disable: its tokens stop working at once')
    .argument('<name>')
    .requiredOption('-r, --reason <text>', 'why (recorded)')
    .action(async (name: string, opts: { reason: string; output?: string }) => {
      const body = await (await ctx.client()).request<ServiceAccountAnswer>('POST', `${path(name)}/disable`, { reason: opts.reason })
      ctx.out(outputOf(opts) === 'json' ? formatJson(body) : `disabled ${body.serviceAccount.name}`)
    })

  withOutput(sa.command('enable'))
    .description('Enable a disabled account again')
    .argument('<name>')
    .action(async (name: string, opts: { output?: string }) => {
      const body = await (await ctx.client()).request<ServiceAccountAnswer>('POST', `${path(name)}/enable`)
      ctx.out(outputOf(opts) === 'json' ? formatJson(body) : `enabled ${body.serviceAccount.name}`)
    })

  sa.command('delete')
    .description('Delete for good: its tokens are revoked and its name is never reused')
    .argument('<name>')
    .action(async (name: string) => {
      await (await ctx.client()).request('DELETE', path(name))
      ctx.out(`deleted ${name}`)
    })

  withOutput(addTokenOptions(sa.command('token')))
    .description('Create an API token for the account (printed once on stdout)')
    .argument('<name>')
    .action(async (name: string, opts: { name: string; expires: number; action?: string[]; environment?: string[]; output?: string }) => {
      const created = await (await ctx.client()).request<AccessTokenCreated>('POST', `${path(name)}/tokens`, tokenBody(opts))
      printCreated(ctx, created, outputOf(opts) === 'json')
    })

  withOutput(sa.command('tokens'))
    .description('The API tokens of an account (never their secrets)')
    .argument('<name>')
    .action(async (name: string, opts: { output?: string }) => {
      const body = await (await ctx.client()).request<AccessTokenList>('GET', `${path(name)}/tokens`)
      printTokens(ctx, body, opts)
    })

  const tokens = program.command('tokens').description('Your personal API tokens (docs/api-tokens.md)')

  withOutput(tokens.command('list'))
    .description('Your API tokens (never their secrets)')
    .action(async (opts: { output?: string }) => {
      printTokens(ctx, await (await ctx.client()).request<AccessTokenList>('GET', '/api/v1/tokens'), opts)
    })

  withOutput(addTokenOptions(tokens.command('create')))
    .description('Create a personal API token that acts as you (printed once on stdout)')
    .action(async (opts: { name: string; expires: number; action?: string[]; environment?: string[]; output?: string }) => {
      const created = await (await ctx.client()).request<AccessTokenCreated>('POST', '/api/v1/tokens', tokenBody(opts))
      printCreated(ctx, created, outputOf(opts) === 'json')
    })

  withOutput(tokens.command('revoke'))
    .description('Revoke a token now: yours, or one of an account you manage')
    .argument('<id>')
    .option('-r, --reason <text>', 'recorded in the audit trail')
    .action(async (id: string, opts: { reason?: string; output?: string }) => {
      const body = await (await ctx.client()).request<AccessTokenAnswer>('POST', `/api/v1/tokens/${encodeURIComponent(id)}/revoke`, opts.reason ? { reason: opts.reason } : {})
      ctx.out(outputOf(opts) === 'json' ? formatJson(body) : `revoked token ${body.accessToken.id} (${body.accessToken.name} of ${body.accessToken.principal.type} ${body.accessToken.principal.id})`)
    })
}

function printTokens(ctx: CliContext, body: AccessTokenList, opts: { output?: string }): void {
  if (outputOf(opts) === 'json') { ctx.out(formatJson(body)); return }
  if (body.tokens.length === 0) { ctx.out('no tokens'); return }
  for (const line of renderTable(body.tokens, TOKEN_COLUMNS, ctx.width())) ctx.out(line)
}
