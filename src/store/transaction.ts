import type { Transaction } from 'kysely'
import type { Database } from './database.ts'

/**
 * Runs `work` in one transaction: committed when it resolves, rolled back when it throws (the error is rethrown).
 * On SQLite the transaction holds the write lock from its start (`BEGIN IMMEDIATE`), waiting for it without
 * blocking the event loop; on PostgreSQL it is READ COMMITTED unless the work locks rows.
 */
export async function transaction<T, R>(database: Pick<Database<T>, 'db'>, work: (trx: Transaction<T>) => Promise<R>): Promise<R> {
  return database.db.transaction().execute(work)
}
