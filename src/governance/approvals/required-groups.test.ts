import assert from 'node:assert/strict'
import { test } from 'node:test'
import { escalationsOf, groupsMet, requiredGroups } from './required-groups.ts'

const requirement = {
  groups: [{ group: 'data-leads', count: 1 }], reasonRequired: true, policyIds: ['p'],
  escalations: [{ group: 'platform-admins', count: 1, afterMinutes: 240 }, { group: 'cto', count: 1, afterMinutes: 1440 }],
}
const made = '2026-11-30T08:00:00.000Z'
const at = (iso: string) => Date.parse(iso)

test('before the wait only the @approval groups may approve; once it is over, the escalation group may too', () => {
  assert.deepEqual(requiredGroups(requirement, made, at('2026-11-30T11:59:59.999Z')).map((g) => g.group), ['data-leads'])
  assert.deepEqual(requiredGroups(requirement, made, at('2026-11-30T12:00:00.000Z')).map((g) => g.group), ['data-leads', 'platform-admins'])
  assert.deepEqual(requiredGroups(requirement, made, at('2026-12-01T08:00:00.000Z')).map((g) => g.group), ['data-leads', 'platform-admins', 'cto'])
})

test('escalationsOf says when each escalation applies and whether it does now', () => {
  assert.deepEqual(escalationsOf(requirement, made, at('2026-11-30T12:30:00.000Z')), [
    { group: 'platform-admins', count: 1, afterMinutes: 240, at: '2026-11-30T12:00:00.000Z', active: true },
    { group: 'cto', count: 1, afterMinutes: 1440, at: '2026-12-01T08:00:00.000Z', active: false },
  ])
  assert.deepEqual(escalationsOf({ groups: [], reasonRequired: false, policyIds: [] }, made, at(made)), [], 'a request stored before escalation existed has none')
})

test('groupsMet counts approvers per group: count of them in any one group', () => {
  const groups = [{ group: 'leads', count: 2 }, { group: 'ops', count: 1 }]
  assert.equal(groupsMet(groups, [['leads']]), false)
  assert.equal(groupsMet(groups, [['leads'], ['leads', 'eng']]), true)
  assert.equal(groupsMet(groups, [['eng'], ['ops']]), true)
  assert.equal(groupsMet(groups, []), false)
})
