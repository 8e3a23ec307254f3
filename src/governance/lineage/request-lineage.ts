import type { Kysely } from 'kysely'
import type { GovernanceTables } from '../governance.tables.ts'
import { CONDUCTOR_NAMESPACE, type ConductorFacet } from './identity-facet.ts'
import { uniqueDatasets } from './openlineage.ts'
import { findRunOfRequest, listEventsOfRequest } from './lineage.repository.ts'
import type { LineageEventsTable, LineageRunsTable, LineageTables } from './lineage.tables.ts'

/** A dataset's name. */
export interface DatasetName {
  namespace: string
  name: string
}

/** One Airflow job (a task, or the DAG run itself) of a request's run, from its OpenLineage events. */
export interface LineageTask {
  /** The job name (`dag_id.task_id` for a task, the DAG id for the DAG run). */
  job: string
  /** The task id when the job is a task of the request's DAG (`dag_id.` stripped); null otherwise. */
  task: string | null
  /** The job's OpenLineage run id (of its newest event). */
  runId: string
  /** The request its newest event is joined to (the trigger, or a rerun of the run); null when none. */
  requestId: string | null
  /** The type of its newest event: START, RUNNING, COMPLETE, FAIL, ABORT, OTHER (null when the event had none). */
  eventType: string | null
  firstEventAt: string
  lastEventAt: string
  inputs: DatasetName[]
  outputs: DatasetName[]
}

/** Who started the request's run, and why it was allowed: the `conductor` facet of Conductor's run. */
export type LineageStartedBy = Omit<ConductorFacet, '_producer' | '_schemaURL' | 'requestId' | 'action'> & { action: string }

/** Conductor's OpenLineage run for a request. */
export interface LineageConductorRun {
  runId: string
  namespace: string
  name: string
  outcome: string | null
  startedAt: string
  endedAt: string | null
}

/** A rerun through Conductor of an Airflow run: its request, Conductor's run for it, and who asked, through what. */
export interface LineageRerun {
  requestId: string
  run: LineageConductorRun
  by: LineageStartedBy
}

/** A request's lineage, as `GET /api/v1/requests/:id/lineage` answers it. */
export interface RequestLineage {
  /** True when the environment has lineage (a `lineage.endpoints` entry takes it, or `lineage.environments` names it). */
  enabled: boolean
  /** The request that started the run; null for a run not started through Conductor. */
  requestId: string | null
  /** Conductor's run for the request (its parent run id in Airflow's events); null when it emitted none. */
  run: LineageConductorRun | null
  /** Who started it and through which policy; null when Conductor emitted no run for it. */
  startedBy: LineageStartedBy | null
  /** An Airflow run's lineage: the reruns of it through Conductor, oldest first (a request's lineage: none). */
  reruns: LineageRerun[]
  /** The events joined to the request, Conductor's own and Airflow's, in event time order. */
  events: { id: string; source: string; eventType: string | null; eventTime: string; runId: string; parentRunId: string | null; job: { namespace: string; name: string } }[]
  /** Airflow's jobs (tasks) in the order they were first seen, with what each read and wrote. */
  tasks: LineageTask[]
  /** The datasets its events read and wrote, each once. */
  datasets: { inputs: DatasetName[]; outputs: DatasetName[] }
}

/** The datasets of JSON lists of `{namespace, name}`, each once, in first-seen order. */
function uniqueNames(lists: string[]): DatasetName[] {
  return uniqueDatasets(lists.flatMap((list) => JSON.parse(list) as DatasetName[])).map((d) => ({ namespace: d.namespace, name: d.name }))
}

/** Airflow's events grouped by job, in the order each job was first seen (events come in event time order). */
function tasksOf(rows: LineageEventsTable[], dagId: string | null): LineageTask[] {
  const byJob = new Map<string, LineageEventsTable[]>()
  for (const row of rows) if (row.source === 'intake') byJob.set(row.job_name, [...byJob.get(row.job_name) ?? [], row])
  return [...byJob.entries()].map(([job, events]) => {
    const last = events.at(-1)!
    const prefix = `${dagId ?? last.dag_id ?? ''}.`
    return {
      job, task: prefix !== '.' && job.startsWith(prefix) ? job.slice(prefix.length) : null, runId: last.run_id, requestId: last.request_id, eventType: last.event_type,
      firstEventAt: events[0]!.event_time, lastEventAt: last.event_time,
      inputs: uniqueNames(events.map((e) => e.inputs)), outputs: uniqueNames(events.map((e) => e.outputs)),
    }
  })
}

/** Conductor's run as the lineage answers it. */
function conductorRun(run: LineageRunsTable): LineageConductorRun {
  return { runId: run.parent_run_id, namespace: CONDUCTOR_NAMESPACE, name: run.job_name, outcome: run.outcome, startedAt: run.started_at, endedAt: run.ended_at }
}

/** Who was behind Conductor's run: its `conductor` facet (one stored before facets named the action was a trigger's). */
export function personOf(run: Pick<LineageRunsTable, 'facet'>): LineageStartedBy {
  const facet = JSON.parse(run.facet) as ConductorFacet
  return {
    principal: facet.principal, groups: facet.groups, action: facet.action ?? 'dag:trigger', decision: facet.decision, policyIds: facet.policyIds,
    approvals: facet.approvals, reason: facet.reason, via: facet.via, tool: facet.tool,
  }
}

/**
 * The lineage answer over `rows` (one run's events in event time order), with Conductor's run for it when there is one
 * and, for an Airflow run, Conductor's runs for its reruns.
 */
export function lineageOf(
  rows: LineageEventsTable[], of: { enabled: boolean; requestId: string | null; run: LineageRunsTable | null; dagId: string | null; reruns?: LineageRunsTable[] },
): RequestLineage {
  const { run } = of
  return {
    enabled: of.enabled,
    requestId: of.requestId,
    run: run ? conductorRun(run) : null,
    startedBy: run ? personOf(run) : null,
    reruns: (of.reruns ?? []).map((r) => ({ requestId: r.request_id, run: conductorRun(r), by: personOf(r) })),
    events: rows.map((r) => ({ id: r.id, source: r.source, eventType: r.event_type, eventTime: r.event_time, runId: r.run_id, parentRunId: r.parent_run_id, job: { namespace: r.job_namespace, name: r.job_name } })),
    tasks: tasksOf(rows, of.dagId),
    datasets: { inputs: uniqueNames(rows.map((r) => r.inputs)), outputs: uniqueNames(rows.map((r) => r.outputs)) },
  }
}

/** The lineage of request `requestId` (the caller checks the principal may read the request). */
export async function requestLineage(db: Kysely<LineageTables & GovernanceTables>, requestId: string, enabledFor: (environment: string) => boolean): Promise<RequestLineage> {
  const run = await findRunOfRequest(db, requestId)
  const request = run ? null : await db.selectFrom('requests').select(['environment', 'dag_id']).where('id', '=', requestId).executeTakeFirst()
  const rows = await listEventsOfRequest(db, requestId, 1000)
  const environment = run?.environment ?? request?.environment ?? null
  return lineageOf(rows, { enabled: environment !== null && enabledFor(environment), requestId, run: run ?? null, dagId: run?.dag_id ?? request?.dag_id ?? null })
}
