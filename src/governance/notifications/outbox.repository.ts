import type { Kysely } from 'kysely'
import type { NotificationOutboxTable, NotificationTables } from './notifications.tables.ts'

/** The durable outboxes that share these helpers: the same columns (each names its destination in its own column). */
export type OutboxName = 'notification_outbox' | 'lineage_outbox'
/** The columns every outbox has. */
export type OutboxRow = Omit<NotificationOutboxTable, 'webhook'>
type Outboxes = Record<OutboxName, OutboxRow>

/** Adds rows to the outbox (in the caller's transaction when `db` is one). */
export async function insertOutboxRows(db: Kysely<NotificationTables>, rows: NotificationOutboxTable[]): Promise<void> {
  if (rows.length) await db.insertInto('notification_outbox').values(rows).execute()
}

/** Rows neither delivered nor given up whose time has come, oldest due first. */
export async function listDue(db: Kysely<NotificationTables>, now: string, limit: number): Promise<NotificationOutboxTable[]> {
  return db.selectFrom('notification_outbox').selectAll()
    .where('delivered_at', 'is', null).where('failed_at', 'is', null).where('next_attempt_at', '<=', now)
    .orderBy('next_attempt_at').orderBy('id').limit(limit).execute()
}

/**
 * Takes `row` for one attempt: counts the attempt and moves `next_attempt_at` to `until` (when the claim lapses, should
 * this process stop mid-attempt), but only if nobody changed the row since it was read. True when this caller won it:
 * of several replicas claiming one row at once, exactly one does (PostgreSQL re-checks the condition after the row lock;
 * SQLite runs one writer at a time).
 */
export async function claimRow<DB>(db: Kysely<DB>, row: OutboxRow, until: string, table: OutboxName = 'notification_outbox'): Promise<boolean> {
  const result = await (db as unknown as Kysely<Outboxes>).updateTable(table).set({ attempts: row.attempts + 1, next_attempt_at: until })
    .where('id', '=', row.id).where('attempts', '=', row.attempts).where('next_attempt_at', '=', row.next_attempt_at)
    .where('delivered_at', 'is', null).where('failed_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** Records the outcome of the attempt numbered `attempts` on row `id`, unless a later claim has taken the row since. */
export async function settleRow<DB>(
  db: Kysely<DB>, id: string, attempts: number,
  outcome: Pick<OutboxRow, 'next_attempt_at' | 'delivered_at' | 'failed_at' | 'last_error'>, table: OutboxName = 'notification_outbox',
): Promise<boolean> {
  const result = await (db as unknown as Kysely<Outboxes>).updateTable(table).set(outcome)
    .where('id', '=', id).where('attempts', '=', attempts).where('delivered_at', 'is', null).where('failed_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** Deletes delivered and given-up rows settled before `before`; returns how many. */
export async function pruneSettled<DB>(db: Kysely<DB>, before: string, table: OutboxName = 'notification_outbox'): Promise<number> {
  const outboxes = db as unknown as Kysely<Outboxes>
  const delivered = await outboxes.deleteFrom(table).where('delivered_at', '<', before).executeTakeFirst()
  const failed = await outboxes.deleteFrom(table).where('failed_at', '<', before).executeTakeFirst()
  return Number(delivered.numDeletedRows) + Number(failed.numDeletedRows)
}
