import { ConductorError } from '../../core/index.ts'
import { approvalContext } from '../approvals/approval-context.ts'
import { insertApproval } from '../approvals/approvals.repository.ts'
import { inputHash } from '../approvals/input-hash.ts'
import { authorizationRequest } from '../targets.ts'
import { eventTarget, isoNow, persist, type PipelineContext } from './context.ts'

/** How long a pending request waits for approval when the deps do not say (`governance.approvalHours`). */
export const DEFAULT_APPROVAL_HOURS = 24

/**
 * The approval step. A plain allow proceeds. An allow with approval (every permit that allowed carries `@approval`)
 * is recorded as `pending` with what it waits for, when it expires and the hash of exactly what was asked, audited
 * `request.pending`, and stops the pipeline (`ctx.pending`); it is dispatched once enough approvers approve. When policy
 * permits the requester `request:auto_approve` on it, it is approved at once by that rule (audited `request.auto_approved`
 * with the rule's ids, recorded as a verdict of approver type `Policy`) and proceeds. When the
 * policy requires a reason and none was given, the request is refused with `reason_required` and never pending.
 */
export async function approve<T>(ctx: PipelineContext<T>): Promise<void> {
  const approval = ctx.decision?.approval
  if (!approval) return
  const { call, deps, request } = ctx
  const now = deps.clock.now()
  if (!call.mutates) {
    // Only changes wait for a second person; a read policy asks approval for is refused rather than left waiting.
    const message = `${call.action} cannot wait for approval (policy ${approval.policyIds.join(', ')} asks for it): denied`
    request.state = 'denied'
    request.error_code = 'policy_denied'
    request.error_message = message
    request.updated_at = isoNow(deps.clock)
    // Stored as before: policy's decision (allow, with approval) and the state it ends in.
    await persist(ctx)
    request.decision = 'deny'
    throw new ConductorError('policy_denied', message, { details: { requestId: request.id, decisionId: request.id, reasons: [message], policyIds: approval.policyIds } })
  }
  if (approval.reasonRequired && !call.context.reason?.trim()) {
    const message = `policy ${approval.policyIds.join(', ')} asks for approval with a reason: give one`
    request.state = 'refused'
    request.error_code = 'reason_required'
    request.error_message = message
    request.updated_at = isoNow(deps.clock)
    await persist(ctx, [{ ...eventTarget(ctx), type: 'request.refused', decision: 'deny', data: { errorCode: 'reason_required', message, policyIds: approval.policyIds } }])
    throw new ConductorError('reason_required', message, { details: { field: 'reason', requestId: request.id } })
  }
  request.input_hash = inputHash(request)
  const auto = deps.policy.authorize(authorizationRequest(call.principal, 'request:auto_approve', call.environment, call.dag, { request: approvalContext(request, call.environment) }))
  if (auto.decision === 'allow') {
    // An auto-approval rule approves it at once: recorded on the request and in the audit trail with the rule's ids.
    request.approval = JSON.stringify({ ...approval, autoApprovedBy: auto.policyIds })
    request.updated_at = new Date(now).toISOString()
    const verdict = {
      request_id: request.id, approver_type: 'Policy', approver_id: auto.policyIds.join(','), approver_groups: '[]', verdict: 'approve' as const, comment: null, created_at: request.updated_at,
    }
    // Noted now, committed with the dispatch (or the request's first commit): the request row must exist first.
    ctx.unsaved = [...(ctx.unsaved ?? []), { ...eventTarget(ctx), type: 'request.auto_approved', decision: 'allow', policyIds: auto.policyIds, data: { requiredBy: approval.policyIds, groups: approval.groups } }]
    ctx.also = async (db) => { await insertApproval(db, verdict) }
    return
  }
  const hours = deps.approvalHours ?? DEFAULT_APPROVAL_HOURS
  request.state = 'pending'
  request.approval = JSON.stringify(approval)
  request.expires_at = new Date(now + hours * 3_600_000).toISOString()
  request.updated_at = new Date(now).toISOString()
  await persist(ctx, [{
    ...eventTarget(ctx), type: 'request.pending', decision: 'allow', policyIds: approval.policyIds,
    data: { groups: approval.groups, reasonRequired: approval.reasonRequired, expiresAt: request.expires_at, inputHash: request.input_hash, ...ctx.call.channel },
  }])
  ctx.pending = true
}
