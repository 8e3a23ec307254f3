import type { Command } from 'commander'
import { setTimeout as delay } from 'node:timers/promises'
import type { GrantAnswer, GrantList, GrantPending, GrantView, RequestView } from '../../contract/api-types.ts'
import { EXIT } from './api-client.ts'
import { pendingLine } from './approval-commands.ts'
import type { ApiClient } from './api-client.ts'
import { outputOf, parsePositiveInt, withOutput, withQuery, type CliContext } from './context.ts'
import { formatJson, formatStamp, renderTable, type Column } from './format.ts'

/** A grant's remaining time as people read it: `1h 59m`, `45m`, `<1m`; `-` once it ended. */
export function formatRemaining(seconds: number): string {
  if (seconds <= 0) return '-'
  if (seconds < 60) return '<1m'
  const hours = Math.floor(seconds / 3600)
  const minutes = Math.floor((seconds % 3600) / 60)
  return hours > 0 ? `${hours}h ${minutes}m` : `${minutes}m`
}

/** The columns of `conductor grants`: the grant id is never cut, so it can be copied into `grant revoke`. */
export const GRANT_COLUMNS: Column<GrantView>[] = [
  { header: 'GRANT', value: (g) => g.id, min: 36 },
  { header: 'GROUP', value: (g) => g.group, min: 20 },
  { header: 'STATE', value: (g) => g.state, min: 7 },
  { header: 'LEFT', value: (g) => formatRemaining(g.remainingSeconds), min: 6 },
  { header: 'UNTIL UTC', value: (g) => formatStamp(g.revokedAt ?? g.expiresAt), min: 14, drop: 1 },
  { header: 'APPROVED BY', value: (g) => g.approvedBy.join(', ') || '-', min: 10, drop: 0 },
]

/** The line a started grant prints: which group, until when, how long is left. */
export function grantLine(grant: GrantView): string {
  return `granted: ${grant.group} until ${formatStamp(grant.expiresAt)} UTC (${formatRemaining(grant.remainingSeconds)} left), grant ${grant.id}`
}

/** Polls a grant request until it is granted or will not be: past `pending`, and past `allowed` (approved, grant starting). */
async function waitForGrant(client: ApiClient, requestId: string, intervalMs: number): Promise<RequestView> {
  for (;;) {
    const request = await client.request<RequestView>('GET', `/api/v1/requests/${encodeURIComponent(requestId)}`)
    if (request.state !== 'pending' && request.state !== 'allowed') return request
    await delay(intervalMs)
  }
}

/** `conductor grant request|revoke` and `conductor grants`. */
export function registerGrantCommands(program: Command, ctx: CliContext): void {
  const grant = program.command('grant').description('Just-in-time grants: time-bound membership of a group, under policy (docs/grants.md)')

  withOutput(grant.command('request'))
    .description('Ask for a grant of GROUP for some hours; it starts when approved (or at once when policy allows it without approval)')
    .argument('<group>', 'the group, e.g. jit-prod-rerun')
    .requiredOption('--hours <n>', 'whole hours, up to governance.maxGrantHours', parsePositiveInt)
    .option('-r, --reason <text>', 'why (policies may require one)')
    .option('-w, --wait', 'wait for the approvers\' decision; exit 0 when granted, 3 when denied, expired or cancelled')
    .option('--interval <seconds>', 'with --wait: seconds between checks', parsePositiveInt, 2)
    .action(async (group: string, opts: { hours: number; reason?: string; wait?: boolean; interval: number; output?: string }) => {
      const client = await ctx.client()
      const json = outputOf(opts) === 'json'
      const answer = await client.request<GrantAnswer | GrantPending>('POST', '/api/v1/grants', { group, hours: opts.hours, ...(opts.reason ? { reason: opts.reason } : {}) })
      if ('grant' in answer) { ctx.out(json ? formatJson(answer) : grantLine(answer.grant)); return }
      if (!opts.wait) { ctx.out(json ? formatJson(answer) : pendingLine(answer.request)); return }
      ctx.stderr.write(`${pendingLine(answer.request)}\n`)
      const decided = await waitForGrant(client, answer.request.id, opts.interval * 1000)
      if (!decided.grantId) {
        ctx.out(json ? formatJson({ request: decided }) : `request ${decided.id} ${decided.state}${decided.error ? `: ${decided.error.message}` : ''}; no grant`)
        process.exitCode = EXIT.denied
        return
      }
      const granted = await client.request<GrantAnswer>('GET', `/api/v1/grants/${encodeURIComponent(decided.grantId)}`)
      ctx.out(json ? formatJson(granted) : grantLine(granted.grant))
    })

  withOutput(grant.command('revoke'))
    .description('End a grant now (yours, one you approved, or with grant:revoke on its group)')
    .argument('<id>', 'the grant id (see `conductor grants`)')
    .option('-r, --reason <text>', 'recorded in the audit trail')
    .action(async (id: string, opts: { reason?: string; output?: string }) => {
      const body = await (await ctx.client()).request<GrantAnswer>('POST', `/api/v1/grants/${encodeURIComponent(id)}/revoke`, opts.reason ? { reason: opts.reason } : {})
      ctx.out(outputOf(opts) === 'json' ? formatJson(body) : `revoked grant ${body.grant.id} (${body.grant.group} of ${body.grant.principal.id})`)
    })

  withOutput(program.command('grants'))
    .description('Your grants with the time left, active first; --all: ended ones too')
    .option('-a, --all', 'also the grants that expired or were revoked')
    .option('--principal <type:id>', 'another principal\'s grants (needs audit:read), e.g. User:bob')
    .action(async (opts: { all?: boolean; principal?: string; output?: string }) => {
      const body = await (await ctx.client()).request<GrantList>('GET', withQuery('/api/v1/grants', { state: opts.all ? 'all' : undefined, principal: opts.principal }))
      if (outputOf(opts) === 'json') { ctx.out(formatJson(body)); return }
      if (body.grants.length === 0) { ctx.out(opts.all ? 'no grants' : 'no active grants'); return }
      for (const line of renderTable(body.grants, GRANT_COLUMNS, ctx.width())) ctx.out(line)
    })
}
