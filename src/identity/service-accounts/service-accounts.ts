import type { Kysely } from 'kysely'
import type { AuditLog } from '../../audit/index.ts'
import { ConductorError, type Clock } from '../../core/index.ts'
import type { Principal } from '../principal.ts'
import type { AccessTokens } from './access-tokens.ts'
import type { ServiceAccountsTable, ServiceAccountTables } from './service-accounts.tables.ts'

/** How much of one action an agent may do: at most `max` requests per `perHours` hours (e.g. 20 `dag:trigger` per hour). */
export interface Budget {
  action: string
  max: number
  perHours: number
}

/** A workload or an AI agent that acts in its own name. */
export interface ServiceAccount {
  name: string
  /** `agent`s act as `Agent` principals and have a sponsoring user. */
  kind: 'service' | 'agent'
  description: string
  /** Who answers for it: a person, or a group whose members may manage it. */
  owner: { type: 'User' | 'Group'; id: string }
  /** The Conductor groups it acts with. */
  groups: string[]
  /** The sponsoring user (agents only); the agent stops when its sponsor loses access. */
  sponsor: string | null
  /** The tools an agent may use (MCP tool names); empty = the default set. */
  tools: string[]
  /** Rate budgets per action (agents). */
  budgets: Budget[]
  state: 'active' | 'disabled' | 'deleted'
  createdAt: string
  createdBy: string
  updatedAt: string
  disabledReason: string | null
}

/** What creating a service account takes. */
export interface CreateServiceAccountInput {
  name: string
  kind?: 'service' | 'agent'
  description?: string
  owner: { type: 'User' | 'Group'; id: string }
  groups?: string[]
  /** Agents only; defaults to the caller. Naming another person needs `policy:write`. */
  sponsor?: string
  tools?: string[]
  budgets?: Budget[]
}

/** What updating a service account may change. The name and kind never change. */
export interface UpdateServiceAccountInput {
  description?: string
  owner?: { type: 'User' | 'Group'; id: string }
  groups?: string[]
  sponsor?: string
  tools?: string[]
  budgets?: Budget[]
}

/** The service account a management question is about, as policy sees it (`context.serviceAccount`). */
export interface ServiceAccountQuestion {
  name: string
  kind: 'service' | 'agent'
  owner: { type: 'User' | 'Group'; id: string }
}

/**
 * The policy port of service accounts (identity knows no policy engine; the composition root wires one): decides whether
 * `actor` may do `action` — `service_account:read`/`service_account:manage` about `account`, or `policy:write`.
 */
export type ServiceAccountAuthorizer = (
  actor: Principal,
  action: 'service_account:read' | 'service_account:manage' | 'policy:write',
  account?: ServiceAccountQuestion,
) => { decision: 'allow' | 'deny'; reasons: string[]; policyIds: string[] }

/** Service accounts and agents: their records, lifecycle and principals. */
export interface ServiceAccounts {
  /** Creates an account (authorized by `service_account:manage`, audited `service_account.created`). */
  create(actor: Principal, input: CreateServiceAccountInput): Promise<ServiceAccount>
  /** One account by name, deleted tombstones included; null when unknown. */
  get(name: string): Promise<ServiceAccount | null>
  /** Every account that is not deleted, by name. */
  list(): Promise<ServiceAccount[]>
  /** The accounts `actor` may read (`service_account:read`), by name. */
  listVisible(actor: Principal): Promise<ServiceAccount[]>
  /** Throws unless `actor` may read `name` (`service_account_not_found` when unknown or not readable). */
  authorizeRead(actor: Principal, name: string): Promise<ServiceAccount>
  /** Changes an account (audited `service_account.updated` with the changed fields). */
  update(actor: Principal, name: string, patch: UpdateServiceAccountInput): Promise<ServiceAccount>
  /** Disables an account: its tokens stop working at once (audited `service_account.disabled`). */
  disable(actor: Principal, name: string, reason: string): Promise<ServiceAccount>
  /** Enables a disabled account again (audited `service_account.enabled`). */
  enable(actor: Principal, name: string): Promise<ServiceAccount>
  /** Deletes an account: a tombstone stays (the name cannot be reused) and its tokens are revoked (audited `service_account.deleted`). */
  delete(actor: Principal, name: string): Promise<void>
  /** The principal acting as this account (type ServiceAccount or Agent, groups from the record); throws when not active. */
  principalOf(account: ServiceAccount): Principal
  /** Throws policy_denied unless `actor` may manage `name` (used by other routes, e.g. trust rules). */
  authorizeManage(actor: Principal, name: string): Promise<ServiceAccount>
  /** Disables every agent this user sponsors (audited) — called when the sponsor is deprovisioned. */
  disableSponsoredBy(userId: string, reason: string): Promise<string[]>
}

/** What {@link createServiceAccounts} needs. */
export interface ServiceAccountsDeps {
  db: Kysely<ServiceAccountTables>
  audit: AuditLog
  clock: Clock
  authorize: ServiceAccountAuthorizer
  /** Revokes an account's tokens when it is deleted or its sponsor is lost. */
  tokens: AccessTokens
  /** The actions a budget may name (the policy's actions). */
  actions: readonly string[]
  /** Told when an account stops acting (disabled, by hand or with its sponsor, or deleted), after it is recorded: e.g. to suspend the schedules it owns. */
  onDeactivated?: (principal: { type: 'ServiceAccount' | 'Agent'; id: string }, reason: string) => Promise<void>
}

/** The `disabledReason` of an agent whose sponsor was deprovisioned (see {@link ServiceAccounts.disableSponsoredBy}). */
export const SPONSOR_LOST = 'sponsor_deprovisioned'

/** The issuer name on principals of service accounts and agents. */
export const SERVICE_ACCOUNT_ISSUER = 'conductor'

const NAME_RE = /^[a-z0-9][a-z0-9._-]{0,62}$/
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const GROUP_RE = /^[^\u0000-\u001f\u007f]{1,200}$/
const TOOL_RE = /^[A-Za-z0-9_.:-]{1,100}$/

function rowToAccount(row: ServiceAccountsTable): ServiceAccount {
  return {
    name: row.name, kind: row.kind as ServiceAccount['kind'], description: row.description,
    owner: { type: row.owner_type as 'User' | 'Group', id: row.owner_id },
    groups: JSON.parse(row.groups) as string[], sponsor: row.sponsor, tools: JSON.parse(row.tools) as string[],
    budgets: JSON.parse(row.budgets) as Budget[], state: row.state as ServiceAccount['state'],
    createdAt: row.created_at, createdBy: row.created_by, updatedAt: row.updated_at, disabledReason: row.disabled_reason,
  }
}

const invalid = (field: string, message: string) => new ConductorError('invalid_input', message, { details: { field } })

/**
 * Creates the service-account store. Every change is authorized through `authorize` (`service_account:manage`, with the
 * account in `context.serviceAccount`) and audited. No privilege escalation: an account gets only groups its creator is
 * in (unless the creator may `policy:write`), and an agent's sponsor is its creator unless the creator may `policy:write`.
 */
export function createServiceAccounts(deps: ServiceAccountsDeps): ServiceAccounts {
  const { db, audit, clock, authorize, tokens } = deps
  const knownActions = new Set(deps.actions)
  const iso = () => new Date(clock.now()).toISOString()
  const actorName = (actor: Principal) => `${actor.type}:${actor.id}`
  const question = (a: Pick<ServiceAccount, 'name' | 'kind' | 'owner'>): ServiceAccountQuestion => ({ name: a.name, kind: a.kind, owner: a.owner })
  const event = (actor: Principal | null, account: ServiceAccount, type: string, data: Record<string, unknown> = {}) => audit.append({
    type, principal: actor?.id ?? null, principalType: actor?.type ?? null, action: 'service_account:manage',
    data: { serviceAccount: account.name, kind: account.kind, ...data },
  })

  async function find(name: string): Promise<ServiceAccount | null> {
    const row = await db.selectFrom('service_accounts').selectAll().where('name', '=', name).executeTakeFirst()
    return row === undefined ? null : rowToAccount(row)
  }

  function deny(actor: Principal, action: string, account: ServiceAccountQuestion | undefined, decision: { reasons: string[]; policyIds: string[] }): ConductorError {
    const what = account === undefined ? 'service accounts' : `service account ${account.name}`
    return new ConductorError('policy_denied', `${actor.type} ${actor.id} may not ${action === 'service_account:read' ? 'see' : 'manage'} ${what}: ${decision.reasons.join('; ')}`, {
      details: { action, serviceAccount: account?.name, reasons: decision.reasons, policyIds: decision.policyIds },
    })
  }

  function mustManage(actor: Principal, account: ServiceAccountQuestion): void {
    const decision = authorize(actor, 'service_account:manage', account)
    if (decision.decision !== 'allow') throw deny(actor, 'service_account:manage', account, decision)
  }

  const mayWritePolicy = (actor: Principal) => authorize(actor, 'policy:write').decision === 'allow'

  async function live(name: string): Promise<ServiceAccount> {
    const account = await find(name)
    if (account === null || account.state === 'deleted') throw new ConductorError('service_account_not_found', `no service account ${name}`, { details: { name } })
    return account
  }

  function checkOwner(owner: { type: string; id: string } | undefined): void {
    if (owner === undefined || (owner.type !== 'User' && owner.type !== 'Group') || typeof owner.id !== 'string' || !GROUP_RE.test(owner.id)) {
      throw invalid('owner', 'owner is { type: "User" | "Group", id }')
    }
  }

  function checkLists(input: UpdateServiceAccountInput): void {
    if (input.description !== undefined && (typeof input.description !== 'string' || input.description.length > 1000)) throw invalid('description', 'a description is at most 1000 characters')
    if (input.groups !== undefined && (!Array.isArray(input.groups) || input.groups.length > 100 || !input.groups.every((g) => typeof g === 'string' && GROUP_RE.test(g)))) {
      throw invalid('groups', 'groups are at most 100 group names')
    }
    if (input.tools !== undefined && (!Array.isArray(input.tools) || input.tools.length > 200 || !input.tools.every((t) => typeof t === 'string' && TOOL_RE.test(t)))) {
      throw invalid('tools', 'tools are at most 200 tool names (letters, digits, _ . : -)')
    }
    if (input.budgets !== undefined) {
      if (!Array.isArray(input.budgets) || input.budgets.length > 50) throw invalid('budgets', 'at most 50 budgets')
      const seen = new Set<string>()
      for (const b of input.budgets) {
        if (typeof b !== 'object' || b === null || !knownActions.has(b.action)) throw invalid('budgets', `a budget names a known action (${String(b?.action)} is not one)`)
        if (!Number.isSafeInteger(b.max) || b.max < 0 || b.max > 1_000_000) throw invalid('budgets', 'a budget\'s max is a whole number from 0 to 1000000')
        if (!Number.isSafeInteger(b.perHours) || b.perHours < 1 || b.perHours > 720) throw invalid('budgets', 'a budget\'s perHours is a whole number from 1 to 720')
        if (seen.has(b.action)) throw invalid('budgets', `one budget per action (${b.action} twice)`)
        seen.add(b.action)
      }
    }
  }

  /** Groups the actor may hand out: those it holds, or any when it may write policy. */
  function checkGroups(actor: Principal, groups: string[], already: string[] = []): void {
    const held = new Set(actor.groups)
    const missing = groups.filter((g) => !held.has(g) && !already.includes(g))
    if (missing.length > 0 && !mayWritePolicy(actor)) {
      throw new ConductorError('group_not_held', `you may give a service account only groups you are a member of (not ${missing.join(', ')}) unless you may policy:write`, {
        details: { field: 'groups', groups: missing },
      })
    }
  }

  function checkSponsor(actor: Principal, kind: ServiceAccount['kind'], sponsor: string | null): void {
    if (kind === 'service') {
      if (sponsor !== null) throw invalid('sponsor', 'only agents have a sponsor')
      return
    }
    if (sponsor === null || !GROUP_RE.test(sponsor)) throw invalid('sponsor', 'an agent needs a sponsor: a person (give sponsor when you are not a User)')
    if (!(actor.type === 'User' && actor.id === sponsor) && !mayWritePolicy(actor)) {
      throw new ConductorError('sponsor_not_allowed', `only you can be the sponsor of an agent you create (naming ${sponsor} needs policy:write)`, { details: { field: 'sponsor' } })
    }
  }

  async function setState(actor: Principal | null, account: ServiceAccount, state: ServiceAccount['state'], reason: string | null, type: string): Promise<ServiceAccount> {
    const at = iso()
    await db.updateTable('service_accounts').set({ state, disabled_reason: reason, updated_at: at }).where('name', '=', account.name).execute()
    const next = { ...account, state, disabledReason: reason, updatedAt: at }
    await event(actor, next, type, reason === null ? {} : { reason })
    if (state === 'disabled') await deps.onDeactivated?.({ type: account.kind === 'agent' ? 'Agent' : 'ServiceAccount', id: account.name }, 'service_account_disabled')
    return next
  }

  return {
    async create(actor, input) {
      const name = typeof input.name === 'string' ? input.name : ''
      if (!NAME_RE.test(name)) throw invalid('name', 'a service account name is 1 to 63 lowercase letters, digits, . _ - (starting with a letter or digit)')
      const kind = input.kind ?? 'service'
      if (kind !== 'service' && kind !== 'agent') throw invalid('kind', 'kind is service or agent')
      checkOwner(input.owner)
      checkLists(input)
      const groups = [...new Set(input.groups ?? [])].sort()
      mustManage(actor, { name, kind, owner: input.owner })
      checkGroups(actor, groups)
      const sponsor = kind === 'agent' ? (input.sponsor ?? (actor.type === 'User' ? actor.id : null)) : (input.sponsor ?? null)
      checkSponsor(actor, kind, sponsor)
      if (await find(name) !== null) throw new ConductorError('service_account_exists', `a service account named ${name} exists or existed (names are never reused)`, { details: { field: 'name', name } })
      const at = iso()
      const row: ServiceAccountsTable = {
        name, kind, description: input.description ?? '', owner_type: input.owner.type, owner_id: input.owner.id, groups: JSON.stringify(groups),
        sponsor, tools: JSON.stringify([...new Set(input.tools ?? [])]), budgets: JSON.stringify(input.budgets ?? []), state: 'active',
        created_at: at, created_by: actorName(actor), updated_at: at, disabled_reason: null,
      }
      try {
        await db.insertInto('service_accounts').values(row).execute()
      } catch (cause) {
        if (await find(name) !== null) throw new ConductorError('service_account_exists', `a service account named ${name} exists`, { details: { field: 'name', name }, cause })
        throw cause
      }
      const account = rowToAccount(row)
      await event(actor, account, 'service_account.created', { owner: account.owner, groups, sponsor, tools: account.tools, budgets: account.budgets })
      return account
    },

    get: find,

    async list() {
      const rows = await db.selectFrom('service_accounts').selectAll().where('state', '!=', 'deleted').orderBy('name').execute()
      return rows.map(rowToAccount)
    },

    async listVisible(actor) {
      const rows = await db.selectFrom('service_accounts').selectAll().where('state', '!=', 'deleted').orderBy('name').execute()
      return rows.map(rowToAccount).filter((a) => authorize(actor, 'service_account:read', question(a)).decision === 'allow')
    },

    async authorizeRead(actor, name) {
      const account = await live(name)
      const decision = authorize(actor, 'service_account:read', question(account))
      if (decision.decision !== 'allow') throw new ConductorError('service_account_not_found', `no service account ${name}`, { details: { name } })
      return account
    },

    async update(actor, name, patch) {
      const account = await live(name)
      mustManage(actor, question(account))
      if (patch.owner !== undefined) { checkOwner(patch.owner); mustManage(actor, { ...question(account), owner: patch.owner }) }
      checkLists(patch)
      const changed: Record<string, unknown> = {}
      const set: Partial<ServiceAccountsTable> = {}
      if (patch.description !== undefined && patch.description !== account.description) { set.description = patch.description; changed.description = patch.description }
      if (patch.owner !== undefined && (patch.owner.type !== account.owner.type || patch.owner.id !== account.owner.id)) {
        set.owner_type = patch.owner.type; set.owner_id = patch.owner.id; changed.owner = patch.owner
      }
      if (patch.groups !== undefined) {
        const groups = [...new Set(patch.groups)].sort()
        checkGroups(actor, groups, account.groups)
        if (JSON.stringify(groups) !== JSON.stringify(account.groups)) { set.groups = JSON.stringify(groups); changed.groups = groups }
      }
      if (patch.sponsor !== undefined && patch.sponsor !== account.sponsor) {
        checkSponsor(actor, account.kind, patch.sponsor)
        set.sponsor = patch.sponsor; changed.sponsor = patch.sponsor
        // An agent that lost its sponsor may be enabled again once someone answers for it.
        if (account.disabledReason === SPONSOR_LOST) set.disabled_reason = 'sponsor_replaced'
      }
      if (patch.tools !== undefined) { set.tools = JSON.stringify([...new Set(patch.tools)]); changed.tools = patch.tools }
      if (patch.budgets !== undefined) { set.budgets = JSON.stringify(patch.budgets); changed.budgets = patch.budgets }
      if (Object.keys(set).length === 0) return account
      set.updated_at = iso()
      await db.updateTable('service_accounts').set(set).where('name', '=', name).execute()
      const next = (await find(name))!
      await event(actor, next, 'service_account.updated', { changed })
      return next
    },

    async disable(actor, name, reason) {
      const account = await live(name)
      mustManage(actor, question(account))
      const clean = typeof reason === 'string' ? reason.trim() : ''
      if (clean === '' || clean.length > 500) throw new ConductorError('reason_required', 'disabling a service account needs a reason (at most 500 characters)', { details: { field: 'reason' } })
      if (account.state === 'disabled') return account
      return setState(actor, account, 'disabled', clean, 'service_account.disabled')
    },

    async enable(actor, name) {
      const account = await live(name)
      mustManage(actor, question(account))
      if (account.state === 'active') return account
      if (account.kind === 'agent' && account.disabledReason === SPONSOR_LOST && !mayWritePolicy(actor)) {
        throw new ConductorError('sponsor_not_allowed', 'this agent lost its sponsor: give it a new sponsor (PATCH sponsor) before enabling it', { details: { field: 'sponsor' } })
      }
      return setState(actor, account, 'active', null, 'service_account.enabled')
    },

    async delete(actor, name) {
      const account = await live(name)
      mustManage(actor, question(account))
      const revoked = await tokens.revokeAllOf({ type: account.kind === 'agent' ? 'Agent' : 'ServiceAccount', id: name }, 'service_account_deleted')
      const at = iso()
      await db.updateTable('service_accounts').set({ state: 'deleted', updated_at: at }).where('name', '=', name).execute()
      await event(actor, { ...account, state: 'deleted' }, 'service_account.deleted', { tokensRevoked: revoked })
      await deps.onDeactivated?.({ type: account.kind === 'agent' ? 'Agent' : 'ServiceAccount', id: name }, 'service_account_deleted')
    },

    principalOf(account) {
      if (account.state !== 'active') {
        throw new ConductorError('token_owner_disabled', `service account ${account.name} is ${account.state}`, { details: { name: account.name, state: account.state } })
      }
      const principal: Principal = {
        type: account.kind === 'agent' ? 'Agent' : 'ServiceAccount', id: account.name, subject: account.name, issuer: SERVICE_ACCOUNT_ISSUER,
        username: account.name, displayName: account.description === '' ? null : account.description, email: null,
        groups: [...account.groups], idpGroups: [],
      }
      if (account.kind === 'agent') principal.agent = { sponsor: account.sponsor ?? '', tools: [...account.tools], budgets: account.budgets.map((b) => ({ ...b })) }
      return principal
    },

    async authorizeManage(actor, name) {
      const account = await live(name)
      mustManage(actor, question(account))
      return account
    },

    async disableSponsoredBy(userId, reason) {
      const rows = await db.selectFrom('service_accounts').selectAll().where('sponsor', '=', userId).where('kind', '=', 'agent').where('state', '=', 'active').execute()
      const names: string[] = []
      for (const row of rows) {
        const account = rowToAccount(row)
        await setState(null, account, 'disabled', reason, 'service_account.disabled')
        await audit.append({ type: 'agent.sponsor_lost', principal: account.name, principalType: 'Agent', data: { serviceAccount: account.name, sponsor: userId, reason } })
        await tokens.revokeAllOf({ type: 'Agent', id: account.name }, reason)
        names.push(account.name)
      }
      return names
    },
  }
}
