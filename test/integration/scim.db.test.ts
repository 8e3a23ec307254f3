/* eslint-disable @typescript-eslint/no-explicit-any -- SCIM answers are JSON read field by field; the assertions check their shape */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { startScimServer, type ScimTestServer } from './scim-support.ts'

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error'
const q = (filter: string) => `filter=${encodeURIComponent(filter)}`
const patch = (...Operations: unknown[]) => ({ schemas: [PATCH], Operations })

function assertScimError(res: { status: number; body: any }, status: number, scimType?: string) {
  assert.equal(res.status, status, JSON.stringify(res.body))
  assert.deepEqual(res.body.schemas, [ERROR])
  assert.equal(res.body.status, String(status))
  if (scimType) assert.equal(res.body.scimType, scimType, res.body.detail)
  assert.equal(typeof res.body.detail, 'string')
}

forEachEngine((engine) => {
  let database: TestDatabase
  let s: ScimTestServer
  before(async () => {
    database = await engine.open()
    s = await startScimServer(database, { bodyLimitBytes: 64 * 1024 })
  })
  after(async () => {
    await s?.close()
    await database?.close()
  })

  const createUser = async (userName: string, extra: Record<string, unknown> = {}) => {
    const res = await s.call('POST', '/Users', { body: { schemas: [USER], userName, active: true, ...extra } })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    return res.body as { id: string; meta: { version: string; lastModified: string } } & Record<string, any>
  }

  describe('RFC 7644 flows', () => {
    test('create, read, replace, patch, delete a user, with ETags and Location', async () => {
      const created = await s.call('POST', '/Users', {
        body: {
          schemas: [USER, ENTERPRISE], userName: 'bjensen@example.com', externalId: 'ext-bj',
          name: { givenName: 'Barbara', familyName: 'Jensen' }, displayName: 'Babs Jensen',
          emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }],
          [ENTERPRISE]: { employeeNumber: '701984', department: 'Tour Operations', manager: { value: 'boss-id' } },
        },
      })
      assert.equal(created.status, 201)
      assert.match(created.headers.get('content-type')!, /^application\/scim\+json/)
      const { id } = created.body
      assert.match(id, /^[0-9a-f-]{36}$/)
      assert.equal(created.headers.get('etag'), 'W/"1"')
      assert.equal(created.headers.get('location'), `${s.base}/Users/${id}`)
      assert.deepEqual(created.body.schemas, [USER, ENTERPRISE])
      assert.equal(created.body[ENTERPRISE].department, 'Tour Operations')
      assert.equal(created.body.meta.location, `${s.base}/Users/${id}`)
      assert.equal(created.body.active, true)

      const read = await s.call('GET', `/Users/${id}`)
      assert.equal(read.status, 200)
      assert.equal(read.body.userName, 'bjensen@example.com')
      assert.equal(read.headers.get('etag'), 'W/"1"')
      assert.equal((await s.call('GET', `/Users/${id}`, { headers: { 'if-none-match': 'W/"1"' } })).status, 304)

      const replaced = await s.call('PUT', `/Users/${id}`, {
        headers: { 'if-match': 'W/"1"' },
        body: { schemas: [USER], userName: 'bjensen@example.com', externalId: 'ext-bj', displayName: 'Barbara J', active: true },
      })
      assert.equal(replaced.status, 200)
      assert.equal(replaced.headers.get('etag'), 'W/"2"')
      assert.equal(replaced.body.displayName, 'Barbara J')
      assert.equal(replaced.body.name, undefined, 'PUT replaces: attributes left out are cleared')
      assert.equal(replaced.body[ENTERPRISE], undefined)

      const stale = await s.call('PATCH', `/Users/${id}`, { headers: { 'if-match': 'W/"1"' }, body: patch({ op: 'replace', path: 'displayName', value: 'x' }) })
      assertScimError(stale, 412)
      assert.equal((await s.call('GET', `/Users/${id}`)).body.displayName, 'Barbara J')

      const patched = await s.call('PATCH', `/Users/${id}`, { headers: { 'if-match': 'W/"2"' }, body: patch({ op: 'add', path: 'nickName', value: 'Babs' }) })
      assert.equal(patched.status, 200)
      assert.equal(patched.body.nickName, 'Babs')
      assert.equal(patched.body.meta.version, 'W/"3"')

      assertScimError(await s.call('DELETE', `/Users/${id}`, { headers: { 'if-match': 'W/"2"' } }), 412)
      const deleted = await s.call('DELETE', `/Users/${id}`, { headers: { 'if-match': 'W/"3"' } })
      assert.equal(deleted.status, 204)
      assertScimError(await s.call('GET', `/Users/${id}`), 404)
      assertScimError(await s.call('PATCH', `/Users/${id}`, { body: patch({ op: 'replace', path: 'active', value: true }) }), 404)
      assertScimError(await s.call('DELETE', `/Users/${id}`), 404)
      // The userName is free again; the tombstone still names the old user for revocation.
      const again = await createUser('BJENSEN@example.com')
      assert.notEqual(again.id, id)
      const found = await s.service.findUserForPrincipal({ userName: 'bjensen@EXAMPLE.com' })
      assert.equal(found?.id, again.id)
      assert.equal(found?.active, true)
      const tomb = await s.service.findUserForPrincipal({ externalId: 'ext-bj' })
      assert.deepEqual({ id: tomb?.id, deleted: tomb?.deleted, active: tomb?.active }, { id, deleted: true, active: false })
    })

    test('filters: operators, logic, case rules, value filters; unknown attributes and bad syntax are invalidFilter', async () => {
      const a = await createUser('filter-ann@corp.example', { externalId: 'F-1', displayName: 'Ann Filter', emails: [{ value: 'Ann@Corp.Example', type: 'work' }] })
      const b = await createUser('filter-bob@corp.example', { externalId: 'f-2', displayName: 'Bob Filter', active: false, emails: [{ value: 'bob@home.example', type: 'home' }] })
      await createUser('filter-cy@other.example', { displayName: 'Cy' })
      const ids = async (filter: string) => {
        const res = await s.call('GET', `/Users?${q(filter)}&sortBy=userName`)
        assert.equal(res.status, 200, `${filter}: ${JSON.stringify(res.body)}`)
        assert.equal(res.body.totalResults, res.body.Resources.length)
        return res.body.Resources.map((r: { userName: string }) => r.userName.replace(/@.*/, ''))
      }
      assert.deepEqual(await ids('USERNAME eq "FILTER-ANN@CORP.EXAMPLE"'), ['filter-ann'])
      assert.deepEqual(await ids('externalId eq "f-1"'), [], 'externalId is case-exact')
      assert.deepEqual(await ids('externalId eq "F-1"'), ['filter-ann'])
      assert.deepEqual(await ids('userName sw "filter-" and userName ew "corp.example"'), ['filter-ann', 'filter-bob'])
      assert.deepEqual(await ids('userName co "CY@"'), ['filter-cy'])
      assert.deepEqual(await ids('userName sw "filter" and not (active eq true)'), ['filter-bob'])
      assert.deepEqual(await ids('userName sw "filter" and active eq false or displayName eq "cy"'), ['filter-bob', 'filter-cy'])
      assert.deepEqual(await ids('userName ew "corp.example" and (active eq false or displayName eq "cy")'), ['filter-bob'])
      assert.deepEqual(await ids('emails.value eq "ann@corp.example"'), ['filter-ann'])
      assert.deepEqual(await ids('emails[type eq "home" and value co "HOME"]'), ['filter-bob'])
      assert.deepEqual(await ids('userName sw "filter" and externalId pr'), ['filter-ann', 'filter-bob'])
      assert.deepEqual(await ids(`id eq "${b.id}"`), ['filter-bob'])
      assert.deepEqual(await ids('userName sw "filter" and userName gt "filter-b"'), ['filter-bob', 'filter-cy'])
      assert.deepEqual(await ids('userName sw "filter" and userName le "filter-ann@corp.example"'), ['filter-ann'])
      assert.deepEqual(await ids('userName sw "filter" and displayName ne "ann filter"'), ['filter-bob', 'filter-cy'])
      const later = new Date(Date.parse(a.meta.lastModified) - 1).toISOString()
      assert.ok((await ids(`meta.lastModified gt "${later}" and userName sw "filter"`)).includes('filter-ann'))
      assert.deepEqual(await ids('meta.lastModified gt "2999-01-01T00:00:00Z"'), [])
      assert.deepEqual(await ids('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "filter-cy@other.example"'), ['filter-cy'])

      for (const bad of ['userName eq', 'userName xx "a"', 'nosuch eq "a"', '(userName eq "a"', 'userName eq "a" junk', 'active gt true', 'name.familyName eq "x"',
        'userName eq "unterminated', 'meta.lastModified gt "not a date"', 'not userName eq "a"', 'emails[value eq "a"', 'urn:example:custom:attr eq "x"']) {
        assertScimError(await s.call('GET', `/Users?${q(bad)}`), 400, 'invalidFilter')
      }
    })

    test('paging with startIndex and count, sorting, attributes and excludedAttributes', async () => {
      for (let i = 0; i < 7; i++) await createUser(`page-${i}@example.com`, { displayName: `Page ${6 - i}`, emails: [{ value: `p${i}@example.com` }] })
      const page = await s.call('GET', `/Users?${q('userName sw "page-"')}&startIndex=3&count=2&sortBy=userName`)
      assert.equal(page.body.totalResults, 7)
      assert.equal(page.body.startIndex, 3)
      assert.equal(page.body.itemsPerPage, 2)
      assert.deepEqual(page.body.Resources.map((r: any) => r.userName), ['page-2@example.com', 'page-3@example.com'])
      const desc = await s.call('GET', `/Users?${q('userName sw "page-"')}&count=1&sortBy=displayName&sortOrder=descending`)
      assert.equal(desc.body.Resources[0].displayName, 'Page 6')
      const countOnly = await s.call('GET', `/Users?${q('userName sw "page-"')}&count=0`)
      assert.deepEqual([countOnly.body.totalResults, countOnly.body.Resources.length], [7, 0])
      const beyond = await s.call('GET', `/Users?${q('userName sw "page-"')}&startIndex=50`)
      assert.deepEqual([beyond.body.totalResults, beyond.body.Resources.length], [7, 0])

      const narrow = await s.call('GET', `/Users?${q('userName eq "page-0@example.com"')}&attributes=userName,emails.value`)
      const [only] = narrow.body.Resources
      assert.deepEqual(Object.keys(only).sort(), ['emails', 'id', 'schemas', 'userName'])
      assert.deepEqual(only.schemas, [USER], 'schemas names only what is returned')
      assert.deepEqual(only.emails, [{ value: 'p0@example.com' }])
      const wide = await s.call('GET', `/Users/${only.id}?excludedAttributes=emails,meta,id`)
      assert.equal(wide.body.emails, undefined)
      assert.equal(wide.body.meta, undefined)
      assert.equal(wide.body.id, only.id, 'id is always returned')
      assert.equal(wide.body.displayName, 'Page 6')

      const search = await s.call('POST', '/Users/.search', { body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'userName sw "page-"', count: 3, attributes: ['userName'] } })
      assert.equal(search.status, 200)
      assert.deepEqual([search.body.totalResults, search.body.Resources.length, Object.keys(search.body.Resources[0]).sort()], [7, 3, ['id', 'schemas', 'userName']])

      assertScimError(await s.call('GET', '/Users?count=abc'), 400, 'invalidValue')
      assertScimError(await s.call('GET', '/Users?attributes=nosuch'), 400, 'invalidValue')
      assertScimError(await s.call('GET', '/Users?sortBy=nosuch'), 400, 'invalidValue')
    })

    test('groups: create with members, unique displayName, member batches, users show their groups, delete', async () => {
      const u1 = await createUser('grp-1@example.com', { displayName: 'One' })
      const u2 = await createUser('grp-2@example.com')
      const u3 = await createUser('grp-3@example.com')
      s.events.length = 0
      const group = await s.call('POST', '/Groups', { body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Data Engineers', members: [{ value: u1.id, display: 'ignored' }] } })
      assert.equal(group.status, 201)
      assert.deepEqual(group.body.members.map((m: any) => [m.value, m.display, m.$ref]), [[u1.id, 'One', `${s.base}/Users/${u1.id}`]])
      const gid = group.body.id
      assert.deepEqual(s.events.map((e) => [e.event, e.user.id, e.groups]), [['membershipsAdded', u1.id, ['Data Engineers']]])
      assertScimError(await s.call('POST', '/Groups', { body: { displayName: 'data engineers' } }), 409, 'uniqueness')

      const batch = await s.call('PATCH', `/Groups/${gid}`, { body: patch({ op: 'add', path: 'members', value: [{ value: u2.id }, { value: u3.id }, { value: u1.id }] }) })
      assert.equal(batch.status, 200)
      assert.equal(batch.body.members.length, 3)
      const mine = await s.call('GET', `/Users/${u2.id}`)
      assert.deepEqual(mine.body.groups.map((g: any) => [g.value, g.display, g.$ref]), [[gid, 'Data Engineers', `${s.base}/Groups/${gid}`]])
      const byMember = await s.call('GET', `/Groups?${q(`members.value eq "${u3.id}"`)}&excludedAttributes=members`)
      assert.deepEqual([byMember.body.totalResults, byMember.body.Resources[0].members], [1, undefined])
      const inGroup = await s.call('GET', `/Users?${q(`groups.value eq "${gid}"`)}`)
      assert.equal(inGroup.body.totalResults, 3)

      s.events.length = 0
      const removed = await s.call('PATCH', `/Groups/${gid}`, { body: patch({ op: 'remove', path: `members[value eq "${u2.id}"]` }, { op: 'remove', path: `members[value eq "${u3.id}"]` }) })
      assert.deepEqual(removed.body.members.map((m: any) => m.value), [u1.id])
      assert.deepEqual(s.events.map((e) => [e.event, e.user.id, e.groups]).sort(), [['membershipsRemoved', u2.id, ['Data Engineers']], ['membershipsRemoved', u3.id, ['Data Engineers']]].sort())
      assert.equal((await s.call('GET', `/Users/${u2.id}`)).body.groups, undefined)

      s.events.length = 0
      const renamed = await s.call('PUT', `/Groups/${gid}`, { body: { displayName: 'Platform', members: [{ value: u1.id }] } })
      assert.equal(renamed.body.displayName, 'Platform')
      assert.deepEqual(s.events.map((e) => [e.event, e.groups]), [['membershipsRemoved', ['Data Engineers']], ['membershipsAdded', ['Platform']]])
      assertScimError(await s.call('POST', '/Groups', { body: { displayName: 'Ghosts', members: [{ value: 'no-such-user' }] } }), 400, 'invalidValue')
      assert.equal((await s.call('GET', `/Groups?${q('displayName eq "Ghosts"')}`)).body.totalResults, 0)

      s.events.length = 0
      assert.equal((await s.call('DELETE', `/Groups/${gid}`)).status, 204)
      assert.deepEqual(s.events.map((e) => [e.event, e.user.id, e.groups]), [['membershipsRemoved', u1.id, ['Platform']]])
      assertScimError(await s.call('GET', `/Groups/${gid}`), 404)
    })

    test('discovery: ServiceProviderConfig, ResourceTypes, Schemas with the Enterprise extension', async () => {
      const spc = await s.call('GET', '/ServiceProviderConfig')
      assert.deepEqual([spc.body.patch.supported, spc.body.filter.supported, spc.body.etag.supported, spc.body.bulk.supported], [true, true, true, false])
      assert.equal(spc.body.authenticationSchemes[0].type, 'oauthbearertoken')
      const types = await s.call('GET', '/ResourceTypes')
      assert.deepEqual(types.body.Resources.map((r: any) => r.endpoint), ['/Users', '/Groups'])
      assert.deepEqual((await s.call('GET', '/ResourceTypes/User')).body.schemaExtensions, [{ schema: ENTERPRISE, required: false }])
      const schemas = await s.call('GET', '/Schemas')
      assert.deepEqual(schemas.body.Resources.map((r: any) => r.id), [USER, ENTERPRISE, 'urn:ietf:params:scim:schemas:core:2.0:Group'])
      const enterprise = await s.call('GET', `/Schemas/${ENTERPRISE}`)
      assert.deepEqual(enterprise.body.attributes.map((a: any) => a.name), ['employeeNumber', 'costCenter', 'organization', 'division', 'department', 'manager'])
      const userName = (await s.call('GET', `/Schemas/${USER}`)).body.attributes.find((a: any) => a.name === 'userName')
      assert.deepEqual([userName.required, userName.caseExact, userName.uniqueness], [true, false, 'server'])
      assertScimError(await s.call('GET', '/Schemas/urn:nope'), 404)
      assertScimError(await s.call('GET', '/NoSuchEndpoint'), 404)
    })
  })

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
      const stored = await database.db.selectFrom('scim_tokens' as never).selectAll().execute()
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
})
