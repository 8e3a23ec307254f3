import type { Kysely, Transaction } from 'kysely'
import { ConductorError, randomIds, systemClock, type Clock, type IdGenerator } from '../../core/index.ts'
import { createGroupTransactions, isUniqueViolation, transaction, type Database } from '../../store/index.ts'
import { scimInvalid } from './errors.ts'
import { groupFilterTarget, userFilterTarget } from './filter-sql.ts'
import { applyPatch, parsePatchRequest } from './patch.ts'
import { GROUP_MODEL, normalizeResource, USER_MODEL, type ScimObject } from './resource-model.ts'
import * as groupsRepo from './scim-groups.repository.ts'
import {
  changedAttributes, checkVersion, emailRows, groupBody, groupResource, groupState, userResource, userRow, userSummary, type GroupState,
} from './scim-representation.ts'
import { listAcross, listResources, type ListSource } from './scim-list.ts'
import * as usersRepo from './scim-users.repository.ts'
import type { ScimGroupsTable, ScimTables, ScimUsersTable } from './scim.tables.ts'
import type {
  ScimChange, ScimClaims, ScimEvents, ScimListQuery, ScimListResult, ScimReconciliation, ScimResult, ScimSearchQuery, ScimUserSummary,
} from './scim.types.ts'

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
   * POST /.search at the root (RFC 7644 §3.4.3): Users, then Groups, as one list paged over both. A resource type the
   * filter cannot apply to (it names an attribute the type lacks) is left out; `sortBy` orders the types that have the
   * attribute. Refused (`invalid_input`, scimType `invalidFilter`/`invalidValue`) only when the filter or `sortBy` fits neither.
   */
  search(query: ScimSearchQuery): Promise<ScimListResult>
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

type Pending = { event: keyof ScimEvents; run: () => void | Promise<void> }[]

/**
 * Creates the SCIM service. Every change runs in one transaction: a refused request changes nothing. Events are
 * told after the change is committed. On SQLite, concurrent changes share a transaction (group commit, each behind its
 * own savepoint): an identity provider's bulk push costs one commit per batch of requests rather than one per request.
 */
export function createScimService(deps: ScimServiceDeps): ScimService {
  const db: Kysely<ScimTables> = deps.database.db
  const dialect = deps.database.dialect
  // SQLite writes one transaction at a time anyway: sharing them saves a commit (an fsync) per request. PostgreSQL
  // commits concurrent transactions in parallel on the pool, which measured faster than sharing one connection.
  const grouped = dialect === 'sqlite' ? createGroupTransactions<ScimTables>(deps.database) : undefined
  const changes = { run: <R>(work: (trx: Transaction<ScimTables>) => Promise<R>): Promise<R> => grouped ? grouped.run(work) : transaction({ db }, work) }
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

  async function uniqueOr<R>(work: () => Promise<R>, message: () => string): Promise<R> {
    try {
      return await work()
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConductorError('conflict', message(), { details: { scimType: 'uniqueness' }, cause: error })
      throw error
    }
  }

  async function liveUser(trx: Kysely<ScimTables>, id: string) {
    const row = await usersRepo.findLiveUser(trx, id)
    if (!row) throw notFound('User', id)
    return row
  }

  async function liveGroup(trx: Kysely<ScimTables>, id: string) {
    const row = await groupsRepo.findGroup(trx, id)
    if (!row) throw notFound('Group', id)
    return row
  }

  async function groupsOf(trx: Kysely<ScimTables>, userId: string) {
    return (await groupsRepo.findGroupsOfUsers(trx, [userId])).get(userId) ?? []
  }

  async function membersOf(trx: Kysely<ScimTables>, groupId: string) {
    return (await groupsRepo.findMembers(trx, [groupId])).get(groupId) ?? []
  }

  async function summaries(trx: Kysely<ScimTables>, userIds: string[]): Promise<Map<string, ScimUserSummary>> {
    const out = new Map<string, ScimUserSummary>()
    if (userIds.length === 0) return out
    const groups = await groupsRepo.findGroupsOfUsers(trx, userIds)
    for (const row of await usersRepo.findUserSummaryRows(trx, userIds)) out.set(row.id, userSummary(row, (groups.get(row.id) ?? []).map((g) => g.displayName)))
    return out
  }

  async function checkMembersExist(trx: Kysely<ScimTables>, userIds: string[]): Promise<void> {
    for (const slice of usersRepo.batches(userIds)) {
      const known = await usersRepo.findLiveUserIds(trx, slice)
      if (known.size < slice.length) {
        const missing = slice.filter((id) => !known.has(id))
        throw scimInvalid('invalidValue', `members: no user with id ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` (and ${missing.length - 5} more)` : ''}`, { missing: missing.slice(0, 20) })
      }
    }
  }

  /** Queues membership events: per user, the groups they left and joined. */
  async function queueMembershipEvents(trx: Kysely<ScimTables>, pending: Pending, removed: Map<string, string[]>, added: Map<string, string[]>): Promise<void> {
    // Nobody listening (no revocation hook, as in a bare SCIM service): skip reading the users' summaries and groups.
    if (events.membershipsRemoved === undefined && events.membershipsAdded === undefined) return
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

  async function updateUser(id: string, ifMatch: string | undefined, next: (stored: ScimObject) => ScimObject, action: 'replaced' | 'patched'): Promise<ScimResult> {
    const pending: Pending = []
    const result = await uniqueOr(() => changes.run(async (trx) => {
      const row = await liveUser(trx, id)
      checkVersion(ifMatch, row.version)
      const before = JSON.parse(row.resource) as ScimObject
      const after = keepActive(row.active === 1, before, next(before))
      const attributes = changedAttributes(before, after)
      const groups = await groupsOf(trx, id)
      if (attributes.length === 0) {
        return { resource: userResource(row, groups), id, version: row.version, change: { resourceType: 'User' as const, id, action: 'unchanged' as const } }
      }
      const updated = userRow(id, after, row.version + 1, row.created_at, iso())
      await usersRepo.updateUser(trx, updated, row.version)
      if (attributes.includes('emails')) {
        await usersRepo.deleteUserEmails(trx, id)
        await usersRepo.insertUserEmails(trx, emailRows(id, after))
      }
      const wasActive = row.active === 1
      const isActive = updated.active === 1
      const summary = userSummary(updated, groups.map((g) => g.displayName))
      if (wasActive && !isActive) pending.push({ event: 'userDeactivated', run: () => events.userDeactivated?.(summary) })
      if (!wasActive && isActive) pending.push({ event: 'userReactivated', run: () => events.userReactivated?.(summary) })
      return {
        resource: userResource(updated, groups), id, version: updated.version,
        change: { resourceType: 'User' as const, id, action, attributes, ...(wasActive !== isActive ? { active: isActive } : {}) },
      }
    }), () => 'another user already has this userName')
    await fire(pending)
    return result
  }

  async function updateGroup(id: string, ifMatch: string | undefined, next: (state: GroupState) => GroupState, action: 'replaced' | 'patched', withMembers = true): Promise<ScimResult> {
    const pending: Pending = []
    const result = await uniqueOr(() => changes.run(async (trx) => {
      const row = await liveGroup(trx, id)
      checkVersion(ifMatch, row.version)
      const current = await groupsRepo.findMemberIds(trx, id, true)
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
        return { resource: groupResource(row, withMembers ? await membersOf(trx, id) : null), id, version: row.version, change }
      }
      await checkMembersExist(trx, added)
      const updated = {
        ...row, display_name: after.displayName, display_name_lower: after.displayName.toLowerCase(), external_id: after.externalId ?? null,
        version: row.version + 1, updated_at: iso(),
      }
      await groupsRepo.updateGroup(trx, updated, row.version)
      await groupsRepo.removeMembers(trx, id, removed)
      await groupsRepo.addMembers(trx, id, added, iso())
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
      return { resource: groupResource(updated, withMembers ? await membersOf(trx, id) : null), id, version: updated.version, change }
    }), () => 'another group already has this displayName')
    await fire(pending)
    return result
  }

  /** Users as a list source; `omitGroups` skips reading each user's groups. */
  function userSource(omitGroups: boolean): ListSource<ScimUsersTable> {
    return {
      model: USER_MODEL, target: userTarget, dialect, columns: usersRepo.USER_SORT_COLUMNS,
      count: (where) => usersRepo.countLiveUsers(db, where),
      rows: (page) => usersRepo.listLiveUsers(db, page),
      represent: async (rows) => {
        const groups = omitGroups ? new Map() : await groupsRepo.findGroupsOfUsers(db, rows.map((r) => r.id))
        return rows.map((row) => userResource(row, groups.get(row.id) ?? []))
      },
    }
  }

  /** Groups as a list source; `omitMembers` skips reading members. */
  function groupSource(omitMembers: boolean): ListSource<ScimGroupsTable> {
    return {
      model: GROUP_MODEL, target: groupTarget, dialect, columns: groupsRepo.GROUP_SORT_COLUMNS,
      count: (where) => groupsRepo.countGroups(db, where),
      rows: (page) => groupsRepo.listGroups(db, page),
      represent: async (rows) => {
        const members = omitMembers ? null : await groupsRepo.findMembers(db, rows.map((r) => r.id))
        return rows.map((row) => groupResource(row, members ? members.get(row.id) ?? [] : null))
      },
    }
  }

  const service: ScimService = {
    async createUser(body) {
      const resource = normalizeResource(USER_MODEL, body)
      const id = ids.next()
      const now = iso()
      const row = userRow(id, resource, 1, now, now)
      await uniqueOr(() => changes.run(async (trx) => {
        await usersRepo.insertUser(trx, row)
        await usersRepo.insertUserEmails(trx, emailRows(id, resource))
      }), () => `userName "${row.user_name}" is already taken`)
      await fire([{ event: 'userCreated', run: () => events.userCreated?.(userSummary(row, [])) }])
      return { resource: userResource(row, []), id, version: 1, change: { resourceType: 'User', id, action: 'created', attributes: Object.keys(resource).sort(), active: row.active === 1 } }
    },

    async getUser(id) {
      const row = await liveUser(db, id)
      return { resource: userResource(row, await groupsOf(db, id)), id, version: row.version, change: { resourceType: 'User', id, action: 'unchanged' } }
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
      const change = await changes.run(async (trx) => {
        const row = await liveUser(trx, id)
        checkVersion(ifMatch, row.version)
        const groups = await groupsOf(trx, id)
        const now = iso()
        await usersRepo.markUserDeleted(trx, id, now, row.version + 1)
        await usersRepo.deleteUserEmails(trx, id)
        await groupsRepo.removeFromAllGroups(trx, id)
        await groupsRepo.touchGroups(trx, groups.map((g) => g.id), now)
        const summary = userSummary({ ...row, deleted_at: now }, groups.map((g) => g.displayName))
        pending.push({ event: 'userDeleted', run: () => events.userDeleted?.(summary) })
        return { resourceType: 'User' as const, id, action: 'deleted' as const, ...(groups.length ? { membersRemoved: groups.length } : {}) }
      })
      await fire(pending)
      return change
    },

    listUsers(query) {
      return listResources(query, userSource(query.omitMemberships === true))
    },

    async createGroup(body) {
      const state = groupState(normalizeResource(GROUP_MODEL, body))
      const id = ids.next()
      const now = iso()
      const row = { id, display_name: state.displayName, display_name_lower: state.displayName.toLowerCase(), external_id: state.externalId ?? null, version: 1, created_at: now, updated_at: now }
      const pending: Pending = []
      const members = await uniqueOr(() => changes.run(async (trx) => {
        await checkMembersExist(trx, state.members)
        await groupsRepo.insertGroup(trx, row)
        await groupsRepo.addMembers(trx, id, state.members, iso())
        await queueMembershipEvents(trx, pending, new Map(), new Map(state.members.map((userId) => [userId, [state.displayName]])))
        return membersOf(trx, id)
      }), () => `a group named "${state.displayName}" already exists`)
      await fire(pending)
      return {
        resource: groupResource(row, members), id, version: 1,
        change: { resourceType: 'Group', id, action: 'created', attributes: Object.keys(groupBody(state)).sort(), membersAdded: state.members.length, addedMembers: state.members.slice(0, 100) },
      }
    },

    async getGroup(id, options = {}) {
      const row = await liveGroup(db, id)
      const members = options.withMembers === false ? null : await membersOf(db, id)
      return { resource: groupResource(row, members), id, version: row.version, change: { resourceType: 'Group', id, action: 'unchanged' } }
    },

    replaceGroup(id, body, ifMatch) {
      const state = groupState(normalizeResource(GROUP_MODEL, body))
      return updateGroup(id, ifMatch, () => state, 'replaced')
    },

    patchGroup(id, body, ifMatch, options = {}) {
      const operations = parsePatchRequest(body)
      return updateGroup(id, ifMatch, (state) => groupState(applyPatch(GROUP_MODEL, groupBody(state), operations)), 'patched', options.withMembers !== false)
    },

    async deleteGroup(id, ifMatch) {
      const pending: Pending = []
      const change = await changes.run(async (trx) => {
        const row = await liveGroup(trx, id)
        checkVersion(ifMatch, row.version)
        const members = await groupsRepo.findMemberIds(trx, id, false)
        await groupsRepo.deleteGroup(trx, id)
        await queueMembershipEvents(trx, pending, new Map(members.map((userId) => [userId, [row.display_name]])), new Map())
        return { resourceType: 'Group' as const, id, action: 'deleted' as const, membersRemoved: members.length, removedMembers: members.slice(0, 100) }
      })
      await fire(pending)
      return change
    },

    listGroups(query) {
      return listResources(query, groupSource(query.omitMemberships === true))
    },

    search(query) {
      const { omitMemberships: omit = {}, ...list } = query
      return listAcross(list, [userSource(omit.User === true), groupSource(omit.Group === true)])
    },

    async findUserForPrincipal(principal) {
      const rows = await usersRepo.findUsersByName(db, principal)
      const row = rows.find((r) => r.deleted_at === null) ?? rows[0]
      if (!row) return null
      if (row.deleted_at !== null) return userSummary(row, [])
      return (await summaries(db, [row.id])).get(row.id) ?? null
    },

    async reconciliationReport(claims) {
      const lookup: { userName?: string; externalId?: string } = {}
      if (claims.userName !== undefined) lookup.userName = claims.userName
      if (claims.externalId !== undefined) lookup.externalId = claims.externalId
      const user = await service.findUserForPrincipal(lookup)
      const claimed = new Map(claims.groups.map((g) => [g.toLowerCase(), g]))
      const scim = new Map((user?.groups ?? []).map((g) => [g.toLowerCase(), g]))
      const missingFromClaims = [...scim].filter(([k]) => !claimed.has(k)).map(([, g]) => g).sort()
      const notInScim = [...claimed].filter(([k]) => !scim.has(k)).map(([, g]) => g).sort()
      return { user, missingFromClaims, notInScim, inSync: user !== null && user.active && !user.deleted && missingFromClaims.length === 0 && notInScim.length === 0 }
    },
  }
  return service
}

/**
 * `active` has no default (RFC 7643 §4.1.1): a PUT that leaves it out, a PATCH that removes it or sets it to null
 * leaves it as it was. Only an explicit `true` re-activates a user, so an IdP's profile push never undoes a deactivation.
 */
function keepActive(wasActive: boolean, before: ScimObject, after: ScimObject): ScimObject {
  if (after.active !== undefined) return after
  // A user created without `active` is active and keeps no `active` in its body, so a no-op PUT stays a no-op.
  return before.active === undefined && wasActive ? after : { ...after, active: wasActive }
}

const notFound = (type: string, id: string) => new ConductorError('not_found', `${type} ${id} not found`, { details: { scimType: null } })
