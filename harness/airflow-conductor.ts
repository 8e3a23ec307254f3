/**
 * The harness's Airflow 3 that runs the Conductor auth manager from this repository's source
 * (`integrations/airflow/src`): no SimpleAuthManager and so no admin user. `airflow standalone` insists on the
 * SimpleAuthManager, so this one runs `airflow db migrate`, then the scheduler, the DAG processor and the API server
 * in one process group; it is ready once Airflow's metadata database (SQLite, or PostgreSQL when the launch put it
 * there) shows every DAG parsed and no import error.
 * With a team, Airflow runs in multi-team mode: the team is created after the migration, and its DAGs are a bundle of
 * their own ({@link teamBundlePath}).
 */
import { join, resolve } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { airflow3Healthy, airflow3Settings, importErrors, runStep, type Flavour } from './airflow-launch.ts'
import type { AirflowMetadata } from './airflow-metadata.ts'

const root = resolve(import.meta.dirname, '..')

/** Where the Conductor auth manager finds Conductor: `[conductor] url`, `environment` and `token_file`. */
export interface ConductorAuthManagerOptions {
  /** Conductor's base URL, reachable from Airflow (e.g. `http://127.0.0.1:41234`). */
  url: string
  /** The Conductor environment this Airflow is. */
  environment: string
  /** A file holding a Conductor token of a principal allowed `airflow:authorize` on the environment. */
  tokenFile: string
}

/**
 * The folder of a team's DAG bundle inside AIRFLOW_HOME, in Airflow's multi-team mode (`[core] multi_team`): a
 * `LocalDagBundle` named after the team, whose `team_name` is the team.
 */
export function teamBundlePath(home: string, team: string): string {
  return join(home, `dags-team-${team}`)
}

/**
 * The flavour of an Airflow 3 whose authorization questions the Conductor auth manager sends to `conductor`; with
 * `team` (3 to 50 of `[a-zA-Z0-9_-]`), in multi-team mode with that one team: the DAGs of its bundle
 * ({@link teamBundlePath}) belong to it, every other DAG (the `dags-folder` bundle) to none.
 */
export function conductorFlavour(conductor: ConductorAuthManagerOptions, team?: string): Flavour {
  return {
    label: 'Airflow 3 scheduler, DAG processor or API server',
    api: '/api/v2',
    healthPath: '/api/v2/monitor/health',
    requirements: null,
    admin: false,
    homePrefix: 'conductor-airflow-am-',
    logName: 'airflow.log',
    async prepare(launch) {
      const airflow = join(launch.venv, 'bin', 'airflow')
      Object.assign(launch.env, airflow3Settings(launch), {
        PYTHONPATH: [join(root, 'integrations', 'airflow', 'src'), launch.env.PYTHONPATH].filter(Boolean).join(':'),
        AIRFLOW__CORE__AUTH_MANAGER: 'airflow_conductor.ConductorAuthManager',
        AIRFLOW__CONDUCTOR__URL: conductor.url,
        AIRFLOW__CONDUCTOR__ENVIRONMENT: conductor.environment,
        AIRFLOW__CONDUCTOR__TOKEN_FILE: conductor.tokenFile,
        // What `airflow standalone` picks; it runs on either engine.
        AIRFLOW__CORE__EXECUTOR: 'LocalExecutor',
      })
      if (team) launch.env.AIRFLOW__CORE__MULTI_TEAM = 'True'
      await runStep('airflow db migrate', airflow, ['db', 'migrate'], launch)
      if (launch.metadata.engine === 'sqlite') writeAheadLog(join(launch.home, 'airflow.db'))
      if (team) {
        // A bundle may name only a team that exists (the DAG processor refuses to start otherwise), so the team first.
        await runStep('airflow teams create', airflow, ['teams', 'create', team], launch)
        launch.env.AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST = JSON.stringify([
          { name: 'dags-folder', classpath: 'airflow.dag_processing.bundles.local.LocalDagBundle', kwargs: {} },
          { name: team, classpath: 'airflow.dag_processing.bundles.local.LocalDagBundle', kwargs: { path: teamBundlePath(launch.home, team) }, team_name: team },
        ])
      }
      // One process group: stop() ends all three and their children; the shell exits as soon as any of them does.
      return { command: 'bash', args: ['-c', '"$0" scheduler & "$0" dag-processor & "$0" api-server & wait -n', airflow], cleanup: async () => {} }
    },
    healthy: airflow3Healthy,
    parsed: async ({ metadata }, dagIds) => async () => parsedInDatabase(metadata, dagIds),
  }
}

/**
 * Puts an SQLite database in write-ahead-log mode (kept in the file). Airflow's sessions hold read transactions open
 * while they work; in SQLite's default journal any open reader stops every commit, so the API server's writes wait
 * past the busy timeout behind the scheduler's and the DAG processor's reads and fail ("500 Database error"). In WAL
 * mode readers never block the writer; only writers wait for each other.
 */
export function writeAheadLog(database: string): void {
  const db = new DatabaseSync(database)
  try {
    db.exec('PRAGMA journal_mode = WAL')
  } finally {
    db.close()
  }
}

/**
 * Whether Airflow's metadata database holds every DAG of `dagIds` as parsed and current (`dag.is_stale` false);
 * throws "Airflow could not import DAG files" when `import_error` has rows.
 */
async function parsedInDatabase(metadata: AirflowMetadata, dagIds: ReadonlySet<string>): Promise<boolean> {
  const errors = await metadata.query<{ filename: string | null; stacktrace: string | null }>('SELECT filename, stacktrace FROM import_error')
  if (errors.length > 0) throw importErrors(errors.map((e) => ({ filename: e.filename, stackTrace: e.stacktrace })))
  const seen = new Set((await metadata.query<{ dag_id: string }>('SELECT dag_id FROM dag WHERE NOT is_stale')).map((r) => r.dag_id))
  return [...dagIds].every((id) => seen.has(id))
}
