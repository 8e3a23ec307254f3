// What Prometheus metrics cost on the hot paths, measured in one run against the same work without them:
// - an authorization decision (the policy engine as app.ts wraps it, counting by outcome and policy version);
// - `GET /api/v1/me` through the whole Fastify server (in-process inject), metrics on vs. `metrics.enabled: false`;
// - one scrape of /metrics after that traffic.
// Target (obs brief, not a figure of the issue): metrics add at most 5% (ratio ≤ 1.05) to a decision and a request.
// Rounds alternate between the two variants so load from other processes falls on both alike; on a shared machine
// that ratio still moves by several percent either way, so the recorders' own cost per call is measured too (a
// million calls each) and shown as a share of the work it rides on: that figure is the stable one.
//
//   node bench/metrics-overhead.bench.ts
import { join } from 'node:path'
import { startTestApp } from '../harness/app.ts'
import { createMetrics } from '../src/metrics/index.ts'
import { instrumentPolicy } from '../src/observability.ts'
import { createPolicyEngine, type AuthorizationRequest } from '../src/policy/index.ts'
import { printTable, writeResults } from './results.ts'

const root = new URL('..', import.meta.url).pathname
const ROUNDS = 8
const DECISIONS = 20_000
const REQUESTS = 1_500

/** Median of `rounds` alternating timings of `a` and `b`, in ms per round; which goes first alternates too (GC debt). */
async function alternate(a: () => Promise<void> | void, b: () => Promise<void> | void): Promise<{ a: number; b: number }> {
  const ta: number[] = [], tb: number[] = []
  const time = async (f: () => Promise<void> | void, into: number[]) => { const t = performance.now(); await f(); into.push(performance.now() - t) }
  for (let i = 0; i < ROUNDS; i++) {
    if (i % 2 === 0) { await time(a, ta); await time(b, tb) } else { await time(b, tb); await time(a, ta) }
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!
  return { a: median(ta), b: median(tb) }
}

const raw = await createPolicyEngine({ folder: join(root, 'policies') })
const counted = instrumentPolicy(raw, createMetrics({ processMetrics: false }))
const requests: AuthorizationRequest[] = [
  { principal: { type: 'User', id: 'alice', groups: ['data-eng'] }, action: 'dag:read', resource: { environment: { name: 'local', zone: 'dev', tier: 'dev', team: 'platform' }, dag: { dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['data-eng'], paused: false } } },
  { principal: { type: 'User', id: 'carol', groups: ['auditors'] }, action: 'audit:read' },
  { principal: { type: 'User', id: 'bob', groups: ['analysts'] }, action: 'policy:write' },
]
const decide = (engine: typeof raw) => () => { for (let i = 0; i < DECISIONS; i++) engine.authorize(requests[i % requests.length]!) }
decide(raw)(); decide(counted)()
const decisions = await alternate(decide(raw), decide(counted))
raw.close()

const start = (enabled: boolean) => startTestApp({ databaseUrl: 'sqlite::memory:', environments: [], extraConfig: { metrics: { enabled } } })
const [off, on] = [await start(false), await start(true)]
const [offToken, onToken] = [await off.tokenFor('alice'), await on.tokenFor('alice')]
const hit = (app: typeof on, token: string) => async () => {
  for (let i = 0; i < REQUESTS; i++) {
    const res = await app.server.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } })
    if (res.statusCode !== 200) throw new Error(`GET /api/v1/me answered ${res.statusCode}`)
  }
}
await hit(off, offToken)(); await hit(on, onToken)()
const http = await alternate(hit(off, offToken), hit(on, onToken))
let t = performance.now()
const scraped = await on.metrics!.scrape()
const scrapeMs = performance.now() - t
t = performance.now()
await on.metrics!.scrape()
const secondScrapeMs = performance.now() - t
await off.close(); await on.close()

const recorder = createMetrics({ processMetrics: false })
const MILLION = 1_000_000
t = performance.now()
for (let i = 0; i < MILLION; i++) recorder.observeDecision(i % 3 === 0 ? 'deny' : 'allow', 1)
const decisionNs = ((performance.now() - t) * 1e6) / MILLION
t = performance.now()
for (let i = 0; i < MILLION; i++) recorder.observeRequest('GET', '/api/v1/me', 200, 0.0004)
const requestNs = ((performance.now() - t) * 1e6) / MILLION

const rows = [
  { what: 'authorization decision', 'without µs': (decisions.a * 1000) / DECISIONS, 'with µs': (decisions.b * 1000) / DECISIONS, ratio: decisions.b / decisions.a, target: '≤ 1.05' },
  { what: 'GET /api/v1/me (inject)', 'without µs': (http.a * 1000) / REQUESTS, 'with µs': (http.b * 1000) / REQUESTS, ratio: http.b / http.a, target: '≤ 1.05' },
]
printTable('Metrics overhead (median of alternating rounds)', rows)
const own = [
  { what: 'count a decision', 'ns per call': decisionNs, 'share of the work': `${((decisionNs / 1000) / ((decisions.a * 1000) / DECISIONS) * 100).toFixed(3)} % of a decision`, target: '≤ 5 %' },
  { what: 'record a request', 'ns per call': requestNs, 'share of the work': `${((requestNs / 1000) / ((http.a * 1000) / REQUESTS) * 100).toFixed(3)} % of a request`, target: '≤ 5 %' },
]
printTable('The recorders alone (1,000,000 calls each)', own)
console.log(`\none scrape: ${scrapeMs.toFixed(1)} ms first, ${secondScrapeMs.toFixed(1)} ms next (${scraped.body.split('\n').filter((l) => l && !l.startsWith('#')).length} samples)`)
writeResults('metrics-overhead', { rows, recorders: own, scrapeMs, secondScrapeMs })
