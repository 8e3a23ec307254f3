import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fillTemplate } from './template.ts'

const source = { run_id: 'scheduled__2026-11-30T00:00:00+00:00', dag_id: 'extract_orders', environment: 'upstream', logical_date: null, end_date: '2026-11-30T00:05:00Z' }

test('placeholders are filled in string values at any depth; other values and unknown text are left as they are', () => {
  assert.deepEqual(fillTemplate({
    run: '{{source.run_id}}', path: '{{ source.environment }}/{{source.dag_id}}', nested: { list: ['{{source.end_date}}', 3, true, null] },
    day: '{{source.logical_date}}', other: '{{source.unknown}} {{target.x}}', '{{source.dag_id}}': 'keys are not filled',
  }, source), {
    run: source.run_id, path: 'upstream/extract_orders', nested: { list: ['2026-11-30T00:05:00Z', 3, true, null] },
    day: '', other: '{{source.unknown}} {{target.x}}', '{{source.dag_id}}': 'keys are not filled',
  })
})

test('a value that looks like code stays text: nothing is evaluated', () => {
  const run = { ...source, run_id: '${process.exit(1)} {{source.dag_id}}' }
  assert.deepEqual(fillTemplate({ a: '{{source.run_id}}' }, run), { a: '${process.exit(1)} {{source.dag_id}}' }, 'a filled value is not filled again')
})
