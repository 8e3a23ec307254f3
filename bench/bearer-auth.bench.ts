// Bearer-token authentication on a real Conductor (SQLite, development issuer, RS256):
// - the same token authenticated again and again in-process (verify + revocation check + principal), with the
//   verified-token cache and the 1-s revocation answers, and without them (before), in the same run
//   (target >= 50,000/s), and how long a revocation made on another replica takes to refuse the token (target <= 1 s);
// - GET /api/v1/me under 200 connections from a load generator in its own process (undici, loopback)
//   (target >= 8,000 requests/s, p99 <= 50 ms).
//
//   node bench/bearer-auth.bench.ts          (BENCH_SECONDS=8 for the HTTP load)
import { fork } from 'node:child_process'
import { Pool } from 'undici'
import { engines } from '../harness/databases.ts'
import { startTestApp } from '../harness/app.ts'
import { createRevocations, createTokenVerifier, resolvePrincipal } from '../src/identity/index.ts'
import { hostBeforeStart, printHost } from './host.ts'
import { percentile, printTable, writeResults } from './results.ts'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8)
const CONNECTIONS = 200

/** The load generator (child process): CONNECTIONS requests in flight for `seconds`; reports count and latencies. */
async function load(url: string, token: string, seconds: number, path: string): Promise<void> {
  const pool = new Pool(url, { connections: CONNECTIONS, pipelining: 1 })
  const latencies: number[] = []
  let errors = 0
  const end = performance.now() + seconds * 1000
  const warmEnd = performance.now() + 1000
  const worker = async () => {
    while (performance.now() < end) {
      const t0 = performance.now()
      try {
        const res = await pool.request({ path, method: 'GET', headers: { authorization: `Bearer ${token}` } })
        await res.body.dump()
        if (res.statusCode !== 200) errors++
      } catch { errors++ }
      if (t0 > warmEnd) latencies.push(performance.now() - t0)
    }
  }
  await Promise.all(Array.from({ length: CONNECTIONS }, worker))
  await pool.close()
  process.send!({ count: latencies.length, seconds: seconds - 1, p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors })
}

if (process.argv[2] === '--load') {
  await load(process.argv[3]!, process.argv[4]!, Number(process.argv[5]), process.argv[6]!)
  process.exit(0)
}

const host = hostBeforeStart()
printHost(host)
const database = await engines()[0]!.open()
const app = await startTestApp({ databaseUrl: database.url, environments: [{ name: 'local', url: 'http://127.0.0.1:1' }] })
try {
  const token = await app.tokenFor('alice')
  const clock = app.database.clock

  /** Authentications per second of the bearer path (verify, revocation check, principal) for `ms` of time. */
  const rate = async (verify: (t: string) => Promise<unknown>, ms: number) => {
    for (let i = 0; i < 200; i++) await verify(token)
    let n = 0
    const t0 = performance.now()
    while (performance.now() - t0 < ms) { await verify(token); n++ }
    return n / ((performance.now() - t0) / 1000)
  }
  const path = (cacheSize: number, cacheMs: number) => {
    const verifier = createTokenVerifier({ identity: app.identity, clock, cacheSize })
    const revocations = createRevocations({ db: app.database.db, clock, cacheMs })
    return {
      verifier, revocations,
      authenticate: async (t: string) => {
        const verified = await verifier.verify(t)
        await revocations.check(verified)
        return resolvePrincipal(verified, app.identity)
      },
    }
  }
  const before = path(0, 0)
  const after = path(10_000, 900)
  const beforeRate = await rate(before.authenticate, 2000)
  const afterRate = await rate(after.authenticate, 2000)

  // Revocation made elsewhere (another replica's list, same database): how long the cached path keeps accepting.
  const verified = await after.verifier.verify(token)
  const elsewhere = createRevocations({ db: app.database.db, clock })
  await elsewhere.revokeSubject(verified.issuerName, verified.subject, 'bench')
  const revokedAt = performance.now()
  let refusedAfterMs = Infinity
  while (performance.now() - revokedAt < 3000) {
    try { await after.authenticate(token) } catch { refusedAfterMs = performance.now() - revokedAt; break }
  }

  // GET /api/v1/me under load, with a fresh token (alice's old one is revoked now).
  const base = await app.listen()
  const fresh = await new Promise<string>((resolve) => setTimeout(() => resolve(app.tokenFor('bob')), 1100))
  const generate = (path: string) => {
    const child = fork(new URL(import.meta.url).pathname, ['--load', base, fresh, String(SECONDS), path], { env: { ...process.env, NODE_NO_WARNINGS: '1' } })
    return new Promise<{ count: number; seconds: number; p50: number; p99: number; errors: number }>((resolve, reject) => {
      child.once('message', (m) => resolve(m as never))
      child.once('exit', (code) => { if (code !== 0) reject(new Error(`the load generator exited with ${code}`)) })
    })
  }
  const http = await generate('/api/v1/me')
  // The ceiling of the HTTP stack on this machine: the same load on /healthz (no authentication, no database).
  const health = await generate('/healthz')
  const rps = http.count / http.seconds

  const figures = {
    sameTokenPerSecond: { before: beforeRate, after: afterRate, target: 50_000 },
    revocationElsewhereRefusedAfterMs: { figure: refusedAfterMs, target: 1000 },
    me: { connections: CONNECTIONS, requestsPerSecond: rps, p50Ms: http.p50, p99Ms: http.p99, errors: http.errors, target: { requestsPerSecond: 8000, p99Ms: 50 } },
    healthz: { requestsPerSecond: health.count / health.seconds, p50Ms: health.p50, p99Ms: health.p99 },
    tokenCache: after.verifier.cacheStats(),
    host,
  }
  printTable('Bearer-token authentication (RS256, development issuer, SQLite)', [
    { what: 'same token, authentications/s, before (verify every time)', figure: Math.round(beforeRate), target: '-' },
    { what: 'same token, authentications/s, with the token cache', figure: Math.round(afterRate), target: '>= 50000' },
    { what: 'revoked on another replica: refused after (ms)', figure: Math.round(refusedAfterMs), target: '<= 1000' },
    { what: `GET /api/v1/me, ${CONNECTIONS} connections, requests/s`, figure: Math.round(rps), target: '>= 8000' },
    { what: 'GET /api/v1/me p50 (ms)', figure: http.p50, target: '-' },
    { what: 'GET /api/v1/me p99 (ms)', figure: http.p99, target: '<= 50' },
    { what: `GET /healthz (HTTP stack alone), ${CONNECTIONS} connections, requests/s`, figure: Math.round(health.count / health.seconds), target: '-' },
    { what: 'GET /healthz p99 (ms)', figure: health.p99, target: '-' },
  ])
  if (http.errors > 0) console.log(`${http.errors} requests failed`)
  writeResults('bearerAuth', figures)
} finally {
  await app.close()
  await database.close()
}
