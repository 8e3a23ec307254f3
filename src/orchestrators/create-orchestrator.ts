import type { Logger } from 'pino'
import { Agent, type Dispatcher } from 'undici'
import type { EnvironmentConfig } from '../config/index.ts'
import { ConductorError, systemClock, type Clock } from '../core/index.ts'
import type { Secrets } from '../secrets/index.ts'
import { createAirflowOrchestrator } from './airflow.ts'
import { AIRFLOW_API_VERSIONS } from './api-versions.ts'
import { createActorCredentials, createCredentials } from './credentials/index.ts'
import { guardOrchestrator } from './guarded-orchestrator.ts'
import { createAirflowHttp } from './http-client.ts'
import type { Actor, ActorTokenSigner, Orchestrator } from './orchestrator.ts'

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
  /** Signs per-person tokens for environments of credential kind `conductor-identity` (required by them). */
  actorTokenSigner?: ActorTokenSigner
  /** Headers added to every request to Airflow as it is sent, e.g. the W3C `traceparent` of the active trace. */
  callHeaders?: () => Record<string, string>
}

/**
 * The {@link Orchestrator} for one configured environment: Airflow 3 (`/api/v2`) or Airflow 2 (`/api/v1`) by
 * `env.kind`, reached with `env.credentials.kind` (default: `airflow-token` for Airflow 3, `basic` for Airflow 2),
 * behind the environment's limits and circuit breaker (see `guardOrchestrator`). With `conductor-identity`, the
 * orchestrator has {@link Orchestrator.as}: calls for a person carry a token from `deps.actorTokenSigner`.
 * @throws ConductorError `config_invalid` for a `conductor-identity` environment without `deps.actorTokenSigner`.
 */
export function createOrchestrator(env: EnvironmentConfig, deps: OrchestratorDeps): Orchestrator {
  const sign = deps.actorTokenSigner
  const perPerson = env.credentials.kind === 'conductor-identity'
  if (perPerson && !sign) {
    throw new ConductorError('config_invalid', `environment "${env.name}" uses credentials kind "conductor-identity" but Conductor has no Airflow token signer`, { details: { environment: env.name } })
  }
  const owned = deps.dispatcher ? undefined : new Agent({ connect: { timeout: env.timeoutMs }, keepAliveTimeout: 4_000 })
  const dispatcher = deps.dispatcher ?? owned!
  const http = createAirflowHttp({ env, dispatcher, ...(deps.logger ? { logger: deps.logger } : {}), ...(deps.retryBaseMs !== undefined ? { retryBaseMs: deps.retryBaseMs } : {}),
    ...(deps.callHeaders ? { callHeaders: deps.callHeaders } : {}),
  })
  const api = AIRFLOW_API_VERSIONS[env.kind]
  const credentials = createCredentials(env.credentials.kind ?? api.defaultCredentials, { env, secrets: deps.secrets, clock: deps.clock ?? systemClock, http, ...(sign ? { sign } : {}) })
  return guardOrchestrator(createAirflowOrchestrator(env, {
    api, http, credentials, onClose: async () => { await owned?.close() },
    ...(perPerson && sign ? { actorCredentials: (actor: Actor) => createActorCredentials(env, sign, actor) } : {}),
  }), env)
}
