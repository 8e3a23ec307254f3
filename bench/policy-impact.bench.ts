/**
 * The impact of a proposed policy change (`POST /api/v1/policies/impact`, `conductor policy diff`) over an organisation:
 * the project's policies, N principals Conductor has seen and M catalog DAGs; three proposals: a change decided by
 * tags (DAGs and principals alike are asked about once), one that names a principal, and one that names a DAG.
 * Run: `node bench/policy-impact.bench.ts` (BENCH_IMPACT_PRINCIPALS, BENCH_IMPACT_DAGS override 1,000 and 5,000).
 */
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createAuditLog, type AuditTables } from '../src/audit/index.ts'
import { configSchema } from '../src/config/index.ts'
import { createPolicyImpacts, type GovernanceTables } from '../src/governance/index.ts'
import { createPolicyEngine } from '../src/policy/index.ts'
import { migrateToLatest, openDatabase } from '../src/store/index.ts'
import { printTable, writeResults } from './results.ts'

const principals = Number(process.env.BENCH_IMPACT_PRINCIPALS ?? 1000)
const dags = Number(process.env.BENCH_IMPACT_DAGS ?? 5000)
const at = '2026-11-30T10:00:00Z'

const database = await openDatabase<GovernanceTables & AuditTables>({ url: 'sqlite::memory:' })
await migrateToLatest(database)
const audit = createAuditLog({ database })
const policy = await createPolicyEngine({ folder: join(import.meta.dirname, '..', 'policies') })
const environment = configSchema.parse({
  secrets: { providers: [{ name: 'files', type: 'file', path: '/nonexistent' }] },
  environments: [{ name: 'prod', url: 'http://airflow.invalid', zone: 'eu', tier: 'prod', credentials: { provider: 'files', secret: 'x' } }],
}).environments[0]!
const groups = ['data-eng', 'analysts', 'ml', 'auditors', 'data-leads', 'platform-admins']
for (let i = 0; i < principals; i++) {
  await database.db.insertInto('principals').values({
    type: 'User', id: `user${i}`, issuer: 'bench', subject: `s${i}`, display_name: null, email: null, groups: JSON.stringify([groups[i % groups.length]]), idp_groups: '[]',
    first_seen_at: at, last_seen_at: at,
  }).execute()
}
const tags = [['team:data-eng'], ['team:ml'], ['team:data-eng', 'sensitive'], ['reports'], []]
for (let i = 0; i < dags; i += 500) {
  await database.db.insertInto('catalog_dags').values(Array.from({ length: Math.min(500, dags - i) }, (_, k) => ({
    environment: 'prod', dag_id: `dag${i + k}`, description: null, tags: JSON.stringify(tags[(i + k) % tags.length]), owners: '[]', paused: 0, schedule: null, synced_at: at, team: null, allowed_run_types: null,
  }))).execute()
}

const impacts = createPolicyImpacts({ db: database.db, policy, environments: new Map([['prod', environment]]), audit, clock: { now: () => Date.now() } })
const asker = { type: 'User' as const, id: 'auditor', subject: 'auditor', issuer: 'bench', username: 'auditor', displayName: null, email: null, groups: ['auditors'], idpGroups: ['auditors'] }
const proposals: [string, string][] = [
  ['by tags', 'permit (principal in Group::"analysts", action == Action::"dag:trigger", resource) when { resource.tags.contains("reports") };'],
  ['names a principal', 'permit (principal, action == Action::"dag:trigger", resource) when { principal.username == "user7" && resource.tags.contains("team:ml") };'],
  ['names a DAG', 'permit (principal in Group::"analysts", action == Action::"dag:trigger", resource) when { resource.dagId == "dag42" };'],
]
const rows: Record<string, string | number>[] = []
try {
  for (const [name, text] of proposals) {
    await impacts.compute(asker, { files: { 'proposed.cedar': text } }) // warm-up
    const start = performance.now()
    const result = await impacts.compute(asker, { files: { 'proposed.cedar': text } })
    rows.push({ proposal: name, principals, DAGs: dags, 'ms': Math.round(performance.now() - start), evaluations: result.counts.evaluations, gains: result.counts.gains, losses: result.counts.losses })
  }
} finally {
  policy.close()
  await database.close()
}
printTable(`Policy change impact: the project's policies, ${principals} principals × ${dags} DAGs (one run each, after a warm-up)`, rows)
writeResults('policy-impact', rows)
