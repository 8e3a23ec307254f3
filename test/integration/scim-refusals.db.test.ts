import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { forEachEngine } from '../../harness/databases.ts'
import { assertScimError, PATCH, patch, q, scimServerFor } from './scim-support.ts'

// What SCIM refuses: bad input changes nothing; a missing, wrong, rotated or revoked token gets 401; all of it audited.

forEachEngine((engine) => {
  const s = scimServerFor(engine, { bodyLimitBytes: 64 * 1024 })
  const { createUser } = s

  describe('bad input changes nothing', () => {
    test('each refused request answers with the SCIM error and leaves the user as it was', async () => {
      const user = await createUser('victim@example.com', { displayName: 'Victim', emails: [{ value: 'victim@example.com', type: 'work' }] })
      await createUser('taken@example.com')
      const before = await s.call('GET', `/Users/${user.id}`)
      const cases: [string, string, Record<string, unknown>, number, string | undefined][] = [
        ['PATCH', `/Users/${user.id}`, { raw: '{"schemas": [' }, 400, 'invalidSyntax'],
        ['PUT', `/Users/${user.id}`, { raw: 'not json at all' }, 400, 'invalidSyntax'],
        ['PUT', `/Users/${user.id}`, { body: { userName: 'victim@example.com', favouriteColour: 'red' } }, 400, 'invalidSyntax'],
        ['PUT', `/Users/${user.id}`, { body: { userName: 'victim@example.com', name: { nickname: 'x' } } }, 400, 'invalidSyntax'],
        ['PUT', `/Users/${user.id}`, { body: { schemas: ['urn:example:unknown'], userName: 'victim@example.com' } }, 400, 'invalidSyntax'],
        ['PUT', `/Users/${user.id}`, { body: { userName: 42 } }, 400, 'invalidValue'],
        ['PUT', `/Users/${user.id}`, { body: { userName: 'victim@example.com', active: 'maybe' } }, 400, 'invalidValue'],
        ['PUT', `/Users/${user.id}`, { body: { userName: 'victim@example.com', emails: { value: 'x' } } }, 400, 'invalidValue'],
        ['PUT', `/Users/${user.id}`, { body: { userName: 'victim@example.com', emails: [{ value: 'a', primary: true }, { value: 'b', primary: true }] } }, 400, 'invalidValue'],
        ['PUT', `/Users/${user.id}`, { body: { displayName: 'no userName' } }, 400, 'invalidValue'],
        ['PUT', `/Users/${user.id}`, { body: { userName: 'TAKEN@example.com' } }, 409, 'uniqueness'],
        ['PATCH', `/Users/${user.id}`, { body: patch({ op: 'replace', path: 'userName', value: 'taken@example.com' }) }, 409, 'uniqueness'],
        ['PATCH', `/Users/${user.id}`, { body: patch({ op: 'replace', path: 'displayName', value: 'changed' }, { op: 'replace', path: 'nosuch', value: 1 }) }, 400, 'invalidPath'],
        ['PATCH', `/Users/${user.id}`, { body: patch({ op: 'replace', path: 'displayName', value: 'changed' }, { op: 'replace', path: 'emails[type eq', value: 1 }) }, 400, 'invalidPath'],
        ['PATCH', `/Users/${user.id}`, { body: patch({ op: 'replace', path: 'displayName', value: 'changed' }, { op: 'remove' }) }, 400, 'noTarget'],
        ['PATCH', `/Users/${user.id}`, { body: patch({ op: 'replace', path: 'displayName', value: 'changed' }, { op: 'replace', path: 'emails[type eq "home" or type eq "other"].value', value: 'x' }) }, 400, 'noTarget'],
        ['PATCH', `/Users/${user.id}`, { body: patch({ op: 'replace', path: 'displayName', value: 'changed' }, { op: 'replace', path: 'groups', value: [] }) }, 400, 'mutability'],
        ['PATCH', `/Users/${user.id}`, { body: patch({ op: 'replace', path: 'displayName', value: 'changed' }, { op: 'remove', path: 'userName' }) }, 400, 'mutability'],
        ['PATCH', `/Users/${user.id}`, { body: patch({ op: 'replace', path: 'displayName', value: 'changed' }, { op: 'replace', path: 'active', value: 'nope' }) }, 400, 'invalidValue'],
        ['PATCH', `/Users/${user.id}`, { body: patch({ op: 'move', path: 'displayName', value: 'x' }) }, 400, 'invalidSyntax'],
        ['PATCH', `/Users/${user.id}`, { body: { schemas: [PATCH] } }, 400, 'invalidSyntax'],
        ['PATCH', `/Users/${user.id}`, { body: patch({ op: 'replace', path: 'displayName', value: 'changed' }), headers: { 'if-match': 'W/"99"' } }, 412, undefined],
        ['PUT', `/Users/${user.id}`, { body: { userName: 'victim@example.com', displayName: 'x'.repeat(70 * 1024) } }, 413, undefined],
        ['PUT', `/Users/${user.id}`, { raw: 'userName=x', headers: { 'content-type': 'text/plain' } }, 415, undefined],
      ]
      for (const [method, path, options, status, scimType] of cases) {
        const res = await s.call(method, path, options as never)
        assertScimError(res, status, scimType)
        const now = await s.call('GET', `/Users/${user.id}`)
        assert.deepEqual(now.body, before.body, `${method} ${JSON.stringify(options).slice(0, 120)} changed nothing`)
      }
      assert.equal((await s.call('GET', `/Users?${q('emails.value eq "victim@example.com"')}`)).body.totalResults, 1)
      assertScimError(await s.call('POST', '/Users', { body: { userName: 'x', id: 'mine', meta: 7, unknown: true } }), 400, 'invalidSyntax')
      assert.equal((await s.call('GET', `/Users?${q('userName eq "x"')}`)).body.totalResults, 0)
      const audited = await s.audit.query({ type: 'scim.request', limit: 1000 })
      assert.ok(audited.some((e) => e.data.status === 412 && (e.data.resourceIds as string[])?.includes(user.id)))
      assert.ok(audited.some((e) => e.data.scimType === 'mutability'))
    })
  })

  describe('authentication and audit', () => {
    test('no token, a wrong token, a rotated and a revoked token get 401 and are audited without the token', async () => {
      assertScimError(await s.call('GET', '/Users', { token: null }), 401)
      const wrong = await s.call('GET', '/Users', { token: 'scim_not-a-real-token' })
      assertScimError(wrong, 401)
      assert.match(wrong.headers.get('www-authenticate')!, /^Bearer/)
      assertScimError(await s.call('GET', '/Users', { headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }, token: null }), 401)

      const extra = await s.tokens.create('entra')
      assert.equal((await s.call('GET', '/ServiceProviderConfig', { token: extra.token })).status, 200)
      const rotated = await s.tokens.rotate(extra.id)
      assertScimError(await s.call('GET', '/Users', { token: extra.token }), 401)
      assert.equal((await s.call('GET', '/Users?count=1', { token: rotated.token })).status, 200)
      await s.tokens.revoke(extra.id)
      assertScimError(await s.call('GET', '/Users', { token: rotated.token }), 401)
      const listed = await s.tokens.list()
      const info = listed.find((t) => t.id === extra.id)!
      assert.equal(info.label, 'entra')
      assert.ok(info.revokedAt && info.rotatedAt && info.lastUsedAt)
      assert.equal(JSON.stringify(listed).includes(rotated.token), false)
      const stored = await s.database.db.selectFrom('scim_tokens' as never).selectAll().execute()
      assert.equal(JSON.stringify(stored).includes(rotated.token), false, 'only the hash is stored')

      const events = await s.audit.query({ type: 'scim.request', limit: 1000 })
      const refused = events.filter((e) => e.data.status === 401)
      assert.ok(refused.length >= 4)
      assert.ok(refused.some((e) => e.data.reason === 'missing_token'))
      assert.ok(refused.some((e) => e.data.reason === 'unknown_or_revoked_token'))
      const text = JSON.stringify(events)
      for (const secret of [s.token, extra.token, rotated.token]) assert.equal(text.includes(secret), false, 'no token in the audit trail')
      assert.ok(events.some((e) => e.principal === 'scim:test-idp' && e.principalType === 'ScimClient'))
      assert.equal((await s.audit.verify()).ok, true)
    })
  })
})
