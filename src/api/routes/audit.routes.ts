import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { AuditFilter, AuditLog } from '../../audit/index.ts'
import { ConductorError } from '../../core/index.ts'
import type { Governance } from '../../governance/index.ts'
import type { Principal } from '../../identity/index.ts'
import { auditQuery } from '../schemas.ts'

/** The audit trail routes under /api/v1 (audit:read). */
export function auditRoutes(deps: { audit: AuditLog; governance: Governance; who: (request: FastifyRequest) => Principal }): FastifyPluginAsyncZod {
  const mustRead = (request: FastifyRequest) => {
    if (!deps.governance.mayReadAudit(deps.who(request))) {
      throw new ConductorError('policy_denied', 'reading the audit trail needs audit:read', { details: { action: 'audit:read' } })
    }
  }
  return async (app) => {
    app.get('/audit', { schema: { tags: ['audit'], summary: 'Audit events, oldest first (audit:read)', querystring: auditQuery } }, async (request) => {
      mustRead(request)
      const q = request.query
      const filter: AuditFilter = { limit: q.limit }
      for (const key of ['principal', 'environment', 'dag', 'action', 'type', 'decision', 'requestId', 'afterSeq'] as const) {
        if (q[key] !== undefined) (filter as Record<string, unknown>)[key] = q[key]
      }
      if (q.from) filter.from = new Date(q.from).toISOString()
      if (q.to) filter.to = new Date(q.to).toISOString()
      const events = await deps.audit.query(filter)
      return { events, nextAfterSeq: events.length === q.limit ? events.at(-1)!.seq : null }
    })

    app.get('/audit/verify', { schema: { tags: ['audit'], summary: 'Verify the whole hash chain (audit:read)' } }, async (request) => {
      mustRead(request)
      return deps.audit.verify()
    })
  }
}
