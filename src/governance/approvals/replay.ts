import { ConductorError } from '../../core/index.ts'
import type { Principal } from '../../identity/index.ts'
import type { Action } from '../../policy/index.ts'
import type { GovernanceTables, RequestsTable } from '../governance.tables.ts'
import { RUN_ID_PREFIX } from '../governed-actions.ts'
import type { GovernedCall } from '../pipeline/index.ts'
import { runNote, type TriggerInput } from '../run-input.ts'
import type { Targets } from '../targets.ts'
import type { Catalog } from '../catalog.ts'
import type { Kysely } from 'kysely'

/** The principal a stored request was made by, as far as the request row records it. */
export function requesterOf(row: RequestsTable): Principal {
  const groups = JSON.parse(row.principal_groups) as string[]
  return {
    type: row.principal_type as Principal['type'], id: row.principal_id, subject: row.principal_id, issuer: row.issuer,
    username: row.principal_id, displayName: null, email: null, groups, idpGroups: groups,
  }
}

/**
 * Rebuilds the governed call of an approved request from its stored row alone (it works after a restart): the same
 * action, target and input as requested, performed as the requester; a trigger's run note names the approvers.
 * Throws `conflict` for an action that cannot wait for approval.
 */
export async function replayCall(
  deps: { db: Kysely<GovernanceTables>; targets: Targets; catalog: Pick<Catalog, 'remember'> }, row: RequestsTable, approvers: string[],
) {
  const { env, orchestrator } = deps.targets.environmentOf(row.environment)
  const dag = row.dag_id === null ? null : await deps.targets.dagOf(row.environment, row.dag_id)
  const principal = requesterOf(row)
  const input = JSON.parse(row.input) as Record<string, unknown>
  const dagId = row.dag_id ?? ''
  const base = { principal, action: row.action as Action, environment: env, dag, runId: row.run_id, input, context: {}, mutates: true, httpRequestId: row.http_request_id }
  let call: GovernedCall<unknown>
  if (row.action === 'dag:trigger') {
    const trigger = input as unknown as TriggerInput & { conf: Record<string, unknown> }
    const runId = `${RUN_ID_PREFIX}${row.id}`
    call = {
      ...base, createsRunId: runId,
      perform: (o, req) => o.triggerRun(dagId, { runId, conf: trigger.conf, logicalDate: trigger.logicalDate ?? null, note: runNote(principal, req, trigger, approvers) }),
      runIdOf: () => runId,
    }
  } else if (row.action === 'dag:rerun') {
    const clear = { onlyFailed: input.onlyFailed !== false, dryRun: false }
    call = { ...base, perform: (o) => o.clearFailedTasks(dagId, row.run_id ?? '', clear) }
  } else if (row.action === 'dag:pause') {
    call = {
      ...base,
      perform: async (o) => {
        const info = await o.setPaused(dagId, input.paused === true)
        await deps.catalog.remember(row.environment, info)
        return info
      },
    }
  } else if (row.action === 'asset:post_event') {
    const assetUri = String(input.assetUri ?? '')
    const extra = (input.extra ?? {}) as Record<string, unknown>
    call = { ...base, context: { asset: { uri: assetUri } }, perform: (o) => o.postAssetEvent(assetUri, extra) }
  } else {
    throw new ConductorError('conflict', `${row.action} cannot wait for approval`, { details: { requestId: row.id } })
  }
  return { call, orchestrator }
}
