import type { Kysely } from 'kysely'
import type { ScheduleFiringsTable, SchedulesTable, ScheduleTables } from './schedules.tables.ts'

/** Records a new schedule. */
export async function insertSchedule(db: Kysely<ScheduleTables>, row: SchedulesTable): Promise<void> {
  await db.insertInto('schedules').values(row).execute()
}

/** One schedule by id, or undefined. */
export async function findSchedule(db: Kysely<ScheduleTables>, id: string): Promise<SchedulesTable | undefined> {
  return db.selectFrom('schedules').selectAll().where('id', '=', id).executeTakeFirst()
}

/** Every schedule, oldest first (at most `limit`). */
export async function listSchedules(db: Kysely<ScheduleTables>, limit = 5000): Promise<SchedulesTable[]> {
  return db.selectFrom('schedules').selectAll().orderBy('created_at').orderBy('id').limit(limit).execute()
}

/** The active schedules due at `now` (ISO), earliest first. */
export async function listDueSchedules(db: Kysely<ScheduleTables>, now: string, limit = 100): Promise<SchedulesTable[]> {
  return db.selectFrom('schedules').selectAll().where('state', '=', 'active').where('next_fire_at', '<=', now).orderBy('next_fire_at').limit(limit).execute()
}

/** The active schedules owned by a principal. */
export async function listActiveOwnedBy(db: Kysely<ScheduleTables>, owner: { type: string; id: string }): Promise<SchedulesTable[]> {
  return db.selectFrom('schedules').selectAll().where('owner_type', '=', owner.type).where('owner_id', '=', owner.id).where('state', '=', 'active').execute()
}

/**
 * Claims the firing due at `firing.due_at`: moves `next_fire_at` to `next` only if it still is that due time and the
 * schedule is active (compare-and-set), and records the firing (outcome `claimed`) in the same transaction. True for
 * exactly one of several callers racing on the same firing.
 */
export async function claimFiring(db: Kysely<ScheduleTables>, firing: ScheduleFiringsTable, next: string): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const result = await tx.updateTable('schedules').set({ next_fire_at: next, last_fired_at: firing.due_at, updated_at: firing.at })
      .where('id', '=', firing.schedule_id).where('next_fire_at', '=', firing.due_at).where('state', '=', 'active')
      .executeTakeFirst()
    if (Number(result.numUpdatedRows) !== 1) return false
    await tx.insertInto('schedule_firings').values(firing).execute()
    return true
  })
}

/** Records how a claimed firing ended, unless another attempt has already settled it; true when this did. */
export async function settleScheduleFiring(db: Kysely<ScheduleTables>, firing: Pick<ScheduleFiringsTable, 'schedule_id' | 'due_at'>, outcome: string): Promise<boolean> {
  const result = await db.updateTable('schedule_firings').set({ outcome })
    .where('schedule_id', '=', firing.schedule_id).where('due_at', '=', firing.due_at).where('outcome', '=', 'claimed')
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** Firings claimed before `before` (ISO) and still not settled: left behind by a replica that stopped, oldest first. */
export async function listStaleScheduleClaims(db: Kysely<ScheduleTables>, before: string, limit = 100): Promise<ScheduleFiringsTable[]> {
  return db.selectFrom('schedule_firings').selectAll().where('outcome', '=', 'claimed').where('at', '<', before).orderBy('at').limit(limit).execute()
}

/** Changes a schedule's columns; `onlyIf` narrows it to rows in that state. True when a row changed. */
export async function updateSchedule(db: Kysely<ScheduleTables>, id: string, changes: Partial<Omit<SchedulesTable, 'id'>>, onlyIf?: Pick<SchedulesTable, 'state'>): Promise<boolean> {
  let q = db.updateTable('schedules').set(changes).where('id', '=', id)
  if (onlyIf) q = q.where('state', '=', onlyIf.state)
  const result = await q.executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** Deletes a schedule and its firings; true when it existed. */
export async function deleteSchedule(db: Kysely<ScheduleTables>, id: string): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    await tx.deleteFrom('schedule_firings').where('schedule_id', '=', id).execute()
    const result = await tx.deleteFrom('schedules').where('id', '=', id).executeTakeFirst()
    return Number(result.numDeletedRows) === 1
  })
}

/** The ids of the DAGs that have an active schedule, as `environment/dagId`, with each schedule's id and owner. */
export async function activeScheduleOwners(db: Kysely<ScheduleTables>): Promise<Pick<SchedulesTable, 'id' | 'environment' | 'dag_id' | 'owner_type' | 'owner_id'>[]> {
  return db.selectFrom('schedules').select(['id', 'environment', 'dag_id', 'owner_type', 'owner_id']).where('state', '=', 'active').execute()
}
