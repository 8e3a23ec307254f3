import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Principal, ServiceAccountTrusts } from '../../identity/index.ts'
import { apiErrors } from '../responses.ts'
import { lookupId } from '../schemas.ts'

const accountParams = z.object({ name: lookupId })
const trustParams = z.object({ name: lookupId, id: lookupId })

/** One trust rule of a service account (`TrustRuleView`). */
export const trustRuleView = z.strictObject({
  id: z.string(),
  serviceAccount: z.string(),
  issuer: z.string().describe('A workload issuer\'s name (`identity.workloadIssuers`) or `aws`'),
  conditions: z.record(z.string(), z.string()).describe('Claim path → glob (`*` matches any run of characters; anchored)'),
  description: z.string(),
  createdAt: z.string().describe('ISO 8601'),
  createdBy: z.string(),
}).meta({ id: 'TrustRuleView' })

const trustRuleAnswer = z.strictObject({ trust: trustRuleView }).meta({ id: 'TrustRuleAnswer' })

const trustRuleBody = z.strictObject({
  issuer: z.string().min(1).max(100).describe('A workload issuer\'s name, or `aws`'),
  conditions: z.record(z.string(), z.unknown()).describe('Claim path → glob. GitHub needs `repository` (owner without wildcards); Kubernetes `namespace` and `serviceAccount`; AWS `arn` (a role or user ARN, account without wildcards)'),
  description: z.string().max(500).optional(),
})

/** Trust rules of service accounts under /api/v1 (docs/workload-identity.md). */
export function trustsRoutes(deps: { trusts: ServiceAccountTrusts; who: (request: FastifyRequest) => Principal }): FastifyPluginAsyncZod {
  const { trusts, who } = deps
  return async (app) => {
    app.get('/service-accounts/:name/trusts', {
      schema: { tags: ['service-accounts'], summary: 'The workload identities that may act as this service account (service_account:read)', params: accountParams, response: { 200: z.strictObject({ trusts: z.array(trustRuleView) }).meta({ id: 'TrustRuleList' }), ...apiErrors(400, 404) } },
    }, async (request) => ({ trusts: await trusts.list(who(request), request.params.name) }))

    app.post('/service-accounts/:name/trusts', {
      schema: { tags: ['service-accounts'], summary: 'Trust a workload identity (service_account:manage): 201 with the rule; 400 trust_rule_invalid names the condition that trusts too much', params: accountParams, body: trustRuleBody, response: { 201: trustRuleAnswer, ...apiErrors(400, 404, 409) } },
    }, async (request, reply) => {
      const trust = await trusts.add(who(request), request.params.name, request.body as { issuer: string; conditions: Record<string, string>; description?: string })
      reply.code(201).header('location', `/api/v1/service-accounts/${encodeURIComponent(trust.serviceAccount)}/trusts/${encodeURIComponent(trust.id)}`)
      return { trust }
    })

    app.delete('/service-accounts/:name/trusts/:id', {
      schema: { tags: ['service-accounts'], summary: 'Stop trusting a workload identity (service_account:manage); tokens already exchanged live out their minutes', params: trustParams, response: { 200: trustRuleAnswer, ...apiErrors(400, 404) } },
    }, async (request) => ({ trust: await trusts.remove(who(request), request.params.name, request.params.id) }))
  }
}
