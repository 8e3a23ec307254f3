import { useState } from 'react'
import { api, query, type EnvironmentList, type ShadowList } from '../api.ts'
import { replaceSearch } from '../router.tsx'
import { Empty, ErrorBox, Loading, PageHeader, Time, useApi } from '../ui.tsx'

const KINDS = ['run', 'pause', 'clear', 'mark', 'unowned_schedule'] as const
const KIND_LABELS: Record<(typeof KINDS)[number], string> = {
  run: 'Runs started in Airflow', pause: 'Pauses and unpauses', clear: 'Clears', mark: 'Marked success/failed', unowned_schedule: 'Scheduled runs of unowned DAGs',
}

/** Shadow activity: what was done in an environment behind Conductor's back, with counts per kind (audit:read). */
export function ShadowPage(props: { search: URLSearchParams }) {
  const [filter, setFilter] = useState({ environment: props.search.get('environment') ?? '', kind: props.search.get('kind') ?? '' })
  const { environment, kind } = filter
  const envs = useApi('environments', (signal) => api<EnvironmentList>('/environments', { signal }))
  const filters = { environment: environment || undefined, kind: kind || undefined, limit: 200 }
  const list = useApi(`shadow:${environment}:${kind}`, (signal) => api<ShadowList>(`/shadow${query(filters)}`, { signal }))
  const choose = (next: { environment?: string; kind?: string }) => {
    setFilter({ ...filter, ...next })
    replaceSearch({ ...filter, ...next })
  }

  return (
    <section>
      <PageHeader title="Shadow activity">
        <p className="lead">
          What was done in Airflow without Conductor — runs started there, pauses, clears and marks by other users, scheduled runs
          of DAGs no known person owns — found at each catalog sync. Newest first.
        </p>
      </PageHeader>
      <form className="filters" aria-label="Filter shadow activity" onSubmit={(e) => e.preventDefault()}>
        <label>Environment
          <select value={environment} onChange={(e) => choose({ environment: e.target.value })}>
            <option value="">all</option>
            {(envs.data?.environments ?? []).map((env) => <option key={env.name} value={env.name}>{env.name}</option>)}
          </select>
        </label>
        <label>Kind
          <select value={kind} onChange={(e) => choose({ kind: e.target.value })}>
            <option value="">any</option>
            {KINDS.map((k) => <option key={k} value={k}>{KIND_LABELS[k]}</option>)}
          </select>
        </label>
      </form>

      {list.loading && !list.data && <Loading what="shadow activity" />}
      {list.error != null && <ErrorBox title="Shadow activity could not be read (it needs audit:read)." error={list.error} onRetry={() => list.reload()} />}
      {list.data && (
        <ul className="counts" aria-label="Counts per kind">
          {KINDS.map((k) => <li key={k}><strong data-kind={k}>{list.data!.counts[k]}</strong> {KIND_LABELS[k]}</li>)}
        </ul>
      )}
      {list.data && list.data.items.length === 0 && (
        <Empty><p><strong>Nothing done behind Conductor's back{environment ? ` in ${environment}` : ''}.</strong> Activity is looked for at each catalog sync.</p></Empty>
      )}
      {list.data && list.data.items.length > 0 && (
        <table className="grid" aria-label="Shadow activity">
          <thead><tr><th scope="col">Found</th><th scope="col">Severity</th><th scope="col">Kind</th><th scope="col">Environment</th><th scope="col">DAG and run</th><th scope="col">By (in Airflow)</th><th scope="col">Happened</th><th scope="col">Details</th></tr></thead>
          <tbody>
            {list.data.items.map((item) => (
              <tr key={`${item.environment}:${item.key}`}>
                <td><Time value={item.detectedAt} /></td>
                <td><span className={`pill severity-${item.severity}`}>{item.severity}</span></td>
                <td><code>{item.kind}</code></td>
                <td>{item.environment}</td>
                <td>{item.dagId ?? <span className="muted">—</span>}{item.runId && <> / <code>{item.runId}</code></>}</td>
                <td>{item.actor ?? <span className="muted">unknown</span>}</td>
                <td><Time value={item.occurredAt} /></td>
                <td><details><summary>data</summary><pre className="code small">{JSON.stringify(item.detail, null, 2)}</pre></details></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}
