import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { structuredPatch } from 'diff'
import type { Kysely } from 'kysely'
import type { PolicySetInfo, PolicySource } from '../../policy/index.ts'
import type { ComplianceHistoryTables, PolicyVersionsTable } from './history.tables.ts'

const run = promisify(execFile)

/** A policy set Conductor loaded. */
export interface PolicyVersion {
  hash: string
  version: number
  loadedAt: string
  files: Record<string, string>
  author: string | null
  commit: string | null
  previousHash: string | null
}

/** The changes of one file between two consecutive versions, as unified-diff lines (`+`, `-`, ` `). */
export interface PolicyFileDiff {
  file: string
  change: 'added' | 'removed' | 'modified'
  added: number
  removed: number
  lines: string[]
}

/** The last commit touching `folder` when it is inside a git work tree (else nulls); bounded to 5 seconds. */
export async function gitAuthorOf(folder: string): Promise<{ author: string | null; commit: string | null }> {
  try {
    const { stdout } = await run('git', ['-C', folder, 'log', '-1', '--format=%H%x00%an <%ae>', '--', '.'], { timeout: 5000 })
    const [commit, author] = stdout.trim().split('\0')
    return commit ? { commit, author: author ?? null } : { author: null, commit: null }
  } catch {
    return { author: null, commit: null }
  }
}

/**
 * Records the loaded set `info` with its `sources` unless it is already the latest version (another replica loaded
 * it first); a set loaded again after another (a revert) is a new version. Sources whose hash differs from
 * `info.hash` (the folder changed again since) are not recorded: the next load records them.
 * @returns true when this call stored the version.
 */
export async function recordPolicyVersion(
  db: Kysely<ComplianceHistoryTables>, info: PolicySetInfo, sources: readonly PolicySource[], hashOf: (s: PolicySource[]) => string, folder: string,
): Promise<boolean> {
  if (hashOf([...sources]) !== info.hash) return false
  const previous = await db.selectFrom('policy_versions').select('hash').orderBy('loaded_at', 'desc').limit(1).executeTakeFirst()
  if (previous?.hash === info.hash) return false
  const git = await gitAuthorOf(folder)
  const result = await db.insertInto('policy_versions').values({
    id: `${info.hash}@${info.loadedAt}`, hash: info.hash, version: info.version, loaded_at: info.loadedAt, files: JSON.stringify(Object.fromEntries(sources.map((s) => [s.file, s.text]))),
    author: git.author, git_commit: git.commit, previous_hash: previous?.hash ?? null,
  }).onConflict((oc) => oc.column('id').doNothing()).executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0
}

function toVersion(row: PolicyVersionsTable): PolicyVersion {
  return {
    hash: row.hash, version: Number(row.version), loadedAt: row.loaded_at, files: JSON.parse(row.files) as Record<string, string>,
    author: row.author, commit: row.git_commit, previousHash: row.previous_hash,
  }
}

/** The policy set in force at `at`: the last version loaded at or before it. */
export async function policyVersionAt(db: Kysely<ComplianceHistoryTables>, at: string): Promise<PolicyVersion | undefined> {
  const row = await db.selectFrom('policy_versions').selectAll().where('loaded_at', '<=', at).orderBy('loaded_at', 'desc').limit(1).executeTakeFirst()
  return row ? toVersion(row) : undefined
}

/** The versions loaded in [from, to), oldest first, each with the one before it (for diffs). */
export async function policyVersionsIn(db: Kysely<ComplianceHistoryTables>, from: string, to: string): Promise<{ version: PolicyVersion; before: PolicyVersion | undefined }[]> {
  const rows = (await db.selectFrom('policy_versions').selectAll().where('loaded_at', '>=', from).where('loaded_at', '<', to).orderBy('loaded_at', 'asc').execute()).map(toVersion)
  let before = await policyVersionAt(db, new Date(Date.parse(from) - 1).toISOString())
  const out: { version: PolicyVersion; before: PolicyVersion | undefined }[] = []
  for (const version of rows) {
    // Two replicas loading the same new set at once may both record it: the second is no change.
    if (version.hash === before?.hash) continue
    out.push({ version, before })
    before = version
  }
  return out
}

/** The earliest moment history knows: the first recorded policy version (recorded when the history migration ran). */
export async function historyStart(db: Kysely<ComplianceHistoryTables>): Promise<string | undefined> {
  const row = await db.selectFrom('policy_versions').select('loaded_at').orderBy('loaded_at', 'asc').limit(1).executeTakeFirst()
  return row?.loaded_at
}

/** A line diff per file between `before` (absent: nothing) and `after`; unchanged files are left out. */
export function diffPolicyFiles(before: Record<string, string> | undefined, after: Record<string, string>): PolicyFileDiff[] {
  const old = before ?? {}
  const names = [...new Set([...Object.keys(old), ...Object.keys(after)])].sort()
  const out: PolicyFileDiff[] = []
  for (const file of names) {
    const a = old[file]
    const b = after[file]
    if (a === b) continue
    const patch = structuredPatch(file, file, a ?? '', b ?? '', '', '', { context: 2 })
    const lines = patch.hunks.flatMap((h) => [`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`, ...h.lines])
    out.push({
      file, change: a === undefined ? 'added' : b === undefined ? 'removed' : 'modified',
      added: lines.filter((l) => l.startsWith('+')).length, removed: lines.filter((l) => l.startsWith('-')).length, lines,
    })
  }
  return out
}
