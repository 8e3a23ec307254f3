import { createHash } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { LineageConfig } from '../../config/index.ts'
import { CONDUCTOR_FACET_KEY, CONDUCTOR_NAMESPACE, CONDUCTOR_PRODUCER, type ConductorFacet } from './identity-facet.ts'
import { insertDatasets, insertEvent, insertLineageOutbox } from './lineage.repository.ts'
import type { LineageTables } from './lineage.tables.ts'
import { datasetNames, datasetTags, RUN_EVENT_SCHEMA_URL, uniqueDatasets, type RunEvent } from './openlineage.ts'

/** One configured OpenLineage endpoint (`lineage.endpoints[]`). */
export type LineageEndpoint = LineageConfig['endpoints'][number]

/** The endpoints that take `environment`'s lineage. */
export function endpointsFor(endpoints: readonly LineageEndpoint[], environment: string): LineageEndpoint[] {
  return endpoints.filter((e) => e.environments === undefined || e.environments.includes(environment))
}

/** Conductor's own RunEvent of `type` for its run `runId` of job `jobName`, carrying the `conductor` facet. */
export function conductorEvent(type: 'START' | 'COMPLETE' | 'FAIL', run: { runId: string; jobName: string; facet: ConductorFacet }, eventTime: string): RunEvent {
  return {
    eventType: type, eventTime, producer: CONDUCTOR_PRODUCER, schemaURL: RUN_EVENT_SCHEMA_URL,
    run: { runId: run.runId, facets: { [CONDUCTOR_FACET_KEY]: { ...run.facet } } },
    job: { namespace: CONDUCTOR_NAMESPACE, name: run.jobName },
    inputs: [], outputs: [],
  }
}

/** Where an event came from and what it is joined to, for {@link recordEvent}. */
export interface EventOrigin {
  source: 'conductor' | 'intake'
  environment: string | null
  /** The Airflow DAG the event belongs to, when known. */
  dagId: string | null
  /** The Airflow run the event belongs to, when known. */
  airflowRunId: string | null
  requestId: string | null
  parentRunId: string | null
  principalId: string | null
}

/** Makes ids that sort in the order they were made within this process (after the time), so one endpoint's events go out in order. */
export function outboxIds(next: () => string): (now: string) => string {
  let counter = 0
  return (now) => `${now}-${String(counter++ % 1e9).padStart(9, '0')}-${next()}`
}

/** What makes two events one (a sender's retry): SHA-256 of the run id, event type, event time and job. */
export function eventKey(event: RunEvent): string {
  return createHash('sha256').update(JSON.stringify([event.run.runId, event.eventType ?? null, event.eventTime, event.job.namespace, event.job.name])).digest('hex')
}

/**
 * Stores `event` (once per run id, type, time and job; a repeat is ignored and false is returned) and, when stored,
 * puts `forward` (default `event`) in the outbox for each of `endpoints`: both in `db`, the caller's transaction.
 */
export async function recordEvent(
  db: Kysely<LineageTables>, event: RunEvent, origin: EventOrigin,
  out: { endpoints: readonly LineageEndpoint[]; now: string; id: (now: string) => string; forward?: RunEvent },
): Promise<boolean> {
  const id = out.id(out.now)
  const eventTime = new Date(event.eventTime).toISOString()
  const stored = await insertEvent(db, {
    id, event_key: eventKey(event), source: origin.source, run_id: event.run.runId, parent_run_id: origin.parentRunId, request_id: origin.requestId,
    environment: origin.environment, dag_id: origin.dagId, airflow_run_id: origin.airflowRunId, job_namespace: event.job.namespace, job_name: event.job.name, event_type: event.eventType ?? null,
    event_time: eventTime, inputs: JSON.stringify(datasetNames(event.inputs)), outputs: JSON.stringify(datasetNames(event.outputs)),
    raw: JSON.stringify(event), principal_id: origin.principalId, received_at: out.now,
  })
  if (!stored) return false
  const row = { event_id: id, run_id: event.run.runId, environment: origin.environment, dag_id: origin.dagId, request_id: origin.requestId, job_name: event.job.name, event_time: eventTime }
  await insertDatasets(db, [
    ...uniqueDatasets(event.inputs).map((d) => ({ ...row, direction: 'input' as const, namespace: d.namespace, name: d.name, tags: JSON.stringify(datasetTags(d)) })),
    ...uniqueDatasets(event.outputs).map((d) => ({ ...row, direction: 'output' as const, namespace: d.namespace, name: d.name, tags: JSON.stringify(datasetTags(d)) })),
  ])
  const payload = JSON.stringify(out.forward ?? event)
  await insertLineageOutbox(db, out.endpoints.map((endpoint) => ({
    id: out.id(out.now), endpoint: endpoint.name, event_type: event.eventType ?? 'OTHER', payload, attempts: 0,
    next_attempt_at: out.now, delivered_at: null, failed_at: null, last_error: null, created_at: out.now,
  })))
  return true
}
