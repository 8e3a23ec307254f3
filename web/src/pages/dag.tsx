import { useEffect, useId, useMemo, useState, type FormEvent } from 'react'
import { api, dagPath, runPath, type DagView, type PauseResult, type RequestView, type RunList, type RunView, type Session, type TriggerResult, type PendingResult } from '../api.ts'
import { checkConf, defaultConf } from '../conf.ts'
import { Link } from '../router.tsx'
import { DagScheduleOwners } from './schedules.tsx'
import { Duration, Empty, ErrorBox, Loading, PageHeader, Permissions, StartedByText, StateBadge, Time, permissionWhy, useApi } from '../ui.tsx'

const ACTIVE = new Set(['queued', 'running', 'restarting', 'up_for_retry', 'scheduled'])

/** One DAG: what the person may do, the trigger form, pause, and recent runs. */
export function DagPage(props: { environment: string; dagId: string; session: Session }) {
  const { environment, dagId } = props
  const path = dagPath(environment, dagId)
  const dag = useApi(`dag:${path}`, (signal) => api<DagView>(path, { signal }))
  const [override, setOverride] = useState<DagView | null>(null)
  const current = override ?? dag.data
  const runs = useApi(`runs:${path}`, (signal) => api<RunList>(`${path}/runs?limit=25`, { signal }))
  const [created, setCreated] = useState<{ request: RequestView; run?: RunView } | null>(null)

  const active = runs.data?.runs.some((r) => ACTIVE.has(r.state)) ?? false
  useEffect(() => {
    if (!active) return
    const timer = setInterval(() => { if (!document.hidden) runs.reload(true) }, 5000)
    return () => clearInterval(timer)
  }, [active, runs])

  const crumbs = <><Link href="/dags">DAG catalog</Link> › <Link href={`/dags?environment=${encodeURIComponent(environment)}`}>{environment}</Link> › {dagId}</>
  if (dag.loading && !current) return <section><PageHeader title={dagId} crumbs={crumbs} /><Loading what="the DAG" /></section>
  if (!current) return <section><PageHeader title={dagId} crumbs={crumbs} /><ErrorBox title="The DAG could not be loaded." error={dag.error} onRetry={() => dag.reload()} /></section>

  const trigger = current.permissions?.['dag:trigger']
  return (
    <section>
      <PageHeader title={<>{dagId} <span className="muted">in {environment}</span></>} crumbs={crumbs}>
        {current.description && <p className="lead">{current.description}</p>}
        <dl className="facts inline">
          <dt>State</dt><dd>{current.paused ? <span className="pill paused">paused</span> : <span className="pill active">active</span>}</dd>
          <dt>Schedule</dt><dd><code>{current.schedule ?? 'manual only'}</code></dd>
          <dt>Owners</dt><dd>{current.owners.join(', ') || '—'}</dd>
          <dt>Owned by</dt><dd data-testid="schedule-owned-by"><DagScheduleOwners environment={environment} dagId={dagId} airflowSchedule={current.schedule} /></dd>
          <dt>Tags</dt><dd>{current.tags.map((t) => <span key={t} className="pill">{t}</span>)}</dd>
          {current.team && <><dt>Team</dt><dd>{current.team}</dd></>}
          {current.allowedRunTypes && <><dt>Run types</dt><dd>{current.allowedRunTypes.join(', ')}</dd></>}
          <dt>Catalog sync</dt><dd><Time value={current.syncedAt} /></dd>
        </dl>
      </PageHeader>
      {dag.error != null && <ErrorBox title="The DAG could not be refreshed." error={dag.error} />}

      <div className="two-col">
        <section className="panel" aria-labelledby="perm-h">
          <h2 id="perm-h">What you may do</h2>
          <Permissions dag={current} />
          <p><Link href={`${path}/access`}>Who can run this? →</Link></p>
          <PauseControl dag={current} path={path} onChanged={setOverride} />
        </section>

        <section className="panel" aria-labelledby="trigger-h">
          <h2 id="trigger-h">Trigger a run</h2>
          {current.allowedRunTypes && !current.allowedRunTypes.includes('manual')
            ? <p className="notice">Airflow allows no manual runs of this DAG (its <code>allowed_run_types</code>: {current.allowedRunTypes.join(', ')}).</p>
            : trigger?.allowed
            ? <TriggerForm dag={current} path={path} onCreated={(result) => { setCreated(result); runs.reload(true) }} />
            : (
              <p className="notice">You may not trigger this DAG ({trigger ? permissionWhy(trigger) : 'not reported'}).
                {' '}<Link href={`${path}/access`}>See who may</Link>.</p>
            )}
          {created && !created.run && (
            <div className="notice" role="status">
              <p>Request <Link href={`/requests/${encodeURIComponent(created.request.id)}`}><code>{created.request.id}</code></Link> waits for approval by
                {' '}{(created.request.approval?.groups ?? []).map((g) => `${g.count} of ${g.group}`).join(' or ')}; the run starts once approved.</p>
            </div>
          )}
          {created?.run && (
            <div className="success" role="status">
              <p>Run <Link href={runPath(environment, dagId, created.run.runId)}><code>{created.run.runId}</code></Link> created
                {' '}({created.run.state}), allowed by {created.request.decision.policyIds.join(', ') || 'policy'}; request <code>{created.request.id}</code>.</p>
              <p><Link href={runPath(environment, dagId, created.run.runId)}>Open the run →</Link></p>
            </div>
          )}
        </section>
      </div>

      <section aria-labelledby="runs-h">
        <div className="section-head">
          <h2 id="runs-h">Recent runs</h2>
          <button type="button" onClick={() => runs.reload()} disabled={runs.loading}>Refresh</button>
          {active && <span className="muted small" role="status">Refreshing every few seconds while runs are active.</span>}
        </div>
        {runs.loading && !runs.data && <Loading what="runs" />}
        {runs.error != null && <ErrorBox title="The runs could not be loaded." error={runs.error} onRetry={() => runs.reload()} />}
        {runs.data && runs.data.runs.length === 0 && (
          <Empty><p><strong>No runs yet.</strong> {trigger?.allowed ? 'Trigger one with the form above.' : 'Runs appear here once the DAG is scheduled or someone who may trigger it does.'}</p></Empty>
        )}
        {runs.data && runs.data.runs.length > 0 && <RunsTable runs={runs.data.runs} environment={environment} dagId={dagId} />}
      </section>
    </section>
  )
}

function RunsTable(props: { runs: RunView[]; environment: string; dagId: string }) {
  return (
    <table className="grid" aria-label="Recent runs">
      <thead><tr><th scope="col">Run</th><th scope="col">State</th><th scope="col">Started by</th><th scope="col">Type</th><th scope="col">Started</th><th scope="col">Duration</th></tr></thead>
      <tbody>
        {props.runs.map((r) => (
          <tr key={r.runId} data-run={r.runId}>
            <td><Link href={runPath(props.environment, props.dagId, r.runId)}><code>{r.runId}</code></Link></td>
            <td><StateBadge state={r.state} /></td>
            <td><StartedByText startedBy={r.startedBy} /></td>
            <td>{r.runType ?? '—'}</td>
            <td><Time value={r.startDate ?? r.queuedAt} /></td>
            <td><Duration start={r.startDate} end={r.endDate} /></td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function TriggerForm(props: { dag: DagView; path: string; onCreated(result: { request: RequestView; run?: RunView }): void }) {
  const params = props.dag.params
  const [conf, setConf] = useState(() => defaultConf(params))
  const [reason, setReason] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const check = useMemo(() => checkConf(conf, params), [conf, params])
  const id = useId()

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (!check.conf || busy) return
    setBusy(true)
    setError(null)
    try {
      const result = await api<TriggerResult | PendingResult>(`${props.path}/runs`, {
        method: 'POST', body: { conf: check.conf, ...(reason.trim() ? { reason: reason.trim() } : {}) },
      })
      props.onCreated(result)
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }

  const paramEntries = Object.entries(params ?? {})
  return (
    <form onSubmit={(e) => void submit(e)} aria-label="Trigger a run" noValidate>
      <label htmlFor={`${id}-conf`}>Conf <span className="muted">(a JSON object passed to the run)</span></label>
      <textarea id={`${id}-conf`} name="conf" rows={Math.min(12, Math.max(4, conf.split('\n').length + 1))} spellCheck={false} className="code"
        value={conf} onChange={(e) => setConf(e.target.value)} aria-invalid={check.errors.length > 0} aria-describedby={`${id}-conf-status`} />
      <div id={`${id}-conf-status`} aria-live="polite">
        {check.errors.length > 0
          ? <ul className="field-errors">{check.errors.map((e) => <li key={e}>{e}</li>)}</ul>
          : <p className="ok small">Valid JSON object{paramEntries.length ? ' that fits the DAG\'s params' : ''}.</p>}
      </div>
      {params === null && <p className="muted small">Airflow could not be asked for this DAG&apos;s params; Airflow checks the conf when the run is created.</p>}
      {paramEntries.length > 0 && (
        <details className="params">
          <summary>Params this DAG declares ({paramEntries.length})</summary>
          <table className="grid small">
            <thead><tr><th scope="col">Param</th><th scope="col">Default</th><th scope="col">Schema</th><th scope="col">Description</th></tr></thead>
            <tbody>
              {paramEntries.map(([name, p]) => (
                <tr key={name}><td><code>{name}</code></td><td><code>{JSON.stringify(p.value)}</code></td><td><code>{JSON.stringify(p.schema)}</code></td><td>{p.description ?? ''}</td></tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
      <label htmlFor={`${id}-reason`}>Reason <span className="muted">(recorded with the request; policy may use it)</span></label>
      <input id={`${id}-reason`} name="reason" type="text" maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} placeholder="e.g. backfill after the upstream fix" />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy || !check.conf}>{busy ? 'Triggering…' : 'Trigger run'}</button>
      </div>
      {error != null && <ErrorBox title="The run was not created." error={error} />}
    </form>
  )
}

function PauseControl(props: { dag: DagView; path: string; onChanged(dag: DagView): void }) {
  const pause = props.dag.permissions?.['dag:pause']
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  if (!pause?.allowed) return null
  const toggle = async () => {
    setBusy(true)
    setError(null)
    try {
      const result = await api<PauseResult>(props.path, { method: 'PATCH', body: { paused: !props.dag.paused } })
      props.onChanged({ ...props.dag, ...result.dag, permissions: props.dag.permissions, params: props.dag.params })
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }
  return (
    <div className="pause">
      <button type="button" onClick={() => void toggle()} disabled={busy}>
        {busy ? 'Saving…' : props.dag.paused ? 'Unpause DAG' : 'Pause DAG'}
      </button>
      {error != null && <ErrorBox title={props.dag.paused ? 'The DAG was not unpaused.' : 'The DAG was not paused.'} error={error} />}
    </div>
  )
}
