import type { CredentialKind, EnvironmentConfig } from '../../config/index.ts'
import type { Clock } from '../../core/index.ts'
import type { Secrets } from '../../secrets/index.ts'
import type { AirflowHttp, AuthStrategy } from '../http-client.ts'
import type { ActorTokenSigner } from '../orchestrator.ts'
import { createAirflowTokenCredentials } from './airflow-token.ts'
import { createBasicCredentials } from './basic.ts'
import { createBearerCredentials } from './bearer.ts'
import { createServiceAccountCredentials } from './conductor-identity.ts'

/** What a credential kind may use: the environment (its `credentials` secret reference), the secrets, time and Airflow. */
export interface CredentialsDeps {
  env: EnvironmentConfig
  secrets: Secrets
  clock: Clock
  /** For kinds that exchange the secret for a token with Airflow itself. */
  http: AirflowHttp
  /** Signs Conductor's own tokens (`conductor-identity` with `serviceAccountKind: conductor-signed`). */
  sign?: ActorTokenSigner
}

/** Builds the {@link AuthStrategy} of one credential kind. */
export type CredentialsFactory = (deps: CredentialsDeps) => AuthStrategy

/** Every credential kind (`credentials.kind` of an environment) and how to build it. A new way to reach Airflow is a row here. */
export const CREDENTIAL_FACTORIES: Readonly<Record<CredentialKind, CredentialsFactory>> = {
  basic: createBasicCredentials,
  'airflow-token': createAirflowTokenCredentials,
  bearer: createBearerCredentials,
  // Per-person calls get their credentials from `createActorCredentials`; this row is the service account's.
  'conductor-identity': (deps) => createServiceAccountCredentials(deps, CREDENTIAL_FACTORIES),
}

/** The credentials of kind `kind` for `deps.env`. */
export function createCredentials(kind: CredentialKind, deps: CredentialsDeps): AuthStrategy {
  return CREDENTIAL_FACTORIES[kind](deps)
}
