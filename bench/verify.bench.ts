/**
 * Token verifications per second with a cached JWKS, RS256 and ES256, in one process.
 * A loopback server publishes the key set; each verification is awaited in turn.
 * Run: `node bench/verify.bench.ts` (BENCH_VERIFY_ITERATIONS overrides the count).
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { performance } from 'node:perf_hooks'
import { SignJWT, exportJWK, generateKeyPair } from 'jose'
import { configSchema } from '../src/config/index.ts'
import { createTokenVerifier } from '../src/identity/index.ts'
import { percentile, printTable, writeResults } from './results.ts'

const iterations = Number(process.env.BENCH_VERIFY_ITERATIONS ?? 5000)
const warmup = Math.min(500, Math.ceil(iterations / 10))

let jwksFetches = 0
const jwks: unknown[] = []
const server = createServer((req, res) => {
  res.setHeader('content-type', 'application/json')
  if (req.url === '/jwks') { jwksFetches++; res.end(JSON.stringify({ keys: jwks })); return }
  res.statusCode = 404
  res.end('{}')
})
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

const rows: Record<string, string | number>[] = []
try {
  const identity = configSchema.parse({
    identity: { audience: 'conductor', issuers: [{ name: 'bench', issuer, jwksUri: `${issuer}/jwks` }] },
  }).identity
  const keys = []
  for (const alg of ['RS256', 'ES256'] as const) {
    const { privateKey, publicKey } = await generateKeyPair(alg)
    jwks.push({ ...(await exportJWK(publicKey)), kid: alg, alg, use: 'sig' })
    keys.push({ alg, privateKey })
  }
  const verifier = createTokenVerifier({ identity })
  const now = Math.floor(Date.now() / 1000)
  for (const { alg, privateKey } of keys) {
    const token = await new SignJWT({ preferred_username: 'alice', groups: ['data-eng', 'pci-operators'], scope: 'conductor' })
      .setProtectedHeader({ alg, kid: alg, typ: 'at+jwt' })
      .setIssuer(issuer).setAudience('conductor').setSubject('alice').setIssuedAt(now).setExpirationTime(now + 3600).setJti(`bench-${alg}`)
      .sign(privateKey)
    for (let i = 0; i < warmup; i++) await verifier.verify(token)
    const fetchesBefore = jwksFetches
    const samples = new Array<number>(iterations)
    const start = performance.now()
    for (let i = 0; i < iterations; i++) {
      const t0 = performance.now()
      await verifier.verify(token)
      samples[i] = performance.now() - t0
    }
    const elapsed = performance.now() - start
    rows.push({
      alg,
      iterations,
      'verifications/s': Math.round(iterations / (elapsed / 1000)),
      'p50 µs': Math.round(percentile(samples, 50) * 1000),
      'p99 µs': Math.round(percentile(samples, 99) * 1000),
      'JWKS fetches': jwksFetches - fetchesBefore,
      'token bytes': token.length,
    })
  }
  verifier.close()
} finally {
  await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections() })
}

printTable(`Token verification, cached JWKS (${iterations} sequential verifications after ${warmup} warm-up)`, rows)
writeResults('verify', rows)
