import { errorKind, isErrorCode, type ErrorKind } from '../core/index.ts'
import { UNREACHABLE, type ApiError } from '../client/index.ts'

export { ApiError, createApiClient, retryDelayMs } from '../client/index.ts'
export type { ApiClient, RequestOptions } from '../client/index.ts'

/** Exit codes of the `conductor` command, distinct per kind of failure. `runFailed`: `trigger --wait` saw the run fail. */
export const EXIT = { ok: 0, error: 1, usage: 2, denied: 3, notFound: 4, unavailable: 5, unauthenticated: 6, auditBroken: 7, runFailed: 8 } as const

/** The exit code of each kind of error in the registry (`src/core/errors.ts`): the one place error codes meet exit codes. */
export const EXIT_BY_KIND: Readonly<Record<ErrorKind, number>> = {
  invalid: EXIT.usage,
  unauthenticated: EXIT.unauthenticated,
  sign_in_failed: EXIT.unauthenticated,
  denied: EXIT.denied,
  not_found: EXIT.notFound,
  method_not_allowed: EXIT.usage,
  too_large: EXIT.usage,
  uri_too_long: EXIT.usage,
  unsupported_media_type: EXIT.usage,
  headers_too_large: EXIT.usage,
  conflict: EXIT.usage,
  stale: EXIT.error,
  mismatch: EXIT.usage,
  unavailable: EXIT.unavailable,
  throttled: EXIT.unavailable,
  upstream: EXIT.unavailable,
  misconfigured: EXIT.usage,
  internal: EXIT.error,
  integrity: EXIT.auditBroken,
}

/** Codes only the CLI raises (they never come from the server), with their kind. Documented in docs/errors.md. */
export const CLI_ERROR_KINDS = {
  /** The server could not be reached at all. */
  [UNREACHABLE]: 'unavailable',
} as const satisfies Record<string, ErrorKind>

/** The exit code for an error code: a registry code or one of {@link CLI_ERROR_KINDS}; undefined for any other. */
export function exitCodeForCode(code: string): number | undefined {
  if (isErrorCode(code)) return EXIT_BY_KIND[errorKind(code)]
  if (Object.hasOwn(CLI_ERROR_KINDS, code)) return EXIT_BY_KIND[CLI_ERROR_KINDS[code as keyof typeof CLI_ERROR_KINDS]]
  return undefined
}

/** The exit code for an error answer: by its code, or by its status when the code is not one Conductor defines (e.g. a proxy's page). */
export function exitCodeForApiError(error: Pick<ApiError, 'code' | 'status'>): number {
  return exitCodeForCode(error.code) ?? exitCodeForStatus(error.status)
}

function exitCodeForStatus(status: number): number {
  if (status === 401) return EXIT.unauthenticated
  if (status === 403) return EXIT.denied
  if (status === 404) return EXIT.notFound
  if (status === 503 || status === 502 || status === 429) return EXIT.unavailable
  if (status === 400 || status === 409 || status === 422) return EXIT.usage
  return EXIT.error
}
