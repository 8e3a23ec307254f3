import { Readable } from 'node:stream'
import type { FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { AuditCheckpointService, AuditFilter, AuditLog } from '../../audit/index.ts'
import { ConductorError } from '../../core/index.ts'
import type { Governance } from '../../governance/index.ts'
import type { Principal } from '../../identity/index.ts'
import { auditQuery } from '../schemas.ts'
import { apiErrors, auditCheckpointList, auditCheckpointTaken, auditEvent, auditPage, auditVerifyResult } from '../responses.ts'

const exportQuery = auditQuery.extend({
  format: z.enum(['csv', 'json']).default('json'),
  limit: z.coerce.number().int().min(1).max(1_000_000).optional(),
})

/** The audit filter of a validated query; times normalized to UTC ISO. */
function toFilter(q: z.output<typeof auditQuery> | Omit<z.output<typeof exportQuery>, 'format'>): AuditFilter {
  const filter: AuditFilter = {}
  for (const key of ['principal', 'environment', 'dag', 'action', 'type', 'decision', 'requestId', 'afterSeq', 'limit'] as const) {
    if (q[key] !== undefined) (filter as Record<string, unknown>)[key] = q[key]
  }
  if (q.from) filter.from = new Date(q.from).toISOString()
  if (q.to) filter.to = new Date(q.to).toISOString()
  return filter
}

/** The audit trail routes under /api/v1 (audit:read). */
export function auditRoutes(deps: { audit: AuditLog; checkpoints?: AuditCheckpointService | undefined; governance: Governance; who: (request: FastifyRequest) => Principal }): FastifyPluginAsyncZod {
  const mustRead = (request: FastifyRequest) => {
    if (!deps.governance.mayReadAudit(deps.who(request))) {
      throw new ConductorError('policy_denied', 'reading the audit trail needs audit:read', { details: { action: 'audit:read' } })
    }
  }
  return async (app) => {
    app.get('/audit', { schema: { tags: ['audit'], summary: 'Audit events, oldest first (audit:read)', querystring: auditQuery, response: { 200: auditPage, ...apiErrors(400) } } }, async (request) => {
      mustRead(request)
      const q = request.query
      const events = await deps.audit.query(toFilter(q))
      return { events, nextAfterSeq: events.length === q.limit ? events.at(-1)!.seq : null }
    })

    app.get('/audit/export', {
      schema: {
        tags: ['audit'], summary: 'Download the filtered events as CSV or JSON (audit:read)', querystring: exportQuery,
        response: {
          200: {
            description: 'The events, streamed as an attachment',
            content: { 'application/json': { schema: z.array(auditEvent) }, 'text/csv': { schema: z.string().describe('A header line, then one line per event') } },
          },
          ...apiErrors(400),
        },
      },
    }, async (request, reply) => {
      mustRead(request)
      const { format, ...q } = request.query
      const filter = toFilter(q)
      const stamp = new Date().toISOString().replace(/[:.]/g, '-')
      await deps.audit.append({
        type: 'audit.exported', principal: deps.who(request).id, principalType: deps.who(request).type,
        data: { format, filter: { ...filter } },
      })
      reply.header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
      reply.header('content-disposition', `attachment; filename="conductor-audit-${stamp}.${format}"`)
      // A stream is sent as it is, never through the serializer; the 200 schemas above only document it.
      return reply.send(Readable.from(deps.audit.exportEvents(filter, format)) as never)
    })

    app.get('/audit/verify', { schema: { tags: ['audit'], summary: 'Verify the whole hash chain (audit:read)', response: { 200: auditVerifyResult, ...apiErrors() } } }, async (request) => {
      mustRead(request)
      return deps.audit.verify()
    })

    const checkpoints = deps.checkpoints
    if (checkpoints === undefined) return
    app.get('/audit/checkpoints', { schema: { tags: ['audit'], summary: 'Signed checkpoints of the chain and the public key that verifies them (audit:read)', response: { 200: auditCheckpointList, ...apiErrors() } } }, async (request) => {
      mustRead(request)
      return checkpoints.list()
    })

    // audit:read, not a new action: a checkpoint only attests what every reader can already see, and adds no event of its own but `audit.checkpoint`.
    app.post('/audit/checkpoints', { schema: { tags: ['audit'], summary: 'Sign the chain head now (audit:read)', response: { 200: auditCheckpointTaken, ...apiErrors(404) } } }, async (request) => {
      mustRead(request)
      const who = deps.who(request)
      return { checkpoint: (await checkpoints.checkpoint({ principal: who.id, requestId: String(request.id) })) ?? null }
    })
  }
}
