import assert from 'node:assert/strict'
import { test } from 'node:test'
import { InvalidArgumentError } from 'commander'
import { parseToolList } from './mcp-command.ts'

test('--tools takes known tool names, comma-separated; an unknown or empty list is a usage error naming the tools', () => {
  assert.deepEqual(parseToolList('list_dags, get_run_status'), ['list_dags', 'get_run_status'])
  assert.throws(() => parseToolList('list_dags,drop_tables'), (error) => error instanceof InvalidArgumentError && /unknown tool drop_tables; tools are list_environments, /.test(error.message))
  assert.throws(() => parseToolList(' , '), InvalidArgumentError)
})
