import { useState, type FormEvent } from 'react'
import { api, query, type AuditEvent, type AuditPage, type VerifyResult } from '../api.ts'
import { replaceSearch } from '../router.tsx'
import { Empty, ErrorBox, Loading, PageHeader, Time, useApi } from '../ui.tsx'

const FIELDS = ['principal', 'environment', 'dag', 'action', 'decision', 'type', 'from', 'to'] as const
type Filters = Record<(typeof FIELDS)[number], string>
const PAGE = 100

function toApiFilters(f: Filters): Record<string, string> {
  const out: Record<string, string> = {}
  for (const key of FIELDS) {
    const value = f[key].trim()
    if (!value) continue
    if (key === 'from' || key === 'to') {
      const date = new Date(value)
      if (!Number.isNaN(date.getTime())) out[key] = date.toISOString()
    } else {
      out[key] = value
    }
  }
  return out
}

/** The audit explorer: filtered events with their decisions and policies, the chain's integrity, and exports. */
export function AuditPage(props: { search: URLSearchParams }) {
  const [draft, setDraft] = useState<Filters>(() => {
    const initial = {} as Filters
    for (const key of FIELDS) initial[key] = props.search.get(key) ?? ''
    return initial
  })
  const [applied, setApplied] = useState<Filters>(draft)
  const apiFilters = toApiFilters(applied)
  const filterKey = JSON.stringify(apiFilters)
  const [more, setMore] = useState<{ key: string; events: AuditEvent[]; next: number | null; loading: boolean; error: unknown } | null>(null)
  const first = useApi(`audit:${filterKey}`, (signal) => api<{ events: AuditEvent[]; nextAfterSeq: number | null }>(`/audit${query({ ...apiFilters, limit: PAGE })}`, { signal }))
  const verify = useApi('audit-verify', (signal) => api<VerifyResult>('/audit/verify', { signal }))

  const extra = more && more.key === filterKey ? more : null
  const events = [...(first.data?.events ?? []), ...(extra?.events ?? [])]
  const next = extra ? extra.next : first.data?.nextAfterSeq ?? null

  const apply = (event: FormEvent) => {
    event.preventDefault()
    setApplied(draft)
    setMore(null)
    replaceSearch(draft)
  }
  const clear = () => {
    const none = { principal: '', environment: '', dag: '', action: '', decision: '', type: '', from: '', to: '' }
    setDraft(none)
    setApplied(none)
    setMore(null)
    replaceSearch(none)
  }
  const loadMore = async () => {
    if (next === null) return
    setMore({ key: filterKey, events: extra?.events ?? [], next, loading: true, error: null })
    try {
      const page = await api<{ events: AuditEvent[]; nextAfterSeq: number | null }>(`/audit${query({ ...apiFilters, afterSeq: next, limit: PAGE })}`)
      setMore({ key: filterKey, events: [...(extra?.events ?? []), ...page.events], next: page.nextAfterSeq, loading: false, error: null })
    } catch (error) {
      setMore({ key: filterKey, events: extra?.events ?? [], next, loading: false, error })
    }
  }
  const field = (key: keyof Filters, label: string, placeholder = '') => (
    <label>{label}<input type="text" value={draft[key]} placeholder={placeholder} onChange={(e) => setDraft({ ...draft, [key]: e.target.value })} /></label>
  )
  const exportQuery = (format: string) => `/api/v1/audit/export${query({ format, ...apiFilters })}`

  return (
    <section>
      <PageHeader title="Audit trail">
        <p className="lead">Every authentication, decision, dispatch and Airflow answer, hash-chained. Oldest first.</p>
      </PageHeader>
      <IntegrityBadge verify={verify.data} loading={verify.loading} error={verify.error} onCheck={() => verify.reload()} />

      <form className="filters" onSubmit={apply} aria-label="Filter audit events">
        {field('principal', 'Person', 'e.g. alice')}
        {field('environment', 'Environment')}
        {field('dag', 'DAG')}
        {field('action', 'Action', 'e.g. dag:trigger')}
        <label>Decision
          <select value={draft.decision} onChange={(e) => setDraft({ ...draft, decision: e.target.value })}>
            <option value="">any</option><option value="allow">allow</option><option value="deny">deny</option>
          </select>
        </label>
        {field('type', 'Event type', 'e.g. authz.decision')}
        <label>From<input type="datetime-local" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} /></label>
        <label>To<input type="datetime-local" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} /></label>
        <button type="submit" className="primary">Apply filters</button>
        <button type="button" className="link" onClick={clear}>Clear</button>
      </form>
      <p className="exports">Export these events: <a href={exportQuery('csv')} download>CSV</a> · <a href={exportQuery('json')} download>JSON</a></p>

      {first.loading && !first.data && <Loading what="audit events" />}
      {first.error != null && <ErrorBox title="The audit trail could not be read." error={first.error} onRetry={() => first.reload()} />}
      {first.data && events.length === 0 && (
        <Empty><p><strong>No audit event matches these filters.</strong> Widen the time range, or clear a filter (the person filter matches the exact principal id).</p></Empty>
      )}
      {events.length > 0 && (
        <>
          <table className="grid audit" aria-label="Audit events">
            <thead><tr><th scope="col">Seq</th><th scope="col">At</th><th scope="col">Event</th><th scope="col">Who</th><th scope="col">Action and target</th><th scope="col">Decision</th><th scope="col">Policies</th><th scope="col">Details</th></tr></thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.seq} data-seq={e.seq}>
                  <td>{e.seq}</td>
                  <td><Time value={e.at} /></td>
                  <td><code>{e.type}</code></td>
                  <td>{e.principal ?? <span className="muted">—</span>}{e.principalType && <span className="muted small"> ({e.principalType})</span>}</td>
                  <td>{e.action && <code>{e.action}</code>} {[e.environment, e.dag].filter(Boolean).join('/')}</td>
                  <td>{e.decision ? <span className={`pill ${e.decision}`}>{e.decision}</span> : <span className="muted">—</span>}</td>
                  <td>{e.policyIds.length ? e.policyIds.join(', ') : <span className="muted">—</span>}</td>
                  <td>
                    <details>
                      <summary>{e.requestId ? <>request <code>{e.requestId.slice(0, 10)}…</code></> : 'data'}</summary>
                      <pre className="code small">{JSON.stringify({ requestId: e.requestId, data: e.data, hash: e.hash, prevHash: e.prevHash }, null, 2)}</pre>
                    </details>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="form-actions">
            {next !== null && <button type="button" onClick={() => void loadMore()} disabled={extra?.loading}>{extra?.loading ? 'Loading…' : `Load ${PAGE} more`}</button>}
            <span className="muted small">{events.length} event{events.length === 1 ? '' : 's'}{next === null ? ', all that match' : ''}</span>
          </div>
          {extra?.error != null && <ErrorBox title="More events could not be read." error={extra.error} />}
        </>
      )}
    </section>
  )
}

function IntegrityBadge(props: { verify: VerifyResult | null; loading: boolean; error: unknown; onCheck(): void }) {
  const v = props.verify
  return (
    <div className="integrity" role="status" aria-live="polite">
      {props.loading && !v && <Loading what="the chain check" />}
      {v && v.ok && <span className="badge ok">✓ Chain verified: {v.count} events, up to seq {v.lastSeq}</span>}
      {v && !v.ok && <span className="badge bad">✕ Chain BROKEN at seq {v.firstBadSeq}: {v.reason} ({v.count} events check out before it)</span>}
      {props.error != null && !props.loading && <ErrorBox title="The chain could not be verified." error={props.error} />}
      <button type="button" onClick={props.onCheck} disabled={props.loading}>{props.loading ? 'Verifying…' : 'Verify again'}</button>
    </div>
  )
}
