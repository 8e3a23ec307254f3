import type { Kysely } from 'kysely'
import type { Clock, IdGenerator } from '../../core/index.ts'
import type { ComplianceHistoryTables, DirectoryHistoryTable } from './history.tables.ts'

/** A principal's directory state as recorded. */
export interface DirectoryState {
  type: string
  id: string
  displayName: string | null
  groups: string[]
  active: boolean
  recordedAt: string
  source: 'sign-in' | 'scim'
}

function toState(row: DirectoryHistoryTable): DirectoryState {
  return {
    type: row.principal_type, id: row.principal_id, displayName: row.display_name, groups: JSON.parse(row.groups) as string[],
    active: Number(row.active) === 1, recordedAt: row.recorded_at, source: row.source,
  }
}

/** Writes directory history rows. */
export interface DirectoryHistory {
  /**
   * Appends a row when `state` differs (groups or active) from the principal's last row; one indexed read otherwise.
   * @returns true when a row was appended.
   */
  record(state: Omit<DirectoryState, 'recordedAt'>): Promise<boolean>
}

/** Creates the directory history writer. */
export function createDirectoryHistory(deps: { db: Kysely<ComplianceHistoryTables>; clock: Clock; ids: IdGenerator }): DirectoryHistory {
  return {
    async record(state) {
      const groups = JSON.stringify([...new Set(state.groups)].sort())
      const last = await deps.db.selectFrom('directory_history').select(['groups', 'active'])
        .where('principal_type', '=', state.type).where('principal_id', '=', state.id)
        .orderBy('recorded_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst()
      if (last && last.groups === groups && Number(last.active) === (state.active ? 1 : 0)) return false
      await deps.db.insertInto('directory_history').values({
        id: deps.ids.next(), principal_type: state.type, principal_id: state.id, display_name: state.displayName, groups,
        active: state.active ? 1 : 0, recorded_at: new Date(deps.clock.now()).toISOString(), source: state.source,
      }).execute()
      return true
    },
  }
}

/** Each principal's last recorded state at or before `at` (inactive ones included: callers filter). */
export async function directoryAsOf(db: Kysely<ComplianceHistoryTables>, at: string): Promise<DirectoryState[]> {
  const rows = await db.selectFrom('directory_history').selectAll().where('recorded_at', '<=', at)
    .orderBy('principal_type').orderBy('principal_id').orderBy('recorded_at').orderBy('id').execute()
  const last = new Map<string, DirectoryHistoryTable>()
  for (const row of rows) last.set(`${row.principal_type}\0${row.principal_id}`, row)
  return [...last.values()].map(toState)
}

/** The rows recorded in [from, to), oldest first, each with the principal's state just before (absent: first seen). */
export async function directoryChangesIn(db: Kysely<ComplianceHistoryTables>, from: string, to: string): Promise<{ state: DirectoryState; before: DirectoryState | undefined }[]> {
  const rows = await db.selectFrom('directory_history').selectAll().where('recorded_at', '<', to)
    .orderBy('principal_type').orderBy('principal_id').orderBy('recorded_at').orderBy('id').execute()
  const previous = new Map<string, DirectoryState>()
  const out: { state: DirectoryState; before: DirectoryState | undefined }[] = []
  for (const row of rows) {
    const key = `${row.principal_type}\0${row.principal_id}`
    const state = toState(row)
    if (row.recorded_at >= from) out.push({ state, before: previous.get(key) })
    previous.set(key, state)
  }
  return out.sort((a, b) => (a.state.recordedAt < b.state.recordedAt ? -1 : a.state.recordedAt > b.state.recordedAt ? 1 : 0))
}
