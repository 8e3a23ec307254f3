import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { ConductorError } from '../../core/index.ts'
import type { Governance } from '../../governance/index.ts'
import type { Principal, ReconciliationReport } from '../../identity/index.ts'
import { apiErrors, reconciliationReport } from '../responses.ts'

/** SCIM administration under /api/v1 (audit:read): the drift between SCIM and token claims. */
export function directoryRoutes(deps: { governance: Governance; who: (request: FastifyRequest) => Principal; reconcile: () => Promise<ReconciliationReport> }): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/scim/reconciliation', { schema: { tags: ['scim'], summary: 'Drift between SCIM users and groups and what their tokens claim (audit:read)', response: { 200: reconciliationReport, ...apiErrors() } } }, async (request) => {
      if (!deps.governance.mayReadAudit(deps.who(request))) {
        throw new ConductorError('policy_denied', 'the reconciliation report needs audit:read', { details: { action: 'audit:read' } })
      }
      return deps.reconcile()
    })
  }
}
