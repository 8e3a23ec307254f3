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

/** A small client of the Conductor REST API. */
export interface ApiClient {
  request<T>(method: string, path: string, body?: unknown): Promise<T>
}

/** Creates a client for `baseUrl` that sends `token` as a bearer token. */
export function createApiClient(options: { baseUrl: string; token: string | undefined; fetch?: typeof fetch }): ApiClient {
  const doFetch = options.fetch ?? fetch
  return {
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      let response: Response
      try {
        response = await doFetch(new URL(path, options.baseUrl), {
          method,
          headers: {
            accept: 'application/json',
            ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          signal: AbortSignal.timeout(60_000),
        })
      } catch (cause) {
        throw new ApiError(503, 'conductor_unreachable', `cannot reach Conductor at ${options.baseUrl}: ${(cause as Error).message}`)
      }
      const text = await response.text()
      const json = text ? safeJson(text) : undefined
      if (!response.ok) {
        const err = (json as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | undefined)?.error
        throw new ApiError(response.status, err?.code ?? `http_${response.status}`, err?.message ?? (text.slice(0, 200) || response.statusText), err?.details)
      }
      return json as T
    },
  }
}

function safeJson(text: string): unknown {
  try { return JSON.parse(text) } catch { return undefined }
}

/** Exit codes of the `conductor` command, distinct per kind of failure. `runFailed`: `trigger --wait` saw the run fail. */
export const EXIT = { ok: 0, error: 1, usage: 2, denied: 3, notFound: 4, unavailable: 5, unauthenticated: 6, auditBroken: 7, runFailed: 8 } as const

/** The exit code for a Conductor error code (from the API or raised in the CLI itself). */
export function exitCodeForCode(code: string): number {
  if (code === 'policy_denied' || code === 'csrf_invalid') return EXIT.denied
  if (code === 'not_found' || code.endsWith('_not_found')) return EXIT.notFound
  if (code === 'issuer_unavailable' || code === 'orchestrator_unavailable' || code === 'store_unavailable' || code === 'conductor_unreachable') return EXIT.unavailable
  if (code.startsWith('token_') || code.startsWith('session_') || code === 'login_failed' || code === 'principal_unknown') return EXIT.unauthenticated
  if (code === 'invalid_input' || code === 'config_invalid' || code === 'conf_invalid' || code === 'conf_too_large') return EXIT.usage
  if (code === 'audit_chain_broken') return EXIT.auditBroken
  return EXIT.error
}

/** The exit code for an API error status. */
export function exitCodeFor(status: number): number {
  if (status === 401) return EXIT.unauthenticated
  if (status === 403) return EXIT.denied
  if (status === 404) return EXIT.notFound
  if (status === 503 || status === 502) return EXIT.unavailable
  if (status === 400 || status === 409 || status === 422) return EXIT.usage
  return EXIT.error
}
