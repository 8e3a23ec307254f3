/**
 * Read access to the metadata database of an Airflow the harness started, on whichever engine it runs: SQLite (a
 * file in AIRFLOW_HOME, opened read-only) or PostgreSQL (a scratch database of its own). Tests look there for what
 * Airflow's REST API does not say, e.g. a run's `triggering_user_name` or a DAG's bundle.
 */
import { DatabaseSync, type SQLInputValue } from 'node:sqlite'
import pg from 'pg'

/** Airflow's metadata database, read with SQL both engines understand (`?` placeholders; `NOT flag` for booleans). */
export interface AirflowMetadata {
  /** `sqlite` or `postgres`. */
  readonly engine: 'sqlite' | 'postgres'
  /** The rows of one read-only query, as plain objects. */
  query<Row extends object>(sql: string, params?: readonly (string | number | null)[]): Promise<Row[]>
}

/** The metadata in the SQLite file `database`, opened read-only for each query. */
export function sqliteMetadata(database: string): AirflowMetadata {
  return {
    engine: 'sqlite',
    async query<Row extends object>(sql: string, params: readonly (string | number | null)[] = []) {
      const db = new DatabaseSync(database, { readOnly: true })
      try {
        return db.prepare(sql).all(...params as SQLInputValue[]).map((row) => ({ ...row }) as Row)
      } finally {
        db.close()
      }
    },
  }
}

/** The metadata in the PostgreSQL database at `url`, one short connection per query. */
export function postgresMetadata(url: string): AirflowMetadata {
  return {
    engine: 'postgres',
    async query<Row extends object>(sql: string, params: readonly (string | number | null)[] = []) {
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      try {
        let n = 0
        return (await client.query(sql.replace(/\?/g, () => `$${++n}`), [...params])).rows as Row[]
      } finally {
        await client.end()
      }
    },
  }
}
