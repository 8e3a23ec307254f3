import type { Kysely } from 'kysely'
import type { AuditLog } from '../audit/index.ts'
import { ConductorError, type Clock } from '../core/index.ts'
import type { Principal } from '../identity/index.ts'
import { LINEAGE_ACTIONS, principalRef, type Action, type Decision, type PolicyEngine } from '../policy/index.ts'
import type { GovernanceTables } from './governance.tables.ts'
import { isoNow } from './pipeline/index.ts'
import { findPrincipal, findPrincipalsById, listPrincipals, recordPrincipal } from './principals.repository.ts'
import { findRequest, listRequests } from './requests.repository.ts'
import { authorizationRequest, type Targets } from './targets.ts'
import { requestView, type RequestView } from './views.ts'
import { listApprovals } from './approvals/approvals.repository.ts'

/** A decision explained for a principal, action and target. */
export interface Explanation extends Decision {
  principal: { type: string; id: string; groups: string[] }
  action: Action
  environment: string
  dagId: string | null
  /** What Conductor added to the policy context: `lineage` for `dag:trigger` and `dag:rerun` on a DAG. */
  context: { lineage?: { writes: string[]; writeTags: string[] } }
}

/** The record of who acted: principals seen, requests made, and decisions explained. */
export interface Ledger {
  /** Notes the principal as seen, with its groups now. */
  recordPrincipal(principal: Principal): Promise<void>
  /** The principals seen under an id, with the issuer and subject their tokens carry. */
  seenPrincipals(id: string): Promise<{ type: string; id: string; issuer: string; subject: string }[]>
  /** Every principal seen, most recent first (at most `limit`), with the groups their tokens claimed. */
  knownPrincipals(limit: number): Promise<{ type: string; id: string; issuer: string; subject: string; claimedGroups: string[]; lastSeenAt: string }[]>
  /** Explains what policy decides for `subject` (default: the asker). Asking about someone else needs `audit:read`. */
  explain(asker: Principal, question: { action: Action; environment: string; dagId?: string; as?: { type: 'User' | 'ServiceAccount' | 'Agent'; id: string; groups?: string[] } }): Promise<Explanation>
  /** The principal's own requests, newest first; anyone's with `audit:read` (at most 500, default 50). */
  requests(principal: Principal, filter: { principalId?: string; environment?: string; dagId?: string; action?: string; decision?: string; state?: string; before?: string; limit?: number }): Promise<RequestView[]>
  /** One request: the principal's own, or anyone's with `audit:read`; `request_not_found` otherwise. */
  request(principal: Principal, id: string): Promise<RequestView>
  /** True when `principal` may read the audit trail. */
  mayReadAudit(principal: Principal): boolean
}

/** Creates the ledger over the store, policy and the audit trail (explanations are audited). */
export function createLedger(deps: {
  db: Kysely<GovernanceTables>
  policy: Pick<PolicyEngine, 'authorize' | 'lineage'>
  audit: Pick<AuditLog, 'append'>
  clock: Clock
  targets: Targets
}): Ledger {
  const { db, policy, clock, targets } = deps

  function mayReadAudit(principal: Principal): boolean {
    return policy.authorize({
      principal: principalRef(principal),
      action: 'audit:read',
    }).decision === 'allow'
  }

  return {
    mayReadAudit,

    async recordPrincipal(principal) {
      const now = isoNow(clock)
      await recordPrincipal(db, {
        type: principal.type, id: principal.id, issuer: principal.issuer, subject: principal.subject,
        display_name: principal.displayName, email: principal.email, groups: JSON.stringify(principal.groups),
        idp_groups: JSON.stringify(principal.idpGroups), first_seen_at: now, last_seen_at: now,
      })
    },

    async seenPrincipals(id) {
      return (await findPrincipalsById(db, id)).map((p) => ({ type: p.type, id: p.id, issuer: p.issuer, subject: p.subject }))
    },

    async knownPrincipals(limit) {
      return (await listPrincipals(db, limit)).map((p) => ({
        type: p.type, id: p.id, issuer: p.issuer, subject: p.subject, claimedGroups: JSON.parse(p.idp_groups) as string[], lastSeenAt: p.last_seen_at,
      }))
    },

    async explain(asker, question) {
      const { env } = targets.environmentOf(question.environment)
      const dag = question.dagId === undefined ? null : await targets.dagOf(question.environment, question.dagId)
      let subject: Principal = asker
      if (question.as && !(question.as.type === asker.type && question.as.id === asker.id)) {
        if (!mayReadAudit(asker)) {
          throw new ConductorError('policy_denied', 'explaining decisions for another principal needs audit:read', { details: { action: 'audit:read' } })
        }
        const seen = await findPrincipal(db, question.as.type, question.as.id)
        const groups = question.as.groups ?? (seen ? (JSON.parse(seen.groups) as string[]) : [])
        // The asker's credential scope is theirs, not the subject's: the subject is judged by policy alone.
        subject = { type: question.as.type, id: question.as.id, subject: seen?.subject ?? question.as.id, issuer: seen?.issuer ?? 'unknown', username: question.as.id, displayName: seen?.display_name ?? null, email: seen?.email ?? null, groups, idpGroups: [] }
      }
      const decision = policy.authorize(authorizationRequest(subject, question.action, env, dag))
      await deps.audit.append({
        type: 'authz.explain', principal: asker.id, principalType: asker.type, environment: env.name, dag: dag?.dag_id ?? null,
        action: question.action, decision: decision.decision, policyIds: decision.policyIds,
        data: { subject: { type: subject.type, id: subject.id, groups: subject.groups }, reasons: decision.reasons },
      })
      const lineage = dag && LINEAGE_ACTIONS.has(question.action) ? policy.lineage(env.name, dag.dag_id) : null
      return {
        ...decision, principal: { type: subject.type, id: subject.id, groups: subject.groups }, action: question.action, environment: env.name, dagId: dag?.dag_id ?? null,
        context: lineage ? { lineage: { writes: [...lineage.writes], writeTags: [...lineage.writeTags] } } : {},
      }
    },

    async requests(principal, filter) {
      const everyone = mayReadAudit(principal)
      if (filter.principalId !== undefined && filter.principalId !== principal.id && !everyone) {
        throw new ConductorError('policy_denied', 'reading other principals\' requests needs audit:read', { details: { action: 'audit:read' } })
      }
      const rows = await listRequests(db, { ...filter, principalId: everyone ? filter.principalId : principal.id, limit: Math.min(filter.limit ?? 50, 500) })
      return rows.map((row) => requestView(row))
    },

    async request(principal, id) {
      const row = await findRequest(db, id)
      if (!row || (row.principal_id !== principal.id && !mayReadAudit(principal))) {
        throw new ConductorError('request_not_found', `request "${id}" not found`, { details: { requestId: id } })
      }
      return requestView(row, await listApprovals(db, row.id))
    },
  }
}
