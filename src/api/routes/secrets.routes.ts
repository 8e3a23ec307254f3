import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ConductorError } from '../../core/index.ts'
import type { Governance } from '../../governance/index.ts'
import type { Principal } from '../../identity/index.ts'
import { apiErrors } from '../responses.ts'

const secretStatus = z.strictObject({
  provider: z.string().describe('The secrets provider\'s name in `secrets.providers`.'),
  type: z.string().describe('`file`, `vault` or `aws`.'),
  secret: z.string().describe('The secret\'s name inside the provider (never its value).'),
  usedBy: z.string().describe('What uses it, e.g. `environment prod-eu`, `webhook ops`.'),
  version: z.string().nullable().describe('The version held: Vault\'s KV version, AWS\'s VersionId, a file\'s modification time.'),
  fetchedAt: z.string().nullable().describe('ISO 8601: when the value held was read from the provider; null when it never was.'),
  ageSeconds: z.number().nullable().describe('Seconds since `fetchedAt`.'),
  ok: z.boolean().describe('Whether the last read succeeded.'),
  stale: z.boolean().describe('The last read failed but the last good value is still used (within the provider\'s `maxStaleSeconds`).'),
  error: z.string().nullable().describe('Why the last read failed; never holds a value.'),
  errorCode: z.string().nullable(),
}).meta({ id: 'SecretStatus' })

/** One secret reference as `GET /api/v1/secrets/status` shows it. */
export type SecretStatusView = z.output<typeof secretStatus>

/** `GET /api/v1/secrets/status`: every secret reference in config, read through the cache, with provider, version and age; never a value (audit:read). */
export function secretsRoutes(deps: {
  check: () => Promise<SecretStatusView[]>
  governance: Pick<Governance, 'mayReadAudit'>
  who: (request: FastifyRequest) => Principal
}): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/secrets/status', {
      schema: {
        tags: ['health'], summary: 'Every secret reference in config: its provider, version and age, and whether reading it works (audit:read); never a value',
        response: { 200: z.strictObject({ secrets: z.array(secretStatus) }), ...apiErrors() },
      },
    }, async (request) => {
      if (!deps.governance.mayReadAudit(deps.who(request))) {
        throw new ConductorError('policy_denied', 'reading the secrets status needs audit:read', { details: { action: 'audit:read' } })
      }
      return { secrets: await deps.check() }
    })
  }
}
