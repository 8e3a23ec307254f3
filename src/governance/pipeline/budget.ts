import { ConductorError, type Clock } from '../../core/index.ts'
import type { Budget, Principal } from '../../identity/index.ts'
import { allowedRequestTimes } from '../requests.repository.ts'
import { eventTarget, type PipelineContext } from './context.ts'
import type { KeyedLock } from '../../store/index.ts'

/** How an agent stands against one budget: `used` of `max` in the last `perHours`, and when the next slot frees if none is left. */
export interface BudgetUse extends Budget {
  used: number
  /** Seconds until one more request fits; 0 while under the budget. */
  retryAfterSeconds: number
}

/**
 * Where `times` (ISO 8601, oldest first: the non-denied requests for the budget's action within its window) leave
 * `budget` at `now` (ms).
 */
export function budgetUse(budget: Budget, times: readonly string[], now: number): BudgetUse {
  const used = times.length
  if (used < budget.max) return { ...budget, used, retryAfterSeconds: 0 }
  if (budget.max === 0) return { ...budget, used, retryAfterSeconds: budget.perHours * 3600 }
  // The window frees a slot when the request that put it at `max` (counting from the newest) leaves it.
  const freeing = Date.parse(times[used - budget.max]!) + budget.perHours * 3_600_000
  return { ...budget, used, retryAfterSeconds: Math.max(1, Math.ceil((freeing - now) / 1000)) }
}

/** How `principal` (an agent) stands against each of its budgets now. */
export async function budgetsOf(deps: { db: Parameters<typeof allowedRequestTimes>[0]; clock: Clock }, principal: Principal): Promise<BudgetUse[]> {
  const budgets = principal.agent?.budgets ?? []
  const now = deps.clock.now()
  return Promise.all(budgets.map(async (b) => budgetUse(b, await allowedRequestTimes(deps.db, principal, b.action, new Date(now - b.perHours * 3_600_000).toISOString()), now)))
}

/**
 * The budget step (part of authorize, before policy): an agent with a budget for the call's action that already made
 * `max` non-denied requests for it in the last `perHours` is refused with `budget_exceeded` (429, Retry-After) and an
 * `agent.budget_exceeded` audit event; nothing else is recorded or changed.
 */
export async function checkBudget<T>(ctx: PipelineContext<T>): Promise<void> {
  const { call, deps } = ctx
  const budget = call.principal.type === 'Agent' ? call.principal.agent?.budgets?.find((b) => b.action === call.action) : undefined
  if (budget === undefined) return
  const now = deps.clock.now()
  const times = await allowedRequestTimes(deps.db, call.principal, call.action, new Date(now - budget.perHours * 3_600_000).toISOString())
  const use = budgetUse(budget, times, now)
  if (use.retryAfterSeconds === 0) return
  const details = { action: call.action, max: budget.max, perHours: budget.perHours, used: use.used, retryAfterSeconds: use.retryAfterSeconds }
  await deps.audit.append({ ...eventTarget(ctx), type: 'agent.budget_exceeded', decision: 'deny', data: { ...details, sponsor: call.principal.agent?.sponsor ?? null, ...call.channel } })
  throw new ConductorError('budget_exceeded', `agent ${call.principal.id} used its budget of ${budget.max} ${call.action} per ${budget.perHours} h; retry in ${use.retryAfterSeconds} s`, { details })
}

/**
 * Runs `step` for `ctx` one at a time per agent and budgeted action in this process, so that a burst of calls cannot all
 * pass the budget check before any of them is recorded; calls without a budget run at once. `locks` is the
 * pipeline's own map (one per governance instance). `step` learns whether the call is budgeted (then it must commit
 * the request before it resolves). With `shared` (`deps.budgetLock`), each step also holds that lock (a PostgreSQL
 * advisory lock on the agent and action), so the budget holds across replicas too.
 */
export async function oneBudgetAtATime<T, R>(ctx: PipelineContext<T>, locks: Map<string, Promise<unknown>> | undefined, step: (budgeted: boolean) => Promise<R>, shared?: KeyedLock): Promise<R> {
  const { call } = ctx
  const budgeted = call.principal.type === 'Agent' && call.principal.agent?.budgets?.some((b) => b.action === call.action) === true
  if (!budgeted || locks === undefined) return step(budgeted)
  const key = `${call.principal.id}\u0000${call.action}`
  const locked = shared ? () => shared(`budget\u0000${key}`, () => step(true)) : () => step(true)
  const run = (locks.get(key) ?? Promise.resolve()).catch(() => undefined).then(locked)
  const settled = run.catch(() => undefined)
  locks.set(key, settled)
  try {
    return await run
  } finally {
    if (locks.get(key) === settled) locks.delete(key)
  }
}
