import type { Kysely } from 'kysely'
import type { ApprovalsTable, GovernanceTables } from '../governance.tables.ts'

/** Records one approver's verdict. False when that approver already gave one on this request (one per person). */
export async function insertApproval(db: Kysely<GovernanceTables>, row: ApprovalsTable): Promise<boolean> {
  const result = await db.insertInto('approvals').values(row)
    .onConflict((oc) => oc.columns(['request_id', 'approver_type', 'approver_id']).doNothing())
    .executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1
}

/** The verdicts given on one request, oldest first. */
export async function listApprovals(db: Kysely<GovernanceTables>, requestId: string): Promise<ApprovalsTable[]> {
  return db.selectFrom('approvals').selectAll().where('request_id', '=', requestId).orderBy('created_at').orderBy('approver_id').execute()
}

/** The verdicts given on each of `requestIds`, by request id. */
export async function approvalsOf(db: Kysely<GovernanceTables>, requestIds: readonly string[]): Promise<Map<string, ApprovalsTable[]>> {
  const out = new Map<string, ApprovalsTable[]>(requestIds.map((id) => [id, []]))
  if (requestIds.length === 0) return out
  const rows = await db.selectFrom('approvals').selectAll().where('request_id', 'in', [...requestIds]).orderBy('created_at').orderBy('approver_id').execute()
  for (const row of rows) out.get(row.request_id)?.push(row)
  return out
}
