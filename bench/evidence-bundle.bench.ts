/**
 * Evidence bundle generation and offline verification (issue 14) for a synthetic organisation: 10,000 principals in
 * 40 teams, a catalog of 300 DAGs, the project's policies plus one permit per team (changed once mid-year), and a year
 * of audit events (BENCH_EVIDENCE_EVENTS, default 200,000: a bounded rate, about one every 2.6 minutes, so one run
 * stays under ~3 minutes on 2 cores) with 500 SCIM deprovisionings. Times `bundle()` (report, signed checkpoint, PDF
 * when Chromium is there, manifest) and the tar.gz, the process's peak RSS, and `evidence verify` over the files.
 * Run: `node bench/evidence-bundle.bench.ts` (SQLite in a temp folder).
 */
import { generateKeyPairSync } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { performance } from 'node:perf_hooks'
import pino from 'pino'
import { canonicalData, createAuditCheckpointService, createAuditLog, GENESIS_HASH, hashAuditEvent, type AuditCheckpointTables, type AuditEvent, type AuditEventsTable } from '../src/audit/index.ts'
import { createAccessAsOf, createEvidence, toTarGz, verifyEvidenceBundle, type ComplianceHistoryTables } from '../src/compliance/index.ts'
import { configSchema } from '../src/config/index.ts'
import { fixedClock } from '../src/core/index.ts'
import { listCatalogDagAttributes, type GovernanceTables } from '../src/governance/index.ts'
import { readPolicyFolder } from '../src/policy/index.ts'
import { migrateToLatest, openDatabase, transaction } from '../src/store/index.ts'
import { printTable, writeResults } from './results.ts'

const PRINCIPALS = Number(process.env.BENCH_EVIDENCE_PRINCIPALS ?? 10_000)
const TEAMS = 40
const DAGS = 300
const EVENTS = Number(process.env.BENCH_EVIDENCE_EVENTS ?? 200_000)
const DEPROVISIONINGS = 500
const T0 = Date.parse('2025-12-01T00:00:00Z')
const YEAR = 365 * 86_400_000
const iso = (ms: number) => new Date(ms).toISOString()
const rss = () => Math.round(process.resourceUsage().maxRSS / 1024)

const dir = await mkdtemp(join(tmpdir(), 'evidence-bench-'))
type Tables = AuditCheckpointTables & ComplianceHistoryTables & GovernanceTables
const database = await openDatabase<Tables>({ url: `sqlite:${join(dir, 'bench.db')}` })
await migrateToLatest(database)
const db = database.db
const seedStarted = performance.now()

// Policies: the project's, plus one permit per team over its DAGs; version 2 (mid-year) lets team-0 rerun too.
// Without links/schedules/service-accounts.cedar: they read principal.username, which makes every principal its own
// access class (computeAccess then asks policy once per person instead of once per group set).
const IDENTITY_READING = new Set(['links.cedar', 'schedules.cedar', 'service-accounts.cedar'])
const base = (await readPolicyFolder(join(import.meta.dirname, '..', 'policies'))).filter((s) => !IDENTITY_READING.has(s.file))
const teams = (extra: string) => Array.from({ length: TEAMS }, (_, t) => `@id("team-${t}-operate")\npermit (principal in Group::"team-${t}", action in [Action::"dag:read", Action::"dag:trigger"], resource) when { resource.tags.contains("team:team-${t}") };\n`).join('\n') + extra
const v1 = { ...Object.fromEntries(base.map((s) => [s.file, s.text])), 'teams.cedar': teams('') }
const v2 = { ...v1, 'teams.cedar': teams('\n@id("team-0-rerun")\npermit (principal in Group::"team-0", action == Action::"dag:rerun", resource) when { resource.tags.contains("team:team-0") };\n') }
await db.insertInto('policy_versions').values([
  { id: 'v1', hash: 'v1'.padEnd(64, '0'), version: 1, loaded_at: iso(T0), files: JSON.stringify(v1), author: 'Platform Team <platform@example.com>', git_commit: 'a'.repeat(40), previous_hash: null },
  { id: 'v2', hash: 'v2'.padEnd(64, '0'), version: 2, loaded_at: iso(T0 + YEAR / 2), files: JSON.stringify(v2), author: 'Platform Team <platform@example.com>', git_commit: 'b'.repeat(40), previous_hash: 'v1'.padEnd(64, '0') },
]).execute()

// The catalog and the directory (every principal signed in at the start, in a team; every 50th is also a lead).
for (let i = 0; i < DAGS; i += 100) {
  await db.insertInto('catalog_dags').values(Array.from({ length: 100 }, (_, k) => ({
    environment: 'prod', dag_id: `dag_${i + k}`, description: null, tags: JSON.stringify([`team:team-${(i + k) % TEAMS}`]), owners: '[]', paused: 0, schedule: null, synced_at: iso(T0), team: null, allowed_run_types: null,
  }))).execute()
}
const groupsOf = (i: number) => [`team-${i % TEAMS}`, ...(i % 50 === 0 ? ['data-leads'] : []), ...(i % 500 === 1 ? ['auditors'] : [])]
await transaction(database, async (trx) => {
  for (let i = 0; i < PRINCIPALS; i += 500) {
    await trx.insertInto('directory_history').values(Array.from({ length: 500 }, (_, k) => ({
      id: `d-${i + k}`, principal_type: 'User', principal_id: `user${i + k}`, display_name: `User ${i + k}`, groups: JSON.stringify(groupsOf(i + k).sort()), active: 1, recorded_at: iso(T0 + i + k), source: 'sign-in' as const,
    }))).execute()
  }
})

// A year of events, chained as appends write them; every EVENTS/DEPROVISIONINGS-th slot is a SCIM deactivation
// (a history row) followed 1.5 s later by its access.revoked.
const every = Math.floor(EVENTS / DEPROVISIONINGS)
const sample = (seq: number): Omit<AuditEvent, 'seq' | 'at' | 'prevHash' | 'hash'> => {
  const who = `user${(seq * 7919) % PRINCIPALS}`
  const dag = `dag_${seq % DAGS}`
  const base = { principal: who, principalType: 'User', environment: 'prod', dag, action: 'dag:trigger', requestId: null, decision: null, policyIds: [], data: {} }
  if (seq % every === 0) return { ...base, type: 'access.revoked', principal: `user${(seq / every) * 13 % PRINCIPALS}`, environment: null, dag: null, action: null, data: { reason: 'scim_deactivated', sessionsEnded: 1 } }
  const r = seq % 100
  if (r < 55) return { ...base, type: 'authz.decision', decision: 'allow', policyIds: [`team-${seq % TEAMS}-operate`] }
  if (r < 65) return { ...base, type: 'authz.decision', decision: 'deny' }
  if (r < 70) return { ...base, type: 'auth.failed', environment: null, dag: null, action: null, data: { reason: 'token_expired' } }
  if (r < 82) return { ...base, type: 'session.created', environment: null, dag: null, action: null, data: { session: `s${seq}` } }
  if (r < 87) return { ...base, type: 'request.approved', requestId: `req-${seq}`, data: { approver: `user${(seq % 200) * 50}`, approverGroups: ['data-leads'], comment: 'ok' } }
  if (r < 90) return { ...base, type: 'grant.started', requestId: `req-${seq}`, decision: 'allow', data: { grantId: `g${seq}`, group: 'prod-rerun', approvedBy: 'user50' } }
  if (r < 93) return { ...base, type: 'shadow.run', principal: null, data: { runId: `scheduled__${seq}`, user: 'admin' } }
  if (r < 95) return { ...base, type: 'review.decided', data: { campaignId: 'c1', itemId: `i${seq}`, decision: 'certify' } }
  return { ...base, type: 'dispatch.sent', requestId: `req-${seq}`, data: { runId: `manual__${seq}` } }
}
await transaction(database, async (trx) => {
  let prevHash = GENESIS_HASH
  for (let start = 1; start <= EVENTS; start += 1000) {
    const rows: AuditEventsTable[] = []
    const history: { id: string; principal_type: string; principal_id: string; display_name: null; groups: string; active: number; recorded_at: string; source: 'scim' }[] = []
    for (let seq = start; seq < Math.min(start + 1000, EVENTS + 1); seq++) {
      const at = T0 + 60_000 + Math.floor((seq / EVENTS) * (YEAR - 120_000))
      const e = sample(seq)
      if (e.type === 'access.revoked') history.push({ id: `h-${seq}`, principal_type: 'User', principal_id: e.principal!, display_name: null, groups: '[]', active: 0, recorded_at: iso(at - 1500), source: 'scim' })
      const unhashed: Omit<AuditEvent, 'hash'> = { seq, at: iso(at), ...e, prevHash }
      const hash = hashAuditEvent(unhashed)
      rows.push({ seq, at: unhashed.at, type: e.type, principal: e.principal, principal_type: e.principalType, environment: e.environment, dag: e.dag, action: e.action, request_id: e.requestId, decision: e.decision, policy_ids: JSON.stringify(e.policyIds), data: canonicalData(e.data), prev_hash: prevHash, hash })
      prevHash = hash
    }
    await trx.insertInto('audit_events').values(rows).execute()
    if (history.length) await trx.insertInto('directory_history').values(history).execute()
  }
  await trx.updateTable('audit_chain_head').set({ seq: EVENTS, hash: prevHash }).where('id', '=', 1).execute()
})
const seedMs = performance.now() - seedStarted
const rssAfterSeed = rss()

const clock = fixedClock(T0 + YEAR + 86_400_000)
const auditLog = createAuditLog({ database, clock })
const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
const readKey = async () => pem
const environment = configSchema.parse({
  secrets: { providers: [{ name: 'files', type: 'file', path: '/nonexistent' }] },
  environments: [{ name: 'prod', url: 'http://airflow.invalid', zone: 'eu', tier: 'prod', credentials: { provider: 'files', secret: 'x' } }],
}).environments[0]!
const evidence = createEvidence({
  db, audit: auditLog, readKey, sinks: async () => [], clock, pdf: { chromium: undefined, timeoutMs: 120_000 },
  checkpoints: createAuditCheckpointService({ database, auditLog, readKey, intervalSeconds: 0, logger: pino({ level: 'silent' }), clock }),
  accessAsOf: createAccessAsOf({ db, environments: () => [environment], dags: (env) => listCatalogDagAttributes(db, env) }),
})

const rows: Record<string, string | number>[] = []
try {
  let started = performance.now()
  const bundle = await evidence.bundle({ from: iso(T0), to: iso(T0 + YEAR) }, { type: 'User', id: 'auditor' })
  const bundleMs = performance.now() - started
  started = performance.now()
  const tgz = await toTarGz(bundle.files, new Date(bundle.manifest.generatedAt))
  const tarMs = performance.now() - started
  const rssAfterBundle = rss()
  const out = join(dir, 'bundle')
  for (const [path, bytes] of bundle.files) {
    await mkdir(dirname(join(out, path)), { recursive: true })
    await writeFile(join(out, path), bytes)
  }
  started = performance.now()
  const verified = await verifyEvidenceBundle(out)
  const verifyMs = performance.now() - started
  if (!verified.ok) throw new Error(`the bundle does not verify: ${JSON.stringify(verified.checks.filter((c) => !c.ok))}`)
  const access = JSON.parse((await readFile(join(out, 'controls', 'CC6.1.json'), 'utf8'))) as { sections: { kind: string; rows: unknown[] }[] }
  const accessRows = access.sections.find((s) => s.kind === 'access')!.rows.length
  const deprov = JSON.parse((await readFile(join(out, 'controls', 'CC6.3.json'), 'utf8'))) as { sections: { kind: string; summary: { deprovisionings: number; p95Seconds: number } }[] }
  const d = deprov.sections.find((s) => s.kind === 'deprovisioning')!.summary
  const mb = (n: number) => (n / 2 ** 20).toFixed(1)
  rows.push({ step: 'seed (10k principals, 300 DAGs, a year of events)', value: `${(seedMs / 1000).toFixed(1)} s`, detail: `${EVENTS} events, peak RSS ${rssAfterSeed} MiB` })
  rows.push({ step: 'build the bundle (report, checkpoint, PDF, manifest)', value: `${(bundleMs / 1000).toFixed(1)} s`, detail: `${bundle.files.size} files, PDF ${bundle.manifest.pdf.rendered ? 'rendered' : `not rendered: ${bundle.manifest.pdf.reason}`}` })
  rows.push({ step: 'tar.gz', value: `${(tarMs / 1000).toFixed(1)} s`, detail: `${mb(tgz.length)} MiB from ${mb([...bundle.files.values()].reduce((n, b) => n + b.length, 0))} MiB` })
  rows.push({ step: 'peak RSS after generation', value: `${rssAfterBundle} MiB`, detail: 'process-wide (seeding included)' })
  rows.push({ step: 'evidence verify (offline)', value: `${(verifyMs / 1000).toFixed(1)} s`, detail: `${verified.checks.length} checks, ${bundle.manifest.events.count} events chained` })
  rows.push({ step: 'facts', value: `${accessRows} access rows`, detail: `${d.deprovisionings} deprovisionings, p95 ${d.p95Seconds} s` })
  writeResults('evidence-bundle', {
    principals: PRINCIPALS, dags: DAGS, events: EVENTS, seedSeconds: seedMs / 1000, bundleSeconds: bundleMs / 1000, tarGzSeconds: tarMs / 1000, tarGzMiB: tgz.length / 2 ** 20,
    peakRssMiB: rssAfterBundle, peakRssAfterSeedMiB: rssAfterSeed, verifySeconds: verifyMs / 1000, pdf: bundle.manifest.pdf.rendered, accessRows,
  })
} finally {
  await database.close()
  await rm(dir, { recursive: true, force: true })
}
printTable(`Evidence bundle: ${PRINCIPALS} principals, ${DAGS} DAGs, ${EVENTS} audit events over a year (SQLite)`, rows)
