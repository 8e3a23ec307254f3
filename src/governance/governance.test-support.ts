/** What the governance unit tests share: Cedar policies in a temporary folder, and a fresh in-memory store with its audit log. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before } from 'node:test'
import { createAuditLog, type AuditLog, type AuditTables } from '../audit/index.ts'
import { createPolicyEngine, type PolicyEngine } from '../policy/index.ts'
import { migrateToLatest, openDatabase, type Database } from '../store/index.ts'
import type { GovernanceTables } from './index.ts'

/** Loads `policies` (Cedar text) into a policy engine before the suite and removes it after; read `.engine` in tests. */
export function usePolicies(policies: string): { readonly engine: PolicyEngine } {
  const state = {} as { engine: PolicyEngine; dir: string }
  before(async () => {
    state.dir = await mkdtemp(join(tmpdir(), 'conductor-governance-policies-'))
    await writeFile(join(state.dir, 'test.cedar'), policies)
    state.engine = await createPolicyEngine({ folder: state.dir })
  })
  after(async () => {
    state.engine?.close()
    await rm(state.dir, { recursive: true, force: true })
  })
  return state
}

/** A migrated SQLite database in memory and the audit log over it. */
export async function openTestStore(): Promise<{ database: Database<GovernanceTables & AuditTables>; audit: AuditLog }> {
  const database = await openDatabase<GovernanceTables & AuditTables>({ url: 'sqlite::memory:' })
  await migrateToLatest(database)
  return { database, audit: createAuditLog({ database }) }
}
