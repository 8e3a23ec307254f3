/*
 * The one client of Conductor's REST API, shared by the faces that call the API over HTTP (the CLI, the MCP server).
 */
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

/** The code of an {@link ApiError} when the server could not be reached at all (no answer). */
export const UNREACHABLE = 'conductor_unreachable'

/** Creates a client for `baseUrl` that sends `token` as a bearer token. `delay` waits between retries (tests pass a fast one). */
export function createApiClient(options: {
  baseUrl: string
  token: string | undefined
  fetch?: typeof fetch
  delay?: (ms: number) => Promise<void>
  /** Sent on every call, e.g. `x-conductor-via` (never an authorization header: that is `token`). */
  headers?: Record<string, string>
}): ApiClient {
  const doFetch = options.fetch ?? fetch
  const delay = options.delay ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)))
  const once = async <T>(method: string, path: string, body: unknown, idempotencyKey: string | undefined): Promise<T> => {
    let response: Response
    try {
      response = await doFetch(new URL(path, options.baseUrl), {
        method,
        headers: {
          ...options.headers,
          accept: 'application/json',
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(idempotencyKey !== undefined ? { 'idempotency-key': idempotencyKey } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(60_000),
      })
    } catch (cause) {
      throw new ApiError(503, UNREACHABLE, `cannot reach Conductor at ${options.baseUrl}: ${(cause as Error).message}`)
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

