import { errorKind, isErrorCode, type ErrorKind } from '../core/index.ts'

/** An error answer from the Conductor API. */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly details: Record<string, unknown> | undefined
  constructor(status: number, code: string, message: string, details?: Record<string, unknown>) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.details = details
  }
}

/** Options of one {@link ApiClient.request}. */
export interface RequestOptions {
  /** Sent as the `Idempotency-Key` header, the same on every retry: the server acts once however often it is sent. */
  idempotencyKey?: string
  /**
   * How many times to send it again after a network error, a 503, or a 409 `idempotency_key_in_use` (the first
   * attempt still in flight); default 0. Only with `idempotencyKey`, so a retry never acts twice.
   */
  retries?: number
}

/** A small client of the Conductor REST API. */
export interface ApiClient {
  request<T>(method: string, path: string, body?: unknown, options?: RequestOptions): Promise<T>
}

/** Waits before retry `attempt` (1, 2, …): 0.5 s, 1 s, 2 s, then 4 s. */
export function retryDelayMs(attempt: number): number {
  return Math.min(500 * 2 ** (attempt - 1), 4000)
}

/** Creates a client for `baseUrl` that sends `token` as a bearer token. `delay` waits between retries (tests pass a fast one). */
export function createApiClient(options: { baseUrl: string; token: string | undefined; fetch?: typeof fetch; delay?: (ms: number) => Promise<void> }): ApiClient {
  const doFetch = options.fetch ?? fetch
  const delay = options.delay ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)))
  const once = async <T>(method: string, path: string, body: unknown, idempotencyKey: string | undefined): Promise<T> => {
    let response: Response
    try {
      response = await doFetch(new URL(path, options.baseUrl), {
        method,
        headers: {
          accept: 'application/json',
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(idempotencyKey !== undefined ? { 'idempotency-key': idempotencyKey } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(60_000),
      })
    } catch (cause) {
      throw new ApiError(503, 'conductor_unreachable' satisfies keyof typeof CLI_ERROR_KINDS, `cannot reach Conductor at ${options.baseUrl}: ${(cause as Error).message}`)
    }
    const text = await response.text()
    const json = text ? safeJson(text) : undefined
    if (!response.ok) {
      const err = (json as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | undefined)?.error
      throw new ApiError(response.status, err?.code ?? `http_${response.status}`, err?.message ?? (text.slice(0, 200) || response.statusText), err?.details)
    }
    return json as T
  }
  return {
    async request<T>(method: string, path: string, body?: unknown, requestOptions: RequestOptions = {}): Promise<T> {
      const { idempotencyKey } = requestOptions
      const retries = idempotencyKey === undefined ? 0 : requestOptions.retries ?? 0
      for (let attempt = 0; ; attempt++) {
        try {
          return await once<T>(method, path, body, idempotencyKey)
        } catch (error) {
          // A 503 whose dispatch outcome is unknown is settled by the server (its answer is kept for the key): resending
          // would only replay it, so the caller is told at once which request to look at.
          const retryable = error instanceof ApiError && ((error.status === 503 && error.details?.outcome !== 'unknown') || error.code === 'idempotency_key_in_use')
          if (!retryable || attempt >= retries) throw error
          await delay(retryDelayMs(attempt + 1))
        }
      }
    },
  }
}

function safeJson(text: string): unknown {
  try { return JSON.parse(text) } catch { return undefined }
}

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
  conductor_unreachable: 'unavailable',
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
