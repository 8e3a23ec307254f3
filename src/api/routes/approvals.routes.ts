import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { Governance } from '../../governance/index.ts'
import type { Principal } from '../../identity/index.ts'
import { apiErrors, requestView } from '../responses.ts'
import { requestParams } from '../schemas.ts'

const verdictBody = z.strictObject({
  // eslint-disable-next-line no-control-regex -- control characters but tab and line breaks are refused
  comment: z.string().max(2000).regex(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/, 'no control characters').optional(),
}).optional()

/** Deciding on pending requests under /api/v1: approve, deny (an approver), cancel (the requester). */
export function approvalsRoutes(deps: { governance: Governance; who: (request: FastifyRequest) => Principal }): FastifyPluginAsyncZod {
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
  }
}
