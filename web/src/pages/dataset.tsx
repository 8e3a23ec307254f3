import { useEffect, useState } from 'react'
import { ApiError, api, query, runPath, type LineageDataset, type LineageDatasetUse } from '../api.ts'
import { eventState } from '../lineage.tsx'
import { Link } from '../router.tsx'
import { Empty, ErrorBox, Loading, PageHeader, StateBadge, Time, useApi } from '../ui.tsx'

/** One dataset: who changed it, when, and through what (its writes, newest first), then who read it lately. */
export function DatasetPage(props: { search: URLSearchParams }) {
  const namespace = props.search.get('namespace') ?? ''
  const name = props.search.get('name') ?? ''
  const path = `/lineage/dataset${query({ namespace, name })}`
  const dataset = useApi(namespace && name ? `dataset:${path}` : null, (signal) => api<LineageDataset>(path, { signal }))
  const [older, setOlder] = useState<{ writes: LineageDatasetUse[]; cursor: string | null; busy: boolean; error: unknown }>({ writes: [], cursor: null, busy: false, error: null })
  useEffect(() => setOlder({ writes: [], cursor: dataset.data?.nextCursor ?? null, busy: false, error: null }), [dataset.data])

  const crumbs = <><Link href="/lineage/datasets">Lineage</Link> › dataset</>
  const header = <PageHeader title={<>Dataset <code>{name || '?'}</code></>} crumbs={crumbs}>{namespace && <p className="lead">in <code>{namespace}</code></p>}</PageHeader>
  if (!namespace || !name) return <section>{header}<p>A dataset page needs its <code>namespace</code> and <code>name</code>. Pick one from the <Link href="/lineage/datasets">datasets</Link>.</p></section>
  if (dataset.loading && !dataset.data) return <section>{header}<Loading what="the dataset" /></section>
  if (!dataset.data) {
    if (dataset.error instanceof ApiError && dataset.error.code === 'dataset_not_found') {
      return (
        <section>{header}
          <Empty><p data-testid="dataset-not-found"><strong>Dataset not found.</strong> No run in the lineage you may read (<code>lineage:read</code>) read or wrote it. Check the name on the <Link href="/lineage/datasets">datasets</Link> list.</p></Empty>
        </section>
      )
    }
    return <section>{header}<ErrorBox title="The dataset could not be loaded." error={dataset.error} onRetry={() => dataset.reload()} /></section>
  }
  const d = dataset.data
  const writes = [...d.writes, ...older.writes]
  const more = async () => {
    setOlder((o) => ({ ...o, busy: true, error: null }))
    try {
      const page = await api<LineageDataset>(`/lineage/dataset${query({ namespace, name, cursor: older.cursor })}`)
      setOlder((o) => ({ writes: [...o.writes, ...page.writes], cursor: page.nextCursor, busy: false, error: null }))
    } catch (error) {
      setOlder((o) => ({ ...o, busy: false, error }))
    }
  }
  return (
    <section>
      {header}
      {d.tags.length > 0 && <p>Tags: {d.tags.map((t) => <span key={t} className="pill">{t}</span>)}</p>}
      <section aria-labelledby="writes-h">
        <div className="section-head">
          <h2 id="writes-h">Who changed it</h2>
          <button type="button" onClick={() => dataset.reload()} disabled={dataset.loading}>Refresh</button>
        </div>
        {writes.length === 0
          ? <Empty><p>No run you may see wrote it; it was only read.</p></Empty>
          : <UsesTable label="Writes" uses={writes} />}
        {older.error != null && <ErrorBox title="Older writes could not be loaded." error={older.error} />}
        {older.cursor && <div className="form-actions"><button type="button" onClick={() => void more()} disabled={older.busy}>{older.busy ? 'Loading…' : 'Older writes'}</button></div>}
      </section>
      <section aria-labelledby="reads-h">
        <h2 id="reads-h">Recent reads</h2>
        {d.reads.length === 0 ? <Empty><p>No run you may see read it.</p></Empty> : <UsesTable label="Reads" uses={d.reads} />}
      </section>
    </section>
  )
}

/** A table of the events that wrote (or read) a dataset, each with the person behind its run. */
function UsesTable(props: { label: string; uses: LineageDatasetUse[] }) {
  return (
    <table className="grid" aria-label={props.label}>
      <thead>
        <tr><th scope="col">When</th><th scope="col">Person</th><th scope="col">DAG / run</th><th scope="col">Task</th><th scope="col">Event</th><th scope="col">Via</th><th scope="col">Policies</th><th scope="col">Approvals</th></tr>
      </thead>
      <tbody>
        {props.uses.map((u) => {
          const who = u.startedBy
          return (
            <tr key={`${u.eventTime}\n${u.job}\n${u.eventType ?? ''}\n${u.airflowRunId ?? ''}`} data-use={u.airflowRunId ?? u.job}>
              <td><Time value={u.eventTime} /></td>
              <td data-testid="use-person">
                {who
                  ? <><strong>{who.principal.id}</strong> <span className="muted small">({who.principal.type})</span>{who.reason && <div className="muted small">“{who.reason}”</div>}</>
                  : <span className="muted">not started through Conductor</span>}
              </td>
              <td>
                {u.dagId ?? <span className="muted">—</span>} <span className="muted small">in {u.environment}</span>
                {u.dagId && u.airflowRunId && <div><Link href={runPath(u.environment, u.dagId, u.airflowRunId)}><code className="run-id">{u.airflowRunId}</code></Link></div>}
              </td>
              <td><code>{u.dagId && u.job.startsWith(`${u.dagId}.`) ? u.job.slice(u.dagId.length + 1) : u.job}</code></td>
              <td><StateBadge state={eventState(u.eventType)} /></td>
              <td>{who ? <>{who.via}{who.tool ? ` (${who.tool})` : ''}</> : <span className="muted">—</span>}</td>
              <td>{who?.policyIds.length ? who.policyIds.map((p) => <code key={p} className="pill">{p}</code>) : <span className="muted">—</span>}</td>
              <td>{who?.approvals.length ? who.approvals.map((a) => <span key={`${a.by}${a.at}`}>{a.by} <span className="muted small">(<Time value={a.at} />)</span> </span>) : <span className="muted">—</span>}</td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}
