/**
 * A real Airflow for end-to-end tests and the demo, Airflow 3 or Airflow 2, from the cached virtualenv of
 * `scripts/airflow-venv.sh` (Airflow 3: `requirements/airflow.txt`; Airflow 2: `requirements/airflow2.txt`),
 * with the project's DAGs (dags/ and test/dags/, which import from Airflow 2 or 3) and a random admin password.
 *
 * - Airflow 3: `airflow standalone`, the SimpleAuthManager with one admin user, `/api/v2` with JWTs from `/auth/token`.
 * - Airflow 2: `airflow db migrate` and `airflow users create`, then `airflow scheduler` and `airflow webserver`
 *   on SQLite with the SequentialExecutor: `/api/v1` with HTTP basic auth.
 *
 * - Airflow 3 with the Conductor auth manager (option `conductor`, harness/airflow-conductor.ts): no admin user; tests
 *   sign a person's token with Airflow's own key ({@link airflowUserToken}).
 *
 * Run directly (`node harness/airflow.ts [3|2]`, default 3) to start one and print the environment variables
 * that make {@link useAirflow} reuse it; Ctrl-C stops it.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, existsSync, openSync } from 'node:fs'
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { conductorFlavour, teamBundlePath, writeAheadLog, type ConductorAuthManagerOptions } from './airflow-conductor.ts'
import { postgresMetadata, sqliteMetadata, type AirflowMetadata } from './airflow-metadata.ts'
import { airflow3Healthy, airflow3Settings, importErrors, runStep, type Flavour, type Launch } from './airflow-launch.ts'
import { postgresServer, scratchPostgresDatabase } from './postgres.ts'
import { freePort, getJson, stopGroup, waitFor } from './processes.ts'

export type { ConductorAuthManagerOptions } from './airflow-conductor.ts'
export type { AirflowMetadata } from './airflow-metadata.ts'
export { postgresServer } from './postgres.ts'
export { airflowUserToken, type AirflowUserTokenOptions } from './airflow-token.ts'

const root = resolve(import.meta.dirname, '..')
const run = promisify(execFile)

/** An Airflow major version this harness can start. */
export type AirflowMajor = 2 | 3

/** A running Airflow and how to reach it. */
export interface AirflowHandle {
  /** Which Airflow this is. */
  major: AirflowMajor
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  url: string
  /**
   * The admin user (`conductor`): SimpleAuthManager on Airflow 3, a FAB user with the Admin role on Airflow 2;
   * empty strings for an Airflow running the Conductor auth manager, which has none.
   */
  username: string
  password: string
  /** Airflow's version, e.g. `3.3.2` or `2.11.2`. */
  version: string
  /** AIRFLOW_HOME (only for an Airflow this process started). */
  home?: string
  /** Its metadata database, SQLite or PostgreSQL (only for an Airflow this process started). */
  metadata?: AirflowMetadata
  /** Stops the whole process group and waits for it; a no-op for an Airflow this process did not start. */
  stop(): Promise<void>
}

/** Options of {@link startAirflow}. */
export interface StartAirflowOptions {
  /** Airflow 3 (default) or Airflow 2. */
  version?: AirflowMajor
  /** Port of the API server (Airflow 2: the webserver); a free one by default. */
  port?: number
  /**
   * The admin user's password; a random one by default. Given when Conductor must know it before Airflow starts
   * (e.g. Airflow's OpenLineage transport names Conductor, so Conductor starts first).
   */
  password?: string
  /** Folders whose `*.py` files become the DAGs; default `dags/` and `test/dags/`. */
  dagsFolders?: string[]
  /** AIRFLOW_HOME to use and keep; a temporary folder (removed on stop) by default. */
  home?: string
  /** How long to wait for Airflow to be healthy with every DAG parsed; default 240 s. */
  timeoutMs?: number
  /** More Airflow settings as environment variables (e.g. `AIRFLOW__API_AUTH__TRUSTED_JWKS_URL`), applied over the harness's own. */
  env?: Record<string, string>
  /**
   * Airflow 3 only: run the Conductor auth manager from this repository's source instead of the SimpleAuthManager,
   * asking this Conductor. The handle then has no admin user; Airflow's JWT key settings still come through `env`.
   */
  conductor?: ConductorAuthManagerOptions
  /**
   * With `conductor` only: Airflow's multi-team mode (`[core] multi_team`) with one team of this name, whose DAG bundle
   * holds the `*.py` files of `dagsFolders` (the other DAGs belong to no team). Without it, Airflow is not multi-team.
   */
  team?: { name: string; dagsFolders: string[] }
  /**
   * Airflow 3 only: a PostgreSQL server URL (e.g. `postgres://postgres@127.0.0.1:5432/postgres`) on which Airflow's
   * metadata goes into a database of its own, dropped on stop; by default the server `CONDUCTOR_TEST_AIRFLOW_POSTGRES`
   * names (the e2e and browser tiers set it), else SQLite. Under load (the scheduler, the DAG processor and the API
   * server writing at once) SQLite answers "database is locked", which Airflow turns into "500 Database error";
   * tests read the metadata through the handle's `metadata`, on either engine.
   */
  postgres?: string
}

const USERNAME = 'conductor'
/** The FAB provider's module path; Airflow 2.11 keeps `airflow.api.auth.backend.basic_auth` only as a deprecated alias. */
const BASIC_AUTH_BACKEND = 'airflow.providers.fab.auth_manager.api.auth.backend.basic_auth'
/** Airflow 2.11 appends the session backend (for its UI) anyway and warns when it is not listed. */
const SESSION_AUTH_BACKEND = 'airflow.providers.fab.auth_manager.api.auth.backend.session'

/** A flavour of one Airflow major version with the SimpleAuthManager or FAB admin, which {@link useAirflow} may reuse. */
interface VersionFlavour extends Flavour {
  /** The environment variables naming a running one for {@link useAirflow} to reuse. */
  reuse: { url: string; user: string; password: string }
}

const FLAVOURS: Record<AirflowMajor, VersionFlavour> = {
  3: {
    label: 'airflow standalone',
    api: '/api/v2',
    healthPath: '/api/v2/monitor/health',
    requirements: null,
    admin: true,
    reuse: { url: 'CONDUCTOR_TEST_AIRFLOW_URL', user: 'CONDUCTOR_TEST_AIRFLOW_USER', password: 'CONDUCTOR_TEST_AIRFLOW_PASSWORD' },
    homePrefix: 'conductor-airflow-',
    logName: 'standalone.log',
    async prepare({ venv, home, url, port, password, env }) {
      const passwordsFile = join(home, 'simple_auth_manager_passwords.json')
      await writeFile(passwordsFile, JSON.stringify({ [USERNAME]: password }), { mode: 0o600 })
      Object.assign(env, airflow3Settings({ url, port }), {
        AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS: `${USERNAME}:admin`,
        AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE: passwordsFile,
      })
      return { command: join(venv, 'bin', 'airflow'), args: ['standalone'], cleanup: async () => {} }
    },
    healthy: airflow3Healthy,
    parsed: async ({ url, password }, dagIds) => parsedThroughApi(`${url}/api/v2`, async () => `Bearer ${await fetchToken(url, USERNAME, password)}`, dagIds, 1000),
  },
  2: {
    label: 'Airflow 2 scheduler or webserver',
    api: '/api/v1',
    healthPath: '/api/v1/health',
    requirements: join(root, 'requirements', 'airflow2.txt'),
    admin: true,
    reuse: { url: 'CONDUCTOR_TEST_AIRFLOW2_URL', user: 'CONDUCTOR_TEST_AIRFLOW2_USER', password: 'CONDUCTOR_TEST_AIRFLOW2_PASSWORD' },
    homePrefix: 'conductor-airflow2-',
    logName: 'airflow2.log',
    async prepare(launch) {
      const { venv, home, ownHome, url, port, password, env } = launch
      const airflow = join(venv, 'bin', 'airflow')
      // A throwaway database lives in /dev/shm where there is one: on disk, the webserver's first start (a few
      // hundred FAB permission rows, each its own SQLite commit) takes tens of seconds longer.
      const database = ownHome && existsSync('/dev/shm') ? join('/dev/shm', `${basename(home)}.db`) : join(home, 'airflow.db')
      const cleanup = async () => {
        if (!ownHome) return
        for (const suffix of ['', '-journal', '-wal', '-shm']) await rm(`${database}${suffix}`, { force: true })
      }
      Object.assign(env, {
        // Airflow 2 allows only the SequentialExecutor on SQLite: one task at a time, which the tests' few runs fit.
        AIRFLOW__CORE__EXECUTOR: 'SequentialExecutor',
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN: `sqlite:///${database}`,
        // No scheduled runs (etl_daily is @daily): the single task slot is kept for the runs the tests trigger.
        AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE: 'False',
        AIRFLOW__API__AUTH_BACKENDS: `${BASIC_AUTH_BACKEND},${SESSION_AUTH_BACKEND}`,
        AIRFLOW__WEBSERVER__WEB_SERVER_HOST: '127.0.0.1',
        AIRFLOW__WEBSERVER__WEB_SERVER_PORT: String(port),
        AIRFLOW__WEBSERVER__BASE_URL: url,
        AIRFLOW__WEBSERVER__SECRET_KEY: randomBytes(24).toString('base64url'),
        // Two cores are shared with everything else: one gunicorn worker is plenty for a test.
        AIRFLOW__WEBSERVER__WORKERS: '1',
      })
      try {
        await runStep('airflow db migrate', airflow, ['db', 'migrate'], launch)
        writeAheadLog(database)
        launch.metadata = sqliteMetadata(database)
        await runStep('airflow users create', airflow, [
          'users', 'create', '--username', USERNAME, '--password', password, '--role', 'Admin',
          '--firstname', 'Conductor', '--lastname', 'Tests', '--email', 'conductor-tests@example.invalid',
        ], launch, [password])
      } catch (error) {
        await cleanup()
        throw error
      }
      // Both in one process group, so stop() ends them and their gunicorn and task children together; the shell
      // exits as soon as either of them does, which the waits notice. The scheduler's log server (fixed port 8793
      // on every interface) is not needed: the webserver reads the task logs from this AIRFLOW_HOME.
      return { command: 'bash', args: ['-c', `"$0" scheduler --skip-serve-logs & "$0" webserver & wait -n`, airflow], cleanup }
    },
    healthy: (health) => health?.metadatabase?.status === 'healthy' && health.scheduler?.status === 'healthy',
    // /api/v1 caps a page at 100 DAGs, far more than the test folders hold.
    parsed: async ({ url, password }, dagIds) => parsedThroughApi(`${url}/api/v1`, async () => `Basic ${Buffer.from(`${USERNAME}:${password}`).toString('base64')}`, dagIds, 100),
  },
}

/**
 * The readiness check through the API as the admin: no import errors, and every DAG of `dagIds` in one page of `/dags`.
 * The Authorization header is made inside the check (once it succeeds), so a slow first token is just "not yet".
 */
function parsedThroughApi(api: string, makeAuthorization: () => Promise<string>, dagIds: ReadonlySet<string>, dagsPage: number): () => Promise<boolean> {
  let header: string | undefined
  return async () => {
    const authorization = header ??= await makeAuthorization()
    const errors = await getJson(`${api}/importErrors`, authorization) as { import_errors?: { filename: string; stack_trace: string }[] } | undefined
    if (errors?.import_errors?.length) throw importErrors(errors.import_errors.map((e) => ({ filename: e.filename, stackTrace: e.stack_trace })))
    const dags = await getJson(`${api}/dags?limit=${dagsPage}`, authorization) as { dags?: { dag_id: string }[] } | undefined
    const seen = new Set((dags?.dags ?? []).map((d) => d.dag_id))
    return [...dagIds].every((id) => seen.has(id))
  }
}

/**
 * Starts an Airflow (3 by default; with `conductor`, Airflow 3 running the Conductor auth manager) and resolves once
 * its API answers healthy and every DAG in the given folders is parsed.
 */
export async function startAirflow(options: StartAirflowOptions = {}): Promise<AirflowHandle> {
  const major = options.version ?? 3
  if (options.conductor && major !== 3) throw new Error('the Conductor auth manager runs on Airflow 3 only')
  if (options.team && !options.conductor) throw new Error('multi-team mode is started with the Conductor auth manager only')
  const flavour: Flavour = options.conductor ? conductorFlavour(options.conductor, options.team?.name) : FLAVOURS[major]
  const venv = await airflowVenv(major)
  const ownHome = options.home === undefined
  const home = options.home ?? await mkdtemp(join(tmpdir(), flavour.homePrefix))
  const deadline = Date.now() + (options.timeoutMs ?? 240_000)
  const dagIds = await copyDags(options.dagsFolders ?? [join(root, 'dags'), join(root, 'test', 'dags')], join(home, 'dags'))
  if (options.team) for (const id of await copyDags(options.team.dagsFolders, teamBundlePath(home, options.team.name))) dagIds.add(id)

  const password = options.password ?? randomBytes(18).toString('base64url')
  const port = options.port ?? await freePort()
  const url = `http://127.0.0.1:${port}`
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('AIRFLOW')) env[key] = value
  Object.assign(env, {
    PATH: `${join(venv, 'bin')}:${process.env.PATH ?? ''}`,
    VIRTUAL_ENV: venv,
    AIRFLOW_HOME: home,
    AIRFLOW__CORE__DAGS_FOLDER: join(home, 'dags'),
    AIRFLOW__CORE__LOAD_EXAMPLES: 'False',
    AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION: 'False',
    NO_COLOR: '1',
    PYTHONUNBUFFERED: '1',
  })
  const logFile = join(home, flavour.logName)
  const postgres = major === 3 ? options.postgres ?? postgresServer(process.env.CONDUCTOR_TEST_AIRFLOW_POSTGRES) : undefined
  const scratch = postgres ? await scratchPostgresDatabase(postgres, 'conductor_airflow') : undefined
  if (scratch) env.AIRFLOW__DATABASE__SQL_ALCHEMY_CONN = sqlAlchemyUrl(scratch.url)
  const metadata = scratch ? postgresMetadata(scratch.url) : sqliteMetadata(join(home, 'airflow.db'))
  const launch: Launch = { venv, home, ownHome, url, port, password, logFile, deadline, env, metadata }
  let prepared: Awaited<ReturnType<Flavour['prepare']>>
  try {
    prepared = await flavour.prepare(launch)
  } catch (error) {
    await scratch?.drop()
    throw error
  }
  const { command, args } = prepared
  const cleanup = async () => {
    await prepared.cleanup()
    await scratch?.drop()
  }
  Object.assign(env, options.env)

  const logFd = openSync(logFile, 'a')
  const child: ChildProcess = spawn(command, args, { cwd: home, env, detached: true, stdio: ['ignore', logFd, logFd] })
  closeSync(logFd)
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined
  const exitPromise = new Promise<void>((done) => child.once('exit', (code, signal) => { exited = { code, signal }; done() }))
  child.once('error', () => { exited ??= { code: -1, signal: null } })
  const stopProcesses = async () => {
    await stopGroup(child, exitPromise, () => exited !== undefined)
    await cleanup()
  }
  const stop = async () => {
    await stopProcesses()
    if (ownHome) await rm(home, { recursive: true, force: true })
  }

  try {
    await waitFor(flavour.label, 'the API to be healthy', deadline, logFile, () => exited, async () => {
      const health = await getJson(`${url}${flavour.healthPath}`)
      return flavour.healthy(health as Record<string, { status?: string | null } | undefined> | undefined)
    })
    const parsed = await flavour.parsed(launch, dagIds)
    await waitFor(flavour.label, `DAGs ${[...dagIds].join(', ')} to be parsed`, deadline, logFile, () => exited, parsed)
    const version = (await getJson(`${url}${flavour.api}/version`) as { version: string }).version
    const admin = flavour.admin ? { username: USERNAME, password } : { username: '', password: '' }
    return { major, url, ...admin, version, home, metadata: launch.metadata, stop }
  } catch (error) {
    // The home (and its log) stays for a look.
    await stopProcesses()
    throw error
  }
}

/** Airflow's SQLAlchemy URL for a PostgreSQL database (psycopg2, named: SQLAlchemy 2.1's default driver is psycopg 3; Airflow derives the asyncpg one from it). */
function sqlAlchemyUrl(url: string): string {
  return url.replace(/^postgres(ql)?:\/\//, 'postgresql+psycopg2://')
}

/**
 * The Airflow named by its version's variables when all three are set (its `stop()` does nothing) —
 * `CONDUCTOR_TEST_AIRFLOW_URL`, `_USER`, `_PASSWORD` for Airflow 3, `CONDUCTOR_TEST_AIRFLOW2_URL`, `_USER`,
 * `_PASSWORD` for Airflow 2 — else a new one from {@link startAirflow}. With `conductor`, always a new one.
 */
export async function useAirflow(options: StartAirflowOptions = {}): Promise<AirflowHandle> {
  if (options.conductor) return startAirflow(options)
  const major = options.version ?? 3
  const { reuse, api } = FLAVOURS[major]
  const url = process.env[reuse.url]
  const username = process.env[reuse.user]
  const password = process.env[reuse.password]
  if (!url || !username || !password) return startAirflow(options)
  const base = url.replace(/\/+$/, '')
  const version = await getJson(`${base}${api}/version`).then((v) => (v as { version: string }).version)
  return { major, url: base, username, password, version, stop: async () => {} }
}

/** Runs `scripts/airflow-venv.sh` for the version's requirements (builds the cached venv once) and returns the venv's path. */
export async function airflowVenv(major: AirflowMajor = 3): Promise<string> {
  const requirements = FLAVOURS[major].requirements
  const { stdout } = await run(join(root, 'scripts', 'airflow-venv.sh'), requirements ? [requirements] : [], { maxBuffer: 16 * 1024 * 1024, timeout: 20 * 60_000 })
  const lines = stdout.trim().split('\n')
  return lines[lines.length - 1]!.trim()
}

/** Copies every `*.py` of `folders` into a fresh `target` and returns the DAG ids they declare. */
async function copyDags(folders: string[], target: string): Promise<Set<string>> {
  await rm(target, { recursive: true, force: true })
  await mkdir(target, { recursive: true })
  const dagIds = new Set<string>()
  for (const folder of folders) {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.py')) continue
      await cp(join(folder, entry.name), join(target, entry.name))
      const text = await readFile(join(folder, entry.name), 'utf8')
      for (const match of text.matchAll(/dag_id\s*=\s*["']([\w.-]+)["']/g)) dagIds.add(match[1]!)
    }
  }
  return dagIds
}

/**
 * A fresh token for the admin user of an Airflow 3 (`POST /auth/token`), for a test to look at Airflow directly.
 * Throws for an Airflow running the Conductor auth manager (it has no admin; see {@link airflowUserToken}).
 */
export async function adminToken(airflow: Pick<AirflowHandle, 'url' | 'username' | 'password'>): Promise<string> {
  if (!airflow.username) throw new Error(`the Airflow at ${airflow.url} has no admin user (it runs the Conductor auth manager): sign a person's token with airflowUserToken`)
  return fetchToken(airflow.url, airflow.username, airflow.password)
}

async function fetchToken(url: string, username: string, password: string): Promise<string> {
  const response = await fetch(`${url}/auth/token`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }), signal: AbortSignal.timeout(10_000),
  })
  if (response.status !== 201 && response.status !== 200) throw new Error(`POST /auth/token answered ${response.status}`)
  return ((await response.json()) as { access_token: string }).access_token
}

if (import.meta.main) {
  const major: AirflowMajor = process.argv[2] === '2' ? 2 : 3
  const started = Date.now()
  const airflow = await startAirflow({ version: major, postgres: postgresServer(process.env.DATABASE_URL) })
  const { reuse } = FLAVOURS[major]
  console.log(`# Airflow ${airflow.version} ready in ${Math.round((Date.now() - started) / 1000)} s (home ${airflow.home}); Ctrl-C stops it.`)
  console.log(`export ${reuse.url}=${airflow.url}`)
  console.log(`export ${reuse.user}=${airflow.username}`)
  console.log(`export ${reuse.password}=${airflow.password}`)
  let stopping = false
  const shutdown = () => { if (stopping) return; stopping = true; void airflow.stop().then(() => process.exit(0)) }
  process.on('SIGINT', shutdown)
  process.on('SIGTERM', shutdown)
}
