import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { ERROR_CODES } from '../core/index.ts'
import { CLI_ERROR_KINDS, EXIT, createApiClient, exitCodeForApiError, exitCodeForCode } from './api-client.ts'

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

/** A fetch that answers from `answers` in turn (an Error is a network failure) and records the Idempotency-Key of each call. */
function scripted(answers: (Error | [number, unknown])[]) {
  const keys: (string | null)[] = []
  const fetch = (async (_url: URL, init: RequestInit) => {
    keys.push(new Headers(init.headers).get('idempotency-key'))
    const next = answers[Math.min(keys.length - 1, answers.length - 1)]!
    if (next instanceof Error) throw next
    return new Response(JSON.stringify(next[1]), { status: next[0], headers: { 'content-type': 'application/json' } })
  }) as typeof globalThis.fetch
  return { fetch, keys }
}
const noWait = async () => {}

test('a request with an idempotency key is resent with the same key after a lost answer, a 503 or a key still in use', async () => {
  const inUse = [409, { error: { code: 'idempotency_key_in_use', message: 'busy', requestId: 'r' } }] as [number, unknown]
  const down = [503, { error: { code: 'store_unavailable', message: 'down', requestId: 'r' } }] as [number, unknown]
  const { fetch, keys } = scripted([new Error('socket hang up'), down, inUse, [201, { ok: true }]])
  const client = createApiClient({ baseUrl: 'http://conductor.test', token: 't', fetch, delay: noWait })
  assert.deepEqual(await client.request('POST', '/api/v1/x', {}, { idempotencyKey: 'k-1', retries: 3 }), { ok: true })
  assert.deepEqual(keys, ['k-1', 'k-1', 'k-1', 'k-1'])
})

test('retries are bounded, never follow a refusal, and never happen without a key', async () => {
  const down = scripted([new Error('ECONNREFUSED')])
  await assert.rejects(createApiClient({ baseUrl: 'http://conductor.test', token: 't', fetch: down.fetch, delay: noWait }).request('POST', '/x', {}, { idempotencyKey: 'k', retries: 2 }), { code: 'conductor_unreachable' })
  assert.equal(down.keys.length, 3)
  const denied = scripted([[403, { error: { code: 'policy_denied', message: 'no', requestId: 'r' } }]])
  await assert.rejects(createApiClient({ baseUrl: 'http://conductor.test', token: 't', fetch: denied.fetch, delay: noWait }).request('POST', '/x', {}, { idempotencyKey: 'k', retries: 2 }), { code: 'policy_denied' })
  assert.equal(denied.keys.length, 1)
  const unknown = scripted([[503, { error: { code: 'orchestrator_unavailable', message: 'lost', details: { outcome: 'unknown', requestId: 'q1' }, requestId: 'r' } }]])
  await assert.rejects(createApiClient({ baseUrl: 'http://conductor.test', token: 't', fetch: unknown.fetch, delay: noWait }).request('POST', '/x', {}, { idempotencyKey: 'k', retries: 2 }), { code: 'orchestrator_unavailable' })
  assert.equal(unknown.keys.length, 1, 'a dispatch whose outcome is unknown is not resent')
  const keyless = scripted([new Error('ECONNREFUSED')])
  await assert.rejects(createApiClient({ baseUrl: 'http://conductor.test', token: 't', fetch: keyless.fetch, delay: noWait }).request('POST', '/x', {}, { retries: 2 }))
  assert.deepEqual(keyless.keys, [null])
})
