import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isConductorError } from '../../core/index.ts'
import { checkTiming, nextFiring } from './timing.ts'

const at = (iso: string) => Date.parse(iso)
const iso = (ms: number) => new Date(ms).toISOString()

test('a cron schedule fires at its wall-clock time in its time zone, across daylight-saving changes', () => {
  // 02:30 every day in Paris: 00:30 UTC in summer, 01:30 UTC in winter.
  assert.equal(iso(nextFiring({ cron: '30 2 * * *', timezone: 'Europe/Paris' }, 0, at('2026-07-01T12:00:00Z'))), '2026-07-02T00:30:00.000Z')
  assert.equal(iso(nextFiring({ cron: '30 2 * * *', timezone: 'Europe/Paris' }, 0, at('2026-12-01T12:00:00Z'))), '2026-12-02T01:30:00.000Z')
  // 09:00 on Mondays in New York, from a Monday afternoon: the next Monday.
  assert.equal(iso(nextFiring({ cron: '0 9 * * 1', timezone: 'America/New_York' }, 0, at('2026-11-30T15:00:00Z'))), '2026-12-07T14:00:00.000Z')
  assert.equal(iso(nextFiring({ cron: '@daily', timezone: 'UTC' }, 0, at('2026-11-30T15:00:00Z'))), '2026-12-01T00:00:00.000Z')
})

test('the next firing is strictly after the time asked about', () => {
  assert.equal(iso(nextFiring({ cron: '*/5 * * * *', timezone: 'UTC' }, 0, at('2026-11-30T14:30:00Z'))), '2026-11-30T14:35:00.000Z')
  const start = at('2026-11-30T10:00:00Z')
  assert.equal(iso(nextFiring({ intervalSeconds: 600 }, start, start)), '2026-11-30T10:10:00.000Z')
  assert.equal(iso(nextFiring({ intervalSeconds: 600 }, start, at('2026-11-30T10:10:00Z'))), '2026-11-30T10:20:00.000Z')
  // Missed firings (a replica down for an hour) are not made up: the count goes on from creation.
  assert.equal(iso(nextFiring({ intervalSeconds: 600 }, start, at('2026-11-30T11:05:00Z'))), '2026-11-30T11:10:00.000Z')
})

test('bad timings are refused naming the field', () => {
  const fieldOf = (timing: Parameters<typeof checkTiming>[0]) => {
    try { checkTiming(timing); return null } catch (error) { return isConductorError(error, 'invalid_input') ? error.details?.field : 'other' }
  }
  assert.equal(fieldOf({ cron: '0 2 * * *', timezone: 'Europe/Paris' }), null)
  assert.equal(fieldOf({ cron: '@weekly', timezone: 'UTC' }), null)
  assert.equal(fieldOf({ cron: '0 2 * * *', timezone: 'Europe/Atlantis' }), 'timezone')
  assert.equal(fieldOf({ cron: '0 25 * * *', timezone: 'UTC' }), 'cron')
  assert.equal(fieldOf({ cron: '* * * * * *', timezone: 'UTC' }), 'cron', 'no seconds field')
  assert.equal(fieldOf({ cron: '@secondly', timezone: 'UTC' }), 'cron')
  assert.equal(fieldOf({ intervalSeconds: 59 }), 'intervalSeconds')
  assert.equal(fieldOf({ intervalSeconds: 60.5 }), 'intervalSeconds')
  assert.equal(fieldOf({ intervalSeconds: 60 }), null)
})
