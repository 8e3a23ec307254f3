import assert from 'node:assert/strict'
import { test } from 'node:test'
import { diffPolicyFiles } from '../history/index.ts'
import { CONTROLS, percentile } from '../reports/index.ts'
import { checkPeriod } from './bundle.ts'
import { controlCsv } from './render.ts'
import { fromTarGz, toTarGz } from './tar.ts'

const NOW = Date.parse('2026-06-01T00:00:00Z')

test('a period must be two ISO instants in order, asOf not in the future; asOf defaults to the end, or now when the end is later', () => {
  assert.deepEqual(checkPeriod({ from: '2026-01-01', to: '2026-02-01' }, NOW), { from: '2026-01-01T00:00:00.000Z', to: '2026-02-01T00:00:00.000Z', asOf: '2026-02-01T00:00:00.000Z' })
  assert.equal(checkPeriod({ from: '2026-01-01', to: '2027-01-01' }, NOW).asOf, '2026-06-01T00:00:00.000Z')
  const field = (period: { from: string; to: string; asOf?: string }) => {
    try { checkPeriod(period, NOW); return null } catch (error) { return (error as { details: { field: string } }).details.field }
  }
  assert.equal(field({ from: '2026-02-01', to: '2026-01-01' }), 'from')
  assert.equal(field({ from: '2026-01-01', to: '2026-01-01' }), 'from')
  assert.equal(field({ from: 'last week', to: '2026-01-01' }), 'from')
  assert.equal(field({ from: '2026-01-01', to: '2026-02-31x' }), 'to')
  assert.equal(field({ from: '2026-01-01', to: '2026-02-01', asOf: '2030-01-01' }), 'asOf')
})

test('a policy diff lists added, removed and changed files with +/- lines, and leaves unchanged files out', () => {
  const diffs = diffPolicyFiles({ 'a.cedar': 'permit (principal, action, resource);\n', 'same.cedar': 'x\n', 'gone.cedar': 'y\n' }, { 'a.cedar': 'forbid (principal, action, resource);\n', 'same.cedar': 'x\n', 'new.cedar': 'z\n' })
  assert.deepEqual(diffs.map((d) => [d.file, d.change, d.added, d.removed]), [['a.cedar', 'modified', 1, 1], ['gone.cedar', 'removed', 0, 1], ['new.cedar', 'added', 1, 0]])
  assert.ok(diffs[0]!.lines.includes('-permit (principal, action, resource);') && diffs[0]!.lines.includes('+forbid (principal, action, resource);'))
  assert.equal(diffPolicyFiles(undefined, { 'a.cedar': 'p\n' })[0]!.change, 'added')
})

test('p95 is nearest-rank; every control of the issue is mapped to evidence', () => {
  assert.equal(percentile([], 95), null)
  assert.equal(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 95), 95)
  assert.equal(percentile([3, 1, 2], 95), 3)
  assert.deepEqual(CONTROLS.map((c) => c.id), ['CC6.1', 'CC6.2', 'CC6.3', 'CC7.2', 'CC8.1', 'A.5.15', 'A.5.16', 'A.5.17', 'A.5.18', 'A.8.2', 'A.8.15'])
  assert.ok(CONTROLS.every((c) => c.evidence.length > 0))
})

test('a control CSV quotes commas, quotes and line breaks, one column per field across its sections', () => {
  const csv = controlCsv({
    ...CONTROLS[0]!, period: { from: 'a', to: 'b' },
    sections: [{ kind: 'approvals', title: '', summary: {}, notes: [], rows: [{ comment: 'ok, "fine"\nreally', n: 2 }] }, { kind: 'reviews', title: '', summary: {}, notes: [], rows: [{ n: 3, by: null }] }],
  })
  assert.equal(csv, 'evidence,comment,n,by\r\napprovals,"ok, ""fine""\nreally",2,\r\nreviews,,3,\r\n')
})

test('a bundle survives tar.gz and back byte for byte; a path leaving the folder is refused', async () => {
  const files = new Map([['controls/CC6.1.csv', Buffer.from('a,b\r\n')], ['summary.pdf', Buffer.from([0x25, 0x50, 0x44, 0x46, 0, 255])]])
  const back = await fromTarGz(await toTarGz(files, new Date(NOW)))
  assert.deepEqual([...back.keys()], [...files.keys()])
  for (const [k, v] of files) assert.ok(back.get(k)!.equals(v))
  await assert.rejects(fromTarGz(await toTarGz(new Map([['../escape.txt', Buffer.from('x')]]), new Date(NOW))), /unsafe path/)
})
