import type { Kysely } from 'kysely'
import { isUniqueViolation } from '../../store/index.ts'
import type { LinkFiringsTable, LinksTable, LinkTables } from './links.tables.ts'

/** Records a new link. */
export async function insertLink(db: Kysely<LinkTables>, row: LinksTable): Promise<void> {
  await db.insertInto('links').values(row).execute()
}

/** One link by id, or undefined. */
export async function findLink(db: Kysely<LinkTables>, id: string): Promise<LinksTable | undefined> {
  return db.selectFrom('links').selectAll().where('id', '=', id).executeTakeFirst()
}

/** Every link (or the active ones), oldest first (at most `limit`). */
export async function listLinks(db: Kysely<LinkTables>, options: { activeOnly?: boolean; limit?: number } = {}): Promise<LinksTable[]> {
  let q = db.selectFrom('links').selectAll()
  if (options.activeOnly) q = q.where('state', '=', 'active')
  return q.orderBy('created_at').orderBy('id').limit(options.limit ?? 5000).execute()
}

/** The active links owned by a principal. */
export async function listActiveLinksOwnedBy(db: Kysely<LinkTables>, owner: { type: string; id: string }): Promise<LinksTable[]> {
  return db.selectFrom('links').selectAll().where('owner_type', '=', owner.type).where('owner_id', '=', owner.id).where('state', '=', 'active').execute()
}

/** Changes a link's columns; `onlyIf` narrows it to rows in that state. True when a row changed. */
export async function updateLink(db: Kysely<LinkTables>, id: string, changes: Partial<Omit<LinksTable, 'id'>>, onlyIf?: Pick<LinksTable, 'state'>): Promise<boolean> {
  let q = db.updateTable('links').set(changes).where('id', '=', id)
  if (onlyIf) q = q.where('state', '=', onlyIf.state)
  const result = await q.executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** Moves the cursor forward to `to` (never back). */
export async function advanceCursor(db: Kysely<LinkTables>, id: string, to: string): Promise<void> {
  await db.updateTable('links').set({ cursor: to }).where('id', '=', id).where((eb) => eb.or([eb('cursor', 'is', null), eb('cursor', '<', to)])).execute()
}

/** Deletes a link and its firings; true when it existed. */
export async function deleteLink(db: Kysely<LinkTables>, id: string): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    await tx.deleteFrom('link_firings').where('link_id', '=', id).execute()
    const result = await tx.deleteFrom('links').where('id', '=', id).executeTakeFirst()
    return Number(result.numDeletedRows) === 1
  })
}

/**
 * Claims the firing of a source event: inserts its row (outcome `claimed`). The primary key (link_id, event_key) makes
 * this true for exactly one of several callers racing on the same event, across replicas and restarts.
 */
export async function claimLinkFiring(db: Kysely<LinkTables>, row: LinkFiringsTable): Promise<boolean> {
  try {
    await db.insertInto('link_firings').values(row).execute()
    return true
  } catch (error) {
    if (isUniqueViolation(error)) return false
    throw error
  }
}

/** Records how a claimed firing ended, unless another attempt has already settled it; true when this did. */
export async function settleLinkFiring(db: Kysely<LinkTables>, linkId: string, eventKey: string, changes: Pick<LinkFiringsTable, 'outcome' | 'request_id'>): Promise<boolean> {
  const result = await db.updateTable('link_firings').set(changes)
    .where('link_id', '=', linkId).where('event_key', '=', eventKey).where('outcome', '=', 'claimed')
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** Firings claimed before `before` (ISO) and still not settled: left behind by a replica that stopped, oldest first. */
export async function listStaleLinkClaims(db: Kysely<LinkTables>, before: string, limit = 100): Promise<LinkFiringsTable[]> {
  return db.selectFrom('link_firings').selectAll().where('outcome', '=', 'claimed').where('at', '<', before).orderBy('at').limit(limit).execute()
}

/** The latest firings of a link, newest first. */
export async function listLinkFirings(db: Kysely<LinkTables>, linkId: string, limit = 50): Promise<LinkFiringsTable[]> {
  return db.selectFrom('link_firings').selectAll().where('link_id', '=', linkId).orderBy('at', 'desc').orderBy('event_key', 'desc').limit(limit).execute()
}
