import type { NotificationOutboxTable } from '../notifications/index.ts'

/**
 * A row of `lineage_outbox`: one OpenLineage event waiting for (or done with) delivery to one endpoint. The columns
 * are the notification outbox's (so both share its claim and settle helpers), with `endpoint` for `webhook`.
 */
export interface LineageOutboxTable extends Omit<NotificationOutboxTable, 'webhook'> {
  /** The endpoint's name in `lineage.endpoints`. */
  endpoint: string
}

/** A row of `lineage_runs`: Conductor's own OpenLineage run for one triggering request, open until the Airflow run ends. */
export interface LineageRunsTable {
  request_id: string
  /** The v5 UUID of the request: Conductor's run id, Airflow's `parentRunId`. */
  parent_run_id: string
  environment: string
  dag_id: string | null
  /** The Airflow run the trigger creates. */
  run_id: string | null
  job_name: string
  /** JSON: the `conductor` run facet (who, decision, approvals, reason). */
  facet: string
  started_at: string
  /** When COMPLETE or FAIL was emitted; null while the run is open. */
  ended_at: string | null
  /** `COMPLETE` or `FAIL` once ended. */
  outcome: string | null
}

/** A row of `lineage_events`: one OpenLineage event Conductor emitted or received. */
export interface LineageEventsTable {
  id: string
  /** SHA-256 of the event's run id, type, time and job: a sender's retry is stored once. */
  event_key: string
  /** `conductor` (Conductor's own run) or `intake` (received on `POST /api/v1/lineage`). */
  source: string
  run_id: string
  parent_run_id: string | null
  /** The request the event is joined to, when one is found. */
  request_id: string | null
  environment: string | null
  /** The Airflow DAG the event belongs to (its Airflow run facet, else the joined request's DAG). */
  dag_id: string | null
  /** The Airflow run the event belongs to (its Airflow run facet, else the joined request's run). */
  airflow_run_id: string | null
  job_namespace: string
  job_name: string
  event_type: string | null
  event_time: string
  /** JSON arrays of `{namespace, name}`. */
  inputs: string
  outputs: string
  /** The event as received (or emitted), JSON. */
  raw: string
  /** Who posted it (intake), or who the request was for (Conductor's own events). */
  principal_id: string | null
  received_at: string
}

/** A row of `lineage_datasets`: one dataset an event read (`input`) or wrote (`output`). */
export interface LineageDatasetsTable {
  event_id: string
  /** The event's OpenLineage run id (for Airflow: one task try): its START and COMPLETE name the same datasets. */
  run_id: string
  direction: 'input' | 'output'
  namespace: string
  name: string
  environment: string | null
  dag_id: string | null
  request_id: string | null
  /** The event's job (for Airflow: `dag_id.task_id`, the task). */
  job_name: string
  event_time: string
  /** JSON array of the tags the event's `tags` dataset facet gave the dataset (see `datasetTags`). */
  tags: string
}

/** The lineage tables. */
export interface LineageTables {
  lineage_outbox: LineageOutboxTable
  lineage_runs: LineageRunsTable
  lineage_events: LineageEventsTable
  lineage_datasets: LineageDatasetsTable
}
