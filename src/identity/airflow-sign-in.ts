import { createHash, randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import { ConductorError, systemClock, type Clock } from '../core/index.ts'
import type { IdentityTables } from './sessions.tables.ts'

/** How long a sign-in code for Airflow stays redeemable: the browser carries it straight back to Airflow. */
export const AIRFLOW_SIGN_IN_CODE_SECONDS = 60

/** Who a sign-in code stands for. */
export interface SignInPrincipalRef {
  type: string
  id: string
}

/**
 * One-time codes for signing in to Airflow's own UI through Conductor. Conductor issues one to a person it has just
 * signed in, the browser carries it to the Airflow's callback, and the Conductor auth manager there redeems it for
 * the person. A code is single use, bound to one environment and lives {@link AIRFLOW_SIGN_IN_CODE_SECONDS} seconds;
 * only its hash is stored.
 */
export interface AirflowSignInCodes {
  /** A fresh code for `principal` in `environment` (also sweeps expired codes). */
  issue(principal: SignInPrincipalRef, environment: string): Promise<string>
  /**
   * Takes the code (whatever happens next, it cannot be used again) and returns whom it stands for.
   * @throws ConductorError `airflow_sign_in_invalid` when the code is unknown, used, expired or another environment's.
   */
  redeem(code: string, environment: string): Promise<SignInPrincipalRef>
}

/** Creates the {@link AirflowSignInCodes} over the database. */
export function createAirflowSignInCodes(deps: { db: Kysely<IdentityTables>; clock?: Clock; randomCode?: () => string }): AirflowSignInCodes {
  const clock = deps.clock ?? systemClock
  const randomCode = deps.randomCode ?? (() => randomBytes(32).toString('base64url'))
  const ttlMs = AIRFLOW_SIGN_IN_CODE_SECONDS * 1000
  const iso = (ms: number) => new Date(ms).toISOString()
  const invalid = (why: string) => new ConductorError('airflow_sign_in_invalid', `this Airflow sign-in code ${why}; sign in to Airflow again`)
  return {
    async issue(principal, environment) {
      const now = clock.now()
      const code = randomCode()
      await deps.db.deleteFrom('airflow_sign_in_codes').where('created_at', '<', iso(now - ttlMs)).execute()
      await deps.db.insertInto('airflow_sign_in_codes').values({
        code_hash: hashCode(code), environment, principal_type: principal.type, principal_id: principal.id, created_at: iso(now),
      }).execute()
      return code
    },

    async redeem(code, environment) {
      const row = await deps.db.deleteFrom('airflow_sign_in_codes').where('code_hash', '=', hashCode(code)).returningAll().executeTakeFirst()
      if (!row) throw invalid('is unknown or was already used')
      if (clock.now() - Date.parse(row.created_at) > ttlMs) throw invalid('has expired')
      if (row.environment !== environment) throw invalid(`was issued for another environment than "${environment}"`)
      return { type: row.principal_type, id: row.principal_id }
    },
  }
}

function hashCode(code: string): string {
  return createHash('sha256').update(code).digest('base64url')
}
