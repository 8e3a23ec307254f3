import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react'
import { ApiError, DAG_ACTIONS, api, type DagView, type Permission, type StartedBy } from './api.ts'

/** The state of one API read. */
export interface Loaded<T> {
  data: T | null
  error: unknown
  loading: boolean
  /** Reads again; `quiet` keeps the current data on screen (for polling). */
  reload(quiet?: boolean): void
}

/** Reads from the API when `key` changes; aborts a read that is no longer wanted. */
export function useApi<T>(key: string | null, load: (signal: AbortSignal) => Promise<T>): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: unknown; loading: boolean }>({ data: null, error: null, loading: key !== null })
  const [tick, setTick] = useState(0)
  const quietRef = useRef(false)
  const loadRef = useRef(load)
  loadRef.current = load
  useEffect(() => {
    if (key === null) return
    const controller = new AbortController()
    if (!quietRef.current) setState((s) => ({ data: s.data, error: null, loading: true }))
    quietRef.current = false
    loadRef.current(controller.signal).then(
      (data) => { if (!controller.signal.aborted) setState({ data, error: null, loading: false }) },
      (error: unknown) => { if (!controller.signal.aborted) setState((s) => ({ data: s.data, error, loading: false })) },
    )
    return () => controller.abort()
  }, [key, tick])
  const reload = useCallback((quiet = false) => {
    quietRef.current = quiet
    setTick((t) => t + 1)
  }, [])
  return { ...state, reload }
}

/** A progress message for a read in flight. */
export function Loading(props: { what: string }) {
  return <p className="loading" role="status"><span className="spinner" aria-hidden="true" /> Loading {props.what}…</p>
}

/** What to try for an error code, beyond the server's message. */
function hint(error: ApiError): string | null {
  switch (error.code) {
    case 'policy_denied': return 'Policy does not permit this. "Who can run this?" on the DAG page shows which groups may; ask to be added to one.'
    case 'csrf_invalid': return 'Reload the page and try again.'
    case 'session_invalid': case 'session_expired': case 'session_revoked': case 'token_missing': return 'Sign in again.'
    case 'orchestrator_unavailable': return 'Airflow for this environment is not answering. Check its health on the home page and try again later.'
    case 'orchestrator_rejected': return 'Airflow refused the input: check the conf against the DAG\'s params.'
    case 'orchestrator_conflict': return 'A run with this id exists already. Refresh the runs.'
    case 'conf_invalid': case 'conf_too_large': return 'Fix the conf and send it again.'
    case 'invalid_input': return error.details?.field ? `Check the field ${String(error.details.field)}.` : 'Check the values you entered.'
    case 'dag_not_found': case 'environment_not_found': case 'run_not_found': case 'task_not_found': return 'It may have been removed, or you may not read it. Go back to the catalog.'
    case 'approval_self': return 'Nobody approves or denies their own request: someone from the groups it waits for decides.'
    case 'approval_not_allowed': return 'You are not among the approvers this request waits for (its groups, and policy\'s request:approve).'
    case 'approval_duplicate': return 'You have given your verdict on this request already.'
    case 'request_not_pending': return 'It was decided, cancelled or expired meanwhile. Reload the request to see its state.'
    case 'request_not_yours': return 'Only the person who asked may cancel a request.'
    case 'request_not_found': return 'It may not exist, or you have no part in it (only its requester, its approvers and auditors see a request).'
    case 'group_not_held': return 'You may give a service account only groups you are in yourself (unless you may write policy). Remove the other groups.'
    case 'sponsor_not_allowed': return 'An agent\'s sponsor is you unless you may write policy: leave the sponsor as yourself.'
    case 'service_account_exists': return 'Names are unique for ever (a deleted account\'s name is not reused): choose another name.'
    case 'service_account_not_found': return 'It may not exist, or you may not see it: service accounts are shown to their owning group, their owner and platform administrators.'
    case 'access_token_not_found': return 'The token may be gone, or it belongs to someone else. Reload the list.'
    case 'token_expiry_too_long': return 'Choose fewer days: the server caps how long an API token may live.'
    case 'credential_not_interactive': return 'API tokens are created signed in to the console, not with another token.'
    case 'trust_rule_invalid': return 'The rule would trust too much or names an unknown issuer: narrow the conditions the message names.'
    case 'network_error': return 'Try again in a moment.'
    case 'internal': return 'This is a bug in Conductor: report it with the request id.'
    default: return null
  }
}

/** An error as the person can act on it: what happened (the API's code and message), and what to try (`hints` by code first). */
export function ErrorBox(props: { error: unknown; title?: string; onRetry?: () => void; hints?: Readonly<Record<string, string>> }) {
  const { error } = props
  const api = error instanceof ApiError ? error : null
  const message = api ? api.message : error instanceof Error ? error.message : String(error)
  const tip = api ? (props.hints?.[api.code] ?? hint(api)) : null
  const decisionId = api?.details?.decisionId
  const field = errorField(error)
  return (
    <div className="error" role="alert">
      <p><strong>{props.title ?? 'That did not work.'}</strong> {message}</p>
      {api && (
        <p className="error-meta">
          Code <code>{api.code}</code>{api.status ? <> (HTTP {api.status})</> : null}
          {api.requestId && <> · request id <code>{api.requestId}</code></>}
          {typeof decisionId === 'string' && <> · decision recorded as request <code>{decisionId}</code></>}
          {field && <> · field <code data-testid="error-field">{field}</code></>}
        </p>
      )}
      {tip && <p>{tip}</p>}
      {props.onRetry && <button type="button" onClick={props.onRetry}>Try again</button>}
    </div>
  )
}

/**
 * The input field an API error names (`details.field`), without the request part it came in (`body.groups.1` → `groups`);
 * null when the error names none.
 */
export function errorField(error: unknown): string | null {
  if (!(error instanceof ApiError)) return null
  const field = error.details?.field
  if (typeof field !== 'string' || field === '') return null
  const parts = field.split('.').filter((part) => part !== 'body' && !/^\d+$/.test(part))
  return parts.length ? parts.join('.') : field
}

/** An empty list, saying what to do. */
export function Empty(props: { children: ReactNode }) {
  return <div className="empty">{props.children}</div>
}

/** A run or task state as a coloured label with its word. */
export function StateBadge(props: { state: string | null }) {
  const state = props.state ?? 'none'
  return <span className={`state state-${state.replace(/[^a-z_]/g, '')}`}>{state.replace(/_/g, ' ')}</span>
}

/** A timestamp shown in the local time zone, with the exact ISO value on hover. */
export function Time(props: { value: string | null | undefined }) {
  if (!props.value) return <span className="muted">—</span>
  const date = new Date(props.value)
  if (Number.isNaN(date.getTime())) return <span>{props.value}</span>
  return <time dateTime={props.value} title={props.value}>{date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' })}</time>
}

/** How long ago an instant was, or how long until it ("5m ago", "in 23h 59m"), the exact time on hover. */
export function Relative(props: { value: string | null | undefined; now?: number }) {
  if (!props.value) return <span className="muted">—</span>
  const at = Date.parse(props.value)
  if (Number.isNaN(at)) return <span>{props.value}</span>
  const seconds = (at - (props.now ?? Date.now())) / 1000
  return <time dateTime={props.value} title={new Date(at).toLocaleString()}>{seconds >= 0 ? `in ${shortSpan(seconds)}` : `${shortSpan(-seconds)} ago`}</time>
}

/** "45s", "3m", "2h 5m", "1d 4h": a span of seconds in short words. */
export function shortSpan(seconds: number): string {
  const s = Math.max(0, Math.round(seconds))
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m`
  const h = Math.floor(m / 60)
  if (h < 48) return `${h}h ${m % 60}m`
  return `${Math.floor(h / 24)}d ${h % 24}h`
}

/** A duration between two instants (to now when still running). */
export function Duration(props: { start: string | null; end: string | null; seconds?: number | null }) {
  let seconds = props.seconds ?? null
  if (seconds === null && props.start) {
    const end = props.end ? new Date(props.end).getTime() : Date.now()
    seconds = Math.max(0, (end - new Date(props.start).getTime()) / 1000)
  }
  if (seconds === null) return <span className="muted">—</span>
  return <span>{formatSeconds(seconds)}{props.start && !props.end && props.seconds == null ? ' so far' : ''}</span>
}

/** `75.2` → `1m 15s`. */
export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)}s`
  const m = Math.floor(seconds / 60)
  const s = Math.round(seconds % 60)
  if (m < 60) return `${m}m ${s}s`
  return `${Math.floor(m / 60)}h ${m % 60}m`
}

/** Who started a run, in words. */
export function StartedByText(props: { startedBy: StartedBy }) {
  const s = props.startedBy
  if (s.via === 'conductor') {
    return <span><strong>{s.principalId}</strong> <span className="muted">via Conductor</span></span>
  }
  return <span>{s.triggeredBy ?? 'Airflow'} <span className="muted">in Airflow{s.runType ? ` (${s.runType})` : ''}</span></span>
}

/** Short labels of the DAG actions. */
export const ACTION_LABELS: Record<string, string> = { 'dag:read': 'read', 'dag:trigger': 'trigger', 'dag:rerun': 'rerun', 'dag:pause': 'pause' }

/** Why a permission holds or not, in one line. */
export function permissionWhy(p: Permission): string {
  if (p.allowed) return p.policyIds.length ? `allowed by ${p.policyIds.join(', ')}` : (p.reasons[0] ?? 'allowed')
  if (p.policyIds.length) return `denied by ${p.policyIds.join(', ')}`
  return p.reasons[0] ?? 'denied: no policy permits it'
}

/** What the caller may do with a DAG, each action with its reason. */
export function Permissions(props: { dag: DagView; compact?: boolean }) {
  const permissions = props.dag.permissions
  if (!permissions) return <span className="muted">not reported</span>
  return (
    <ul className={props.compact ? 'perms compact' : 'perms'} aria-label="What you may do">
      {DAG_ACTIONS.map((action) => {
        const p = permissions[action]
        if (!p) return null
        const why = permissionWhy(p)
        return (
          <li key={action} className={p.allowed ? 'perm allowed' : 'perm denied'} title={why}>
            <span aria-hidden="true">{p.allowed ? '✓' : '✕'}</span> {ACTION_LABELS[action]}
            <span className="sr-only">{p.allowed ? ' allowed' : ' not allowed'}</span>
            {!props.compact && <span className="why">: {why}</span>}
          </li>
        )
      })}
    </ul>
  )
}

/** A page's heading block. */
export function PageHeader(props: { title: ReactNode; children?: ReactNode; crumbs?: ReactNode }) {
  return (
    <header className="page-header">
      {props.crumbs && <nav aria-label="Breadcrumb" className="crumbs">{props.crumbs}</nav>}
      <h1>{props.title}</h1>
      {props.children}
    </header>
  )
}

/** A button that POSTs `body` to `path`, shows `busyText` meanwhile and the refusal (titled `failed`) if any. */
export function PostButton(props: { path: string; body?: unknown; text: string; busyText: string; label?: string; failed: string; danger?: boolean; onDone(): void }) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const post = async () => {
    setBusy(true)
    setError(null)
    try {
      await api(props.path, { method: 'POST', ...(props.body !== undefined ? { body: props.body } : {}) })
      props.onDone()
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }
  return (
    <>
      <button type="button" {...(props.danger ? { className: 'danger' } : {})} onClick={() => void post()} disabled={busy} {...(props.label ? { 'aria-label': props.label } : {})}>{busy ? props.busyText : props.text}</button>
      {error != null && <ErrorBox title={props.failed} error={error} />}
    </>
  )
}

/** A "Revoke" button that POSTs `body` to `path`, shows "Revoking…" meanwhile and the refusal (titled `failed`) if any. */
export function RevokeButton(props: { path: string; body: unknown; label: string; failed: string; onRevoked(): void }) {
  return <PostButton path={props.path} body={props.body} label={props.label} failed={props.failed} danger text="Revoke" busyText="Revoking…" onDone={props.onRevoked} />
}
