/**
 * A real Airflow 3 for end-to-end tests and the demo: `airflow standalone` from the cached
 * virtualenv of `scripts/airflow-venv.sh`, with the project's DAGs and a fixed admin login.
 *
 * Run directly (`node harness/airflow.ts`) to start one and print the environment variables
 * that make {@link useAirflow} reuse it; Ctrl-C stops it.
 */
import { execFile, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, openSync } from 'node:fs'
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { freePort, getJson, stopGroup, waitFor } from './processes.ts'

const LABEL = 'airflow standalone'

const root = resolve(import.meta.dirname, '..')

/** A running Airflow and how to reach it. */
export interface AirflowHandle {
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  url: string
  /** The SimpleAuthManager admin user (`conductor`). */
  username: string
  password: string
  /** Airflow's version, e.g. `3.3.2`. */
  version: string
  /** AIRFLOW_HOME (only for an Airflow this process started). */
  home?: string
  /** Stops the whole process group and waits for it; a no-op for an Airflow this process did not start. */
  stop(): Promise<void>
}

/** Options of {@link startAirflow}. */
export interface StartAirflowOptions {
  /** Port of the API server; a free one by default. */
  port?: number
  /** Folders whose `*.py` files become the DAGs; default `dags/` and `test/dags/`. */
  dagsFolders?: string[]
  /** AIRFLOW_HOME to use and keep; a temporary folder (removed on stop) by default. */
  home?: string
  /** How long to wait for Airflow to be healthy with every DAG parsed; default 240 s. */
  timeoutMs?: number
}

const USERNAME = 'conductor'
// A fixed secret is fine: the API server and the scheduler must share it, and this Airflow is local.
const JWT_SECRET = 'conductor-test-airflow-jwt-secret-not-for-production'

/** Starts `airflow standalone` and resolves once the API answers and every DAG in the given folders is parsed. */
export async function startAirflow(options: StartAirflowOptions = {}): Promise<AirflowHandle> {
  const venv = await airflowVenv()
  const ownHome = options.home === undefined
  const home = options.home ?? await mkdtemp(join(tmpdir(), 'conductor-airflow-'))
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

  const password = randomBytes(18).toString('base64url')
  const passwordsFile = join(home, 'simple_auth_manager_passwords.json')
  await writeFile(passwordsFile, JSON.stringify({ [USERNAME]: password }), { mode: 0o600 })
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
    NO_COLOR: '1',
    PYTHONUNBUFFERED: '1',
  })
  const logFile = join(home, 'standalone.log')
  const logFd = openSync(logFile, 'a')
  const child = spawn(join(venv, 'bin', 'airflow'), ['standalone'], { cwd: home, env, detached: true, stdio: ['ignore', logFd, logFd] })
  closeSync(logFd)
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined
  const exitPromise = new Promise<void>((done) => child.once('exit', (code, signal) => { exited = { code, signal }; done() }))
  child.once('error', () => { exited ??= { code: -1, signal: null } })

  const stop = async () => {
    await stopGroup(child, exitPromise, () => exited !== undefined)
    if (ownHome) await rm(home, { recursive: true, force: true })
  }

  const deadline = Date.now() + (options.timeoutMs ?? 240_000)
  try {
    await waitFor(LABEL, 'the API server to be healthy', deadline, logFile, () => exited, async () => {
      const health = await getJson(`${url}/api/v2/monitor/health`)
      const parts = health as Record<string, { status?: string } | undefined> | undefined
      return parts?.metadatabase?.status === 'healthy' && parts.scheduler?.status === 'healthy' && parts.dag_processor?.status === 'healthy'
    })
    const token = await fetchToken(url, USERNAME, password)
    await waitFor(LABEL, `DAGs ${[...dagIds].join(', ')} to be parsed`, deadline, logFile, () => exited, async () => {
      const errors = await getJson(`${url}/api/v2/importErrors`, `Bearer ${token}`) as { import_errors?: { filename: string; stack_trace: string }[] } | undefined
      if (errors?.import_errors?.length) {
        throw new Error(`Airflow could not import DAG files:\n${errors.import_errors.map((e) => `${e.filename}: ${e.stack_trace}`).join('\n')}`)
      }
      const dags = await getJson(`${url}/api/v2/dags?limit=1000`, `Bearer ${token}`) as { dags?: { dag_id: string }[] } | undefined
      const seen = new Set((dags?.dags ?? []).map((d) => d.dag_id))
      return [...dagIds].every((id) => seen.has(id))
    })
    const version = (await getJson(`${url}/api/v2/version`) as { version: string }).version
    return { url, username: USERNAME, password, version, home, stop }
  } catch (error) {
    await stopGroup(child, exitPromise, () => exited !== undefined)
    throw error
  }
}

/**
 * The Airflow named by `CONDUCTOR_TEST_AIRFLOW_URL`, `CONDUCTOR_TEST_AIRFLOW_USER` and
 * `CONDUCTOR_TEST_AIRFLOW_PASSWORD` when all three are set (its `stop()` does nothing), else a
 * new one from {@link startAirflow}.
 */
export async function useAirflow(options: StartAirflowOptions = {}): Promise<AirflowHandle> {
  const url = process.env.CONDUCTOR_TEST_AIRFLOW_URL
  const username = process.env.CONDUCTOR_TEST_AIRFLOW_USER
  const password = process.env.CONDUCTOR_TEST_AIRFLOW_PASSWORD
  if (!url || !username || !password) return startAirflow(options)
  const base = url.replace(/\/+$/, '')
  const version = await getJson(`${base}/api/v2/version`).then((v) => (v as { version: string }).version)
  return { url: base, username, password, version, stop: async () => {} }
}

/** Runs `scripts/airflow-venv.sh` (builds the cached venv once) and returns the venv's path. */
export async function airflowVenv(): Promise<string> {
  const { stdout } = await promisify(execFile)(join(root, 'scripts', 'airflow-venv.sh'), [], { maxBuffer: 16 * 1024 * 1024, timeout: 20 * 60_000 })
  const lines = stdout.trim().split('\n')
  return lines[lines.length - 1]!.trim()
}

async function fetchToken(url: string, username: string, password: string): Promise<string> {
  const response = await fetch(`${url}/auth/token`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }), signal: AbortSignal.timeout(10_000),
  })
  if (response.status !== 201 && response.status !== 200) throw new Error(`POST /auth/token answered ${response.status}`)
  return ((await response.json()) as { access_token: string }).access_token
}

if (import.meta.main) {
  const started = Date.now()
  const airflow = await startAirflow()
  console.log(`# Airflow ${airflow.version} ready in ${Math.round((Date.now() - started) / 1000)} s (home ${airflow.home}); Ctrl-C stops it.`)
  console.log(`export CONDUCTOR_TEST_AIRFLOW_URL=${airflow.url}`)
  console.log(`export CONDUCTOR_TEST_AIRFLOW_USER=${airflow.username}`)
  console.log(`export CONDUCTOR_TEST_AIRFLOW_PASSWORD=${airflow.password}`)
  let stopping = false
  const shutdown = () => { if (stopping) return; stopping = true; void airflow.stop().then(() => process.exit(0)) }
  process.on('SIGINT', shutdown)
  process.on('SIGTERM', shutdown)
}
