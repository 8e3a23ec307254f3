import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { GrantView } from '../../contract/api-types.ts'
import { renderTable } from './format.ts'
import { formatRemaining, GRANT_COLUMNS, grantLine } from './grant-commands.ts'

test('remaining time reads as hours and minutes, rounded down; an ended grant shows a dash', () => {
  assert.equal(formatRemaining(2 * 3600 - 30), '1h 59m')
  assert.equal(formatRemaining(3600), '1h 0m')
  assert.equal(formatRemaining(45 * 60 + 59), '45m')
  assert.equal(formatRemaining(59), '<1m')
  assert.equal(formatRemaining(0), '-')
})

const grant: GrantView = {
  id: '0b7c9a52-2f7e-4f43-9a3e-1c2d3e4f5a6b', requestId: '0b7c9a52-2f7e-4f43-9a3e-1c2d3e4f5a6b', principal: { type: 'User', id: 'bob' },
  group: 'jit-prod-rerun-for-the-finance-warehouse', reason: 'incident 4411', state: 'active', startsAt: '2026-11-30T09:00:00.000Z',
  expiresAt: '2026-11-30T11:00:00.000Z', remainingSeconds: 7140, approvedBy: ['User dave', 'Policy incident-auto-approve'], revokedBy: null, revokedAt: null,
}

test('the grants table fits 80 columns with a long group, keeping the grant id whole and the time left', () => {
  const lines = renderTable([grant], GRANT_COLUMNS, 80)
  assert.ok(lines.every((l) => [...l].length <= 80), lines.join('\n'))
  assert.match(lines[1]!, new RegExp(`^${grant.id} +jit-prod\\S* +active +1h 59m`))
})

test('a started grant prints its group, its end and the time left', () => {
  assert.equal(grantLine(grant), `granted: jit-prod-rerun-for-the-finance-warehouse until 11-30 11:00:00 UTC (1h 59m left), grant ${grant.id}`)
})
