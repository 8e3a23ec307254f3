import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { AccessToken } from '../../contract/api-types.ts'
import { renderTable } from './format.ts'
import { parseBudget, parseDays, parseOwner, scopeText, TOKEN_COLUMNS } from './service-account-commands.ts'

test('budgets, owners and lifetimes read as people write them; anything else is a usage error', () => {
  assert.deepEqual(parseBudget('dag:trigger=20/1h'), { action: 'dag:trigger', max: 20, perHours: 1 })
  assert.deepEqual(parseBudget('run:read=0/24h'), { action: 'run:read', max: 0, perHours: 24 })
  assert.throws(() => parseBudget('dag:trigger=20'), /ACTION=MAX\/HOURSh/)
  assert.deepEqual(parseOwner('group:data-eng'), { type: 'Group', id: 'data-eng' })
  assert.deepEqual(parseOwner('user:alice'), { type: 'User', id: 'alice' })
  assert.throws(() => parseOwner('data-eng'), /group:NAME/)
  assert.equal(parseDays('30d'), 30)
  assert.equal(parseDays('7'), 7)
  assert.throws(() => parseDays('0d'))
  assert.throws(() => parseDays('2w'))
})

const token: AccessToken = {
  id: 'k3v9x0a1b2c3d4e5', kind: 'api', name: 'ci-of-the-finance-warehouse-repository', principal: { type: 'ServiceAccount', id: 'etl-ci' },
  scope: { actions: ['dag:read', 'run:read'], environments: ['prod'] }, createdAt: '2026-11-30T09:00:00.000Z', createdBy: 'User:alice',
  expiresAt: '2026-12-30T09:00:00.000Z', lastUsedAt: null, revokedAt: null, revokedReason: null, parentId: null, state: 'active',
}

test('the token table fits 80 columns and keeps the id whole, so it can be pasted into tokens revoke', () => {
  assert.equal(scopeText(token), 'actions dag:read,run:read; environments prod')
  assert.equal(scopeText({ scope: { actions: null, environments: null } }), '-')
  const lines = renderTable([token], TOKEN_COLUMNS, 80)
  assert.ok(lines.every((l) => [...l].length <= 80), lines.join('\n'))
  assert.match(lines[1]!, /^k3v9x0a1b2c3d4e5 +ci-of\S* +active +12-30 09:00:00/)
})
