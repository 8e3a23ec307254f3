import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { AuditLog } from '../../audit/index.ts'
import { ConductorError, isConductorError, type Clock, type SpanRunner } from '../../core/index.ts'
import type { Principal } from '../../identity/index.ts'
import { principalRef, type ApprovalRequirement, type PolicyEngine } from '../../policy/index.ts'
import type { Catalog } from '../catalog.ts'
import type { GovernanceTables, RequestsTable } from '../governance.tables.ts'
import { GRANT_REQUEST, grantQuestion } from '../grants/grant-question.ts'
import { dispatch, isoNow, runStep, track, type DispatchLineage, type PipelineContext } from '../pipeline/index.ts'
import { findRequest, listExpiredPending, transitionRequest } from '../requests.repository.ts'
import { authorizationRequest, type Targets } from '../targets.ts'
import { requestView, type RequestView } from '../views.ts'
import { approvalContext } from './approval-context.ts'
import { approvalsOf, insertApproval, listApprovals } from './approvals.repository.ts'
import { inputHash } from './input-hash.ts'
import { replayCall } from './replay.ts'
import { groupsMet, requiredGroups } from './required-groups.ts'

/** Decisions of second persons on pending requests. */
export interface Approvals {
  /**
   * Approves a pending request as `approver`: refused with `approval_self` for the requester, `approval_not_allowed`
   * outside the required groups or without `request:approve`, `approval_duplicate` for a second verdict,
   * `request_not_pending` once decided or expired. When the count is met, the request is dispatched exactly once from
   * its stored input (a run of several approvers at once dispatches one run).
   */
  approve(approver: Principal, requestId: string, comment?: string): Promise<RequestView>
  /** Denies a pending request (same checks as {@link approve}); one denial ends it: it never runs. */
  deny(approver: Principal, requestId: string, comment?: string): Promise<RequestView>
  /** Cancels a pending request; only its requester may (`request_not_yours`). */
  cancel(principal: Principal, requestId: string): Promise<RequestView>
  /**
   * One request for whoever has a part in it: its requester, a reader of the audit trail (`audit:read`), anyone who
   * gave a verdict on it, or anyone it waits for (a member of a required group permitted `request:approve` on it);
   * `request_not_found` for everyone else.
   */
  view(principal: Principal, requestId: string): Promise<RequestView>
  /** The pending requests `approver` may decide on now (not their own, not already decided by them), oldest first. */
  toApprove(approver: Principal, limit?: number): Promise<RequestView[]>
  /** Marks every pending request past its expiry `expired` (audited `request.expired`); answers how many. */
  expireDue(): Promise<number>
  /**
   * Deprovisioning: cancels every pending request of `principal` (audited `request.cancelled` with `reason`) and
   * withdraws the verdicts they gave on requests still pending (audited `request.approval_withdrawn`).
   */
  withdraw(principal: { type: string; id: string }, reason: string): Promise<{ cancelled: number; withdrawn: number }>
}

/** Dependencies of {@link createApprovals}. */
export interface ApprovalsDeps {
  db: Kysely<GovernanceTables>
  policy: Pick<PolicyEngine, 'authorize'>
  audit: Pick<AuditLog, 'append'>
  clock: Clock
  logger: Logger
  targets: Targets
  catalog: Pick<Catalog, 'remember'>
  /** The requests this process is dispatching, so the dispatch resolver leaves them alone. */
  inFlight: Set<string>
  /** Starts the grant of an approved grant request (`grant:request`), instead of dispatching it to an orchestrator. */
  grantApproved?: (row: RequestsTable, approvers: string[]) => Promise<void>
  /** Opens a trace span per pipeline step of an approved dispatch when tracing is on. */
  spans?: SpanRunner
  /** OpenLineage for approved triggers (docs/lineage.md). */
  lineage?: DispatchLineage
}

/** Creates the approvals service. */
export function createApprovals(deps: ApprovalsDeps): Approvals {
  const { db, audit, clock } = deps

  const eventOf = (row: RequestsTable) => ({
    principal: row.principal_id, principalType: row.principal_type, environment: row.environment, dag: row.dag_id, action: row.action, requestId: row.id,
  })

  async function view(id: string): Promise<RequestView> {
    const row = (await findRequest(db, id))!
    return requestView(row, (await listApprovals(db, id)))
  }

  /** Marks `row` expired if it is due; true when it is (now) expired. */
  async function expireIfDue(row: RequestsTable): Promise<boolean> {
    if (row.expires_at == null || Date.parse(row.expires_at) > clock.now()) return false
    if (await transitionRequest(db, row.id, 'pending', { state: 'expired', updated_at: isoNow(clock) })) {
      await audit.append({ ...eventOf(row), type: 'request.expired', data: { expiresAt: row.expires_at } })
    }
    return true
  }

  /** Why `approver` may not decide on `row`, or null when they may. */
  async function refusal(approver: Principal, row: RequestsTable): Promise<ConductorError | null> {
    if (approver.type === row.principal_type && approver.id === row.principal_id) {
      return new ConductorError('approval_self', 'nobody approves or denies their own request', { details: { requestId: row.id } })
    }
    const groups = requiredGroups(JSON.parse(row.approval!) as ApprovalRequirement, row.created_at, clock.now()).map((g) => g.group)
    if (!groups.some((g) => approver.groups.includes(g))) {
      return new ConductorError('approval_not_allowed', `request ${row.id} waits for approval from ${groups.join(' or ')}`, { details: { requestId: row.id, groups } })
    }
    const decision = deps.policy.authorize(row.action === GRANT_REQUEST ? grantQuestion(approver, 'request:approve', row, true) : await approveQuestion(approver, row))
    if (decision.decision !== 'allow') {
      return new ConductorError('approval_not_allowed', `${approver.type} ${approver.id} may not approve request ${row.id}: ${decision.reasons.join('; ')}`, {
        details: { requestId: row.id, groups, reasons: decision.reasons },
      })
    }
    return null
  }

  /** The `request:approve` question about a request that runs in an environment. */
  async function approveQuestion(approver: Principal, row: RequestsTable) {
    const { env } = deps.targets.environmentOf(row.environment)
    const dag = row.dag_id === null ? null : await deps.targets.dagOf(row.environment, row.dag_id)
    return authorizationRequest(approver, 'request:approve', env, dag, { request: approvalContext(row, env) })
  }

  /** Loads a pending request `approver` may decide on, or throws why not. */
  async function decidable(approver: Principal, requestId: string): Promise<RequestsTable> {
    const row = await findRequest(db, requestId)
    if (!row || row.approval == null) throw new ConductorError('request_not_found', `no request ${requestId} waiting for approval`, { details: { requestId } })
    const refused = await refusal(approver, row)
    if (refused) throw refused
    if (row.state !== 'pending' || await expireIfDue(row)) {
      const state = row.state === 'pending' ? 'expired' : row.state
      throw new ConductorError('request_not_pending', `request ${requestId} is ${state}, no longer pending`, { details: { requestId, state } })
    }
    return row
  }

  async function record(approver: Principal, row: RequestsTable, verdict: 'approve' | 'deny', comment: string | undefined): Promise<void> {
    const inserted = await insertApproval(db, {
      request_id: row.id, approver_type: approver.type, approver_id: approver.id, approver_groups: JSON.stringify(approver.groups),
      verdict, comment: comment ?? null, created_at: isoNow(clock),
    })
    if (!inserted) throw new ConductorError('approval_duplicate', `${approver.id} already decided on request ${row.id}`, { details: { requestId: row.id } })
  }

  /** True when the approvals given meet the requirement: `count` approvers from any one group required now (escalations included). */
  async function met(row: RequestsTable): Promise<{ met: boolean; approvers: string[] }> {
    const groups = requiredGroups(JSON.parse(row.approval!) as ApprovalRequirement, row.created_at, clock.now())
    const given = (await listApprovals(db, row.id)).filter((a) => a.verdict === 'approve')
    const ok = groupsMet(groups, given.map((a) => JSON.parse(a.approver_groups) as string[]))
    return { met: ok, approvers: given.map((a) => `${a.approver_type} ${a.approver_id}`) }
  }

  /** Dispatches an approved request from its stored row; only the caller that moved it to `allowed` gets here. */
  async function dispatchApproved(row: RequestsTable, approvers: string[]): Promise<void> {
    deps.inFlight.add(row.id)
    try {
      const request = { ...row, state: 'allowed' }
      if (row.input_hash !== inputHash(row)) {
        const message = 'the stored input no longer matches what was approved'
        await transitionRequest(db, row.id, 'allowed', { state: 'failed', error_code: 'conflict', error_message: message, updated_at: isoNow(clock) })
        await audit.append({ ...eventOf(row), type: 'dispatch.result', data: { ok: false, errorCode: 'conflict', message } })
        return
      }
      const { call, orchestrator } = await replayCall(deps, request, approvers)
      const ctx: PipelineContext<unknown> = { deps: { db, policy: deps.policy, audit, clock, ...(deps.spans ? { spans: deps.spans } : {}), ...(deps.lineage ? { lineage: deps.lineage } : {}) }, call, orchestrator, request }
      await runStep(ctx, dispatch)
      await runStep(ctx, track)
    } catch (error) {
      // The request records the failure (dispatch marks it failed or unknown); the approver's call still succeeded.
      deps.logger.warn({ requestId: row.id, err: isConductorError(error) ? `${error.code}: ${error.message}` : String(error) }, 'dispatching an approved request failed')
    } finally {
      deps.inFlight.delete(row.id)
    }
  }

  return {
    async approve(approver, requestId, comment) {
      const row = await decidable(approver, requestId)
      await record(approver, row, 'approve', comment)
      await audit.append({ ...eventOf(row), type: 'request.approved', data: { approver: approver.id, approverType: approver.type, approverGroups: approver.groups, comment: comment ?? null } })
      const { met: enough, approvers } = await met(row)
      if (enough && await transitionRequest(db, row.id, 'pending', { state: 'allowed', updated_at: isoNow(clock) })) {
        if (row.action === GRANT_REQUEST && deps.grantApproved) await deps.grantApproved(row, approvers)
        else await dispatchApproved(row, approvers)
      }
      return view(requestId)
    },

    async deny(approver, requestId, comment) {
      const row = await decidable(approver, requestId)
      await record(approver, row, 'deny', comment)
      if (await transitionRequest(db, row.id, 'pending', { state: 'denied', updated_at: isoNow(clock) })) {
        await audit.append({ ...eventOf(row), type: 'request.denied', decision: 'deny', data: { approver: approver.id, approverType: approver.type, comment: comment ?? null } })
      }
      return view(requestId)
    },

    async withdraw(principal, reason) {
      const mine = await db.selectFrom('requests').selectAll()
        .where('principal_type', '=', principal.type).where('principal_id', '=', principal.id).where('state', '=', 'pending').execute()
      let cancelled = 0
      for (const row of mine) {
        if (!await transitionRequest(db, row.id, 'pending', { state: 'cancelled', updated_at: isoNow(clock) })) continue
        cancelled++
        await audit.append({ ...eventOf(row), type: 'request.cancelled', data: { reason } })
      }
      const given = await db.selectFrom('approvals').innerJoin('requests', 'requests.id', 'approvals.request_id').selectAll('requests')
        .where('approvals.approver_type', '=', principal.type).where('approvals.approver_id', '=', principal.id).where('requests.state', '=', 'pending').execute()
      for (const row of given) {
        await db.deleteFrom('approvals').where('request_id', '=', row.id).where('approver_type', '=', principal.type).where('approver_id', '=', principal.id).execute()
        await audit.append({ ...eventOf(row), type: 'request.approval_withdrawn', data: { approver: principal.id, approverType: principal.type, reason } })
      }
      return { cancelled, withdrawn: given.length }
    },

    async cancel(principal, requestId) {
      const row = await findRequest(db, requestId)
      if (!row || row.approval == null) throw new ConductorError('request_not_found', `no request ${requestId} waiting for approval`, { details: { requestId } })
      if (principal.type !== row.principal_type || principal.id !== row.principal_id) {
        throw new ConductorError('request_not_yours', 'only the requester may cancel a pending request', { details: { requestId } })
      }
      if (row.state !== 'pending' || await expireIfDue(row) || !await transitionRequest(db, row.id, 'pending', { state: 'cancelled', updated_at: isoNow(clock) })) {
        const state = (await findRequest(db, requestId))!.state
        throw new ConductorError('request_not_pending', `request ${requestId} is ${state}, no longer pending`, { details: { requestId, state } })
      }
      await audit.append({ ...eventOf(row), type: 'request.cancelled', data: {} })
      return view(requestId)
    },

    async view(principal, requestId) {
      const row = await findRequest(db, requestId)
      const notFound = () => new ConductorError('request_not_found', `request "${requestId}" not found`, { details: { requestId } })
      if (!row) throw notFound()
      const verdicts = await listApprovals(db, requestId)
      const mine = row.principal_type === principal.type && row.principal_id === principal.id
      const auditor = deps.policy.authorize({ principal: principalRef(principal), action: 'audit:read' }).decision === 'allow'
      const decided = verdicts.some((a) => a.approver_type === principal.type && a.approver_id === principal.id)
      if (!mine && !auditor && !decided && (row.approval == null || await refusal(principal, row).catch(() => notFound()) !== null)) throw notFound()
      return requestView(row, verdicts)
    },

    async toApprove(approver, limit = 100) {
      const rows = await db.selectFrom('requests').selectAll().where('state', '=', 'pending')
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', isoNow(clock))]))
        .orderBy('created_at').orderBy('id').limit(500).execute()
      const given = await approvalsOf(db, rows.map((r) => r.id))
      const out: RequestView[] = []
      for (const row of rows) {
        if (out.length >= limit) break
        if (given.get(row.id)!.some((a) => a.approver_type === approver.type && a.approver_id === approver.id)) continue
        if (await refusal(approver, row).catch(() => true) !== null) continue
        out.push(requestView(row, given.get(row.id)!))
      }
      return out
    },

    async expireDue() {
      let count = 0
      for (const row of await listExpiredPending(db, isoNow(clock), 500)) if (await expireIfDue(row)) count++
      return count
    },
  }
}
