import { useEffect, useRef, useState } from 'react'
import { api, dagPath, query, runPath, type DagView, type RequestView, type RerunResult, type RunDetail, type TaskInstance, type TaskLogPage } from '../api.ts'
import { LineageSection } from '../lineage.tsx'
import { Link } from '../router.tsx'
import { Duration, Empty, ErrorBox, Loading, PageHeader, StartedByText, StateBadge, Time, permissionWhy, useApi } from '../ui.tsx'

const ACTIVE = new Set(['queued', 'running', 'restarting', 'up_for_retry', 'scheduled', 'deferred', 'up_for_reschedule'])
const FAILED = new Set(['failed', 'upstream_failed'])


/** One run: who started it, its task instances with their logs, and the governed rerun. */
export function RunPage(props: { environment: string; dagId: string; runId: string }) {
  const { environment, dagId, runId } = props
  const path = runPath(environment, dagId, runId)
  const run = useApi(`run:${path}`, (signal) => api<RunDetail>(path, { signal }))
  const dag = useApi(`dag:${dagPath(environment, dagId)}`, (signal) => api<DagView>(dagPath(environment, dagId), { signal }))
  const [logTask, setLogTask] = useState<TaskInstance | null>(null)

  const active = run.data ? ACTIVE.has(run.data.state) || run.data.tasks.some((t) => t.state !== null && ACTIVE.has(t.state)) : false
  useEffect(() => {
    if (!active) return
    const timer = setInterval(() => { if (!document.hidden) run.reload(true) }, 5000)
    return () => clearInterval(timer)
  }, [active, run])

  const crumbs = <><Link href="/dags">DAG catalog</Link> › <Link href={dagPath(environment, dagId)}>{dagId}</Link> › run</>
  const header = <PageHeader title={<>Run <code className="run-id">{runId}</code></>} crumbs={crumbs} />
  if (run.loading && !run.data) return <section>{header}<Loading what="the run" /></section>
  if (!run.data) return <section>{header}<ErrorBox title="The run could not be loaded." error={run.error} onRetry={() => run.reload()} /></section>
  const r = run.data
  const failedTasks = r.tasks.filter((t) => t.state !== null && FAILED.has(t.state))
  return (
    <section>
      {header}
      <dl className="facts inline">
        <dt>State</dt><dd><StateBadge state={r.state} /></dd>
        <dt>Started by</dt><dd><StartedByText startedBy={r.startedBy} /></dd>
        <dt>DAG</dt><dd><Link href={dagPath(environment, dagId)}>{dagId}</Link> in {environment}</dd>
        <dt>Type</dt><dd>{r.runType ?? '—'}</dd>
        <dt>Queued</dt><dd><Time value={r.queuedAt} /></dd>
        <dt>Started</dt><dd><Time value={r.startDate} /></dd>
        <dt>Duration</dt><dd><Duration start={r.startDate} end={r.endDate} /></dd>
        {r.startedBy.via === 'conductor' && <><dt>Request</dt><dd><Link href={`/requests/${encodeURIComponent(r.startedBy.requestId)}`}><code>{r.startedBy.requestId}</code></Link></dd></>}
      </dl>
      {r.note && <p className="note"><strong>Note:</strong> {r.note}</p>}
      <details><summary>Conf</summary><pre className="code">{JSON.stringify(r.conf, null, 2)}</pre></details>
      {run.error != null && <ErrorBox title="The run could not be refreshed." error={run.error} />}

      <RerunControl dag={dag.data} path={path} failedCount={failedTasks.length} runState={r.state} onDone={() => run.reload(true)} />

      <section aria-labelledby="tasks-h">
        <div className="section-head">
          <h2 id="tasks-h">Task instances</h2>
          <button type="button" onClick={() => run.reload()} disabled={run.loading}>Refresh</button>
          {active && <span className="muted small" role="status">Refreshing every few seconds while the run is active.</span>}
        </div>
        {r.tasks.length === 0
          ? <Empty><p><strong>No task instances yet.</strong> Airflow creates them when the run starts; this page refreshes by itself.</p></Empty>
          : (
            <table className="grid" aria-label="Task instances">
              <thead><tr><th scope="col">Task</th><th scope="col">State</th><th scope="col">Try</th><th scope="col">Started</th><th scope="col">Duration</th><th scope="col">Log</th></tr></thead>
              <tbody>
                {r.tasks.map((t) => (
                  <tr key={`${t.taskId}:${t.mapIndex}`} data-task={t.taskId} className={logTask?.taskId === t.taskId ? 'selected' : undefined}>
                    <td><code>{t.taskId}</code>{t.mapIndex >= 0 && <span className="muted"> [{t.mapIndex}]</span>}</td>
                    <td><StateBadge state={t.state} /></td>
                    <td>{t.tryNumber}</td>
                    <td><Time value={t.startDate} /></td>
                    <td><Duration start={t.startDate} end={t.endDate} seconds={t.durationSeconds} /></td>
                    <td><button type="button" onClick={() => setLogTask(t)} disabled={t.tryNumber < 1} aria-label={`Show the log of ${t.taskId}`}>
                      {t.tryNumber < 1 ? 'No log yet' : 'Show log'}</button></td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
      </section>
      {logTask && <LogViewer key={`${logTask.taskId}:${logTask.tryNumber}`} path={path} task={logTask} onClose={() => setLogTask(null)} />}
      <LineageSection path={`${path}/lineage`} />
    </section>
  )
}

function RerunControl(props: { dag: DagView | null; path: string; failedCount: number; runState: string; onDone(): void }) {
  const [reason, setReason] = useState('')
  const [busy, setBusy] = useState(false)
  const [result, setResult] = useState<{ request: RequestView; clearedTaskIds: string[] } | null>(null)
  const [error, setError] = useState<unknown>(null)
  const rerun = props.dag?.permissions?.['dag:rerun']
  if (!rerun) return null
  if (!rerun.allowed) return <p className="muted small">Rerun: you may not ({permissionWhy(rerun)}).</p>
  if (props.failedCount === 0 && !result) return null
  const submit = async () => {
    setBusy(true)
    setError(null)
    try {
      const answer = await api<RerunResult>(`${props.path}/rerun`, { method: 'POST', body: reason.trim() ? { reason: reason.trim() } : {} })
      setResult(answer)
      props.onDone()
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }
  return (
    <section className="panel rerun" aria-labelledby="rerun-h">
      <h2 id="rerun-h">Rerun failed tasks</h2>
      {props.failedCount > 0 && <p>{props.failedCount} task{props.failedCount === 1 ? '' : 's'} failed. Clearing them lets Airflow run them again; {permissionWhy(rerun)}.</p>}
      <form className="inline-form" onSubmit={(e) => { e.preventDefault(); void submit() }}>
        <label>Reason<input type="text" maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} placeholder="why rerun" /></label>
        <button type="submit" className="primary" disabled={busy || props.failedCount === 0}>{busy ? 'Rerunning…' : 'Rerun failed tasks'}</button>
      </form>
      {result && <p className="success" role="status">Cleared {result.clearedTaskIds.length ? result.clearedTaskIds.join(', ') : 'no tasks'}; request <code>{result.request.id}</code>.</p>}
      {error != null && <ErrorBox title="The rerun was not started." error={error} />}
    </section>
  )
}

function LogViewer(props: { path: string; task: TaskInstance; onClose(): void }) {
  const { task } = props
  const [tryNumber, setTryNumber] = useState(task.tryNumber)
  const [lines, setLines] = useState<string[]>([])
  const [token, setToken] = useState<string | null>(null)
  const [state, setState] = useState<{ loading: boolean; error: unknown; done: boolean; lastEmpty: boolean }>({ loading: true, error: null, done: false, lastEmpty: false })
  const heading = useRef<HTMLHeadingElement>(null)
  const base = `${props.path}/tasks/${encodeURIComponent(task.taskId)}/logs`

  const load = async (continuationToken: string | null, reset: boolean) => {
    setState((s) => ({ ...s, loading: true, error: null }))
    try {
      const page = await api<TaskLogPage>(`${base}${query({ tryNumber, continuationToken })}`)
      setLines((old) => reset ? page.lines : [...old, ...page.lines])
      setToken(page.continuationToken ?? continuationToken)
      setState({ loading: false, error: null, done: page.continuationToken === null, lastEmpty: page.lines.length === 0 })
    } catch (error) {
      setState((s) => ({ ...s, loading: false, error }))
    }
  }
  useEffect(() => {
    setLines([])
    setToken(null)
    void load(null, true)
    heading.current?.focus()
    // Reload from the start only when the task or the try changes; paging goes through load() directly.
  }, [base, tryNumber])

  return (
    <section className="panel log" aria-labelledby="log-h">
      <div className="section-head">
        <h2 id="log-h" ref={heading} tabIndex={-1}>Log of <code>{task.taskId}</code></h2>
        <label className="inline">Try
          <select value={tryNumber} onChange={(e) => setTryNumber(Number(e.target.value))}>
            {Array.from({ length: Math.max(1, task.tryNumber) }, (_, i) => i + 1).map((n) => <option key={n} value={n}>{n}</option>)}
          </select>
        </label>
        <button type="button" onClick={() => void load(null, true)} disabled={state.loading}>Reload</button>
        <button type="button" onClick={props.onClose}>Close log</button>
      </div>
      {state.error != null && <ErrorBox title="The log could not be read." error={state.error} />}
      {lines.length > 0
        ? <pre className="code logtext" data-testid="task-log" tabIndex={0} aria-label={`Log lines of ${task.taskId}`}>{lines.join('\n')}</pre>
        : !state.loading && state.error == null && <Empty><p>The log is empty so far. If the task is still running, load more in a moment.</p></Empty>}
      {state.loading && <Loading what="log lines" />}
      <div className="form-actions">
        {token && <button type="button" onClick={() => void load(token, false)} disabled={state.loading}>Load more</button>}
        <span className="muted small">{lines.length} line{lines.length === 1 ? '' : 's'}{state.done ? ' · end of log' : state.lastEmpty && lines.length ? ' · nothing new yet' : ''}</span>
      </div>
    </section>
  )
}
