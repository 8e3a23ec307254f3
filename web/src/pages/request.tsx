import { useEffect, useId, useState } from 'react'
import { api, dagPath, runPath, type DagView, type RequestEvents, type RequestList, type RequestView, type Session } from '../api.ts'
import { confDiff, GRANT_ACTION, inboxChanged, inputOf, progress, STEP_LABELS, waitsFor, type ConfLine } from '../requests.ts'
import { LineageSection } from '../lineage.tsx'
import { Link } from '../router.tsx'
import { Empty, ErrorBox, Loading, PageHeader, Relative, StateBadge, Time, useApi } from '../ui.tsx'

/** States a request is still on its way in: the page reads it again every few seconds. */
const MOVING = new Set(['pending', 'allowed', 'dispatching'])

/** What each request state means, in one line. */
const STATE_WORDS: Record<string, string> = {
  pending: 'Waiting for approval: nothing has run.',
  allowed: 'Allowed (by policy, or approved); being sent to Airflow.',
  dispatching: 'Sent to Airflow; waiting for its answer.',
  succeeded: 'Allowed and dispatched: Airflow created the run.',
  failed: 'Dispatching failed: Airflow did not create the run.',
  denied: 'Denied: it never runs.',
  expired: 'Expired before enough approvers approved: it never runs.',
  cancelled: 'Cancelled by the requester: it never runs.',
  refused: 'Refused: it never waited for approval.',
}

/** What the states of actions other than a trigger mean, where they differ from a trigger's. */
const ACTION_STATE_WORDS: Record<string, Record<string, string>> = {
  'dag:rerun': { succeeded: 'Allowed and dispatched: Airflow runs the cleared tasks of the run again.', failed: 'Dispatching failed: Airflow cleared nothing.' },
  'dag:pause': { succeeded: 'Allowed and dispatched: Airflow paused or unpaused the DAG.', failed: 'Dispatching failed: the DAG was left as it was.' },
  'asset:post_event': { succeeded: 'Allowed and dispatched: Airflow recorded the asset event.', failed: 'Dispatching failed: Airflow recorded no event.' },
}

/** What a grant request's states mean, where they differ from a run's. */
const GRANT_STATE_WORDS: Record<string, string> = {
  allowed: 'Approved; the grant is starting.',
  succeeded: 'Approved: the grant started (see its time left on the grantee\'s My access).',
  failed: 'Approved, but the grant could not start.',
}

/** One request: exactly what will run, who asked and why, what it waits for, its verdicts and lifecycle; approve, deny or cancel. */
export function RequestPage(props: { id: string; session: Session }) {
  const { id } = props
  const path = `/requests/${encodeURIComponent(id)}`
  const [override, setOverride] = useState<RequestView | null>(null)
  const request = useApi(`request:${id}`, (signal) => api<RequestView>(path, { signal }))
  const events = useApi(`request-events:${id}`, (signal) => api<RequestEvents>(`${path}/events`, { signal }))
  const current = override && request.data && Date.parse(override.updatedAt) < Date.parse(request.data.updatedAt) ? request.data : (override ?? request.data)

  const moving = current ? MOVING.has(current.state) : false
  useEffect(() => {
    if (!moving) return
    const timer = setInterval(() => {
      if (document.hidden) return
      request.reload(true)
      events.reload(true)
    }, 5000)
    return () => clearInterval(timer)
  }, [moving, request, events])

  const crumbs = <><Link href="/approvals">Approvals</Link> › request <code>{id.slice(0, 8)}</code></>
  if (request.loading && !current) return <section><PageHeader title="Request" crumbs={crumbs} /><Loading what="the request" /></section>
  if (!current) return <section><PageHeader title="Request" crumbs={crumbs} /><ErrorBox title="The request could not be loaded." error={request.error} onRetry={() => request.reload()} /></section>

  const me = props.session.principal
  const mine = current.principal.type === me.type && current.principal.id === me.id
  const changed = (next: RequestView) => {
    setOverride(next)
    events.reload(true)
    inboxChanged()
  }
  const input = inputOf(current)
  const reason = typeof input.reason === 'string' && input.reason ? input.reason : null
  const grant = current.action === GRANT_ACTION

  return (
    <section>
      <PageHeader title={<>Request <code className="run-id">{current.id}</code></>} crumbs={crumbs}>
        <p className="lead" data-testid="request-state"><StateBadge state={current.state} /> {(grant && GRANT_STATE_WORDS[current.state]) || ACTION_STATE_WORDS[current.action]?.[current.state] || STATE_WORDS[current.state] || ''}</p>
        {grant && mine && current.state === 'succeeded' && <p><Link href="/me">See your grants on My access →</Link></p>}
        {current.error && <p className="error-inline">{current.error.code}: {current.error.message}</p>}
        {current.runId && current.dagId && (current.state === 'succeeded' || current.state === 'dispatching') && (
          <p><Link href={runPath(current.environment, current.dagId, current.runId)}>Open the run <code>{current.runId}</code> →</Link></p>
        )}
      </PageHeader>
      {request.error != null && <ErrorBox title="The request could not be refreshed." error={request.error} />}

      <div className="two-col">
        <section className="panel" aria-labelledby="who-h">
          <h2 id="who-h">Who asked, and why</h2>
          <dl className="facts">
            <dt>Requester</dt><dd data-testid="requester"><strong>{current.principal.id}</strong> <span className="muted">({current.principal.type})</span>{mine && <span className="pill">you</span>}</dd>
            <dt>Groups</dt><dd>{current.principal.groups.length ? current.principal.groups.map((g) => <span key={g} className="pill">{g}</span>) : <span className="muted">none</span>}</dd>
            <dt>Reason</dt><dd data-testid="reason">{reason ?? <span className="muted">none given</span>}</dd>
            <dt>Asked</dt><dd><Time value={current.createdAt} /> (<Relative value={current.createdAt} />)</dd>
          </dl>
          <h2 id="why-h">Why it waits</h2>
          {current.approval
            ? (
              <dl className="facts" aria-labelledby="why-h">
                <dt>Policy</dt><dd data-testid="approval-policies">{current.approval.policyIds.map((p) => <code key={p} className="pill">{p}</code>)}</dd>
                <dt>Waits for</dt><dd data-testid="waits-for">{waitsFor(current.approval)}{current.approval.reasonRequired && <span className="muted"> · a reason is required</span>}</dd>
                <dt>So far</dt><dd>{progress(current.approval)}</dd>
                <dt>Expires</dt><dd>{current.state === 'pending' ? <><Time value={current.approval.expiresAt} /> (<Relative value={current.approval.expiresAt} />)</> : <Time value={current.approval.expiresAt} />}</dd>
              </dl>
            )
            : <p className="muted">Policy did not ask for approval: it was decided at once ({current.decision.decision}{current.decision.policyIds.length ? ` by ${current.decision.policyIds.join(', ')}` : ''}).</p>}
        </section>

        <section className="panel" aria-labelledby="what-h">
          <h2 id="what-h">What will run</h2>
          <dl className="facts">
            <dt>Action</dt><dd><code>{current.action}</code></dd>
            <dt>Environment</dt><dd>{current.environment}</dd>
            {current.dagId && <><dt>DAG</dt><dd><Link href={dagPath(current.environment, current.dagId)}>{current.dagId}</Link></dd></>}
            {grant
              ? <><dt>Group</dt><dd data-testid="grant-group"><strong>{String(input.group ?? '—')}</strong></dd><dt>For</dt><dd>{String(input.hours ?? '—')} hours from approval</dd></>
              : current.action === 'dag:trigger' && <><dt>Logical date</dt><dd>{typeof input.logicalDate === 'string' ? <Time value={input.logicalDate} /> : <span className="muted">Airflow&apos;s default (now)</span>}</dd></>}
            {typeof input.runId === 'string'
              ? <><dt>Run</dt><dd><code>{input.runId}</code></dd></>
              : current.action === 'dag:rerun' && current.runId && <><dt>Run</dt><dd><code>{current.runId}</code></dd></>}
          </dl>
          {!grant && current.action === 'dag:trigger' && current.dagId && (
            <ConfDiff environment={current.environment} dagId={current.dagId} conf={input.conf && typeof input.conf === 'object' && !Array.isArray(input.conf) ? input.conf as Record<string, unknown> : {}} />
          )}
          {!grant && current.action !== 'dag:trigger' && Object.keys(input).length > 0 && (
            <details><summary>Input</summary><pre className="code">{JSON.stringify(input, null, 2)}</pre></details>
          )}
        </section>
      </div>

      {current.state === 'pending' && <Decide request={current} mine={mine} me={me} onChanged={changed} />}

      {current.approval && (
        <section aria-labelledby="verdicts-h">
          <h2 id="verdicts-h">Verdicts</h2>
          {current.approval.verdicts.length === 0
            ? <Empty><p>No verdict yet.</p></Empty>
            : (
              <table className="grid" aria-label="Verdicts">
                <thead><tr><th scope="col">Approver</th><th scope="col">Verdict</th><th scope="col">Comment</th><th scope="col">When</th></tr></thead>
                <tbody>
                  {current.approval.verdicts.map((v) => (
                    <tr key={`${v.approverType}:${v.approverId}`} data-verdict={v.approverId}>
                      <td><strong>{v.approverId}</strong> <span className="muted small">({v.approverType})</span></td>
                      <td><span className={`pill ${v.verdict === 'approve' ? 'allow' : 'deny'}`}>{v.verdict === 'approve' ? 'approved' : 'denied'}</span></td>
                      <td>{v.comment ?? <span className="muted">—</span>}</td>
                      <td><Time value={v.at} /></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
        </section>
      )}

      <section aria-labelledby="life-h">
        <h2 id="life-h">Lifecycle</h2>
        {events.loading && !events.data && <Loading what="the lifecycle" />}
        {events.error != null && <ErrorBox title="The lifecycle could not be loaded." error={events.error} onRetry={() => events.reload()} />}
        {events.data && (
          <ol className="timeline" aria-label="Lifecycle">
            {events.data.events.map((e) => (
              <li key={e.seq} data-step={e.type}>
                <Time value={e.at} /> · <strong>{STEP_LABELS[e.type] ?? e.type}</strong>
                {e.actor ? <> by <strong>{e.actor.id}</strong> <span className="muted small">({e.actor.type})</span></> : <span className="muted"> by Conductor</span>}
                {e.outcome && <> · {e.outcome}</>}
                {e.comment && <> · “{e.comment}”</>}
                <span className="muted small"> <code>{e.type}</code></span>
              </li>
            ))}
          </ol>
        )}
      </section>
      {(current.action === 'dag:trigger' || current.action === 'dag:rerun') && current.runId && <LineageSection path={`/requests/${encodeURIComponent(current.id)}/lineage`} />}
    </section>
  )
}

function ConfDiff(props: { environment: string; dagId: string; conf: Record<string, unknown> }) {
  const path = dagPath(props.environment, props.dagId)
  const dag = useApi(`dag:${path}`, (signal) => api<DagView>(path, { signal }))
  const params = dag.data?.params ?? null
  const lines: ConfLine[] = confDiff(props.conf, params)
  const show = (value: unknown) => value === undefined ? <span className="muted">—</span> : <code>{JSON.stringify(value)}</code>
  return (
    <>
      <h3>Conf against the DAG&apos;s defaults</h3>
      {dag.loading && !dag.data && <Loading what="the DAG's params" />}
      {dag.error != null && <p className="muted small">The DAG&apos;s params could not be read, so every key shows as given.</p>}
      {dag.data && params === null && <p className="muted small">Airflow did not report this DAG&apos;s params, so every key shows as given.</p>}
      {(dag.data || dag.error != null) && (lines.length === 0
        ? <p className="muted">An empty conf: the DAG runs with its defaults.</p>
        : (
          <table className="grid small diff" aria-label="Conf against the DAG's defaults">
            <thead><tr><th scope="col">Key</th><th scope="col">Change</th><th scope="col">Requested</th><th scope="col">Default</th></tr></thead>
            <tbody>
              {lines.map((l) => (
                <tr key={l.key} data-key={l.key} data-change={l.change} className={`diff-${l.change}`}>
                  <td><code>{l.key}</code></td>
                  <td><span className={`change change-${l.change}`}>{l.change === 'default' ? 'default applies' : l.change}</span></td>
                  <td>{show(l.requested)}</td>
                  <td>{show(l.defaultValue)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
    </>
  )
}

function Decide(props: { request: RequestView; mine: boolean; me: { type: string; id: string }; onChanged(next: RequestView): void }) {
  const { request } = props
  const id = useId()
  const [comment, setComment] = useState('')
  const [busy, setBusy] = useState<'approve' | 'deny' | 'cancel' | null>(null)
  const [error, setError] = useState<unknown>(null)
  const inbox = useApi(props.mine ? null : `inbox`, (signal) => api<RequestList>('/requests?toApprove=true&limit=100', { signal }))
  const mayDecide = inbox.data?.requests.some((r) => r.id === request.id) ?? false
  const given = request.approval?.verdicts.find((v) => v.approverType === props.me.type && v.approverId === props.me.id)

  const act = async (what: 'approve' | 'deny' | 'cancel') => {
    setBusy(what)
    setError(null)
    try {
      const body = what === 'cancel' ? undefined : (comment.trim() ? { comment: comment.trim() } : {})
      props.onChanged(await api<RequestView>(`/requests/${encodeURIComponent(request.id)}/${what}`, { method: 'POST', ...(body ? { body } : {}) }))
    } catch (e) {
      setError(e)
    } finally {
      setBusy(null)
    }
  }

  return (
    <section className="panel decide" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>{props.mine ? 'Your request' : 'Your decision'}</h2>
      {props.mine && (
        <>
          <p className="notice" role="note">You asked for this. Nobody approves or denies their own request: someone from {waitsFor(request.approval)} decides.</p>
          <div className="form-actions">
            <button type="button" onClick={() => void act('cancel')} disabled={busy !== null}>{busy === 'cancel' ? 'Cancelling…' : 'Cancel request'}</button>
          </div>
        </>
      )}
      {!props.mine && inbox.loading && !inbox.data && <Loading what="whether you may decide" />}
      {!props.mine && inbox.data && !mayDecide && (
        <p className="notice" role="note">
          {given
            ? <>You {given.verdict === 'approve' ? 'approved' : 'denied'} this request already; it waits for the other approvers.</>
            : <>You cannot decide on this request: it waits for {waitsFor(request.approval)}, and policy must permit you <code>request:approve</code> on it.</>}
        </p>
      )}
      {!props.mine && (mayDecide || inbox.error != null) && (
        <form onSubmit={(e) => e.preventDefault()} aria-label="Approve or deny">
          <label htmlFor={`${id}-comment`}>Comment <span className="muted">(recorded with your verdict; the requester sees it)</span></label>
          <textarea id={`${id}-comment`} rows={3} maxLength={2000} value={comment} onChange={(e) => setComment(e.target.value)} />
          <div className="form-actions">
            <button type="button" className="primary" onClick={() => void act('approve')} disabled={busy !== null}>{busy === 'approve' ? 'Approving…' : 'Approve'}</button>
            <button type="button" className="danger" onClick={() => void act('deny')} disabled={busy !== null}>{busy === 'deny' ? 'Denying…' : 'Deny'}</button>
          </div>
        </form>
      )}
      {error != null && <ErrorBox title="Your decision was not recorded." error={error} />}
    </section>
  )
}
