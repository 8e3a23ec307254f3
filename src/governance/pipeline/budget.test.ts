import assert from 'node:assert/strict'
import { test } from 'node:test'
import { budgetUse, oneBudgetAtATime } from './budget.ts'
import type { PipelineContext } from './context.ts'

const T = Date.parse('2026-01-01T12:00:00Z')
const at = (minutesAgo: number) => new Date(T - minutesAgo * 60_000).toISOString()

test('a budget with room left says how much is used and needs no wait', () => {
  assert.deepEqual(budgetUse({ action: 'dag:trigger', max: 3, perHours: 1 }, [at(50), at(10)], T), { action: 'dag:trigger', max: 3, perHours: 1, used: 2, retryAfterSeconds: 0 })
  assert.equal(budgetUse({ action: 'dag:trigger', max: 3, perHours: 1 }, [], T).used, 0)
})

test('a spent budget frees a slot when the oldest request that counts leaves the window', () => {
  // 3 of 3 used: the one from 50 minutes ago leaves the 1-hour window in 10 minutes.
  assert.equal(budgetUse({ action: 'dag:trigger', max: 3, perHours: 1 }, [at(50), at(30), at(5)], T).retryAfterSeconds, 600)
  // 4 in the window with max 3 (e.g. the budget was lowered): two must leave, the second one at 30 minutes ago frees in 30 minutes.
  assert.equal(budgetUse({ action: 'dag:trigger', max: 3, perHours: 1 }, [at(50), at(30), at(20), at(5)], T).retryAfterSeconds, 1800)
  // A budget of 0 refuses every call for the whole window.
  assert.equal(budgetUse({ action: 'dag:trigger', max: 0, perHours: 2 }, [], T).retryAfterSeconds, 7200)
})

test('budget checks of one agent and action run one at a time; other agents and unbudgeted calls do not wait', async () => {
  const ctx = (id: string, budgeted: boolean) => ({
    call: { action: 'dag:trigger', principal: { type: 'Agent', id, agent: { sponsor: 'alice', tools: [], budgets: budgeted ? [{ action: 'dag:trigger', max: 1, perHours: 1 }] : [] } } },
  }) as unknown as PipelineContext<unknown>
  const locks = new Map<string, Promise<unknown>>()
  const log: string[] = []
  const step = (name: string, fail = false) => async () => {
    log.push(`${name} start`)
    await new Promise((resolve) => setTimeout(resolve, 20))
    log.push(`${name} end`)
    if (fail) throw new Error(name)
  }
  await Promise.allSettled([
    oneBudgetAtATime(ctx('bot', true), locks, step('a', true)),
    oneBudgetAtATime(ctx('bot', true), locks, step('b')),
    oneBudgetAtATime(ctx('other', true), locks, step('c')),
    oneBudgetAtATime(ctx('bot', false), locks, step('d')),
  ])
  const [aEnd, bStart] = [log.indexOf('a end'), log.indexOf('b start')]
  assert.ok(aEnd < bStart, `b waits for a, even though a failed: ${log.join(', ')}`)
  assert.ok(log.indexOf('c start') < aEnd && log.indexOf('d start') < aEnd, `c and d do not wait: ${log.join(', ')}`)
  assert.equal(locks.size, 0, 'nothing is left behind')
})

test('with a lock shared by the replicas, each budgeted check holds it under the agent and action; unbudgeted calls never take it', async () => {
  const ctx = (id: string, budgeted: boolean) => ({
    call: { action: 'dag:trigger', principal: { type: 'Agent', id, agent: { sponsor: 'alice', tools: [], budgets: budgeted ? [{ action: 'dag:trigger', max: 1, perHours: 1 }] : [] } } },
  }) as unknown as PipelineContext<unknown>
  const held: string[] = []
  const shared = async <R>(key: string, work: () => Promise<R>): Promise<R> => {
    held.push(key)
    return work()
  }
  assert.equal(await oneBudgetAtATime(ctx('bot', true), new Map(), async () => 'checked', shared), 'checked')
  assert.equal(await oneBudgetAtATime(ctx('bot', false), new Map(), async () => 'free', shared), 'free')
  assert.deepEqual(held, ['budget\u0000bot\u0000dag:trigger'])
})
