import type { Kysely } from 'kysely'
import type { EnvironmentConfig } from '../../config/index.ts'
import { ConductorError } from '../../core/index.ts'
import type { Principal } from '../../identity/index.ts'
import type { PolicyEngine } from '../../policy/index.ts'
import { authorizationRequest } from '../targets.ts'
import { latestTags, listDatasets, listDatasetUses, type DatasetUseRow } from './datasets.repository.ts'
import { personOf } from './request-lineage.ts'
import type { LineageTables } from './lineage.tables.ts'

/** A dataset seen in lineage the caller may read. */
export interface DatasetSummary {
  namespace: string
  name: string
  /** The tags the newest event naming it gave it (its `tags` dataset facet). */
  tags: string[]
  /** The newest write's event time; null when it was only read. */
  lastWrittenAt: string | null
  lastSeenAt: string
  writes: number
}

/** A page of {@link DatasetSummary}, newest write first. */
export interface DatasetList {
  datasets: DatasetSummary[]
  /** Pass as `cursor` for the next page; null on the last. */
  nextCursor: string | null
  /** The environments whose lineage the caller may read (`lineage:read`); empty: none, and nothing is listed. */
  environments: string[]
}

/** Who was behind a run that used a dataset: the `conductor` facet of the request it is joined to. */
export interface DatasetPerson {
  principal: { type: string; id: string }
  /** `dag:trigger` (started the run) or `dag:rerun` (reran its tasks). */
  action: string
  via: string
  tool: string | null
  policyIds: string[]
  approvals: { by: string; at: string }[]
  reason: string | null
}

/** One event that read or wrote a dataset. */
export interface DatasetUse {
  eventTime: string
  environment: string
  dagId: string | null
  /** The Airflow run (its `airflowDagRun` facet, else the run the joined request created). */
  airflowRunId: string | null
  /** The event's job: for Airflow, the task (`dag_id.task_id`). */
  job: string
  eventType: string | null
  requestId: string | null
  /** Null when the run was not started through Conductor (the event is joined to no request). */
  startedBy: DatasetPerson | null
}

/** One dataset: who wrote it (newest first, paged), and its recent reads. */
export interface DatasetDetail {
  namespace: string
  name: string
  tags: string[]
  writes: DatasetUse[]
  /** Pass as `cursor` for the next page of writes; null on the last. */
  nextCursor: string | null
  /** The newest reads (at most 20). */
  reads: DatasetUse[]
}

/** Dependencies of the dataset reads. */
export interface DatasetReadsDeps {
  db: Kysely<LineageTables>
  policy: Pick<PolicyEngine, 'authorize'>
  environments: () => ReadonlyMap<string, EnvironmentConfig>
}

const READS = 20

/** The environments whose lineage `principal` may read (`lineage:read`), by name. */
export function readableEnvironments(deps: DatasetReadsDeps, principal: Principal): string[] {
  return [...deps.environments().values()]
    .filter((env) => deps.policy.authorize(authorizationRequest(principal, 'lineage:read', env, null)).decision === 'allow')
    .map((env) => env.name).sort()
}

/** The datasets in the lineage `principal` may read, newest write first; `cursor` is the previous page's `nextCursor`. */
export async function datasetList(deps: DatasetReadsDeps, principal: Principal, options: { q?: string | undefined; limit: number; cursor?: string | undefined }): Promise<DatasetList> {
  const environments = readableEnvironments(deps, principal)
  const offset = options.cursor ? Number(options.cursor) : 0
  const rows = await listDatasets(deps.db, environments, { q: options.q?.trim() || null, limit: options.limit + 1, offset })
  const page = rows.slice(0, options.limit)
  const tags = await latestTags(deps.db, environments, page)
  return {
    datasets: page.map((r) => ({
      namespace: r.namespace, name: r.name, tags: tags.get(`${r.namespace}\n${r.name}`) ?? [], lastWrittenAt: r.last_written_at, lastSeenAt: r.last_seen_at, writes: r.writes,
    })),
    nextCursor: rows.length > options.limit ? String(offset + options.limit) : null,
    environments,
  }
}

/** A write-page cursor: the last row's event time and event id. */
function encodeCursor(row: DatasetUseRow): string {
  return Buffer.from(JSON.stringify([row.event_time, row.event_id])).toString('base64url')
}

/** The position a cursor names; `invalid_input` (`details.field: 'cursor'`) when it is not one this API gave. */
function decodeCursor(cursor: string): { eventTime: string; eventId: string } {
  try {
    const [eventTime, eventId] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[]
    if (typeof eventTime === 'string' && typeof eventId === 'string') return { eventTime, eventId }
  } catch {
    // answered below
  }
  throw new ConductorError('invalid_input', 'cursor: not a cursor this API gave (pass a nextCursor back as it is)', { details: { field: 'cursor' } })
}

/** A dataset row as the API answers it. */
function useOf(row: DatasetUseRow): DatasetUse {
  const facet = row.facet ? personOf({ facet: row.facet }) : null
  return {
    eventTime: row.event_time, environment: row.environment ?? '', dagId: row.dag_id, airflowRunId: row.airflow_run_id ?? row.request_run_id,
    job: row.job_name, eventType: row.event_type, requestId: row.request_id,
    startedBy: facet
      ? { principal: facet.principal, action: facet.action, via: facet.via, tool: facet.tool, policyIds: facet.policyIds, approvals: facet.approvals, reason: facet.reason }
      : null,
  }
}

/**
 * Dataset `namespace`/`name` as `principal` may see it: the writes and reads of the environments whose lineage they may
 * read. `dataset_not_found` when none is left, the same answer as for a dataset never seen.
 */
export async function datasetDetail(
  deps: DatasetReadsDeps, principal: Principal, dataset: { namespace: string; name: string }, options: { limit: number; cursor?: string | undefined },
): Promise<DatasetDetail> {
  const after = options.cursor ? decodeCursor(options.cursor) : null
  const environments = readableEnvironments(deps, principal)
  const writes = await listDatasetUses(deps.db, environments, dataset, 'output', { limit: options.limit + 1, after })
  const reads = await listDatasetUses(deps.db, environments, dataset, 'input', { limit: READS, after: null })
  if (writes.length === 0 && reads.length === 0 && after === null) {
    throw new ConductorError('dataset_not_found', `no dataset "${dataset.name}" in namespace "${dataset.namespace}" in lineage you may read`, { details: { namespace: dataset.namespace, name: dataset.name } })
  }
  const page = writes.slice(0, options.limit)
  const tags = (await latestTags(deps.db, environments, [dataset])).get(`${dataset.namespace}\n${dataset.name}`) ?? []
  return {
    namespace: dataset.namespace, name: dataset.name, tags,
    writes: page.map(useOf), nextCursor: writes.length > options.limit ? encodeCursor(page.at(-1)!) : null, reads: reads.map(useOf),
  }
}
