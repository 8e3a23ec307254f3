import type { EnvironmentConfig } from '../../config/index.ts'
import { ConductorError } from '../../core/index.ts'
import type { Secrets } from '../../secrets/index.ts'

/** A service account's login, as the `basic` and `airflow-token` kinds keep it. */
export interface PasswordCredentials {
  username: string
  password: string
}

/** `secret_unreadable` for a secret of the wrong shape: names provider, secret and environment, never the value. */
export function wrongShape(env: EnvironmentConfig, expected: string): ConductorError {
  return new ConductorError('secret_unreadable', `Secret "${env.credentials.secret}" in secrets provider "${env.credentials.provider}" must be ${expected} (environment "${env.name}")`, {
    details: { provider: env.credentials.provider, secret: env.credentials.secret, environment: env.name, reason: 'invalid_shape' },
  })
}

/** Reads the environment's `{"username","password"}` secret afresh, so a rotated password is used at once. */
export async function readPasswordCredentials(env: EnvironmentConfig, secrets: Secrets): Promise<PasswordCredentials> {
  const value = await secrets.getJson<unknown>(env.credentials)
  const record = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>
  if (typeof record.username !== 'string' || typeof record.password !== 'string' || record.username === '') {
    throw wrongShape(env, 'JSON {"username": …, "password": …}')
  }
  return { username: record.username, password: record.password }
}
