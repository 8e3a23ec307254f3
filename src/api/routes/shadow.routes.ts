import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ConductorError } from '../../core/index.ts'
import { SHADOW_KINDS, type Governance } from '../../governance/index.ts'
import type { Principal } from '../../identity/index.ts'
import { apiErrors, shadowList } from '../responses.ts'
import { segment } from '../schemas.ts'

const shadowQuery = z.strictObject({
  environment: segment.optional(),
  since: z.iso.datetime({ offset: true }).optional().describe('Only what was found at or after this time.'),
  kind: z.enum(SHADOW_KINDS).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
})

/** Shadow activity under /api/v1 (audit:read): what was done in the environments behind Conductor's back. */
export function shadowRoutes(deps: { governance: Governance; who: (request: FastifyRequest) => Principal }): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/shadow', {
      schema: { tags: ['audit'], summary: 'Shadow activity found at catalog syncs, newest first, with counts per kind (audit:read)', querystring: shadowQuery, response: { 200: shadowList, ...apiErrors(400) } },
    }, async (request) => {
      if (!deps.governance.mayReadAudit(deps.who(request))) {
        throw new ConductorError('policy_denied', 'shadow activity needs audit:read', { details: { action: 'audit:read' } })
      }
      const { since, ...rest } = request.query
      return deps.governance.shadow.list({ ...rest, ...(since ? { since: new Date(since).toISOString() } : {}) })
    })
  }
}
