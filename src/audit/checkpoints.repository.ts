import type { Kysely } from 'kysely'
import type { AuditTables } from './audit-events.repository.ts'

/** A row of `audit_checkpoints`: the chain head at `seq`, signed. */
export interface AuditCheckpointsTable {
  seq: number
  hash: string
  /** ISO 8601 UTC. */
  at: string
  key_id: string
  signature: string
}

/** The audit tables with the checkpoints. */
export interface AuditCheckpointTables extends AuditTables {
  audit_checkpoints: AuditCheckpointsTable
}

/** Every checkpoint, ascending by seq. */
export async function selectCheckpoints(db: Kysely<AuditCheckpointTables>): Promise<AuditCheckpointsTable[]> {
  return db.selectFrom('audit_checkpoints').selectAll().orderBy('seq', 'asc').execute()
}

/** Stores a checkpoint; false when one already stands at its seq (kept as it is). */
export async function insertCheckpoint(db: Kysely<AuditCheckpointTables>, row: AuditCheckpointsTable): Promise<boolean> {
  const result = await db.insertInto('audit_checkpoints').values(row).onConflict((oc) => oc.column('seq').doNothing()).executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0
}

/** The smallest stored event seq, if any. */
export async function selectFirstSeq(db: Kysely<AuditCheckpointTables>): Promise<number | undefined> {
  const row = await db.selectFrom('audit_events').select((eb) => eb.fn.min('seq').as('seq')).executeTakeFirst()
  return row?.seq === null || row?.seq === undefined ? undefined : Number(row.seq)
}
