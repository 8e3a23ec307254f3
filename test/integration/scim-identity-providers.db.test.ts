/* eslint-disable @typescript-eslint/no-explicit-any -- SCIM answers are JSON read field by field; the assertions check their shape */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { forEachEngine } from '../../harness/databases.ts'
import { assertScimError, ENTERPRISE, patch, q, scimServerFor, USER } from './scim-support.ts'

// SCIM as Okta and Microsoft Entra ID speak it, and reconciling token groups with SCIM groups.

forEachEngine((engine) => {
  const s = scimServerFor(engine)
  const { createUser } = s

  describe('Okta', () => {
    test('provisioning: lookup by userName, create, deactivate with PUT and PATCH, reactivate; group push with member batches', async () => {
      const lookup = await s.call('GET', `/Users?${q('userName eq "okta.user@example.com"')}&startIndex=1&count=100`)
      assert.deepEqual([lookup.status, lookup.body.totalResults, lookup.body.Resources], [200, 0, []])
      const body = {
        schemas: [USER], userName: 'okta.user@example.com', name: { givenName: 'Okta', familyName: 'User' },
        emails: [{ primary: true, value: 'okta.user@example.com', type: 'work' }], displayName: 'Okta User', locale: 'en-US',
        externalId: '00ujl29u0le5T6Aj10h7', groups: [], password: '1mz050nq', active: true,
      }
      const created = await s.call('POST', '/Users', { body, headers: { 'content-type': 'application/scim+json; charset=utf-8' } })
      assert.equal(created.status, 201)
      assert.equal(JSON.stringify(created.body).includes('1mz050nq'), false, 'the password is never stored or returned')
      const id = created.body.id
      assertScimError(await s.call('POST', '/Users', { body: { ...body, userName: 'OKTA.USER@example.com' } }), 409, 'uniqueness')

      s.events.length = 0
      const viaPut = await s.call('PUT', `/Users/${id}`, { body: { ...body, id, active: false } })
      assert.equal(viaPut.body.active, false)
      assert.deepEqual(s.events.map((e) => [e.event, e.user.userName, e.user.active]), [['userDeactivated', 'okta.user@example.com', false]])
      const reactivated = await s.call('PATCH', `/Users/${id}`, { body: patch({ op: 'replace', value: { active: true } }) })
      assert.equal(reactivated.body.active, true)
      const again = await s.call('PATCH', `/Users/${id}`, { body: patch({ op: 'replace', value: { active: false } }) })
      assert.equal(again.body.active, false)
      assert.deepEqual(s.events.map((e) => e.event), ['userDeactivated', 'userReactivated', 'userDeactivated'])
      const repeat = await s.call('PATCH', `/Users/${id}`, { body: patch({ op: 'replace', value: { active: false } }) })
      assert.equal(repeat.body.meta.version, again.body.meta.version, 'a no-op PATCH keeps the version')
      assert.equal(s.events.length, 3, 'and fires no event')

      const members = []
      for (let i = 0; i < 5; i++) members.push((await createUser(`okta-m${i}@example.com`, { displayName: `M${i}` })).id)
      const push = await s.call('POST', '/Groups', { body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Okta Pushed', members: [] } })
      assert.equal(push.status, 201)
      const gid = push.body.id
      const byName = await s.call('GET', `/Groups?${q('displayName eq "okta pushed"')}&startIndex=1&count=100`)
      assert.equal(byName.body.Resources[0].id, gid)
      const add = await s.call('PATCH', `/Groups/${gid}`, { body: patch({ op: 'add', path: 'members', value: members.slice(0, 3).map((value, i) => ({ value, display: `M${i}` })) }) })
      assert.equal(add.status, 200)
      const swap = await s.call('PATCH', `/Groups/${gid}`, {
        body: patch({ op: 'remove', path: `members[value eq "${members[0]}"]` }, { op: 'add', path: 'members', value: [{ value: members[3] }, { value: members[4] }] }),
      })
      assert.deepEqual(swap.body.members.map((m: any) => m.value).sort(), members.slice(1).sort())
      const rename = await s.call('PATCH', `/Groups/${gid}`, { body: patch({ op: 'replace', value: { id: gid, displayName: 'Okta Pushed 2' } }) })
      assert.equal(rename.body.displayName, 'Okta Pushed 2')
      const full = await s.call('PUT', `/Groups/${gid}`, { body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], id: gid, displayName: 'Okta Pushed 2', members: [{ value: members[1] }] } })
      assert.deepEqual(full.body.members.map((m: any) => m.value), [members[1]])
      assert.equal((await s.call('DELETE', `/Groups/${gid}`)).status, 204)
    })
  })

  describe('Microsoft Entra ID', () => {
    test('externalId and userName lookups, capitalized ops, "False" strings, no-path value objects with path keys, enterprise manager, member add/remove', async () => {
      const none = await s.call('GET', `/Users?${q('userName eq "entra.user@contoso.com"')}`)
      assert.equal(none.body.totalResults, 0)
      const created = await s.call('POST', '/Users', {
        headers: { 'content-type': 'application/json' },
        body: {
          schemas: [USER, ENTERPRISE], externalId: 'entra.user', userName: 'entra.user@contoso.com', active: true,
          addresses: [{ primary: true, type: 'work', country: 'NL', locality: 'Amsterdam' }], displayName: 'Entra User',
          emails: [{ primary: true, type: 'work', value: 'entra.user@contoso.com' }], meta: { resourceType: 'User' },
          name: { formatted: 'Entra User', familyName: 'User', givenName: 'Entra' }, phoneNumbers: [{ type: 'mobile', value: '+31 6 1234' }],
          roles: [], title: 'Engineer', [ENTERPRISE]: { employeeNumber: '42', department: 'Data' },
        },
      })
      assert.equal(created.status, 201, JSON.stringify(created.body))
      const id = created.body.id
      assert.equal((await s.call('GET', `/Users?${q('externalId eq "entra.user"')}`)).body.Resources[0].id, id)
      const manager = await createUser('entra.manager@contoso.com')

      s.events.length = 0
      const res = await s.call('PATCH', `/Users/${id}`, {
        body: patch(
          { op: 'Replace', path: 'displayName', value: 'Entra U.' },
          { op: 'Add', path: 'emails[type eq "work"].value', value: 'new.address@contoso.com' },
          { op: 'Add', path: 'phoneNumbers[type eq "work"].value', value: '+31 20 555' },
          { op: 'Replace', path: 'addresses[type eq "work"].locality', value: 'Utrecht' },
          { op: 'Add', path: `${ENTERPRISE}:manager`, value: manager.id },
          { op: 'Replace', value: { 'name.givenName': 'Entrée', [`${ENTERPRISE}:department`]: 'Platform' } },
          { op: 'Replace', path: 'active', value: 'False' },
        ),
      })
      assert.equal(res.status, 200, JSON.stringify(res.body))
      assert.equal(res.body.displayName, 'Entra U.')
      assert.deepEqual(res.body.emails, [{ primary: true, type: 'work', value: 'new.address@contoso.com' }])
      assert.deepEqual(res.body.phoneNumbers, [{ type: 'mobile', value: '+31 6 1234' }, { type: 'work', value: '+31 20 555' }])
      assert.equal(res.body.addresses[0].locality, 'Utrecht')
      assert.equal(res.body.name.givenName, 'Entrée')
      assert.deepEqual(res.body[ENTERPRISE], { employeeNumber: '42', department: 'Platform', manager: { value: manager.id } })
      assert.equal(res.body.active, false)
      assert.deepEqual(s.events.map((e) => e.event), ['userDeactivated'])
      assert.equal((await s.call('GET', `/Users?${q('emails.value eq "NEW.ADDRESS@contoso.com"')}`)).body.totalResults, 1)

      const back = await s.call('PATCH', `/Users/${id}`, { body: patch({ op: 'Replace', path: 'active', value: 'True' }, { op: 'Remove', path: `${ENTERPRISE}:manager` }) })
      assert.equal(back.body.active, true)
      assert.equal(back.body[ENTERPRISE].manager, undefined)
      assert.deepEqual(s.events.map((e) => e.event), ['userDeactivated', 'userReactivated'])

      const group = await s.call('POST', '/Groups', { body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], externalId: 'grp-entra', displayName: 'Entra Group', members: [] } })
      const gid = group.body.id
      assert.equal((await s.call('GET', `/Groups?${q('displayName eq "Entra Group"')}&excludedAttributes=members`)).body.Resources[0].id, gid)
      const added = await s.call('PATCH', `/Groups/${gid}`, { body: patch({ op: 'Add', path: 'members', value: [{ value: id }, { value: manager.id }] }) })
      assert.equal(added.body.members.length, 2)
      const probe = await s.call('GET', `/Groups?${q(`id eq "${gid}" and members[value eq "${id}"]`)}&excludedAttributes=members`)
      assert.equal(probe.body.totalResults, 1)
      const gone = await s.call('PATCH', `/Groups/${gid}`, { body: patch({ op: 'Remove', path: 'members', value: [{ value: id }] }) })
      assert.deepEqual(gone.body.members.map((m: any) => m.value), [manager.id])
      const replaced = await s.call('PATCH', `/Groups/${gid}`, { body: patch({ op: 'Replace', path: 'members', value: [{ value: id }] }) })
      assert.deepEqual(replaced.body.members.map((m: any) => m.value), [id])
      const renamed = await s.call('PATCH', `/Groups/${gid}`, { body: patch({ op: 'Replace', path: 'displayName', value: 'Entra Group 2' }) })
      assert.equal(renamed.body.displayName, 'Entra Group 2')
      const idempotent = await s.call('PATCH', `/Groups/${gid}`, { body: patch({ op: 'Remove', path: `members[value eq "${manager.id}"]` }) })
      assert.equal(idempotent.status, 200, 'removing a member that is not there is a no-op')
      assert.equal(idempotent.body.meta.version, renamed.body.meta.version)
    })
  })

  describe('Microsoft Entra ID: the enterprise extension as a whole', () => {
    test('add/replace with the extension URN as path and a value carrying its schemas applies the extension attributes', async () => {
      const manager = await createUser('ext.manager@contoso.com')
      const user = await createUser('ext.user@contoso.com', { schemas: [USER, ENTERPRISE], [ENTERPRISE]: { schemas: [ENTERPRISE], costCenter: 'CC-1' } })
      assert.deepEqual(user[ENTERPRISE], { costCenter: 'CC-1' }, 'a POST body may carry the extension\'s schemas too')
      const added = await s.call('PATCH', `/Users/${user.id}`, {
        headers: { 'content-type': 'application/json' },
        body: {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{
            op: 'Add', path: ENTERPRISE,
            value: { schemas: [ENTERPRISE], employeeNumber: '1234', department: 'Data Platform', manager: { value: manager.id } },
          }],
        },
      })
      assert.equal(added.status, 200, JSON.stringify(added.body))
      assert.deepEqual(added.body[ENTERPRISE], { costCenter: 'CC-1', employeeNumber: '1234', department: 'Data Platform', manager: { value: manager.id } })
      assert.deepEqual(added.body.schemas, [USER, ENTERPRISE])
      const replaced = await s.call('PATCH', `/Users/${user.id}`, {
        body: patch(
          { op: 'Replace', path: ENTERPRISE, value: { schemas: [ENTERPRISE], department: 'Finance' } },
          { op: 'Replace', value: { [ENTERPRISE]: { schemas: [ENTERPRISE], division: 'EMEA' } } },
        ),
      })
      assert.equal(replaced.status, 200, JSON.stringify(replaced.body))
      assert.deepEqual(replaced.body[ENTERPRISE], { costCenter: 'CC-1', employeeNumber: '1234', department: 'Finance', manager: { value: manager.id }, division: 'EMEA' })

      // The schemas a value carries must be the resource's own: anything else is a client mistake, refused, nothing changed.
      for (const bad of [['urn:example:custom'], 'not-a-list', [42]]) {
        assertScimError(await s.call('PATCH', `/Users/${user.id}`, { body: patch({ op: 'Add', path: ENTERPRISE, value: { schemas: bad, department: 'X' } }) }), 400, 'invalidSyntax')
      }
      assert.equal((await s.call('GET', `/Users/${user.id}`)).body[ENTERPRISE].department, 'Finance')
    })
  })

  describe('deprovisioning holds', () => {
    test('an unassigned active never re-activates a deactivated user: PUT without active, PATCH remove active, active null', async () => {
      // alice has not called Conductor yet, so deactivating her writes no revocation-list entry: what refuses her fresh
      // tokens is SCIM's `active` alone, as for any token issued after a deactivation.
      const profile = { schemas: [USER], userName: 'alice', externalId: '00u-alice', displayName: 'Alice Example', emails: [{ value: 'alice@example.com', type: 'work', primary: true }] }
      const created = await s.call('POST', '/Users', { body: { ...profile, active: true } })
      const id = created.body.id
      s.events.length = 0
      const off = await s.call('PATCH', `/Users/${id}`, { body: patch({ op: 'replace', value: { active: false } }) })
      assert.equal(off.body.active, false)
      assert.equal(await s.apiStatus('/api/v1/me', await s.tokenFor('alice')), 401, 'deactivated: a fresh token is refused')

      // Okta pushes a profile update as a PUT of the profile, without active.
      const put = await s.call('PUT', `/Users/${id}`, { body: { ...profile, displayName: 'Alice E.' } })
      assert.equal(put.status, 200, JSON.stringify(put.body))
      assert.deepEqual([put.body.displayName, put.body.active], ['Alice E.', false])
      assert.equal(await s.apiStatus('/api/v1/me', await s.tokenFor('alice')), 401, 'after a PUT without active, a fresh token is still refused')

      for (const operation of [{ op: 'remove', path: 'active' }, { op: 'Remove', path: 'ACTIVE' }, { op: 'replace', path: 'active', value: null }, { op: 'replace', value: { active: null } }]) {
        const res = await s.call('PATCH', `/Users/${id}`, { body: patch(operation) })
        assert.equal(res.status, 200, JSON.stringify(res.body))
        assert.equal(res.body.active, false, `${JSON.stringify(operation)} leaves the user inactive`)
      }
      assert.equal((await s.call('PUT', `/Users/${id}`, { body: { ...profile, active: null } })).body.active, false)
      assert.equal((await s.call('GET', `/Users/${id}`)).body.active, false)
      assert.equal((await s.call('GET', `/Users?${q('userName eq "alice" and active eq false')}`)).body.totalResults, 1)
      assert.deepEqual(s.events.map((e) => e.event), ['userDeactivated'], 'nothing re-activated the user')
      assert.equal(await s.apiStatus('/api/v1/me', await s.tokenFor('alice')), 401)

      // Only an explicit active: true brings the user back; an active user stays active through a PUT without it.
      const on = await s.call('PATCH', `/Users/${id}`, { body: patch({ op: 'replace', path: 'active', value: true }) })
      assert.equal(on.body.active, true)
      assert.equal(await s.apiStatus('/api/v1/me', await s.tokenFor('alice')), 200)
      assert.equal((await s.call('PUT', `/Users/${id}`, { body: profile })).body.active, true)
      assert.deepEqual(s.events.map((e) => e.event), ['userDeactivated', 'userReactivated'])
    })
  })

  test('reconciliation compares token groups with SCIM groups', async () => {
    const u = await createUser('recon@example.com', { externalId: 'recon-ext' })
    await s.call('POST', '/Groups', { body: { displayName: 'recon-a', members: [{ value: u.id }] } })
    await s.call('POST', '/Groups', { body: { displayName: 'recon-b', members: [{ value: u.id }] } })
    const report = await s.service.reconciliationReport({ userName: 'RECON@example.com', groups: ['RECON-A', 'stale-claim'] })
    assert.deepEqual([report.user?.id, report.missingFromClaims, report.notInScim, report.inSync], [u.id, ['recon-b'], ['stale-claim'], false])
    assert.equal((await s.service.reconciliationReport({ externalId: 'recon-ext', groups: ['recon-b', 'recon-a'] })).inSync, true)
    const unknown = await s.service.reconciliationReport({ userName: 'nobody@example.com', groups: [] })
    assert.deepEqual([unknown.user, unknown.inSync], [null, false])
  })
})
