import type { Logger } from 'pino'
import type { AuditLog } from '../audit/index.ts'
import type { GroupMappingConfig, ScimConfig } from '../config/index.ts'
import { ConductorError } from '../core/index.ts'
import { mapGroups, type Principal } from './principal.ts'
import type { ScimEvents, ScimService, ScimUserSummary } from './scim/index.ts'
import type { AccessRevoker } from './revoke-access.ts'
import type { Leases } from '../store/index.ts'

/** The directory gate: what SCIM says about a principal, checked on every request. */
export interface Directory {
  /**
   * Returns the principal as SCIM has it: refused (`session_revoked`) when SCIM deactivated or deleted the
   * user, or (with `groupsSource: scim`) never provisioned them; groups from SCIM memberships when SCIM is
   * their source.
   */
  apply(principal: Principal): Promise<Principal>
}

/** Creates the gate over the SCIM store. */
export function createDirectory(deps: { scim: Pick<ScimService, 'findUserForPrincipal'>; config: ScimConfig; groupMappings: readonly GroupMappingConfig[] }): Directory {
  const { config } = deps
  return {
    async apply(principal) {
      const user = await deps.scim.findUserForPrincipal(config.matchBy === 'externalId' ? { externalId: principal.subject } : { userName: principal.username })
      if (user === null) {
        if (config.groupsSource === 'scim') throw new ConductorError('session_revoked', `${principal.username} is not provisioned in Conductor (SCIM)`)
        return principal
      }
      if (user.deleted || !user.active) {
        throw new ConductorError('session_revoked', `${principal.username} was ${user.deleted ? 'deprovisioned' : 'deactivated'} by the identity provider`)
      }
      if (config.groupsSource !== 'scim') return principal
      // idpGroups keep what the token claimed, so drift between the token and SCIM can be reported.
      return { ...principal, groups: mapGroups(user.groups, deps.groupMappings, principal.issuer) }
    },
  }
}

/** A principal Conductor has seen, as the revocation needs it. */
export interface SeenPrincipal {
  type: string
  id: string
  issuer: string
  subject: string
}

/**
 * SCIM events turned into revocations: deactivation and deletion end every session and refuse every
 * token of the user; leaving a group ends the user's console sessions (their next token request
 * resolves the smaller set of groups). Each step is audited by the revoker.
 */
export function scimRevocationEvents(deps: {
  revoker: AccessRevoker
  seen: (userName: string) => Promise<SeenPrincipal[]>
  /** Runs for each principal whose access was revoked, after the revocation (e.g. to cancel their pending requests). */
  onRevoked?: (principal: SeenPrincipal, reason: string) => Promise<void>
}): Partial<ScimEvents> {
  const revokeAll = async (user: ScimUserSummary, reason: string) => {
    const seen = await deps.seen(user.userName)
    for (const p of seen) {
      await deps.revoker.revokePrincipal({ issuer: p.issuer, subject: p.subject, principalType: p.type, principalId: p.id }, reason)
      await deps.onRevoked?.(p, reason)
    }
  }
  return {
    userDeactivated: (user) => revokeAll(user, 'scim_deactivated'),
    userDeleted: (user) => revokeAll(user, 'scim_deleted'),
    membershipsRemoved: async (user, groups) => {
      const seen = await deps.seen(user.userName)
      for (const p of seen) await deps.revoker.endSessions({ issuer: p.issuer, subject: p.subject, principalType: p.type, principalId: p.id }, `scim_left_groups:${groups.join(',')}`)
    },
  }
}

/**
 * SCIM event handlers that run each of `handlers` first, then the same event of `observer` (each awaited), so an
 * observer sees a change only after Conductor has acted on it.
 */
export function chainScimEvents(handlers: Partial<ScimEvents>, observer: Partial<ScimEvents> | undefined): Partial<ScimEvents> {
  if (!observer) return handlers
  const names = ['userCreated', 'userDeactivated', 'userDeleted', 'userReactivated', 'membershipsRemoved', 'membershipsAdded'] as const
  const out: Partial<ScimEvents> = {}
  for (const name of names) {
    const first = handlers[name] as ((...args: unknown[]) => unknown) | undefined
    const then = observer[name] as ((...args: unknown[]) => unknown) | undefined
    if (first || then) {
      (out as Record<string, unknown>)[name] = async (...args: unknown[]) => { await first?.(...args); await then?.(...args) }
    }
  }
  return out
}

/** One principal whose token claims and SCIM disagree. */
export interface DriftEntry {
  principal: { type: string; id: string; issuer: string }
  scimUser: { id: string; active: boolean; deleted: boolean } | null
  /** SCIM groups the token does not claim. */
  missingFromClaims: string[]
  /** Groups the token claims that SCIM does not list. */
  notInScim: string[]
  lastSeenAt: string
}

/** The drift between SCIM and what tokens claimed, over the principals seen recently. */
export interface ReconciliationReport {
  at: string
  checked: number
  inSync: number
  drifted: DriftEntry[]
}

/** Compares each principal's last token claims with SCIM (only users: service accounts are not provisioned by SCIM). */
export async function reconcile(deps: {
  scim: Pick<ScimService, 'reconciliationReport'>
  config: ScimConfig
  principals: { type: string; id: string; issuer: string; subject: string; claimedGroups: string[]; lastSeenAt: string }[]
  now: string
}): Promise<ReconciliationReport> {
  const drifted: DriftEntry[] = []
  let checked = 0
  for (const p of deps.principals) {
    if (p.type !== 'User') continue
    checked++
    const r = await deps.scim.reconciliationReport({ ...(deps.config.matchBy === 'externalId' ? { externalId: p.subject } : { userName: p.id }), groups: p.claimedGroups })
    if (r.inSync) continue
    drifted.push({
      principal: { type: p.type, id: p.id, issuer: p.issuer },
      scimUser: r.user ? { id: r.user.id, active: r.user.active, deleted: r.user.deleted } : null,
      missingFromClaims: r.missingFromClaims, notInScim: r.notInScim, lastSeenAt: p.lastSeenAt,
    })
  }
  return { at: deps.now, checked, inSync: checked - drifted.length, drifted }
}

/** A running periodic reconciliation. */
export interface ReconciliationTimer {
  /** Stops it. Safe to call more than once. */
  stop(): void
}

/** The lease periodic SCIM reconciliation runs under. */
export const RECONCILIATION_LEASE = 'scim-reconciliation'

/**
 * Runs `reconcile` every `minutes` in the background (the timer does not keep the process alive) and audits each
 * report as `scim.reconciliation` (counts and at most 20 drifted principals); a failed run is logged. 0 or less runs nothing. With `leases`, only the replica holding the lease runs it.
 */
export function startReconciliation(deps: {
  reconcile: () => Promise<ReconciliationReport>
  minutes: number
  audit: Pick<AuditLog, 'append'>
  logger: Pick<Logger, 'error'>
  /** Shared with the other replicas of the database: reconciliation runs on the one holding `scim-reconciliation`. */
  leases?: Pick<Leases, 'claim'>
}): ReconciliationTimer {
  if (deps.minutes <= 0) return { stop() {} }
  const lease = deps.leases?.claim(RECONCILIATION_LEASE)
  const once = async () => {
    const report = await deps.reconcile()
    await deps.audit.append({ type: 'scim.reconciliation', data: { checked: report.checked, inSync: report.inSync, drifted: report.drifted.length, sample: report.drifted.slice(0, 20) } })
  }
  const timer = setInterval(() => {
    (lease ? lease.run(once) : once()).catch((error: unknown) => deps.logger.error({ err: error }, 'SCIM reconciliation failed'))
  }, deps.minutes * 60_000)
  timer.unref()
  return { stop: () => clearInterval(timer) }
}
