/**
 * A real Conductor and a real Airflow 3 running the Conductor auth manager against it, for end-to-end tests and
 * benchmarks: Conductor (SQLite, the project's policies, the development issuer's demo users plus `airflow-am` in
 * `airflow-auth-managers`, the manager's credential) listens on loopback; Airflow signs its tokens with a fresh RSA
 * key that its trusted JWKS holds, so {@link AirflowWithConductor.airflowTokenFor} can sign a person's token as
 * Airflow's own sign-in would. Conductor's catalog of the environment is what Airflow parsed (its metadata database, on either engine).
 */
import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startAirflow, type AirflowHandle, type AirflowMetadata } from './airflow.ts'
import { airflowUserToken } from './airflow-token.ts'
import { freePort, startTestApp, TEST_USERS } from './app.ts'

const KID = 'airflow-conductor-am'
const USERS = [...TEST_USERS, { username: 'airflow-am', name: 'Airflow auth manager', email: 'am@example.com', groups: ['airflow-auth-managers'] }]

/** A running Conductor and the Airflow that asks it. */
export interface AirflowWithConductor {
  app: Awaited<ReturnType<typeof startTestApp>>
  airflow: AirflowHandle
  /** Conductor's base URL as Airflow reaches it. */
  conductorUrl: string
  /** The Conductor environment this Airflow is. */
  environment: string
  /** The file Airflow's manager reads its Conductor credential from (`[conductor] token_file`). */
  tokenFile: string
  /** Signs `username` in as Airflow's sign-in through Conductor would: Conductor sees the person once, then Airflow's token for them. */
  airflowTokenFor(username: string): Promise<string>
  /** Stops Conductor only (Airflow keeps running and must fail closed); stop() skips it then. */
  stopConductor(): Promise<void>
  /** Stops both and removes their folders. */
  stop(): Promise<void>
}

/** Starts Conductor, then Airflow 3 with the Conductor auth manager (DAGs from `dagsFolders`, default `dags/`), then fills the catalog. */
export async function startAirflowWithConductor(options: { dagsFolders?: string[]; environment?: string; env?: Record<string, string> } = {}): Promise<AirflowWithConductor> {
  const environment = options.environment ?? 'airflow-am'
  const dir = mkdtempSync(join(tmpdir(), 'conductor-airflow-am-'))
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const privateKeyPem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
  const keyPath = join(dir, 'airflow-jwt.pem')
  writeFileSync(keyPath, privateKeyPem, { mode: 0o600 })
  const jwksPath = join(dir, 'airflow-jwks.json')
  writeFileSync(jwksPath, JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' }] }))

  const airflowPort = await freePort()
  let app: AirflowWithConductor['app'] | undefined
  let airflow: AirflowHandle | undefined
  let conductorStopped = false
  const stopConductor = async () => { if (!conductorStopped) { conductorStopped = true; await app?.close() } }
  const stop = async () => {
    await stopConductor()
    await airflow?.stop()
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    app = await startTestApp({
      databaseUrl: `sqlite:${join(dir, 'conductor.db')}`,
      environments: [{ name: environment, url: `http://127.0.0.1:${airflowPort}` }],
      extraConfig: { identity: { audience: 'conductor', devIssuer: { enabled: true, host: '127.0.0.1', port: 0, users: USERS } } },
    })
    const conductorUrl = (await app.listen()).replace('[::1]', '127.0.0.1')
    const tokenFile = join(dir, 'conductor-token')
    writeFileSync(tokenFile, await app.tokenFor('airflow-am'), { mode: 0o600 })
    airflow = await startAirflow({
      port: airflowPort,
      dagsFolders: options.dagsFolders ?? [join(import.meta.dirname, '..', 'dags')],
      conductor: { url: conductorUrl, environment, tokenFile },
      env: {
        AIRFLOW__API_AUTH__TRUSTED_JWKS_URL: jwksPath,
        AIRFLOW__API_AUTH__JWT_PRIVATE_KEY_PATH: keyPath,
        AIRFLOW__API_AUTH__JWT_KID: KID,
        ...options.env,
      },
    })
    const rows = await catalogOf(airflow.metadata!, environment)
    for (let i = 0; i < rows.length; i += 500) await app.database.db.insertInto('catalog_dags').values(rows.slice(i, i + 500)).execute()
    const running = app
    return {
      app: running, airflow, conductorUrl, environment, tokenFile, stopConductor, stop,
      async airflowTokenFor(username) {
        const user = USERS.find((u) => u.username === username)
        if (!user) throw new Error(`no demo user ${username}`)
        const me = await running.server.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${await running.tokenFor(username)}` } })
        if (me.statusCode !== 200) throw new Error(`Conductor did not see ${username}: ${me.statusCode}`)
        return airflowUserToken({ privateKeyPem, kid: KID, sub: username, name: user.name, groups: user.groups })
      },
    }
  } catch (error) {
    await stop()
    throw error
  }
}

/** Conductor's catalog rows for the DAGs Airflow parsed: id, description, tags, owners and paused state from its metadata database. */
async function catalogOf(metadata: AirflowMetadata, environment: string) {
  const dags = await metadata.query<{ dag_id: string; description: string | null; owners: string | null; is_paused: number | boolean }>('SELECT dag_id, description, owners, is_paused FROM dag WHERE NOT is_stale')
  const tags = await metadata.query<{ dag_id: string; name: string }>('SELECT dag_id, name FROM dag_tag')
  const now = new Date().toISOString()
  return dags.map((d) => ({
    environment, dag_id: d.dag_id, description: d.description, schedule: null, synced_at: now, paused: d.is_paused ? 1 : 0,
    tags: JSON.stringify(tags.filter((t) => t.dag_id === d.dag_id).map((t) => t.name).sort()),
    owners: JSON.stringify((d.owners ?? '').split(',').map((o) => o.trim()).filter(Boolean)),
  }))
}
