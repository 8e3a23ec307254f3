import type { Command } from 'commander'
import { setTimeout as delay } from 'node:timers/promises'
import type { RequestList, RequestView } from '../../contract/api-types.ts'
import type { ApiClient } from './api-client.ts'
import { outputOf, parsePositiveInt, withOutput, withQuery, type CliContext } from './context.ts'
import { formatJson, formatStamp, renderTable, type Column } from './format.ts'

/** The states after which a request no longer waits for a person. */
const DECIDED = new Set(['denied', 'expired', 'cancelled', 'failed', 'succeeded', 'dispatching', 'allowed', 'unknown'])

/** What a pending request waits for, e.g. `1 of data-leads or 2 of platform-admins`. */
export function waitsFor(request: RequestView): string {
  return (request.approval?.groups ?? []).map((g) => `${g.count} of ${g.group}`).join(' or ') || '-'
}

/** The columns of `conductor requests`: the request id is never cut, so it can be copied into `approve` or `deny`. */
export const REQUEST_COLUMNS: Column<RequestView>[] = [
  { header: 'REQUEST', value: (r) => r.id, min: 36 },
  { header: 'STATE', value: (r) => r.state, min: 7 },
  { header: 'WHO', value: (r) => r.principal.id, min: 5 },
  { header: 'ACTION', value: (r) => r.action, min: 11, drop: 0 },
  { header: 'TARGET', value: (r) => [r.environment, r.dagId].filter(Boolean).join('/'), min: 10 },
  { header: 'WAITS FOR', value: (r) => (r.state === 'pending' ? waitsFor(r) : '-'), min: 10 },
  { header: 'CREATED UTC', value: (r) => formatStamp(r.createdAt), min: 14, drop: 1 },
]

/** The line a pending trigger prints: which request waits for whom, until when. */
export function pendingLine(request: RequestView): string {
  return `waiting for approval: request ${request.id} needs ${waitsFor(request)}${request.approval?.expiresAt ? ` (expires ${formatStamp(request.approval.expiresAt)} UTC)` : ''}`
}

/** Polls a pending request until a person decided on it (or it expired); answers it as it then is. */
export async function waitForDecision(client: ApiClient, requestId: string, intervalMs: number): Promise<RequestView> {
  for (;;) {
    const request = await client.request<RequestView>('GET', `/api/v1/requests/${encodeURIComponent(requestId)}`)
    if (DECIDED.has(request.state)) return request
    await delay(intervalMs)
  }
}

/** `conductor requests`, `approve`, `deny`, `cancel`. */
export function registerApprovalCommands(program: Command, ctx: CliContext): void {
  withOutput(program.command('requests'))
    .description('Your requests, newest first; --to-approve: the pending requests you may approve or deny')
    .option('--pending', 'only pending requests (waiting for approval)')
    .option('--to-approve', 'the pending requests of others you may approve or deny')
    .option('-n, --limit <n>', 'how many requests (at most 500)', parsePositiveInt, 50)
    .action(async (opts: { pending?: boolean; toApprove?: boolean; limit: number; output?: string }) => {
      const path = withQuery('/api/v1/requests', { state: opts.pending || opts.toApprove ? 'pending' : undefined, toApprove: opts.toApprove ? 'true' : undefined, limit: opts.limit })
      const body = await (await ctx.client()).request<RequestList>('GET', path)
      if (outputOf(opts) === 'json') { ctx.out(formatJson(body)); return }
      for (const line of renderTable(body.requests, REQUEST_COLUMNS, ctx.width())) ctx.out(line)
    })

  for (const [name, verb, description] of [
    ['approve', 'approved', 'Approve a pending request (never your own); it runs once enough approvers approved'],
    ['deny', 'denied', 'Deny a pending request (never your own); it never runs'],
  ] as const) {
    withOutput(program.command(name))
      .description(description)
      .argument('<id>', 'the request id (see `conductor requests --to-approve`)')
      .option('-m, --comment <text>', 'recorded with your verdict and in the audit trail')
      .action(async (id: string, opts: { comment?: string; output?: string }) => {
        const body = await (await ctx.client()).request<RequestView>('POST', `/api/v1/requests/${encodeURIComponent(id)}/${name}`, opts.comment ? { comment: opts.comment } : {})
        if (outputOf(opts) === 'json') { ctx.out(formatJson(body)); return }
        const run = body.runId ? `; run ${body.runId}` : ''
        ctx.out(`${verb} request ${body.id} (${body.action} ${[body.environment, body.dagId].filter(Boolean).join('/')} by ${body.principal.id}): now ${body.state}${run}`)
      })
  }

  withOutput(program.command('cancel'))
    .description('Cancel your own pending request')
    .argument('<id>', 'the request id')
    .action(async (id: string, opts: { output?: string }) => {
      const body = await (await ctx.client()).request<RequestView>('POST', `/api/v1/requests/${encodeURIComponent(id)}/cancel`)
      ctx.out(outputOf(opts) === 'json' ? formatJson(body) : `cancelled request ${body.id}`)
    })
}
