import type { Kysely } from 'kysely'
import type { AuditLog } from '../../audit/index.ts'
import { ConductorError, randomIds } from '../../core/index.ts'
import type { Clock, IdGenerator } from '../../core/index.ts'
import type { Principal } from '../principal.ts'
import type { ServiceAccount, ServiceAccounts } from '../service-accounts/index.ts'
import { matchTrustRule, validateTrustRule } from './trust-rules.ts'
import type { TrustRule, TrustRuleIssuers } from './trust-rules.ts'
import type { ServiceAccountTrustsTable, FederationTables } from './trusts.tables.ts'
import type { WorkloadIdentity } from './workload-verifier.ts'

/** A stored trust rule of a service account. */
export interface ServiceAccountTrust extends TrustRule {
  id: string
  serviceAccount: string
  description: string
  createdAt: string
  createdBy: string
}

/** What adding a trust rule takes. */
export interface AddTrustInput {
  issuer: string
  conditions: Record<string, string>
  description?: string
}

/** A service account a workload identity may act as, with the rule that says so. */
export interface TrustedAccount {
  account: ServiceAccount
  trust: ServiceAccountTrust
}

/** The trust rules of service accounts. */
export interface ServiceAccountTrusts {
  /** The account's rules, for whoever may read the account. */
  list(actor: Principal, serviceAccount: string): Promise<ServiceAccountTrust[]>
  /** Adds a rule (validated; refused with `trust_rule_invalid`); needs manage rights on the account. Audited `service_account.trust_added`. */
  add(actor: Principal, serviceAccount: string, input: AddTrustInput): Promise<ServiceAccountTrust>
  /** Removes a rule; needs manage rights. Audited `service_account.trust_removed`. `trust_rule_not_found` when absent. */
  remove(actor: Principal, serviceAccount: string, id: string): Promise<ServiceAccountTrust>
  /** The **active** service accounts whose rules match `identity`, each once (with its first matching rule), by name. */
  matching(identity: WorkloadIdentity): Promise<TrustedAccount[]>
}

/** Dependencies of {@link createServiceAccountTrusts}. */
export interface ServiceAccountTrustsDeps {
  db: Kysely<FederationTables>
  audit: Pick<AuditLog, 'append'>
  clock: Clock
  ids?: IdGenerator
  serviceAccounts: Pick<ServiceAccounts, 'get' | 'authorizeManage' | 'authorizeRead'>
  issuers: TrustRuleIssuers
}

const MAX_RULES_PER_ACCOUNT = 50

function toTrust(row: ServiceAccountTrustsTable): ServiceAccountTrust {
  return {
    id: row.id, serviceAccount: row.service_account, issuer: row.issuer, conditions: JSON.parse(row.conditions) as Record<string, string>,
    description: row.description, createdAt: row.created_at, createdBy: row.created_by,
  }
}

/** Creates the {@link ServiceAccountTrusts} store (table `service_account_trusts`). */
export function createServiceAccountTrusts(deps: ServiceAccountTrustsDeps): ServiceAccountTrusts {
  const { db, audit, clock } = deps
  const ids = deps.ids ?? randomIds

  async function rowsOf(serviceAccount: string): Promise<ServiceAccountTrust[]> {
    const rows = await db.selectFrom('service_account_trusts').selectAll().where('service_account', '=', serviceAccount).orderBy('created_at').orderBy('id').execute()
    return rows.map(toTrust)
  }

  return {
    async list(actor, serviceAccount) {
      await deps.serviceAccounts.authorizeRead(actor, serviceAccount)
      return rowsOf(serviceAccount)
    },

    async add(actor, serviceAccount, input) {
      const rule = validateTrustRule(input, deps.issuers)
      const description = (input.description ?? '').trim()
      if (description.length > 500) throw new ConductorError('invalid_input', 'description: at most 500 characters', { details: { field: 'description' } })
      const account = await deps.serviceAccounts.authorizeManage(actor, serviceAccount)
      const existing = await rowsOf(account.name)
      if (existing.length >= MAX_RULES_PER_ACCOUNT) throw new ConductorError('conflict', `a service account has at most ${MAX_RULES_PER_ACCOUNT} trust rules`, { details: { field: 'conditions' } })
      const row: ServiceAccountTrustsTable = {
        id: ids.next(), service_account: account.name, issuer: rule.issuer, conditions: JSON.stringify(rule.conditions), description,
        created_at: new Date(clock.now()).toISOString(), created_by: `${actor.type}:${actor.id}`,
      }
      await db.insertInto('service_account_trusts').values(row).execute()
      const trust = toTrust(row)
      await audit.append({
        type: 'service_account.trust_added', principal: actor.id, principalType: actor.type,
        data: { serviceAccount: account.name, trustId: trust.id, issuer: trust.issuer, conditions: trust.conditions, description },
      })
      return trust
    },

    async remove(actor, serviceAccount, id) {
      const account = await deps.serviceAccounts.authorizeManage(actor, serviceAccount)
      const row = await db.selectFrom('service_account_trusts').selectAll().where('id', '=', id).where('service_account', '=', account.name).executeTakeFirst()
      if (row === undefined) throw new ConductorError('trust_rule_not_found', `service account ${account.name} has no trust rule ${id}`, { details: { field: 'id' } })
      await db.deleteFrom('service_account_trusts').where('id', '=', id).execute()
      const trust = toTrust(row)
      await audit.append({
        type: 'service_account.trust_removed', principal: actor.id, principalType: actor.type,
        data: { serviceAccount: account.name, trustId: trust.id, issuer: trust.issuer, conditions: trust.conditions },
      })
      return trust
    },

    async matching(identity) {
      const rows = await db.selectFrom('service_account_trusts').selectAll().where('issuer', '=', identity.issuer).orderBy('service_account').orderBy('created_at').execute()
      const out: TrustedAccount[] = []
      const seen = new Set<string>()
      for (const trust of rows.map(toTrust)) {
        if (seen.has(trust.serviceAccount) || !matchTrustRule(trust, identity)) continue
        const account = await deps.serviceAccounts.get(trust.serviceAccount)
        if (account === null || account.state !== 'active') continue
        seen.add(trust.serviceAccount)
        out.push({ account, trust })
      }
      return out
    },
  }
}
