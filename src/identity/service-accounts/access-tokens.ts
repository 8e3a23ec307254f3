import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { AuditLog } from '../../audit/index.ts'
import { ConductorError, type Clock, type IdGenerator } from '../../core/index.ts'
import type { CredentialScope, Principal, PrincipalType } from '../principal.ts'
import type { AccessTokensTable, ServiceAccountTables } from './service-accounts.tables.ts'

/** The two kinds of Conductor-issued bearer credential. */
export type AccessTokenKind = 'api' | 'exchanged'

/** The prefix of an API token: `cdt_<id>_<secret>`. */
export const API_TOKEN_PREFIX = 'cdt_'
/** The prefix of an exchanged (short-lived) token: `cdx_<id>_<secret>`. */
export const EXCHANGED_TOKEN_PREFIX = 'cdx_'
/** The longest exchanged token, whatever the configuration says. */
export const MAX_EXCHANGED_TOKEN_SECONDS = 3600

/** Whose a token is. */
export interface TokenOwner {
  type: PrincipalType
  id: string
}

/** An access token as listed: never its secret or the secret's hash. */
export interface AccessTokenInfo {
  id: string
  kind: AccessTokenKind
  name: string
  principal: TokenOwner
  scope: CredentialScope
  createdAt: string
  createdBy: string
  expiresAt: string
  lastUsedAt: string | null
  revokedAt: string | null
  revokedReason: string | null
  /** The credential this one was exchanged from, if any. */
  parentId: string | null
  /** `active`, or why it no longer works. */
  state: 'active' | 'expired' | 'revoked'
}

/** What {@link AccessTokens.issue} takes. */
export interface IssueTokenInput {
  kind: AccessTokenKind
  /** A label for people (`ci`, `laptop`); defaults to the kind. */
  name?: string
  principal: TokenOwner
  /** What the token allows at most; absent = no limit beyond policy. */
  scope?: CredentialScope
  /** Required for API tokens (at most `maxApiTokenDays`); exchanged tokens default to `exchangedTokenMinutes`. */
  expiresInSeconds?: number
  /** Who asked for it, as `Type:id` (e.g. `User:alice`, `ServiceAccount:etl-ci` for an exchange): recorded, and the audit event's principal. */
  createdBy: string
  /** The credential presented to obtain it (exchanged tokens). */
  parentId?: string
  /**
   * Groups the principal acts with while using this token, on top of its own (exchanged tokens only: e.g. the groups
   * `identity.groupMappings` gives an AWS role ARN). Never for API tokens (`invalid_input`).
   */
  groups?: string[]
}

/** A verified Conductor token. */
export interface VerifiedAccessToken {
  id: string
  kind: AccessTokenKind
  principal: TokenOwner
  scope: CredentialScope
  expiresAt: string
  createdAt: string
  /** Groups the token adds to its principal's (see {@link IssueTokenInput.groups}); empty for most. */
  groups: string[]
}

/** The store of Conductor-issued bearer tokens. */
export interface AccessTokens {
  /** Creates a token; the secret is returned once, only its hash is stored. Audited as `token.created`. */
  issue(input: IssueTokenInput): Promise<{ token: string; id: string; expiresAt: string }>
  /**
   * Checks a presented token (format, hash in constant time, expiry, revocation) and records its last use (at most once a
   * minute). Throws `token_malformed`, `token_unknown`, `token_expired` or `token_revoked`.
   */
  verify(token: string): Promise<VerifiedAccessToken>
  /** One token by id, or null. */
  get(id: string): Promise<AccessTokenInfo | null>
  /** The tokens of a principal, newest first (revoked and expired ones too); `kind` narrows. */
  list(principal: TokenOwner, options?: { kind?: AccessTokenKind }): Promise<AccessTokenInfo[]>
  /** Revokes a token for good (audited `token.revoked`). Throws `access_token_not_found`; revoking twice is harmless. */
  revoke(actor: Pick<Principal, 'type' | 'id'>, id: string, reason: string): Promise<void>
  /** Revokes every live token of a principal (audited, one event each); returns how many. */
  revokeAllOf(principal: TokenOwner, reason: string): Promise<number>
}

/** What {@link createAccessTokens} needs. */
export interface AccessTokensDeps {
  db: Kysely<ServiceAccountTables>
  audit: AuditLog
  clock: Clock
  /** Token ids for tests (must not contain `_`); default 16 random lowercase letters and digits. */
  ids?: IdGenerator
  /** `identity.tokens.maxApiTokenDays`. */
  maxApiTokenDays: number
  /** `identity.tokens.exchangedTokenMinutes`. */
  exchangedTokenMinutes: number
}

const TOKEN_RE = /^(cdt|cdx)_([A-Za-z0-9-]{1,64})_([A-Za-z0-9_-]{43})$/
const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789'
/** last_used_at is written at most this often per token, so verification stays mostly a read. */
const TOUCH_EVERY_MS = 60_000

/** True when `value` looks like a Conductor-issued token (`cdt_…` or `cdx_…`); says nothing of its validity. */
export function isConductorToken(value: string): boolean {
  return typeof value === 'string' && (value.startsWith(API_TOKEN_PREFIX) || value.startsWith(EXCHANGED_TOKEN_PREFIX))
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex')

const randomId = () => Array.from({ length: 16 }, () => ID_ALPHABET[randomInt(ID_ALPHABET.length)]).join('')

function parseList(json: string | null): string[] | null {
  return json === null ? null : JSON.parse(json) as string[]
}

/** The {@link AccessTokenInfo} of a row at `now`. */
function info(row: AccessTokensTable, now: number): AccessTokenInfo {
  return {
    id: row.id, kind: row.kind as AccessTokenKind, name: row.name, principal: { type: row.principal_type as PrincipalType, id: row.principal_id },
    scope: { actions: parseList(row.scope_actions), environments: parseList(row.scope_environments) },
    createdAt: row.created_at, createdBy: row.created_by, expiresAt: row.expires_at, lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at, revokedReason: row.revoked_reason, parentId: row.parent_id,
    state: row.revoked_at !== null ? 'revoked' : Date.parse(row.expires_at) <= now ? 'expired' : 'active',
  }
}

/**
 * Creates the access-token store. A token is `cdt_<id>_<secret>` (API) or `cdx_<id>_<secret>` (exchanged): the id finds
 * the row, the 32-byte random secret (base64url) is compared by its SHA-256 in constant time.
 */
export function createAccessTokens(deps: AccessTokensDeps): AccessTokens {
  const { db, audit, clock } = deps
  const nextId = () => deps.ids?.next() ?? randomId()
  const iso = (ms: number) => new Date(ms).toISOString()

  const owner = (row: AccessTokensTable) => ({ type: row.principal_type, id: row.principal_id })
  /** Who acted, from `Type:id` (e.g. `User:alice`); null for Conductor itself. */
  const actorOf = (by: string) => {
    const at = by.indexOf(':')
    return at > 0 ? { principal: by.slice(at + 1), principalType: by.slice(0, at) } : { principal: null, principalType: null }
  }

  async function revokeRow(row: AccessTokensTable, by: string, reason: string): Promise<boolean> {
    const at = iso(clock.now())
    const result = await db.updateTable('access_tokens').set({ revoked_at: at, revoked_reason: reason })
      .where('id', '=', row.id).where('revoked_at', 'is', null).executeTakeFirst()
    if (Number(result.numUpdatedRows) === 0) return false
    await audit.append({ ...actorOf(by), type: 'token.revoked', data: { tokenId: row.id, kind: row.kind, name: row.name, owner: owner(row), revokedBy: by, reason } })
    return true
  }

  return {
    async issue(input) {
      const now = clock.now()
      let seconds: number
      if (input.kind === 'api') {
        const maxSeconds = deps.maxApiTokenDays * 86_400
        if (input.expiresInSeconds === undefined || !Number.isSafeInteger(input.expiresInSeconds) || input.expiresInSeconds <= 0) {
          throw new ConductorError('invalid_input', 'an API token needs an expiry (a whole number of days)', { details: { field: 'expiresInDays' } })
        }
        if (input.expiresInSeconds > maxSeconds) {
          throw new ConductorError('token_expiry_too_long', `an API token lives at most ${deps.maxApiTokenDays} days (identity.tokens.maxApiTokenDays)`, {
            details: { field: 'expiresInDays', maxDays: deps.maxApiTokenDays },
          })
        }
        seconds = input.expiresInSeconds
      } else {
        const limit = Math.min(MAX_EXCHANGED_TOKEN_SECONDS, deps.exchangedTokenMinutes * 60)
        seconds = input.expiresInSeconds ?? limit
        if (!Number.isSafeInteger(seconds) || seconds <= 0) throw new ConductorError('invalid_input', 'expiresInSeconds must be a positive whole number', { details: { field: 'expiresInSeconds' } })
        seconds = Math.min(seconds, limit)
      }
      if (input.groups !== undefined && (input.kind !== 'exchanged' || !Array.isArray(input.groups) || !input.groups.every((g) => typeof g === 'string' && g !== ''))) {
        throw new ConductorError('invalid_input', 'only exchanged tokens carry extra groups', { details: { field: 'groups' } })
      }
      const name = (input.name ?? input.kind).trim()
      if (name === '' || name.length > 100) throw new ConductorError('invalid_input', 'a token name is 1 to 100 characters', { details: { field: 'name' } })
      const id = nextId()
      if (!/^[A-Za-z0-9-]{1,64}$/.test(id)) throw new ConductorError('internal', 'token id generator produced an unusable id')
      const secret = randomBytes(32).toString('base64url')
      const prefix = input.kind === 'api' ? API_TOKEN_PREFIX : EXCHANGED_TOKEN_PREFIX
      const row: AccessTokensTable = {
        id, kind: input.kind, name, principal_type: input.principal.type, principal_id: input.principal.id, secret_hash: sha256(secret),
        scope_actions: input.scope?.actions == null ? null : JSON.stringify([...new Set(input.scope.actions)].sort()),
        scope_environments: input.scope?.environments == null ? null : JSON.stringify([...new Set(input.scope.environments)].sort()),
        created_at: iso(now), created_by: input.createdBy, expires_at: iso(now + seconds * 1000),
        last_used_at: null, revoked_at: null, revoked_reason: null, parent_id: input.parentId ?? null,
        extra_groups: input.groups?.length ? JSON.stringify([...new Set(input.groups)].sort()) : null,
      }
      await db.insertInto('access_tokens').values(row).execute()
      const view = info(row, now)
      await audit.append({
        ...actorOf(row.created_by), type: 'token.created',
        data: { tokenId: id, kind: row.kind, name, owner: owner(row), scope: view.scope, expiresAt: row.expires_at, createdBy: row.created_by, ...(row.parent_id ? { parentId: row.parent_id } : {}), ...(row.extra_groups ? { groups: JSON.parse(row.extra_groups) as string[] } : {}) },
      })
      return { token: `${prefix}${id}_${secret}`, id, expiresAt: row.expires_at }
    },

    async verify(token) {
      const match = typeof token === 'string' ? TOKEN_RE.exec(token) : null
      if (match === null) throw new ConductorError('token_malformed', 'the bearer token is not a well-formed Conductor token')
      const [, prefix, id, secret] = match as unknown as [string, string, string, string]
      const row = await db.selectFrom('access_tokens').selectAll().where('id', '=', id).executeTakeFirst()
      const presented = Buffer.from(sha256(secret), 'hex')
      const stored = Buffer.from(row?.secret_hash ?? '0'.repeat(64), 'hex')
      const same = presented.length === stored.length && timingSafeEqual(presented, stored)
      if (row === undefined || !same || (prefix === 'cdt') !== (row.kind === 'api')) throw new ConductorError('token_unknown', 'the Conductor token is unknown')
      if (row.revoked_at !== null) throw new ConductorError('token_revoked', 'the Conductor token was revoked', { details: { tokenId: row.id } })
      const now = clock.now()
      if (Date.parse(row.expires_at) <= now) throw new ConductorError('token_expired', 'the Conductor token has expired', { details: { tokenId: row.id, expiredAt: row.expires_at } })
      if (row.parent_id !== null) {
        const parent = await db.selectFrom('access_tokens').select(['revoked_at']).where('id', '=', row.parent_id).executeTakeFirst()
        if (parent !== undefined && parent.revoked_at !== null) throw new ConductorError('token_revoked', 'the credential this token was exchanged from was revoked', { details: { tokenId: row.id } })
      }
      if (row.last_used_at === null || now - Date.parse(row.last_used_at) >= TOUCH_EVERY_MS) {
        await db.updateTable('access_tokens').set({ last_used_at: iso(now) }).where('id', '=', row.id).execute()
      }
      const view = info(row, now)
      return { id: row.id, kind: view.kind, principal: view.principal, scope: view.scope, expiresAt: row.expires_at, createdAt: row.created_at, groups: parseList(row.extra_groups) ?? [] }
    },

    async get(id) {
      const row = await db.selectFrom('access_tokens').selectAll().where('id', '=', id).executeTakeFirst()
      return row === undefined ? null : info(row, clock.now())
    },

    async list(principal, options = {}) {
      let query = db.selectFrom('access_tokens').selectAll().where('principal_type', '=', principal.type).where('principal_id', '=', principal.id)
      if (options.kind !== undefined) query = query.where('kind', '=', options.kind)
      const rows = await query.orderBy('created_at', 'desc').orderBy('id').limit(1000).execute()
      const now = clock.now()
      return rows.map((row) => info(row, now))
    },

    async revoke(actor, id, reason) {
      const row = await db.selectFrom('access_tokens').selectAll().where('id', '=', id).executeTakeFirst()
      if (row === undefined) throw new ConductorError('access_token_not_found', `no token ${id}`, { details: { id } })
      await revokeRow(row, `${actor.type}:${actor.id}`, reason)
    },

    async revokeAllOf(principal, reason) {
      const rows = await db.selectFrom('access_tokens').selectAll().where('principal_type', '=', principal.type).where('principal_id', '=', principal.id)
        .where('revoked_at', 'is', null).where('expires_at', '>', iso(clock.now())).execute()
      let count = 0
      for (const row of rows) if (await revokeRow(row, 'Conductor', reason)) count++
      return count
    },
  }
}
