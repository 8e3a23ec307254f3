/** The REST API as the console sees it: types of the answers it reads, and one fetch wrapper. */

/** The four DAG actions the catalog reports permissions for. */
export const DAG_ACTIONS = ['dag:read', 'dag:trigger', 'dag:rerun', 'dag:pause'] as const
/** One DAG action. */
export type DagAction = (typeof DAG_ACTIONS)[number]

/** A decision for the caller: allowed or not, and the policies and reasons behind it. */
export interface Permission {
  allowed: boolean
  policyIds: string[]
  reasons: string[]
}

/** The signed-in person, from GET /auth/session. */
export interface Session {
  principal: { type: string; id: string; username: string | null; displayName: string | null; email: string | null; groups: string[] }
  csrfToken: string
  expiresAt: string
  idleExpiresAt: string
}

/** An environment with its health, from GET /api/v1/environments. */
export interface EnvironmentView {
  name: string
  kind: string
  url: string
  zone: string
  tier: string
  team: string | null
  status: { reachable: boolean; version: string | null; dagCount: number; lastSyncAt: string | null; lastError: string | null; checkedAt: string } | null
}

/** One of Airflow's DAG params. */
export interface DagParam {
  value: unknown
  schema: Record<string, unknown>
  description: string | null
}

/** A DAG from the catalog, with what the caller may do. */
export interface DagView {
  environment: string
  dagId: string
  description: string | null
  tags: string[]
  owners: string[]
  paused: boolean
  schedule: string | null
  syncedAt: string
  permissions?: Partial<Record<DagAction, Permission>>
  params?: Record<string, DagParam> | null
}

/** Who started a run. */
export type StartedBy =
  | { via: 'conductor'; principalType: string; principalId: string; requestId: string }
  | { via: 'airflow'; runType: string | null; triggeredBy: string | null }

/** A run with who started it. */
export interface RunView {
  environment: string
  dagId: string
  runId: string
  state: string
  runType: string | null
  logicalDate: string | null
  queuedAt: string | null
  startDate: string | null
  endDate: string | null
  conf: Record<string, unknown>
  note: string | null
  triggeredBy: string | null
  startedBy: StartedBy
}

/** One task instance of a run. */
export interface TaskInstance {
  taskId: string
  state: string | null
  tryNumber: number
  mapIndex: number
  startDate: string | null
  endDate: string | null
  durationSeconds: number | null
}

/** A request (one attempted action) with its decision. */
export interface RequestView {
  id: string
  createdAt: string
  principal: { type: string; id: string; groups: string[] }
  action: string
  environment: string
  dagId: string | null
  runId: string | null
  decision: { decision: string; policyIds: string[]; reasons: string[]; policyVersion: number }
  state: string
  error: { code: string; message: string } | null
}

/** One page of a task log. */
export interface TaskLogPage {
  tryNumber: number
  lines: string[]
  continuationToken: string | null
  requestId: string
}

/** Who policy lets do each action on a DAG, from GET …/access. */
export interface AccessView {
  actions: Record<string, {
    groups: { group: string; policyIds: string[] }[]
    principals: { type: string; id: string; policyIds: string[] }[]
  }>
}

/** One hash-chained audit event. */
export interface AuditEvent {
  seq: number
  at: string
  type: string
  principal: string | null
  principalType: string | null
  environment: string | null
  dag: string | null
  action: string | null
  requestId: string | null
  decision: 'allow' | 'deny' | null
  policyIds: string[]
  data: Record<string, unknown>
  prevHash: string
  hash: string
}

/** The outcome of GET /api/v1/audit/verify. */
export type VerifyResult =
  | { ok: true; count: number; lastSeq: number; lastHash: string }
  | { ok: false; firstBadSeq: number; reason: string; count: number }

/** The loaded policy set, from GET /api/v1/policies. */
export interface PolicySetView {
  version: number | string
  hash: string
  loadedAt: string
  policyCount: number
  files: string[]
  lastReloadError: { file: string; line: number | null; message: string } | null
  policies: { id: string; file: string; line: number | null; effect: string; text: string }[]
}

/** An error answer of the API, with its stable code. */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly requestId: string | null
  readonly details: Record<string, unknown> | null

  constructor(status: number, code: string, message: string, requestId: string | null, details: Record<string, unknown> | null) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.requestId = requestId
    this.details = details
  }
}

/** The 401 codes that mean the browser session is gone and the person must sign in again. */
export const SESSION_ENDED_CODES = new Set(['session_invalid', 'session_expired', 'session_revoked', 'token_missing'])

let csrfToken: string | null = null
let onSessionEnded: ((error: ApiError) => void) | null = null

/** Remembers the CSRF token of the current session (sent on every state-changing request). */
export function setCsrfToken(token: string | null): void {
  csrfToken = token
}

/** Registers what to do when an API call answers that the session has ended. */
export function setSessionEndedHandler(handler: ((error: ApiError) => void) | null): void {
  onSessionEnded = handler
}

async function toApiError(response: Response): Promise<ApiError> {
  let body: unknown = null
  try {
    body = await response.json()
  } catch {
    // Not JSON (a proxy's page, an empty body): described by the status below.
  }
  const error = (body as { error?: { code?: string; message?: string; requestId?: string; details?: Record<string, unknown> } } | null)?.error
  if (error?.code) {
    return new ApiError(response.status, error.code, error.message ?? '', error.requestId ?? null, error.details ?? null)
  }
  return new ApiError(response.status, `http_${response.status}`, `the server answered ${response.status} ${response.statusText}`.trim(), null, null)
}

/** Calls a same-origin path (e.g. `/auth/session`) with the session cookie; throws {@link ApiError}. */
export async function call<T>(path: string, init: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  const method = init.method ?? 'GET'
  const headers: Record<string, string> = { accept: 'application/json' }
  if (init.body !== undefined) headers['content-type'] = 'application/json'
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['x-csrf-token'] = csrfToken
  let response: Response
  try {
    response = await fetch(path, {
      method, headers, credentials: 'same-origin', ...(init.signal ? { signal: init.signal } : {}),
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    })
  } catch (cause) {
    if ((cause as Error).name === 'AbortError') throw cause
    throw new ApiError(0, 'network_error', 'Conductor could not be reached: check your connection or whether the server is running', null, null)
  }
  if (!response.ok) {
    const error = await toApiError(response)
    if (response.status === 401 && SESSION_ENDED_CODES.has(error.code) && path.startsWith('/api/')) onSessionEnded?.(error)
    throw error
  }
  if (response.status === 204) return undefined as T
  return await response.json() as T
}

/** Calls `/api/v1<path>`. */
export function api<T>(path: string, init: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  return call<T>(`/api/v1${path}`, init)
}

/** `/environments/{env}/dags/{dag}` with both segments escaped. */
export function dagPath(environment: string, dagId: string): string {
  return `/environments/${encodeURIComponent(environment)}/dags/${encodeURIComponent(dagId)}`
}

/** `/environments/{env}/dags/{dag}/runs/{runId}` with every segment escaped. */
export function runPath(environment: string, dagId: string, runId: string): string {
  return `${dagPath(environment, dagId)}/runs/${encodeURIComponent(runId)}`
}

/** A query string from the defined, non-empty values (with the leading `?`, or empty). */
export function query(values: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value))
  }
  const text = search.toString()
  return text ? `?${text}` : ''
}
