import { performance } from 'node:perf_hooks'
import Fastify from 'fastify'
import { scimRoutes } from '../src/api/index.ts'
import { createAuditLog } from '../src/audit/index.ts'
import { systemClock } from '../src/core/index.ts'
import { createScimService, createScimTokenStore } from '../src/identity/index.ts'
import { engines } from '../harness/databases.ts'
import { percentile, printTable, writeResults } from './results.ts'

// Provisioning through the SCIM HTTP API on loopback, as an IdP does it: 10,000 users (POST /Users), 1,000 groups
// (POST /Groups), then 50,000 memberships in PATCH batches of 50 (Okta/Entra group push), each request audited.
// Then lookups an IdP makes before every create: `userName eq` and `displayName eq` filters.
// Usage: node bench/scim.bench.ts   (set DATABASE_URL=postgres://… for the PostgreSQL rows)
const USERS = Number(process.env.SCIM_BENCH_USERS ?? 10_000)
const GROUPS = Number(process.env.SCIM_BENCH_GROUPS ?? 1_000)
const MEMBERSHIPS = Number(process.env.SCIM_BENCH_MEMBERSHIPS ?? 50_000)
const BATCH = 50
const CLIENTS = 8
const LOOKUPS = 1000

let peakRss = 0
const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss) }, 50)

async function run<T>(total: number, work: (i: number) => Promise<T>): Promise<{ seconds: number; latencies: number[]; results: T[] }> {
  const latencies: number[] = []
  const results: T[] = new Array(total)
  let next = 0
  const started = performance.now()
  await Promise.all(Array.from({ length: CLIENTS }, async () => {
    while (next < total) {
      const i = next++
      const t = performance.now()
      results[i] = await work(i)
      latencies.push(performance.now() - t)
    }
  }))
  return { seconds: (performance.now() - started) / 1000, latencies, results }
}

const rows: Record<string, string | number>[] = []
const figures: Record<string, unknown> = {}
for (const engine of engines()) {
  const database = await engine.open()
  const app = Fastify({ bodyLimit: 1024 * 1024 })
  try {
    const audit = createAuditLog({ database })
    const scim = createScimService({ database })
    const tokens = createScimTokenStore({ db: database.db, clock: systemClock })
    const { token } = await tokens.create('bench')
    await app.register(scimRoutes({ scim, tokens, audit }), { prefix: '/scim/v2' })
    const base = `${await app.listen({ host: '127.0.0.1', port: 0 })}/scim/v2`
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' }
    const call = async (method: string, path: string, body?: unknown, expect = 200) => {
      const res = await fetch(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
      const text = await res.text()
      if (res.status !== expect) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`)
      return text ? JSON.parse(text) as Record<string, unknown> : {}
    }
    peakRss = process.memoryUsage().rss
    const measure = (phase: string, requests: number, r: { seconds: number; latencies: number[] }, extra: Record<string, number> = {}) => {
      const row = {
        engine: engine.name, phase, requests, seconds: r.seconds, 'per second': requests / r.seconds,
        'p50 ms': percentile(r.latencies, 50), 'p99 ms': percentile(r.latencies, 99), 'peak RSS MiB': Math.round(peakRss / 2 ** 20), target: '-', ...extra,
      }
      rows.push(row)
      return row
    }
    const phases: Record<string, unknown> = {}

    const users = await run(USERS, async (i) => (await call('POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `user${i}@bench.example`, externalId: `ext-${i}`,
      name: { givenName: `Given${i}`, familyName: `Family${i}` }, displayName: `User ${i}`, active: true,
      emails: [{ value: `user${i}@bench.example`, type: 'work', primary: true }],
    }, 201)).id as string)
    phases.createUsers = measure('POST /Users', USERS, users)

    const groups = await run(GROUPS, async (i) => (await call('POST', '/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: `group-${i}`, members: [],
    }, 201)).id as string)
    phases.createGroups = measure('POST /Groups', GROUPS, groups)

    // Memberships: group g gets users g*50 … g*50+49 (mod USERS) in PATCH batches of 50, until MEMBERSHIPS are placed.
    const patches = Math.ceil(MEMBERSHIPS / BATCH)
    const memberships = await run(patches, async (p) => {
      const g = p % GROUPS
      const round = Math.floor(p / GROUPS)
      const value = Array.from({ length: Math.min(BATCH, MEMBERSHIPS - p * BATCH) }, (_, k) => ({ value: users.results[(g * BATCH + round * 7919 + k) % USERS]! }))
      await call('PATCH', `/Groups/${groups.results[g]}?excludedAttributes=members`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'add', path: 'members', value }],
      })
    })
    phases.addMemberships = measure(`PATCH /Groups (+${BATCH} members)`, patches, memberships, {})

    const lookups = await run(LOOKUPS, async (i) => {
      const n = (i * 7) % USERS
      const res = await call('GET', `/Users?filter=${encodeURIComponent(`userName eq "USER${n}@bench.example"`)}`)
      if (res.totalResults !== 1) throw new Error(`lookup of user${n} found ${String(res.totalResults)}`)
    })
    phases.userLookup = measure('GET /Users?filter=userName eq', LOOKUPS, lookups)
    const groupLookups = await run(LOOKUPS, async (i) => {
      const res = await call('GET', `/Groups?filter=${encodeURIComponent(`displayName eq "group-${i % GROUPS}"`)}&excludedAttributes=members`)
      if (res.totalResults !== 1) throw new Error('group lookup failed')
    })
    phases.groupLookup = measure('GET /Groups?filter=displayName eq', LOOKUPS, groupLookups)
    const reads = await run(LOOKUPS, async (i) => { await call('GET', `/Users/${users.results[(i * 13) % USERS]}`) })
    phases.userRead = measure('GET /Users/{id} (with groups)', LOOKUPS, reads)

    const counted = await database.db.selectFrom('scim_memberships' as never).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow() as { n: number }
    if (Number(counted.n) !== MEMBERSHIPS) throw new Error(`expected ${MEMBERSHIPS} memberships, found ${counted.n}`)
    const chain = await audit.verify()
    if (!chain.ok) throw new Error('the audit chain does not verify')
    const total = users.seconds + groups.seconds + memberships.seconds
    rows.push({ engine: engine.name, phase: 'total provisioning', requests: USERS + GROUPS + patches, seconds: total, 'per second': (USERS + GROUPS + patches) / total, 'p50 ms': '', 'p99 ms': '', 'peak RSS MiB': Math.round(peakRss / 2 ** 20), target: '<= 12 s, <= 250 MiB' })
    figures[engine.name] = { users: USERS, groups: GROUPS, memberships: MEMBERSHIPS, clients: CLIENTS, auditedEvents: chain.count, totalSeconds: total, peakRssMiB: Math.round(peakRss / 2 ** 20), phases }
  } finally {
    await app.close()
    await database.close()
  }
}
clearInterval(sampler)
printTable(`SCIM provisioning over HTTP on loopback (${CLIENTS} concurrent clients, every request audited)`, rows)
writeResults('scim', figures)
