/** Scratch databases on a PostgreSQL server, for tests and for the harness's Airflow metadata. */
import { randomBytes } from 'node:crypto'
import pg from 'pg'

/** `url` when it names a PostgreSQL server (postgres:// or postgresql://), else undefined. */
export function postgresServer(url: string | undefined): string | undefined {
  return url !== undefined && /^postgres(ql)?:\/\//.test(url) ? url : undefined
}

/** An empty database of its own on a PostgreSQL server, and how to drop it (closing any connection still open). */
export interface ScratchDatabase {
  /** Its URL: the server's URL with the database's name as the path. */
  readonly url: string
  drop(): Promise<void>
}

/** Creates a uniquely named empty database (`<prefix>_<time>_<random>`) through the maintenance connection `maintenanceUrl`. */
export async function scratchPostgresDatabase(maintenanceUrl: string, prefix: string): Promise<ScratchDatabase> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`
  await maintenance(maintenanceUrl, `CREATE DATABASE ${name}`)
  const target = new URL(maintenanceUrl)
  target.pathname = `/${name}`
  return { url: target.toString(), drop: () => maintenance(maintenanceUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) }
}

async function maintenance(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}
