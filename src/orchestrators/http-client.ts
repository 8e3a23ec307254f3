import { setTimeout as delay } from 'node:timers/promises'
import type { Logger } from 'pino'
import { request, type Dispatcher } from 'undici'
import type { EnvironmentConfig } from '../config/index.ts'
import { ConductorError, isConductorError, type ErrorCode } from '../core/index.ts'
import { redactSecrets } from '../secrets/index.ts'

/** What a call is about, so a 404 can say which thing was missing. */
export interface CallSubject {
  dagId?: string
  runId?: string
  taskId?: string
  /** A connection, variable or pool, e.g. `Connection "prod_db"`. */
  object?: string
}

/** One call to Airflow's REST API. */
export interface CallOptions {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE'
  /** Path below the environment URL, e.g. `/api/v2/dags`. Path segments must already be encoded. */
  path: string
  /** Array values repeat the key (`?tags=a&tags=b`); undefined values are left out. */
  query?: Record<string, string | number | boolean | readonly string[] | undefined>
  body?: unknown
  /** Only idempotent calls are retried. */
  idempotent: boolean
  subject?: CallSubject
  accept?: string
}

/** How a call proves who it is: one per credential kind (see `credentials/`). */
export interface AuthStrategy {
  /** Headers to add; may fetch a fresh token through `send`. */
  headers(): Promise<Record<string, string>>
  /** Whether dropping the cached credential and trying once more could fix a 401/403. */
  readonly refreshable: boolean
  /** Drops the cached credential so the next `headers()` gets a fresh one. */
  invalidate(): void
  /** Values to scrub from any message that could reach a log or a caller. */
  sensitiveValues(): string[]
}

/** A raw answer from Airflow. */
export interface RawResponse {
  status: number
  body: unknown
}

/** Dependencies of {@link createAirflowHttp}. */
export interface AirflowHttpOptions {
  env: EnvironmentConfig
  dispatcher: Dispatcher
  logger?: Logger
  /** Backoff base in ms before jitter (default 200); tests shorten it. */
  retryBaseMs?: number
  random?: () => number
  /** Headers added to every request sent, read as it is sent: the trace context (W3C `traceparent`) when tracing is on. */
  callHeaders?: () => Record<string, string>
}

/** The HTTP layer shared by the Airflow adapters: timeouts, retries, auth refresh and error mapping. */
export interface AirflowHttp {
  /** Sends one request without auth, retries or status mapping; network failures become `orchestrator_unavailable`. */
  send(options: Omit<CallOptions, 'idempotent'> & { headers?: Record<string, string> }, sensitive?: string[]): Promise<RawResponse>
  /** Calls Airflow with auth, retries (idempotent calls only) and error mapping; resolves to the parsed JSON body. */
  call<T>(options: CallOptions, auth: AuthStrategy): Promise<T>
  /** Builds the error for a non-2xx answer. */
  errorFor(response: RawResponse, options: Pick<CallOptions, 'subject' | 'method' | 'path'>, sensitive: string[]): ConductorError
}

/** Creates the HTTP layer for one environment. */
export function createAirflowHttp(options: AirflowHttpOptions): AirflowHttp {
  const { env, dispatcher, logger } = options
  const base = env.url.replace(/\/+$/, '')
  const retryBaseMs = options.retryBaseMs ?? 200
  const random = options.random ?? Math.random

  function unavailable(reason: string, extra: Record<string, unknown> & { sent: Sent }, cause?: unknown): ConductorError {
    return new ConductorError('orchestrator_unavailable', `Airflow environment "${env.name}" is unavailable: ${reason}`, {
      details: { environment: env.name, ...extra },
      ...(cause === undefined ? {} : { cause }),
    })
  }

  async function send(call: Omit<CallOptions, 'idempotent'> & { headers?: Record<string, string> }, sensitive: string[] = []): Promise<RawResponse> {
    const url = new URL(base + call.path)
    for (const [key, value] of Object.entries(call.query ?? {})) {
      if (value === undefined) continue
      if (Array.isArray(value)) for (const item of value) url.searchParams.append(key, item)
      else url.searchParams.set(key, String(value))
    }
    const headers: Record<string, string> = { accept: call.accept ?? 'application/json', ...options.callHeaders?.(), ...call.headers }
    let payload: string | undefined
    if (call.body !== undefined) {
      headers['content-type'] = 'application/json'
      payload = JSON.stringify(call.body)
    }
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(), env.timeoutMs)
    // Whether undici began writing the request on a connected socket: until then, Airflow cannot have seen it.
    let started = false
    const watched = dispatcher.compose(noteStart(() => { started = true }))
    try {
      const response = await request(url, { method: call.method, headers, body: payload, dispatcher: watched, signal: controller.signal })
      const text = await response.body.text()
      let body: unknown = text
      const type = String(response.headers['content-type'] ?? '')
      if (text !== '' && (type.includes('json') || /^\s*[[{]/.test(text))) {
        try { body = JSON.parse(text) } catch { body = text }
      }
      return { status: response.statusCode, body }
    } catch (error) {
      const code = (error as { code?: string } | null)?.code
      const sent: Sent = started && !(code !== undefined && NOT_SENT_CODES.has(code)) ? 'unknown' : false
      if (controller.signal.aborted) {
        throw unavailable(`no answer within ${env.timeoutMs} ms (${call.method} ${call.path})`, { reason: 'timeout', path: call.path, sent })
      }
      const message = redactSecrets(error instanceof Error ? error.message : String(error), sensitive)
      throw unavailable(`${code ?? 'network error'}: ${message} (${call.method} ${call.path})`, { reason: code ?? 'network_error', path: call.path, sent })
    } finally {
      clearTimeout(timer)
    }
  }

  function errorFor(response: RawResponse, call: Pick<CallOptions, 'subject' | 'method' | 'path'>, sensitive: string[]): ConductorError {
    const { status } = response
    const detail = redactSecrets(describeDetail(response.body, status), sensitive)
    const details = { environment: env.name, status, detail, ...call.subject }
    if (status >= 500 || status === 429 || status === 408) {
      return unavailable(`Airflow answered ${status} to ${call.method} ${call.path}: ${detail}`, { status, detail, path: call.path, sent: true })
    }
    if (status === 401 || status === 403) {
      return new ConductorError('orchestrator_auth_failed', `Airflow environment "${env.name}" refused Conductor's credentials (${status}): ${detail}`, { details })
    }
    if (status === 404) {
      const code = notFoundCode(response.body, call.subject)
      return new ConductorError(code, `${notFoundWhat(code, call.subject)} not found in Airflow environment "${env.name}": ${detail}`, { details })
    }
    if (status === 409) {
      return new ConductorError('orchestrator_conflict', `Airflow environment "${env.name}" reported a conflict: ${detail}`, { details })
    }
    return new ConductorError('orchestrator_rejected', `Airflow environment "${env.name}" rejected ${call.method} ${call.path} (${status}): ${detail}`, { details })
  }

  async function callOnce<T>(call: CallOptions, auth: AuthStrategy): Promise<T> {
    let refreshed = false
    for (;;) {
      const headers = await auth.headers().catch((error: unknown) => { throw neverSent(error) })
      const response = await send({ ...call, headers }, auth.sensitiveValues())
      if ((response.status === 401 || response.status === 403) && auth.refreshable && !refreshed) {
        logger?.debug({ environment: env.name, status: response.status, path: call.path }, 'airflow refused the token; fetching a new one')
        auth.invalidate()
        refreshed = true
        continue
      }
      if (response.status >= 200 && response.status < 300) return response.body as T
      throw errorFor(response, call, auth.sensitiveValues())
    }
  }

  return {
    send,
    errorFor,
    async call<T>(call: CallOptions, auth: AuthStrategy): Promise<T> {
      const attempts = call.idempotent ? env.retries + 1 : 1
      let reachedBefore = false
      for (let attempt = 1; ; attempt++) {
        try {
          return await callOnce<T>(call, auth)
        } catch (error) {
          if (attempt >= attempts || !(error instanceof ConductorError) || error.code !== 'orchestrator_unavailable') {
            // A later try that never left does not undo an earlier one that may have reached Airflow.
            throw reachedBefore && isConductorError(error, 'orchestrator_unavailable') && error.details?.sent === false ? withSent(error, 'unknown') : error
          }
          reachedBefore ||= error.details?.sent !== false
          const wait = Math.min(5_000, retryBaseMs * 2 ** (attempt - 1)) * (0.5 + random() / 2)
          logger?.warn({ environment: env.name, method: call.method, path: call.path, attempt, waitMs: Math.round(wait), err: error.message }, 'airflow call failed; retrying')
          await delay(wait)
        }
      }
    },
  }
}

/**
 * Whether a call that failed with `orchestrator_unavailable` reached Airflow, in `details.sent`: `false` when it
 * certainly did not (connection refused, unknown host, no credential, nothing written to the socket), `true` when
 * Airflow answered (with `details.status`), `'unknown'` when it was written but no answer came back (connection
 * lost, timeout): Airflow may have acted on it.
 */
export type Sent = boolean | 'unknown'

/** Network errors that happen before a request can reach the server, whatever undici reports about writing it. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT'])

/** An undici interceptor calling `onStart` when a request starts on a connected socket, just before it is written. */
function noteStart(onStart: () => void): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (options, handler) => dispatch(options, {
    onRequestStart: (controller, context) => { onStart(); handler.onRequestStart?.(controller, context) },
    onRequestUpgrade: (controller, statusCode, headers, socket) => handler.onRequestUpgrade?.(controller, statusCode, headers, socket),
    onResponseStart: (controller, statusCode, headers, statusMessage) => handler.onResponseStart?.(controller, statusCode, headers, statusMessage),
    onResponseData: (controller, chunk) => handler.onResponseData?.(controller, chunk),
    onResponseEnd: (controller, trailers) => handler.onResponseEnd?.(controller, trailers),
    onResponseError: (controller, error) => handler.onResponseError?.(controller, error),
  })
}

/** A failure to get credentials for a call: the call itself never left, whatever happened to the token request. */
function neverSent(error: unknown): unknown {
  return isConductorError(error, 'orchestrator_unavailable') ? withSent(error, false) : error
}

function withSent(error: ConductorError, sent: Sent): ConductorError {
  return new ConductorError(error.code, error.message, { details: { ...error.details, sent }, cause: error })
}

/**
 * Encodes one path segment (a DAG, run or task id) so that it stays one segment of the URL Airflow receives.
 * @throws ConductorError `invalid_input` for an empty id, `.` or `..`: the URL standard resolves those (and their
 * percent-encoded forms `%2e`, `.%2e`, `%2e%2e`) as relative segments, so no encoding can send them as ids.
 */
export function seg(value: string): string {
  if (value === '' || value === '.' || value === '..') {
    throw new ConductorError('invalid_input', `${JSON.stringify(value)} is not a valid id in an Airflow URL`, { details: { value } })
  }
  return encodeURIComponent(value)
}

function describeDetail(body: unknown, status: number): string {
  const text = ((): string => {
    if (typeof body === 'string') return body.trim() === '' ? `HTTP ${status}` : body.trim().slice(0, 300)
    if (body && typeof body === 'object') {
      const record = body as Record<string, unknown>
      const detail = record.detail ?? record.message ?? record.title
      if (typeof detail === 'string') return typeof record.title === 'string' && record.title !== detail ? `${record.title}: ${detail}` : detail
      if (Array.isArray(detail)) {
        // FastAPI validation errors echo the offending `input`; only location and message are kept.
        return detail.map((item) => {
          const entry = (item ?? {}) as { loc?: unknown; msg?: unknown }
          const loc = Array.isArray(entry.loc) ? entry.loc.join('.') : ''
          return `${loc}${loc ? ': ' : ''}${String(entry.msg ?? 'invalid')}`
        }).join('; ')
      }
      if (detail && typeof detail === 'object') {
        const inner = detail as Record<string, unknown>
        if (typeof inner.reason === 'string') return inner.reason
        if (typeof inner.message === 'string') return inner.message
      }
    }
    return `HTTP ${status}`
  })()
  return text.length > 500 ? `${text.slice(0, 500)}…` : text
}

function notFoundCode(body: unknown, subject: CallSubject | undefined): ErrorCode {
  const record = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>
  const text = `${typeof record.title === 'string' ? record.title : ''} ${typeof record.detail === 'string' ? record.detail : typeof body === 'string' ? body : ''}`
  if (subject?.taskId !== undefined && /task.?instance|task/i.test(text)) return 'task_not_found'
  if (subject?.runId !== undefined && /dag.?run|run.?id/i.test(text)) return 'run_not_found'
  if (subject?.dagId !== undefined && /\bdag\b/i.test(text)) return 'dag_not_found'
  if (subject?.taskId !== undefined) return 'task_not_found'
  if (subject?.runId !== undefined) return 'run_not_found'
  if (subject?.dagId !== undefined) return 'dag_not_found'
  return 'not_found'
}

function notFoundWhat(code: ErrorCode, subject: CallSubject | undefined): string {
  if (code === 'task_not_found') return `Task "${subject?.taskId}" of run "${subject?.runId}" of DAG "${subject?.dagId}"`
  if (code === 'run_not_found') return `Run "${subject?.runId}" of DAG "${subject?.dagId}"`
  if (code === 'dag_not_found') return `DAG "${subject?.dagId}"`
  return subject?.object ?? 'Resource'
}
