/**
 * Every error a domain raises is a {@link ConductorError} with a stable `code`.
 * Domains know nothing of HTTP: the API maps each code to a status in one place
 * (`src/api/error-handler.ts`), and `docs/errors.md` has a line for each code.
 */

/** The stable, machine-readable error codes. Add new codes to the section of their domain. */
export const ERROR_CODES = [
  // generic
  'invalid_input',
  'not_found',
  'conflict',
  'internal',
  // config
  'config_invalid',
  // store
  'store_unavailable',
  // identity
  'token_missing',
  'token_malformed',
  'token_too_large',
  'token_expired',
  'token_not_yet_valid',
  'token_invalid_issuer',
  'token_invalid_audience',
  'token_invalid_signature',
  'token_algorithm_not_allowed',
  'token_invalid_claims',
  'issuer_unavailable',
  'principal_unknown',
  'session_invalid',
  'session_expired',
  'session_revoked',
  'csrf_invalid',
  'login_failed',
  'precondition_failed',
  // policy
  'policy_invalid',
  'policy_denied',
  'policy_evaluation_failed',
  // secrets
  'secret_not_found',
  'secret_unreadable',
  // orchestrators
  'environment_not_found',
  'dag_not_found',
  'run_not_found',
  'task_not_found',
  'orchestrator_unavailable',
  'orchestrator_auth_failed',
  'orchestrator_rejected',
  'orchestrator_conflict',
  // governance
  'request_not_found',
  'conf_invalid',
  'conf_too_large',
  'dispatch_failed',
  // audit
  'audit_chain_broken',
] as const

/** One of {@link ERROR_CODES}. */
export type ErrorCode = (typeof ERROR_CODES)[number]

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
