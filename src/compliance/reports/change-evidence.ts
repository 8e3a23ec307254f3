import { diffPolicyFiles, policyVersionsIn } from '../history/index.ts'
import type { EvidenceContext, EvidenceSection } from './evidence-context.ts'

/** The policy versions loaded in the period, with their authors and a line diff against the version before. */
export async function policyVersionsEvidence(ctx: EvidenceContext): Promise<EvidenceSection> {
  const rows: EvidenceSection['rows'] = []
  for (const { version, before } of await policyVersionsIn(ctx.db, ctx.from, ctx.to)) {
    const diffs = diffPolicyFiles(before?.files, version.files)
    if (diffs.length === 0) rows.push({ loadedAt: version.loadedAt, hash: version.hash, previousHash: before?.hash ?? null, author: version.author, commit: version.commit, file: null, change: 'none', added: 0, removed: 0, diff: '' })
    for (const d of diffs) {
      rows.push({
        loadedAt: version.loadedAt, hash: version.hash, previousHash: before?.hash ?? null, author: version.author, commit: version.commit,
        file: d.file, change: d.change, added: d.added, removed: d.removed, diff: d.lines.join('\n'),
      })
    }
  }
  return {
    kind: 'policy_versions', title: 'Policy versions, diffs and authors', rows,
    notes: ['Authors and commits come from git when the policy folder is a git work tree; otherwise they are empty.'],
    summary: { versions: new Set(rows.map((r) => r.hash)).size, filesChanged: rows.filter((r) => r.file !== null).length },
  }
}

/** The audit trail's integrity: the chain verified from the period's first event to the head, the signed checkpoints in and around the period, and the sinks. */
export async function auditIntegrityEvidence(ctx: EvidenceContext): Promise<EvidenceSection> {
  // From the period's first event on (older events may have been archived), to the head.
  const verified = await ctx.audit.verify(ctx.events[0] ? { fromSeq: ctx.events[0].seq } : {})
  const rows: EvidenceSection['rows'] = ctx.checkpoints.filter((c) => c.at >= ctx.from).map((c) => ({ item: 'checkpoint', name: String(c.seq), at: c.at, value: c.hash, state: c.keyId }))
  for (const sink of await ctx.sinks()) {
    rows.push({ item: 'sink', name: sink.name, at: sink.deliveredAt, value: sink.cursor, state: sink.failures > 0 ? `failing (${sink.failures})` : `lag ${sink.lagEvents} events` })
  }
  return {
    kind: 'audit_integrity', title: 'Audit chain integrity', rows, notes: ['The bundle\'s audit/events.jsonl and manifest let the chain be verified offline (conductor evidence verify).'],
    summary: {
      chainOk: verified.ok, eventsVerified: verified.count, firstBadSeq: verified.ok ? null : verified.firstBadSeq, eventsInPeriod: ctx.events.length,
      checkpoints: ctx.checkpoints.length,
    },
  }
}
