import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { AuditLog } from '../../audit/index.ts'
import type { Clock } from '../../core/index.ts'
import type { EventLogEntry, Orchestrator, RunSince } from '../../orchestrators/index.ts'
import { RUN_ID_PREFIX } from '../governed-actions.ts'
import type { GovernanceTables } from '../governance.tables.ts'
import { recordAttributedRuns } from './attributed.ts'
import { findCursor, insertNewActivity, listActivity, saveCursor, type ShadowFilter } from './shadow.repository.ts'
import type { ShadowActivityTable } from './shadow.tables.ts'
import type { Notify } from '../notifications/index.ts'
import type { ShadowWebhook } from './webhook.ts'

/** What was done behind Conductor's back. */
export const SHADOW_KINDS = ['run', 'pause', 'clear', 'mark', 'unowned_schedule'] as const
/** One of {@link SHADOW_KINDS}. */
export type ShadowKind = (typeof SHADOW_KINDS)[number]
/** How much a shadow item matters: `high` for anything in a fully governed environment. */
export type ShadowSeverity = 'info' | 'warning' | 'high'

/** One thing found done in an environment behind Conductor's back. */
export interface ShadowItem {
  environment: string
  /** Unique per environment: `run:<dag>/<run id>` or `event:<Airflow event log id>`. */
  key: string
  kind: ShadowKind
  severity: ShadowSeverity
  dagId: string | null
  runId: string | null
  /** The Airflow user who acted (a run's triggering user, an event's owner), when Airflow says. */
  actor: string | null
  /** Run type (`runType`), Airflow's event name (`event`) and its `extra`, the DAG's `owners`. */
  detail: Record<string, unknown>
  occurredAt: string
  detectedAt: string
}

/** Shadow activity of environments, found at each catalog sync. */
export interface ShadowActivity {
  /**
   * Reads one environment's runs and event log since its cursor and records what was done without Conductor as
   * `shadow.*` audit events (and to the webhook); returns the new items. The first look only places the cursor:
   * what happened before Conductor first looked is not reported. Throws the orchestrator's errors.
   */
  detect(environment: string, orchestrator: Orchestrator): Promise<ShadowItem[]>
  /** Recorded items, newest first, with counts per kind over every match (the `kind` filter aside). */
  list(filter: ShadowFilter): Promise<{ items: ShadowItem[]; counts: Record<ShadowKind, number> }>
  /** Waits for webhook deliveries under way. */
  drain(): Promise<void>
}

/** Dependencies of {@link createShadowActivity}. */
export interface ShadowActivityDeps {
  db: Kysely<GovernanceTables>
  audit: Pick<AuditLog, 'append'>
  clock: Clock
  logger: Logger
  /** Environments where anything done behind Conductor's back is `high` severity. */
  fullyGoverned: ReadonlySet<string>
  /**
   * Environments whose Airflow runs the Conductor auth manager: there, what a person Conductor knows did in Airflow's
   * own UI or API was decided by Conductor's policy, so it is attributed to them (runs enter the ledger), not shadow.
   */
  authManaged?: ReadonlySet<string>
  /** The current policy version, recorded with attributed runs. */
  policyVersion?: () => number
  /** Airflow usernames Conductor's own credentials use: their event log entries are Conductor's. */
  conductorUsers: readonly string[]
  webhook?: ShadowWebhook | null
  /** Tells the configured notification webhooks of each new item (`shadow.<kind>`). */
  notify?: Notify | null
}

/** How far before the cursor each look re-reads, for clock skew and late commits; re-read items are not recorded twice. */
const OVERLAP_MS = 10 * 60_000
/** The most runs and event log entries read per environment per look. */
const READ_LIMIT = 1000
/** Run types Airflow starts by itself; the rest (manual, backfill) were started by someone. */
const AUTOMATIC_RUN_TYPES = new Set(['scheduled', 'asset_triggered', 'dataset_triggered'])

/**
 * Who a catalog DAG names as its owners in Airflow: its `owners` and the ids of its `owner:<id>` tags. The DAG is owned
 * by a principal when one of them is the id of a principal Conductor has seen.
 */
export function airflowOwnersOf(dag: { owners: string; tags: string }): string[] {
  return [
    ...(JSON.parse(dag.owners) as string[]),
    ...(JSON.parse(dag.tags) as string[]).filter((t) => t.startsWith('owner:')).map((t) => t.slice('owner:'.length)),
  ]
}

const earlier = (iso: string) => new Date(Date.parse(iso) - OVERLAP_MS).toISOString()
const latest = (current: string, seen: string[]) => seen.reduce((a, b) => (Date.parse(b) > Date.parse(a) ? new Date(b).toISOString() : a), current)

/**
 * Creates the shadow activity service. A run is Conductor's when its id is `conductor__<request id>` of a request of
 * this environment in the ledger; any other run started by someone (manual, backfill) is `shadow.run`. A run Airflow
 * started by itself (scheduled, asset-triggered) is `shadow.unowned_schedule` when its DAG has no owner: none of its
 * Airflow `owners`, nor an `owner:<id>` tag, is a principal Conductor has seen. Event log entries that pause or unpause,
 * clear, or mark (success/failed) by a user not in `conductorUsers` are `shadow.pause`, `shadow.clear`, `shadow.mark`.
 */
export function createShadowActivity(deps: ShadowActivityDeps): ShadowActivity {
  const { db, audit, clock, logger } = deps
  const conductorUsers = new Set(deps.conductorUsers)

  const severityOf = (environment: string, kind: ShadowKind): ShadowSeverity =>
    deps.fullyGoverned.has(environment) ? 'high' : kind === 'unowned_schedule' ? 'info' : 'warning'

  async function conductorRuns(environment: string, runs: RunSince[]): Promise<Set<string>> {
    const requestIds = runs.filter((r) => r.runId.startsWith(RUN_ID_PREFIX)).map((r) => r.runId.slice(RUN_ID_PREFIX.length))
    const ours = new Set<string>()
    for (let i = 0; i < requestIds.length; i += 200) {
      const rows = await db.selectFrom('requests').select('id').where('environment', '=', environment).where('id', 'in', requestIds.slice(i, i + 200)).execute()
      for (const row of rows) ours.add(`${RUN_ID_PREFIX}${row.id}`)
    }
    return ours
  }

  async function knownPrincipals(): Promise<Set<string>> {
    return new Set((await db.selectFrom('principals').select('id').execute()).map((p) => p.id))
  }

  async function ownedDags(environment: string, known: ReadonlySet<string>): Promise<Set<string>> {
    const dags = await db.selectFrom('catalog_dags').select(['dag_id', 'owners', 'tags']).where('environment', '=', environment).execute()
    return new Set(dags.filter((dag) => airflowOwnersOf(dag).some((o) => known.has(o))).map((d) => d.dag_id))
  }

  function fromRuns(environment: string, runs: RunSince[], ours: Set<string>, owned: Set<string>, now: string): ShadowActivityTable[] {
    return runs.flatMap((run): ShadowActivityTable[] => {
      if (ours.has(run.runId)) return []
      const automatic = AUTOMATIC_RUN_TYPES.has(run.runType ?? '')
      if (automatic && owned.has(run.dagId)) return []
      const kind: ShadowKind = automatic ? 'unowned_schedule' : 'run'
      return [{
        environment, key: `run:${run.dagId}/${run.runId}`, kind, severity: severityOf(environment, kind), dag_id: run.dagId, run_id: run.runId,
        actor: automatic ? null : run.triggeredBy, detail: JSON.stringify({ runType: run.runType, state: run.state }), occurred_at: run.at, detected_at: now,
      }]
    })
  }

  function fromEvents(environment: string, entries: EventLogEntry[], now: string): ShadowActivityTable[] {
    return entries.flatMap((entry): ShadowActivityTable[] => {
      if (entry.kind === null || (entry.owner !== null && conductorUsers.has(entry.owner))) return []
      return [{
        environment, key: `event:${entry.id}`, kind: entry.kind, severity: severityOf(environment, entry.kind), dag_id: entry.dagId, run_id: entry.runId,
        actor: entry.owner, detail: JSON.stringify({ event: entry.event, ...(entry.taskId ? { taskId: entry.taskId } : {}), extra: entry.extra }),
        occurred_at: entry.when, detected_at: now,
      }]
    })
  }

  return {
    async detect(environment, orchestrator) {
      const now = new Date(clock.now()).toISOString()
      const cursor = await findCursor(db, environment)
      if (!cursor) {
        await saveCursor(db, { environment, runs_cursor: now, events_cursor: now, updated_at: now })
        return []
      }
      const runs = await orchestrator.listRunsSince({ since: earlier(cursor.runs_cursor), limit: READ_LIMIT })
      const entries = await orchestrator.listEventLogsSince({ since: earlier(cursor.events_cursor), limit: READ_LIMIT })
      const ours = await conductorRuns(environment, runs)
      // One read of the principals serves both the owned DAGs and, with the auth manager, the attribution.
      const known = await knownPrincipals()
      let unattributedRuns = runs
      let unattributedEntries = entries
      if (deps.authManaged?.has(environment)) {
        const byPerson = (r: RunSince) => !ours.has(r.runId) && !AUTOMATIC_RUN_TYPES.has(r.runType ?? '') && r.triggeredBy !== null && known.has(r.triggeredBy)
        await recordAttributedRuns({ db, audit }, environment, runs.filter(byPerson), deps.policyVersion?.() ?? 0, now)
        unattributedRuns = runs.filter((r) => !byPerson(r))
        unattributedEntries = entries.filter((e) => e.owner === null || !known.has(e.owner))
      }
      const rows = [
        ...fromRuns(environment, unattributedRuns, ours, await ownedDags(environment, known), now),
        ...fromEvents(environment, unattributedEntries, now),
      ].sort((a, b) => a.occurred_at.localeCompare(b.occurred_at))
      const fresh = (await insertNewActivity(db, environment, rows)).map(toItem)
      await saveCursor(db, {
        environment, updated_at: now,
        runs_cursor: latest(cursor.runs_cursor, runs.map((r) => r.at)),
        events_cursor: latest(cursor.events_cursor, entries.map((e) => e.when)),
      })
      for (const item of fresh) {
        await audit.append({
          type: `shadow.${item.kind}`, environment, dag: item.dagId,
          data: { key: item.key, severity: item.severity, runId: item.runId, actor: item.actor, occurredAt: item.occurredAt, ...item.detail },
        })
        deps.webhook?.send(item)
        await deps.notify?.({ type: `shadow.${item.kind}`, occurredAt: item.occurredAt, data: { ...item } })
      }
      if (fresh.length) logger.info({ environment, found: fresh.length }, 'shadow activity found')
      return fresh
    },

    async list(filter) {
      const { items, counts } = await listActivity(db, filter)
      return { items: items.map(toItem), counts: Object.fromEntries(SHADOW_KINDS.map((k) => [k, counts[k] ?? 0])) as Record<ShadowKind, number> }
    },

    drain: async () => { await deps.webhook?.drain() },
  }
}

function toItem(row: ShadowActivityTable): ShadowItem {
  return {
    environment: row.environment, key: row.key, kind: row.kind as ShadowKind, severity: row.severity as ShadowSeverity, dagId: row.dag_id, runId: row.run_id,
    actor: row.actor, detail: JSON.parse(row.detail) as Record<string, unknown>, occurredAt: row.occurred_at, detectedAt: row.detected_at,
  }
}
