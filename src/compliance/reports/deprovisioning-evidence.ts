import { directoryChangesIn } from '../history/index.ts'
import { eventsOf, type EvidenceContext, type EvidenceSection } from './evidence-context.ts'

/** The p-th percentile (0..100) of `values` by nearest rank; null when empty. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!
}

/**
 * Deprovisioning timeliness: each IdP event that takes access away (a SCIM deactivation, deletion or group removal,
 * as recorded in the directory history when Conductor received it) paired with the first `access.revoked` for that
 * principal at or after it (when its sessions and tokens died), with the seconds between; back-channel logouts are
 * revoked within their own request. A deprovisioning with no revocation is listed with `revokedAt` null.
 */
export async function deprovisioningEvidence(ctx: EvidenceContext): Promise<EvidenceSection> {
  const revoked = eventsOf(ctx, 'access.revoked')
  const rows: EvidenceSection['rows'] = []
  for (const { state, before } of await directoryChangesIn(ctx.db, ctx.from, ctx.to)) {
    if (state.source !== 'scim' || before === undefined) continue
    // Groups lost count only between two SCIM states: a user's first SCIM row replaces the groups its token claimed.
    const lost = before.source === 'scim' ? before.groups.filter((g) => !state.groups.includes(g)) : []
    const deactivated = before.active && !state.active
    if (!deactivated && lost.length === 0) continue
    const revocation = revoked.find((e) => e.principal === state.id && e.at >= state.recordedAt)
    const seconds = revocation ? (Date.parse(revocation.at) - Date.parse(state.recordedAt)) / 1000 : null
    rows.push({
      principalType: state.type, principal: state.id, idpEvent: deactivated ? 'scim_deactivated_or_deleted' : 'scim_group_removed', groupsRemoved: lost.join(' '),
      idpEventAt: state.recordedAt, revokedAt: revocation?.at ?? null, seconds, sessionsEnded: revocation ? Number(revocation.data.sessionsEnded ?? 0) : null,
      reason: revocation ? String(revocation.data.reason ?? '') : 'no revocation recorded',
    })
  }
  for (const e of revoked.filter((r) => typeof r.data.idpSession === 'string')) {
    rows.push({
      principalType: e.principalType, principal: e.principal, idpEvent: 'back_channel_logout', groupsRemoved: '', idpEventAt: e.at, revokedAt: e.at, seconds: 0,
      sessionsEnded: Number(e.data.sessionsEnded ?? 0), reason: String(e.data.reason ?? ''),
    })
  }
  const seconds = rows.map((r) => r.seconds).filter((s): s is number => typeof s === 'number')
  return {
    kind: 'deprovisioning', title: 'Deprovisioning timeliness (IdP event to revocation)', rows,
    notes: ['The IdP event time is when Conductor received it; a back-channel logout is revoked within its own request (0 s).'],
    summary: { deprovisionings: rows.length, unrevoked: rows.filter((r) => r.revokedAt === null).length, maxSeconds: seconds.length ? Math.max(...seconds) : null, p95Seconds: percentile(seconds, 95) },
  }
}
