import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { test } from 'node:test'
import { verifyCheckpointSignature } from '../../src/audit/index.ts'
import type { AuditCheckpoint } from '../../src/audit/index.ts'
import { startTestApp } from '../../harness/app.ts'
import { forEachEngine } from '../../harness/databases.ts'

type TestApp = Awaited<ReturnType<typeof startTestApp>>

const ed25519 = () => generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()

const bases = new WeakMap<TestApp, Promise<string>>()

async function call(app: TestApp, method: string, path: string, who: string): Promise<{ status: number; body: Record<string, unknown> }> {
  if (!bases.has(app)) bases.set(app, app.listen())
  const response = await fetch(`${await bases.get(app)!}/api/v1${path}`, {
    method, headers: { authorization: `Bearer ${await app.tokenFor(who)}`, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
    ...(method === 'POST' ? { body: '{}' } : {}),
  })
  const body = await response.json() as Record<string, unknown> & { error?: { code: string } }
  return { status: response.status, body: body.error === undefined ? body : { ...body.error } }
}

function checkpointApp(databaseUrl: string, key: string | undefined): Promise<TestApp> {
  return startTestApp({
    databaseUrl, environments: [],
    ...(key === undefined ? {} : { secrets: { 'audit-key': key } }),
    extraConfig: key === undefined ? {} : { audit: { checkpoints: { key: { provider: 'files', secret: 'audit-key' }, intervalSeconds: 0 } } },
  })
}

forEachEngine((engine) => {
  test('an auditor takes a checkpoint through the API; anyone holding the published key verifies it; others are refused', async () => {
    const database = await engine.open()
    const pem = ed25519()
    const app = await checkpointApp(database.url, pem)
    try {
      const taken = await call(app, 'POST', '/audit/checkpoints', 'carol')
      assert.equal(taken.status, 200)
      const checkpoint = taken.body.checkpoint as AuditCheckpoint
      assert.ok(checkpoint.seq >= 1)
      const listed = await call(app, 'GET', '/audit/checkpoints', 'carol')
      assert.equal(listed.status, 200)
      const key = listed.body.key as { kty: string; crv: string; x: string; kid: string }
      assert.deepEqual([key.kty, key.crv, key.kid], ['OKP', 'Ed25519', checkpoint.keyId])
      assert.ok(!JSON.stringify(listed.body).includes('"d"'), 'the private half is never published')
      assert.deepEqual(listed.body.checkpoints, [checkpoint])
      assert.ok(verifyCheckpointSignature(checkpoint, key))
      const [event] = await app.audit.query({ type: 'audit.checkpoint' })
      assert.deepEqual([event?.principal, event?.data.seq, event?.data.keyId], ['carol', checkpoint.seq, checkpoint.keyId])
      // Not an auditor: refused, and nothing signed.
      const denied = await call(app, 'POST', '/audit/checkpoints', 'bob')
      assert.deepEqual([denied.status, denied.body.code], [403, 'policy_denied'])
      assert.equal(((await call(app, 'GET', '/audit/checkpoints', 'carol')).body.checkpoints as unknown[]).length, 1)
    } finally {
      await app.close()
      await database.close()
    }
  })

  test('without a key, or with a key that is not Ed25519, taking a checkpoint is refused with a clear code and no checkpoint', async () => {
    const database = await engine.open()
    let app = await checkpointApp(database.url, undefined)
    try {
      const off = await call(app, 'POST', '/audit/checkpoints', 'carol')
      assert.deepEqual([off.status, off.body.code], [404, 'audit_checkpoints_not_configured'])
      assert.deepEqual((await call(app, 'GET', '/audit/checkpoints', 'carol')).body, { key: null, checkpoints: [] })
      await app.close()
      const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
      app = await checkpointApp(database.url, rsa)
      const wrong = await call(app, 'POST', '/audit/checkpoints', 'carol')
      assert.deepEqual([wrong.status, wrong.body.code], [500, 'config_invalid'])
      assert.ok(!JSON.stringify(wrong.body).includes('PRIVATE KEY'))
      assert.equal((await app.audit.query({ type: 'audit.checkpoint' })).length, 0)
    } finally {
      await app.close()
      await database.close()
    }
  })
})
