// Policy over the whole catalog, on a real Conductor (SQLite, 500 policies, 5 environments):
// - one person's catalog listing with permissions over 50,000 DAGs (target <= 300 ms);
// - "who can run this" for one DAG with 10,000 known principals (target <= 1 s);
// - the auth manager's `filter`-style batch: 5,000 DAG questions in one POST /api/v1/airflow/{env}/authorize, timed
//   from Node over loopback HTTP (target <= 50 ms);
// and, in the same run, what the listing cost before (five uncached decisions per DAG, timed on 1,000 DAGs and scaled).
//
//   node bench/catalog-policy.bench.ts
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { engines } from '../harness/databases.ts'
import { startTestApp } from '../harness/app.ts'
import { createPolicyEngine, type Action } from '../src/policy/index.ts'
import type { Principal } from '../src/identity/index.ts'
import { hostBeforeStart, printHost } from './host.ts'
import { percentile, printTable, writeResults } from './results.ts'
import { rng } from '../harness/random.ts'

const DAGS = 50_000
const ENVS = ['env-0', 'env-1', 'env-2', 'env-3', 'env-4']
const TEAMS = 100
const PRINCIPALS = 10_000
const POLICIES = 500
const BATCH = 5000
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7)

/** Organisation-wide policies, then five per team (as bench/authorize.bench.ts), and the auth manager's right to ask. */
function policies(count: number): string {
  const out = [
    '@id("analysts-read-all")\npermit (principal in Group::"analysts", action in [Action::"dag:read", Action::"run:read", Action::"run:logs", Action::"environment:read"], resource);',
    '@id("pci-business-hours")\nforbid (principal, action in [Action::"dag:trigger", Action::"dag:rerun"], resource)\nwhen { resource.environment.zone == "pci" && (context.now.hourUtc < 6 || context.now.hourUtc >= 22) };',
    '@id("airflow-asks")\npermit (principal in Group::"auditors", action == Action::"airflow:authorize", resource);',
  ]
  for (let k = 0; out.length < count; k++) {
    const team = `team-${k}`
    out.push(
      `@id("${team}-read")\npermit (principal in Group::"${team}", action in [Action::"dag:read", Action::"run:read", Action::"run:logs"], resource)\nwhen { resource.tags.contains("team:${team}") };`,
      `@id("${team}-operate")\npermit (principal in Group::"${team}", action in [Action::"dag:trigger", Action::"dag:rerun", Action::"dag:pause"], resource)\nwhen { resource.tags.contains("team:${team}") };`,
      `@id("${team}-approve")\npermit (principal in Group::"${team}-leads", action == Action::"request:approve", resource in Environment::"${ENVS[k % ENVS.length]}")\nwhen { resource.tags.contains("team:${team}") };`,
      `@id("${team}-freeze")\nforbid (principal in Group::"${team}", action == Action::"dag:trigger", resource in Environment::"${ENVS[k % ENVS.length]}")\nwhen { context.now.dayOfWeekUtc == "Sat" && context.confKeys.contains("full_refresh") };`,
      `@id("${team}-environments")\npermit (principal in Group::"${team}", action == Action::"environment:read", resource);`,
    )
  }
  return out.slice(0, count).join('\n\n') + '\n'
}

const host = hostBeforeStart()
printHost(host)
const r = rng(12)
const folder = await mkdtemp(join(tmpdir(), 'conductor-bench-catalog-'))
await writeFile(join(folder, 'bench.cedar'), policies(POLICIES))
const database = await engines()[0]!.open()
const app = await startTestApp({ databaseUrl: database.url, policyFolder: folder, environments: ENVS.map((name) => ({ name, url: 'http://127.0.0.1:1' })) })
try {
  const db = app.database.db
  const now = new Date().toISOString()
  const rows = Array.from({ length: DAGS }, (_, i) => ({
    environment: ENVS[i % ENVS.length]!, dag_id: `dag_${String(Math.floor(i / ENVS.length)).padStart(5, '0')}`, description: null,
    tags: JSON.stringify([`team:team-${r.int(TEAMS)}`, ...(r.next() < 0.2 ? ['pii'] : [])]), owners: JSON.stringify(['airflow']),
    paused: r.next() < 0.1 ? 1 : 0, schedule: '@daily', synced_at: now,
  }))
  for (let i = 0; i < rows.length; i += 1000) await db.insertInto('catalog_dags').values(rows.slice(i, i + 1000)).execute()
  const people = Array.from({ length: PRINCIPALS }, (_, i) => {
    const groups = [`team-${r.int(TEAMS)}`, ...(r.next() < 0.3 ? [`team-${r.int(TEAMS)}`] : []), ...(r.next() < 0.1 ? ['analysts'] : [])]
    const id = i === 0 ? 'alice' : `user-${i}`
    return { type: r.next() < 0.1 ? 'ServiceAccount' : 'User', id, issuer: 'dev', subject: id, display_name: null, email: null, groups: JSON.stringify(groups), idp_groups: '[]', first_seen_at: now, last_seen_at: now }
  })
  people[0]!.type = 'User'
  people[0]!.groups = JSON.stringify(['team-1', 'analysts'])
  for (let i = 0; i < people.length; i += 500) await db.insertInto('principals').values(people.slice(i, i + 500)).execute()
  const alice: Principal = { type: 'User', id: 'alice', subject: 'alice', issuer: 'dev', username: 'alice', displayName: null, email: null, groups: ['team-1', 'analysts'], idpGroups: [] }

  const timed = async (rounds: number, fn: () => Promise<unknown>) => {
    const ms: number[] = []
    for (let i = 0; i < rounds; i++) {
      const t0 = performance.now()
      await fn()
      ms.push(performance.now() - t0)
    }
    return ms
  }

  // Listing: the first call fills the decision cache; later calls of the same person hit it.
  const stats0 = app.policy.cacheStats()
  let listed = 0
  const listingFirst = (await timed(1, async () => { listed = (await app.governance.dags(alice)).length }))[0]!
  const listing = await timed(ROUNDS, () => app.governance.dags(alice))
  const stats1 = app.policy.cacheStats()
  // What bounds the listing: reading the 50,000 rows alone.
  const reading = await timed(ROUNDS, () => db.selectFrom('catalog_dags').selectAll().orderBy('environment').orderBy('dag_id').execute())

  const target = rows[0]!
  let accessView: Awaited<ReturnType<typeof app.governance.access>> | null = null
  const accessFirst = (await timed(1, async () => { accessView = await app.governance.access(alice, target.environment, target.dag_id) }))[0]!
  const access = await timed(ROUNDS, () => app.governance.access(alice, target.environment, target.dag_id))

  // The batch, over HTTP as the auth manager asks it (carol is in auditors, who may ask).
  const base = await app.listen()
  const token = await app.tokenFor('carol')
  const body = JSON.stringify({ user: { id: 'alice', type: 'User' }, questions: rows.filter((d) => d.environment === 'env-0').slice(0, BATCH).map((d) => ({ resource: 'dag', method: 'GET', id: d.dag_id })) })
  let allowedInBatch = 0
  const ask = async () => {
    const res = await fetch(`${base}/api/v1/airflow/env-0/authorize`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body })
    const answer = await res.json() as { decisions?: { allowed: boolean }[] }
    if (res.status !== 200 || answer.decisions?.length !== BATCH) throw new Error(`the batch answered ${res.status}: ${JSON.stringify(answer).slice(0, 300)}`)
    allowedInBatch = answer.decisions.filter((d) => d.allowed).length
  }
  await ask()
  const batch = await timed(Math.max(ROUNDS, 15), ask)

  // Before: five decisions per DAG, none remembered (the slice cache still on), on 1,000 DAGs, scaled to 50,000.
  const sample = 1000
  const uncached = await createPolicyEngine({ folder, decisionCacheSize: 0 })
  const envOf = (name: string) => ({ name, zone: 'dev', tier: 'dev', team: 'platform', fullyGoverned: false })
  const t0 = performance.now()
  for (const row of rows.slice(0, sample)) {
    const resource = { environment: envOf(row.environment), dag: { dagId: row.dag_id, tags: JSON.parse(row.tags) as string[], owners: JSON.parse(row.owners) as string[], paused: row.paused === 1 } }
    const principal = { type: 'User' as const, id: 'alice', groups: alice.groups, attributes: { username: 'alice' } }
    if (uncached.authorize({ principal, action: 'dag:read', resource }).decision !== 'allow') continue
    for (const action of ['dag:read', 'dag:trigger', 'dag:rerun', 'dag:pause'] as Action[]) uncached.authorize({ principal, action, resource })
  }
  const beforeListingMs = ((performance.now() - t0) / sample) * DAGS
  uncached.close()

  const hits = stats1.hits - stats0.hits
  const lookups = hits + stats1.misses - stats0.misses
  const figures = {
    dags: DAGS, environments: ENVS.length, policies: POLICIES, principals: PRINCIPALS, listed,
    listingMs: { first: listingFirst, p50: percentile(listing, 50), max: Math.max(...listing), readingRowsP50: percentile(reading, 50), beforeEstimate: beforeListingMs, target: 300 },
    listingDecisionCacheHitRate: lookups > 0 ? hits / lookups : null,
    accessMs: { first: accessFirst, p50: percentile(access, 50), max: Math.max(...access), target: 1000, principalsListed: Object.values(accessView!.actions)[1]!.principals.length },
    batchMs: { questions: BATCH, allowed: allowedInBatch, p50: percentile(batch, 50), p90: percentile(batch, 90), target: 50 },
    decisionCache: app.policy.cacheStats(),
    host,
  }
  printTable(`Policy over the catalog (${DAGS} DAGs, ${ENVS.length} environments, ${POLICIES} policies, ${PRINCIPALS} principals)`, [
    { what: 'listing with permissions, first call (ms)', figure: listingFirst, target: '<= 300' },
    { what: 'listing with permissions, p50 (ms)', figure: percentile(listing, 50), target: '<= 300' },
    { what: '  of which reading the rows from SQLite, p50 (ms)', figure: percentile(reading, 50), target: '-' },
    { what: 'listing before: 5 uncached decisions per DAG (ms, est.)', figure: beforeListingMs, target: '-' },
    { what: '"who can run this", first call (ms)', figure: accessFirst, target: '<= 1000' },
    { what: '"who can run this", p50 (ms)', figure: percentile(access, 50), target: '<= 1000' },
    { what: `batch of ${BATCH} DAG questions over HTTP, p50 (ms)`, figure: percentile(batch, 50), target: '<= 50' },
    { what: 'decision cache hit rate in the listing', figure: figures.listingDecisionCacheHitRate ?? 0, target: '-' },
  ])
  console.log(`listed ${listed} DAGs; batch allowed ${allowedInBatch}/${BATCH}; decision cache ${JSON.stringify(app.policy.cacheStats())}`)
  writeResults('catalogPolicy', figures)
} finally {
  await app.close()
  await database.close()
  await rm(folder, { recursive: true, force: true })
}
