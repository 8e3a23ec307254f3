import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { hashSources } from '../../policy/index.ts'
import { migrateToLatest, openDatabase } from '../../store/index.ts'
import type { ComplianceHistoryTables } from './history.tables.ts'
import { gitAuthorOf, historyStart, policyVersionAt, policyVersionsIn, recordPolicyVersion } from './policy-versions.ts'

test('a policy folder in a git work tree names its last commit and author; any other folder names none', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'conductor-policy-git-'))
  try {
    assert.deepEqual(await gitAuthorOf(dir), { author: null, commit: null })
    const git = (...args: string[]) => execFileSync('git', ['-C', dir, '-c', 'user.name=Pat Policy', '-c', 'user.email=pat@example.com', ...args], { encoding: 'utf8' }).trim()
    git('init', '-q')
    writeFileSync(join(dir, 'a.cedar'), 'permit (principal, action, resource);\n')
    git('add', '.')
    git('commit', '-qm', 'first policy')
    const found = await gitAuthorOf(dir)
    assert.equal(found.author, 'Pat Policy <pat@example.com>')
    assert.equal(found.commit, git('rev-parse', 'HEAD'))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a revert is a new version, a set already in force is not recorded twice, and the set in force at T is the last loaded by then', async () => {
  const database = await openDatabase<ComplianceHistoryTables>({ url: 'sqlite::memory:' })
  try {
    await migrateToLatest(database)
    const db = database.db
    const a = [{ file: 'p.cedar', text: 'permit (principal, action, resource);\n' }]
    const b = [{ file: 'p.cedar', text: 'forbid (principal, action, resource);\n' }]
    const load = (sources: typeof a, version: number, at: string) => recordPolicyVersion(db, { version, hash: hashSources(sources), loadedAt: at, policyCount: 1, files: ['p.cedar'] }, sources, hashSources, '/nonexistent')
    assert.equal(await load(a, 1, '2026-01-01T00:00:00.000Z'), true)
    assert.equal(await load(a, 1, '2026-01-01T00:00:01.000Z'), false, 'another replica loading the same set')
    assert.equal(await load(b, 2, '2026-02-01T00:00:00.000Z'), true)
    assert.equal(await load(a, 3, '2026-03-01T00:00:00.000Z'), true, 'the revert')
    const stale = await recordPolicyVersion(db, { version: 4, hash: 'f'.repeat(64), loadedAt: '2026-03-02T00:00:00.000Z', policyCount: 1, files: ['p.cedar'] }, b, hashSources, '/nonexistent')
    assert.equal(stale, false, 'texts read after the folder changed again (their hash is not the loaded one) are not recorded')
    const inForce = async (at: string) => (await policyVersionAt(db, at))?.files['p.cedar']
    assert.equal(await inForce('2025-12-31T00:00:00.000Z'), undefined)
    assert.equal(await inForce('2026-01-15T00:00:00.000Z'), a[0]!.text)
    assert.equal(await inForce('2026-02-15T00:00:00.000Z'), b[0]!.text)
    assert.equal(await inForce('2026-03-15T00:00:00.000Z'), a[0]!.text)
    const changes = await policyVersionsIn(db, '2026-01-15T00:00:00.000Z', '2026-04-01T00:00:00.000Z')
    assert.deepEqual(changes.map((c) => [c.version.version, c.before?.version, c.version.previousHash === c.before?.hash]), [[2, 1, true], [3, 2, true]])
    assert.equal(await historyStart(db), '2026-01-01T00:00:00.000Z')
  } finally {
    await database.close()
  }
})
