import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { FastifyRequest } from 'fastify'
import { z } from 'zod'
import { ConductorError } from '../../core/index.ts'
import { GRANT_STATES, type Governance } from '../../governance/index.ts'
import type { Principal } from '../../identity/index.ts'
import { apiErrors, requestView } from '../responses.ts'
import { lookupId } from '../schemas.ts'
import { callMeta } from '../call-meta.ts'

const isoTime = z.string().describe('ISO 8601')
// eslint-disable-next-line no-control-regex -- control characters are refused; so is white space at either end
const groupName = z.string().min(1).max(250).regex(/^[^\s\u0000-\u001f\u007f](?:[^\u0000-\u001f\u007f]*[^\s\u0000-\u001f\u007f])?$/, 'a group name: no control characters, no white space at either end')
// eslint-disable-next-line no-control-regex -- control characters but tab and line breaks are refused
const freeText = z.string().max(2000).regex(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/, 'no control characters')

const grantRequestBody = z.strictObject({
  group: groupName.describe('The group to be a member of for a while, e.g. `jit-prod-rerun`'),
  hours: z.number().describe('Whole hours, 1 to `governance.maxGrantHours` (default 8); the grant starts when approved'),
  reason: freeText.optional().describe('Why; policies may require one (`@reason("required")`)'),
})
const revokeBody = z.strictObject({ reason: freeText.optional() }).optional()
const grantParams = z.object({ id: lookupId })
const grantsQuery = z.strictObject({
  state: z.enum(['active', 'all']).default('active'),
  // eslint-disable-next-line no-control-regex -- control characters are refused
  principal: z.string().max(250).regex(/^(User|ServiceAccount|Agent):[^\u0000-\u001f\u007f]+$/, 'type:id, e.g. User:bob').optional().describe('Another principal\'s grants (`type:id`); needs audit:read'),
})

/** A just-in-time grant (`GrantView`). */
export const grantView = z.strictObject({
  id: z.string(),
  requestId: z.string().nullable().describe('The grant:request request it came from'),
  principal: z.strictObject({ type: z.string(), id: z.string() }),
  group: z.string(),
  reason: z.string().nullable(),
  state: z.enum(GRANT_STATES),
  startsAt: isoTime,
  expiresAt: isoTime,
  remainingSeconds: z.number().int().describe('Seconds left while active; 0 otherwise'),
  approvedBy: z.array(z.string()).describe('e.g. "User dave", "Policy incident-auto"'),
  revokedBy: z.string().nullable().describe('"User bob", "scim", … when revoked'),
  revokedAt: isoTime.nullable(),
}).meta({ id: 'GrantView' })
const grantAnswer = z.strictObject({ grant: grantView }).meta({ id: 'GrantAnswer' })
const grantList = z.strictObject({ grants: z.array(grantView) }).meta({ id: 'GrantList' })
const grantPending = z.strictObject({ request: requestView }).meta({ id: 'GrantPending' })

/** Just-in-time grants under /api/v1: ask for one, list, read, revoke (docs/grants.md). */
export function grantsRoutes(deps: { governance: Governance; who: (request: FastifyRequest) => Principal }): FastifyPluginAsyncZod {
  const { governance: g, who } = deps
  return async (app) => {
    app.post('/grants', { schema: { tags: ['grants'], summary: 'Ask for a time-bound grant of a group (grant:request): 201 granted at once, or 202 with the request waiting for approval', body: grantRequestBody, response: { 201: grantAnswer, 202: grantPending, ...apiErrors(400) } } }, async (request, reply) => {
      const answer = await g.grants.request(who(request), request.body, callMeta(request))
      if (answer.grant) {
        reply.code(201).header('location', `/api/v1/grants/${encodeURIComponent(answer.grant.id)}`)
        return { grant: answer.grant }
      }
      reply.code(202).header('location', `/api/v1/requests/${encodeURIComponent(answer.request.id)}`)
      return { request: answer.request }
    })

    app.get('/grants', { schema: { tags: ['grants'], summary: 'Your grants, active first (`state=all` for ended ones too); another principal\'s with audit:read', querystring: grantsQuery, response: { 200: grantList, ...apiErrors(400) } } }, async (request) => {
      const q = request.query
      const of = q.principal ? { type: q.principal.slice(0, q.principal.indexOf(':')), id: q.principal.slice(q.principal.indexOf(':') + 1) } : undefined
      return { grants: await g.grants.list(who(request), { all: q.state === 'all', ...(of ? { of } : {}) }) }
    })

    app.get('/grants/:id', { schema: { tags: ['grants'], summary: 'One grant: for its grantee, its approvers and audit readers', params: grantParams, response: { 200: grantAnswer, ...apiErrors(400, 404) } } }, async (request) => {
      return { grant: await g.grants.get(who(request), request.params.id) }
    })

    app.post('/grants/:id/revoke', { schema: { tags: ['grants'], summary: 'End a grant now: its grantee, an approver, or grant:revoke on its group', params: grantParams, body: revokeBody, response: { 200: grantAnswer, ...apiErrors(400, 404, 409) } } }, async (request) => {
      const reason = request.body?.reason
      if (reason !== undefined && reason.length === 0) throw new ConductorError('invalid_input', 'reason: give one or leave it out', { details: { field: 'reason' } })
      return { grant: await g.grants.revoke(who(request), request.params.id, reason) }
    })
  }
}
