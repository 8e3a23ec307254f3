import type { Kysely } from 'kysely'
import type { GovernanceTables, RequestsTable } from './governance.tables.ts'

/** Inserts a new request row. */
export async function insertRequest(db: Kysely<GovernanceTables>, row: RequestsTable): Promise<void> {
  await db.insertInto('requests').values(row).execute()
}

/** Updates a request's dispatch state. */
export async function updateRequest(
  db: Kysely<GovernanceTables>,
  id: string,
  changes: Partial<Pick<RequestsTable, 'state' | 'run_id' | 'error_code' | 'error_message' | 'updated_at' | 'approval' | 'expires_at' | 'input_hash'>>,
): Promise<void> {
  await db.updateTable('requests').set(changes).where('id', '=', id).execute()
}

/** One request by id, or undefined. */
export async function findRequest(db: Kysely<GovernanceTables>, id: string): Promise<RequestsTable | undefined> {
  return db.selectFrom('requests').selectAll().where('id', '=', id).executeTakeFirst()
}

/** Filters for {@link listRequests}. */
export interface RequestFilter {
  principalId?: string | undefined
  environment?: string | undefined
  dagId?: string | undefined
  action?: string | undefined
  decision?: string | undefined
  state?: string | undefined
  before?: string | undefined
  limit: number
}

/** Requests, newest first. */
export async function listRequests(db: Kysely<GovernanceTables>, filter: RequestFilter): Promise<RequestsTable[]> {
  let q = db.selectFrom('requests').selectAll()
  if (filter.principalId) q = q.where('principal_id', '=', filter.principalId)
  if (filter.environment) q = q.where('environment', '=', filter.environment)
  if (filter.dagId) q = q.where('dag_id', '=', filter.dagId)
  if (filter.action) q = q.where('action', '=', filter.action)
  if (filter.decision) q = q.where('decision', '=', filter.decision)
  if (filter.state) q = q.where('state', '=', filter.state)
  if (filter.before) q = q.where('created_at', '<', filter.before)
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute()
}

/** The successful trigger requests that created the given Airflow runs of one DAG. */
export async function findTriggersOfRuns(
  db: Kysely<GovernanceTables>, environment: string, dagId: string, runIds: string[],
): Promise<RequestsTable[]> {
  if (runIds.length === 0) return []
  return db.selectFrom('requests').selectAll()
    .where('environment', '=', environment).where('dag_id', '=', dagId)
    .where('action', '=', 'dag:trigger').where('state', '=', 'succeeded')
    .where('run_id', 'in', runIds)
    .execute()
}

/** Requests in one of `states`, oldest change first, after the keyset position `after` (a page of at most `limit`). */
export async function listRequestsInStates(
  db: Kysely<GovernanceTables>, states: readonly string[], after: { updatedAt: string; id: string } | null, limit: number,
): Promise<RequestsTable[]> {
  let q = db.selectFrom('requests').selectAll().where('state', 'in', [...states])
  if (after) {
    q = q.where((eb) => eb.or([
      eb('updated_at', '>', after.updatedAt),
      eb.and([eb('updated_at', '=', after.updatedAt), eb('id', '>', after.id)]),
    ]))
  }
  return q.orderBy('updated_at').orderBy('id').limit(limit).execute()
}

/**
 * Applies `changes` to the request only if it is still as `seen` (same state, same `updated_at`): a compare-and-set
 * that lets exactly one of several concurrent writers (processes, replicas) act on a request. True when it did.
 */
export async function updateRequestIfUnchanged(
  db: Kysely<GovernanceTables>,
  seen: Pick<RequestsTable, 'id' | 'state' | 'updated_at'>,
  changes: Partial<Pick<RequestsTable, 'state' | 'error_code' | 'error_message' | 'updated_at'>>,
): Promise<boolean> {
  const result = await db.updateTable('requests').set(changes)
    .where('id', '=', seen.id).where('state', '=', seen.state).where('updated_at', '=', seen.updated_at)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/**
 * Moves the request from state `from` to `changes.state` only if it is still in `from`: of several concurrent
 * callers (approvers, replicas, the expiry loop) exactly one wins. True when this call did.
 */
export async function transitionRequest(
  db: Kysely<GovernanceTables>, id: string, from: string,
  changes: Pick<RequestsTable, 'state' | 'updated_at'> & Partial<Pick<RequestsTable, 'error_code' | 'error_message'>>,
): Promise<boolean> {
  const result = await db.updateTable('requests').set(changes).where('id', '=', id).where('state', '=', from).executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** Pending requests whose `expires_at` is at or before `now` (ISO), at most `limit`. */
export async function listExpiredPending(db: Kysely<GovernanceTables>, now: string, limit: number): Promise<RequestsTable[]> {
  return db.selectFrom('requests').selectAll().where('state', '=', 'pending').where('expires_at', '<=', now).orderBy('expires_at').limit(limit).execute()
}

/** When each of a principal's non-denied requests for `action` since `since` (ISO 8601) was made, oldest first (budgets). */
export async function allowedRequestTimes(db: Kysely<GovernanceTables>, principal: { type: string; id: string }, action: string, since: string): Promise<string[]> {
  const rows = await db.selectFrom('requests').select('created_at')
    .where('principal_type', '=', principal.type).where('principal_id', '=', principal.id).where('action', '=', action)
    .where('created_at', '>=', since).where('decision', '!=', 'deny')
    .orderBy('created_at').execute()
  return rows.map((r) => r.created_at)
}
