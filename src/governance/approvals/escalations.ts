import type { Kysely } from 'kysely'
import type { AuditLog } from '../../audit/index.ts'
import type { Clock } from '../../core/index.ts'
import type { ApprovalRequirement } from '../../policy/index.ts'
import type { GovernanceTables } from '../governance.tables.ts'
import { escalationsOf } from './required-groups.ts'

/** Dependencies of {@link escalateDue}. */
export interface EscalationDeps {
  db: Kysely<GovernanceTables>
  audit: Pick<AuditLog, 'append'>
  clock: Clock
}

type Stored = ApprovalRequirement & { escalated?: Record<string, string> }

const PAGE = 500

/**
 * Records each escalation whose wait is over on a pending request (`@escalate`): audited `request.escalated` once per
 * request and group (with the group, its count and since when it may approve), and noted on the request so the view
 * shows when. The note is a conditional update of the stored requirement, so of several replicas running this at once
 * exactly one audits it. Answers how many escalations were recorded. Approving does not wait for this: the escalation
 * group may approve as soon as the wait is over.
 */
export async function escalateDue(deps: EscalationDeps): Promise<number> {
  const { db, audit, clock } = deps
  const now = clock.now()
  let count = 0
  for (let after = ''; ;) {
    const rows = await db.selectFrom('requests').selectAll().where('state', '=', 'pending').where('approval', 'is not', null)
      .where('id', '>', after).orderBy('id').limit(PAGE).execute()
    for (const row of rows) {
      const stored = JSON.parse(row.approval!) as Stored
      const due = escalationsOf(stored, row.created_at, now).filter((e) => e.active && stored.escalated?.[e.group] === undefined)
      if (due.length === 0) continue
      const at = new Date(now).toISOString()
      const next: Stored = { ...stored, escalated: { ...stored.escalated, ...Object.fromEntries(due.map((e) => [e.group, at])) } }
      const result = await db.updateTable('requests').set({ approval: JSON.stringify(next) })
        .where('id', '=', row.id).where('state', '=', 'pending').where('approval', '=', row.approval).executeTakeFirst()
      if (Number(result.numUpdatedRows) !== 1) continue
      for (const e of due) {
        count++
        await audit.append({
          principal: row.principal_id, principalType: row.principal_type, environment: row.environment, dag: row.dag_id, action: row.action, requestId: row.id,
          type: 'request.escalated', data: { group: e.group, count: e.count, afterMinutes: e.afterMinutes, since: e.at },
        })
      }
    }
    if (rows.length < PAGE) return count
    after = rows.at(-1)!.id
  }
}
