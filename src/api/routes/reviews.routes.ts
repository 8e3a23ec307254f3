import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { FastifyRequest } from 'fastify'
import { z } from 'zod'
import { CAMPAIGN_STATES, type Reviews } from '../../compliance/index.ts'
import type { Principal } from '../../identity/index.ts'
import { apiErrors } from '../responses.ts'
import { lookupId, segment, text } from '../schemas.ts'

const isoTime = z.string().describe('ISO 8601')
const principalKey = z.strictObject({ type: z.string(), id: z.string() })
const scope = z.strictObject({
  environments: z.array(segment).max(200).optional().describe('Environments by name'),
  zones: z.array(text(100).min(1)).max(100).optional().describe('Environments by compliance zone'),
  tags: z.array(text(250).min(1)).max(100).optional().describe('DAGs by tag (any of them); DAG access only'),
}).describe('What the campaign covers; empty (or absent) axes cover everything. Conductor-level access only when the scope is everything.')
const why = z.strictObject({
  policies: z.array(z.string()).describe('The permitting policies'),
  groups: z.array(z.string()).describe('The principal\'s groups that the permitting policies name'),
  grants: z.array(z.strictObject({ id: z.string(), group: z.string(), expiresAt: isoTime })).describe('Active just-in-time grants of those groups'),
}).meta({ id: 'ReviewWhy' })

const campaign = z.strictObject({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  scope: scope.meta({ id: 'ReviewScope' }),
  dueAt: isoTime,
  state: z.enum(CAMPAIGN_STATES),
  createdBy: principalKey,
  createdAt: isoTime,
  completedAt: isoTime.nullable(),
  policyVersion: z.number().int(),
  counts: z.strictObject({ items: z.number().int(), pending: z.number().int(), certified: z.number().int(), revoked: z.number().int() }),
}).meta({ id: 'Campaign' })
const item = z.strictObject({
  id: z.string(),
  campaignId: z.string(),
  principal: z.strictObject({ type: z.string(), id: z.string(), displayName: z.string().nullable(), groups: z.array(z.string()) }),
  action: z.string(),
  environment: z.string().nullable().describe('Null for Conductor-level access'),
  dagIds: z.array(z.string()).nullable().describe('The DAGs allowed; null for environment- or Conductor-level access'),
  why,
  reviewers: z.array(principalKey).describe('Who policy allowed to review it at the start (never the principal itself)'),
  decision: z.strictObject({ decision: z.enum(['certify', 'revoke']), comment: z.string().nullable(), by: principalKey, at: isoTime }).nullable(),
}).meta({ id: 'ReviewItem' })
const finding = z.strictObject({
  id: z.string(),
  campaignId: z.string(),
  itemId: z.string(),
  principal: principalKey,
  action: z.string(),
  environment: z.string().nullable(),
  dagIds: z.array(z.string()).nullable(),
  source: why.describe('What gave the access: fix it there (the IdP group, the policy, the grant)'),
  state: z.enum(['open', 'resolved']).describe('`open`: the access is suspended; `resolved`: policy and the directory no longer grant it'),
  createdAt: isoTime,
  resolvedAt: isoTime.nullable(),
  resolution: z.string().nullable(),
}).meta({ id: 'ReviewFinding' })

const campaignAnswer = z.strictObject({ campaign }).meta({ id: 'CampaignAnswer' })
const campaignList = z.strictObject({ campaigns: z.array(campaign) }).meta({ id: 'CampaignList' })
const itemList = z.strictObject({ items: z.array(item) }).meta({ id: 'ReviewItemList' })
const decisionAnswer = z.strictObject({ items: z.array(item), campaign }).meta({ id: 'ReviewDecisionAnswer' })
const findingList = z.strictObject({ findings: z.array(finding) }).meta({ id: 'ReviewFindingList' })

const createBody = z.strictObject({
  name: text(200).min(1),
  description: text(2000).optional(),
  scope: scope.optional(),
  dueAt: isoTime,
})
const decisionsBody = z.strictObject({
  decisions: z.array(z.strictObject({
    itemId: lookupId,
    decision: z.enum(['certify', 'revoke']),
    comment: text(2000).optional().describe('Required for a revoke'),
  })).min(1).max(1000),
})
const params = z.object({ id: lookupId })
const listQuery = z.strictObject({ state: z.enum(CAMPAIGN_STATES).optional() })
const itemsQuery = z.strictObject({
  decision: z.enum(['pending', 'certified', 'revoked']).optional(),
  mine: z.enum(['true', 'false']).optional().describe('Only the items you review'),
})
const findingsQuery = z.strictObject({ state: z.enum(['open', 'resolved']).optional() })

/** Access review campaigns under /api/v1/reviews (docs/reviews.md). */
export function reviewsRoutes(deps: { reviews: Reviews; who: (request: FastifyRequest) => Principal }): FastifyPluginAsyncZod {
  const { reviews: r, who } = deps
  return async (app) => {
    app.post('/reviews/campaigns', { schema: { tags: ['reviews'], summary: 'Start an access review campaign: its items (who can do what, why, and who reviews it) are computed now and frozen (review:manage)', body: createBody, response: { 201: campaignAnswer, ...apiErrors(400) } } }, async (request, reply) => {
      const started = await r.start(who(request), request.body)
      reply.code(201).header('location', `/api/v1/reviews/campaigns/${encodeURIComponent(started.id)}`)
      return { campaign: started }
    })

    app.get('/reviews/campaigns', { schema: { tags: ['reviews'], summary: 'The campaigns (all with review:read or audit:read; else those you review items of)', querystring: listQuery, response: { 200: campaignList, ...apiErrors(400) } } }, async (request) => {
      return { campaigns: await r.list(who(request), request.query.state) }
    })

    app.get('/reviews/campaigns/:id', { schema: { tags: ['reviews'], summary: 'One campaign with its counts', params, response: { 200: campaignAnswer, ...apiErrors(400, 404) } } }, async (request) => {
      return { campaign: await r.get(who(request), request.params.id) }
    })

    app.get('/reviews/campaigns/:id/items', { schema: { tags: ['reviews'], summary: 'A campaign\'s items (only those you review, without review:read or audit:read)', params, querystring: itemsQuery, response: { 200: itemList, ...apiErrors(400, 404) } } }, async (request) => {
      return { items: await r.items(who(request), request.params.id, { decision: request.query.decision, mine: request.query.mine === 'true' }) }
    })

    app.post('/reviews/campaigns/:id/decisions', { schema: { tags: ['reviews'], summary: 'Certify or revoke items, all or nothing (access:review on each, never your own access); a revoke suspends the access at once', params, body: decisionsBody, response: { 200: decisionAnswer, ...apiErrors(400, 404, 409) } } }, async (request) => {
      return r.decide(who(request), request.params.id, request.body.decisions)
    })

    app.post('/reviews/campaigns/:id/complete', { schema: { tags: ['reviews'], summary: 'Complete the campaign now; undecided items stay not reviewed (review:manage)', params, response: { 200: campaignAnswer, ...apiErrors(400, 404, 409) } } }, async (request) => {
      return { campaign: await r.complete(who(request), request.params.id) }
    })

    app.post('/reviews/campaigns/:id/cancel', { schema: { tags: ['reviews'], summary: 'Cancel the campaign (review:manage)', params, response: { 200: campaignAnswer, ...apiErrors(400, 404, 409) } } }, async (request) => {
      return { campaign: await r.cancel(who(request), request.params.id) }
    })

    app.get('/reviews/mine', { schema: { tags: ['reviews'], summary: 'The pending items of open campaigns that you may decide', response: { 200: itemList, ...apiErrors() } } }, async (request) => {
      return { items: await r.mine(who(request)) }
    })

    app.get('/reviews/findings', { schema: { tags: ['reviews'], summary: 'Revoked access to fix at the source; open ones are suspended (review:read or audit:read)', querystring: findingsQuery, response: { 200: findingList, ...apiErrors(400) } } }, async (request) => {
      return { findings: await r.findings(who(request), request.query.state) }
    })
  }
}
