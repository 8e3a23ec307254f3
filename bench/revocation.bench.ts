import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { startTestApp } from '../harness/app.ts'
import { percentile, printTable, writeResults } from './results.ts'

// Revocation latency: from the start of the SCIM call that deactivates a user to the first refused request
// with that user's still-unexpired token, end to end over loopback HTTP (SQLite; every step durable and audited).
// Usage: node bench/revocation.bench.ts
const ROUNDS = 40
const SCIM_USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const SCIM_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'

const dir = mkdtempSync(join(tmpdir(), 'conductor-bench-revocation-'))
const app = await startTestApp({ databaseUrl: `sqlite:${join(dir, 'conductor.db')}`, environments: [], scim: { enabled: true, groupsSource: 'scim' } })
const base = await app.listen()
const { token: scimToken } = await app.scim!.tokens.create('bench')
const scim = async (method: string, path: string, body: unknown) => {
  const res = await fetch(`${base}/scim/v2${path}`, { method, headers: { authorization: `Bearer ${scimToken}`, 'content-type': 'application/scim+json' }, body: JSON.stringify(body) })
  const json = await res.json() as { id: string }
  if (!res.ok) throw new Error(`SCIM ${method} ${path}: ${res.status} ${JSON.stringify(json)}`)
  return json
}
const me = async (bearer: string) => {
  const res = await fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${bearer}` } })
  await res.arrayBuffer()
  return res.status
}

const user = await scim('POST', '/Users', { schemas: [SCIM_USER], userName: 'alice', active: true })
await scim('POST', '/Groups', { schemas: [SCIM_GROUP], displayName: 'data-eng', members: [{ value: user.id }] })

const total: number[] = []
const afterAnswer: number[] = []
for (let round = 0; round < ROUNDS; round++) {
  await scim('PATCH', `/Users/${user.id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: true }] })
  // Tokens issued in the second of a revocation stay refused: wait for the next second, then sign in afresh.
  await new Promise((r) => setTimeout(r, 1100))
  const token = await app.tokenFor('alice')
  if (await me(token) !== 200) throw new Error('a fresh token of an active user was refused')
  const started = performance.now()
  await scim('PATCH', `/Users/${user.id}`, { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: false } }] })
  const answered = performance.now()
  let tries = 0
  while (await me(token) === 200) {
    if (++tries > 1000) throw new Error('never refused')
  }
  const refused = performance.now()
  total.push(refused - started)
  afterAnswer.push(refused - answered)
}
await app.close()
rmSync(dir, { recursive: true, force: true })

const figures = {
  rounds: ROUNDS,
  scimCallToFirstRefusalMs: { p50: percentile(total, 50), p99: percentile(total, 99), max: Math.max(...total) },
  scimAnswerToFirstRefusalMs: { p50: percentile(afterAnswer, 50), p99: percentile(afterAnswer, 99) },
}
printTable('Revocation latency (SCIM deactivation → first refused request with an unexpired token)', [
  { measure: 'SCIM call start → first refusal', 'p50 ms': figures.scimCallToFirstRefusalMs.p50, 'p99 ms': figures.scimCallToFirstRefusalMs.p99, 'max ms': figures.scimCallToFirstRefusalMs.max },
  { measure: 'SCIM answer → first refusal', 'p50 ms': figures.scimAnswerToFirstRefusalMs.p50, 'p99 ms': figures.scimAnswerToFirstRefusalMs.p99, 'max ms': Math.max(...afterAnswer) },
])
writeResults('revocation', figures)
