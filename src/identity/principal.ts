import type { GroupMappingConfig, IdentityConfig, IssuerConfig } from '../config/index.ts'
import { ConductorError } from '../core/index.ts'
import { readClaim, readStringClaim } from './claims.ts'
import type { Budget } from './service-accounts/service-accounts.ts'
import type { VerifiedToken } from './token-verifier.ts'

/** Who acts: a person, a workload, or an AI agent (a service account of kind `agent`, with a sponsoring user). */
export type PrincipalType = 'User' | 'ServiceAccount' | 'Agent'

/** Every {@link PrincipalType}. */
export const PRINCIPAL_TYPES: readonly PrincipalType[] = ['User', 'ServiceAccount', 'Agent']

/** What a presented credential allows at most; `null` on an axis means no limit on it. */
export interface CredentialScope {
  /** The actions the credential may be used for (e.g. `dag:read`), or null for any. */
  actions: string[] | null
  /** The environments the credential may reach, or null for any. */
  environments: string[] | null
}

/** The caller behind a verified token, in Conductor's words. */
export interface Principal {
  type: PrincipalType
  /** The Cedar entity id: the username claim, else the subject. */
  id: string
  /** The token's subject. */
  subject: string
  /** The configured issuer name the token came from. */
  issuer: string
  /** The username claim (`usernameClaim`, default `preferred_username`), else the subject. */
  username: string
  /** The `name` claim, if any. */
  displayName: string | null
  /** The `email` claim, if any. */
  email: string | null
  /** Conductor groups after `identity.groupMappings`, sorted and without duplicates. */
  groups: string[]
  /** The groups exactly as the IdP sent them in the groups claim. */
  idpGroups: string[]
  /**
   * What the presented credential allows at most (a scoped API token or exchanged token). Absent for a session or an
   * IdP token: then only policy limits the caller. The policy engine denies anything outside it.
   */
  scope?: CredentialScope
  /**
   * For `Agent` principals: the sponsoring user's id, the tools the agent may use (MCP tool names; empty = no
   * restriction beyond policy) and its budgets (how many requests of an action per hours; enforced by governance).
   */
  agent?: { sponsor: string; tools: string[]; budgets?: Budget[] }
  /** The Conductor-issued credential that was presented (`api-token` or `exchanged`), by id; absent for sessions and IdP tokens. */
  credential?: { kind: 'api-token' | 'exchanged'; id: string }
}

/**
 * Turns a verified token into a {@link Principal}.
 *
 * Groups are read from the issuer's `groupsClaim` (a dotted path such as `groups`, `roles` or
 * `realm_access.roles`; a string is one group, an array is many). Each IdP group is then mapped by
 * `identity.groupMappings`: a rule applies when its `issuer` is unset or names the token's issuer, and
 * its `from` equals the group or, with `pattern: true`, fully matches it as a regular expression, in
 * which case `$1`, `$2`… in `to` are replaced by the captures. A group matched by several rules yields
 * each rule's target. **An IdP group that no rule matches passes through under its own name**, so
 * policies may name IdP groups directly; a group that a rule matched does not also keep its own name.
 *
 * A token matching the issuer's `serviceAccountWhen` is a `ServiceAccount`; any other is a `User`. The
 * claim matches when it is present and its value (or, for an array, one of its members) equals `equals`
 * when given and contains a match of the regular expression `pattern` when given (unanchored).
 * Throws `principal_unknown` when the token's issuer is not in `identity.issuers`.
 */
export function resolvePrincipal(token: VerifiedToken, identity: IdentityConfig): Principal {
  const issuer = identity.issuers.find((candidate) => candidate.name === token.issuerName)
  if (issuer === undefined) {
    throw new ConductorError('principal_unknown', `issuer "${token.issuerName}" is not configured`, { details: { issuer: token.issuerName } })
  }
  const claims = token.claims as Record<string, unknown>
  const username = readStringClaim(claims, issuer.usernameClaim) ?? token.subject
  const idpGroups = readGroups(claims, issuer.groupsClaim)
  return {
    type: isServiceAccount(claims, issuer) ? 'ServiceAccount' : 'User',
    id: username,
    subject: token.subject,
    issuer: issuer.name,
    username,
    displayName: readStringClaim(claims, 'name'),
    email: readStringClaim(claims, 'email'),
    groups: mapGroups(idpGroups, identity.groupMappings, issuer.name),
    idpGroups,
  }
}

/**
 * Maps IdP groups to Conductor groups with `mappings` for tokens from `issuerName`
 * (see {@link resolvePrincipal} for the rules). Returns them sorted and without duplicates.
 */
export function mapGroups(idpGroups: readonly string[], mappings: readonly GroupMappingConfig[], issuerName: string): string[] {
  const rules = mappings.filter((rule) => rule.issuer === undefined || rule.issuer === issuerName)
  const out = new Set<string>()
  for (const group of idpGroups) {
    let matched = false
    for (const rule of rules) {
      if (!rule.pattern) {
        if (rule.from === group) { out.add(rule.to); matched = true }
        continue
      }
      const regex = compile(rule.from)
      if (regex.test(group)) {
        out.add(group.replace(regex, rule.to))
        matched = true
      }
    }
    if (!matched) out.add(group)
  }
  return [...out].filter((group) => group.length > 0).sort()
}

const compiled = new Map<string, RegExp>()

function compile(source: string): RegExp {
  let regex = compiled.get(source)
  if (regex === undefined) {
    try {
      regex = new RegExp(`^(?:${source})$`)
    } catch (error) {
      throw new ConductorError('config_invalid', `group mapping "${source}" is not a valid regular expression`, { cause: error })
    }
    if (compiled.size > 1000) compiled.clear()
    compiled.set(source, regex)
  }
  return regex
}

function readGroups(claims: Record<string, unknown>, path: string): string[] {
  const value = readClaim(claims, path)
  const list = typeof value === 'string' ? [value] : Array.isArray(value) ? value : []
  return [...new Set(list.filter((item): item is string => typeof item === 'string' && item.length > 0))]
}

function isServiceAccount(claims: Record<string, unknown>, issuer: IssuerConfig): boolean {
  const rule = issuer.serviceAccountWhen
  if (rule === undefined) return false
  const value = readClaim(claims, rule.claim)
  const values = (Array.isArray(value) ? value : [value])
    .filter((item) => typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean')
    .map(String)
  if (values.length === 0) return false
  const pattern = rule.pattern === undefined ? undefined : new RegExp(rule.pattern)
  return values.some((item) => (rule.equals === undefined || item === rule.equals) && (pattern === undefined || pattern.test(item)))
}
