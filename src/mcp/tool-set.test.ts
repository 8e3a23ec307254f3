import assert from 'node:assert/strict'
import { test } from 'node:test'
import { READ_TOOLS, toolSetFor, WRITE_TOOLS } from './tool-set.ts'

test('a person and a plain service account get the read tools only, whatever they ask for', () => {
  assert.deepEqual(toolSetFor({ type: 'User' }), [...READ_TOOLS])
  assert.deepEqual(toolSetFor({ type: 'ServiceAccount' }), [...READ_TOOLS])
  assert.deepEqual(toolSetFor({ type: 'User', agent: { tools: ['trigger_dag'] } }), [...READ_TOOLS], 'only an Agent principal has a tool list')
  assert.deepEqual(toolSetFor({ type: 'User' }, ['list_dags', 'trigger_dag']), ['list_dags'], 'narrowing cannot add a write tool')
})

test('an agent gets exactly the tools its account lists, the read tools when it lists none; unknown names are ignored', () => {
  assert.deepEqual(toolSetFor({ type: 'Agent', agent: { tools: ['trigger_dag', 'list_dags', 'launch_missiles'] } }), ['list_dags', 'trigger_dag'])
  assert.deepEqual(toolSetFor({ type: 'Agent', agent: { tools: [] } }), [...READ_TOOLS])
  assert.deepEqual(toolSetFor({ type: 'Agent' }), [...READ_TOOLS])
  assert.deepEqual(toolSetFor({ type: 'Agent', agent: { tools: [...WRITE_TOOLS] } }), [...WRITE_TOOLS], 'a write-only agent reads nothing through MCP')
})

test('--tools only narrows an agent\'s set', () => {
  const agent = { type: 'Agent', agent: { tools: ['list_dags', 'trigger_dag'] } }
  assert.deepEqual(toolSetFor(agent, ['trigger_dag', 'rerun_failed_tasks']), ['trigger_dag'])
  assert.deepEqual(toolSetFor(agent, []), [])
  assert.deepEqual(toolSetFor(agent, null), ['list_dags', 'trigger_dag'])
})
