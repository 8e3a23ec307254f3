import type { Kysely } from 'kysely'
import { ConductorError, isConductorError } from '../../core/index.ts'
import type { Principal } from '../../identity/index.ts'
import type { Action, ScheduleContext } from '../../policy/index.ts'
import { createLeasedLoop, type Fence } from '../../store/index.ts'
import { listCatalogDags } from '../catalog.repository.ts'
import type { GovernanceTables } from '../governance.tables.ts'
import { createDagDecider, fireAsOwner, recoverStaleClaims, triggerOnce, type FiringOutcome, type FiringRound, type Owner, type OwnedDeps } from '../owned.ts'
import { checkConf, type TriggerInput } from '../run-input.ts'
import { airflowOwnersOf } from '../shadow/index.ts'
import { authorizationRequest, createTargets, environmentMap } from '../targets.ts'
import {
  activeScheduleOwners, claimFiring, deleteSchedule, findSchedule, insertSchedule, listActiveOwnedBy, listDueSchedules, listSchedules, listStaleScheduleClaims,
  settleScheduleFiring, updateSchedule,
} from './schedules.repository.ts'
import type { ScheduleFiringsTable, SchedulesTable, ScheduleState, ScheduleTables, SuspendReason } from './schedules.tables.ts'
import { checkTiming, nextFiring, type Timing } from './timing.ts'

/** Who a schedule triggers as. */
export type ScheduleOwner = Owner

/** An owned schedule as shown to callers. */
export interface ScheduleView {
  id: string
  environment: string
  dagId: string
  owner: ScheduleOwner
  cron: string | null
  timezone: string | null
  intervalSeconds: number | null
  conf: Record<string, unknown>
  description: string | null
  state: ScheduleState
  suspendedReason: string | null
  /** When it fires next; null while suspended. */
  nextFireAt: string | null
  /** The due time of its last firing. */
  lastFiredAt: string | null
  /** The `dag:trigger` request of its last firing. */
  lastRequestId: string | null
  createdBy: string
  createdAt: string
  updatedAt: string
}

/** What creating a schedule takes: the DAG, the timing (cron + timezone, or intervalSeconds), and optionally an owner other than the caller. */
export interface ScheduleInput {
  environment: string
  dagId: string
  cron?: string | undefined
  timezone?: string | undefined
  intervalSeconds?: number | undefined
  /** A JSON object, checked as a trigger's conf is (`conf_invalid`, `conf_too_large`). */
  conf?: unknown
  description?: string | undefined
  owner?: ScheduleOwner | undefined
}

/** What changing a schedule may change: its timing, conf and description (never its DAG or owner; see transfer). */
export interface SchedulePatch {
  cron?: string | undefined
  timezone?: string | undefined
  intervalSeconds?: number | undefined
  conf?: unknown
  description?: string | null | undefined
}

/**
 * A DAG Airflow schedules by itself, with who answers for it: the active Conductor schedules of the DAG, and the
 * principals among its Airflow owners (as shadow activity decides ownership). Neither: a finding.
 */
export interface ScheduledDag {
  environment: string
  dagId: string
  /** Airflow's summary of its schedule, e.g. `0 2 * * *` or `@daily`. */
  schedule: string
  /** Its `owners` in Airflow. */
  owners: string[]
  /** The active Conductor schedules of this DAG and who they trigger as. */
  ownedBy: { scheduleId: string; owner: ScheduleOwner }[]
  /** Its Airflow owners (and `owner:<id>` tags) that are principals Conductor has seen. */
  ownerPrincipals: string[]
}

/**
 * Owned schedules: Conductor-held schedules that trigger a DAG through the governance pipeline as their owner. Every
 * change is decided by policy (`schedule:create|read|manage|transfer` on the DAG, with `context.schedule`) and audited.
 */
export interface Schedules {
  /**
   * Creates a schedule owned by `input.owner` (default the caller). Needs `schedule:create`, and the owner must be
   * allowed `dag:trigger` on the DAG now (`schedule_owner_not_allowed`). `invalid_input` names the bad field.
   */
  create(actor: Principal, input: ScheduleInput): Promise<ScheduleView>
  /** The schedules `actor` may read (`schedule:read`), oldest first. */
  list(actor: Principal, filter?: { environment?: string; dagId?: string }): Promise<ScheduleView[]>
  /** One schedule; `schedule_not_found` when unknown or not readable. */
  get(actor: Principal, id: string): Promise<ScheduleView>
  /** Changes timing, conf or description (`schedule:manage`); a new timing applies from now (an interval still counts from creation). */
  update(actor: Principal, id: string, patch: SchedulePatch): Promise<ScheduleView>
  /** Stops it firing (`schedule:manage`), reason `suspended_by_user`. */
  suspend(actor: Principal, id: string): Promise<ScheduleView>
  /** Lets it fire again from now on (`schedule:manage`); its owner must still be allowed to trigger. */
  resume(actor: Principal, id: string): Promise<ScheduleView>
  /** Gives it to another owner (`schedule:transfer`, with the new owner in `context.schedule`); the new owner must be allowed to trigger. */
  transfer(actor: Principal, id: string, to: ScheduleOwner): Promise<ScheduleView>
  /** Deletes it (`schedule:manage`). */
  delete(actor: Principal, id: string): Promise<ScheduleView>
  /** The DAGs Airflow schedules by itself that `actor` may read, each with who answers for it (see {@link ScheduledDag}). */
  scheduledDags(actor: Principal): Promise<ScheduledDag[]>
  /** Deprovisioning: suspends every active schedule `owner` holds (`owner_deprovisioned`), audited and notified; answers their ids. */
  suspendOwnedBy(owner: ScheduleOwner, reason: SuspendReason): Promise<string[]>
  /** Fires every due schedule once (claimed by compare-and-set, so concurrent callers never fire one due time twice). */
  fireDue(fence?: Fence): Promise<FiringRound>
  /** Fires due schedules now and every `intervalSeconds` on the replica holding the `schedules` lease (0: never). */
  start(intervalSeconds: number): void
  /** Stops the loop and waits for a round under way. */
  stop(): Promise<void>
}

/** Dependencies of {@link createSchedules}. */
export interface SchedulesDeps extends OwnedDeps {
  db: Kysely<GovernanceTables & ScheduleTables>
}

/** The lease the firing loop runs under. */
export const SCHEDULES_LEASE = 'schedules'

const OWNER_TYPES = new Set(['User', 'ServiceAccount', 'Agent'])
const invalid = (field: string, message: string) => new ConductorError('invalid_input', `${field}: ${message}`, { details: { field } })

function timingOf(row: Pick<SchedulesTable, 'cron' | 'timezone' | 'interval_seconds'>): Timing {
  return row.cron !== null ? { cron: row.cron, timezone: row.timezone ?? 'UTC' } : { intervalSeconds: row.interval_seconds ?? 0 }
}

/** The timing an input names: cron (timezone default UTC) or interval, exactly one. */
function timingFrom(input: { cron?: string | undefined; timezone?: string | undefined; intervalSeconds?: number | undefined }): Timing {
  if (input.cron !== undefined && input.intervalSeconds !== undefined) throw invalid('cron', 'give either cron (with timezone) or intervalSeconds, not both')
  if (input.cron !== undefined) return { cron: input.cron.trim(), timezone: input.timezone ?? 'UTC' }
  if (input.timezone !== undefined) throw invalid('timezone', 'timezone goes with cron')
  if (input.intervalSeconds === undefined) throw invalid('cron', 'give cron (with timezone) or intervalSeconds')
  return { intervalSeconds: input.intervalSeconds }
}

function view(row: SchedulesTable): ScheduleView {
  return {
    id: row.id, environment: row.environment, dagId: row.dag_id, owner: { type: row.owner_type as ScheduleOwner['type'], id: row.owner_id },
    cron: row.cron, timezone: row.timezone, intervalSeconds: row.interval_seconds === null ? null : Number(row.interval_seconds),
    conf: JSON.parse(row.conf) as Record<string, unknown>, description: row.description, state: row.state, suspendedReason: row.suspended_reason,
    nextFireAt: row.state === 'active' ? row.next_fire_at : null, lastFiredAt: row.last_fired_at, lastRequestId: row.last_request_id,
    createdBy: row.created_by, createdAt: row.created_at, updatedAt: row.updated_at,
  }
}

/** Creates the owned schedules over policy, the catalog, the governed trigger and the store. */
export function createSchedules(deps: SchedulesDeps): Schedules {
  const { db, policy, audit, clock } = deps
  const environments = environmentMap(deps.environments)
  const targets = createTargets({ db, environments: deps.environments, orchestrators: deps.orchestrators, catalog: deps.catalog })
  const iso = (ms = clock.now()) => new Date(ms).toISOString()

  const scheduleContext = (owner: ScheduleOwner, from?: ScheduleOwner): ScheduleContext => ({
    ownerType: owner.type, owner: owner.id, ...(from ? { from: `${from.type}:${from.id}` } : {}),
  })

  const decideOnDag = createDagDecider({ db, policy, environments: deps.environments })
  /** The policy question about `action` on the DAG of a schedule. */
  const decide = (principal: Principal, action: Action, environment: string, dagId: string, context: { schedule?: ScheduleContext }) => decideOnDag(principal, action, environment, dagId, context)

  const ownerOfRow = (row: SchedulesTable): ScheduleOwner => ({ type: row.owner_type as ScheduleOwner['type'], id: row.owner_id })

  async function mayRead(actor: Principal, row: SchedulesTable): Promise<boolean> {
    return (await decide(actor, 'schedule:read', row.environment, row.dag_id, { schedule: scheduleContext(ownerOfRow(row)) })).decision === 'allow'
  }

  async function readable(actor: Principal, id: string): Promise<SchedulesTable> {
    const row = await findSchedule(db, id)
    if (!row || !(await mayRead(actor, row))) throw new ConductorError('schedule_not_found', `no schedule ${id} that you may see`, { details: { scheduleId: id } })
    return row
  }

  async function must(actor: Principal, action: Action, row: Pick<SchedulesTable, 'environment' | 'dag_id'>, owner: ScheduleOwner, from?: ScheduleOwner): Promise<void> {
    const decision = await decide(actor, action, row.environment, row.dag_id, { schedule: scheduleContext(owner, from) })
    if (decision.decision !== 'allow') {
      throw new ConductorError('policy_denied', `${actor.type} ${actor.id} may not ${action} for ${row.environment}/${row.dag_id}: ${decision.reasons.join('; ')}`, {
        details: { action, reasons: decision.reasons, policyIds: decision.policyIds },
      })
    }
  }

  /** Throws `schedule_owner_not_allowed` unless `owner` has access and may `dag:trigger` the DAG now; answers the owner as a principal. */
  async function ownerMayTrigger(owner: ScheduleOwner, environment: string, dagId: string): Promise<Principal> {
    const principal = await deps.principalOf(owner)
    if (!principal) {
      throw new ConductorError('schedule_owner_not_allowed', `${owner.type} ${owner.id} is not a principal with access (unknown, deprovisioned or disabled)`, { details: { field: 'owner', owner } })
    }
    const decision = await decide(principal, 'dag:trigger', environment, dagId, {})
    if (decision.decision !== 'allow') {
      throw new ConductorError('schedule_owner_not_allowed', `${owner.type} ${owner.id} may not dag:trigger ${environment}/${dagId}: ${decision.reasons.join('; ')}`, {
        details: { field: 'owner', owner, reasons: decision.reasons },
      })
    }
    return principal
  }

  const event = (actor: Principal | null, row: SchedulesTable, type: string, data: Record<string, unknown> = {}) => audit.append({
    type, principal: actor?.id ?? null, principalType: actor?.type ?? null, environment: row.environment, dag: row.dag_id,
    data: { scheduleId: row.id, owner: { type: row.owner_type, id: row.owner_id }, ...data },
  })

  /** Suspends an active schedule (no-op when it is not active any more), audited and told to the webhooks. */
  async function suspendRow(actor: Principal | null, row: SchedulesTable, reason: SuspendReason, detail: Record<string, unknown> = {}): Promise<boolean> {
    const now = iso()
    if (!(await updateSchedule(db, row.id, { state: 'suspended', suspended_reason: reason, updated_at: now }, { state: 'active' }))) return false
    await event(actor, row, 'schedule.suspended', { reason, ...detail })
    if (reason !== 'suspended_by_user') {
      const env = environments.get(row.environment)
      await deps.notify?.({
        type: 'schedule.suspended', occurredAt: now,
        data: {
          scheduleId: row.id, environment: row.environment, dag: row.dag_id, team: env?.team ?? null,
          owner: { type: row.owner_type, id: row.owner_id }, principal: row.owner_id, principalType: row.owner_type, reason, ...detail,
        },
      })
    }
    return true
  }

  async function fireOne(row: SchedulesTable, now: number): Promise<FiringOutcome> {
    const next = nextFiring(timingOf(row), Date.parse(row.created_at), now)
    const timingText = row.cron !== null ? `cron "${row.cron}" ${row.timezone}` : `every ${row.interval_seconds}s`
    const input: TriggerInput = { conf: JSON.parse(row.conf) as Record<string, unknown>, note: `Owned schedule ${row.id} (${timingText}), due ${row.next_fire_at}.` }
    const firing: ScheduleFiringsTable = { schedule_id: row.id, due_at: row.next_fire_at, request_id: deps.ids.next(), input: JSON.stringify(input), outcome: 'claimed', at: iso(now) }
    // The compare-and-set is the claim: of loops racing on this due time, only the one that moves next_fire_at fires.
    if (!(await claimFiring(db, firing, iso(next)))) return 'lost'
    return fire(row, firing)
  }

  /**
   * Fires a claimed firing as the schedule's owner, with the request id it was claimed with (so firing it again after a
   * crash is the same request), and settles it ({@link fireAsOwner}).
   */
  function fire(row: SchedulesTable, firing: ScheduleFiringsTable, recovered = false): Promise<FiringOutcome> {
    const owner = ownerOfRow(row)
    const dueAt = firing.due_at
    return fireAsOwner(deps.principalOf, {
      owner,
      settle: async (outcome, requestId) => {
        if (requestId) await updateSchedule(db, row.id, { last_request_id: requestId })
        return settleScheduleFiring(db, firing, outcome)
      },
      act: (principal) => triggerOnce(deps, principal, row.environment, row.dag_id, { requestId: firing.request_id, input: JSON.parse(firing.input) as TriggerInput }, { via: 'schedule', tool: row.id }),
      fired: async (done) => {
        await audit.append({
          type: 'schedule.fired', principal: owner.id, principalType: owner.type, environment: row.environment, dag: row.dag_id, action: 'dag:trigger', requestId: done.requestId,
          data: { scheduleId: row.id, dueAt, runId: done.runId, pending: done.pending, ...(recovered ? { recovered: true } : {}) },
        })
      },
      suspend: async (reason, facts) => { await suspendRow(null, row, reason, { dueAt, ...facts }) },
      failed: async (error, requestId) => {
        deps.logger.warn({ err: error, schedule: row.id }, 'scheduled trigger failed')
        await event(null, row, 'schedule.fire_failed', { dueAt, requestId, error: isConductorError(error) ? error.code : 'internal' })
      },
    })
  }

  async function fireDue(fence?: Fence): Promise<FiringRound> {
    const round: FiringRound = { fired: 0, suspended: 0, failed: 0 }
    await recoverStaleClaims(deps, 'schedule', round, (staleBefore) => listStaleScheduleClaims(db, staleBefore), async (firing) => {
      const row = await findSchedule(db, firing.schedule_id)
      if (!row || row.state !== 'active') {
        await settleScheduleFiring(db, firing, 'abandoned')
        return 'abandoned'
      }
      deps.logger.warn({ schedule: row.id, dueAt: firing.due_at, requestId: firing.request_id }, 'firing a schedule claim left unsettled again, as the same request')
      return fire(row, firing, true)
    }, fence)
    const now = clock.now()
    for (const row of await listDueSchedules(db, iso(now))) {
      if (fence && !fence.held()) break
      const outcome = await fireOne(row, now)
      if (outcome !== 'lost') round[outcome]++
    }
    return round
  }

  const loop = createLeasedLoop({ name: SCHEDULES_LEASE, round: fireDue, logger: deps.logger, leases: deps.leases })

  function checkOwner(owner: ScheduleOwner): void {
    if (!OWNER_TYPES.has(owner.type) || typeof owner.id !== 'string' || owner.id === '') throw invalid('owner', 'owner is { type: User|ServiceAccount|Agent, id }')
  }

  return {
    async create(actor, input) {
      const timing = timingFrom(input)
      checkTiming(timing)
      const conf = checkConf(input.conf, { maxBytes: deps.maxConfBytes, maxDepth: 32 })
      const owner: ScheduleOwner = input.owner ?? { type: actor.type, id: actor.id }
      checkOwner(owner)
      if (!environments.has(input.environment)) throw new ConductorError('environment_not_found', `unknown environment "${input.environment}"`, { details: { environment: input.environment, field: 'environment' } })
      const dag = await targets.dagOf(input.environment, input.dagId)
      await must(actor, 'schedule:create', { environment: input.environment, dag_id: dag.dag_id }, owner)
      await ownerMayTrigger(owner, input.environment, dag.dag_id)
      const now = clock.now()
      const row: SchedulesTable = {
        id: deps.ids.next(), environment: input.environment, dag_id: dag.dag_id, owner_type: owner.type, owner_id: owner.id,
        cron: timing.cron ?? null, timezone: timing.timezone ?? null, interval_seconds: timing.intervalSeconds ?? null, conf: JSON.stringify(conf),
        description: input.description ?? null, state: 'active', suspended_reason: null, next_fire_at: iso(nextFiring(timing, now, now)),
        last_fired_at: null, last_request_id: null, created_by: `${actor.type} ${actor.id}`, created_at: iso(now), updated_at: iso(now),
      }
      await insertSchedule(db, row)
      await event(actor, row, 'schedule.created', { cron: row.cron, timezone: row.timezone, intervalSeconds: row.interval_seconds, nextFireAt: row.next_fire_at })
      return view(row)
    },

    async list(actor, filter = {}) {
      const out: ScheduleView[] = []
      for (const row of await listSchedules(db)) {
        if (filter.environment !== undefined && row.environment !== filter.environment) continue
        if (filter.dagId !== undefined && row.dag_id !== filter.dagId) continue
        if (await mayRead(actor, row)) out.push(view(row))
      }
      return out
    },

    async get(actor, id) {
      return view(await readable(actor, id))
    },

    async update(actor, id, patch) {
      const row = await readable(actor, id)
      await must(actor, 'schedule:manage', row, ownerOfRow(row))
      const changes: Partial<SchedulesTable> = {}
      const now = clock.now()
      if (patch.cron !== undefined || patch.intervalSeconds !== undefined || patch.timezone !== undefined) {
        const timing = timingFrom({
          cron: patch.cron ?? (patch.intervalSeconds === undefined ? row.cron ?? undefined : undefined),
          timezone: patch.timezone ?? (patch.intervalSeconds === undefined && (patch.cron !== undefined || row.cron !== null) ? row.timezone ?? undefined : undefined),
          intervalSeconds: patch.intervalSeconds,
        })
        checkTiming(timing)
        Object.assign(changes, {
          cron: timing.cron ?? null, timezone: timing.timezone ?? null, interval_seconds: timing.intervalSeconds ?? null,
          next_fire_at: iso(nextFiring(timing, Date.parse(row.created_at), now)),
        })
      }
      if (patch.conf !== undefined) changes.conf = JSON.stringify(checkConf(patch.conf, { maxBytes: deps.maxConfBytes, maxDepth: 32 }))
      if (patch.description !== undefined) changes.description = patch.description
      if (Object.keys(changes).length === 0) return view(row)
      changes.updated_at = iso(now)
      await updateSchedule(db, id, changes)
      const next = (await findSchedule(db, id))!
      await event(actor, next, 'schedule.updated', { changed: Object.keys(changes).filter((k) => k !== 'updated_at') })
      return view(next)
    },

    async suspend(actor, id) {
      const row = await readable(actor, id)
      await must(actor, 'schedule:manage', row, ownerOfRow(row))
      await suspendRow(actor, row, 'suspended_by_user')
      return view((await findSchedule(db, id))!)
    },

    async resume(actor, id) {
      const row = await readable(actor, id)
      await must(actor, 'schedule:manage', row, ownerOfRow(row))
      if (row.state === 'active') return view(row)
      await ownerMayTrigger(ownerOfRow(row), row.environment, row.dag_id)
      const now = clock.now()
      // Firings missed while suspended are not made up: the schedule goes on from now.
      await updateSchedule(db, id, { state: 'active', suspended_reason: null, next_fire_at: iso(nextFiring(timingOf(row), Date.parse(row.created_at), now)), updated_at: iso(now) }, { state: 'suspended' })
      const next = (await findSchedule(db, id))!
      await event(actor, next, 'schedule.resumed', { previousReason: row.suspended_reason, nextFireAt: next.next_fire_at })
      return view(next)
    },

    async transfer(actor, id, to) {
      checkOwner(to)
      const row = await readable(actor, id)
      const from = ownerOfRow(row)
      await must(actor, 'schedule:transfer', row, to, from)
      await ownerMayTrigger(to, row.environment, row.dag_id)
      await updateSchedule(db, id, { owner_type: to.type, owner_id: to.id, updated_at: iso() })
      const next = (await findSchedule(db, id))!
      await event(actor, next, 'schedule.transferred', { from, to })
      return view(next)
    },

    async delete(actor, id) {
      const row = await readable(actor, id)
      await must(actor, 'schedule:manage', row, ownerOfRow(row))
      if (await deleteSchedule(db, id)) await event(actor, row, 'schedule.deleted')
      return view(row)
    },

    async scheduledDags(actor) {
      const owners = new Map<string, ScheduledDag['ownedBy']>()
      for (const s of await activeScheduleOwners(db)) {
        const key = `${s.environment}/${s.dag_id}`
        owners.set(key, [...owners.get(key) ?? [], { scheduleId: s.id, owner: { type: s.owner_type as ScheduleOwner['type'], id: s.owner_id } }])
      }
      const known = new Set((await db.selectFrom('principals').select('id').execute()).map((p) => p.id))
      const out: ScheduledDag[] = []
      for (const dag of await listCatalogDags(db)) {
        if (dag.schedule === null || dag.schedule === '' || dag.schedule === 'None' || !environments.has(dag.environment)) continue
        const env = environments.get(dag.environment)!
        if (policy.authorize(authorizationRequest(actor, 'dag:read', env, dag)).decision !== 'allow') continue
        out.push({
          environment: dag.environment, dagId: dag.dag_id, schedule: dag.schedule, owners: JSON.parse(dag.owners) as string[],
          ownedBy: owners.get(`${dag.environment}/${dag.dag_id}`) ?? [], ownerPrincipals: [...new Set(airflowOwnersOf(dag).filter((o) => known.has(o)))],
        })
      }
      return out
    },

    async suspendOwnedBy(owner, reason) {
      const ids: string[] = []
      for (const row of await listActiveOwnedBy(db, owner)) {
        if (await suspendRow(null, row, reason)) ids.push(row.id)
      }
      return ids
    },

    fireDue,

    start: (intervalSeconds) => loop.start(intervalSeconds),
    stop: () => loop.stop(),
  }
}
