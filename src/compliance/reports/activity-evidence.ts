import { directoryChangesIn } from '../history/index.ts'
import { cell, eventsOf, type EvidenceContext, type EvidenceSection } from './evidence-context.ts'

/** Directory changes (groups, activation) and grants started, revoked or expired in the period. */
export async function accessChangesEvidence(ctx: EvidenceContext): Promise<EvidenceSection> {
  const rows: EvidenceSection['rows'] = []
  for (const { state, before } of await directoryChangesIn(ctx.db, ctx.from, ctx.to)) {
    const had = new Set(before?.groups ?? [])
    const has = new Set(state.groups)
    rows.push({
      at: state.recordedAt, change: before === undefined ? 'first_seen' : before.active && !state.active ? 'deactivated' : !before.active && state.active ? 'reactivated' : 'groups_changed',
      principalType: state.type, principal: state.id, source: state.source, active: state.active,
      groupsAdded: [...has].filter((g) => !had.has(g)).join(' '), groupsRemoved: [...had].filter((g) => !has.has(g)).join(' '), by: null,
    })
  }
  for (const e of eventsOf(ctx, 'grant.started', 'grant.revoked', 'grant.expired', 'access.revoked')) {
    rows.push({
      at: e.at, change: e.type, principalType: e.principalType, principal: e.principal, source: 'conductor', active: null,
      groupsAdded: e.type === 'grant.started' ? cell(e.data.group) : null, groupsRemoved: e.type === 'grant.started' ? null : cell(e.data.group ?? e.data.reason),
      by: cell(e.data.approvedBy ?? e.data.revokedBy),
    })
  }
  rows.sort((a, b) => String(a.at).localeCompare(String(b.at)))
  const count = (c: string) => rows.filter((r) => r.change === c).length
  return {
    kind: 'access_changes', title: 'Access changes', notes: ['Directory rows are recorded at sign-in and on SCIM changes; a change nobody signed in or provisioned after is not seen.'], rows,
    summary: { changes: rows.length, firstSeen: count('first_seen'), deactivated: count('deactivated'), groupsChanged: count('groups_changed'), grantsStarted: count('grant.started'), grantsRevoked: count('grant.revoked'), revocations: count('access.revoked') },
  }
}

/** Approvals and denials of pending requests, and who gave them. */
export function approvalsEvidence(ctx: EvidenceContext): EvidenceSection {
  const rows = eventsOf(ctx, 'request.approved', 'request.denied', 'request.auto_approved', 'grant.started').map((e) => ({
    at: e.at, outcome: e.type, requestId: e.requestId, requester: e.principal, environment: e.environment, dag: e.dag, action: e.action,
    approver: cell(e.data.approver ?? e.data.approvedBy), approverGroups: cell(e.data.approverGroups), comment: cell(e.data.comment),
  }))
  return {
    kind: 'approvals', title: 'Approvals and who gave them', notes: [], rows,
    summary: { approved: rows.filter((r) => r.outcome === 'request.approved').length, denied: rows.filter((r) => r.outcome === 'request.denied').length, autoApproved: rows.filter((r) => r.outcome === 'request.auto_approved').length, grants: rows.filter((r) => r.outcome === 'grant.started').length },
  }
}

/** Refused attempts: policy denials and failed authentications. */
export function deniedAttemptsEvidence(ctx: EvidenceContext): EvidenceSection {
  const rows = ctx.events.filter((e) => (e.type === 'authz.decision' && e.decision === 'deny') || e.type === 'auth.failed' || e.type === 'request.refused').map((e) => ({
    at: e.at, type: e.type, principalType: e.principalType, principal: e.principal, environment: e.environment, dag: e.dag, action: e.action,
    reason: cell(e.data.reason ?? e.data.code ?? (e.policyIds.length ? e.policyIds.join(' ') : 'no permit')),
  }))
  return {
    kind: 'denied_attempts', title: 'Denied attempts', notes: [], rows,
    summary: { denied: rows.filter((r) => r.type === 'authz.decision').length, authFailed: rows.filter((r) => r.type === 'auth.failed').length, refused: rows.filter((r) => r.type === 'request.refused').length },
  }
}

/** Activity found in environments that did not go through Conductor. */
export function shadowActivityEvidence(ctx: EvidenceContext): EvidenceSection {
  const rows = eventsOf(ctx, 'shadow.').map((e) => ({ at: e.at, type: e.type, environment: e.environment, dag: e.dag, actor: cell(e.data.user ?? e.data.owner ?? e.principal), details: cell(e.data) }))
  return { kind: 'shadow_activity', title: 'Shadow activity', notes: ['Found at each catalog sync; activity between syncs is reported at the next.'], rows, summary: { found: rows.length } }
}

/** Access review campaigns: started, decided, revoked, completed. */
export function reviewsEvidence(ctx: EvidenceContext): EvidenceSection {
  const rows = eventsOf(ctx, 'review.').map((e) => ({
    at: e.at, type: e.type, by: e.principal, campaign: cell(e.data.campaignId ?? e.data.campaign), item: cell(e.data.itemId ?? e.data.item),
    decision: cell(e.data.decision), certified: cell(e.data.certified), revoked: cell(e.data.revoked), undecided: cell(e.data.undecided),
  }))
  return {
    kind: 'reviews', title: 'Access reviews', notes: [], rows,
    summary: { started: rows.filter((r) => r.type === 'review.campaign_started').length, completed: rows.filter((r) => r.type === 'review.campaign_completed').length, decisions: rows.filter((r) => r.type === 'review.decided').length, revoked: rows.filter((r) => r.type === 'review.revoked').length },
  }
}
