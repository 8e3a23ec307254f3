import { useId, useState, type FormEvent } from 'react'
import { ApiError, api, dagPath, runPath, type HitlAnswered, type HitlInbox, type HitlTaskView, type RequestList, type RequestView } from '../api.ts'
import { GRANT_ACTION, inboxChanged, inputOf, waitsFor } from '../requests.ts'
import { Link } from '../router.tsx'
import { Empty, ErrorBox, Loading, PageHeader, Relative, useApi } from '../ui.tsx'

/** The approvals inbox: requests waiting for the person's decision, then Airflow's human-in-the-loop tasks. */
export function ApprovalsPage() {
  const requests = useApi('inbox', (signal) => api<RequestList>('/requests?toApprove=true&limit=100', { signal }))
  const hitl = useApi('hitl', (signal) => api<HitlInbox>('/hitl', { signal }))
  // Tasks answered here stay on the page with their answer after the list reloads without them, until Refresh.
  const [answered, setAnswered] = useState<{ key: string; task: HitlTaskView; options: string[] }[]>([])
  const waiting = (hitl.data?.tasks ?? []).map((task) => ({ key: hitlKey(task), task, options: null as string[] | null }))
  const shown = [...waiting, ...answered.filter((a) => !waiting.some((w) => w.key === a.key))]
  const count = requests.data?.requests.length
  const hitlMissing = hitl.error instanceof ApiError && hitl.error.code === 'not_found'
  // Airflow 2 has no human-in-the-loop tasks: not worth a warning.
  const unasked = hitl.data?.unavailable.filter((u) => u.code !== 'hitl_not_supported') ?? []
  return (
    <section>
      <PageHeader title="Approvals">
        <p className="lead">Requests policy asks a second person for, where you are one of the approvers, oldest first; and the
          tasks in Airflow waiting for a person&apos;s answer. Your own requests are on <Link href="/me">My access</Link>.</p>
      </PageHeader>

      <section aria-labelledby="inbox-h">
        <div className="section-head">
          <h2 id="inbox-h">Requests waiting for your decision{count !== undefined && <> <span className="count" data-testid="requests-count">{count}</span></>}</h2>
          <button type="button" onClick={() => { requests.reload(); hitl.reload(); setAnswered([]); inboxChanged() }} disabled={requests.loading}>Refresh</button>
        </div>
        {requests.loading && !requests.data && <Loading what="the requests waiting for you" />}
        {requests.error != null && <ErrorBox title="The requests could not be loaded." error={requests.error} onRetry={() => requests.reload()} />}
        {requests.data && requests.data.requests.length === 0 && (
          <Empty><p><strong>Nothing waits for your decision.</strong> Requests appear here when policy asks for an approval from a group you are in.</p></Empty>
        )}
        {requests.data && requests.data.requests.length > 0 && <InboxTable requests={requests.data.requests} />}
      </section>

      <section aria-labelledby="hitl-h">
        <div className="section-head">
          <h2 id="hitl-h">Airflow tasks waiting for a person{hitl.data && <> <span className="count">{hitl.data.tasks.length}</span></>}</h2>
        </div>
        {hitl.loading && !hitl.data && <Loading what="the Airflow tasks waiting for a person" />}
        {hitlMissing && <Empty><p><strong>This Conductor does not list Airflow&apos;s human-in-the-loop tasks.</strong></p></Empty>}
        {hitl.error != null && !hitlMissing && <ErrorBox title="The Airflow tasks waiting for a person could not be loaded." error={hitl.error} onRetry={() => hitl.reload()} />}
        {unasked.length > 0 && (
          <p className="notice" role="note">Not asked, so their tasks are missing here: {unasked.map((u) => `${u.environment} (${u.code})`).join(', ')}.</p>
        )}
        {hitl.data && shown.length === 0 && (
          <Empty><p><strong>No Airflow task waits for your answer.</strong> Human-in-the-loop tasks you may answer, in any environment, appear here.</p></Empty>
        )}
        {hitl.data && shown.map(({ key, task, options }) => (
          <HitlTask
            key={key} task={task} answered={options}
            onAnswered={(chosen) => { setAnswered((a) => [...a.filter((x) => x.key !== key), { key, task, options: chosen }]); hitl.reload(true); inboxChanged() }}
          />
        ))}
      </section>
    </section>
  )
}

/** What a request asks for, in a few words: the DAG it targets, or the group of a grant. */
export function RequestTarget(props: { request: RequestView }) {
  const r = props.request
  if (r.action === GRANT_ACTION) {
    const input = inputOf(r)
    return <span>membership of <strong>{String(input.group ?? '?')}</strong> for {String(input.hours ?? '?')}h</span>
  }
  return (
    <span>{r.environment}{r.dagId && <> / <Link href={dagPath(r.environment, r.dagId)}>{r.dagId}</Link></>}</span>
  )
}

function InboxTable(props: { requests: RequestView[] }) {
  return (
    <table className="grid" aria-label="Requests waiting for your decision">
      <thead>
        <tr><th scope="col">Request</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Target</th><th scope="col">Reason</th>
          <th scope="col">Waits for</th><th scope="col">Asked</th><th scope="col">Expires</th></tr>
      </thead>
      <tbody>
        {props.requests.map((r) => {
          const reason = inputOf(r).reason
          return (
            <tr key={r.id} data-request={r.id}>
              <td><Link href={`/requests/${encodeURIComponent(r.id)}`} aria-label={`Open request ${r.id}`}><code>{r.id.slice(0, 8)}</code></Link></td>
              <td><strong>{r.principal.id}</strong><div className="muted small">{r.principal.groups.join(', ') || 'no groups'}</div></td>
              <td><code>{r.action}</code></td>
              <td><RequestTarget request={r} /></td>
              <td>{typeof reason === 'string' && reason ? reason : <span className="muted">none given</span>}</td>
              <td>{waitsFor(r.approval)}</td>
              <td><Relative value={r.createdAt} /></td>
              <td><Relative value={r.approval?.expiresAt} /></td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}

/** The identity of a human-in-the-loop task across reloads of the list. */
function hitlKey(t: HitlTaskView): string {
  return `${t.environment}/${t.dagId}/${t.runId}/${t.taskId}/${t.mapIndex}`
}

function HitlTask(props: { task: HitlTaskView; answered: string[] | null; onAnswered(options: string[]): void }) {
  const t = props.task
  const [chosen, setChosen] = useState<string[]>(() => t.defaults ?? [])
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const [sent, setSent] = useState<string[] | null>(null)
  const answered = props.answered ?? sent
  const id = useId()
  const url = `${runPath(t.environment, t.dagId, t.runId)}/hitl/${encodeURIComponent(t.taskId)}/${t.mapIndex}`

  const answer = async (options: string[]) => {
    if (busy || options.length === 0) return
    setBusy(true)
    setError(null)
    try {
      await api<HitlAnswered>(url, { method: 'POST', body: { chosenOptions: options } })
      setSent(options)
      props.onAnswered(options)
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }
  const submit = (event: FormEvent) => {
    event.preventDefault()
    void answer(chosen)
  }

  return (
    <article className="panel hitl" aria-labelledby={`${id}-h`} data-hitl={`${t.dagId}/${t.taskId}`}>
      <h3 id={`${id}-h`}>{t.subject}</h3>
      <p className="muted small">
        {t.environment} / <Link href={dagPath(t.environment, t.dagId)}>{t.dagId}</Link> / <Link href={runPath(t.environment, t.dagId, t.runId)}><code>{t.runId}</code></Link>
        {' '}· task <code>{t.taskId}</code>{t.mapIndex >= 0 && <> [{t.mapIndex}]</>} · waiting since <Relative value={t.createdAt} />
        {t.assignedUsers.length > 0 && <> · assigned to {t.assignedUsers.join(', ')}</>}
      </p>
      {t.body && <p className="hitl-body">{t.body}</p>}
      {answered
        ? <p className="success" role="status">Answered: {answered.join(', ')}.</p>
        : t.multiple
          ? (
            <form onSubmit={submit} aria-label={`Answer ${t.subject}`}>
              <fieldset>
                <legend>Choose one or more</legend>
                {t.options.map((option) => (
                  <label key={option} className="inline">
                    <input type="checkbox" checked={chosen.includes(option)} onChange={(e) => setChosen((c) => e.target.checked ? [...c, option] : c.filter((o) => o !== option))} />
                    {option}
                  </label>
                ))}
              </fieldset>
              <div className="form-actions"><button type="submit" className="primary" disabled={busy || chosen.length === 0}>{busy ? 'Sending…' : 'Send answer'}</button></div>
            </form>
          )
          : (
            <div className="form-actions" role="group" aria-label={`Answer ${t.subject}`}>
              {t.options.map((option) => (
                <button key={option} type="button" className={t.defaults?.includes(option) ? 'primary' : undefined} disabled={busy} onClick={() => void answer([option])}>{option}</button>
              ))}
            </div>
          )}
      {error != null && <ErrorBox title="The answer was not sent." error={error} />}
    </article>
  )
}
