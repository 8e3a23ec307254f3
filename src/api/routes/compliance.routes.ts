import type { FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { toTarGz, type Evidence } from '../../compliance/index.ts'
import { ConductorError } from '../../core/index.ts'
import type { Governance } from '../../governance/index.ts'
import type { Principal } from '../../identity/index.ts'
import { apiErrors } from '../responses.ts'

const instant = z.string().min(1).max(64).describe('An ISO 8601 date or date-time (UTC when no offset)')

const evidenceBody = z.strictObject({
  from: instant.describe('Start of the period (included)'),
  to: instant.describe('End of the period (excluded)'),
  asOf: instant.optional().describe('The moment access is shown as of; default the period\'s end (or now, if that is later)'),
})

const accessEntry = z.strictObject({
  action: z.string(), environment: z.string().nullable(), dagIds: z.array(z.string()).nullable(), policyIds: z.array(z.string()),
})
const accessAsOfAnswer = z.strictObject({
  asOf: z.string(),
  policy: z.strictObject({ hash: z.string(), version: z.number(), loadedAt: z.string() }).describe('The policy set in force at asOf'),
  principals: z.number().int().describe('Principals recorded active at asOf'),
  catalog: z.literal('current').describe('The DAG catalog used is the current one, not the one at asOf'),
  classes: z.array(z.strictObject({
    principals: z.array(z.strictObject({ type: z.string(), id: z.string(), displayName: z.string().nullable(), groups: z.array(z.string()), email: z.string().nullable().optional() })),
    groups: z.array(z.string()),
    entries: z.array(accessEntry),
  })),
  counts: z.strictObject({ principals: z.number(), dags: z.number(), environments: z.number(), evaluations: z.number() }),
})

/** Compliance routes under /api/v1 (audit:read): the evidence bundle and access as of a moment. */
export function complianceRoutes(deps: {
  evidence: Evidence
  governance: Governance
  who: (request: FastifyRequest) => Principal
}): FastifyPluginAsyncZod {
  const mustRead = (request: FastifyRequest) => {
    if (!deps.governance.mayReadAudit(deps.who(request))) {
      throw new ConductorError('policy_denied', 'compliance evidence needs audit:read', { details: { action: 'audit:read' } })
    }
  }
  return async (app) => {
    app.post('/compliance/evidence', {
      schema: {
        tags: ['compliance'], summary: 'Build and download the evidence bundle for a period, as tar.gz (audit:read)', body: evidenceBody,
        response: {
          200: { description: 'The bundle: controls/<id>.json and .csv, summary.html, summary.pdf, audit/events.jsonl, manifest.json', content: { 'application/gzip': { schema: z.string().describe('A gzip-compressed tar') } } },
          ...apiErrors(400, 404),
        },
      },
    }, async (request, reply) => {
      mustRead(request)
      const caller = deps.who(request)
      const bundle = await deps.evidence.bundle(request.body, { type: caller.type, id: caller.id })
      const { from, to } = bundle.manifest.period
      reply.header('content-type', 'application/gzip')
      reply.header('content-disposition', `attachment; filename="conductor-evidence-${from.slice(0, 10)}-${to.slice(0, 10)}.tar.gz"`)
      // Bytes are sent as they are, never through the serializer; the 200 schema above only documents them.
      return reply.send(await toTarGz(bundle.files, new Date(bundle.manifest.generatedAt)) as never)
    })

    app.get('/compliance/access', {
      schema: {
        tags: ['compliance'], summary: 'Who could do what as of a moment, recomputed from the policy version and directory state then (audit:read)',
        querystring: z.strictObject({ asOf: instant.optional().describe('Default: now') }),
        response: { 200: accessAsOfAnswer, ...apiErrors(400) },
      },
    }, async (request) => {
      mustRead(request)
      return deps.evidence.accessAsOf(request.query.asOf)
    })
  }
}
