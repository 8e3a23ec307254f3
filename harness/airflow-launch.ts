/** What the flavours of harness/airflow.ts share: one start's facts, a flavour's contract, and one-off CLI steps. */
import { spawn } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { setTimeout as delay } from 'node:timers/promises'
import { logTail, stopGroup } from './processes.ts'
import type { AirflowMetadata } from './airflow-metadata.ts'

/** What one start needs to know, for a flavour to prepare its processes. */
export interface Launch {
  venv: string
  home: string
  ownHome: boolean
  url: string
  port: number
  password: string
  logFile: string
  deadline: number
  env: NodeJS.ProcessEnv
  /** Where Airflow keeps its metadata: PostgreSQL when the launch put it there, else SQLite (a flavour may name its file). */
  metadata: AirflowMetadata
}

/** How one kind of Airflow is started and asked whether it is ready. */
export interface Flavour {
  /** Names the processes in failure messages. */
  label: string
  api: '/api/v2' | '/api/v1'
  /** The unauthenticated health endpoint. */
  healthPath: string
  /** The requirements file of its virtualenv; null for the default (`requirements/airflow.txt`). */
  requirements: string | null
  /** Whether it has the harness's admin user (`conductor` and the random password); false: the handle's are empty. */
  admin: boolean
  homePrefix: string
  logName: string
  /** Version-specific settings, files and one-off steps; returns the long-running command and extra cleanup. */
  prepare(launch: Launch): Promise<{ command: string; args: string[]; cleanup: () => Promise<void> }>
  healthy(health: Record<string, { status?: string | null } | undefined> | undefined): boolean
  /**
   * Called once the API is healthy; returns the readiness check: true once every DAG in `dagIds` is parsed, throws an
   * error starting "Airflow could not import" when a DAG file failed to import.
   */
  parsed(launch: Launch, dagIds: ReadonlySet<string>): Promise<() => Promise<boolean>>
}

/** The error a readiness check throws for import errors (`waitFor` gives up at once on it). */
export function importErrors(errors: { filename: string | null; stackTrace: string | null }[]): Error {
  return new Error(`Airflow could not import DAG files:\n${errors.map((e) => `${e.filename}: ${e.stackTrace}`).join('\n')}`)
}

/** Runs one `airflow` CLI step to completion within the deadline, its output appended to the log file; `secrets` are masked in failures. */
export async function runStep(what: string, command: string, args: string[], launch: Pick<Launch, 'env' | 'home' | 'logFile' | 'deadline'>, secrets: string[] = []): Promise<void> {
  const { env, home, logFile, deadline } = launch
  const logFd = openSync(logFile, 'a')
  const step = spawn(command, args, { cwd: home, env, detached: true, stdio: ['ignore', logFd, logFd] })
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

// A fixed secret is fine: the API server and the scheduler must share it, and this Airflow is local.
const JWT_SECRET = 'conductor-test-airflow-jwt-secret-not-for-production'

/** The settings every Airflow 3 of the harness gets: its API server on loopback at the launch's port, sized for two shared cores. */
export function airflow3Settings({ url, port }: Pick<Launch, 'url' | 'port'>): Record<string, string> {
  return {
    AIRFLOW__API_AUTH__JWT_SECRET: JWT_SECRET,
    AIRFLOW__API__HOST: '127.0.0.1',
    AIRFLOW__API__PORT: String(port),
    AIRFLOW__API__BASE_URL: url,
    AIRFLOW__CORE__EXECUTION_API_SERVER_URL: `${url}/execution/`,
    // Two cores are shared with everything else: one parser and a handful of task slots are plenty.
    AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES: '1',
    AIRFLOW__CORE__PARALLELISM: '8',
  }
}

/** Airflow 3's health answer says the metadata database, the scheduler and the DAG processor are up. */
export function airflow3Healthy(health: Record<string, { status?: string | null } | undefined> | undefined): boolean {
  return health?.metadatabase?.status === 'healthy' && health.scheduler?.status === 'healthy' && health.dag_processor?.status === 'healthy'
}
