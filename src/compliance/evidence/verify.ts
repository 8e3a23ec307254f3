import { readdir, readFile } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { hashAuditEvent, verifyCheckpointSignature, type AuditEvent, type CheckpointPublicJwk } from '../../audit/index.ts'
import { sha256, verifyManifestSignature, type EvidenceManifest } from './manifest.ts'

/** One check of {@link verifyEvidenceBundle}. */
export interface BundleCheck {
  name: string
  ok: boolean
  detail: string
  /** The file at fault, when one is. */
  file?: string
}

/** Every check run, in order, and whether all passed. Verification stops at the first failed group. */
export interface BundleVerifyResult {
  ok: boolean
  checks: BundleCheck[]
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/')).sort()
}

function checkChain(text: string, manifest: EvidenceManifest): BundleCheck {
  const name = 'audit events chain'
  const file = 'audit/events.jsonl'
  const fail = (detail: string): BundleCheck => ({ name, ok: false, detail, file })
  const lines = text.split('\n').filter((l) => l.length > 0)
  let prev: AuditEvent | undefined
  for (const [i, line] of lines.entries()) {
    let event: AuditEvent
    try {
      event = JSON.parse(line) as AuditEvent
    } catch {
      return fail(`line ${i + 1} is not JSON`)
    }
    const expected = manifest.events.firstSeq + i
    if (event.seq !== expected) return fail(`line ${i + 1} holds event ${event.seq}, event ${expected} was expected`)
    if (prev !== undefined && event.prevHash !== prev.hash) return fail(`event ${event.seq} does not link to the hash of event ${prev.seq}`)
    const { hash, ...rest } = event
    let recomputed: string
    try { recomputed = hashAuditEvent(rest) } catch { return fail(`event ${event.seq} holds malformed data`) }
    if (recomputed !== hash) return fail(`event ${event.seq}'s content does not match its hash`)
    prev = event
  }
  if (prev === undefined) return fail('no events')
  if (prev.seq !== manifest.checkpoint.seq || prev.hash !== manifest.checkpoint.hash) return fail(`the events end at ${prev.seq}, not at the signed checkpoint ${manifest.checkpoint.seq}'s hash`)
  return { name, ok: true, detail: `${lines.length} events ${manifest.events.firstSeq}..${prev.seq} chain to the signed checkpoint` }
}

/**
 * Verifies a bundle folder offline: the manifest's and the checkpoint's Ed25519 signatures (against `pinnedKey`, else
 * the key in the manifest), every listed file's SHA-256, no file missing or extra, and the audit events' hash chain
 * from the first event to the checkpoint's head. Never throws for a bad bundle.
 */
export async function verifyEvidenceBundle(dir: string, pinnedKey?: Pick<CheckpointPublicJwk, 'x'>): Promise<BundleVerifyResult> {
  const checks: BundleCheck[] = []
  const done = () => ({ ok: checks.every((c) => c.ok), checks })
  let manifest: EvidenceManifest
  try {
    manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as EvidenceManifest
    if (manifest.format !== 'conductor-evidence-bundle/1') throw new Error('format')
  } catch {
    checks.push({ name: 'manifest', ok: false, detail: 'manifest.json is missing or not an evidence bundle manifest', file: 'manifest.json' })
    return done()
  }
  const key = pinnedKey ?? manifest.key
  const pinned = pinnedKey ? 'the pinned key' : 'the bundle\'s key'
  const manifestOk = verifyManifestSignature(manifest, key)
  checks.push({ name: 'manifest signature', ok: manifestOk, detail: manifestOk ? `signed by ${pinned}` : `does not verify with ${pinned}`, ...(manifestOk ? {} : { file: 'manifest.json' }) })
  const checkpointOk = verifyCheckpointSignature(manifest.checkpoint, key)
  checks.push({ name: 'checkpoint signature', ok: checkpointOk, detail: checkpointOk ? `checkpoint ${manifest.checkpoint.seq} signed by ${pinned}` : `checkpoint ${manifest.checkpoint.seq} does not verify with ${pinned}`, ...(checkpointOk ? {} : { file: 'manifest.json' }) })
  const present = new Set(await listFiles(dir))
  const listed = new Set(manifest.files.map((f) => f.path))
  for (const f of manifest.files) {
    if (!present.has(f.path)) { checks.push({ name: `file ${f.path}`, ok: false, detail: 'missing', file: f.path }); continue }
    const actual = sha256(await readFile(join(dir, f.path)))
    checks.push({ name: `file ${f.path}`, ok: actual === f.sha256, detail: actual === f.sha256 ? 'sha256 matches' : 'changed: sha256 differs from the manifest', ...(actual === f.sha256 ? {} : { file: f.path }) })
  }
  for (const path of present) {
    if (path !== 'manifest.json' && !listed.has(path)) checks.push({ name: `file ${path}`, ok: false, detail: 'extra: not listed in the manifest', file: path })
  }
  if (present.has('audit/events.jsonl')) checks.push(checkChain(await readFile(join(dir, 'audit/events.jsonl'), 'utf8'), manifest))
  return done()
}
