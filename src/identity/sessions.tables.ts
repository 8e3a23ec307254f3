/** A row of `sessions`: a browser session, kept server-side. `id` is the SHA-256 of the cookie value. */
export interface SessionsTable {
  id: string
  principal_type: string
  principal_id: string
  /** The configured issuer name and the token subject, for revocation by subject. */
  issuer: string
  subject: string
  /** JSON of the Principal as of the last (re)validation. */
  principal: string
  csrf_token: string
  created_at: string
  last_seen_at: string
  expires_at: string
  revalidated_at: string
  refresh_token: string | null
  id_token: string | null
  idp_session_id: string | null
  ended_at: string | null
  end_reason: string | null
}

/** A row of `login_states`: a sign-in begun and not yet finished (single use, short-lived). */
export interface LoginStatesTable {
  state: string
  code_verifier: string
  nonce: string
  return_to: string
  created_at: string
}

/** A row of `airflow_sign_in_codes`: a one-time code that carries a signed-in person back to an Airflow's UI. */
export interface AirflowSignInCodesTable {
  /** SHA-256 of the code, base64url. */
  code_hash: string
  environment: string
  principal_type: string
  principal_id: string
  created_at: string
}

/** The identity tables. */
export interface IdentityTables {
  sessions: SessionsTable
  login_states: LoginStatesTable
  airflow_sign_in_codes: AirflowSignInCodesTable
}
