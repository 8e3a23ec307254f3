import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Governance } from '../../governance/index.ts'
import type { Principal } from '../../identity/index.ts'
import type { PolicyEngine } from '../../policy/index.ts'
import { apiErrors } from '../responses.ts'
import type { SecretStatusView } from './secrets.routes.ts'

const isoTime = z.string().describe('ISO 8601')

const environmentStatus = z.strictObject({
  name: z.string(),
  kind: z.string().describe('`airflow3` or `airflow2`.'),
  reachable: z.boolean().nullable().describe('At the last catalog sync; null before the first.'),
  airflowVersion: z.string().nullable(),
  dagCount: z.number().int().nullable(),
  lastSyncAt: isoTime.nullable().describe('The last successful catalog sync.'),
  syncAgeSeconds: z.number().nullable().describe('Seconds since `lastSyncAt`; null when never synced.'),
  lastError: z.string().nullable().describe('Why the last sync or health check failed; null when it succeeded.'),
  circuit: z.enum(['closed', 'open', 'half-open']).nullable().describe('This replica\'s circuit breaker for the environment; null when unguarded.'),
  throttled: z.number().int().nullable().describe('Calls this replica held back (`orchestrator_throttled`) since it started, reads and writes.'),
  credentials: z.strictObject({
    provider: z.string().describe('The secrets provider the environment\'s credentials come from.'),
    secret: z.string(),
    ok: z.boolean().describe('Whether the last read of the secret succeeded.'),
    stale: z.boolean().describe('The provider is failing but the last good value is still used (within its `maxStaleSeconds`).'),
    version: z.string().nullable(),
    error: z.string().nullable().describe('Why reading the secret fails; names the provider, never the value.'),
  }).nullable().describe('The environment\'s credentials secret. `ok: false, stale: false` makes the environment unhealthy: Conductor cannot reach it until the provider recovers.'),
}).meta({ id: 'EnvironmentStatus' })

const replicaStatus = z.strictObject({
  id: z.string(),
  lastSeenAt: isoTime.nullable(),
  leases: z.array(z.string()).describe('The background work this replica runs now (catalog sync, reconciliation, …).'),
}).meta({ id: 'ReplicaStatus' })

const auditSinkStatus = z.strictObject({
  name: z.string(),
  type: z.enum(['syslog', 'http', 'otlp']),
  cursor: z.number().int().nullable().describe('The last audit seq the sink accepted (0: none yet); null before its loop first ran.'),
  lagEvents: z.number().int().describe('Audit events appended and not yet accepted by the sink.'),
  lagSeconds: z.number().describe('Age of the oldest event not yet accepted, in seconds; 0 when caught up.'),
  deliveredAt: isoTime.nullable().describe('When the last accepted event was appended.'),
  failures: z.number().int().describe('Consecutive failed attempts; 0 after a success.'),
  lastError: z.string().nullable().describe('Why the last attempt failed (kept after a later success); never a secret.'),
  lastErrorAt: isoTime.nullable(),
}).meta({ id: 'AuditSinkStatus' })

/** `GET /api/v1/status`: the server at a glance. */
export const statusView = z.strictObject({
  version: z.string(),
  startedAt: isoTime,
  uptimeSeconds: z.number(),
  database: z.strictObject({
    kind: z.enum(['sqlite', 'postgres']),
    ready: z.boolean(),
    error: z.string().nullable().describe('Why it is not ready (audit:read only; null otherwise).'),
  }),
  policy: z.strictObject({
    version: z.number().int(),
    policyCount: z.number().int(),
    lastReloadError: z.record(z.string(), z.unknown()).nullable().describe('The last refused reload (audit:read only; null otherwise).'),
  }),
  detailed: z.boolean().describe('Whether the caller may read the details (`audit:read`): environments, SCIM, replicas and errors.'),
  environments: z.array(environmentStatus).nullable().describe('Every configured environment; null without audit:read.'),
  scim: z.strictObject({ enabled: z.boolean() }).nullable().describe('Null without audit:read.'),
  replicas: z.array(replicaStatus).nullable().describe('The replicas sharing the database, when known; null without audit:read or when this deployment does not track them.'),
  auditSinks: z.array(auditSinkStatus).nullable().describe('Each audit sink (`audit.sinks`) with its cursor, lag and last error; null without audit:read.'),
}).meta({ id: 'StatusView' })

/** One environment as `GET /api/v1/status` shows it. */
export type EnvironmentStatusView = z.output<typeof environmentStatus>
/** One audit sink as `GET /api/v1/status` shows it. */
export type AuditSinkStatusView = z.output<typeof auditSinkStatus>
/** One replica as `GET /api/v1/status` shows it. */
export type ReplicaStatusView = z.output<typeof replicaStatus>

/** Where `GET /api/v1/status` reads its facts. */
export interface StatusDeps {
  databaseKind: 'sqlite' | 'postgres'
  scimEnabled: boolean
  /** Every configured environment, from the catalog's last sync and this replica's protection. */
  environments: () => Promise<EnvironmentStatusView[]>
  /** The replicas sharing the database, when something tracks them (leases); absent shows `replicas: null`. */
  replicas?: () => Promise<ReplicaStatusView[] | null>
  /** Each audit sink's cursor, lag and last error; absent shows `auditSinks: []`. */
  auditSinks?: () => Promise<AuditSinkStatusView[]>
  /** Every secret reference in config, checked through the cache (`GET /api/v1/secrets/status`); absent without the route. */
  secrets?: () => Promise<SecretStatusView[]>
}

/** `GET /api/v1/status` (any signed-in principal; the details need audit:read). */
export function statusRoutes(deps: StatusDeps & {
  version: string
  startedAt: number
  ready: () => Promise<void>
  policy: Pick<PolicyEngine, 'current'>
  lastReloadError: () => unknown
  governance: Pick<Governance, 'mayReadAudit'>
  who: (request: FastifyRequest) => Principal
}): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/status', {
      schema: { tags: ['health'], summary: 'The server at a glance: version, database, policy; environments, SCIM, replicas and audit sinks with audit:read', response: { 200: statusView, ...apiErrors() } },
    }, async (request) => {
      const detailed = deps.governance.mayReadAudit(deps.who(request))
      let error: string | null = null
      try { await deps.ready() } catch (cause) { error = cause instanceof Error ? cause.message : String(cause) }
      const current = deps.policy.current()
      const now = Date.now()
      return {
        version: deps.version,
        startedAt: new Date(deps.startedAt).toISOString(),
        uptimeSeconds: Math.round((now - deps.startedAt) / 1000),
        database: { kind: deps.databaseKind, ready: error === null, error: detailed ? error : null },
        policy: {
          version: current.version, policyCount: current.policyCount,
          lastReloadError: detailed ? ((deps.lastReloadError() ?? null) as Record<string, unknown> | null) : null,
        },
        detailed,
        environments: detailed ? await deps.environments() : null,
        scim: detailed ? { enabled: deps.scimEnabled } : null,
        replicas: detailed ? ((await deps.replicas?.()) ?? null) : null,
        auditSinks: detailed ? ((await deps.auditSinks?.()) ?? []) : null,
      }
    })
  }
}
