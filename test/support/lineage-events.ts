/** Building OpenLineage events as Airflow's OpenLineage provider posts them, for the lineage tests. */

const PRODUCER = 'https://github.com/apache/airflow/tree/providers-openlineage/2.3.0'

/**
 * A task event of DAG `dagId` (default `etl_daily`) in `environment` (default `local`) as Airflow's OpenLineage provider
 * posts it: a parent facet naming Conductor's run `parent` (when given) and the airflowDagRun facet naming the Airflow run.
 */
export function taskEvent(options: { type: string; time: string; runId: string; task: string; airflowRunId: string; parent?: string; inputs?: object[]; outputs?: object[]; dagId?: string; environment?: string }): Record<string, unknown> {
  const dagId = options.dagId ?? 'etl_daily'
  const environment = options.environment ?? 'local'
  const job = { namespace: 'conductor', name: `dag:trigger/${environment}/${dagId}` }
  return {
    eventType: options.type, eventTime: options.time, producer: PRODUCER, schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
    run: {
      runId: options.runId,
      facets: {
        ...(options.parent ? { parent: { _producer: PRODUCER, _schemaURL: 'https://openlineage.io/spec/facets/1-1-0/ParentRunFacet.json', run: { runId: options.parent }, job, root: { run: { runId: options.parent }, job } } } : {}),
        airflowDagRun: { _producer: PRODUCER, _schemaURL: 'https://openlineage.io/spec/facets/1-0-0/airflowDagRun.json', dagRun: { dag_id: dagId, run_id: options.airflowRunId } },
      },
    },
    job: { namespace: environment, name: `${dagId}.${options.task}` },
    inputs: options.inputs ?? [], outputs: options.outputs ?? [],
  }
}
