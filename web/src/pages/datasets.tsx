import { useEffect, useState } from 'react'
import { api, query, type LineageDatasetList } from '../api.ts'
import { DatasetLink } from '../lineage.tsx'
import { replaceSearch } from '../router.tsx'
import { Empty, ErrorBox, Loading, PageHeader, Time, useApi } from '../ui.tsx'

/** How long typing pauses before the search is sent. */
const SEARCH_DELAY_MS = 250

/** The datasets seen in the lineage the person may read, newest write first, with a search box and paging. */
export function DatasetsPage(props: { search: URLSearchParams }) {
  const [text, setText] = useState(() => props.search.get('q') ?? '')
  const [q, setQ] = useState(text.trim())
  const [cursors, setCursors] = useState<string[]>([])
  useEffect(() => {
    const timer = setTimeout(() => {
      setQ(text.trim())
      setCursors([])
      replaceSearch({ q: text.trim() })
    }, SEARCH_DELAY_MS)
    return () => clearTimeout(timer)
  }, [text])
  const cursor = cursors.at(-1)
  const path = `/lineage/datasets${query({ q, cursor, limit: 50 })}`
  const list = useApi(`datasets:${path}`, (signal) => api<LineageDatasetList>(path, { signal }))
  const data = list.data

  return (
    <section>
      <PageHeader title="Lineage">
        <p className="lead">The datasets Airflow&apos;s tasks read and wrote, newest write first. Open one to see who changed it, when, and through what.</p>
      </PageHeader>
      <form className="filters" role="search" onSubmit={(e) => e.preventDefault()} aria-label="Search datasets">
        <label>Search<input type="search" value={text} placeholder="namespace or name" onChange={(e) => setText(e.target.value)} /></label>
        <button type="button" onClick={() => list.reload()} disabled={list.loading}>Refresh</button>
      </form>
      {list.loading && !data && <Loading what="the datasets" />}
      {list.error != null && <ErrorBox title="The datasets could not be loaded." error={list.error} onRetry={() => list.reload()} />}
      {data && data.environments.length === 0 && (
        <Empty><p><strong>You may read no environment&apos;s lineage.</strong> Policy lets some groups read lineage (<code>lineage:read</code>); ask to join one.</p></Empty>
      )}
      {data && data.environments.length > 0 && data.datasets.length === 0 && (
        <Empty><p><strong>{q ? 'No dataset matches this search.' : 'No datasets yet.'}</strong> Datasets appear once Airflow&apos;s OpenLineage provider posts task events to Conductor (environments: {data.environments.join(', ')}).</p></Empty>
      )}
      {data && data.datasets.length > 0 && (
        <>
          <table className="grid" aria-label="Datasets">
            <thead><tr><th scope="col">Dataset</th><th scope="col">Namespace</th><th scope="col">Tags</th><th scope="col">Last written</th><th scope="col">Writes</th></tr></thead>
            <tbody>
              {data.datasets.map((d) => (
                <tr key={`${d.namespace}\n${d.name}`} data-dataset-row={d.name}>
                  <td><DatasetLink dataset={d} /></td>
                  <td><code>{d.namespace}</code></td>
                  <td>{d.tags.length ? d.tags.map((t) => <span key={t} className="pill">{t}</span>) : <span className="muted">—</span>}</td>
                  <td>{d.lastWrittenAt ? <Time value={d.lastWrittenAt} /> : <span className="muted">only read</span>}</td>
                  <td>{d.writes}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="form-actions">
            {cursors.length > 0 && <button type="button" onClick={() => setCursors((c) => c.slice(0, -1))}>Previous</button>}
            {data.nextCursor && <button type="button" onClick={() => setCursors((c) => [...c, data.nextCursor!])}>Next</button>}
            <span className="muted small">Lineage of {data.environments.join(', ')}</span>
          </div>
        </>
      )}
    </section>
  )
}
