import type { EnvironmentConfig } from '../../config/index.ts'
import type { ApprovalRequestContext } from '../../policy/index.ts'
import type { RequestsTable } from '../governance.tables.ts'

/** The request waiting for approval as policy sees it in `context.request` (`request:approve`, `request:auto_approve`). */
export function approvalContext(row: RequestsTable, env: Pick<EnvironmentConfig, 'zone'>): ApprovalRequestContext {
  const input = JSON.parse(row.input) as { reason?: string | null }
  return {
    principal: row.principal_id, principalGroups: JSON.parse(row.principal_groups) as string[], action: row.action, environment: row.environment,
    zone: env.zone, dagId: row.dag_id ?? '', reason: input.reason ?? '', confHash: row.input_hash ?? '',
  }
}
