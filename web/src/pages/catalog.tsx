import { useMemo, useState } from 'react'
import { api, type DagList, type EnvironmentList } from '../api.ts'
import { Link, replaceSearch } from '../router.tsx'
import { Empty, ErrorBox, Loading, PageHeader, Permissions, useApi } from '../ui.tsx'

const FILTERS = ['q', 'environment', 'zone', 'team', 'tag', 'owner', 'paused'] as const
type Filters = Record<(typeof FILTERS)[number], string>

/** The DAG catalog across every environment, with search, filters and what the person may do with each DAG. */
export function CatalogPage(props: { search: URLSearchParams }) {
  const [filters, setFilters] = useState<Filters>(() => {
    const initial = {} as Filters
    for (const key of FILTERS) initial[key] = props.search.get(key) ?? ''
    return initial
  })
  const dags = useApi('dags', (signal) => api<DagList>('/dags', { signal }))
  const envs = useApi('environments', (signal) => api<EnvironmentList>('/environments', { signal }))
  const zoneOf = useMemo(() => new Map((envs.data?.environments ?? []).map((e) => [e.name, e.zone])), [envs.data])
  const envTeamOf = useMemo(() => new Map((envs.data?.environments ?? []).map((e) => [e.name, e.team])), [envs.data])
  // A DAG's team: its own in Airflow (multi-team), else its environment's owning team (as the API's `team` filter).
  const teamOf = (d: { environment: string; team: string | null }) => d.team ?? envTeamOf.get(d.environment) ?? null

  const all = dags.data?.dags ?? []
  const options = useMemo(() => ({
    environment: [...new Set(all.map((d) => d.environment))].sort(),
    zone: [...new Set(all.map((d) => zoneOf.get(d.environment)).filter((z): z is string => !!z))].sort(),
    team: [...new Set(all.map((d) => d.team ?? envTeamOf.get(d.environment)).filter((t): t is string => !!t))].sort(),
    tag: [...new Set(all.flatMap((d) => d.tags))].sort(),
    owner: [...new Set(all.flatMap((d) => d.owners))].sort(),
  }), [all, zoneOf, envTeamOf])

  const set = (key: keyof Filters, value: string) => {
    const next = { ...filters, [key]: value }
    setFilters(next)
    replaceSearch(next)
  }
  const q = filters.q.trim().toLowerCase()
  const shown = all.filter((d) =>
    (!q || d.dagId.toLowerCase().includes(q) || (d.description ?? '').toLowerCase().includes(q)) &&
    (!filters.environment || d.environment === filters.environment) &&
    (!filters.zone || zoneOf.get(d.environment) === filters.zone) &&
    (!filters.team || teamOf(d) === filters.team) &&
    (!filters.tag || d.tags.includes(filters.tag)) &&
    (!filters.owner || d.owners.includes(filters.owner)) &&
    (!filters.paused || String(d.paused) === filters.paused))
  const filtered = FILTERS.some((k) => filters[k])

  return (
    <section>
      <PageHeader title="DAG catalog">
        <p className="lead">Every DAG you may read, across all environments, and what policy lets <em>you</em> do with it.</p>
      </PageHeader>
      <form className="filters" role="search" onSubmit={(e) => e.preventDefault()} aria-label="Filter DAGs">
        <label>Search<input type="search" value={filters.q} placeholder="DAG id or description" onChange={(e) => set('q', e.target.value)} /></label>
        <Select label="Environment" value={filters.environment} options={options.environment} onChange={(v) => set('environment', v)} />
        <Select label="Zone" value={filters.zone} options={options.zone} onChange={(v) => set('zone', v)} />
        <Select label="Team" value={filters.team} options={options.team} onChange={(v) => set('team', v)} />
        <Select label="Tag" value={filters.tag} options={options.tag} onChange={(v) => set('tag', v)} />
        <Select label="Owner" value={filters.owner} options={options.owner} onChange={(v) => set('owner', v)} />
        <label>Paused
          <select value={filters.paused} onChange={(e) => set('paused', e.target.value)}>
            <option value="">any</option><option value="false">active only</option><option value="true">paused only</option>
          </select>
        </label>
        <button type="button" onClick={() => dags.reload()} disabled={dags.loading}>Refresh</button>
        {filtered && <button type="button" className="link" onClick={() => { const none = { q: '', environment: '', zone: '', team: '', tag: '', owner: '', paused: '' }; setFilters(none); replaceSearch(none) }}>Clear filters</button>}
      </form>
      {dags.loading && !dags.data && <Loading what="the catalog" />}
      {dags.error != null && <ErrorBox title="The catalog could not be loaded." error={dags.error} onRetry={() => dags.reload()} />}
      {dags.data && all.length === 0 && (
        <Empty><p><strong>No DAGs you may read.</strong> The catalog shows only DAGs policy lets you read (<code>dag:read</code>), and it fills
          after the first sync with each environment. Check the environments&apos; last sync on the <Link href="/">home page</Link>, or ask to join a group that may read DAGs.</p></Empty>
      )}
      {dags.data && all.length > 0 && shown.length === 0 && (
        <Empty><p><strong>No DAG matches these filters.</strong> Clear a filter or search for part of the DAG id.</p></Empty>
      )}
      {shown.length > 0 && (
        <>
          <p className="muted small" role="status">{shown.length} of {all.length} DAGs</p>
          <table className="grid">
            <thead>
              <tr><th scope="col">DAG</th><th scope="col">Environment</th><th scope="col">Zone</th><th scope="col">Team</th><th scope="col">Tags</th><th scope="col">Owners</th><th scope="col">Schedule</th><th scope="col">You may</th></tr>
            </thead>
            <tbody>
              {shown.map((d) => (
                <tr key={`${d.environment}/${d.dagId}`} data-dag={d.dagId}>
                  <td>
                    <Link href={`/environments/${encodeURIComponent(d.environment)}/dags/${encodeURIComponent(d.dagId)}`}><strong>{d.dagId}</strong></Link>
                    {d.paused && <span className="pill paused">paused</span>}
                    {d.description && <div className="muted small">{d.description}</div>}
                  </td>
                  <td>{d.environment}</td>
                  <td>{zoneOf.get(d.environment) ?? <span className="muted">—</span>}</td>
                  <td>{teamOf(d) ?? <span className="muted">—</span>}</td>
                  <td>{d.tags.map((t) => <span key={t} className="pill">{t}</span>)}</td>
                  <td>{d.owners.join(', ')}</td>
                  <td>
                    <code>{d.schedule ?? 'manual'}</code>
                    {d.allowedRunTypes && !d.allowedRunTypes.includes('manual') && <div className="muted small" title={`Airflow allows: ${d.allowedRunTypes.join(', ')}`}>no manual runs</div>}
                  </td>
                  <td><Permissions dag={d} compact /></td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted small">Hover over an action for the policy behind it; the DAG page explains each decision.</p>
        </>
      )}
    </section>
  )
}

function Select(props: { label: string; value: string; options: string[]; onChange(value: string): void }) {
  return (
    <label>{props.label}
      <select value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        <option value="">all</option>
        {props.value && !props.options.includes(props.value) && <option value={props.value}>{props.value}</option>}
        {props.options.map((o) => <option key={o} value={o}>{o}</option>)}
      </select>
    </label>
  )
}
