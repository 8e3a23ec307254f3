import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { PolicyEngine } from '../../policy/index.ts'

/** The loaded policy set, read-only (any signed-in principal: policy as code is meant to be read). */
export function policyRoutes(deps: { policy: Pick<PolicyEngine, 'current' | 'policies'>; lastReloadError: () => unknown }): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/policies', { schema: { tags: ['policy'], summary: 'The loaded policy set: version, files, validation status, each policy' } }, async () => ({
      ...deps.policy.current(),
      lastReloadError: deps.lastReloadError() ?? null,
      policies: deps.policy.policies(),
    }))
  }
}
