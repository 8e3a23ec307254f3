import { sql, type Kysely } from 'kysely'
import type { LineageDatasetsTable, LineageTables } from './lineage.tables.ts'

type Db = Kysely<LineageTables>

/** One dataset seen in the lineage of some environments: by how many task runs and when it was last written. */
export interface DatasetSummaryRow {
  namespace: string
  name: string
  last_written_at: string | null
  last_seen_at: string
  writes: number
}

/** `%`, `_` and `\` taken literally in a LIKE pattern (escaped with `\`). */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`)
}

/**
 * The datasets of `environments`' lineage whose namespace or name holds `q` (any case), newest write first (then
 * newest seen, then by name): `limit` of them after the first `offset`.
 */
export async function listDatasets(db: Db, environments: string[], options: { q: string | null; limit: number; offset: number }): Promise<DatasetSummaryRow[]> {
  if (environments.length === 0) return []
  let query = db.selectFrom('lineage_datasets')
    .select(['namespace', 'name'])
    .select(sql<string | null>`max(case when direction = 'output' then event_time end)`.as('last_written_at'))
    .select(sql<string>`max(event_time)`.as('last_seen_at'))
    .select(sql<number>`count(distinct case when direction = 'output' then run_id end)`.as('writes'))
    .where('environment', 'in', environments)
  if (options.q) {
    const pattern = `%${likeLiteral(options.q.toLowerCase())}%`
    query = query.where((eb) => eb.or([
      sql<boolean>`lower(name) like ${pattern} escape '\\'`,
      sql<boolean>`lower(namespace) like ${pattern} escape '\\'`,
    ]))
  }
  const rows = await query.groupBy(['namespace', 'name'])
    .orderBy(sql`coalesce(max(case when direction = 'output' then event_time end), '')`, 'desc')
    .orderBy(sql`max(event_time)`, 'desc').orderBy('namespace').orderBy('name')
    .limit(options.limit).offset(options.offset).execute()
  return rows.map((r) => ({ ...r, writes: Number(r.writes) }))
}

/** The tags each of `datasets` was last given (by the newest event that named it in `environments`), keyed `namespace\nname`. */
export async function latestTags(db: Db, environments: string[], datasets: { namespace: string; name: string }[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>()
  if (datasets.length === 0 || environments.length === 0) return out
  for (const d of datasets) {
    const row = await db.selectFrom('lineage_datasets').select('tags')
      .where('namespace', '=', d.namespace).where('name', '=', d.name).where('environment', 'in', environments)
      .orderBy('event_time', 'desc').limit(1).executeTakeFirst()
    out.set(`${d.namespace}\n${d.name}`, row ? JSON.parse(row.tags) as string[] : [])
  }
  return out
}

/** One event that read or wrote a dataset, with its event and (when joined) Conductor's run for its request. */
export interface DatasetUseRow extends Omit<LineageDatasetsTable, 'namespace' | 'name' | 'run_id'> {
  event_type: string | null
  /** The Airflow run the event belongs to. */
  airflow_run_id: string | null
  /** The `conductor` facet of the joined request's run (JSON), when there is one. */
  facet: string | null
  /** The Airflow run the joined request created. */
  request_run_id: string | null
}

/**
 * The task runs of `environments` that used dataset `namespace`/`name` in `direction`, each as its newest event naming
 * the dataset so (a START and a COMPLETE both name a task's outputs): newest first (then by event id, descending), at
 * most `limit`, starting after `after` (the last row of the page before).
 */
export async function listDatasetUses(
  db: Db, environments: string[], dataset: { namespace: string; name: string }, direction: 'input' | 'output',
  options: { limit: number; after: { eventTime: string; eventId: string } | null },
): Promise<DatasetUseRow[]> {
  if (environments.length === 0) return []
  let query = db.selectFrom('lineage_datasets as d')
    .innerJoin('lineage_events as e', 'e.id', 'd.event_id')
    .leftJoin('lineage_runs as r', 'r.request_id', 'd.request_id')
    .select(['d.event_id', 'd.direction', 'd.environment', 'd.dag_id', 'd.request_id', 'd.job_name', 'd.event_time', 'd.tags', 'e.event_type', 'e.airflow_run_id', 'r.facet', 'r.run_id as request_run_id'])
    .where('d.namespace', '=', dataset.namespace).where('d.name', '=', dataset.name)
    .where('d.direction', '=', direction).where('d.environment', 'in', environments)
    // A newer row of the same task run, found in lineage_datasets_run_idx (a task run has a row or two). Not pruning's
    // `>=`-first form: that range would lead SQLite to lineage_datasets_dataset_idx and every newer write of the dataset.
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('lineage_datasets as n').select('n.event_id')
      .whereRef('n.run_id', '=', 'd.run_id').whereRef('n.namespace', '=', 'd.namespace').whereRef('n.name', '=', 'd.name').whereRef('n.direction', '=', 'd.direction')
      .where((eb) => eb.or([eb('n.event_time', '>', eb.ref('d.event_time')), eb.and([eb('n.event_time', '=', eb.ref('d.event_time')), eb('n.event_id', '>', eb.ref('d.event_id'))])])))))
  const after = options.after
  if (after) {
    query = query.where((eb) => eb.or([
      eb('d.event_time', '<', after.eventTime),
      eb.and([eb('d.event_time', '=', after.eventTime), eb('d.event_id', '<', after.eventId)]),
    ]))
  }
  return query.orderBy('d.event_time', 'desc').orderBy('d.event_id', 'desc').limit(options.limit).execute()
}
