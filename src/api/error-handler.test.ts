import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { ERROR_CODES } from '../core/index.ts'
import { STATUS_BY_CODE } from './error-handler.ts'

test('every error code has an HTTP status and a line in docs/errors.md with that status', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8')
  for (const code of ERROR_CODES) {
    const status = STATUS_BY_CODE[code]
    assert.ok(status >= 400 && status < 600, `${code} has a status`)
    assert.match(doc, new RegExp(`^\\| \`${code}\` \\| ${status} \\|`, 'm'), `${code} is documented with ${status}`)
  }
})

test('client errors are 4xx and only token and session problems are 401', () => {
  for (const code of ERROR_CODES) {
    if (STATUS_BY_CODE[code] === 401) assert.match(code, /^(token_|session_|principal_unknown)/, code)
  }
  assert.equal(STATUS_BY_CODE.policy_denied, 403)
  assert.equal(STATUS_BY_CODE.orchestrator_unavailable, 503)
})
