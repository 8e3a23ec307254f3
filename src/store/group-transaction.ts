import { sql } from 'kysely'
import type { Transaction } from 'kysely'
import type { Database } from './database.ts'
import { transaction } from './transaction.ts'

/** Runs units of work so that concurrent ones share one transaction (one commit, one fsync); see {@link createGroupTransactions}. */
export interface GroupTransactions<T> {
  /**
   * Runs `work` inside a transaction shared with the other units of work waiting now, each one in turn behind its own
   * savepoint: a unit that throws is rolled back alone and its caller gets the error; the others are unaffected.
   * Resolves only after the shared transaction committed (rejects, all of them, if the commit fails). `work` must use
   * only the transaction it is given (never the database directly, which would wait for the transaction to end).
   */
  run<R>(work: (trx: Transaction<T>) => Promise<R>): Promise<R>
}

interface Unit<T> {
  work: (trx: Transaction<T>) => Promise<unknown>
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

/** Options of {@link createGroupTransactions}. */
export interface GroupTransactionOptions {
  /** The most units of work in one transaction (default 64). */
  maxBatch?: number
}

/**
 * Group commit for any unit of work on `database`: concurrent units run one after another in one transaction, as if
 * each had its own, but commit (and wait for the disk) together. Their effect is that of running them serially.
 */
export function createGroupTransactions<T>(database: Pick<Database<T>, 'db'>, options: GroupTransactionOptions = {}): GroupTransactions<T> {
  const maxBatch = Math.max(1, options.maxBatch ?? 64)
  const queue: Unit<T>[] = []
  let flushing = false

  async function flush(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.splice(0, maxBatch)
      const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = []
      try {
        await transaction(database, async (trx) => {
          for (const unit of batch) {
            if (batch.length === 1) {
              // Alone: no savepoint needed, the transaction is the unit's.
              outcomes.push({ ok: true, value: await unit.work(trx) })
              continue
            }
            await sql`savepoint conductor_unit`.execute(trx)
            try {
              const value = await unit.work(trx)
              await sql`release savepoint conductor_unit`.execute(trx)
              outcomes.push({ ok: true, value })
            } catch (error) {
              await sql`rollback to savepoint conductor_unit`.execute(trx)
              await sql`release savepoint conductor_unit`.execute(trx)
              outcomes.push({ ok: false, error })
            }
          }
        })
        batch.forEach((unit, i) => {
          const outcome = outcomes[i]!
          if (outcome.ok) unit.resolve(outcome.value)
          else unit.reject(outcome.error)
        })
      } catch (error) {
        // A lone unit's own failure, or the commit failed: nothing of this batch is stored.
        for (const unit of batch) unit.reject(error)
      }
      // Let the callers just answered (and everyone else ready) queue up before the next batch is cut.
      if (queue.length < maxBatch) await new Promise<void>((resolve) => setImmediate(resolve))
    }
    flushing = false
  }

  return {
    run<R>(work: (trx: Transaction<T>) => Promise<R>): Promise<R> {
      return new Promise<R>((resolve, reject) => {
        queue.push({ work, resolve: resolve as (value: unknown) => void, reject })
        if (!flushing) {
          flushing = true
          setImmediate(() => void flush())
        }
      })
    },
  }
}
