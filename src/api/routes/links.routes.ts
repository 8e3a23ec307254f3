import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { FastifyRequest } from 'fastify'
import { z } from 'zod'
import { LINK_STATES, type Links } from '../../governance/index.ts'
import type { Principal } from '../../identity/index.ts'
import { apiErrors } from '../responses.ts'
import { lookupId, segment, text } from '../schemas.ts'

const isoTime = z.string().describe('ISO 8601')
const ownerRef = z.strictObject({
  type: z.enum(['User', 'ServiceAccount', 'Agent']),
  id: text(250).min(1),
}).describe('The principal the link triggers as')
const linkEnd = z.strictObject({
  environment: segment,
  dagId: segment.optional().describe('A DAG of the environment'),
  assetUri: text(1500).min(1).optional().describe('An asset of the environment (Airflow 3), by its URI'),
}).describe('Exactly one of dagId and assetUri')
const confTemplate = z.unknown().describe('The conf each firing passes (the extra of each asset event it posts, for an asset target): a JSON object whose string values may hold {{source.environment}} and, for a DAG source, {{source.run_id}}, {{source.dag_id}}, {{source.logical_date}}, {{source.end_date}}; for an asset source, {{source.asset_uri}}, {{source.event_id}}, {{source.timestamp}}, {{source.dag_id}}, {{source.run_id}}')
const description = text(500).describe('What the link is for')

const createBody = z.strictObject({
  source: linkEnd.describe('The DAG whose successful runs fire the link, or the asset whose events do (exactly one of dagId and assetUri)'),
  target: linkEnd.describe('The DAG each firing triggers, or the asset each firing posts an event for (exactly one of dagId and assetUri)'),
  confTemplate: confTemplate.optional(),
  description: description.optional(),
  owner: ownerRef.optional().describe('Who it acts as (default: you); policy decides whether you may create it for them (`link:create`)'),
})
const patchBody = z.strictObject({ confTemplate: confTemplate.optional(), description: description.nullable().optional() })
const linkParams = z.object({ id: lookupId })
const firingsQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(500).optional() })

const linkFiring = z.strictObject({
  sourceRunId: z.string().nullable().describe('The source run that succeeded (null for an asset source)'),
  sourceEndDate: isoTime.nullable().describe('When the source event happened: the run\'s end date, or the asset event\'s timestamp'),
  sourceAssetEventId: z.string().nullable().describe('Airflow\'s id of the source asset event (null for a DAG source)'),
  requestId: z.string().nullable().describe('The request of the firing: dag:trigger for a DAG target, asset:post_event for an asset target'),
  outcome: z.string().describe('`claimed` (under way), `fired`, `refused` (the link was suspended) or `failed`'),
  at: isoTime,
}).meta({ id: 'LinkFiring' })

const linkEndView = z.strictObject({
  environment: z.string(), dagId: z.string().optional().describe('The DAG, for a DAG end'), assetUri: z.string().optional().describe('The asset\'s URI, for an asset end'),
}).describe('A DAG (dagId) or an asset (assetUri) of the environment').meta({ id: 'LinkEnd' })

/** A cross-deployment link (`LinkView`). */
export const linkView = z.strictObject({
  id: z.string(),
  owner: z.strictObject({ type: z.enum(['User', 'ServiceAccount', 'Agent']), id: z.string() }),
  source: linkEndView,
  target: linkEndView,
  confTemplate: z.record(z.string(), z.unknown()),
  description: z.string().nullable(),
  state: z.enum(LINK_STATES),
  suspendedReason: z.string().nullable().describe('`suspended_by_user`, `owner_deprovisioned` or `owner_not_allowed` while suspended'),
  cursor: isoTime.nullable().describe('The end date of the latest source run seen (the timestamp of the latest asset event, for an asset source)'),
  lastFirings: z.array(linkFiring).describe('Its latest firings, newest first (at most 5)'),
  createdBy: z.string(),
  createdAt: isoTime,
  updatedAt: isoTime,
}).meta({ id: 'LinkView' })
const linkAnswer = z.strictObject({ link: linkView }).meta({ id: 'LinkAnswer' })
const linkList = z.strictObject({ links: z.array(linkView) }).meta({ id: 'LinkList' })
const firingList = z.strictObject({ firings: z.array(linkFiring) }).meta({ id: 'LinkFiringList' })

/** Cross-deployment links under /api/v1 (docs/links.md). */
export function linksRoutes(deps: { links: Links; who: (request: FastifyRequest) => Principal }): FastifyPluginAsyncZod {
  const { links: l, who } = deps
  return async (app) => {
    app.post('/links', { schema: { tags: ['links'], summary: 'Create a link: when the source DAG succeeds (or the source asset is updated), trigger the target DAG (or post an event for the target asset) as the owner (link:create; the owner must be allowed dag:read on a source DAG or asset:read on a source asset\'s environment, and dag:trigger on a target DAG or asset:post_event on a target asset\'s environment)', body: createBody, response: { 201: linkAnswer, ...apiErrors(400, 404) } } }, async (request, reply) => {
      const link = await l.create(who(request), request.body)
      reply.code(201).header('location', `/api/v1/links/${encodeURIComponent(link.id)}`)
      return { link }
    })

    app.get('/links', { schema: { tags: ['links'], summary: 'The links you may see (link:read), with owner, state and last firings', response: { 200: linkList, ...apiErrors() } } }, async (request) => {
      return { links: await l.list(who(request)) }
    })

    app.get('/links/:id', { schema: { tags: ['links'], summary: 'One link', params: linkParams, response: { 200: linkAnswer, ...apiErrors(400, 404) } } }, async (request) => {
      return { link: await l.get(who(request), request.params.id) }
    })

    app.patch('/links/:id', { schema: { tags: ['links'], summary: 'Change its conf template or description (link:manage)', params: linkParams, body: patchBody, response: { 200: linkAnswer, ...apiErrors(400, 404) } } }, async (request) => {
      return { link: await l.update(who(request), request.params.id, request.body) }
    })

    app.delete('/links/:id', { schema: { tags: ['links'], summary: 'Delete it and its firings (link:manage); answers the link as it was', params: linkParams, response: { 200: linkAnswer, ...apiErrors(400, 404) } } }, async (request) => {
      return { link: await l.delete(who(request), request.params.id) }
    })

    app.post('/links/:id/suspend', { schema: { tags: ['links'], summary: 'Stop it firing (link:manage)', params: linkParams, response: { 200: linkAnswer, ...apiErrors(400, 404) } } }, async (request) => {
      return { link: await l.suspend(who(request), request.params.id) }
    })

    app.post('/links/:id/resume', { schema: { tags: ['links'], summary: 'Let it fire again for source runs ending (asset events happening) from now (link:manage; its owner must still be allowed)', params: linkParams, response: { 200: linkAnswer, ...apiErrors(400, 404) } } }, async (request) => {
      return { link: await l.resume(who(request), request.params.id) }
    })

    app.get('/links/:id/firings', { schema: { tags: ['links'], summary: 'Its firings, newest first', params: linkParams, querystring: firingsQuery, response: { 200: firingList, ...apiErrors(400, 404) } } }, async (request) => {
      return { firings: await l.firings(who(request), request.params.id, request.query.limit) }
    })
  }
}
