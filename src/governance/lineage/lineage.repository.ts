import type { Kysely } from 'kysely'
import type { GovernanceTables } from '../governance.tables.ts'
import type { LineageDatasetsTable, LineageEventsTable, LineageOutboxTable, LineageRunsTable, LineageTables } from './lineage.tables.ts'

type Db = Kysely<LineageTables>

/** Adds Conductor's run for a request (in the dispatch's transaction when `db` is one). */
export async function insertLineageRun(db: Db, row: LineageRunsTable): Promise<void> {
  await db.insertInto('lineage_runs').values(row).onConflict((oc) => oc.column('request_id').doNothing()).execute()
}

/** Conductor's run whose run id is one of `runIds` (a parent or root parent named by an Airflow event). */
export async function findRunByRunId(db: Db, runIds: string[]): Promise<LineageRunsTable | undefined> {
  if (runIds.length === 0) return undefined
  return db.selectFrom('lineage_runs').selectAll().where('parent_run_id', 'in', runIds).limit(1).executeTakeFirst()
}

/**
 * Conductor's run that an event of Airflow run `runId` (of DAG `dagId`, when known: run ids are unique per DAG only) in
 * `environment` at `at` belongs to: the newest one started by then (the trigger, or a rerun after it), else the
 * oldest (an event stamped before Conductor's START by a clock behind Conductor's).
 */
export async function findRunOfAirflowRun(db: Db, environment: string, dagId: string | null, runId: string, at: string): Promise<LineageRunsTable | undefined> {
  let query = db.selectFrom('lineage_runs').selectAll().where('environment', '=', environment).where('run_id', '=', runId)
  if (dagId !== null) query = query.where('dag_id', '=', dagId)
  return await query.where('started_at', '<=', at).orderBy('started_at', 'desc').orderBy('request_id', 'desc').limit(1).executeTakeFirst()
    ?? await query.orderBy('started_at').orderBy('request_id').limit(1).executeTakeFirst()
}

/** Conductor's runs for Airflow run `runId` of DAG `dagId` in `environment` (its trigger and its reruns), oldest first. */
export async function listRunsOfAirflowRun(db: Db, environment: string, dagId: string, runId: string): Promise<LineageRunsTable[]> {
  return db.selectFrom('lineage_runs').selectAll().where('environment', '=', environment).where('dag_id', '=', dagId).where('run_id', '=', runId)
    .orderBy('started_at').orderBy('request_id').limit(100).execute()
}

/** Conductor's run for request `requestId`. */
export async function findRunOfRequest(db: Db, requestId: string): Promise<LineageRunsTable | undefined> {
  return db.selectFrom('lineage_runs').selectAll().where('request_id', '=', requestId).executeTakeFirst()
}

/** Open runs after `after` (oldest first, at most `limit`) with their request's state and Airflow run id now. */
export async function listOpenRuns(
  db: Kysely<LineageTables & GovernanceTables>, limit: number, after: { startedAt: string; requestId: string } | null,
): Promise<(LineageRunsTable & { state: string; request_run_id: string | null })[]> {
  let query = db.selectFrom('lineage_runs').innerJoin('requests', 'requests.id', 'lineage_runs.request_id')
    .selectAll('lineage_runs').select(['requests.state as state', 'requests.run_id as request_run_id'])
    .where('lineage_runs.ended_at', 'is', null)
  if (after) {
    query = query.where((eb) => eb.or([
      eb('lineage_runs.started_at', '>', after.startedAt),
      eb.and([eb('lineage_runs.started_at', '=', after.startedAt), eb('lineage_runs.request_id', '>', after.requestId)]),
    ]))
  }
  return query.orderBy('lineage_runs.started_at').orderBy('lineage_runs.request_id').limit(limit).execute()
}

/** Marks the run ended with `outcome`, unless it already was; true when this caller ended it. */
export async function endRun(db: Db, requestId: string, outcome: string, at: string): Promise<boolean> {
  const result = await db.updateTable('lineage_runs').set({ ended_at: at, outcome })
    .where('request_id', '=', requestId).where('ended_at', 'is', null).executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** Stores an event unless one with its `event_key` is stored; true when stored now. */
export async function insertEvent(db: Db, row: LineageEventsTable): Promise<boolean> {
  const result = await db.insertInto('lineage_events').values(row).onConflict((oc) => oc.column('event_key').doNothing()).executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1
}

/** Adds an event's dataset rows (in its transaction), in chunks that stay under the engines' bound-parameter limits. */
export async function insertDatasets(db: Db, rows: LineageDatasetsTable[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) await db.insertInto('lineage_datasets').values(rows.slice(i, i + 500)).execute()
}

/** True when an event with `eventKey` is stored. */
export async function hasEvent(db: Db, eventKey: string): Promise<boolean> {
  return (await db.selectFrom('lineage_events').select('id').where('event_key', '=', eventKey).executeTakeFirst()) !== undefined
}

/** The events joined to request `requestId`, in event time order (at most `limit`). */
export async function listEventsOfRequest(db: Db, requestId: string, limit: number): Promise<LineageEventsTable[]> {
  return db.selectFrom('lineage_events').selectAll().where('request_id', '=', requestId).orderBy('event_time').orderBy('received_at').limit(limit).execute()
}

/** Adds rows to the lineage outbox. */
export async function insertLineageOutbox(db: Db, rows: LineageOutboxTable[]): Promise<void> {
  if (rows.length) await db.insertInto('lineage_outbox').values(rows).execute()
}

/** The endpoints with undelivered rows due by `now`. */
export async function endpointsDue(db: Db, now: string): Promise<string[]> {
  const rows = await db.selectFrom('lineage_outbox').select('endpoint').distinct()
    .where('delivered_at', 'is', null).where('failed_at', 'is', null).where('next_attempt_at', '<=', now).execute()
  return rows.map((r) => r.endpoint)
}

/** The oldest undelivered rows of `endpoint`, in the order they were written (at most `limit`). */
export async function pendingOf(db: Db, endpoint: string, limit: number): Promise<LineageOutboxTable[]> {
  return db.selectFrom('lineage_outbox').selectAll().where('endpoint', '=', endpoint).where('delivered_at', 'is', null).where('failed_at', 'is', null)
    .orderBy('created_at').orderBy('id').limit(limit).execute()
}

/** One output row as the writes index reads it. */
export type WrittenRow = Pick<LineageDatasetsTable, 'event_id' | 'namespace' | 'name' | 'tags'> & { environment: string; dag_id: string }

/**
 * Reads the output rows of DAGs (environment and DAG known) of events stored after `after` (an event id, or a time:
 * ids begin with the time they were stored), oldest first, in pages; calls `each` per row. Returns the newest event id
 * read (null when none).
 */
export async function listWrittenDatasets(db: Db, after: string, each: (row: WrittenRow) => void): Promise<string | null> {
  const page = 5000
  let cursor = after
  let newest: string | null = null
  const query = () => db.selectFrom('lineage_datasets').select(['event_id', 'environment', 'dag_id', 'namespace', 'name', 'tags'])
    .where('direction', '=', 'output').where('environment', 'is not', null).where('dag_id', 'is not', null)
  for (;;) {
    const rows = await query().where('event_id', '>', cursor).orderBy('event_id').limit(page).execute()
    for (const row of rows) each(row as WrittenRow)
    if (rows.length === 0) break
    newest = rows[rows.length - 1]!.event_id
    if (rows.length < page) break
    // The page may end inside an event's rows: read the rest of that event before going on after it.
    for (const row of await query().where('event_id', '=', newest).execute()) each(row as WrittenRow)
    cursor = newest
  }
  return newest
}

/** What {@link pruneLineage} deleted. */
export interface Pruned {
  events: number
  datasets: number
  runs: number
}

/**
 * Deletes lineage older than `before`: dataset rows (but the newest write of each dataset by each DAG, which the
 * writes index and the dataset page's last write read), then events no kept dataset row names, then Conductor's runs
 * ended by then that no kept event is joined to. Open runs stay, whatever their age.
 */
export async function pruneLineage(db: Db, before: string): Promise<Pruned> {
  const datasets = await db.deleteFrom('lineage_datasets as d').where('d.event_time', '<', before)
    .where(({ eb, or, exists, selectFrom }) => or([
      eb('d.direction', '=', 'input'), eb('d.environment', 'is', null), eb('d.dag_id', 'is', null),
      exists(selectFrom('lineage_datasets as n').select('n.event_id')
        .where('n.direction', '=', 'output').whereRef('n.environment', '=', 'd.environment').whereRef('n.dag_id', '=', 'd.dag_id')
        .whereRef('n.namespace', '=', 'd.namespace').whereRef('n.name', '=', 'd.name')
        // `>=` first: a seek in lineage_datasets_newest_idx, not a scan of every write of the dataset.
        .whereRef('n.event_time', '>=', 'd.event_time')
        .where((n) => n.or([n('n.event_time', '>', n.ref('d.event_time')), n('n.event_id', '>', n.ref('d.event_id'))]))),
    ])).executeTakeFirst()
  const events = await db.deleteFrom('lineage_events as e').where('e.event_time', '<', before)
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('lineage_datasets as d').select('d.event_id').whereRef('d.event_id', '=', 'e.id'))))
    .executeTakeFirst()
  const runs = await db.deleteFrom('lineage_runs as r').where('r.ended_at', '<', before)
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('lineage_events as e').select('e.id').whereRef('e.request_id', '=', 'r.request_id'))))
    .executeTakeFirst()
  return { events: Number(events.numDeletedRows), datasets: Number(datasets.numDeletedRows), runs: Number(runs.numDeletedRows) }
}
