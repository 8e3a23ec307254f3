import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { PolicyEngine, PolicyErrorLocation } from '../../policy/index.ts'
import { apiErrors, policySetView } from '../responses.ts'

/**
 * The loaded policy set, read-only (any signed-in principal: policy as code is meant to be read).
 * `lastReloadError` is the location of the last refused reload (a {@link PolicyErrorLocation}), or null.
 */
export function policyRoutes(deps: { policy: Pick<PolicyEngine, 'current' | 'policies'>; lastReloadError: () => unknown }): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/policies', { schema: { tags: ['policy'], summary: 'The loaded policy set: version, files, validation status, each policy', response: { 200: policySetView, ...apiErrors() } } }, async () => ({
      ...deps.policy.current(),
      lastReloadError: (deps.lastReloadError() ?? null) as PolicyErrorLocation | null,
      policies: deps.policy.policies(),
    }))
  }
}
