// Authorization cost against the size of the policy set: decisions per second and p99 latency with 10, 500 and
// 5,000 policies, with the scope-index slicing (what Conductor runs) and without it (every policy on every request).
// Target (issue): cost(5000) / cost(10) <= 3 with slicing.
//
//   node bench/authorize.bench.ts
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fixedClock } from '../src/core/index.ts'
import { createPolicyEngine, type Action, type AuthorizationRequest } from '../src/policy/index.ts'
import { percentile, printTable, writeResults } from './results.ts'
import { rng } from '../harness/random.ts'

const SIZES = [10, 500, 5000]
const ENVS = ['dev', 'staging', 'prod-eu', 'prod-us', 'pci-prod', 'analytics', 'ml-prod', 'sandbox']
const WARMUP = 3000
const MEASURED = 6000


/** Organisation-wide policies, then five per team (like policies/): read, operate, approve in prod, a night freeze, environments. */
function generatePolicies(count: number): string {
  const out = [
    '@id("analysts-read-all")\npermit (principal in Group::"analysts", action in [Action::"dag:read", Action::"run:read", Action::"run:logs", Action::"environment:read"], resource);',
    '@id("pci-business-hours")\nforbid (principal, action in [Action::"dag:trigger", Action::"dag:rerun"], resource)\nwhen { resource.environment.zone == "pci" && (context.now.hourUtc < 6 || context.now.hourUtc >= 22) };',
    '@id("auditors-read-audit")\npermit (principal in Group::"auditors", action == Action::"audit:read", resource);',
  ]
  for (let k = 0; out.length < count; k++) {
    const team = `team-${k}`
    const prod = ENVS[k % ENVS.length]!
    out.push(
      `@id("${team}-read")\npermit (principal in Group::"${team}", action in [Action::"dag:read", Action::"run:read", Action::"run:logs"], resource)\nwhen { resource.tags.contains("team:${team}") };`,
      `@id("${team}-operate")\npermit (principal in Group::"${team}", action in [Action::"dag:trigger", Action::"dag:rerun", Action::"dag:pause"], resource)\nwhen { resource.tags.contains("team:${team}") };`,
      `@id("${team}-approve")\npermit (principal in Group::"${team}-leads", action == Action::"request:approve", resource in Environment::"${prod}")\nwhen { resource.tags.contains("team:${team}") };`,
      `@id("${team}-freeze")\nforbid (principal in Group::"${team}", action == Action::"dag:trigger", resource in Environment::"${prod}")\nwhen { context.now.dayOfWeekUtc == "Sat" && context.confKeys.contains("full_refresh") };`,
      `@id("${team}-environments")\npermit (principal in Group::"${team}", action == Action::"environment:read", resource);`,
    )
  }
  return out.slice(0, count).join('\n\n') + '\n'
}

/** Random principals (one or two teams, some analysts, leads and auditors) over random DAGs of those teams. */
function generateRequests(count: number, teams: number, seed: number): AuthorizationRequest[] {
  const r = rng(seed)
  const users = Array.from({ length: 300 }, (_, i) => {
    const groups = [`team-${r.int(teams)}`]
    if (r.next() < 0.3) groups.push(`team-${r.int(teams)}`)
    if (r.next() < 0.1) groups.push(`${groups[0]}-leads`)
    if (r.next() < 0.1) groups.push('analysts')
    if (r.next() < 0.02) groups.push('auditors')
    return { type: (r.next() < 0.15 ? 'ServiceAccount' : 'User') as 'User' | 'ServiceAccount', id: `user-${i}`, groups }
  })
  const dags = Array.from({ length: 2000 }, (_, i) => {
    const env = r.pick(ENVS)
    return {
      environment: { name: env, zone: env.startsWith('pci') ? 'pci' : 'default', tier: env.includes('prod') ? 'prod' : 'dev', team: null },
      dag: { dagId: `dag_${i}`, tags: [`team:team-${r.int(teams)}`, ...(r.next() < 0.2 ? ['pii'] : [])], owners: [], paused: r.next() < 0.1 },
    }
  })
  const dagsOfTeam = new Map<string, typeof dags>()
  for (const d of dags) {
    const team = d.dag.tags[0]!.slice('team:'.length)
    dagsOfTeam.set(team, [...(dagsOfTeam.get(team) ?? []), d])
  }
  const actions: Action[] = ['dag:read', 'dag:read', 'run:read', 'run:logs', 'dag:trigger', 'dag:trigger', 'dag:rerun', 'dag:pause', 'request:approve', 'environment:read']
  return Array.from({ length: count }, () => {
    const principal = r.pick(users)
    // Most requests are about the principal's own team's DAGs, as in real use; the rest about any DAG.
    const own = dagsOfTeam.get(principal.groups[0]!)
    const resource = own !== undefined && r.next() < 0.6 ? r.pick(own) : r.pick(dags)
    return { principal, action: r.pick(actions), resource, context: r.next() < 0.3 ? { conf: { full_refresh: true } } : {} }
  })
}

interface Run { perSecondOverall: number; perSecond: number; meanUs: number; p99Us: number; allowed: number; hitRate: number | null; decisionHitRate: number | null }

type Engine = Awaited<ReturnType<typeof createPolicyEngine>>

/**
 * Runs the engines in rounds, one batch each per round, so that load from other processes on a shared machine falls
 * on every size alike. The cost is the median over rounds of the batch's mean; p99 is over every measured request.
 */
function measure(engines: Engine[], requests: AuthorizationRequest[][], rounds: number, batch: number, warmup: number): Run[] {
  engines.forEach((engine, e) => { for (let i = 0; i < warmup; i++) engine.authorize(requests[e]![i % requests[e]!.length]!) })
  const before = engines.map((engine) => engine.stats())
  const decisionsBefore = engines.map((engine) => engine.cacheStats())
  const samples: number[][] = engines.map(() => [])
  const roundMeans: number[][] = engines.map(() => [])
  const allowed = engines.map(() => 0)
  for (let round = 0; round < rounds; round++) {
    engines.forEach((engine, e) => {
      const stream = requests[e]!
      const start = performance.now()
      for (let i = 0; i < batch; i++) {
        const t0 = performance.now()
        if (engine.authorize(stream[(round * batch + i) % stream.length]!).decision === 'allow') allowed[e]!++
        samples[e]!.push((performance.now() - t0) * 1000)
      }
      roundMeans[e]!.push(((performance.now() - start) * 1000) / batch)
    })
  }
  return engines.map((engine, e) => {
    const after = engine.stats()
    const decided = engine.cacheStats()
    const decisionHits = decided.hits - decisionsBefore[e]!.hits
    const decisionLookups = decisionHits + decided.misses - decisionsBefore[e]!.misses
    const hits = after.sliceCacheHits - before[e]!.sliceCacheHits
    const lookups = hits + after.sliceCacheMisses - before[e]!.sliceCacheMisses
    const meanUs = percentile(roundMeans[e]!, 50)
    const overallUs = samples[e]!.reduce((a, b) => a + b, 0) / samples[e]!.length
    return {
      perSecondOverall: 1e6 / overallUs,
      perSecond: 1e6 / meanUs,
      meanUs,
      p99Us: percentile(samples[e]!, 99),
      allowed: allowed[e]! / (rounds * batch),
      hitRate: lookups > 0 ? hits / lookups : null,
      decisionHitRate: decisionLookups > 0 ? decisionHits / decisionLookups : null,
    }
  })
}

const root = await mkdtemp(join(tmpdir(), 'conductor-bench-authorize-'))
const clock = fixedClock(Date.UTC(2026, 2, 14, 23))
const opened: Engine[] = []
try {
  const folders: string[] = []
  const requests: AuthorizationRequest[][] = []
  for (const size of SIZES) {
    const folder = join(root, String(size))
    await mkdir(folder)
    await writeFile(join(folder, 'generated.cedar'), generatePolicies(size))
    folders.push(folder)
    requests.push(generateRequests(MEASURED, Math.max(1, Math.ceil((size - 3) / 5)), 7))
  }
  // The decision cache is off for the cost of a decision itself, on for what Conductor runs (the stream repeats
  // principals' groups, DAG attributes and actions as real traffic does; its hit rate is shown).
  const open = async (folder: string, slicing: boolean, decisionCacheSize = 0) => {
    const engine = await createPolicyEngine({ folder, slicing, clock, decisionCacheSize })
    opened.push(engine)
    return engine
  }
  const slicedEngines = await Promise.all(folders.map((f) => open(f, true)))
  const sliced = measure(slicedEngines, requests, 30, MEASURED / 30, WARMUP)
  for (const engine of slicedEngines) engine.close()
  const cachedEngines = await Promise.all(folders.map((f) => open(f, true, 50_000)))
  const cached = measure(cachedEngines, requests, 30, MEASURED / 30, WARMUP)
  for (const engine of cachedEngines) engine.close()
  // Unsliced, every request evaluates every policy: far fewer requests, or 5,000 policies take minutes.
  const unslicedEngines = await Promise.all(folders.map((f) => open(f, false)))
  const unsliced = measure(unslicedEngines, requests, 10, 15, 5)
  for (const engine of unslicedEngines) engine.close()

  const rows: Record<string, string | number>[] = []
  const figures: Record<string, unknown>[] = []
  SIZES.forEach((size, i) => {
    for (const [mode, run] of [['sliced', sliced[i]!], ['sliced+decision cache', cached[i]!], ['unsliced', unsliced[i]!]] as const) {
      rows.push({
        policies: size, mode, 'decisions/s': Math.round(run.perSecond), 'decisions/s over all': Math.round(run.perSecondOverall), 'mean µs': Math.round(run.meanUs), 'p99 µs': Math.round(run.p99Us),
        'allowed %': Math.round(run.allowed * 100), 'slice cache hit %': run.hitRate === null ? '-' : Math.round(run.hitRate * 100),
        'decision cache hit %': run.decisionHitRate === null ? '-' : Math.round(run.decisionHitRate * 100),
      })
      figures.push({ policies: size, mode, decisionsPerSecond: run.perSecond, decisionsPerSecondOverall: run.perSecondOverall, meanUs: run.meanUs, p99Us: run.p99Us, allowedShare: run.allowed, sliceCacheHitRate: run.hitRate, decisionCacheHitRate: run.decisionHitRate })
    }
  })
  const ratio = sliced[2]!.meanUs / sliced[0]!.meanUs
  const unslicedRatio = unsliced[2]!.meanUs / unsliced[0]!.meanUs
  const cachedRatio = cached[2]!.meanUs / cached[0]!.meanUs
  printTable('Authorization: cost against policy count (median of interleaved rounds)', rows)
  console.log(`\ncost(5000)/cost(10): sliced ${ratio.toFixed(2)} (target <= 3: ${ratio <= 3 ? 'met' : 'MISSED'}); with the decision cache ${cachedRatio.toFixed(2)}; unsliced ${unslicedRatio.toFixed(2)}`)
  console.log(`500 policies: ${Math.round(sliced[1]!.perSecond)}/s uncached, ${Math.round(cached[1]!.perSecondOverall)}/s over all requests with the decision cache at ${Math.round((cached[1]!.decisionHitRate ?? 0) * 100)}% hits (target >= 10000)`)
  writeResults('authorize', { runs: figures, costRatio5000to10: ratio, cachedCostRatio5000to10: cachedRatio, unslicedCostRatio5000to10: unslicedRatio, target: 3, met: ratio <= 3, loadAverage: loadavg() })
} finally {
  for (const engine of opened) engine.close()
  await rm(root, { recursive: true, force: true })
}
