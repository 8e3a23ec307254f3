import type { Kysely } from 'kysely'
import { ConductorError } from '../../core/index.ts'
import type { Principal } from '../../identity/index.ts'
import type { GovernanceTables } from '../governance.tables.ts'
import { authorizationRequest } from '../targets.ts'
import type { DatasetReadsDeps } from './datasets.ts'
import { listRunsOfAirflowRun } from './lineage.repository.ts'
import type { LineageTables } from './lineage.tables.ts'
import { lineageOf, personOf, type RequestLineage } from './request-lineage.ts'

/**
 * The lineage of Airflow run `runId` of DAG `dagId` in `environment`, for `principal`: every event of the run, with
 * who started it and through which policy when Conductor did (else no one: a scheduled run, one started in Airflow's
 * own UI), and who reran it through Conductor since. Who may read the run (`run:read`) and the environment's lineage
 * (`lineage:read`) may read it: the DAG is `dag_not_found` to whoever may not see it, `policy_denied` otherwise.
 */
export async function runLineage(
  deps: DatasetReadsDeps & { db: Kysely<LineageTables & GovernanceTables> }, principal: Principal,
  target: { environment: string; dagId: string; runId: string }, enabledFor: (environment: string) => boolean,
): Promise<RequestLineage> {
  const { environment, dagId, runId } = target
  const env = deps.environments().get(environment)
  if (!env) throw new ConductorError('environment_not_found', `no environment "${environment}"`, { details: { environment } })
  const dag = await deps.db.selectFrom('catalog_dags').selectAll().where('environment', '=', environment).where('dag_id', '=', dagId).executeTakeFirst()
  const allows = (action: 'dag:read' | 'run:read' | 'lineage:read') =>
    deps.policy.authorize(authorizationRequest(principal, action, env, action === 'lineage:read' ? null : dag ?? null))
  if (!dag || allows('dag:read').decision !== 'allow') {
    throw new ConductorError('dag_not_found', `DAG "${dagId}" not found in environment "${environment}"`, { details: { environment, dagId } })
  }
  for (const action of ['run:read', 'lineage:read'] as const) {
    const decision = allows(action)
    if (decision.decision !== 'allow') {
      throw new ConductorError('policy_denied', `${action} on ${action === 'run:read' ? `DAG "${dagId}"` : `environment "${environment}"`} is not allowed`, {
        details: { action, environment, dagId, reasons: decision.reasons },
      })
    }
  }
  const ours = await listRunsOfAirflowRun(deps.db, environment, dagId, runId)
  const trigger = ours.find((r) => personOf(r).action === 'dag:trigger') ?? null
  const rows = await deps.db.selectFrom('lineage_events').selectAll()
    .where('environment', '=', environment).where('airflow_run_id', '=', runId).where('dag_id', '=', dagId)
    .orderBy('event_time').orderBy('received_at').limit(1000).execute()
  return lineageOf(rows, { enabled: enabledFor(environment), requestId: trigger?.request_id ?? null, run: trigger, dagId, reruns: ours.filter((r) => r !== trigger) })
}
