import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { startTestApp } from '../../harness/app.ts'
import { conductor } from '../support/cli.ts'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const SCIM_USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const SCIM_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'

// SCIM through the real server: the directory gate, revocation and the reconciliation report.
forEachEngine((engine) => {
  let database: TestDatabase
  before(async () => { database = await engine.open() })
  after(async () => { await database?.close() })

  async function appWith(scim: Record<string, unknown>) {
    const app = await startTestApp({ databaseUrl: database.url, environments: [{ name: 'local', url: 'http://127.0.0.1:1' }], scim: { enabled: true, ...scim } })
    const base = await app.listen()
    const { token } = await app.scim!.tokens.create('idp')
    const scimCall = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${base}/scim/v2${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' }, ...(body ? { body: JSON.stringify(body) } : {}) })
      return { status: res.status, body: (res.status === 204 ? {} : await res.json()) as { id: string } }
    }
    const api = async (path: string, bearer: string) => fetch(`${base}${path}`, { headers: { authorization: `Bearer ${bearer}` } })
    return { app, base, scimCall, api }
  }

  test('conductor scim token create/revoke: the IdP\'s token works until revoked, and is audited without its value', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conductor-scim-cli-'))
    const config = join(dir, 'conductor.yaml')
    writeFileSync(config, `database:\n  url: "${database.url}"\n`)
    try {
      const created = await conductor(['--config', config, 'scim', 'token', 'create', '--label', 'okta-prod'], { DATABASE_URL: '' })
      assert.equal(created.code, 0, created.stderr)
      const token = created.stdout.trim()
      assert.match(token, /^scim_/)
      const listed = await conductor(['--config', config, 'scim', 'token', 'list', '-o', 'json'], { DATABASE_URL: '' })
      const [info] = JSON.parse(listed.stdout) as { id: string; label: string }[]
      assert.equal(info!.label, 'okta-prod')
      const { app, base } = await appWith({})
      try {
        const users = () => fetch(`${base}/scim/v2/Users`, { headers: { authorization: `Bearer ${token}` } })
        assert.equal((await users()).status, 200)
        assert.equal((await conductor(['--config', config, 'scim', 'token', 'revoke', info!.id], { DATABASE_URL: '' })).code, 0)
        assert.equal((await users()).status, 401)
        const trail = JSON.stringify(await app.audit.query({ limit: 1000 }))
        assert.ok(trail.includes('scim.token_created') && trail.includes('scim.token_revoked'))
        assert.ok(!trail.includes(token), 'the token never reaches the audit trail')
      } finally {
        await app.close()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('with groups from SCIM: an unprovisioned user is refused, a provisioned one gets SCIM groups, not token claims', async () => {
    const { app, scimCall, api } = await appWith({ groupsSource: 'scim' })
    try {
      const bob = await app.tokenFor('bob')
      const refused = await api('/api/v1/me', bob)
      assert.equal(refused.status, 401)
      assert.match(((await refused.json()) as { error: { message: string } }).error.message, /not provisioned/)
      const user = await scimCall('POST', '/Users', { schemas: [SCIM_USER], userName: 'bob', active: true })
      await scimCall('POST', '/Groups', { schemas: [SCIM_GROUP], displayName: 'auditors', members: [{ value: user.body.id }] })
      const me = (await (await api('/api/v1/me', bob)).json()) as { groups: string[]; idpGroups: string[] }
      assert.deepEqual(me.groups, ['auditors'], 'SCIM says auditors')
      assert.deepEqual(me.idpGroups, ['analysts'], 'the token still claims analysts')
      assert.equal((await api('/api/v1/audit?limit=1', bob)).status, 200, 'auditors may read the audit trail')
    } finally {
      await app.close()
    }
  })

  test('with groups from tokens: a SCIM-deactivated user is still refused, and drift is reported', async () => {
    const { app, scimCall, api } = await appWith({ groupsSource: 'token' })
    try {
      const alice = await app.tokenFor('alice')
      const carol = await app.tokenFor('carol')
      assert.equal((await api('/api/v1/me', alice)).status, 200, 'not in SCIM: token groups apply')
      const a = await scimCall('POST', '/Users', { schemas: [SCIM_USER], userName: 'alice', active: true })
      await scimCall('POST', '/Groups', { schemas: [SCIM_GROUP], displayName: 'Data Engineering', members: [{ value: a.body.id }] })
      assert.equal((await api('/api/v1/me', carol)).status, 200)

      const report = (await (await api('/api/v1/scim/reconciliation', carol)).json()) as { checked: number; drifted: { principal: { id: string }; missingFromClaims: string[]; notInScim: string[]; scimUser: unknown }[] }
      const alicesDrift = report.drifted.find((d) => d.principal.id === 'alice')!
      assert.deepEqual(alicesDrift.missingFromClaims, ['Data Engineering'])
      assert.deepEqual(alicesDrift.notInScim, ['data-eng'])
      const carols = report.drifted.find((d) => d.principal.id === 'carol')!
      assert.equal(carols.scimUser, null, 'carol is not provisioned')
      assert.equal((await api('/api/v1/scim/reconciliation', alice)).status, 403)

      assert.equal((await scimCall('DELETE', `/Users/${a.body.id}`)).status, 204)
      const refused = await api('/api/v1/me', alice)
      assert.equal(refused.status, 401)
      const revoked = await app.audit.query({ type: 'access.revoked', principal: 'alice' })
      assert.equal(revoked.at(-1)!.data.reason, 'scim_deleted')
      const cutOff = String(revoked.at(-1)!.data.tokensRevokedBefore)
      assert.match(cutOff, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/, 'the trail shows from when on her tokens are refused')
      assert.ok(Math.abs(Date.parse(cutOff) - Date.parse(revoked.at(-1)!.at)) <= 2000)
    } finally {
      await app.close()
    }
  })
})
