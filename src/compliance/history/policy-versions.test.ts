import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { gitAuthorOf } from './policy-versions.ts'

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
