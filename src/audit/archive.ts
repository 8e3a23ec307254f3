import { createReadStream } from 'node:fs'
import { open, readFile, rename } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import { createInterface } from 'node:readline'
import { sql } from 'kysely'
import { ConductorError } from '../core/index.ts'
import { transaction } from '../store/index.ts'
import type { Database } from '../store/index.ts'
import { selectAuditRows } from './audit-events.repository.ts'
import type { AuditLog } from './audit-log.ts'
import { rowToCheckpoint, verifyCheckpointSignature } from './checkpoints.ts'
import type { AuditCheckpoint, CheckpointPublicJwk } from './checkpoints.ts'
import { selectCheckpoints, selectFirstSeq } from './checkpoints.repository.ts'
import type { AuditCheckpointTables } from './checkpoints.repository.ts'
import { GENESIS_HASH, hashAuditEvent } from './hash.ts'
import { rowToEvent } from './rows.ts'
import type { AuditEvent } from './types.ts'

/** The manifest written beside an archive (`<file>.manifest.json`). */
export interface AuditArchiveManifest {
  format: 'conductor-audit-archive/1'
  /** The archive's file name (no directory) and the SHA-256 (hex) of its bytes. */
  file: string
  sha256: string
  firstSeq: number
  lastSeq: number
  count: number
  /** The checkpoints from the one the archive starts after (when `firstSeq` > 1) to the one at `lastSeq`. */
  checkpoints: AuditCheckpoint[]
  /** The public keys that signed them. */
  keys: CheckpointPublicJwk[]
}

/**
 * Copies a written archive and its manifest elsewhere (an object store) before anything is pruned; resolves to where
 * the archive now is (recorded in the `audit.archived` event). A failure leaves the database untouched.
 */
export type PublishArchive = (file: string, manifest: string, sha256: string) => Promise<string>

/** What {@link archiveAuditEvents} did. */
export interface AuditArchiveResult {
  /** Where the archive is: `file`, or what `publish` answered. */
  file: string
  manifest: string
  firstSeq: number
  lastSeq: number
  count: number
}

const EXPORT_BATCH = 1000

/**
 * Archives and prunes: writes the events up to the last checkpoint taken before `before` to `file` (JSON lines, one
 * event each) and `<file>.manifest.json`, then deletes those events (and the checkpoints before that one, which the
 * manifest keeps) in one transaction. The checkpoint at the cut stays: the trail left is verified from it. With
 * `publish`, the two files are also copied (e.g. to an object store) before the events are deleted.
 * @throws ConductorError `invalid_input` (field `before`) when no checkpoint older than `before` covers stored events.
 */
export async function archiveAuditEvents(
  deps: { database: Pick<Database<AuditCheckpointTables>, 'db'>; auditLog: Pick<AuditLog, 'append'>; publicJwk: CheckpointPublicJwk },
  options: { before: string; file: string; principal?: string | null; publish?: PublishArchive },
): Promise<AuditArchiveResult> {
  const db = deps.database.db
  const firstSeq = await selectFirstSeq(db)
  const checkpoints = (await selectCheckpoints(db)).map(rowToCheckpoint)
  const cut = checkpoints.filter((c) => c.at < options.before && firstSeq !== undefined && c.seq >= firstSeq).at(-1)
  if (firstSeq === undefined || cut === undefined) {
    throw new ConductorError('invalid_input', `No checkpoint taken before ${options.before} covers stored events: nothing to archive (take one with conductor audit checkpoint)`, { details: { field: 'before' } })
  }
  // Never prune what an audit sink has not received yet: its cursor must be at or past the cut.
  const behind = await sql<{ sink: string; seq: number | string }>`select sink, seq from audit_sink_cursors where seq < ${cut.seq} order by sink`.execute(db)
  const lagging = behind.rows[0]
  if (lagging !== undefined) {
    throw new ConductorError('invalid_input', `The audit sink ${lagging.sink} has received events up to ${Number(lagging.seq)} only: archiving up to ${cut.seq} would prune events it never got`, { details: { field: 'before', sink: lagging.sink } })
  }
  const covering = checkpoints.filter((c) => c.seq >= firstSeq - 1 && c.seq <= cut.seq)
  const digest = createHash('sha256')
  const partial = `${options.file}.partial`
  const handle = await open(partial, 'wx')
  let count = 0
  try {
    let afterSeq = firstSeq - 1
    while (afterSeq < cut.seq) {
      const rows = await selectAuditRows(db, {}, afterSeq, Math.min(EXPORT_BATCH, cut.seq - afterSeq))
      if (rows.length === 0) break
      let chunk = ''
      for (const row of rows) chunk += JSON.stringify(rowToEvent(row)) + '\n'
      digest.update(chunk)
      await handle.write(chunk)
      count += rows.length
      afterSeq = Number(rows.at(-1)!.seq)
    }
    await handle.sync()
  } finally {
    await handle.close()
  }
  const manifest: AuditArchiveManifest = {
    format: 'conductor-audit-archive/1', file: basename(options.file), sha256: digest.digest('hex'),
    firstSeq, lastSeq: cut.seq, count, checkpoints: covering, keys: [deps.publicJwk],
  }
  const manifestPath = `${options.file}.manifest.json`
  await writeSynced(manifestPath, JSON.stringify(manifest, null, 2) + '\n')
  await rename(partial, options.file)
  const destination = options.publish === undefined ? options.file : await options.publish(options.file, manifestPath, manifest.sha256)
  // Only once the archive is durable (on disk, and where it is published) are the events deleted, all in one transaction.
  await transaction({ db }, async (trx) => {
    await trx.deleteFrom('audit_events').where('seq', '<=', cut.seq).execute()
    await trx.deleteFrom('audit_checkpoints').where('seq', '<', cut.seq).execute()
  })
  await deps.auditLog.append({ type: 'audit.archived', principal: options.principal ?? null, data: { firstSeq, lastSeq: cut.seq, count, sha256: manifest.sha256, file: manifest.file, ...(options.publish === undefined ? {} : { to: destination }) } })
  return { file: destination, manifest: options.publish === undefined ? manifestPath : `${destination}.manifest.json`, firstSeq, lastSeq: cut.seq, count }
}

/** The outcome of {@link verifyAuditArchive}. */
export type ArchiveVerifyResult =
  | { ok: true; count: number; firstSeq: number; lastSeq: number; checkpoints: number }
  | { ok: false; reason: string; line?: number }

/**
 * Verifies an archive on its own: the file's SHA-256 against its manifest, the chain inside it (gapless seq, each
 * event's hash, each link), its start against the checkpoint it follows, its end and every covered checkpoint against
 * the events, and each checkpoint's signature with `publicJwk` (default: the key in the manifest). Never throws for a bad archive.
 */
export async function verifyAuditArchive(file: string, options: { publicJwk?: Pick<CheckpointPublicJwk, 'x'> } = {}): Promise<ArchiveVerifyResult> {
  let manifest: AuditArchiveManifest
  try {
    manifest = JSON.parse(await readFile(`${file}.manifest.json`, 'utf8')) as AuditArchiveManifest
  } catch {
    return { ok: false, reason: `cannot read the manifest ${file}.manifest.json` }
  }
  if (manifest.format !== 'conductor-audit-archive/1') return { ok: false, reason: 'the manifest is not a conductor audit archive manifest' }
  const key = options.publicJwk ?? manifest.keys[0]
  if (key === undefined) return { ok: false, reason: 'no public key to verify the checkpoints with' }
  for (const checkpoint of manifest.checkpoints) {
    if (!verifyCheckpointSignature(checkpoint, key)) return { ok: false, reason: `checkpoint ${checkpoint.seq}'s signature does not verify` }
  }
  const bySeq = new Map(manifest.checkpoints.map((c) => [c.seq, c]))
  let prevHash = GENESIS_HASH
  if (manifest.firstSeq > 1) {
    const start = bySeq.get(manifest.firstSeq - 1)
    if (start === undefined) return { ok: false, reason: `no checkpoint at ${manifest.firstSeq - 1}, where the archive starts` }
    prevHash = start.hash
  }
  if (bySeq.get(manifest.lastSeq) === undefined) return { ok: false, reason: `no checkpoint at ${manifest.lastSeq}, where the archive ends` }
  const digest = createHash('sha256')
  let expected = manifest.firstSeq
  let line = 0
  const stream = createReadStream(file)
  stream.on('data', (chunk) => digest.update(chunk))
  for await (const text of createInterface({ input: stream, crlfDelay: Infinity })) {
    line++
    let event: AuditEvent
    try {
      event = JSON.parse(text) as AuditEvent
    } catch {
      return { ok: false, reason: `line ${line} is not JSON`, line }
    }
    if (event.seq !== expected) return { ok: false, reason: `line ${line} holds event ${event.seq}, event ${expected} was expected`, line }
    if (event.prevHash !== prevHash) return { ok: false, reason: `event ${event.seq} does not link to the hash of event ${event.seq - 1}`, line }
    const { hash, ...rest } = event
    let recomputed: string
    try {
      recomputed = hashAuditEvent(rest)
    } catch {
      return { ok: false, reason: `event ${event.seq} holds malformed data`, line }
    }
    if (recomputed !== hash) return { ok: false, reason: `event ${event.seq}'s content does not match its hash`, line }
    const checkpoint = bySeq.get(event.seq)
    if (checkpoint !== undefined && checkpoint.hash !== hash) return { ok: false, reason: `event ${event.seq}'s hash differs from its signed checkpoint's`, line }
    prevHash = hash
    expected++
  }
  if (expected - 1 !== manifest.lastSeq) return { ok: false, reason: `the archive ends at event ${expected - 1}, its manifest at ${manifest.lastSeq}` }
  if (digest.digest('hex') !== manifest.sha256) return { ok: false, reason: 'the file\'s SHA-256 differs from its manifest\'s' }
  return { ok: true, count: expected - manifest.firstSeq, firstSeq: manifest.firstSeq, lastSeq: manifest.lastSeq, checkpoints: manifest.checkpoints.length }
}

async function writeSynced(path: string, text: string): Promise<void> {
  const handle = await open(path, 'w')
  try {
    await handle.writeFile(text)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

function basename(path: string): string {
  return path.split(/[\\/]/).at(-1) ?? path
}
