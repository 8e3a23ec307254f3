import { createHash, randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import { ConductorError, randomIds, type Clock, type IdGenerator } from '../../core/index.ts'
import type { ScimTables } from './scim.tables.ts'

/** A SCIM token as listed: never the token itself. */
export interface ScimTokenInfo {
  id: string
  label: string
  createdAt: string
  rotatedAt: string | null
  revokedAt: string | null
  lastUsedAt: string | null
}

/** The bearer tokens identity providers use for SCIM. Only the SHA-256 of a token is stored. */
export interface ScimTokenStore {
  /** Creates a token; `token` is shown once and cannot be read again. */
  create(label: string): Promise<{ id: string; token: string }>
  /** Replaces the token of `id` with a new one (the old one stops working at once). Throws `not_found` for an unknown or revoked id. */
  rotate(id: string): Promise<{ id: string; token: string }>
  /** Revokes a token for good. Throws `not_found` for an unknown id; revoking twice is harmless. */
  revoke(id: string): Promise<void>
  /** Every token, newest first. */
  list(): Promise<ScimTokenInfo[]>
  /** The token's id when `token` is a live SCIM token, else null. */
  verify(token: string): Promise<{ id: string; label: string } | null>
}

const TOKEN_PREFIX = 'scim_'
/** last_used_at is written at most this often per token, so verification stays a read. */
const TOUCH_EVERY_MS = 60_000

/** SHA-256 of a token, hex. */
const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex')

/**
 * Creates the SCIM token store. Tokens are 256 random bits (`scim_<base64url>`); lookups go by their SHA-256, so
 * verification never compares a secret byte by byte.
 */
export function createScimTokenStore(deps: { db: Kysely<ScimTables>; clock: Clock; ids?: IdGenerator }): ScimTokenStore {
  const { db, clock } = deps
  const ids = deps.ids ?? randomIds
  const iso = () => new Date(clock.now()).toISOString()
  const newToken = () => `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`

  return {
    async create(label) {
      const clean = label.trim()
      if (clean === '' || clean.length > 200) throw new ConductorError('invalid_input', 'a SCIM token label is 1 to 200 characters', { details: { field: 'label' } })
      const id = ids.next()
      const token = newToken()
      await db.insertInto('scim_tokens').values({ id, label: clean, token_hash: hashToken(token), created_at: iso(), rotated_at: null, revoked_at: null, last_used_at: null }).execute()
      return { id, token }
    },

    async rotate(id) {
      const token = newToken()
      const result = await db.updateTable('scim_tokens').set({ token_hash: hashToken(token), rotated_at: iso() })
        .where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst()
      if (Number(result.numUpdatedRows) === 0) throw new ConductorError('not_found', `no live SCIM token ${id}`, { details: { id } })
      return { id, token }
    },

    async revoke(id) {
      const row = await db.selectFrom('scim_tokens').select(['id', 'revoked_at']).where('id', '=', id).executeTakeFirst()
      if (!row) throw new ConductorError('not_found', `no SCIM token ${id}`, { details: { id } })
      if (row.revoked_at === null) await db.updateTable('scim_tokens').set({ revoked_at: iso() }).where('id', '=', id).execute()
    },

    async list() {
      const rows = await db.selectFrom('scim_tokens').select(['id', 'label', 'created_at', 'rotated_at', 'revoked_at', 'last_used_at'])
        .orderBy('created_at', 'desc').orderBy('id').execute()
      return rows.map((r) => ({ id: r.id, label: r.label, createdAt: r.created_at, rotatedAt: r.rotated_at, revokedAt: r.revoked_at, lastUsedAt: r.last_used_at }))
    },

    async verify(token) {
      if (typeof token !== 'string' || !token.startsWith(TOKEN_PREFIX) || token.length > 200) return null
      const row = await db.selectFrom('scim_tokens').select(['id', 'label', 'revoked_at', 'last_used_at']).where('token_hash', '=', hashToken(token)).executeTakeFirst()
      if (!row || row.revoked_at !== null) return null
      const now = clock.now()
      if (row.last_used_at === null || now - Date.parse(row.last_used_at) >= TOUCH_EVERY_MS) {
        await db.updateTable('scim_tokens').set({ last_used_at: new Date(now).toISOString() }).where('id', '=', row.id).execute()
      }
      return { id: row.id, label: row.label }
    },
  }
}
