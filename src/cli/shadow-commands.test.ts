import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ShadowItem } from '../../contract/api-types.ts'
import { renderTable } from './format.ts'
import { SHADOW_COLUMNS } from './shadow-commands.ts'

test('the shadow table fits 80 columns with long DAG and run ids, keeping severity and kind whole', () => {
  const item: ShadowItem = {
    environment: 'prod-eu-central', key: 'run:x', kind: 'unowned_schedule', severity: 'warning', dagId: 'finance_reconciliation_daily_with_a_long_name',
    runId: 'scheduled__2026-11-30T00:00:00+00:00', actor: 'someone.with.a.long.name', detail: {}, occurredAt: '2026-11-30T00:00:00.000Z', detectedAt: '2026-11-30T00:01:00.000Z',
  }
  const lines = renderTable([item], SHADOW_COLUMNS, 80)
  assert.ok(lines.every((l) => [...l].length <= 80), lines.join('\n'))
  assert.match(lines[1]!, /warning +unowned_schedule +prod-eu/)
})
