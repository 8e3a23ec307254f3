/**
 * `npm run demo`: Conductor on the embedded database with the development issuer (alice: data-eng, bob: analysts,
 * carol: auditors, dave: data-leads, erin: platform-admins) and the demo policies (alice's trigger of the `sensitive`
 * payments_export waits for a data lead such as dave; after 4 hours a platform admin such as erin may approve it too), and a real local Airflow 3 with the demo DAGs that runs the Conductor auth
 * manager (integrations/airflow): its own UI signs people in through Conductor, and every question it asks is
 * answered by Conductor's policy. Airflow trusts Conductor's keys (`trusted_jwks_url`), so runs started through
 * Conductor are Airflow's runs of the person who started them (credential kind `conductor-identity`), and Conductor
 * reads Airflow with tokens it signs for itself (`serviceAccountKind: conductor-signed`): no Airflow password at all.
 * Everything lives in .demo/ and stops with Ctrl-C.
 */
import { generateKeyPairSync } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { createApp } from '../src/app.ts'
import { loadConfig, type SecretRef } from '../src/config/index.ts'
import { createAirflowTokenSigner } from '../src/identity/index.ts'
import { startAirflow } from '../harness/airflow.ts'
import { ensureConsoleBuilt } from './build-web.ts'

const root = new URL('..', import.meta.url).pathname
const demo = join(root, '.demo')
const port = Number(process.env.CONDUCTOR_PORT ?? 7700)
const issuerPort = Number(process.env.CONDUCTOR_DEV_ISSUER_PORT ?? 7701)
const airflowPort = Number(process.env.CONDUCTOR_DEMO_AIRFLOW_PORT ?? 7780)

mkdirSync(join(demo, 'secrets'), { recursive: true })
await ensureConsoleBuilt()
// Keys, made once and kept in .demo/: Conductor's, to sign per-person tokens, and Airflow's own, to sign its UI and
// task tokens. With trusted_jwks_url set Airflow trusts only that key set, so it holds both public keys.
const secret = (name: string) => join(demo, 'secrets', name)
const airflowKeyFile = join(demo, 'airflow-jwt.pem')
if (!existsSync(secret('airflow-token-key')) || !existsSync(airflowKeyFile)) {
  const conductorKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
  writeFileSync(secret('airflow-token-key'), conductorKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 })
  const airflowKeys = generateKeyPairSync('rsa', { modulusLength: 2048 })
  writeFileSync(airflowKeyFile, airflowKeys.privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 })
  writeFileSync(secret('airflow-own-jwk'), JSON.stringify({ ...airflowKeys.publicKey.export({ format: 'jwk' }), kid: 'airflow-demo', alg: 'RS256', use: 'sig' }))
}
const airflowTokens = {
  signingKeys: [{ provider: 'local-files', secret: 'airflow-token-key' }],
  extraJwks: [{ provider: 'local-files', secret: 'airflow-own-jwk' }],
}
// What Conductor will publish at /.well-known/airflow-jwks.json, given to Airflow as a file before either starts.
const jwks = await createAirflowTokenSigner({
  config: { ...airflowTokens, lifetimeSeconds: 60 }, issuer: `http://127.0.0.1:${port}`,
  getSecret: async (ref: SecretRef) => readFileSync(secret(ref.secret), 'utf8'),
}).jwks()
const jwksFile = join(demo, 'trusted-jwks.json')
writeFileSync(jwksFile, JSON.stringify(jwks))

const airflowUrl = `http://127.0.0.1:${airflowPort}`
const configFile = join(demo, 'conductor.yaml')
writeFileSync(configFile, `# yaml-language-server: $schema=../docs/conductor.schema.json\n# Written by npm run demo. A config reference is in the README.\n${stringify({
  server: { host: '127.0.0.1', port },
  database: { url: 'sqlite:data/conductor.db' },
  identity: {
    audience: 'conductor',
    airflowTokens,
    devIssuer: {
      enabled: true, host: '127.0.0.1', port: issuerPort,
      users: [
        { username: 'alice', name: 'Alice Example', email: 'alice@example.com', groups: ['data-eng'] },
        { username: 'bob', name: 'Bob Example', email: 'bob@example.com', groups: ['analysts'] },
        { username: 'carol', name: 'Carol Example', email: 'carol@example.com', groups: ['auditors'] },
        // Approvers (policies/approvals.cedar): dave decides on sensitive runs; erin may too once one waited 4 hours.
        { username: 'dave', name: 'Dave Example', email: 'dave@example.com', groups: ['data-leads'] },
        { username: 'erin', name: 'Erin Example', email: 'erin@example.com', groups: ['platform-admins'] },
        // The auth manager's own credential: only members of airflow-auth-managers may ask on behalf of Airflow's users.
        { username: 'airflow-am', name: 'Airflow auth manager', email: 'airflow-am@example.com', groups: ['airflow-auth-managers'] },
      ],
    },
  },
  policy: { folder: join(root, 'policies') },
  secrets: { providers: [{ name: 'local-files', type: 'file', path: 'secrets' }] },
  environments: [{
    name: 'local', kind: 'airflow3', url: airflowUrl, zone: 'dev', tier: 'dev', team: 'platform',
    // alice's trigger reaches Airflow as alice; the catalog sync signs its own tokens (the secret is not read).
    credentials: { provider: 'local-files', secret: 'airflow-local', kind: 'conductor-identity', serviceAccountKind: 'conductor-signed' },
    // Airflow runs the Conductor auth manager: what people do in its own UI is theirs, not shadow activity.
    conductorAuthManager: true,
  }],
  catalog: { syncIntervalSeconds: 30 },
  // Conductor is the lineage parent of local's runs and keeps their lineage (docs/lineage.md); add `endpoints` to
  // also send it to Marquez or DataHub.
  lineage: { environments: ['local'], deliveryIntervalSeconds: 2 },
})}`)

// The background catalog sync starts once Airflow is up (below), not while it is still starting.
const config = loadConfig(configFile)
const app = await createApp(config, { backgroundSync: false })
const url = await app.listen()
// The auth manager's credential, renewed well before the development issuer's hour runs out (it reads the file at every call).
const tokenFile = join(demo, 'conductor-token')
const renewToken = async () => writeFileSync(tokenFile, await app.devIssuer!.tokenFor('airflow-am'), { mode: 0o600 })
await renewToken()
const renewal = setInterval(() => { void renewToken() }, 20 * 60_000)

// Airflow's OpenLineage provider posts every task's lineage to Conductor as the service account airflow-lineage, of
// data-eng (policies/lineage.cedar: data-eng may post lineage), with an API token scoped to lineage:write only, kept in
// .demo/secrets.
const lineageTokenFile = secret('openlineage-token')
if (!existsSync(lineageTokenFile)) writeFileSync(lineageTokenFile, await lineageToken(), { mode: 0o600 })

console.log('Starting a local Airflow 3 with the Conductor auth manager (first run installs it into a cached virtualenv; then about a minute) …')
const airflow = await startAirflow({
  port: airflowPort, dagsFolders: [join(root, 'dags')], home: join(demo, 'airflow'),
  conductor: { url, environment: 'local', tokenFile },
  env: {
    AIRFLOW__API_AUTH__TRUSTED_JWKS_URL: jwksFile, AIRFLOW__API_AUTH__JWT_PRIVATE_KEY_PATH: airflowKeyFile, AIRFLOW__API_AUTH__JWT_KID: 'airflow-demo',
    AIRFLOW__OPENLINEAGE__NAMESPACE: 'local',
    AIRFLOW__OPENLINEAGE__TRANSPORT: JSON.stringify({ type: 'http', url, endpoint: 'api/v1/lineage', auth: { type: 'api_key', apiKey: readFileSync(lineageTokenFile, 'utf8') } }),
  },
})
await app.governance.catalog.syncAll()
app.governance.catalog.start(config.catalog.syncIntervalSeconds)

console.log(`
Airflow Conductor demo is running.

  Web console       ${url}   (sign in as alice/alice, bob/bob, carol/carol, dave/dave or erin/erin)
  Conductor API     ${url}/api/v1   (OpenAPI: ${url}/openapi.json)
  Dev issuer        ${app.devIssuer?.issuer}   (users: alice = data-eng, bob = analysts, carol = auditors, dave = data-leads, erin = platform-admins)
  Airflow 3 UI      ${airflow.url}   (sign in through Conductor: alice/alice or bob/bob; policy decides what each sees)
  Config            .demo/conductor.yaml   Policies: policies/

Try, in another terminal (the README's tour has more):

  export CONDUCTOR_CONFIG=.demo/conductor.yaml
  ALICE=$(bin/conductor dev-token --user alice)
  curl -s -H "Authorization: Bearer $ALICE" ${url}/api/v1/environments/local/dags

Lineage with identity: trigger etl_daily as alice, then open its run in the console (Lineage: the datasets each
task read and wrote, alice, the policy), or ask the API:

  bin/conductor -t "$ALICE" trigger local/etl_daily --reason "demo"
  curl -s -H "Authorization: Bearer $ALICE" ${url}/api/v1/requests/REQUEST_ID/lineage

A sensitive DAG waits for a second person (policies/approvals.cedar): alice asks, dave approves, then it runs.

  DAVE=$(bin/conductor dev-token --user dave)
  bin/conductor -t "$ALICE" trigger local/payments_export --conf '{"month":"2026-11"}' --reason "month-end close"   # pending
  bin/conductor -t "$DAVE" requests --to-approve
  bin/conductor -t "$DAVE" approve REQUEST_ID --comment checked   # runs in Airflow as alice, the note naming dave

Stop with Ctrl-C.
`)

/** A new API token of the service account airflow-lineage (made by alice of data-eng, the first time). */
async function lineageToken(): Promise<string> {
  const alice = { authorization: `Bearer ${await app.devIssuer!.tokenFor('alice')}` }
  const account = await app.server.inject({ method: 'POST', url: '/api/v1/service-accounts', headers: alice, payload: {
    name: 'airflow-lineage', description: 'Airflow\'s OpenLineage provider', owner: { type: 'Group', id: 'data-eng' }, groups: ['data-eng'],
  } })
  if (account.statusCode !== 201 && account.statusCode !== 409) throw new Error(`could not create the airflow-lineage service account: ${account.body}`)
  const made = await app.server.inject({ method: 'POST', url: '/api/v1/service-accounts/airflow-lineage/tokens', headers: alice, payload: {
    name: `openlineage-${Date.now()}`, expiresInDays: 90, actions: ['lineage:write'],
  } })
  if (made.statusCode !== 201) throw new Error(`could not make the airflow-lineage token: ${made.body}`)
  return (made.json() as { token: string }).token
}

let stopping = false
const stop = async () => {
  if (stopping) return
  stopping = true
  console.log('\nStopping …')
  clearInterval(renewal)
  await app.close()
  await airflow.stop()
  process.exit(0)
}
process.on('SIGINT', () => void stop())
process.on('SIGTERM', () => void stop())
