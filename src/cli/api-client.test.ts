import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { ERROR_CODES } from '../core/index.ts'
import { CLI_ERROR_KINDS, EXIT, exitCodeForApiError, exitCodeForCode } from './api-client.ts'

test('every registry code has an exit code, and the codes only the CLI raises are documented', () => {
  const exits = new Set<number>(Object.values(EXIT))
  for (const code of ERROR_CODES) assert.ok(exits.has(exitCodeForCode(code)!), code)
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8')
  for (const code of Object.keys(CLI_ERROR_KINDS)) assert.match(doc, new RegExp(`^\\| \`${code}\` \\|`, 'm'), `${code} is in docs/errors.md`)
})

test('exit codes follow the kind of the error, and the status only for codes Conductor does not define', () => {
  assert.equal(exitCodeForCode('policy_denied'), EXIT.denied)
  assert.equal(exitCodeForCode('dag_not_found'), EXIT.notFound)
  assert.equal(exitCodeForCode('secret_not_found'), EXIT.error, 'a missing secret is a server fault, not a missing target')
  assert.equal(exitCodeForCode('session_expired'), EXIT.unauthenticated)
  assert.equal(exitCodeForCode('config_invalid'), EXIT.usage)
  assert.equal(exitCodeForCode('audit_chain_broken'), EXIT.auditBroken)
  assert.equal(exitCodeForCode('conductor_unreachable'), EXIT.unavailable)
  assert.equal(exitCodeForCode('http_418'), undefined)
  assert.equal(exitCodeForApiError({ code: 'orchestrator_auth_failed', status: 502 }), EXIT.unavailable)
  assert.equal(exitCodeForApiError({ code: 'http_404', status: 404 }), EXIT.notFound)
  assert.equal(exitCodeForApiError({ code: 'http_500', status: 500 }), EXIT.error)
})
