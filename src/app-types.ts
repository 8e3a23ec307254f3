import type { Logger } from 'pino'
import type { ConductorServer } from './api/index.ts'
import type { AuditCheckpointTables, AuditLog, AuditStream, AuditStreamTables, AuditTables } from './audit/index.ts'
import type { ComplianceHistoryTables, ReviewTables } from './compliance/index.ts'
import type { Config, IdentityConfig } from './config/index.ts'
import type { Clock, IdGenerator } from './core/index.ts'
import type { ConfigReloadResult } from './environments-reload.ts'
import type {
  Governance, GovernanceTables, GrantTables, IdempotencyTables, Lineage, LineageTables, Links, LinkTables, ManagedEnvironments, Notifications, NotificationTables,
  Schedules, ScheduleTables, StoredEnvironmentTables,
} from './governance/index.ts'
import type {
  AccessRevoker, AccessTokens, DevIssuer, FederationTables, IdentityTables, ReconciliationReport, RevocationTables, ScimEvents, ScimService, ScimTables,
  ScimTokenStore, ServiceAccounts, ServiceAccountTables, ServiceAccountTrusts, SessionStore, TokenCacheStats,
} from './identity/index.ts'
import type { Metrics } from './metrics/index.ts'
import type { PolicyEngine } from './policy/index.ts'
import type { ReviewsPart } from './reviews-wiring.ts'
import type { Database, Leases, StoreTables } from './store/index.ts'

/**
 * Every table of Conductor's database, by name: the one union of the domains' tables (the store knows none).
 * A domain declares its tables beside its repositories and adds them here with one more `extends` (and its
 * migration with one more line in `store/migrations/index.ts`).
 */
export interface Tables extends StoreTables, AuditTables, GovernanceTables, GrantTables, IdempotencyTables, IdentityTables, NotificationTables, RevocationTables, ScimTables, ServiceAccountTables, FederationTables, ScheduleTables, LinkTables, StoredEnvironmentTables, AuditStreamTables, AuditCheckpointTables, LineageTables, ReviewTables, ComplianceHistoryTables {}

/** The running application: its server (not yet listening) and how to stop everything. */
export interface App {
  config: Config
  server: ConductorServer
  database: Database<Tables>
  audit: AuditLog
  policy: PolicyEngine
  governance: Governance
  /** Webhook notifications: `notify` puts an event in the durable outbox; a loop delivers it. */
  notifications: Notifications
  /** OpenLineage (docs/lineage.md): Conductor's run per trigger, the intake, and the outbox to the endpoints. */
  lineage: Lineage
  /** The development issuer, when config enables it. */
  devIssuer: DevIssuer | null
  /** The identity settings in force (config plus the development issuer). */
  identity: IdentityConfig
  /** Browser sessions, when a sign-in issuer is configured. */
  sessions: SessionStore | null
  /** Ends a principal's sessions and refuses its tokens. */
  revoker: AccessRevoker
  /** Hits and misses of the verified bearer-token cache (docs/hot-paths.md), for metrics; the decision cache's are `policy.cacheStats()`. */
  tokenCacheStats(): TokenCacheStats
  /** Service accounts and agents (docs/service-accounts.md). */
  serviceAccounts: ServiceAccounts
  /** Conductor-issued bearer tokens: API tokens and exchanged tokens (docs/api-tokens.md). */
  accessTokens: AccessTokens
  /** Trust rules: which workload identities may act as which service account (`/oauth/token`). */
  trusts: ServiceAccountTrusts
  /** Owned schedules: Conductor-held schedules that trigger as their owner (docs/schedules.md). */
  schedules: Schedules
  /** Cross-deployment links: trigger a DAG in one environment when one succeeds in another, as their owner (docs/links.md). */
  links: Links
  /** Access review campaigns, their suspensions and background checks (docs/reviews.md). */
  reviews: ReviewsPart
  /** Environments defined through the API (docs/environments.md), put in force on every replica. */
  environments: ManagedEnvironments
  /** SCIM provisioning and its bearer tokens, when `identity.scim.enabled`. */
  scim: { service: ScimService; tokens: ScimTokenStore; reconcile: () => Promise<ReconciliationReport> } | null
  logger: Logger
  /** This replica's leases on background work, shared with the other replicas of the database. */
  leases: Leases
  /** Audit streaming to the sinks of `audit.sinks` (docs/audit.md), one loop per sink under its lease. */
  auditStream: AuditStream
  /**
   * Prometheus metrics (`metrics.enabled`, default on): others register gauges and caches here
   * (`metrics.registerGauge`, `metrics.registerCache`); null when disabled.
   */
  metrics: Metrics | null
  /** The separate metrics listener's base URL (`metrics.port`), once {@link App.listen} has started it; else null. */
  metricsUrl(): string | null
  /**
   * Re-reads the config file (`AppOptions.loadConfig`) and applies its `environments` without a restart: see
   * docs/environments.md. A bad config changes nothing and is audited `config.reload_failed`. `conductor serve` calls
   * it on SIGHUP.
   */
  reloadConfig(): Promise<ConfigReloadResult>
  /** Starts listening; resolves with the base URL. */
  listen(): Promise<string>
  /** Stops background work, the server, the issuer and the database, in that order. */
  close(): Promise<void>
}

/** Options for {@link createApp}; tests pin time and ids here. */
export interface AppOptions {
  logger?: Logger
  clock?: Clock
  ids?: IdGenerator
  version?: string
  /** Starts catalog syncing in the background (default true). */
  backgroundSync?: boolean
  /** The built web console to serve; default `web/dist` of this checkout. */
  webRoot?: string | null
  /** Also told of every SCIM change after Conductor has acted on it (tests observe provisioning here). */
  scimObserver?: Partial<ScimEvents>
  /**
   * The process environment as at start, for the secrets providers only (the AWS credential chain's `AWS_*`
   * variables, a Vault token's `auth.tokenEnv`); default none. `main.ts` passes `process.env`.
   */
  environment?: Readonly<Record<string, string | undefined>>
  /** Reads the config file again, as at start, for {@link App.reloadConfig}; without it a reload is refused. */
  loadConfig?: () => Config
}
