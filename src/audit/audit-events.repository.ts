import { sql } from 'kysely'
import type { ExpressionBuilder, Expression, Kysely, SqlBool } from 'kysely'

/** A row of `audit_events`: one hash-chained event. JSON columns are text. */
export interface AuditEventsTable {
  seq: number
  /** ISO 8601 UTC. */
  at: string
  type: string
  principal: string | null
  principal_type: string | null
  environment: string | null
  dag: string | null
  action: string | null
  request_id: string | null
  decision: string | null
  /** JSON array of policy ids. */
  policy_ids: string
  /** JSON object. */
  data: string
  prev_hash: string
  hash: string
}

/** The one row (`id` = 1) of `audit_chain_head`: the last appended event. Appends lock it to serialize. */
export interface AuditChainHeadTable {
  id: number
  seq: number
  hash: string
}

/** The audit tables. */
export interface AuditTables {
  audit_events: AuditEventsTable
  audit_chain_head: AuditChainHeadTable
}

/** Row-level filter on `audit_events` (already validated and normalized). */
export interface AuditRowFilter {
  principal?: string
  environment?: string
  dag?: string
  action?: string
  type?: string
  decision?: string
  requestId?: string
  /** Inclusive lower bound, ISO 8601 UTC. */
  from?: string
  /** Exclusive upper bound, ISO 8601 UTC. */
  to?: string
}

function conditions(eb: ExpressionBuilder<AuditTables, 'audit_events'>, filter: AuditRowFilter, afterSeq: number): Expression<SqlBool>[] {
  const where: Expression<SqlBool>[] = [eb('seq', '>', afterSeq)]
  if (filter.principal !== undefined) where.push(eb('principal', '=', filter.principal))
  if (filter.environment !== undefined) where.push(eb('environment', '=', filter.environment))
  if (filter.dag !== undefined) where.push(eb('dag', '=', filter.dag))
  if (filter.action !== undefined) where.push(eb('action', '=', filter.action))
  if (filter.type !== undefined) where.push(eb('type', '=', filter.type))
  if (filter.decision !== undefined) where.push(eb('decision', '=', filter.decision))
  if (filter.requestId !== undefined) where.push(eb('request_id', '=', filter.requestId))
  if (filter.from !== undefined) where.push(eb('at', '>=', filter.from))
  if (filter.to !== undefined) where.push(eb('at', '<', filter.to))
  return where
}

/** Events matching `filter` with seq above `afterSeq`, ascending by seq, at most `limit`. */
export async function selectAuditRows(db: Kysely<AuditTables>, filter: AuditRowFilter, afterSeq: number, limit: number): Promise<AuditEventsTable[]> {
  return db.selectFrom('audit_events').selectAll()
    .where((eb) => eb.and(conditions(eb, filter, afterSeq)))
    .orderBy('seq', 'asc').limit(limit).execute()
}

/** The event at `seq`, if stored. */
export async function selectAuditRow(db: Kysely<AuditTables>, seq: number): Promise<AuditEventsTable | undefined> {
  return db.selectFrom('audit_events').selectAll().where('seq', '=', seq).executeTakeFirst()
}

/** The chain head; with `lock`, locked until the transaction ends (PostgreSQL `FOR UPDATE`). */
export async function selectChainHead(db: Kysely<AuditTables>, lock: boolean): Promise<AuditChainHeadTable | undefined> {
  const query = db.selectFrom('audit_chain_head').selectAll().where('id', '=', 1)
  return (lock ? query.forUpdate() : query).executeTakeFirst()
}

/** Stores consecutive events (at most a few hundred) and moves the chain head to the last. Call inside the transaction that locked the head. */
export async function insertAuditRows(db: Kysely<AuditTables>, rows: AuditEventsTable[]): Promise<void> {
  const last = rows.at(-1)
  if (last === undefined) return
  await db.insertInto('audit_events').values(rows).execute()
  await db.updateTable('audit_chain_head').set({ seq: last.seq, hash: last.hash }).where('id', '=', 1).execute()
}

/**
 * PostgreSQL only, outside a transaction: stores consecutive events and moves the chain head to the last in one
 * statement (one round trip, committed on return), provided the head is still at `expected`. Resolves false, storing
 * nothing, when another appender moved the head first.
 */
export async function appendIfHeadAt(db: Kysely<AuditTables>, expected: { seq: number; hash: string }, rows: AuditEventsTable[]): Promise<boolean> {
  const last = rows.at(-1)
  if (last === undefined) return true
  const values = sql.join(rows.map((r) => sql`(${r.seq}::bigint, ${r.at}::text, ${r.type}::text, ${r.principal}::text, ${r.principal_type}::text, ${r.environment}::text, ${r.dag}::text, ${r.action}::text, ${r.request_id}::text, ${r.decision}::text, ${r.policy_ids}::text, ${r.data}::text, ${r.prev_hash}::text, ${r.hash}::text)`))
  const result = await sql`
    with head as (
      update audit_chain_head set seq = ${last.seq}, hash = ${last.hash} where id = 1 and seq = ${expected.seq} and hash = ${expected.hash} returning id
    )
    insert into audit_events (seq, at, type, principal, principal_type, environment, dag, action, request_id, decision, policy_ids, data, prev_hash, hash)
    select v.* from (values ${values}) as v(seq, at, type, principal, principal_type, environment, dag, action, request_id, decision, policy_ids, data, prev_hash, hash)
    where exists (select 1 from head)`.execute(db)
  return Number(result.numAffectedRows ?? 0) === rows.length
}
