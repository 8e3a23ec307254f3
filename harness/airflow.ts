/**
 * A real Airflow for end-to-end tests and the demo, Airflow 3 or Airflow 2, from the cached virtualenv of
 * `scripts/airflow-venv.sh` (Airflow 3: `requirements/airflow.txt`; Airflow 2: `requirements/airflow2.txt`),
 * with the project's DAGs (dags/ and test/dags/, which import from Airflow 2 or 3) and a random admin password.
 *
 * - Airflow 3: `airflow standalone`, the SimpleAuthManager with one admin user, `/api/v2` with JWTs from `/auth/token`.
 * - Airflow 2: `airflow db migrate` and `airflow users create`, then `airflow scheduler` and `airflow webserver`
 *   on SQLite with the SequentialExecutor: `/api/v1` with HTTP basic auth.
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
import { setTimeout as delay } from 'node:timers/promises'
import { promisify } from 'node:util'
import { freePort, getJson, logTail, stopGroup, waitFor } from './processes.ts'

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
  /** The admin user (`conductor`): SimpleAuthManager on Airflow 3, a FAB user with the Admin role on Airflow 2. */
  username: string
  password: string
  /** Airflow's version, e.g. `3.3.2` or `2.11.2`. */
  version: string
  /** AIRFLOW_HOME (only for an Airflow this process started). */
  home?: string
  /** Stops the whole process group and waits for it; a no-op for an Airflow this process did not start. */
  stop(): Promise<void>
}

/** Options of {@link startAirflow}. */
export interface StartAirflowOptions {
  /** Airflow 3 (default) or Airflow 2. */
  version?: AirflowMajor
  /** Port of the API server (Airflow 2: the webserver); a free one by default. */
  port?: number
  /** Folders whose `*.py` files become the DAGs; default `dags/` and `test/dags/`. */
  dagsFolders?: string[]
  /** AIRFLOW_HOME to use and keep; a temporary folder (removed on stop) by default. */
  home?: string
  /** How long to wait for Airflow to be healthy with every DAG parsed; default 240 s. */
  timeoutMs?: number
  /** More Airflow settings as environment variables (e.g. `AIRFLOW__API_AUTH__TRUSTED_JWKS_URL`), applied over the harness's own. */
  env?: Record<string, string>
}

const USERNAME = 'conductor'
// A fixed secret is fine: the API server and the scheduler must share it, and this Airflow is local.
const JWT_SECRET = 'conductor-test-airflow-jwt-secret-not-for-production'
/** The FAB provider's module path; Airflow 2.11 keeps `airflow.api.auth.backend.basic_auth` only as a deprecated alias. */
const BASIC_AUTH_BACKEND = 'airflow.providers.fab.auth_manager.api.auth.backend.basic_auth'
/** Airflow 2.11 appends the session backend (for its UI) anyway and warns when it is not listed. */
const SESSION_AUTH_BACKEND = 'airflow.providers.fab.auth_manager.api.auth.backend.session'

/** What one start needs to know, for a flavour to prepare its processes. */
interface Launch {
  venv: string
  home: string
  ownHome: boolean
  url: string
  port: number
  password: string
  logFile: string
  deadline: number
  env: NodeJS.ProcessEnv
}

/** How one Airflow major version is started and asked whether it is ready. */
interface Flavour {
  /** Names the processes in failure messages. */
  label: string
  api: '/api/v2' | '/api/v1'
  /** The unauthenticated health endpoint. */
  healthPath: string
  /** The requirements file of its virtualenv; null for the default (`requirements/airflow.txt`). */
  requirements: string | null
  /** The environment variables naming a running one for {@link useAirflow} to reuse. */
  reuse: { url: string; user: string; password: string }
  homePrefix: string
  logName: string
  /** Version-specific settings, files and one-off steps; returns the long-running command and extra cleanup. */
  prepare(launch: Launch): Promise<{ command: string; args: string[]; cleanup: () => Promise<void> }>
  healthy(health: Record<string, { status?: string | null } | undefined> | undefined): boolean
  /** The Authorization header value for the admin user. */
  authorization(url: string, password: string): Promise<string>
  /** How many DAGs one page may ask for. */
  dagsPage: number
}

const FLAVOURS: Record<AirflowMajor, Flavour> = {
  3: {
    label: 'airflow standalone',
    api: '/api/v2',
    healthPath: '/api/v2/monitor/health',
    requirements: null,
    reuse: { url: 'CONDUCTOR_TEST_AIRFLOW_URL', user: 'CONDUCTOR_TEST_AIRFLOW_USER', password: 'CONDUCTOR_TEST_AIRFLOW_PASSWORD' },
    homePrefix: 'conductor-airflow-',
    logName: 'standalone.log',
    async prepare({ venv, home, url, port, password, env }) {
      const passwordsFile = join(home, 'simple_auth_manager_passwords.json')
      await writeFile(passwordsFile, JSON.stringify({ [USERNAME]: password }), { mode: 0o600 })
      Object.assign(env, {
        AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS: `${USERNAME}:admin`,
        AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE: passwordsFile,
        AIRFLOW__API_AUTH__JWT_SECRET: JWT_SECRET,
        AIRFLOW__API__HOST: '127.0.0.1',
        AIRFLOW__API__PORT: String(port),
        AIRFLOW__API__BASE_URL: url,
        AIRFLOW__CORE__EXECUTION_API_SERVER_URL: `${url}/execution/`,
        // Two cores are shared with everything else: one parser and a handful of task slots are plenty.
        AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES: '1',
        AIRFLOW__CORE__PARALLELISM: '8',
      })
      return { command: join(venv, 'bin', 'airflow'), args: ['standalone'], cleanup: async () => {} }
    },
    healthy: (health) => health?.metadatabase?.status === 'healthy' && health.scheduler?.status === 'healthy' && health.dag_processor?.status === 'healthy',
    authorization: async (url, password) => `Bearer ${await fetchToken(url, USERNAME, password)}`,
    dagsPage: 1000,
  },
  2: {
    label: 'Airflow 2 scheduler or webserver',
    api: '/api/v1',
    healthPath: '/api/v1/health',
    requirements: join(root, 'requirements', 'airflow2.txt'),
    reuse: { url: 'CONDUCTOR_TEST_AIRFLOW2_URL', user: 'CONDUCTOR_TEST_AIRFLOW2_USER', password: 'CONDUCTOR_TEST_AIRFLOW2_PASSWORD' },
    homePrefix: 'conductor-airflow2-',
    logName: 'airflow2.log',
    async prepare({ venv, home, ownHome, url, port, password, logFile, deadline, env }) {
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
        await runStep('airflow db migrate', airflow, ['db', 'migrate'], env, home, logFile, deadline)
        await runStep('airflow users create', airflow, [
          'users', 'create', '--username', USERNAME, '--password', password, '--role', 'Admin',
          '--firstname', 'Conductor', '--lastname', 'Tests', '--email', 'conductor-tests@example.invalid',
        ], env, home, logFile, deadline, [password])
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
    authorization: async (_url, password) => `Basic ${Buffer.from(`${USERNAME}:${password}`).toString('base64')}`,
    // /api/v1 caps a page at 100 DAGs, far more than the test folders hold.
    dagsPage: 100,
  },
}

/** Starts an Airflow (3 by default) and resolves once its API answers healthy and every DAG in the given folders is parsed. */
export async function startAirflow(options: StartAirflowOptions = {}): Promise<AirflowHandle> {
  const major = options.version ?? 3
  const flavour = FLAVOURS[major]
  const venv = await airflowVenv(major)
  const ownHome = options.home === undefined
  const home = options.home ?? await mkdtemp(join(tmpdir(), flavour.homePrefix))
  const deadline = Date.now() + (options.timeoutMs ?? 240_000)
  const dagIds = await copyDags(options.dagsFolders ?? [join(root, 'dags'), join(root, 'test', 'dags')], join(home, 'dags'))

  const password = randomBytes(18).toString('base64url')
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
  const { command, args, cleanup } = await flavour.prepare({ venv, home, ownHome, url, port, password, logFile, deadline, env })
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
    const authorization = await flavour.authorization(url, password)
    await waitFor(flavour.label, `DAGs ${[...dagIds].join(', ')} to be parsed`, deadline, logFile, () => exited, async () => {
      const errors = await getJson(`${url}${flavour.api}/importErrors`, authorization) as { import_errors?: { filename: string; stack_trace: string }[] } | undefined
      if (errors?.import_errors?.length) {
        throw new Error(`Airflow could not import DAG files:\n${errors.import_errors.map((e) => `${e.filename}: ${e.stack_trace}`).join('\n')}`)
      }
      const dags = await getJson(`${url}${flavour.api}/dags?limit=${flavour.dagsPage}`, authorization) as { dags?: { dag_id: string }[] } | undefined
      const seen = new Set((dags?.dags ?? []).map((d) => d.dag_id))
      return [...dagIds].every((id) => seen.has(id))
    })
    const version = (await getJson(`${url}${flavour.api}/version`) as { version: string }).version
    return { major, url, username: USERNAME, password, version, home, stop }
  } catch (error) {
    // The home (and its log) stays for a look.
    await stopProcesses()
    throw error
  }
}

/**
 * The Airflow named by its version's variables when all three are set (its `stop()` does nothing) —
 * `CONDUCTOR_TEST_AIRFLOW_URL`, `_USER`, `_PASSWORD` for Airflow 3, `CONDUCTOR_TEST_AIRFLOW2_URL`, `_USER`,
 * `_PASSWORD` for Airflow 2 — else a new one from {@link startAirflow}.
 */
export async function useAirflow(options: StartAirflowOptions = {}): Promise<AirflowHandle> {
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

/** A fresh token for the admin user of an Airflow 3 (`POST /auth/token`), for a test to look at Airflow directly. */
export function adminToken(airflow: Pick<AirflowHandle, 'url' | 'username' | 'password'>): Promise<string> {
  return fetchToken(airflow.url, airflow.username, airflow.password)
}

async function fetchToken(url: string, username: string, password: string): Promise<string> {
  const response = await fetch(`${url}/auth/token`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }), signal: AbortSignal.timeout(10_000),
  })
  if (response.status !== 201 && response.status !== 200) throw new Error(`POST /auth/token answered ${response.status}`)
  return ((await response.json()) as { access_token: string }).access_token
}

/** Runs one `airflow` CLI step to completion within the deadline, its output appended to the log file. */
async function runStep(what: string, command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string, logFile: string, deadline: number, secrets: string[] = []): Promise<void> {
  const logFd = openSync(logFile, 'a')
  const step = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', logFd, logFd] })
  closeSync(logFd)
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined
  const exitPromise = new Promise<void>((done) => step.once('exit', (code, signal) => { exited = { code, signal }; done() }))
  step.once('error', () => { exited ??= { code: -1, signal: null } })
  const timeout = new AbortController()
  await Promise.race([exitPromise, delay(Math.max(0, deadline - Date.now()), undefined, { signal: timeout.signal }).catch(() => {})])
  timeout.abort()
  const hide = (text: string) => secrets.reduce((out, secret) => out.split(secret).join('***'), text)
  if (exited === undefined) {
    await stopGroup(step, exitPromise, () => exited !== undefined)
    throw new Error(`Timed out waiting for ${what}.\n${hide(await logTail(logFile))}`)
  }
  if (exited.code !== 0) throw new Error(`${what} failed (code ${exited.code}, signal ${exited.signal}).\n${hide(await logTail(logFile))}`)
}

if (import.meta.main) {
  const major: AirflowMajor = process.argv[2] === '2' ? 2 : 3
  const started = Date.now()
  const airflow = await startAirflow({ version: major })
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
