/**
 * A real Airflow 2 for the Airflow 2 end-to-end tier: `airflow db migrate`, `airflow users create`, then
 * `airflow scheduler` and `airflow webserver` (the `/api/v1` REST API with basic auth) from the cached
 * virtualenv of `scripts/airflow-venv.sh requirements/airflow2.txt`, on SQLite with the SequentialExecutor,
 * with the project's DAGs (dags/ and test/dags/, which import from Airflow 2 or 3) and a random admin password.
 *
 * Run directly (`node harness/airflow2.ts`) to start one and print the environment variables
 * that make {@link useAirflow2} reuse it; Ctrl-C stops it.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, existsSync, openSync } from 'node:fs'
import { cp, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join, resolve } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { promisify } from 'node:util'
import { freePort, getJson, logTail, stopGroup, waitFor } from './processes.ts'

const LABEL = 'Airflow 2 scheduler or webserver'

const root = resolve(import.meta.dirname, '..')
const run = promisify(execFile)

/** A running Airflow 2 and how to reach it. */
export interface Airflow2Handle {
  /** Base URL of the webserver, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  url: string
  /** The FAB user with the Admin role (`conductor`), for HTTP basic auth. */
  username: string
  password: string
  /** Airflow's version, e.g. `2.11.2`. */
  version: string
  /** AIRFLOW_HOME (only for an Airflow this process started). */
  home?: string
  /** Stops the whole process group and waits for it; a no-op for an Airflow this process did not start. */
  stop(): Promise<void>
}

/** Options of {@link startAirflow2}. */
export interface StartAirflow2Options {
  /** Port of the webserver; a free one by default. */
  port?: number
  /**
   * Folders whose `*.py` files become the DAGs; default the project's `dags/` and `test/dags/`.
   */
  dagsFolders?: string[]
  /** AIRFLOW_HOME to use and keep; a temporary folder (removed on stop) by default. */
  home?: string
  /** How long to wait for the database, the user, a healthy webserver and scheduler and every DAG parsed; default 240 s. */
  timeoutMs?: number
}

const USERNAME = 'conductor'
/** The FAB provider's module path; Airflow 2.11 keeps `airflow.api.auth.backend.basic_auth` only as a deprecated alias. */
const BASIC_AUTH_BACKEND = 'airflow.providers.fab.auth_manager.api.auth.backend.basic_auth'
/** Airflow 2.11 appends the session backend (for its UI) anyway and warns when it is not listed. */
const SESSION_AUTH_BACKEND = 'airflow.providers.fab.auth_manager.api.auth.backend.session'

/**
 * Migrates a fresh SQLite database, creates the admin user, starts the scheduler and the webserver, and
 * resolves once `/api/v1/health` is healthy and every DAG in the given folders is parsed.
 */
export async function startAirflow2(options: StartAirflow2Options = {}): Promise<Airflow2Handle> {
  const venv = await airflow2Venv()
  const airflow = join(venv, 'bin', 'airflow')
  const ownHome = options.home === undefined
  const home = options.home ?? await mkdtemp(join(tmpdir(), 'conductor-airflow2-'))
  const deadline = Date.now() + (options.timeoutMs ?? 240_000)
  const dagsFolder = join(home, 'dags')
  await rm(dagsFolder, { recursive: true, force: true })
  await mkdir(dagsFolder, { recursive: true })
  const dagIds = new Set<string>()
  for (const folder of options.dagsFolders ?? [join(root, 'dags'), join(root, 'test', 'dags')]) {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.py')) continue
      await cp(join(folder, entry.name), join(dagsFolder, entry.name))
      const text = await readFile(join(folder, entry.name), 'utf8')
      for (const match of text.matchAll(/dag_id\s*=\s*["']([\w.-]+)["']/g)) dagIds.add(match[1]!)
    }
  }

  // A throwaway database lives in /dev/shm where there is one: on disk, the webserver's first start (a few
  // hundred FAB permission rows, each its own SQLite commit) takes tens of seconds longer.
  const database = ownHome && existsSync('/dev/shm') ? join('/dev/shm', `${basename(home)}.db`) : join(home, 'airflow.db')
  const removeDatabase = async () => {
    if (!ownHome) return
    for (const suffix of ['', '-journal', '-wal', '-shm']) await rm(`${database}${suffix}`, { force: true })
  }
  const password = randomBytes(18).toString('base64url')
  const port = options.port ?? await freePort()
  const url = `http://127.0.0.1:${port}`
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('AIRFLOW')) env[key] = value
  Object.assign(env, {
    PATH: `${join(venv, 'bin')}:${process.env.PATH ?? ''}`,
    VIRTUAL_ENV: venv,
    AIRFLOW_HOME: home,
    AIRFLOW__CORE__DAGS_FOLDER: dagsFolder,
    AIRFLOW__CORE__LOAD_EXAMPLES: 'False',
    AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION: 'False',
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
    NO_COLOR: '1',
    PYTHONUNBUFFERED: '1',
  })
  const logFile = join(home, 'airflow2.log')

  let child: ChildProcess | undefined
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined
  let exitPromise: Promise<void> = Promise.resolve()
  const stopProcesses = async () => { if (child) await stopGroup(child, exitPromise, () => exited !== undefined) }
  const stop = async () => {
    await stopProcesses()
    await removeDatabase()
    if (ownHome) await rm(home, { recursive: true, force: true })
  }

  try {
    await runStep('airflow db migrate', airflow, ['db', 'migrate'], env, home, logFile, deadline)
    await runStep('airflow users create', airflow, [
      'users', 'create', '--username', USERNAME, '--password', password, '--role', 'Admin',
      '--firstname', 'Conductor', '--lastname', 'Tests', '--email', 'conductor-tests@example.invalid',
    ], env, home, logFile, deadline, [password])

    // Both in one detached process group, so stop() ends them and their gunicorn and task children together;
    // the shell exits as soon as either of them does, which the waits below notice. The scheduler's log server
    // (fixed port 8793 on every interface) is not needed: the webserver reads the task logs from this AIRFLOW_HOME.
    const logFd = openSync(logFile, 'a')
    child = spawn('bash', ['-c', `"$0" scheduler --skip-serve-logs & "$0" webserver & wait -n`, airflow], { cwd: home, env, detached: true, stdio: ['ignore', logFd, logFd] })
    closeSync(logFd)
    exitPromise = new Promise<void>((done) => child!.once('exit', (code, signal) => { exited = { code, signal }; done() }))
    child.once('error', () => { exited ??= { code: -1, signal: null } })

    await waitFor(LABEL, 'the webserver and scheduler to be healthy', deadline, logFile, () => exited, async () => {
      const health = await getJson(`${url}/api/v1/health`) as Record<string, { status?: string | null } | undefined> | undefined
      return health?.metadatabase?.status === 'healthy' && health.scheduler?.status === 'healthy'
    })
    const authorization = `Basic ${Buffer.from(`${USERNAME}:${password}`).toString('base64')}`
    await waitFor(LABEL, `DAGs ${[...dagIds].join(', ')} to be parsed`, deadline, logFile, () => exited, async () => {
      const errors = await getJson(`${url}/api/v1/importErrors`, authorization) as { import_errors?: { filename: string; stack_trace: string }[] } | undefined
      if (errors?.import_errors?.length) {
        throw new Error(`Airflow could not import DAG files:\n${errors.import_errors.map((e) => `${e.filename}: ${e.stack_trace}`).join('\n')}`)
      }
      // /api/v1 caps a page at 100 DAGs, far more than the test folders hold.
      const dags = await getJson(`${url}/api/v1/dags?limit=100`, authorization) as { dags?: { dag_id: string }[] } | undefined
      const seen = new Set((dags?.dags ?? []).map((d) => d.dag_id))
      return [...dagIds].every((id) => seen.has(id))
    })
    const version = (await getJson(`${url}/api/v1/version`) as { version: string }).version
    return { url, username: USERNAME, password, version, home, stop }
  } catch (error) {
    // The home (and its log) stays for a look; the database in /dev/shm does not.
    await stopProcesses()
    await removeDatabase()
    throw error
  }
}

/**
 * The Airflow 2 named by `CONDUCTOR_TEST_AIRFLOW2_URL`, `CONDUCTOR_TEST_AIRFLOW2_USER` and
 * `CONDUCTOR_TEST_AIRFLOW2_PASSWORD` when all three are set (its `stop()` does nothing), else a
 * new one from {@link startAirflow2}.
 */
export async function useAirflow2(options: StartAirflow2Options = {}): Promise<Airflow2Handle> {
  const url = process.env.CONDUCTOR_TEST_AIRFLOW2_URL
  const username = process.env.CONDUCTOR_TEST_AIRFLOW2_USER
  const password = process.env.CONDUCTOR_TEST_AIRFLOW2_PASSWORD
  if (!url || !username || !password) return startAirflow2(options)
  const base = url.replace(/\/+$/, '')
  const version = await getJson(`${base}/api/v1/version`).then((v) => (v as { version: string }).version)
  return { url: base, username, password, version, stop: async () => {} }
}

/** Runs `scripts/airflow-venv.sh requirements/airflow2.txt` (builds the cached venv once) and returns the venv's path. */
export async function airflow2Venv(): Promise<string> {
  const script = join(root, 'scripts', 'airflow-venv.sh')
  const { stdout } = await run(script, [join(root, 'requirements', 'airflow2.txt')], { maxBuffer: 16 * 1024 * 1024, timeout: 20 * 60_000 })
  const lines = stdout.trim().split('\n')
  return lines[lines.length - 1]!.trim()
}

/** Runs one `airflow` CLI step to completion within the deadline, its output appended to the log file. */
async function runStep(what: string, command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string, logFile: string, deadline: number, secrets: string[] = []): Promise<void> {
  const logFd = openSync(logFile, 'a')
  const step = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', logFd, logFd] })
  closeSync(logFd)
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined
  const exitPromise = new Promise<void>((done) => step.once('exit', (code, signal) => { exited = { code, signal }; done() }))
  step.once('error', () => { exited ??= { code: -1, signal: null } })
  while (exited === undefined && Date.now() < deadline) await Promise.race([exitPromise, delay(250)])
  const hide = (text: string) => secrets.reduce((out, secret) => out.split(secret).join('***'), text)
  if (exited === undefined) {
    await stopGroup(step, exitPromise, () => exited !== undefined)
    throw new Error(`Timed out waiting for ${what}.\n${hide(await logTail(logFile))}`)
  }
  if (exited.code !== 0) throw new Error(`${what} failed (code ${exited.code}, signal ${exited.signal}).\n${hide(await logTail(logFile))}`)
}

if (import.meta.main) {
  const started = Date.now()
  const airflow = await startAirflow2()
  console.log(`# Airflow ${airflow.version} ready in ${Math.round((Date.now() - started) / 1000)} s (home ${airflow.home}); Ctrl-C stops it.`)
  console.log(`export CONDUCTOR_TEST_AIRFLOW2_URL=${airflow.url}`)
  console.log(`export CONDUCTOR_TEST_AIRFLOW2_USER=${airflow.username}`)
  console.log(`export CONDUCTOR_TEST_AIRFLOW2_PASSWORD=${airflow.password}`)
  let stopping = false
  const shutdown = () => { if (stopping) return; stopping = true; void airflow.stop().then(() => process.exit(0)) }
  process.on('SIGINT', shutdown)
  process.on('SIGTERM', shutdown)
}
