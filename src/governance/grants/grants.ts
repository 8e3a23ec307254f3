import type { Kysely } from 'kysely'
import type { AuditLog } from '../../audit/index.ts'
import { ConductorError, type Clock, type IdGenerator } from '../../core/index.ts'
import type { Principal } from '../../identity/index.ts'
import { principalRef, type PolicyEngine } from '../../policy/index.ts'
import { insertApproval, listApprovals } from '../approvals/approvals.repository.ts'
import { inputHash } from '../approvals/input-hash.ts'
import type { GovernanceTables, RequestsTable } from '../governance.tables.ts'
import { channelOf, type CallMeta } from '../governed-actions.ts'
import { isoNow } from '../pipeline/index.ts'
import { findRequest, insertRequest, transitionRequest, updateRequest } from '../requests.repository.ts'
import { requestView, type RequestView } from '../views.ts'
import { GRANT_REQUEST, grantInput, grantQuestion } from './grant-question.ts'
import { activeGroupsReader, endGrant, findGrant, insertGrant, listDueGrants, listGrantsOf } from './grants.repository.ts'
import type { GrantsTable, GrantState, GrantTables } from './grants.tables.ts'

/** A grant as shown to callers. */
export interface GrantView {
  id: string
  requestId: string | null
  principal: { type: string; id: string }
  group: string
  reason: string | null
  /** `active` only while unexpired: an active grant past its end shows `expired` even before the resolver marked it. */
  state: GrantState
  startsAt: string
  expiresAt: string
  /** Seconds left while active; 0 otherwise. */
  remainingSeconds: number
  /** Who approved it: "User dave", "Policy <id>". */
  approvedBy: string[]
  revokedBy: string | null
  revokedAt: string | null
}

/** What a principal asks for: membership of `group` for `hours`, with a reason. */
export interface GrantAsk {
  group: string
  hours: number
  reason?: string | undefined
}

/** The answer to a grant request: the grant when granted at once, else the request waiting for approval. */
export type GrantRequestAnswer = { grant: GrantView; request?: undefined } | { request: RequestView; grant?: undefined }

/**
 * Just-in-time grants: time-bound membership of a group. Asking is decided by policy (`grant:request` on
 * `Group::"<group>"`), approved like any request, and the grant starts at approval. While active, the grantee's
 * principal carries the group ({@link Grants.withGrants}), so ordinary policies decide what it allows.
 */
export interface Grants {
  /**
   * Asks for a grant. `invalid_input` (field `hours`) outside 0 < hours ≤ `maxGrantHours`; `policy_denied` without a
   * permit; `reason_required` when the permit asks for a reason and none was given. A permit with `@approval` records a
   * pending request (unless an auto-approval rule approves it at once); one without grants at once.
   */
  request(principal: Principal, ask: GrantAsk, meta?: CallMeta): Promise<GrantRequestAnswer>
  /** `viewer`'s grants (or `of`'s, which needs `audit:read`), active first, then newest; only active ones unless `all`. */
  list(viewer: Principal, options?: { all?: boolean; of?: { type: string; id: string } }): Promise<GrantView[]>
  /** One grant, for its grantee, its approvers and audit readers; `grant_not_found` for anyone else. */
  get(viewer: Principal, id: string): Promise<GrantView>
  /**
   * Ends an active grant now: allowed for its grantee, its approvers, and principals permitted `grant:revoke` on the group
   * (`grant_revoke_not_allowed` otherwise); `grant_not_active` once it ended. Audited `grant.revoked`.
   */
  revoke(actor: Principal, id: string, reason?: string): Promise<GrantView>
  /** `principal` with the groups of its active, unexpired grants added (one indexed query; nothing cached). */
  withGrants(principal: Principal): Promise<Principal>
  /** Starts the grant of an approved grant request (state `allowed`): the request becomes `succeeded`. */
  grantApproved(row: RequestsTable, approvers: string[]): Promise<void>
  /** Marks the active grants past their end `expired` (audited `grant.expired`); answers how many. */
  expireDue(): Promise<number>
  /** Deprovisioning: revokes every active grant of `principal` (revoked by `scim`, audited with `reason`); answers how many. */
  revokeAllOf(principal: { type: string; id: string }, reason: string): Promise<number>
}

/** Dependencies of {@link createGrants}. */
export interface GrantsDeps {
  db: Kysely<GovernanceTables & GrantTables>
  policy: Pick<PolicyEngine, 'authorize'>
  audit: Pick<AuditLog, 'append'>
  clock: Clock
  ids: IdGenerator
  /** The longest grant, in hours (`governance.maxGrantHours`, default 8). */
  maxGrantHours?: number
  /** How long a grant request waits for approval (`governance.approvalHours`, default 24). */
  approvalHours?: number
}

const HOUR_MS = 3_600_000

/** Creates the grants service. */
export function createGrants(deps: GrantsDeps): Grants {
  const { db, policy, audit, clock } = deps
  const activeGroups = activeGroupsReader(db)
  const maxHours = deps.maxGrantHours ?? 8

  const view = (row: GrantsTable): GrantView => {
    const now = clock.now()
    const state = row.state === 'active' && Date.parse(row.expires_at) <= now ? 'expired' : row.state
    return {
      id: row.id, requestId: row.request_id, principal: { type: row.principal_type, id: row.principal_id }, group: row.group_name, reason: row.reason, state,
      startsAt: row.starts_at, expiresAt: row.expires_at, remainingSeconds: state === 'active' ? Math.max(0, Math.floor((Date.parse(row.expires_at) - now) / 1000)) : 0,
      approvedBy: JSON.parse(row.approved_by) as string[], revokedBy: row.revoked_by, revokedAt: row.revoked_at,
    }
  }

  const requestEvent = (row: RequestsTable) => ({ principal: row.principal_id, principalType: row.principal_type, action: GRANT_REQUEST, requestId: row.id })
  const grantEvent = (row: GrantsTable) => ({ principal: row.principal_id, principalType: row.principal_type, action: GRANT_REQUEST, requestId: row.request_id })

  const mayReadAudit = (p: Principal) => policy.authorize({ principal: principalRef(p), action: 'audit:read' }).decision === 'allow'
  const isGrantee = (p: Principal, row: GrantsTable) => p.type === row.principal_type && p.id === row.principal_id
  const approvedIt = (p: Principal, row: GrantsTable) => (JSON.parse(row.approved_by) as string[]).includes(`${p.type} ${p.id}`)

  async function requestAnswer(id: string): Promise<RequestView> {
    const row = (await findRequest(db, id))!
    return requestView(row, await listApprovals(db, id))
  }

  /** Starts the grant of request `row` (state `allowed`) now, approved by `approvedBy`; the request becomes `succeeded`. */
  async function start(row: RequestsTable, approvedBy: string[]): Promise<GrantView> {
    const input = grantInput(row)
    const now = clock.now()
    const grant: GrantsTable = {
      id: row.id, request_id: row.id, principal_type: row.principal_type, principal_id: row.principal_id, group_name: input.group, reason: input.reason,
      starts_at: new Date(now).toISOString(), expires_at: new Date(now + input.hours * HOUR_MS).toISOString(), state: 'active',
      approved_by: JSON.stringify(approvedBy), revoked_by: null, revoked_at: null, revoke_reason: null,
    }
    if (await insertGrant(db, grant)) {
      await audit.append({ ...requestEvent(row), type: 'grant.started', decision: 'allow', data: { grantId: grant.id, group: grant.group_name, hours: input.hours, startsAt: grant.starts_at, expiresAt: grant.expires_at, approvedBy } })
    }
    await transitionRequest(db, row.id, 'allowed', { state: 'succeeded', updated_at: isoNow(clock) })
    return view((await findGrant(db, grant.id))!)
  }

  function checkHours(hours: number): void {
    if (!Number.isSafeInteger(hours) || hours <= 0 || hours > maxHours) {
      throw new ConductorError('invalid_input', `hours must be a whole number from 1 to ${maxHours} (governance.maxGrantHours)`, { details: { field: 'hours', max: maxHours } })
    }
  }

  async function end(row: GrantsTable, by: string, reason: string | null): Promise<boolean> {
    const at = isoNow(clock)
    if (!await endGrant(db, row.id, { state: 'revoked', revoked_by: by, revoked_at: at, revoke_reason: reason })) return false
    await audit.append({ ...grantEvent(row), type: 'grant.revoked', data: { grantId: row.id, group: row.group_name, revokedBy: by, reason, expiresAt: row.expires_at } })
    return true
  }

  return {
    async request(principal, ask, meta) {
      checkHours(ask.hours)
      const now = isoNow(clock)
      const reason = ask.reason?.trim() ? ask.reason : null
      const row: RequestsTable = {
        id: deps.ids.next(), created_at: now, updated_at: now, principal_type: principal.type, principal_id: principal.id, issuer: principal.issuer,
        principal_groups: JSON.stringify(principal.groups), action: GRANT_REQUEST, environment: '', dag_id: null, run_id: null,
        input: JSON.stringify({ group: ask.group, hours: ask.hours, reason, ...channelOf(meta) }), decision: 'deny', policy_ids: '[]', reasons: '[]', policy_version: 0,
        state: 'new', error_code: null, error_message: null, http_request_id: meta?.httpRequestId ?? null,
      }
      const decision = policy.authorize(grantQuestion(principal, GRANT_REQUEST, row))
      Object.assign(row, {
        decision: decision.decision, policy_ids: JSON.stringify(decision.policyIds), reasons: JSON.stringify(decision.reasons), policy_version: decision.policyVersion,
        state: decision.decision === 'allow' ? 'allowed' : 'denied',
      })
      await insertRequest(db, row)
      await audit.append({
        ...requestEvent(row), type: 'authz.decision', decision: decision.decision, policyIds: decision.policyIds,
        data: { reasons: decision.reasons, errors: decision.errors, policyVersion: decision.policyVersion, groups: principal.groups, grant: { group: ask.group, hours: ask.hours }, ...channelOf(meta) },
      })
      if (decision.decision !== 'allow') {
        throw new ConductorError('policy_denied', `${principal.type} ${principal.id} may not ask for a grant of ${ask.group}: ${decision.reasons.join('; ')}`, {
          details: { requestId: row.id, decisionId: row.id, reasons: decision.reasons, policyIds: decision.policyIds },
        })
      }
      const approval = decision.approval
      if (!approval) return { grant: await start(row, decision.policyIds.map((id) => `Policy ${id}`)) }
      if (approval.reasonRequired && reason === null) {
        const message = `policy ${approval.policyIds.join(', ')} asks for approval with a reason: give one`
        await updateRequest(db, row.id, { state: 'refused', error_code: 'reason_required', error_message: message, updated_at: isoNow(clock) })
        await audit.append({ ...requestEvent(row), type: 'request.refused', decision: 'deny', data: { errorCode: 'reason_required', message, policyIds: approval.policyIds } })
        throw new ConductorError('reason_required', message, { details: { field: 'reason', requestId: row.id } })
      }
      row.input_hash = inputHash(row)
      const auto = policy.authorize(grantQuestion(principal, 'request:auto_approve', row, true))
      if (auto.decision === 'allow') {
        const at = isoNow(clock)
        await updateRequest(db, row.id, { approval: JSON.stringify({ ...approval, autoApprovedBy: auto.policyIds }), input_hash: row.input_hash, updated_at: at })
        await insertApproval(db, { request_id: row.id, approver_type: 'Policy', approver_id: auto.policyIds.join(','), approver_groups: '[]', verdict: 'approve', comment: null, created_at: at })
        await audit.append({ ...requestEvent(row), type: 'request.auto_approved', decision: 'allow', policyIds: auto.policyIds, data: { requiredBy: approval.policyIds, groups: approval.groups } })
        return { grant: await start(row, [`Policy ${auto.policyIds.join(',')}`]) }
      }
      const expiresAt = new Date(clock.now() + (deps.approvalHours ?? 24) * HOUR_MS).toISOString()
      await updateRequest(db, row.id, { state: 'pending', approval: JSON.stringify(approval), expires_at: expiresAt, input_hash: row.input_hash, updated_at: isoNow(clock) })
      await audit.append({
        ...requestEvent(row), type: 'request.pending', decision: 'allow', policyIds: approval.policyIds,
        data: { groups: approval.groups, reasonRequired: approval.reasonRequired, expiresAt, inputHash: row.input_hash, grant: { group: ask.group, hours: ask.hours } },
      })
      return { request: await requestAnswer(row.id) }
    },

    async list(viewer, options = {}) {
      const of = options.of ?? viewer
      if ((of.type !== viewer.type || of.id !== viewer.id) && !mayReadAudit(viewer)) {
        throw new ConductorError('policy_denied', 'listing another principal\'s grants needs audit:read', { details: { action: 'audit:read' } })
      }
      const views = (await listGrantsOf(db, of, options.all === true)).map(view).filter((g) => options.all === true || g.state === 'active')
      return views.sort((a, b) => Number(b.state === 'active') - Number(a.state === 'active'))
    },

    async get(viewer, id) {
      const row = await findGrant(db, id)
      if (!row || !(isGrantee(viewer, row) || approvedIt(viewer, row) || mayReadAudit(viewer))) {
        throw new ConductorError('grant_not_found', `no grant ${id} that you may see`, { details: { grantId: id } })
      }
      return view(row)
    },

    async revoke(actor, id, reason) {
      const row = await findGrant(db, id)
      if (!row) throw new ConductorError('grant_not_found', `no grant ${id}`, { details: { grantId: id } })
      const hours = Math.round((Date.parse(row.expires_at) - Date.parse(row.starts_at)) / HOUR_MS)
      const byPolicy = () => policy.authorize({
        principal: principalRef(actor), action: 'grant:revoke', group: row.group_name,
        context: { grant: { group: row.group_name, hours }, ...(reason ? { reason } : {}) },
      }).decision === 'allow'
      if (!(isGrantee(actor, row) || approvedIt(actor, row) || byPolicy())) {
        throw new ConductorError('grant_revoke_not_allowed', `${actor.type} ${actor.id} may not revoke grant ${id}: only its grantee, its approvers, and principals permitted grant:revoke on ${row.group_name}`, { details: { grantId: id } })
      }
      if (view(row).state !== 'active' || !await end(row, `${actor.type} ${actor.id}`, reason ?? null)) {
        const state = view((await findGrant(db, id))!).state
        throw new ConductorError('grant_not_active', `grant ${id} is ${state}, no longer active`, { details: { grantId: id, state } })
      }
      return view((await findGrant(db, id))!)
    },

    async withGrants(principal) {
      const groups = await activeGroups(principal, isoNow(clock))
      if (groups.length === 0) return principal
      return { ...principal, groups: [...new Set([...principal.groups, ...groups])].sort() }
    },

    async grantApproved(row, approvers) {
      if (row.input_hash !== inputHash(row)) {
        const message = 'the stored input no longer matches what was approved'
        await transitionRequest(db, row.id, 'allowed', { state: 'failed', error_code: 'conflict', error_message: message, updated_at: isoNow(clock) })
        await audit.append({ ...requestEvent(row), type: 'request.failed', data: { errorCode: 'conflict', message } })
        return
      }
      await start(row, approvers)
    },

    async expireDue() {
      let expired = 0
      for (const row of await listDueGrants(db, isoNow(clock))) {
        if (!await endGrant(db, row.id, { state: 'expired' })) continue
        expired++
        await audit.append({ ...grantEvent(row), type: 'grant.expired', data: { grantId: row.id, group: row.group_name, expiresAt: row.expires_at } })
      }
      return expired
    },

    async revokeAllOf(principal, reason) {
      let revoked = 0
      for (const row of await listGrantsOf(db, principal, false)) {
        if (await end(row, 'scim', reason)) revoked++
      }
      return revoked
    },
  }
}
