import type { Logger } from 'pino'
import { Agent, type Dispatcher } from 'undici'
import type { EnvironmentConfig } from '../config/index.ts'
import { systemClock, type Clock } from '../core/index.ts'
import type { Secrets } from '../secrets/index.ts'
import { createAirflow2Orchestrator } from './airflow2.ts'
import { createAirflow3Orchestrator } from './airflow3.ts'
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

/** The {@link Orchestrator} for one configured environment: Airflow 3 (`/api/v2`) or Airflow 2 (`/api/v1`) by `env.kind`. */
export function createOrchestrator(env: EnvironmentConfig, deps: OrchestratorDeps): Orchestrator {
  const owned = deps.dispatcher ? undefined : new Agent({ connect: { timeout: env.timeoutMs }, keepAliveTimeout: 4_000 })
  const dispatcher = deps.dispatcher ?? owned!
  const http = createAirflowHttp({ env, dispatcher, ...(deps.logger ? { logger: deps.logger } : {}), ...(deps.retryBaseMs !== undefined ? { retryBaseMs: deps.retryBaseMs } : {}) })
  const adapterDeps = {
    secrets: deps.secrets,
    clock: deps.clock ?? systemClock,
    http,
    onClose: async () => { await owned?.close() },
    ...(deps.logger ? { logger: deps.logger } : {}),
  }
  return env.kind === 'airflow2' ? createAirflow2Orchestrator(env, adapterDeps) : createAirflow3Orchestrator(env, adapterDeps)
}
