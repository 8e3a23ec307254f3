/**
 * Every error a domain raises is a {@link ConductorError} with a stable `code`. Each code belongs to one
 * neutral {@link ErrorKind}; domains know nothing of HTTP or exit codes. The faces map kinds in one place
 * each: the API to statuses (`src/api/error-handler.ts`), the CLI to exit codes (`src/cli/api-client.ts`).
 * `docs/errors.md` has a line for each code; a test keeps the three in step.
 */

/** The kinds of failure, as a caller should react to them. */
export const ERROR_KINDS = [
  /** The input is wrong; fix it and retry. */
  'invalid',
  /** No, or no longer valid, identity: sign in (again). */
  'unauthenticated',
  /** A sign-in attempt could not complete. */
  'sign_in_failed',
  /** Identity known, action refused. */
  'denied',
  /** The target does not exist (or may not be seen). */
  'not_found',
  /** The target exists but does not take this HTTP method; use one it names (`Allow`). */
  'method_not_allowed',
  /** The request body is larger than the server accepts. */
  'too_large',
  /** The request's URL (a path segment) is longer than the server accepts. */
  'uri_too_long',
  /** The request body is in a format the route does not read. */
  'unsupported_media_type',
  /** The request's headers are larger than the server accepts. */
  'headers_too_large',
  /** The change conflicts with the current state. */
  'conflict',
  /** The target changed since the version the caller named. */
  'stale',
  /** The request contradicts the earlier one it claims to repeat (an idempotency key sent with another request); do not retry it as is. */
  'mismatch',
  /** A dependency (database, identity provider, orchestrator) cannot be reached right now; retry later. */
  'unavailable',
  /** Conductor held the call back to protect a dependency from overload; retry after the time it names. */
  'throttled',
  /** A dependency answered, but not usefully (refused credentials, failed unexpectedly). */
  'upstream',
  /** Conductor's own configuration is wrong. */
  'misconfigured',
  /** A bug or an unexpected failure inside Conductor. */
  'internal',
  /** The audit trail's integrity is broken. */
  'integrity',
] as const

/** One of {@link ERROR_KINDS}. */
export type ErrorKind = (typeof ERROR_KINDS)[number]

/** The error registry: every stable, machine-readable code with its kind. Add new codes to the section of their domain. */
export const ERRORS = {
  // generic
  invalid_input: 'invalid',
  not_found: 'not_found',
  method_not_allowed: 'method_not_allowed',
  conflict: 'conflict',
  internal: 'internal',
  // HTTP (refusals before any route runs)
  payload_too_large: 'too_large',
  uri_too_long: 'uri_too_long',
  unsupported_media_type: 'unsupported_media_type',
  headers_too_large: 'headers_too_large',
  // config
  config_invalid: 'misconfigured',
  // store
  store_unavailable: 'unavailable',
  // identity
  token_missing: 'unauthenticated',
  token_malformed: 'unauthenticated',
  token_too_large: 'unauthenticated',
  token_expired: 'unauthenticated',
  token_not_yet_valid: 'unauthenticated',
  token_invalid_issuer: 'unauthenticated',
  token_invalid_audience: 'unauthenticated',
  token_invalid_signature: 'unauthenticated',
  token_algorithm_not_allowed: 'unauthenticated',
  token_unsupported_critical_header: 'unauthenticated',
  token_invalid_claims: 'unauthenticated',
  token_unknown: 'unauthenticated',
  issuer_unavailable: 'unavailable',
  principal_unknown: 'unauthenticated',
  session_invalid: 'unauthenticated',
  session_expired: 'unauthenticated',
  session_revoked: 'unauthenticated',
  csrf_invalid: 'denied',
  login_failed: 'sign_in_failed',
  airflow_sign_in_invalid: 'sign_in_failed',
  precondition_failed: 'stale',
  trust_rule_invalid: 'invalid',
  trust_rule_not_found: 'not_found',
  unsupported_grant_type: 'invalid',
  invalid_grant: 'invalid',
  invalid_target: 'invalid',
  invalid_scope: 'invalid',
  token_revoked: 'unauthenticated',
  token_owner_disabled: 'unauthenticated',
  token_principal_conflict: 'unauthenticated',
  token_expiry_too_long: 'invalid',
  credential_not_interactive: 'denied',
  access_token_not_found: 'not_found',
  service_account_not_found: 'not_found',
  service_account_exists: 'conflict',
  group_not_held: 'denied',
  sponsor_not_allowed: 'denied',
  // policy
  policy_invalid: 'invalid',
  policy_denied: 'denied',
  policy_evaluation_failed: 'internal',
  // secrets
  secret_not_found: 'internal',
  secret_unreadable: 'internal',
  secret_unavailable: 'unavailable',
  // orchestrators
  environment_not_found: 'not_found',
  dag_not_found: 'not_found',
  run_not_found: 'not_found',
  task_not_found: 'not_found',
  orchestrator_unavailable: 'unavailable',
  orchestrator_auth_failed: 'upstream',
  orchestrator_rejected: 'invalid',
  orchestrator_conflict: 'conflict',
  orchestrator_throttled: 'throttled',
  environment_circuit_open: 'unavailable',
  airflow_api_mismatch: 'not_found',
  asset_not_found: 'not_found',
  assets_not_supported: 'invalid',
  // governance
  request_not_found: 'not_found',
  conf_invalid: 'invalid',
  conf_too_large: 'invalid',
  lineage_event_invalid: 'invalid',
  dataset_not_found: 'not_found',
  run_type_not_allowed: 'conflict',
  dispatch_failed: 'upstream',
  idempotency_key_reused: 'mismatch',
  idempotency_key_in_use: 'conflict',
  dispatch_interrupted: 'unavailable',
  reason_required: 'invalid',
  approval_self: 'denied',
  approval_not_allowed: 'denied',
  approval_duplicate: 'conflict',
  request_not_pending: 'conflict',
  request_not_yours: 'denied',
  approval_pending: 'denied',
  grant_not_found: 'not_found',
  grant_revoke_not_allowed: 'denied',
  grant_not_active: 'conflict',
  hitl_not_found: 'not_found',
  hitl_not_supported: 'not_found',
  hitl_not_assigned: 'denied',
  hitl_already_answered: 'conflict',
  budget_exceeded: 'throttled',
  schedule_not_found: 'not_found',
  schedule_owner_not_allowed: 'denied',
  link_not_found: 'not_found',
  link_owner_not_allowed: 'denied',
  environment_exists: 'conflict',
  environment_config_owned: 'conflict',
  secret_value_refused: 'invalid',
  // mcp
  tool_not_allowed: 'denied',
  // audit
  audit_chain_broken: 'integrity',
  audit_sink_unavailable: 'unavailable',
  audit_checkpoints_not_configured: 'not_found',
  audit_archive_broken: 'integrity',
  archive_store_unavailable: 'unavailable',
  archive_store_refused: 'upstream',
  // compliance
  campaign_not_found: 'not_found',
  campaign_closed: 'conflict',
  review_item_not_found: 'not_found',
  review_not_allowed: 'denied',
  history_unavailable: 'invalid',
  evidence_bundle_broken: 'integrity',
} as const satisfies Record<string, ErrorKind>

/** One of the codes of {@link ERRORS}. */
export type ErrorCode = keyof typeof ERRORS

/** Every code of {@link ERRORS}, in registry order. */
export const ERROR_CODES = Object.keys(ERRORS) as readonly ErrorCode[]

/** True when `code` is a registry code (e.g. one an API answer carries). */
export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERRORS, code)
}

/** The kind of a registry code. */
export function errorKind(code: ErrorCode): ErrorKind {
  return ERRORS[code]
}

/** Options for {@link ConductorError}. */
export interface ConductorErrorOptions {
  /** Structured facts a caller may act on, e.g. `{ field: 'conf' }`. Never a secret. */
  details?: Record<string, unknown>
  /** The error that caused this one, kept for logs. */
  cause?: unknown
}

/** The base error of Conductor: a message for people, a code for programs. */
export class ConductorError extends Error {
  readonly code: ErrorCode
  readonly details: Record<string, unknown> | undefined

  constructor(code: ErrorCode, message: string, options: ConductorErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'ConductorError'
    this.code = code
    this.details = options.details
  }
}

/** True when `error` is a {@link ConductorError}, optionally with the given code. */
export function isConductorError(error: unknown, code?: ErrorCode): error is ConductorError {
  return error instanceof ConductorError && (code === undefined || error.code === code)
}
