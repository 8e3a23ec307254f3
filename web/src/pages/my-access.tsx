import { useEffect, useId, useState, type FormEvent } from 'react'
import { ApiError, api, type GrantAnswer, type GrantList, type GrantPending, type GrantView, type RequestList, type RequestView, type Session } from '../api.ts'
import { waitsFor } from '../requests.ts'
import { Link } from '../router.tsx'
import { ApiTokens } from '../tokens.tsx'
import { Empty, ErrorBox, Loading, PageHeader, Relative, RevokeButton, Time, shortSpan, useApi } from '../ui.tsx'
import { RequestTarget } from './approvals.tsx'

/** "My access": the person's groups, active just-in-time grants (live countdown, revoke), pending requests, and a grant request form. */
export function MyAccessPage(props: { session: Session }) {
  const me = props.session.principal
  const grants = useApi('my-grants', (signal) => api<GrantList>('/grants?state=active', { signal }))
  const pending = useApi('my-pending', (signal) => api<RequestList>('/requests?state=pending&limit=100', { signal }))
  const grantsMissing = grants.error instanceof ApiError && grants.error.code === 'not_found'
  return (
    <section>
      <PageHeader title="My access">
        <p className="lead">What you may do beyond your groups, and what you asked for that waits for someone&apos;s approval.</p>
        <dl className="facts inline">
          <dt>Signed in as</dt><dd><strong>{me.id}</strong> <span className="muted">({me.type})</span></dd>
          <dt>Groups</dt><dd>{me.groups.length ? me.groups.map((g) => <span key={g} className="pill">{g}</span>) : <span className="muted">none</span>}</dd>
        </dl>
      </PageHeader>

      <section aria-labelledby="grants-h">
        <div className="section-head">
          <h2 id="grants-h">Active grants</h2>
          <button type="button" onClick={() => grants.reload()} disabled={grants.loading}>Refresh</button>
        </div>
        {grants.loading && !grants.data && <Loading what="your grants" />}
        {grantsMissing && <Empty><p><strong>This Conductor does not offer just-in-time grants.</strong> Ask an administrator to add you to a group instead.</p></Empty>}
        {grants.error != null && !grantsMissing && <ErrorBox title="Your grants could not be loaded." error={grants.error} onRetry={() => grants.reload()} />}
        {grants.data && grants.data.grants.length === 0 && (
          <Empty><p><strong>No active grant.</strong> Ask for temporary membership of a group with the form below.</p></Empty>
        )}
        {grants.data && grants.data.grants.length > 0 && <GrantsTable grants={grants.data.grants} onChanged={() => grants.reload(true)} />}
      </section>

      <section aria-labelledby="pending-h">
        <div className="section-head">
          <h2 id="pending-h">My pending requests</h2>
          <button type="button" onClick={() => pending.reload()} disabled={pending.loading}>Refresh</button>
        </div>
        {pending.loading && !pending.data && <Loading what="your pending requests" />}
        {pending.error != null && <ErrorBox title="Your pending requests could not be loaded." error={pending.error} onRetry={() => pending.reload()} />}
        {pending.data && pending.data.requests.length === 0 && <Empty><p><strong>Nothing of yours waits for approval.</strong></p></Empty>}
        {pending.data && pending.data.requests.length > 0 && <PendingTable requests={pending.data.requests} />}
      </section>

      {!grantsMissing && <GrantForm onRequested={() => { pending.reload(true); grants.reload(true) }} />}

      <ApiTokens
        path="/tokens" title="My API tokens" for="you"
        canCreate={me.type === 'User'}
        cannotCreate="Personal API tokens are for people; a workload gets a service account and its tokens."
      />
    </section>
  )
}

function GrantsTable(props: { grants: GrantView[]; onChanged(): void }) {
  // The countdown ticks on the client from the server's remaining seconds at load time.
  const [loadedAt] = useState(() => Date.now())
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [])
  return (
    <table className="grid" aria-label="Active grants">
      <thead><tr><th scope="col">Group</th><th scope="col">Reason</th><th scope="col">Approved by</th><th scope="col">Since</th><th scope="col">Remaining</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
      <tbody>
        {props.grants.map((g) => {
          const left = g.remainingSeconds - (now - loadedAt) / 1000
          return (
            <tr key={g.id} data-grant={g.group}>
              <td><strong>{g.group}</strong></td>
              <td>{g.reason ?? <span className="muted">none given</span>}</td>
              <td>{g.approvedBy.length ? g.approvedBy.join(', ') : <span className="muted">policy</span>}</td>
              <td><Time value={g.startsAt} /></td>
              <td data-testid="remaining"><span role="timer" aria-label={`${shortSpan(left)} remaining`}>{left > 0 ? shortSpan(left) : 'expired'}</span> <span className="muted small">until <Time value={g.expiresAt} /></span></td>
              <td><RevokeButton path={`/grants/${encodeURIComponent(g.id)}/revoke`} body={{}} label={`Revoke ${g.group}`} failed="The grant was not revoked." onRevoked={props.onChanged} /></td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}

function PendingTable(props: { requests: RequestView[] }) {
  return (
    <table className="grid" aria-label="My pending requests">
      <thead><tr><th scope="col">Request</th><th scope="col">What</th><th scope="col">Target</th><th scope="col">Waits for</th><th scope="col">Asked</th><th scope="col">Expires</th></tr></thead>
      <tbody>
        {props.requests.map((r) => (
          <tr key={r.id} data-request={r.id}>
            <td><Link href={`/requests/${encodeURIComponent(r.id)}`} aria-label={`Open request ${r.id}`}><code>{r.id.slice(0, 8)}</code></Link></td>
            <td><code>{r.action}</code></td>
            <td><RequestTarget request={r} /></td>
            <td>{waitsFor(r.approval)}</td>
            <td><Relative value={r.createdAt} /></td>
            <td><Relative value={r.approval?.expiresAt} /></td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function GrantForm(props: { onRequested(): void }) {
  const id = useId()
  const [group, setGroup] = useState('')
  const [hours, setHours] = useState('1')
  const [reason, setReason] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const [result, setResult] = useState<GrantAnswer | GrantPending | null>(null)
  const hoursNumber = Number(hours)
  const valid = group.trim() !== '' && Number.isInteger(hoursNumber) && hoursNumber >= 1

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (!valid || busy) return
    setBusy(true)
    setError(null)
    setResult(null)
    try {
      setResult(await api<GrantAnswer | GrantPending>('/grants', {
        method: 'POST', body: { group: group.trim(), hours: hoursNumber, ...(reason.trim() ? { reason: reason.trim() } : {}) },
      }))
      props.onRequested()
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }

  return (
    <section className="panel" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Request a grant</h2>
      <p className="muted small">Temporary membership of a group. Policy decides whether it needs someone&apos;s approval; it ends by itself after the hours you ask for.</p>
      <form onSubmit={(e) => void submit(e)} aria-label="Request a grant" className="inline-form" noValidate>
        <label htmlFor={`${id}-group`}>Group<input id={`${id}-group`} type="text" value={group} onChange={(e) => setGroup(e.target.value)} placeholder="e.g. data-eng" /></label>
        <label htmlFor={`${id}-hours`}>Hours<input id={`${id}-hours`} type="number" min={1} step={1} value={hours} onChange={(e) => setHours(e.target.value)} className="narrow" /></label>
        <label htmlFor={`${id}-reason`}>Reason<input id={`${id}-reason`} type="text" maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} placeholder="e.g. incident 4711" /></label>
        <button type="submit" className="primary" disabled={!valid || busy}>{busy ? 'Requesting…' : 'Request grant'}</button>
      </form>
      {result && 'request' in result && (
        <p className="notice" role="status">Request <Link href={`/requests/${encodeURIComponent(result.request.id)}`}><code>{result.request.id}</code></Link> waits for approval by {waitsFor(result.request.approval)}.</p>
      )}
      {result && 'grant' in result && <p className="success" role="status">Granted: you are in <strong>{result.grant.group}</strong> until <Time value={result.grant.expiresAt} />.</p>}
      {error != null && <ErrorBox title="The grant was not requested." error={error} />}
    </section>
  )
}
