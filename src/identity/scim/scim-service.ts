import type { Kysely, Transaction } from 'kysely'
import { sql } from 'kysely'
import { ConductorError, randomIds, systemClock, type Clock, type IdGenerator } from '../../core/index.ts'
import { isUniqueViolation, transaction, type Database } from '../../store/index.ts'
import { scimInvalid } from './errors.ts'
import { compileFilter, groupFilterTarget, userFilterTarget } from './filter-sql.ts'
import { parseAttrPath, parseFilter, type AttrPath } from './filter.ts'
import { applyPatch, parsePatchRequest } from './patch.ts'
import { GROUP_MODEL, normalizeResource, resolveAttr, USER_MODEL, type ResourceModel, type ScimObject } from './resource-model.ts'
import type { ScimTables, ScimUsersTable } from './scim.tables.ts'
import { DEFAULT_COUNT, MAX_RESULTS, SCIM_URN } from './schemas.ts'

/** A provisioned user as revocation and policy see it. */
export interface ScimUserSummary {
  id: string
  userName: string
  externalId: string | null
  displayName: string | null
  active: boolean
  /** True for a user deleted through SCIM (its tombstone). */
  deleted: boolean
  /** The displayNames of the groups the user is a direct member of, sorted. */
  groups: string[]
}

/**
 * What the SCIM service tells the rest of Conductor, after each change is committed. Each callback is awaited in
 * order; an error thrown by one is reported to `onEventError` (the change stays committed) so the next still runs.
 */
export interface ScimEvents {
  /** `active` went from true to false. */
  userDeactivated(user: ScimUserSummary): void | Promise<void>
  /** The user was deleted (its `groups` are those it had just before). */
  userDeleted(user: ScimUserSummary): void | Promise<void>
  /** `active` went from false to true. */
  userReactivated(user: ScimUserSummary): void | Promise<void>
  /** The user left these groups (displayNames): removed from them, a group deleted, or a group renamed (the old name). */
  membershipsRemoved(user: ScimUserSummary, groups: string[]): void | Promise<void>
  /** The user joined these groups (displayNames), or a group they are in was renamed (the new name). */
  membershipsAdded(user: ScimUserSummary, groups: string[]): void | Promise<void>
}

/** A summary of one change, for the audit trail: names and counts, never attribute values. */
export interface ScimChange {
  resourceType: 'User' | 'Group'
  id: string
  action: 'created' | 'replaced' | 'patched' | 'deleted' | 'unchanged'
  /** Top-level attributes whose value changed (extension attributes as `urn:…:name`). */
  attributes?: string[]
  active?: boolean
  /** Group changes: member ids added and removed (at most 100 of each listed), and the counts. */
  membersAdded?: number
  membersRemoved?: number
  addedMembers?: string[]
  removedMembers?: string[]
}

/** A resource as SCIM returns it (without `meta.location` and `$ref`s, which depend on the base URL), and its version. */
export interface ScimResult {
  resource: Record<string, unknown>
  id: string
  version: number
  change: ScimChange
}

/** A list request (RFC 7644 §3.4.2). */
export interface ScimListQuery {
  filter?: string
  /** 1-based; values below 1 count as 1. */
  startIndex?: number
  /** Page size; at most 1000 (default 100); 0 returns only `totalResults`. */
  count?: number
  sortBy?: string
  sortOrder?: 'ascending' | 'descending'
  /** Skip reading group members (User.groups, Group.members), e.g. for `excludedAttributes=members`. */
  omitMemberships?: boolean
}

/** A page of resources. */
export interface ScimListResult {
  totalResults: number
  startIndex: number
  itemsPerPage: number
  resources: Record<string, unknown>[]
}

/** What a user's token claims, compared with SCIM by {@link ScimService.reconciliationReport}. */
export interface ScimClaims {
  userName?: string
  externalId?: string
  groups: readonly string[]
}

/** The drift between SCIM and a token's claims for one user. */
export interface ScimReconciliation {
  /** The SCIM user (live, else its tombstone), or null when SCIM does not know the user. */
  user: ScimUserSummary | null
  /** SCIM groups of the user that the token does not claim. */
  missingFromClaims: string[]
  /** Groups the token claims that SCIM does not list for the user. */
  notInScim: string[]
  /** True when the user is known, active, not deleted and the groups agree (compared case-insensitively). */
  inSync: boolean
}

/** The SCIM 2.0 service provider's domain: Users and Groups over the database, with ETags and revocation events. */
export interface ScimService {
  /** POST /Users. Throws `conflict` (scimType uniqueness) for a taken userName, `invalid_input` with a scimType for bad input. */
  createUser(body: unknown): Promise<ScimResult>
  /** GET /Users/{id}; `not_found` for unknown and deleted users. */
  getUser(id: string): Promise<ScimResult>
  /** PUT /Users/{id}. `ifMatch` is the If-Match header; a stale version throws `precondition_failed`. */
  replaceUser(id: string, body: unknown, ifMatch?: string): Promise<ScimResult>
  /** PATCH /Users/{id} with a PatchOp body. */
  patchUser(id: string, body: unknown, ifMatch?: string): Promise<ScimResult>
  /** DELETE /Users/{id}: the user leaves SCIM (404 afterwards) and its groups; a tombstone row remains. */
  deleteUser(id: string, ifMatch?: string): Promise<ScimChange>
  /** GET /Users with filter, paging and sorting. */
  listUsers(query: ScimListQuery): Promise<ScimListResult>
  /** POST /Groups. Members must be existing users. Throws `conflict` (uniqueness) for a taken displayName. */
  createGroup(body: unknown): Promise<ScimResult>
  /** GET /Groups/{id}; `withMembers: false` skips reading members. */
  getGroup(id: string, options?: { withMembers?: boolean }): Promise<ScimResult>
  /** PUT /Groups/{id}. */
  replaceGroup(id: string, body: unknown, ifMatch?: string): Promise<ScimResult>
  /** PATCH /Groups/{id}; with `withMembers: false` the answer leaves members out. */
  patchGroup(id: string, body: unknown, ifMatch?: string, options?: { withMembers?: boolean }): Promise<ScimResult>
  /** DELETE /Groups/{id}. */
  deleteGroup(id: string, ifMatch?: string): Promise<ScimChange>
  /** GET /Groups. */
  listGroups(query: ScimListQuery): Promise<ScimListResult>
  /**
   * The SCIM user behind a signed-in principal, by userName (case-insensitive) or externalId: the live user, else
   * the most recently deleted one (`deleted: true`, `active: false`), else null.
   */
  findUserForPrincipal(principal: { userName?: string; externalId?: string }): Promise<ScimUserSummary | null>
  /** Compares a token's group claims with SCIM's groups for the same user. */
  reconciliationReport(claims: ScimClaims): Promise<ScimReconciliation>
}

/** Dependencies of {@link createScimService}. */
export interface ScimServiceDeps {
  database: Pick<Database<ScimTables>, 'db' | 'dialect'>
  clock?: Clock
  /** Resource ids; default random UUIDs. */
  ids?: IdGenerator
  events?: Partial<ScimEvents>
  /** Called with an error thrown by an event callback. */
  onEventError?: (error: unknown, event: keyof ScimEvents) => void
}

type Db = Kysely<ScimTables> | Transaction<ScimTables>
type Pending = { event: keyof ScimEvents; run: () => void | Promise<void> }[]

const CHUNK = 300

/** Creates the SCIM service. Every change runs in one transaction: a refused request changes nothing. */
export function createScimService(deps: ScimServiceDeps): ScimService {
  const db = deps.database.db as Kysely<ScimTables>
  const dialect = deps.database.dialect
  const clock = deps.clock ?? systemClock
  const ids = deps.ids ?? randomIds
  const events = deps.events ?? {}
  const iso = () => new Date(clock.now()).toISOString()
  const userTarget = userFilterTarget(USER_MODEL)
  const groupTarget = groupFilterTarget(GROUP_MODEL)

  async function fire(pending: Pending): Promise<void> {
    for (const { event, run } of pending) {
      try { await run() } catch (error) { deps.onEventError?.(error, event) }
    }
  }

  const notFound = (type: string, id: string) => new ConductorError('not_found', `${type} ${id} not found`, { details: { scimType: null } })

  function checkVersion(ifMatch: string | undefined, version: number): void {
    if (ifMatch === undefined || ifMatch.trim() === '*') return
    const tags = ifMatch.split(',').map((t) => t.trim().replace(/^W\//, '').replace(/^"|"$/g, ''))
    if (!tags.includes(String(version))) {
      throw new ConductorError('precondition_failed', `the resource is at version W/"${version}", not ${ifMatch.trim()}`, { details: { version: `W/"${version}"` } })
    }
  }

  async function uniqueOr<R>(work: () => Promise<R>, message: () => string): Promise<R> {
    try {
      return await work()
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConductorError('conflict', message(), { details: { scimType: 'uniqueness' }, cause: error })
      throw error
    }
  }

  // ---------- users ----------

  const userRow = (id: string, resource: ScimObject, version: number, createdAt: string, updatedAt: string): ScimUsersTable => {
    const userName = resource.userName as string
    const displayName = typeof resource.displayName === 'string' ? resource.displayName : null
    return {
      id, user_name: userName, user_name_lower: userName.toLowerCase(), external_id: typeof resource.externalId === 'string' ? resource.externalId : null,
      display_name: displayName, display_name_lower: displayName?.toLowerCase() ?? null, active: resource.active === false ? 0 : 1,
      resource: JSON.stringify(resource), version, created_at: createdAt, updated_at: updatedAt, deleted_at: null,
    }
  }

  async function writeEmails(trx: Db, id: string, resource: ScimObject, replace: boolean): Promise<void> {
    if (replace) await trx.deleteFrom('scim_user_emails').where('user_id', '=', id).execute()
    const emails = Array.isArray(resource.emails) ? resource.emails as Record<string, unknown>[] : []
    if (emails.length === 0) return
    await trx.insertInto('scim_user_emails').values(emails.map((email, position) => ({
      user_id: id, position,
      value_lower: typeof email.value === 'string' ? email.value.toLowerCase() : null,
      type_lower: typeof email.type === 'string' ? email.type.toLowerCase() : null,
      is_primary: email.primary === true ? 1 : 0,
    }))).execute()
  }

  async function groupsOfUsers(trx: Db, userIds: string[]): Promise<Map<string, { id: string; displayName: string }[]>> {
    const out = new Map<string, { id: string; displayName: string }[]>()
    for (let i = 0; i < userIds.length; i += CHUNK) {
      const rows = await trx.selectFrom('scim_memberships as m').innerJoin('scim_groups as g', 'g.id', 'm.group_id')
        .select(['m.user_id', 'g.id', 'g.display_name']).where('m.user_id', 'in', userIds.slice(i, i + CHUNK)).orderBy('g.display_name').execute()
      for (const row of rows) {
        const list = out.get(row.user_id) ?? []
        list.push({ id: row.id, displayName: row.display_name })
        out.set(row.user_id, list)
      }
    }
    return out
  }

  function userRepresentation(row: ScimUsersTable, groups: { id: string; displayName: string }[] | null): Record<string, unknown> {
    const stored = JSON.parse(row.resource) as ScimObject
    const { externalId, ...rest } = stored
    const extensions = USER_MODEL.extensions.filter((e) => stored[e.id] !== undefined).map((e) => e.id)
    const out: Record<string, unknown> = { schemas: [SCIM_URN.user, ...extensions], id: row.id }
    if (externalId !== undefined) out.externalId = externalId
    Object.assign(out, rest)
    if (out.active === undefined) out.active = row.active === 1
    if (groups && groups.length) out.groups = groups.map((g) => ({ value: g.id, display: g.displayName, type: 'direct' }))
    out.meta = { resourceType: 'User', created: row.created_at, lastModified: row.updated_at, version: `W/"${row.version}"` }
    return out
  }

  const summaryOf = (row: Pick<ScimUsersTable, 'id' | 'user_name' | 'external_id' | 'display_name' | 'active' | 'deleted_at'>, groups: string[]): ScimUserSummary => ({
    id: row.id, userName: row.user_name, externalId: row.external_id, displayName: row.display_name, active: row.active === 1 && row.deleted_at === null,
    deleted: row.deleted_at !== null, groups: [...groups].sort(),
  })

  async function summaries(trx: Db, userIds: string[]): Promise<Map<string, ScimUserSummary>> {
    const out = new Map<string, ScimUserSummary>()
    if (userIds.length === 0) return out
    const groups = await groupsOfUsers(trx, userIds)
    for (let i = 0; i < userIds.length; i += CHUNK) {
      const rows = await trx.selectFrom('scim_users').select(['id', 'user_name', 'external_id', 'display_name', 'active', 'deleted_at'])
        .where('id', 'in', userIds.slice(i, i + CHUNK)).execute()
      for (const row of rows) out.set(row.id, summaryOf(row, (groups.get(row.id) ?? []).map((g) => g.displayName)))
    }
    return out
  }

  async function liveUser(trx: Db, id: string): Promise<ScimUsersTable> {
    const row = await trx.selectFrom('scim_users').selectAll().where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst()
    if (!row) throw notFound('User', id)
    return row
  }

  function changedAttributes(before: ScimObject, after: ScimObject): string[] {
    const names = new Set<string>()
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      const extension = USER_MODEL.extensions.find((e) => e.id === key)
      if (extension) {
        const a = (before[key] ?? {}) as ScimObject
        const b = (after[key] ?? {}) as ScimObject
        for (const sub of new Set([...Object.keys(a), ...Object.keys(b)])) if (JSON.stringify(a[sub]) !== JSON.stringify(b[sub])) names.add(`${key}:${sub}`)
      } else if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) names.add(key)
    }
    return [...names].sort()
  }

  async function updateUser(id: string, ifMatch: string | undefined, next: (stored: ScimObject) => ScimObject, action: 'replaced' | 'patched'): Promise<ScimResult> {
    const pending: Pending = []
    const result = await uniqueOr(() => transaction({ db }, async (trx) => {
      const row = await liveUser(trx, id)
      checkVersion(ifMatch, row.version)
      const before = JSON.parse(row.resource) as ScimObject
      const after = next(before)
      const attributes = changedAttributes(before, after)
      const groups = (await groupsOfUsers(trx, [id])).get(id) ?? []
      if (attributes.length === 0) {
        return { resource: userRepresentation(row, groups), id, version: row.version, change: { resourceType: 'User' as const, id, action: 'unchanged' as const } }
      }
      const updated = userRow(id, after, row.version + 1, row.created_at, iso())
      await trx.updateTable('scim_users').set(updated).where('id', '=', id).where('version', '=', row.version).execute()
      if (attributes.includes('emails')) await writeEmails(trx, id, after, true)
      const wasActive = row.active === 1
      const isActive = updated.active === 1
      const summary = summaryOf(updated, groups.map((g) => g.displayName))
      if (wasActive && !isActive) pending.push({ event: 'userDeactivated', run: () => events.userDeactivated?.(summary) })
      if (!wasActive && isActive) pending.push({ event: 'userReactivated', run: () => events.userReactivated?.(summary) })
      return {
        resource: userRepresentation(updated, groups), id, version: updated.version,
        change: { resourceType: 'User' as const, id, action, attributes, ...(wasActive !== isActive ? { active: isActive } : {}) },
      }
    }), () => 'another user already has this userName')
    await fire(pending)
    return result
  }

  // ---------- groups ----------

  type GroupState = { displayName: string; externalId?: string; members: string[] }

  function groupStored(body: ScimObject): GroupState {
    const members = Array.isArray(body.members) ? body.members as Record<string, unknown>[] : []
    const values: string[] = []
    for (const [i, member] of members.entries()) {
      if (typeof member.value !== 'string' || member.value === '') throw scimInvalid('invalidValue', `members[${i}].value is required`)
      if (typeof member.type === 'string' && member.type.toLowerCase() !== 'user') throw scimInvalid('invalidValue', `members[${i}]: only Users can be members (nested groups are not supported)`)
      values.push(member.value)
    }
    return { displayName: body.displayName as string, ...(typeof body.externalId === 'string' ? { externalId: body.externalId } : {}), members: [...new Set(values)] }
  }

  async function checkMembersExist(trx: Db, userIds: string[]): Promise<void> {
    for (let i = 0; i < userIds.length; i += CHUNK) {
      const slice = userIds.slice(i, i + CHUNK)
      const found = await trx.selectFrom('scim_users').select('id').where('id', 'in', slice).where('deleted_at', 'is', null).execute()
      if (found.length < slice.length) {
        const known = new Set(found.map((r) => r.id))
        const missing = slice.filter((id) => !known.has(id))
        throw scimInvalid('invalidValue', `members: no user with id ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` (and ${missing.length - 5} more)` : ''}`, { missing: missing.slice(0, 20) })
      }
    }
  }

  async function membersOf(trx: Db, groupIds: string[]): Promise<Map<string, { value: string; display: string }[]>> {
    const out = new Map<string, { value: string; display: string }[]>()
    for (let i = 0; i < groupIds.length; i += CHUNK) {
      const rows = await trx.selectFrom('scim_memberships as m').innerJoin('scim_users as u', 'u.id', 'm.user_id')
        .select(['m.group_id', 'u.id', 'u.user_name', 'u.display_name']).where('m.group_id', 'in', groupIds.slice(i, i + CHUNK))
        .orderBy('m.added_at').orderBy('u.id').execute()
      for (const row of rows) {
        const list = out.get(row.group_id) ?? []
        list.push({ value: row.id, display: row.display_name ?? row.user_name })
        out.set(row.group_id, list)
      }
    }
    return out
  }

  function groupRepresentation(row: { id: string; display_name: string; external_id: string | null; version: number; created_at: string; updated_at: string }, members: { value: string; display: string }[] | null): Record<string, unknown> {
    return {
      schemas: [SCIM_URN.group], id: row.id, ...(row.external_id !== null ? { externalId: row.external_id } : {}), displayName: row.display_name,
      ...(members ? { members: members.map((m) => ({ value: m.value, display: m.display, type: 'User' })) } : {}),
      meta: { resourceType: 'Group', created: row.created_at, lastModified: row.updated_at, version: `W/"${row.version}"` },
    }
  }

  async function addMembers(trx: Db, groupId: string, userIds: string[]): Promise<void> {
    const at = iso()
    for (let i = 0; i < userIds.length; i += CHUNK) {
      await trx.insertInto('scim_memberships').values(userIds.slice(i, i + CHUNK).map((user_id) => ({ group_id: groupId, user_id, added_at: at }))).execute()
    }
  }

  async function removeMembers(trx: Db, groupId: string, userIds: string[]): Promise<void> {
    for (let i = 0; i < userIds.length; i += CHUNK) {
      await trx.deleteFrom('scim_memberships').where('group_id', '=', groupId).where('user_id', 'in', userIds.slice(i, i + CHUNK)).execute()
    }
  }

  async function liveGroup(trx: Db, id: string) {
    const row = await trx.selectFrom('scim_groups').selectAll().where('id', '=', id).executeTakeFirst()
    if (!row) throw notFound('Group', id)
    return row
  }

  /** Queues membership events: per user, the groups they left and joined. */
  async function queueMembershipEvents(trx: Db, pending: Pending, removed: Map<string, string[]>, added: Map<string, string[]>): Promise<void> {
    const users = await summaries(trx, [...new Set([...removed.keys(), ...added.keys()])])
    for (const [userId, groups] of removed) {
      const user = users.get(userId)
      if (user && groups.length) pending.push({ event: 'membershipsRemoved', run: () => events.membershipsRemoved?.(user, groups) })
    }
    for (const [userId, groups] of added) {
      const user = users.get(userId)
      if (user && groups.length) pending.push({ event: 'membershipsAdded', run: () => events.membershipsAdded?.(user, groups) })
    }
  }

  async function updateGroup(id: string, ifMatch: string | undefined, next: (state: GroupState) => GroupState, action: 'replaced' | 'patched', withMembers = true): Promise<ScimResult> {
    const pending: Pending = []
    const result = await uniqueOr(() => transaction({ db }, async (trx) => {
      const row = await liveGroup(trx, id)
      checkVersion(ifMatch, row.version)
      const current = (await trx.selectFrom('scim_memberships').select('user_id').where('group_id', '=', id).orderBy('added_at').orderBy('user_id').execute()).map((r) => r.user_id)
      const before: GroupState = { displayName: row.display_name, ...(row.external_id !== null ? { externalId: row.external_id } : {}), members: current }
      const after = next(before)
      const had = new Set(current)
      const wants = new Set(after.members)
      const added = after.members.filter((m) => !had.has(m))
      const removed = current.filter((m) => !wants.has(m))
      const renamed = after.displayName !== before.displayName
      const attributes = [
        ...(renamed ? ['displayName'] : []), ...(after.externalId !== before.externalId ? ['externalId'] : []), ...(added.length || removed.length ? ['members'] : []),
      ]
      const change: ScimChange = {
        resourceType: 'Group', id, action: attributes.length ? action : 'unchanged', attributes,
        ...(added.length || removed.length ? { membersAdded: added.length, membersRemoved: removed.length, addedMembers: added.slice(0, 100), removedMembers: removed.slice(0, 100) } : {}),
      }
      if (attributes.length === 0) {
        return { resource: groupRepresentation(row, withMembers ? (await membersOf(trx, [id])).get(id) ?? [] : null), id, version: row.version, change }
      }
      await checkMembersExist(trx, added)
      const updated = {
        ...row, display_name: after.displayName, display_name_lower: after.displayName.toLowerCase(), external_id: after.externalId ?? null,
        version: row.version + 1, updated_at: iso(),
      }
      await trx.updateTable('scim_groups').set(updated).where('id', '=', id).where('version', '=', row.version).execute()
      await removeMembers(trx, id, removed)
      await addMembers(trx, id, added)
      const left = new Map<string, string[]>()
      const joined = new Map<string, string[]>()
      for (const userId of removed) left.set(userId, [before.displayName])
      for (const userId of added) joined.set(userId, [after.displayName])
      if (renamed) {
        for (const userId of after.members) {
          if (!had.has(userId)) continue
          left.set(userId, [before.displayName])
          joined.set(userId, [after.displayName])
        }
      }
      await queueMembershipEvents(trx, pending, left, joined)
      return { resource: groupRepresentation(updated, withMembers ? (await membersOf(trx, [id])).get(id) ?? [] : null), id, version: updated.version, change }
    }), () => 'another group already has this displayName')
    await fire(pending)
    return result
  }

  function groupBodyToState(body: unknown): GroupState {
    return groupStored(normalizeResource(GROUP_MODEL, body))
  }

  function stateToObject(state: GroupState): ScimObject {
    return { displayName: state.displayName, ...(state.externalId !== undefined ? { externalId: state.externalId } : {}), members: state.members.map((value) => ({ value })) }
  }

  // ---------- lists ----------

  function sortColumn(model: ResourceModel, sortBy: string, table: string, columns: Record<string, string>): string {
    const path: AttrPath = parseAttrPath(sortBy, model.urns, 'invalidValue')
    const resolved = resolveAttr(model, path, 'invalidValue')
    const key = resolved.sub ? `${resolved.def.name}.${resolved.sub.name}`.toLowerCase() : resolved.def.name.toLowerCase()
    const column = resolved.extension ? undefined : columns[key]
    if (column === undefined) throw scimInvalid('invalidValue', `sorting by "${sortBy}" is not supported`)
    return `${table}.${column}`
  }

  function page(query: ScimListQuery): { offset: number; limit: number; startIndex: number } {
    const startIndex = Math.max(1, Math.trunc(query.startIndex ?? 1))
    const limit = Math.min(MAX_RESULTS, Math.max(0, Math.trunc(query.count ?? DEFAULT_COUNT)))
    return { offset: startIndex - 1, limit, startIndex }
  }

  return {
    async createUser(body) {
      const resource = normalizeResource(USER_MODEL, body)
      const id = ids.next()
      const now = iso()
      const row = userRow(id, resource, 1, now, now)
      await uniqueOr(() => transaction({ db }, async (trx) => {
        await trx.insertInto('scim_users').values(row).execute()
        await writeEmails(trx, id, resource, false)
      }), () => `userName "${row.user_name}" is already taken`)
      return { resource: userRepresentation(row, []), id, version: 1, change: { resourceType: 'User', id, action: 'created', attributes: Object.keys(resource).sort(), active: row.active === 1 } }
    },

    async getUser(id) {
      const row = await liveUser(db, id)
      const groups = (await groupsOfUsers(db, [id])).get(id) ?? []
      return { resource: userRepresentation(row, groups), id, version: row.version, change: { resourceType: 'User', id, action: 'unchanged' } }
    },

    replaceUser(id, body, ifMatch) {
      const resource = normalizeResource(USER_MODEL, body)
      return updateUser(id, ifMatch, () => resource, 'replaced')
    },

    patchUser(id, body, ifMatch) {
      const operations = parsePatchRequest(body)
      return updateUser(id, ifMatch, (stored) => applyPatch(USER_MODEL, stored, operations), 'patched')
    },

    async deleteUser(id, ifMatch) {
      const pending: Pending = []
      const change = await transaction({ db }, async (trx) => {
        const row = await liveUser(trx, id)
        checkVersion(ifMatch, row.version)
        const groups = (await groupsOfUsers(trx, [id])).get(id) ?? []
        const now = iso()
        await trx.updateTable('scim_users').set({ deleted_at: now, updated_at: now, version: row.version + 1 }).where('id', '=', id).execute()
        await trx.deleteFrom('scim_user_emails').where('user_id', '=', id).execute()
        await trx.deleteFrom('scim_memberships').where('user_id', '=', id).execute()
        if (groups.length) {
          await trx.updateTable('scim_groups').set((eb) => ({ version: eb('version', '+', 1), updated_at: now })).where('id', 'in', groups.map((g) => g.id)).execute()
        }
        const summary = summaryOf({ ...row, deleted_at: now }, groups.map((g) => g.displayName))
        pending.push({ event: 'userDeleted', run: () => events.userDeleted?.(summary) })
        return { resourceType: 'User' as const, id, action: 'deleted' as const, ...(groups.length ? { membersRemoved: groups.length } : {}) }
      })
      await fire(pending)
      return change
    },

    async listUsers(query) {
      const where = query.filter === undefined ? null : compileFilter(parseFilter(query.filter, USER_MODEL.urns), userTarget, dialect)
      const { offset, limit, startIndex } = page(query)
      let base = db.selectFrom('scim_users').where('deleted_at', 'is', null)
      if (where) base = base.where(where)
      const total = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
      let resources: Record<string, unknown>[] = []
      if (limit > 0) {
        const columns = { id: 'id', username: 'user_name_lower', displayname: 'display_name_lower', externalid: 'external_id', active: 'active', 'meta.created': 'created_at', 'meta.lastmodified': 'updated_at' }
        const order = query.sortOrder === 'descending' ? 'desc' : 'asc'
        let q = base.selectAll()
        if (query.sortBy) q = q.orderBy(sql.ref(sortColumn(USER_MODEL, query.sortBy, 'scim_users', columns)), order)
        const rows = await q.orderBy('created_at', order).orderBy('id', order).limit(limit).offset(offset).execute()
        const groups = query.omitMemberships ? new Map() : await groupsOfUsers(db, rows.map((r) => r.id))
        resources = rows.map((row) => userRepresentation(row, groups.get(row.id) ?? []))
      }
      return { totalResults: Number(total.n), startIndex, itemsPerPage: resources.length, resources }
    },

    async createGroup(body) {
      const state = groupBodyToState(body)
      const id = ids.next()
      const now = iso()
      const row = { id, display_name: state.displayName, display_name_lower: state.displayName.toLowerCase(), external_id: state.externalId ?? null, version: 1, created_at: now, updated_at: now }
      const pending: Pending = []
      const members = await uniqueOr(() => transaction({ db }, async (trx) => {
        await checkMembersExist(trx, state.members)
        await trx.insertInto('scim_groups').values(row).execute()
        await addMembers(trx, id, state.members)
        await queueMembershipEvents(trx, pending, new Map(), new Map(state.members.map((userId) => [userId, [state.displayName]])))
        return (await membersOf(trx, [id])).get(id) ?? []
      }), () => `a group named "${state.displayName}" already exists`)
      await fire(pending)
      return {
        resource: groupRepresentation(row, members), id, version: 1,
        change: { resourceType: 'Group', id, action: 'created', attributes: Object.keys(stateToObject(state)).sort(), membersAdded: state.members.length, addedMembers: state.members.slice(0, 100) },
      }
    },

    async getGroup(id, options = {}) {
      const row = await liveGroup(db, id)
      const members = options.withMembers === false ? null : (await membersOf(db, [id])).get(id) ?? []
      return { resource: groupRepresentation(row, members), id, version: row.version, change: { resourceType: 'Group', id, action: 'unchanged' } }
    },

    replaceGroup(id, body, ifMatch) {
      const state = groupBodyToState(body)
      return updateGroup(id, ifMatch, () => state, 'replaced')
    },

    patchGroup(id, body, ifMatch, options = {}) {
      const operations = parsePatchRequest(body)
      return updateGroup(id, ifMatch, (state) => groupStored(applyPatch(GROUP_MODEL, stateToObject(state), operations)), 'patched', options.withMembers !== false)
    },

    async deleteGroup(id, ifMatch) {
      const pending: Pending = []
      const change = await transaction({ db }, async (trx) => {
        const row = await liveGroup(trx, id)
        checkVersion(ifMatch, row.version)
        const members = (await trx.selectFrom('scim_memberships').select('user_id').where('group_id', '=', id).execute()).map((r) => r.user_id)
        await trx.deleteFrom('scim_memberships').where('group_id', '=', id).execute()
        await trx.deleteFrom('scim_groups').where('id', '=', id).execute()
        await queueMembershipEvents(trx, pending, new Map(members.map((userId) => [userId, [row.display_name]])), new Map())
        return { resourceType: 'Group' as const, id, action: 'deleted' as const, membersRemoved: members.length, removedMembers: members.slice(0, 100) }
      })
      await fire(pending)
      return change
    },

    async listGroups(query) {
      const where = query.filter === undefined ? null : compileFilter(parseFilter(query.filter, GROUP_MODEL.urns), groupTarget, dialect)
      const { offset, limit, startIndex } = page(query)
      let base = db.selectFrom('scim_groups')
      if (where) base = base.where(where)
      const total = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
      let resources: Record<string, unknown>[] = []
      if (limit > 0) {
        const columns = { id: 'id', displayname: 'display_name_lower', externalid: 'external_id', 'meta.created': 'created_at', 'meta.lastmodified': 'updated_at' }
        const order = query.sortOrder === 'descending' ? 'desc' : 'asc'
        let q = base.selectAll()
        if (query.sortBy) q = q.orderBy(sql.ref(sortColumn(GROUP_MODEL, query.sortBy, 'scim_groups', columns)), order)
        const rows = await q.orderBy('created_at', order).orderBy('id', order).limit(limit).offset(offset).execute()
        const members = query.omitMemberships ? null : await membersOf(db, rows.map((r) => r.id))
        resources = rows.map((row) => groupRepresentation(row, members ? members.get(row.id) ?? [] : null))
      }
      return { totalResults: Number(total.n), startIndex, itemsPerPage: resources.length, resources }
    },

    async findUserForPrincipal(principal) {
      if (!principal.userName && !principal.externalId) return null
      const rows = await db.selectFrom('scim_users').select(['id', 'user_name', 'external_id', 'display_name', 'active', 'deleted_at', 'updated_at'])
        .where((eb) => eb.or([
          ...(principal.userName ? [eb('user_name_lower', '=', principal.userName.toLowerCase())] : []),
          ...(principal.externalId ? [eb('external_id', '=', principal.externalId)] : []),
        ]))
        .orderBy('updated_at', 'desc').limit(50).execute()
      const row = rows.find((r) => r.deleted_at === null) ?? rows[0]
      if (!row) return null
      if (row.deleted_at !== null) return summaryOf(row, [])
      return (await summaries(db, [row.id])).get(row.id) ?? null
    },

    async reconciliationReport(claims) {
      const lookup: { userName?: string; externalId?: string } = {}
      if (claims.userName !== undefined) lookup.userName = claims.userName
      if (claims.externalId !== undefined) lookup.externalId = claims.externalId
      const user = await this.findUserForPrincipal(lookup)
      const claimed = new Map(claims.groups.map((g) => [g.toLowerCase(), g]))
      const scim = new Map((user?.groups ?? []).map((g) => [g.toLowerCase(), g]))
      const missingFromClaims = [...scim].filter(([k]) => !claimed.has(k)).map(([, g]) => g).sort()
      const notInScim = [...claimed].filter(([k]) => !scim.has(k)).map(([, g]) => g).sort()
      return { user, missingFromClaims, notInScim, inSync: user !== null && user.active && !user.deleted && missingFromClaims.length === 0 && notInScim.length === 0 }
    },
  }
}
