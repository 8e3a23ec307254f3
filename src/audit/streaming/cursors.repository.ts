import type { Kysely } from 'kysely'
import type { AuditTables } from '../audit-events.repository.ts'

/** A row of `audit_sink_cursors` (migration 0023): how far one sink has been delivered. */
export interface AuditSinkCursorsTable {
  sink: string
  /** The last audit seq the sink accepted; 0 before the first. */
  seq: number
  /** `at` of that event. */
  delivered_at: string | null
  /** Consecutive failed attempts; 0 after a success. */
  failures: number
  last_error: string | null
  last_error_at: string | null
  updated_at: string
}

/** The audit streaming tables, with the audit log's own. */
export interface AuditStreamTables extends AuditTables {
  audit_sink_cursors: AuditSinkCursorsTable
}

/** The cursor of `sink`, if it has one. */
export async function selectCursor(db: Kysely<AuditStreamTables>, sink: string): Promise<AuditSinkCursorsTable | undefined> {
  const row = await db.selectFrom('audit_sink_cursors').selectAll().where('sink', '=', sink).executeTakeFirst()
  return row && { ...row, seq: Number(row.seq), failures: Number(row.failures) }
}

/** Every cursor, by sink name. */
export async function selectCursors(db: Kysely<AuditStreamTables>): Promise<Map<string, AuditSinkCursorsTable>> {
  const rows = await db.selectFrom('audit_sink_cursors').selectAll().execute()
  return new Map(rows.map((row) => [row.sink, { ...row, seq: Number(row.seq), failures: Number(row.failures) }]))
}

/** Creates the cursor of `sink` at `seq` unless it exists (another replica may create it first). */
export async function insertCursor(db: Kysely<AuditStreamTables>, sink: string, seq: number, at: string): Promise<void> {
  await db.insertInto('audit_sink_cursors').values({ sink, seq, delivered_at: null, failures: 0, last_error: null, last_error_at: null, updated_at: at })
    .onConflict((oc) => oc.column('sink').doNothing()).execute()
}

/** Moves the cursor of `sink` forward to `seq` (never back) and clears its failures. */
export async function advanceCursor(db: Kysely<AuditStreamTables>, sink: string, seq: number, deliveredAt: string, at: string): Promise<void> {
  await db.updateTable('audit_sink_cursors').set({ seq, delivered_at: deliveredAt, failures: 0, updated_at: at })
    .where('sink', '=', sink).where('seq', '<', seq).execute()
}

/** Records a failed attempt for `sink`. */
export async function recordFailure(db: Kysely<AuditStreamTables>, sink: string, error: string, at: string): Promise<void> {
  await db.updateTable('audit_sink_cursors').set((eb) => ({ failures: eb('failures', '+', 1), last_error: error, last_error_at: at, updated_at: at }))
    .where('sink', '=', sink).execute()
}

/** The chain head's seq (the last appended event). */
export async function headSeq(db: Kysely<AuditStreamTables>): Promise<number> {
  const row = await db.selectFrom('audit_chain_head').select('seq').where('id', '=', 1).executeTakeFirst()
  return Number(row?.seq ?? 0)
}

/** `at` of the event at `seq`, if stored. */
export async function eventTime(db: Kysely<AuditStreamTables>, seq: number): Promise<string | undefined> {
  const row = await db.selectFrom('audit_events').select('at').where('seq', '=', seq).executeTakeFirst()
  return row?.at
}
