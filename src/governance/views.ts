import type { DagParam, RunInfo } from '../orchestrators/index.ts'
import type { ApprovalGroup, ApprovalRequirement } from '../policy/index.ts'
import type { ApprovalsTable, CatalogDagsTable, RequestsTable } from './governance.tables.ts'

/** A DAG as listed through Conductor. */
export interface DagView {
  environment: string
  dagId: string
  description: string | null
  tags: string[]
  owners: string[]
  paused: boolean
  schedule: string | null
  syncedAt: string
  /** The DAG's team in Airflow (multi-team); null when Airflow names none. */
  team: string | null
  /** The run types Airflow allows (`allowed_run_types`); null when every type is allowed. */
  allowedRunTypes: string[] | null
  /** What the caller may do with this DAG, and why. */
  permissions?: Record<string, Permission>
  /** The DAG's params from Airflow (single-DAG reads only); null when Airflow cannot be asked. */
  params?: Record<string, DagParam> | null
}

/** One action's decision for the caller. */
export interface Permission {
  allowed: boolean
  policyIds: string[]
  reasons: string[]
}

/** Who policy lets do each action on a DAG: groups and known principals, with the granting policies. */
export interface AccessView {
  environment: string
  dagId: string
  actions: Record<string, { groups: { group: string; policyIds: string[] }[]; principals: { type: string; id: string; policyIds: string[] }[] }>
}

/** Who started a run: a principal through Conductor, or Airflow itself. */
export type StartedBy =
  | { via: 'conductor'; principalType: string; principalId: string; requestId: string }
  | { via: 'airflow'; runType: string | null; triggeredBy: string | null }

/** A run as listed through Conductor. */
export interface RunView extends RunInfo {
  environment: string
  startedBy: StartedBy
}

/** A request as shown to callers. */
export interface RequestView {
  id: string
  createdAt: string
  updatedAt: string
  principal: { type: string; id: string; issuer: string; groups: string[] }
  action: string
  environment: string
  dagId: string | null
  runId: string | null
  input: Record<string, unknown>
  decision: { decision: string; policyIds: string[]; reasons: string[]; policyVersion: number }
  state: string
  error: { code: string; message: string } | null
  /** What the request waits for (or waited for) when policy asked for approval; null when it did not. */
  approval: ApprovalView | null
  /** The grant a `grant:request` request made once granted (docs/grants.md); null otherwise. */
  grantId: string | null
}

/** A request's approval: the requirement, its expiry and the verdicts given so far. */
export interface ApprovalView {
  groups: ApprovalGroup[]
  reasonRequired: boolean
  policyIds: string[]
  expiresAt: string | null
  /**
   * Groups that may approve too once the request has waited long enough (`@escalate`): from `from` on; `escalatedAt`
   * is when the dispatch resolver recorded the escalation (`request.escalated`), null before.
   */
  escalations: { group: string; count: number; afterMinutes: number; from: string; escalatedAt: string | null }[]
  verdicts: { approverType: string; approverId: string; verdict: 'approve' | 'deny'; comment: string | null; at: string }[]
}

/** Maps a catalog row to its view. */
export function dagView(row: CatalogDagsTable): DagView {
  return {
    environment: row.environment,
    dagId: row.dag_id,
    description: row.description,
    tags: JSON.parse(row.tags),
    owners: JSON.parse(row.owners),
    paused: row.paused === 1,
    schedule: row.schedule,
    syncedAt: row.synced_at,
    team: row.team,
    allowedRunTypes: row.allowed_run_types == null ? null : JSON.parse(row.allowed_run_types) as string[],
  }
}

/** Maps a request row (and the verdicts given on it, if any) to its view. */
export function requestView(row: RequestsTable, verdicts: readonly ApprovalsTable[] = []): RequestView {
  const requirement = row.approval == null ? null : JSON.parse(row.approval) as ApprovalRequirement & { escalated?: Record<string, string> }
  return {
    id: row.id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    principal: { type: row.principal_type, id: row.principal_id, issuer: row.issuer, groups: JSON.parse(row.principal_groups) },
    action: row.action,
    environment: row.environment,
    dagId: row.dag_id,
    runId: row.run_id,
    input: JSON.parse(row.input),
    decision: { decision: row.decision, policyIds: JSON.parse(row.policy_ids), reasons: JSON.parse(row.reasons), policyVersion: row.policy_version },
    state: row.state,
    error: row.error_code ? { code: row.error_code, message: row.error_message ?? '' } : null,
    approval: requirement === null ? null : {
      groups: requirement.groups, reasonRequired: requirement.reasonRequired, policyIds: requirement.policyIds, expiresAt: row.expires_at ?? null,
      escalations: (requirement.escalations ?? []).map((e) => ({
        group: e.group, count: e.count, afterMinutes: e.afterMinutes,
        from: new Date(Date.parse(row.created_at) + e.afterMinutes * 60_000).toISOString(), escalatedAt: requirement.escalated?.[e.group] ?? null,
      })),
      verdicts: verdicts.map((v) => ({ approverType: v.approver_type, approverId: v.approver_id, verdict: v.verdict, comment: v.comment, at: v.created_at })),
    },
    // A grant takes the id of the request that made it.
    grantId: row.action === 'grant:request' && row.state === 'succeeded' ? row.id : null,
  }
}
