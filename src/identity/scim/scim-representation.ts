import { ConductorError } from '../../core/index.ts'
import { scimInvalid } from './errors.ts'
import { USER_MODEL, type ScimObject } from './resource-model.ts'
import type { GroupMember, UserGroup } from './scim-groups.repository.ts'
import type { ScimGroupsTable, ScimUserEmailsTable, ScimUsersTable } from './scim.tables.ts'
import { SCIM_URN } from './schemas.ts'
import type { ScimUserSummary } from './scim.types.ts'

/** A group as the service changes it: the attributes Conductor stores, with member user ids in order. */
export interface GroupState {
  displayName: string
  externalId?: string
  members: string[]
}

/** The `scim_users` row for a normalized User body at `version`. */
export function userRow(id: string, resource: ScimObject, version: number, createdAt: string, updatedAt: string): ScimUsersTable {
  const userName = resource.userName as string
  const displayName = typeof resource.displayName === 'string' ? resource.displayName : null
  return {
    id, user_name: userName, user_name_lower: userName.toLowerCase(), external_id: typeof resource.externalId === 'string' ? resource.externalId : null,
    display_name: displayName, display_name_lower: displayName?.toLowerCase() ?? null, active: resource.active === false ? 0 : 1,
    resource: JSON.stringify(resource), version, created_at: createdAt, updated_at: updatedAt, deleted_at: null,
  }
}

/** The `scim_user_emails` rows of a User body: each email lowercased, in order, so filters on `emails` can use an index. */
export function emailRows(userId: string, resource: ScimObject): ScimUserEmailsTable[] {
  const emails = Array.isArray(resource.emails) ? resource.emails as Record<string, unknown>[] : []
  return emails.map((email, position) => ({
    user_id: userId, position,
    value_lower: typeof email.value === 'string' ? email.value.toLowerCase() : null,
    type_lower: typeof email.type === 'string' ? email.type.toLowerCase() : null,
    is_primary: email.primary === true ? 1 : 0,
  }))
}

/**
 * A stored user as a SCIM User resource (without `meta.location`, which depends on the base URL): its schemas, id,
 * stored attributes, `active`, its groups (`null` or none leaves `groups` out) and `meta` with the version as a weak ETag.
 */
export function userResource(row: ScimUsersTable, groups: readonly UserGroup[] | null): Record<string, unknown> {
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

/** A stored group as a SCIM Group resource (without `meta.location`); `members: null` leaves members out. */
export function groupResource(row: ScimGroupsTable, members: readonly GroupMember[] | null): Record<string, unknown> {
  return {
    schemas: [SCIM_URN.group], id: row.id, ...(row.external_id !== null ? { externalId: row.external_id } : {}), displayName: row.display_name,
    ...(members ? { members: members.map((m) => ({ value: m.value, display: m.display, type: 'User' })) } : {}),
    meta: { resourceType: 'Group', created: row.created_at, lastModified: row.updated_at, version: `W/"${row.version}"` },
  }
}

/** A user row as revocation and policy see it; `groups` are displayNames (sorted here). */
export function userSummary(row: Pick<ScimUsersTable, 'id' | 'user_name' | 'external_id' | 'display_name' | 'active' | 'deleted_at'>, groups: readonly string[]): ScimUserSummary {
  return {
    id: row.id, userName: row.user_name, externalId: row.external_id, displayName: row.display_name, active: row.active === 1 && row.deleted_at === null,
    deleted: row.deleted_at !== null, groups: [...groups].sort(),
  }
}

/** The top-level attributes that differ between two User bodies; extension attributes as `urn:…:name`. Sorted. */
export function changedAttributes(before: ScimObject, after: ScimObject): string[] {
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

/**
 * The group state of a normalized Group body: members deduplicated in order.
 * @throws ConductorError `invalid_input` (scimType invalidValue) for a member without a value or one that is not a User.
 */
export function groupState(body: ScimObject): GroupState {
  const members = Array.isArray(body.members) ? body.members as Record<string, unknown>[] : []
  const values: string[] = []
  for (const [i, member] of members.entries()) {
    if (typeof member.value !== 'string' || member.value === '') throw scimInvalid('invalidValue', `members[${i}].value is required`)
    if (typeof member.type === 'string' && member.type.toLowerCase() !== 'user') throw scimInvalid('invalidValue', `members[${i}]: only Users can be members (nested groups are not supported)`)
    values.push(member.value)
  }
  return { displayName: body.displayName as string, ...(typeof body.externalId === 'string' ? { externalId: body.externalId } : {}), members: [...new Set(values)] }
}

/** A group state as a SCIM body a PATCH applies to. */
export function groupBody(state: GroupState): ScimObject {
  return { displayName: state.displayName, ...(state.externalId !== undefined ? { externalId: state.externalId } : {}), members: state.members.map((value) => ({ value })) }
}

/**
 * Checks an If-Match header against the resource's version: absent or `*` passes; otherwise one of its (weak or
 * strong) ETags must name `version`.
 * @throws ConductorError `precondition_failed` with the current version.
 */
export function checkVersion(ifMatch: string | undefined, version: number): void {
  if (ifMatch === undefined || ifMatch.trim() === '*') return
  const tags = ifMatch.split(',').map((t) => t.trim().replace(/^W\//, '').replace(/^"|"$/g, ''))
  if (!tags.includes(String(version))) {
    throw new ConductorError('precondition_failed', `the resource is at version W/"${version}", not ${ifMatch.trim()}`, { details: { version: `W/"${version}"` } })
  }
}
