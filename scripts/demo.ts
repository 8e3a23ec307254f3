/**
 * `npm run demo`: a real local Airflow 3 with the demo DAGs, the development issuer with alice
 * (data-eng) and bob (analysts), the demo policies, and Conductor on the embedded database.
 * Everything lives in .demo/ and stops with Ctrl-C.
 */
import { mkdirSync, writeFileSync, chmodSync } from 'node:fs'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { createApp } from '../src/app.ts'
import { loadConfig } from '../src/config/index.ts'
import { startAirflow } from '../harness/airflow.ts'
import { ensureConsoleBuilt } from './build-web.ts'

const root = new URL('..', import.meta.url).pathname
const demo = join(root, '.demo')
const port = Number(process.env.CONDUCTOR_PORT ?? 7700)
const issuerPort = Number(process.env.CONDUCTOR_DEV_ISSUER_PORT ?? 7701)
const airflowPort = Number(process.env.CONDUCTOR_DEMO_AIRFLOW_PORT ?? 7780)

mkdirSync(join(demo, 'secrets'), { recursive: true })
await ensureConsoleBuilt()
console.log('Starting a local Airflow 3 (first run installs it into a cached virtualenv; then about a minute) …')
const airflow = await startAirflow({ port: airflowPort, dagsFolders: [join(root, 'dags')], home: join(demo, 'airflow') })

const secretFile = join(demo, 'secrets', 'airflow-local')
writeFileSync(secretFile, JSON.stringify({ username: airflow.username, password: airflow.password }) + '\n')
chmodSync(secretFile, 0o600)
const configFile = join(demo, 'conductor.yaml')
writeFileSync(configFile, `# yaml-language-server: $schema=../docs/conductor.schema.json\n# Written by npm run demo. A config reference is in the README.\n${stringify({
  server: { host: '127.0.0.1', port },
  database: { url: 'sqlite:data/conductor.db' },
  identity: {
    audience: 'conductor',
    devIssuer: {
      enabled: true, host: '127.0.0.1', port: issuerPort,
      users: [
        { username: 'alice', name: 'Alice Example', email: 'alice@example.com', groups: ['data-eng'] },
        { username: 'bob', name: 'Bob Example', email: 'bob@example.com', groups: ['analysts'] },
        { username: 'carol', name: 'Carol Example', email: 'carol@example.com', groups: ['auditors'] },
      ],
    },
  },
  policy: { folder: join(root, 'policies') },
  secrets: { providers: [{ name: 'local-files', type: 'file', path: 'secrets' }] },
  environments: [{
    name: 'local', kind: 'airflow3', url: airflow.url, zone: 'dev', tier: 'dev', team: 'platform',
    credentials: { provider: 'local-files', secret: 'airflow-local' },
  }],
  catalog: { syncIntervalSeconds: 30 },
})}`)

const app = await createApp(loadConfig(configFile))
const url = await app.listen()
await app.governance.catalog.syncAll()

console.log(`
Airflow Conductor demo is running.

  Web console       ${url}   (sign in as alice/alice, bob/bob or carol/carol)
  Conductor API     ${url}/api/v1   (OpenAPI: ${url}/openapi.json)
  Dev issuer        ${app.devIssuer?.issuer}   (users: alice = data-eng, bob = analysts, carol = auditors)
  Airflow 3         ${airflow.url}   (user ${airflow.username}, password in .demo/secrets/airflow-local)
  Config            .demo/conductor.yaml   Policies: policies/

Try, in another terminal (the README's tour has more):

  export CONDUCTOR_CONFIG=.demo/conductor.yaml
  ALICE=$(bin/conductor dev-token --user alice)
  curl -s -H "Authorization: Bearer $ALICE" ${url}/api/v1/environments/local/dags

Stop with Ctrl-C.
`)

let stopping = false
const stop = async () => {
  if (stopping) return
  stopping = true
  console.log('\nStopping …')
  await app.close()
  await airflow.stop()
  process.exit(0)
}
process.on('SIGINT', () => void stop())
process.on('SIGTERM', () => void stop())
