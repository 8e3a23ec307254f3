import type { Logger } from 'pino'
import type { AuditLog } from './audit/index.ts'
import { createReviews, FINDINGS_LEASE, principalsSeen, REMINDERS_LEASE, resolveFindings, sendReminders, type Reviews, type ReviewTables, type Suspensions } from './compliance/index.ts'
import type { Config, EnvironmentConfig, SecretRef } from './config/index.ts'
import type { Clock, IdGenerator } from './core/index.ts'
import { listCatalogDagAttributes, type GovernanceTables, type GrantTables } from './governance/index.ts'
import type { Principal } from './identity/index.ts'
import type { PolicyEngine } from './policy/index.ts'
import { createLeasedLoop, type Database, type LeasedLoop, type Leases } from './store/index.ts'

/** The access reviews of a running Conductor: the service the API serves, and how to stop its background work. */
export interface ReviewsPart {
  reviews: Reviews
  suspensions: Suspensions
  /** The findings check (lease `review-findings`). */
  findings: LeasedLoop
  /** The reminders (lease `review-reminders`); null when none are configured. */
  reminders: LeasedLoop | null
  stop(): Promise<void>
}

/** What {@link startReviews} wires together. */
export interface ReviewsWiring {
  database: Database<ReviewTables & GrantTables & GovernanceTables>
  /** The policy in force, suspensions honoured (what callers are decided by). */
  policy: Pick<PolicyEngine, 'authorize' | 'policies' | 'current' | 'lineage'>
  /** The policy alone: what grants an access at the source (the findings check). */
  grantingPolicy: Pick<PolicyEngine, 'authorize'>
  suspensions: Suspensions
  environments: ReadonlyMap<string, EnvironmentConfig>
  directory: ((principal: Principal) => Promise<Principal>) | undefined
  audit: Pick<AuditLog, 'commit' | 'append'>
  clock: Clock
  ids: IdGenerator
  logger: Logger
  leases: Pick<Leases, 'claim'>
  config: Config['compliance']['reviews']
  getSecret: (ref: SecretRef) => Promise<string>
}

/**
 * Creates the reviews service over the store, loads the open suspensions and starts refreshing them, and starts the
 * findings check and the reminders, each on the one replica holding its lease.
 */
export async function startReviews(w: ReviewsWiring): Promise<ReviewsPart> {
  const db = w.database.db
  const environments = () => w.environments.values()
  const dags = (environment: string) => listCatalogDagAttributes(db, environment)
  const principals = () => principalsSeen(db, w.directory)
  const reviews = createReviews({ db, policy: w.policy, audit: w.audit, clock: w.clock, ids: w.ids, suspensions: w.suspensions, environments, dags, principals })
  await w.suspensions.refresh()
  w.suspensions.start(w.config.suspensionsPollMs)
  const findings = createLeasedLoop({
    name: FINDINGS_LEASE, logger: w.logger, leases: w.leases,
    round: () => resolveFindings({ db, policy: w.grantingPolicy, principals, environments, dags, audit: w.audit, clock: w.clock, suspensions: w.suspensions }),
  })
  findings.start(w.config.findingsCheckSeconds)
  const r = w.config.reminders
  const reminders = r
    ? createLeasedLoop({
      name: REMINDERS_LEASE, logger: w.logger, leases: w.leases,
      round: () => sendReminders({
        db, audit: w.audit, clock: w.clock,
        settings: { url: r.webhook.url, secret: r.webhook.secret ? () => w.getSecret(r.webhook.secret!) : null, before: r.before, timeoutMs: r.timeoutSeconds * 1000 },
      }),
    })
    : null
  reminders?.start(r?.checkSeconds ?? 0)
  return {
    reviews, suspensions: w.suspensions, findings, reminders,
    async stop() {
      w.suspensions.stop()
      await findings.stop()
      await reminders?.stop()
    },
  }
}
