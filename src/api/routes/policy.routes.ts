import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { PolicyImpacts } from '../../governance/index.ts'
import type { Principal } from '../../identity/index.ts'
import type { PolicyEngine, PolicyErrorLocation } from '../../policy/index.ts'
import { apiErrors, policyImpactView, policySetView } from '../responses.ts'

const impactBody = z.strictObject({
  files: z.record(z.string().min(1).max(200), z.string().max(1_000_000))
    .refine((files) => Object.keys(files).length <= 500, 'at most 500 files')
    .describe('Policy file name (NAME.cedar) → Cedar text.'),
  mode: z.enum(['overlay', 'replace']).default('overlay')
    .describe('overlay: the files are added to, or replace, the loaded files of the same name (an empty text removes one); replace: the files are the whole proposed set.'),
})

/**
 * The loaded policy set, read-only (any signed-in principal: policy as code is meant to be read), and the impact of a
 * proposed change (`POST /policies/impact`, policy:write or audit:read). `lastReloadError` is the location of the last
 * refused reload (a {@link PolicyErrorLocation}), or null.
 */
export function policyRoutes(deps: {
  policy: Pick<PolicyEngine, 'current' | 'policies'>
  lastReloadError: () => unknown
  impacts?: PolicyImpacts | undefined
  who?: (request: FastifyRequest) => Principal
}): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/policies', { schema: { tags: ['policy'], summary: 'The loaded policy set: version, files, validation status, each policy', response: { 200: policySetView, ...apiErrors() } } }, async () => ({
      ...deps.policy.current(),
      lastReloadError: (deps.lastReloadError() ?? null) as PolicyErrorLocation | null,
      policies: deps.policy.policies(),
    }))

    const { impacts, who } = deps
    if (impacts && who) {
      app.post('/policies/impact', {
        schema: {
          tags: ['policy'],
          summary: 'Who would gain and who would lose which actions on which DAGs and environments under a proposed policy set (policy:write or audit:read)',
          body: impactBody,
          response: { 200: policyImpactView, ...apiErrors(400) },
        },
      }, async (request) => impacts.compute(who(request), request.body))
    }
  }
}
