import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { AuditEvent, AuditLog } from '../../audit/index.ts'
import type { Governance } from '../../governance/index.ts'
import type { Principal } from '../../identity/index.ts'
import { apiErrors, requestEvents, requestView } from '../responses.ts'
import { requestParams } from '../schemas.ts'

const verdictBody = z.strictObject({
  // eslint-disable-next-line no-control-regex -- control characters but tab and line breaks are refused
  comment: z.string().max(2000).regex(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/, 'no control characters').optional(),
}).optional()

/** Events Conductor itself causes: no person acted. */
const SYSTEM_EVENTS = new Set(['request.expired', 'dispatch.sent', 'dispatch.result', 'grant.started', 'grant.expired'])

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null)

/** One audit event as a step of a request's lifecycle: who acted, their comment, what it came to. */
function lifecycleStep(event: AuditEvent): z.output<typeof requestEvents>['events'][number] {
  const d = event.data
  const approver = text(d.approver)
  // `revokedBy` reads "User bob", or a word such as "scim" for Conductor's own deprovisioning.
  const revoker = text(d.revokedBy)?.split(' ')
  const actor = approver ? { type: text(d.approverType) ?? 'User', id: approver }
    : revoker ? (revoker.length > 1 ? { type: revoker[0]!, id: revoker.slice(1).join(' ') } : null)
    : event.type === 'request.auto_approved' ? { type: 'Policy', id: event.policyIds.join(',') }
      : SYSTEM_EVENTS.has(event.type) || !event.principal ? null : { type: event.principalType ?? 'User', id: event.principal }
  const runId = text(d.runId)
  const failure = text(d.errorCode) ? `${String(d.errorCode)}${text(d.message) ? `: ${String(d.message)}` : ''}` : null
  const outcome = failure ?? (event.type === 'authz.decision' && event.decision ? `${event.decision}${event.policyIds.length ? ` by ${event.policyIds.join(', ')}` : ''}` : runId ? `run ${runId}`
    : text(d.expiresAt) && event.type === 'grant.started' ? `${String(d.group)} until ${String(d.expiresAt)}` : null)
  return { seq: event.seq, type: event.type, at: event.at, actor, comment: text(d.comment) ?? text(d.reason), outcome }
}

/** Deciding on pending requests under /api/v1: approve, deny (an approver), cancel (the requester); a request's lifecycle. */
export function approvalsRoutes(deps: { governance: Governance; audit: Pick<AuditLog, 'query'>; who: (request: FastifyRequest) => Principal }): FastifyPluginAsyncZod {
  const { governance: g, who } = deps
  return async (app) => {
    app.post('/requests/:id/approve', { schema: { tags: ['requests'], summary: 'Approve a pending request (request:approve; never your own); it runs once enough approvers approved', params: requestParams, body: verdictBody, response: { 200: requestView, ...apiErrors(400, 404, 409) } } }, async (request) => {
      return g.approvals.approve(who(request), request.params.id, request.body?.comment)
    })

    app.post('/requests/:id/deny', { schema: { tags: ['requests'], summary: 'Deny a pending request (request:approve; never your own); it never runs', params: requestParams, body: verdictBody, response: { 200: requestView, ...apiErrors(400, 404, 409) } } }, async (request) => {
      return g.approvals.deny(who(request), request.params.id, request.body?.comment)
    })

    app.post('/requests/:id/cancel', { schema: { tags: ['requests'], summary: 'Cancel your own pending request', params: requestParams, response: { 200: requestView, ...apiErrors(400, 404, 409) } } }, async (request) => {
      return g.approvals.cancel(who(request), request.params.id)
    })

    app.get('/requests/:id/events', { schema: { tags: ['requests'], summary: 'A request\'s lifecycle from the audit trail, oldest first (whoever may see the request)', params: requestParams, response: { 200: requestEvents, ...apiErrors(400, 404) } } }, async (request) => {
      await g.approvals.view(who(request), request.params.id)
      return { events: (await deps.audit.query({ requestId: request.params.id, limit: 1000 })).map(lifecycleStep) }
    })
  }
}
