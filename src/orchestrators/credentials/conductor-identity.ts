import type { EnvironmentConfig } from '../../config/index.ts'
import type { AuthStrategy } from '../http-client.ts'
import type { Actor, ActorTokenSigner } from '../orchestrator.ts'
import type { CredentialsDeps } from './credentials.ts'

/** Airflow's default `[api_auth] jwt_audience`. */
export const DEFAULT_AUDIENCE = 'apache-airflow'
/** The least SimpleAuthManager role that may trigger, rerun and pause DAGs. */
export const DEFAULT_ROLE = 'USER'

/**
 * The service-account half of `conductor-identity`: the environment's secret used as `credentials.serviceAccountKind`
 * says (default `airflow-token`), for the catalog sync and every call not made for a person.
 */
export function createServiceAccountCredentials(deps: CredentialsDeps, factories: Readonly<Record<string, (deps: CredentialsDeps) => AuthStrategy>>): AuthStrategy {
  return factories[deps.env.credentials.serviceAccountKind ?? 'airflow-token']!(deps)
}

/**
 * The person half of `conductor-identity`: every call carries `Authorization: Bearer` with a fresh token naming
 * `actor`, signed by `sign` for the environment's `credentials.audience` (default {@link DEFAULT_AUDIENCE}) with its
 * `credentials.role` (default {@link DEFAULT_ROLE}) as the `role` claim. Not refreshable (a refused token is refused as the person, not retried as someone else). The tokens issued
 * are in `sensitiveValues`, so no error message that could reach a log or a caller repeats one.
 */
export function createActorCredentials(env: EnvironmentConfig, sign: ActorTokenSigner, actor: Actor): AuthStrategy {
  const issued: string[] = []
  return {
    refreshable: false,
    async headers() {
      const token = await sign({ id: actor.id, type: actor.type }, env.credentials.audience ?? DEFAULT_AUDIENCE, { role: env.credentials.role ?? DEFAULT_ROLE })
      issued.push(token)
      // One bound orchestrator serves one governed action: a handful of calls; keep the last few to scrub.
      if (issued.length > 8) issued.shift()
      return { authorization: `Bearer ${token}` }
    },
    invalidate() {},
    sensitiveValues: () => [...issued],
  }
}
