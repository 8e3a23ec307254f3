import type { Logger } from 'pino'
import { Agent, type Dispatcher } from 'undici'
import type { EnvironmentConfig } from '../config/index.ts'
import { systemClock, type Clock } from '../core/index.ts'
import type { Secrets } from '../secrets/index.ts'
import { createAirflowOrchestrator } from './airflow.ts'
import { AIRFLOW_API_VERSIONS } from './api-versions.ts'
import { createCredentials } from './credentials/index.ts'
import { guardOrchestrator } from './guarded-orchestrator.ts'
import { createAirflowHttp } from './http-client.ts'
import type { Orchestrator } from './orchestrator.ts'

/** Dependencies of {@link createOrchestrator}. */
export interface OrchestratorDeps {
  /** Where the environment's credentials secret is read from (on every token fetch or call). */
  secrets: Secrets
  /** Decides when a cached token is due for refresh; defaults to the wall clock. */
  clock?: Clock
  /** HTTP dispatcher, e.g. an undici `MockAgent` in tests; by default the orchestrator owns an `Agent` it closes on `close()`. */
  dispatcher?: Dispatcher
  /** For retry warnings; never receives a credential. */
  logger?: Logger
  /** Base of the exponential backoff between retries, in ms (default 200). */
  retryBaseMs?: number
}

/**
 * The {@link Orchestrator} for one configured environment: Airflow 3 (`/api/v2`) or Airflow 2 (`/api/v1`) by
 * `env.kind`, reached with `env.credentials.kind` (default: `airflow-token` for Airflow 3, `basic` for Airflow 2),
 * behind the environment's limits and circuit breaker (see `guardOrchestrator`).
 */
export function createOrchestrator(env: EnvironmentConfig, deps: OrchestratorDeps): Orchestrator {
  const owned = deps.dispatcher ? undefined : new Agent({ connect: { timeout: env.timeoutMs }, keepAliveTimeout: 4_000 })
  const dispatcher = deps.dispatcher ?? owned!
  const http = createAirflowHttp({ env, dispatcher, ...(deps.logger ? { logger: deps.logger } : {}), ...(deps.retryBaseMs !== undefined ? { retryBaseMs: deps.retryBaseMs } : {}) })
  const api = AIRFLOW_API_VERSIONS[env.kind]
  const credentials = createCredentials(env.credentials.kind ?? api.defaultCredentials, { env, secrets: deps.secrets, clock: deps.clock ?? systemClock, http })
  return guardOrchestrator(createAirflowOrchestrator(env, { api, http, credentials, onClose: async () => { await owned?.close() } }), env)
}
