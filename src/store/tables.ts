import type { AuditTables } from '../audit/index.ts'

/**
 * Every table of Conductor's database, by name. Each domain declares its tables beside its repository and
 * adds them here with one more `extends` (and its migration with one more line in `migrations/index.ts`).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- a union of the domains' tables, e.g. `extends AuditTables, GovernanceTables`
export interface Tables extends AuditTables {}
