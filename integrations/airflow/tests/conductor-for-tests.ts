/**
 * Starts a real Conductor for the auth manager's pytest suite: the project's policies, the development issuer with
 * the demo users plus `airflow-am` (group `airflow-auth-managers`, the auth manager's credential), one environment
 * `local` whose catalog holds DAGS_COUNT DAGs (`dag_00000`…; even ones tagged `team:data-eng`, odd ones `team:ml`)
 * and whose Airflow people reach at `http://testserver` (the tests' in-process Airflow, where sign-in returns to),
 * a second environment `stubbed` served by the stub Airflow (`etl_daily` tagged `team:data-eng`, `ml_train` tagged
 * `team:ml`; for Airflow clients through `/airflow/stubbed/api/v2`), and alice, bob and carol seen once. Its JWKS
 * (`/.well-known/airflow-jwks.json`) holds its own signing key and, as `identity.airflowTokens.extraJwks`, the public
 * half of an Airflow deployment's own Ed25519 key, whose private PEM is written to `airflowKeyPath` (kid `airflowKid`).
 * SCIM is served (groups still from tokens) with the bearer token `scimToken`. Prints one JSON line
 * `{url, token, bobToken, aliceToken, airflowKeyPath, airflowKid, scimToken}`, then runs until stdin closes.
 */
import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, startTestApp, TEST_USERS } from '../../../harness/app.ts'
import { startStubAirflow } from '../../../harness/stub-airflow.ts'

const count = Number(process.env.DAGS_COUNT ?? 5000)
const dir = mkdtempSync(join(tmpdir(), 'conductor-airflow-plugin-'))
const stub = await startStubAirflow([
  { dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['data-eng'] },
  { dagId: 'ml_train', tags: ['team:ml'], owners: ['ml'] },
])
/** Where sign-in returns people to in environment `local`: the host of the tests' in-process Airflow (FastAPI's TestClient). */
const AIRFLOW_PUBLIC_URL = 'http://testserver'
const airflowKid = 'airflow-plugin-tests'
const airflowKey = generateKeyPairSync('ed25519')
const airflowKeyPath = join(dir, 'airflow-jwt-key.pem')
writeFileSync(airflowKeyPath, airflowKey.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 })
const conductorKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' })
const users = [...TEST_USERS, { username: 'airflow-am', name: 'Airflow auth manager', email: 'am@example.com', groups: ['airflow-auth-managers'] }]
const app = await startTestApp({
  databaseUrl: `sqlite:${join(dir, 'conductor.db')}`,
  // A fixed port makes Conductor's public URL its real one, so browser sign-in's redirects land.
  port: await freePort(),
  environments: [{ name: 'local', url: 'http://127.0.0.1:9', publicUrl: AIRFLOW_PUBLIC_URL }, { name: 'stubbed', url: stub.url }],
  secrets: { 'airflow-token-key': String(conductorKey), 'airflow-own-jwk': JSON.stringify({ ...airflowKey.publicKey.export({ format: 'jwk' }), kid: airflowKid }) },
  extraConfig: {
    identity: {
      audience: 'conductor',
      devIssuer: { enabled: true, host: '127.0.0.1', port: 0, users },
      // SCIM on (groups still from tokens): a test deactivates carol there and watches her Airflow session end.
      scim: { enabled: true },
      airflowTokens: { signingKeys: [{ provider: 'files', secret: 'airflow-token-key' }], extraJwks: [{ provider: 'files', secret: 'airflow-own-jwk' }] },
    },
  },
})
const url = (await app.listen()).replace('[::1]', '127.0.0.1')
const now = new Date().toISOString()
const rows = Array.from({ length: count }, (_, i) => ({
  environment: 'local', dag_id: `dag_${String(i).padStart(5, '0')}`, description: null,
  tags: JSON.stringify([i % 2 === 0 ? 'team:data-eng' : 'team:ml']), owners: '[]', paused: 0, schedule: null, synced_at: now,
}))
for (let i = 0; i < rows.length; i += 500) await app.database.db.insertInto('catalog_dags').values(rows.slice(i, i + 500)).execute()
await app.governance.catalog.syncEnvironment('stubbed')
for (const user of ['alice', 'bob', 'carol']) {
  const answer = await fetch(`${url}/api/v1/me`, { headers: { authorization: `Bearer ${await app.tokenFor(user)}` } })
  if (!answer.ok) throw new Error(`${user} could not be seen: ${answer.status}`)
}
const scimToken = (await app.scim!.tokens.create('airflow-plugin-tests')).token
process.stdout.write(`${JSON.stringify({ url, token: await app.tokenFor('airflow-am'), bobToken: await app.tokenFor('bob'), aliceToken: await app.tokenFor('alice'), airflowKeyPath, airflowKid, scimToken })}\n`)
process.stdin.resume()
process.stdin.on('end', async () => {
  await app.close()
  await stub.close()
  rmSync(dir, { recursive: true, force: true })
  process.exit(0)
})
