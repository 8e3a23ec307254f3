import type { Kysely } from 'kysely'
import { loadCheckpointKey, type AuditCheckpoint, type AuditCheckpointService, type AuditEvent, type AuditLog, type AuditSinkStatus } from '../../audit/index.ts'
import { ConductorError, systemClock, type Clock } from '../../core/index.ts'
import { historyStart, type AccessAsOf, type ComplianceHistoryTables } from '../history/index.ts'
import { buildComplianceReport, type ComplianceReport } from '../reports/index.ts'
import { sha256, signManifest, type EvidenceManifest } from './manifest.ts'
import { renderPdf, type PdfRenderer } from './pdf.ts'
import { controlCsv, controlFileName, controlJson, summaryHtml } from './render.ts'
import type { BundleFiles } from './tar.ts'

/** What the evidence service needs. */
export interface EvidenceDeps {
  db: Kysely<ComplianceHistoryTables>
  audit: Pick<AuditLog, 'query' | 'verify' | 'append'>
  checkpoints: Pick<AuditCheckpointService, 'checkpoint' | 'list'>
  /** The checkpoint signing key's secret text (undefined: checkpoints are not configured). */
  readKey: (() => Promise<string>) | undefined
  sinks: () => Promise<AuditSinkStatus[]>
  /** Access as of a moment (the access matrix over the history), or null when this build has none. */
  accessAsOf: ((at: string) => Promise<AccessAsOf>) | null
  pdf: PdfRenderer
  clock?: Clock
}

/** A period and the moment access is shown as of. */
export interface EvidencePeriod {
  from: string
  to: string
  /** Default: `to`. */
  asOf?: string
}

/** A built bundle: its files (manifest.json last) and the manifest. */
export interface EvidenceBundle {
  files: BundleFiles
  manifest: EvidenceManifest
}

/** The evidence service: compliance reports and bundles. */
export interface Evidence {
  /** The report for a period (no files, nothing audited). */
  report(period: EvidencePeriod): Promise<ComplianceReport>
  /** Builds the bundle for a period, signed, and audits `compliance.evidence_exported`. */
  bundle(period: EvidencePeriod, by: { type: string; id: string }): Promise<EvidenceBundle>
  /**
   * Access as of `at` (default now), recomputed from the history.
   * @throws ConductorError `invalid_input` (field `asOf`) for a bad or future moment; `history_unavailable` before history starts.
   */
  accessAsOf(at?: string): Promise<AccessAsOf>
}

const PAGE = 1000

/**
 * Checks a period: ISO instants, `from` before `to`, `asOf` not after now.
 * @throws ConductorError `invalid_input` with the field.
 */
export function checkPeriod(period: EvidencePeriod, now: number): Required<EvidencePeriod> {
  const parse = parseInstant
  const from = parse('from', period.from)
  const to = parse('to', period.to)
  if (from >= to) throw new ConductorError('invalid_input', 'from must be before to', { details: { field: 'from' } })
  const asOf = period.asOf === undefined ? (Date.parse(to) > now ? new Date(now).toISOString() : to) : parse('asOf', period.asOf)
  if (Date.parse(asOf) > now) throw new ConductorError('invalid_input', 'asOf is in the future', { details: { field: 'asOf' } })
  return { from, to, asOf }
}

/**
 * An ISO 8601 date or date-time as a UTC ISO instant.
 * @throws ConductorError `invalid_input` with `field`.
 */
export function parseInstant(field: string, value: string): string {
  const ms = Date.parse(value)
  if (!/^\d{4}-\d\d-\d\d/.test(value) || Number.isNaN(ms)) throw new ConductorError('invalid_input', `${field} is not an ISO 8601 date or time`, { details: { field } })
  return new Date(ms).toISOString()
}

/** Fails with `history_unavailable` (the earliest moment in details) for a moment before history starts. */
export async function assertHistoryCovers(db: Kysely<ComplianceHistoryTables>, at: string, field: string): Promise<void> {
  const earliest = await historyStart(db)
  if (earliest === undefined || at < earliest) {
    throw new ConductorError('history_unavailable', `Conductor's compliance history starts at ${earliest ?? 'its next start'}: access as of ${at} cannot be recomputed`, { details: { field, earliest: earliest ?? null } })
  }
}

/** Creates the evidence service. */
export function createEvidence(deps: EvidenceDeps): Evidence {
  const clock = deps.clock ?? systemClock

  async function readEvents(filter: { from?: string; to?: string }, afterSeq: number, untilSeq = Infinity): Promise<AuditEvent[]> {
    const out: AuditEvent[] = []
    for (let after = afterSeq; ;) {
      const page = await deps.audit.query({ ...filter, afterSeq: after, limit: PAGE })
      for (const e of page) if (e.seq <= untilSeq) out.push(e)
      if (page.length < PAGE || page.at(-1)!.seq >= untilSeq) return out
      after = page.at(-1)!.seq
    }
  }

  async function report(input: EvidencePeriod, events?: AuditEvent[]): Promise<ComplianceReport> {
    const period = checkPeriod(input, clock.now())
    if (deps.accessAsOf !== null) await assertHistoryCovers(deps.db, period.asOf, 'asOf')
    return buildComplianceReport({
      db: deps.db, ...period, events: events ?? await readEvents({ from: period.from, to: period.to }, 0),
      accessAsOf: deps.accessAsOf, audit: deps.audit, checkpoints: (await deps.checkpoints.list()).checkpoints, sinks: deps.sinks,
    })
  }

  async function coveringCheckpoint(lastSeq: number, by: { id: string }): Promise<AuditCheckpoint> {
    const covering = (await deps.checkpoints.list()).checkpoints.find((c) => c.seq >= lastSeq)
    if (covering) return covering
    const signed = await deps.checkpoints.checkpoint({ principal: by.id })
    if (!signed) throw new ConductorError('audit_checkpoints_not_configured', 'No audit event to sign: the trail is empty')
    return signed
  }

  return {
    report: (period) => report(period),

    async accessAsOf(at) {
      const now = clock.now()
      const asOf = at === undefined ? new Date(now).toISOString() : parseInstant('asOf', at)
      if (Date.parse(asOf) > now) throw new ConductorError('invalid_input', 'asOf is in the future', { details: { field: 'asOf' } })
      if (deps.accessAsOf === null) throw new ConductorError('not_found', 'Access as of a moment is not available in this build')
      await assertHistoryCovers(deps.db, asOf, 'asOf')
      return deps.accessAsOf(asOf)
    },

    async bundle(input, by) {
      const period = checkPeriod(input, clock.now())
      if (deps.readKey === undefined) throw new ConductorError('audit_checkpoints_not_configured', 'Evidence bundles are signed with the audit checkpoint key: configure audit.checkpoints.key')
      const key = loadCheckpointKey(await deps.readKey())
      const inPeriod = await readEvents({ from: period.from, to: period.to }, 0)
      const built = await report(period, inPeriod)
      const checkpoint = await coveringCheckpoint(inPeriod.at(-1)?.seq ?? 0, by)
      const firstSeq = inPeriod[0]?.seq ?? checkpoint.seq
      const chain = await readEvents({}, firstSeq - 1, checkpoint.seq)
      const generatedAt = new Date(clock.now()).toISOString()
      const files: BundleFiles = new Map()
      for (const control of built.controls) {
        files.set(`controls/${controlFileName(control.id)}.json`, Buffer.from(controlJson(control)))
        files.set(`controls/${controlFileName(control.id)}.csv`, Buffer.from(controlCsv(control)))
      }
      const html = summaryHtml(built, { generatedAt, generatedBy: `${by.type} ${by.id}`, checkpoint })
      files.set('summary.html', Buffer.from(html))
      const pdf = await renderPdf(html, deps.pdf)
      if (pdf.pdf) files.set('summary.pdf', pdf.pdf)
      files.set('audit/events.jsonl', Buffer.from(chain.map((e) => JSON.stringify(e)).join('\n') + (chain.length ? '\n' : '')))
      const manifest = signManifest({
        format: 'conductor-evidence-bundle/1', period: { from: period.from, to: period.to }, asOf: period.asOf, generatedAt, generatedBy: by,
        files: [...files].map(([path, bytes]) => ({ path, sha256: sha256(bytes), bytes: bytes.length })),
        events: { firstSeq, lastSeq: checkpoint.seq, count: chain.length, inPeriod: inPeriod.length },
        checkpoint, key: key.publicJwk, pdf: { rendered: pdf.pdf !== null, reason: pdf.pdf ? null : pdf.reason },
        notes: ['Access as of a moment uses the policy version and directory state recorded then, and the current DAG catalog.'],
      }, key)
      const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 2) + '\n')
      files.set('manifest.json', manifestBytes)
      await deps.audit.append({
        type: 'compliance.evidence_exported', principal: by.id, principalType: by.type,
        data: {
          from: period.from, to: period.to, asOf: period.asOf, files: manifest.files.length, eventsInPeriod: inPeriod.length, checkpointSeq: checkpoint.seq,
          manifestSha256: sha256(manifestBytes), pdf: manifest.pdf.rendered,
        },
      })
      return { files, manifest }
    },
  }
}
