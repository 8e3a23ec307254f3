import type { Principal } from '../../identity/index.ts'
import { principalRef, type Action, type AuthorizationRequest } from '../../policy/index.ts'
import { approvalContext } from '../approvals/approval-context.ts'
import type { RequestsTable } from '../governance.tables.ts'

/** The action of a request asking for a grant (its requests row's `action`). */
export const GRANT_REQUEST = 'grant:request'

/** What a grant request asks for, as its requests row's `input` stores it. */
export interface GrantInput {
  group: string
  hours: number
  reason: string | null
}

/** The input of a grant request row. */
export function grantInput(row: Pick<RequestsTable, 'input'>): GrantInput {
  return JSON.parse(row.input) as GrantInput
}

/**
 * The policy question about a grant request `row` for `principal`: `action` on `Group::"<group>"` with the grant in
 * `context.grant` and the reason in `context.reason`; `pending` adds the request itself in `context.request` (for
 * `request:approve` and `request:auto_approve`).
 */
export function grantQuestion(principal: Pick<Principal, 'type' | 'id' | 'groups' | 'username' | 'scope' | 'agent'>, action: Action, row: RequestsTable, pending = false): AuthorizationRequest {
  const input = grantInput(row)
  return {
    principal: principalRef(principal),
    action,
    group: input.group,
    context: {
      grant: { group: input.group, hours: input.hours },
      ...(input.reason ? { reason: input.reason } : {}),
      ...(pending ? { request: approvalContext(row, { zone: '' }) } : {}),
    },
  }
}
