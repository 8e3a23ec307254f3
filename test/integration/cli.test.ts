import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { conductor } from '../support/cli.ts'

test('config schema and config check', async () => {
  const schema = await conductor(['config', 'schema'])
  assert.equal(schema.code, 0)
  assert.ok(JSON.parse(schema.stdout).properties.environments)
  const dir = mkdtempSync(join(tmpdir(), 'conductor-cli-'))
  try {
    writeFileSync(join(dir, 'bad.yaml'), 'environments:\n  - name: local\n    url: not-a-url\n')
    const bad = await conductor(['--config', join(dir, 'bad.yaml'), 'config', 'check'])
    assert.equal(bad.code, 2)
    assert.match(bad.stderr, /config_invalid: .*environments\[0\]\.url/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
