/* eslint-disable @typescript-eslint/no-explicit-any -- SCIM answers are JSON read field by field; the assertions check their shape */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { forEachEngine } from '../../harness/databases.ts'
import { assertScimError, ENTERPRISE, patch, q, scimServerFor, SEARCH, USER } from './scim-support.ts'

// SCIM 2.0 as RFC 7644 describes it: users and groups, their lifecycle, queries, and discovery.

forEachEngine((engine) => {
  const s = scimServerFor(engine)
  const { createUser } = s

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

      const search = await s.call('POST', '/Users/.search', { body: { schemas: [SEARCH], filter: 'userName sw "page-"', count: 3, attributes: ['userName'] } })
      assert.equal(search.status, 200)
      assert.deepEqual([search.body.totalResults, search.body.Resources.length, Object.keys(search.body.Resources[0]).sort()], [7, 3, ['id', 'schemas', 'userName']])

      assertScimError(await s.call('GET', '/Users?count=abc'), 400, 'invalidValue')
      assertScimError(await s.call('GET', '/Users?attributes=nosuch'), 400, 'invalidValue')
      assertScimError(await s.call('GET', '/Users?sortBy=nosuch'), 400, 'invalidValue')
    })

    test('POST /.search at the root lists Users then Groups, paged over both; per type it answers exactly as GET', async () => {
      const search = (path: string, body: Record<string, unknown>) => s.call('POST', path, { body: { schemas: [SEARCH], ...body } })
      const users = []
      for (let i = 0; i < 3; i++) users.push(await createUser(`srch-${i}@example.com`, { displayName: `Srch U${i}` }))
      const groups = []
      for (let i = 0; i < 2; i++) groups.push((await s.call('POST', '/Groups', { body: { displayName: `Srch G${i}`, members: [{ value: users[i]!.id }] } })).body)

      // No filter: every user, then every group; pages of 2 walk across both, as the two GET listings in a row.
      const everyone = [
        ...(await s.call('GET', '/Users?count=1000')).body.Resources.map((r: any) => r.id),
        ...(await s.call('GET', '/Groups?count=1000')).body.Resources.map((r: any) => r.id),
      ]
      const walked: string[] = []
      for (let start = 1; start <= everyone.length; start += 2) {
        const page = await search('/.search', { startIndex: start, count: 2 })
        assert.equal(page.status, 200, JSON.stringify(page.body))
        assert.deepEqual(page.body.schemas, ['urn:ietf:params:scim:api:messages:2.0:ListResponse'])
        assert.deepEqual([page.body.totalResults, page.body.startIndex], [everyone.length, start])
        assert.equal(page.body.itemsPerPage, page.body.Resources.length)
        walked.push(...page.body.Resources.map((r: any) => r.id))
      }
      assert.deepEqual(walked, everyone)

      // A filter both types understand mixes them; one only Users (or only Groups) understand lists only that type.
      const mixed = await search('/.search', { filter: 'displayName sw "srch "', sortBy: 'displayName', sortOrder: 'descending', attributes: ['displayName', 'userName'] })
      assert.deepEqual(mixed.body.Resources.map((r: any) => r.displayName), ['Srch U2', 'Srch U1', 'Srch U0', 'Srch G1', 'Srch G0'])
      assert.deepEqual(Object.keys(mixed.body.Resources[0]).sort(), ['displayName', 'id', 'schemas', 'userName'])
      assert.deepEqual(Object.keys(mixed.body.Resources[3]).sort(), ['displayName', 'id', 'schemas'])
      assert.equal(mixed.body.Resources[3].schemas[0], 'urn:ietf:params:scim:schemas:core:2.0:Group')
      const onlyUsers = await search('/.search', { filter: 'userName sw "srch-"' })
      assert.deepEqual(onlyUsers.body.Resources.map((r: any) => [r.meta.resourceType, r.meta.location]), users.map((u) => ['User', `${s.base}/Users/${u.id}`]))
      const onlyGroups = await search('/.search', { filter: `members.value eq "${users[1]!.id}"`, excludedAttributes: ['members', 'groups'] })
      assert.deepEqual(onlyGroups.body.Resources.map((r: any) => [r.id, r.members]), [[groups[1].id, undefined]])
      const counted = await search('/.search', { filter: 'displayName sw "srch "', count: 0 })
      assert.deepEqual([counted.body.totalResults, counted.body.Resources], [5, []])

      // Per resource type, a SearchRequest is the GET listing with its parameters in the body.
      const viaGet = await s.call('GET', `/Groups?${q('displayName sw "srch"')}&startIndex=2&count=1&sortBy=displayName&excludedAttributes=members`)
      const viaSearch = await search('/Groups/.search', { filter: 'displayName sw "srch"', startIndex: 2, count: 1, sortBy: 'displayName', excludedAttributes: ['members'] })
      assert.equal(viaSearch.status, 200)
      assert.deepEqual(viaSearch.body, viaGet.body)
      assert.deepEqual(viaSearch.body.Resources.map((r: any) => r.displayName), ['Srch G1'])

      for (const path of ['/.search', '/Users/.search', '/Groups/.search']) {
        assertScimError(await s.call('POST', path, { body: { filter: 'displayName sw "srch"' } }), 400, 'invalidSyntax')
        assertScimError(await s.call('POST', path, { body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'] } }), 400, 'invalidSyntax')
        assertScimError(await s.call('POST', path, { body: { schemas: SEARCH } }), 400, 'invalidSyntax')
        assertScimError(await s.call('POST', path, { body: [SEARCH] }), 400, 'invalidSyntax')
        assertScimError(await search(path, { filtr: 'displayName sw "srch"' }), 400, 'invalidSyntax')
        assertScimError(await search(path, { filter: 42 }), 400, 'invalidFilter')
        assertScimError(await search(path, { filter: 'nosuch eq "x"' }), 400, 'invalidFilter')
        assertScimError(await search(path, { count: 'many' }), 400, 'invalidValue')
        assertScimError(await search(path, { sortOrder: 'sideways' }), 400, 'invalidValue')
        assertScimError(await search(path, { sortBy: 'nosuch' }), 400, 'invalidValue')
        assertScimError(await search(path, { attributes: ['nosuch'] }), 400, 'invalidValue')
      }
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
      assert.equal((await s.call('HEAD', '/ServiceProviderConfig')).status, 200)
    })

    test('a method an endpoint does not have is 405 with Allow, before the body is read; nothing changes', async () => {
      const user = await createUser('allow@example.com')
      const before = await s.call('GET', `/Users/${user.id}`)
      const discovery = ['/ServiceProviderConfig', '/ResourceTypes', '/ResourceTypes/User', '/Schemas', `/Schemas/${USER}`]
      const cases: [string, string, string][] = [
        ...discovery.flatMap((path) => ['POST', 'PUT', 'PATCH', 'DELETE'].map((method): [string, string, string] => [method, path, 'GET, HEAD'])),
        ['PUT', '/Users', 'GET, HEAD, POST'], ['DELETE', '/Groups', 'GET, HEAD, POST'],
        ['POST', `/Users/${user.id}`, 'DELETE, GET, HEAD, PATCH, PUT'],
        ['GET', '/.search', 'POST'], ['GET', '/Users/.search', 'POST'], ['DELETE', '/Groups/.search', 'POST'],
      ]
      for (const [method, path, allow] of cases) {
        for (const options of [{}, { body: { schemas: [USER], userName: 'x' } }, { raw: '{"broken' }, { raw: 'text', headers: { 'content-type': 'text/plain' } }]) {
          if (method === 'GET' && Object.keys(options).length) continue
          const res = await s.call(method, path, options)
          assertScimError(res, 405)
          assert.equal(res.headers.get('allow'), allow, `${method} ${path}`)
          assert.match(res.headers.get('content-type')!, /^application\/scim\+json/)
        }
      }
      assert.equal((await s.call('POST', '/Schemas', { token: null })).status, 401, 'the token is checked first')
      assert.deepEqual((await s.call('GET', `/Users/${user.id}`)).body, before.body)
      const audited = await s.audit.query({ type: 'scim.request', limit: 1000 })
      assert.ok(audited.some((e) => e.data.status === 405 && e.data.method === 'DELETE' && e.data.path === '/scim/v2/Schemas'))
    })
  })
})
