import type { EnvironmentConfig } from '../../config/index.ts'
import { ConductorError } from '../../core/index.ts'
import type { AuthStrategy } from '../http-client.ts'
import type { Actor, ActorTokenSigner } from '../orchestrator.ts'
import type { CredentialsDeps } from './credentials.ts'

/** Airflow's default `[api_auth] jwt_audience`. */
export const DEFAULT_AUDIENCE = 'apache-airflow'
/** The least SimpleAuthManager role that may trigger, rerun and pause DAGs. */
export const DEFAULT_ROLE = 'USER'

/**
 * The claim naming the approved request a per-person token dispatches. Only Conductor signs tokens Airflow trusts, and
 * only for its own dispatches, so a person's own Airflow sign-in never carries it.
 */
export const REQUEST_CLAIM = 'conductor_request'

/** Conductor's own name in an Airflow that trusts its tokens (`credentials.serviceAccount`'s default). */
export const DEFAULT_SERVICE_ACCOUNT = 'conductor'

/**
 * The service-account half of `conductor-identity`, for the catalog sync and every call not made for a person: the
 * environment's secret used as `credentials.serviceAccountKind` says (default `airflow-token`), or with
 * `conductor-signed` no secret at all: tokens Conductor signs for itself, as `ServiceAccount` `credentials.serviceAccount`.
 */
export function createServiceAccountCredentials(deps: CredentialsDeps, factories: Readonly<Record<string, (deps: CredentialsDeps) => AuthStrategy>>): AuthStrategy {
  const kind = deps.env.credentials.serviceAccountKind ?? 'airflow-token'
  if (kind !== 'conductor-signed') return factories[kind]!(deps)
  if (!deps.sign) throw new ConductorError('config_invalid', `environment "${deps.env.name}" signs its service account's tokens but Conductor has no Airflow token signer`, { details: { environment: deps.env.name } })
  return createActorCredentials(deps.env, deps.sign, { id: deps.env.credentials.serviceAccount ?? DEFAULT_SERVICE_ACCOUNT, type: 'ServiceAccount' })
}

/**
 * The person half of `conductor-identity`: every call carries `Authorization: Bearer` with a fresh token naming
 * `actor`, signed by `sign` for the environment's `credentials.audience` (default {@link DEFAULT_AUDIENCE}) with its
 * `credentials.role` (default {@link DEFAULT_ROLE}) as the `role` claim, and, when the actor dispatches an approved
 * request, its id as the {@link REQUEST_CLAIM} claim. Not refreshable (a refused token is refused as the person, not retried as someone else). The tokens issued
 * are in `sensitiveValues`, so no error message that could reach a log or a caller repeats one.
 */
export function createActorCredentials(env: EnvironmentConfig, sign: ActorTokenSigner, actor: Actor): AuthStrategy {
  const issued: string[] = []
  return {
    refreshable: false,
    async headers() {
      const claims: Record<string, string> = { role: env.credentials.role ?? DEFAULT_ROLE }
      if (actor.request) claims[REQUEST_CLAIM] = actor.request
      const token = await sign({ id: actor.id, type: actor.type }, env.credentials.audience ?? DEFAULT_AUDIENCE, claims)
      issued.push(token)
      // One bound orchestrator serves one governed action: a handful of calls; keep the last few to scrub.
      if (issued.length > 8) issued.shift()
      return { authorization: `Bearer ${token}` }
    },
    invalidate() {},
    sensitiveValues: () => [...issued],
  }
}
