import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isConductorError } from '../../core/index.ts'
import { parseFilter, parsePatchPath } from './filter.ts'
import { applyPatch, parsePatchRequest } from './patch.ts'
import { USER_MODEL } from './resource-model.ts'

const scimTypeOf = (fn: () => unknown) => {
  try { fn() } catch (error) { return isConductorError(error) ? error.details?.scimType : 'not a ConductorError' }
  return 'no error'
}

test('filters parse with RFC precedence: and binds tighter than or; not needs parentheses', () => {
  const f = parseFilter('userName eq "a" or userName eq "b" and active eq true', USER_MODEL.urns)
  assert.equal(f.kind, 'or')
  assert.equal(f.kind === 'or' && f.right.kind, 'and')
  const v = parseFilter('emails[type eq "work" and value co "@x"] and not (active eq false)', USER_MODEL.urns)
  assert.equal(v.kind === 'and' && v.left.kind, 'valuePath')
  assert.equal(scimTypeOf(() => parseFilter('not active eq false', USER_MODEL.urns)), 'invalidFilter')
  assert.equal(scimTypeOf(() => parseFilter('((('.repeat(100), USER_MODEL.urns)), 'invalidFilter')
  const p = parsePatchPath('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value', USER_MODEL.urns)
  assert.deepEqual(p.path, { schema: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', attr: 'manager', sub: 'value' })
  assert.deepEqual(parsePatchPath('emails[type eq "work"].value', USER_MODEL.urns).sub, 'value')
})

test('patch: setting a primary email demotes the others; add of an existing value merges instead of duplicating', () => {
  const user = { userName: 'u', emails: [{ value: 'a@x', primary: true }, { value: 'b@x' }] }
  const ops = parsePatchRequest({ Operations: [{ op: 'replace', path: 'emails[value eq "b@x"].primary', value: true }, { op: 'add', path: 'emails', value: [{ value: 'A@X', type: 'work' }] }] })
  const out = applyPatch(USER_MODEL, user, ops)
  assert.deepEqual(out.emails, [{ value: 'A@X', primary: false, type: 'work' }, { value: 'b@x', primary: true }])
  assert.deepEqual(user.emails, [{ value: 'a@x', primary: true }, { value: 'b@x' }], 'the input is not modified')
})

test('patch: attribute names are case-insensitive and come back canonical', () => {
  const out = applyPatch(USER_MODEL, { userName: 'u' }, parsePatchRequest({ operations: [{ OP: 'ADD', PATH: 'NAME.GIVENNAME', VALUE: 'Ann' }] }))
  assert.deepEqual(out.name, { givenName: 'Ann' })
})
