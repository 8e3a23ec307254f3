import { createHash } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { AuditLog } from '../../audit/index.ts'
import type { RunSince } from '../../orchestrators/index.ts'
import type { GovernanceTables } from '../governance.tables.ts'
import { findRequest, insertRequest } from '../requests.repository.ts'

/**
 * Runs started through an Airflow's own UI or API where that Airflow runs the Conductor auth manager: Conductor's
 * policy decided the trigger, and Airflow names the person (`triggering_user_name`), so the run is the person's, not
 * shadow activity. Each such run enters the ledger once, as an allowed `dag:trigger` by that person with
 * `input.via = "airflow"`, and is audited as `airflow.run`.
 */
export async function recordAttributedRuns(
  deps: { db: Kysely<GovernanceTables>; audit: Pick<AuditLog, 'append'> },
  environment: string,
  runs: readonly RunSince[],
  policyVersion: number,
  now: string,
): Promise<number> {
  let recorded = 0
  for (const run of runs) {
    const person = run.triggeredBy
    if (!person) continue
    const principal = await deps.db.selectFrom('principals').selectAll().where('id', '=', person).orderBy('last_seen_at', 'desc').executeTakeFirst()
    if (!principal) continue
    // The same run read again (the look overlaps the last one) keeps the same id: recorded once.
    const id = `airflow-${createHash('sha256').update(`${environment}\u0000${run.dagId}\u0000${run.runId}`).digest('hex').slice(0, 24)}`
    if (await findRequest(deps.db, id)) continue
    await insertRequest(deps.db, {
      id, created_at: run.at, updated_at: now, principal_type: principal.type, principal_id: principal.id, issuer: principal.issuer,
      principal_groups: principal.groups, action: 'dag:trigger', environment, dag_id: run.dagId, run_id: run.runId,
      input: JSON.stringify({ via: 'airflow', runType: run.runType }), decision: 'allow', policy_ids: '[]',
      reasons: JSON.stringify(['decided in Airflow by the Conductor auth manager (see the airflow.authorize events)']),
      policy_version: policyVersion, state: 'succeeded', error_code: null, error_message: null, http_request_id: null,
    })
    await deps.audit.append({
      type: 'airflow.run', principal: principal.id, principalType: principal.type, environment, dag: run.dagId, action: 'dag:trigger',
      data: { requestId: id, runId: run.runId, runType: run.runType, state: run.state, via: 'airflow', occurredAt: run.at },
    })
    recorded++
  }
  return recorded
}
