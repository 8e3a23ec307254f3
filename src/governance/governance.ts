import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { AuditLog } from '../audit/index.ts'
import type { EnvironmentConfig } from '../config/index.ts'
import { ConductorError, type Clock, type IdGenerator, type SpanRunner } from '../core/index.ts'
import type { Orchestrator } from '../orchestrators/index.ts'
import type { Principal } from '../identity/index.ts'
import { budgetsOf, type BudgetUse, type DispatchLineage } from './pipeline/index.ts'
import type { PolicyEngine } from '../policy/index.ts'
import type { KeyedLock, Leases } from '../store/index.ts'
import { createAirflowObjects, type AirflowObjects } from './airflow-objects.ts'
import { createApprovals, escalateDue, type Approvals } from './approvals/index.ts'
import { createCatalog, type Catalog } from './catalog.ts'
import { createCatalogReads, type CatalogReads } from './catalog-reads.ts'
import { createDispatchResolver, type DispatchResolver } from './dispatch-resolver.ts'
import { createGovernedActions, type GovernedActions } from './governed-actions.ts'
import { createGrants, type Grants, type GrantTables } from './grants/index.ts'
import type { GovernanceTables } from './governance.tables.ts'
import { createLedger, type Ledger } from './ledger.ts'
import type { Notify } from './notifications/index.ts'
import { notifyingRequestEvents } from './notifications/index.ts'
import { createHitl, type Hitl } from './hitl/index.ts'
import { createShadowActivity, createShadowWebhook, type ShadowActivity } from './shadow/index.ts'
import { createTargets } from './targets.ts'

/**
 * The governed actions of Conductor. Every method takes the principal acting: catalog reads and "who can run this",
 * the actions that go through the pipeline, and the ledger of principals, requests and explained decisions.
 */
export interface Governance extends CatalogReads, GovernedActions, Ledger {
  readonly catalog: Catalog
  /** Settles requests a stopped process or a lost answer left unsettled; knows this instance's requests in flight. */
  readonly resolver: DispatchResolver
  /** What was done in the environments behind Conductor's back, found at each catalog sync. */
  readonly shadow: ShadowActivity
  /** Airflow's connections, variables and pools, read and written as a principal under policy. */
  readonly airflowObjects: AirflowObjects
  /** Second persons' decisions on requests policy allows with approval. */
  readonly approvals: Approvals
  /** Just-in-time grants: time-bound membership of a group, asked for and approved under policy. */
  readonly grants: Grants
  /** Airflow's human-in-the-loop tasks waiting for the people policy lets answer them. */
  readonly hitl: Hitl
  /** How an agent stands against each of its budgets now (empty for other principals and agents without budgets). */
  budgets(principal: Principal): Promise<BudgetUse[]>
  /** The environments governed now and their orchestrators. */
  readonly fleet: Fleet
}

/** The environments Conductor governs now, with their orchestrators: live views a config reload replaces at once. */
export interface Fleet {
  /** The environments governed now, by name (a live view). */
  readonly environments: ReadonlyMap<string, EnvironmentConfig>
  /** The orchestrator of each environment governed now (a live view). */
  readonly orchestrators: ReadonlyMap<string, Orchestrator>
  /**
   * Puts `environments` and their `orchestrators` in force at once (a config reload): every later call, listing, sync
   * and dispatch sees the new set; a name no longer in it answers `environment_not_found`, and its catalog rows are
   * left out of listings (its requests and audit stay readable). The caller closes the orchestrators it replaced.
   */
  replace(environments: readonly EnvironmentConfig[], orchestrators: ReadonlyMap<string, Orchestrator>, apiDefined?: ReadonlySet<string>): void
  /** Where each environment governed now is defined: `config` (conductor.yaml) or `api` (a live view). */
  readonly sources: ReadonlyMap<string, EnvironmentSource>
}

/** Where an environment is defined: `conductor.yaml`, or through the API (docs/environments.md). */
export type EnvironmentSource = 'config' | 'api'

/** Dependencies of {@link createGovernance}. */
export interface GovernanceDeps {
  db: Kysely<GovernanceTables>
  policy: Pick<PolicyEngine, 'authorize' | 'current' | 'decisionInputs' | 'lineage'>
  audit: Pick<AuditLog, 'append'> & Partial<Pick<AuditLog, 'commit'>>
  environments: readonly EnvironmentConfig[]
  orchestrators: ReadonlyMap<string, Orchestrator>
  clock: Clock
  ids: IdGenerator
  logger: Logger
  /** The largest run `conf` accepted, in bytes of JSON. */
  maxConfBytes: number
  /** The deepest run `conf` accepted, in levels of nesting (default 32). */
  maxConfDepth?: number
  /** The group names the loaded policies mention, for "who can run this". */
  policyGroups: () => string[]
  /** How long a trigger's run may take to appear in Airflow before an interrupted trigger counts as lost (default 120). */
  dispatchGraceSeconds?: number
  /** How long a request waiting for approval stays pending, in hours (default 24). */
  approvalHours?: number
  /** The longest just-in-time grant, in hours (default 8). */
  maxGrantHours?: number
  /** Shadow activity settings: Conductor's own Airflow usernames, and the webhook told of each new item. */
  shadow?: { conductorUsers?: readonly string[]; webhookUrl?: string | undefined }
  /** Puts an event in the notification outbox for the webhooks that want it (shadow activity, requests). */
  notify?: Notify
  /** Shared with the other replicas of the database: catalog syncing and dispatch resolution each run on one replica. */
  leases?: Pick<Leases, 'claim'>
  /** A lock shared by the replicas, so an agent's budget holds across them (see `createKeyedLock`). */
  budgetLock?: KeyedLock
  /** Opens a trace span per pipeline step when tracing is on (see `runStep`). */
  spans?: SpanRunner
  /** OpenLineage for triggers, whichever door they come through (docs/lineage.md). */
  lineage?: DispatchLineage
}

/** Wires the governed actions over policy, orchestrators, the audit log and the store. */
export function createGovernance(deps: GovernanceDeps): Governance {
  const { db, policy, clock } = deps
  // Live views, changed in place (one synchronous step) so that every service built below sees a reload at once.
  const environments = new Map<string, EnvironmentConfig>()
  const orchestrators = new Map<string, Orchestrator>()
  const fullyGoverned = new Set<string>()
  const authManaged = new Set<string>()
  const sources = new Map<string, EnvironmentSource>()
  const replaceEnvironments = (list: readonly EnvironmentConfig[], next: ReadonlyMap<string, Orchestrator>, apiDefined: ReadonlySet<string> = new Set()) => {
    for (const env of list) if (!next.has(env.name)) throw new ConductorError('internal', `no orchestrator for environment "${env.name}"`)
    environments.clear()
    orchestrators.clear()
    fullyGoverned.clear()
    authManaged.clear()
    sources.clear()
    for (const env of list) {
      environments.set(env.name, env)
      sources.set(env.name, apiDefined.has(env.name) ? 'api' : 'config')
      orchestrators.set(env.name, next.get(env.name)!)
      if (env.fullyGoverned) fullyGoverned.add(env.name)
      if (env.conductorAuthManager) authManaged.add(env.name)
    }
  }
  replaceEnvironments(deps.environments.filter((e) => deps.orchestrators.has(e.name)), deps.orchestrators)
  // Request lifecycle events (pending, approved, denied, …) reach the webhooks as they reach the audit trail.
  const audit = deps.notify ? notifyingRequestEvents(deps.audit, deps.notify) : deps.audit
  const webhookUrl = deps.shadow?.webhookUrl
  const shadow = createShadowActivity({
    db, audit, clock, logger: deps.logger, conductorUsers: deps.shadow?.conductorUsers ?? [],
    fullyGoverned, authManaged, policyVersion: () => policy.current().version,
    webhook: webhookUrl ? createShadowWebhook({ url: webhookUrl, logger: deps.logger }) : null, notify: deps.notify ?? null,
  })
  const leases = deps.leases ? { leases: deps.leases } : {}
  const catalog = createCatalog({ db, orchestrators, audit, clock, logger: deps.logger, shadow, ...leases })
  const targets = createTargets({ db, environments, orchestrators, catalog })
  const inFlight = new Set<string>()
  const grants = createGrants({
    db: db as Kysely<GovernanceTables & GrantTables>, policy, audit, clock, ids: deps.ids,
    ...(deps.maxGrantHours ? { maxGrantHours: deps.maxGrantHours } : {}), ...(deps.approvalHours ? { approvalHours: deps.approvalHours } : {}),
  })
  const approvals = createApprovals({ db, policy, audit, clock, logger: deps.logger, targets, catalog, inFlight, grantApproved: (row, approvers) => grants.grantApproved(row, approvers), ...(deps.spans ? { spans: deps.spans } : {}), ...(deps.lineage ? { lineage: deps.lineage } : {}) })
  const resolver = createDispatchResolver({
    db, audit, clock, logger: deps.logger, environments, orchestrators, inFlight,
    graceSeconds: deps.dispatchGraceSeconds ?? 120, expirePending: async () => (await approvals.expireDue()) + (await grants.expireDue()),
    escalatePending: () => escalateDue({ db, audit, clock }), ...leases,
  })
  return {
    fleet: { environments, orchestrators, replace: replaceEnvironments, sources },
    catalog,
    resolver,
    shadow,
    airflowObjects: createAirflowObjects({ policy, audit, targets }),
    approvals,
    grants,
    hitl: createHitl({ policy, audit, targets }),
    budgets: (principal) => budgetsOf({ db, clock }, principal),
    ...createCatalogReads({ db, policy, catalog, targets, policyGroups: deps.policyGroups, sourceOf: (name) => sources.get(name) ?? 'config' }),
    ...createGovernedActions({ db, policy, audit, clock, ids: deps.ids, catalog, targets, maxConfBytes: deps.maxConfBytes, ...(deps.maxConfDepth ? { maxConfDepth: deps.maxConfDepth } : {}), inFlight, ...(deps.approvalHours ? { approvalHours: deps.approvalHours } : {}), ...(deps.budgetLock ? { budgetLock: deps.budgetLock } : {}), ...(deps.spans ? { spans: deps.spans } : {}), ...(deps.lineage ? { lineage: deps.lineage } : {}) }),
    ...createLedger({ db, policy, audit, clock, targets }),
  }
}
