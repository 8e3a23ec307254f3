import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { STATUS_BY_KIND } from '../../src/api/index.ts'
import { EXIT_BY_KIND } from '../../src/cli/index.ts'
import { ERROR_KINDS } from '../../src/core/index.ts'

// The API and the CLI each map an error's kind once; docs/errors.md shows both side by side.
test('docs/errors.md gives each kind its HTTP status and exit code as the API and the CLI map them', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8')
  for (const kind of ERROR_KINDS) {
    assert.match(doc, new RegExp(`^\\| ${kind} \\| ${STATUS_BY_KIND[kind]} \\| ${EXIT_BY_KIND[kind]} \\|$`, 'm'), kind)
  }
})
