/** What the governance unit tests share: Cedar policies in a temporary folder, and a fresh in-memory store with its audit log. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before } from 'node:test'
import { createAuditLog, type AuditLog, type AuditTables } from '../audit/index.ts'
import type { EnvironmentConfig } from '../config/index.ts'
import type { Principal } from '../identity/index.ts'
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

/** An Airflow 3 environment named `name` with config's defaults (limits, circuit breaker) and `overrides`. */
export function testEnvironment(name: string, overrides: Partial<EnvironmentConfig> = {}): EnvironmentConfig {
  return {
    name, kind: 'airflow3', url: 'http://airflow.invalid', zone: 'eu', tier: 'dev', credentials: { provider: 'files', secret: 'unused' },
    timeoutMs: 1_000, retries: 0, limits: { maxConcurrentWrites: 2, writesPerSecond: 5, maxConcurrentReads: 4, readsPerSecond: 20, maxWaitMs: 5_000 },
    circuitBreaker: { failureThreshold: 5, openSeconds: 30 }, ...overrides,
  }
}

/** A user principal of the test issuer with `groups` (from its token and the IdP alike). */
export function testUser(id: string, groups: string[]): Principal {
  return { type: 'User', id, subject: `sub-${id}`, issuer: 'test', username: id, displayName: `${id[0]!.toUpperCase()}${id.slice(1)}`, email: null, groups, idpGroups: groups }
}
