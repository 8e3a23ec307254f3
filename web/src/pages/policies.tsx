import { api, type PolicySetView } from '../api.ts'
import { Empty, ErrorBox, Loading, PageHeader, Time, useApi } from '../ui.tsx'

/** The loaded policy set, read-only: version, validation status and every policy's text. */
export function PoliciesPage() {
  const set = useApi('policies', (signal) => api<PolicySetView>('/policies', { signal }))
  const p = set.data
  return (
    <section>
      <PageHeader title="Policies">
        <p className="lead">The Cedar policies Conductor decides with, as loaded now. They are changed in the policy folder, not here; default deny.</p>
      </PageHeader>
      <div className="toolbar"><button type="button" onClick={() => set.reload()} disabled={set.loading}>Refresh</button></div>
      {set.loading && !p && <Loading what="the policy set" />}
      {set.error != null && <ErrorBox title="The policy set could not be loaded." error={set.error} onRetry={() => set.reload()} />}
      {p && (
        <>
          <dl className="facts inline">
            <dt>Version</dt><dd><strong>{String(p.version)}</strong></dd>
            <dt>Hash</dt><dd><code title={p.hash}>{p.hash.slice(0, 16)}…</code></dd>
            <dt>Loaded</dt><dd><Time value={p.loadedAt} /></dd>
            <dt>Policies</dt><dd>{p.policyCount} in {p.files.length} file{p.files.length === 1 ? '' : 's'}</dd>
            <dt>Validation</dt><dd>{p.lastReloadError === null
              ? <span className="health ok">valid</span>
              : <span className="health bad">last reload refused</span>}</dd>
          </dl>
          {p.lastReloadError && (
            <div className="error" role="alert">
              <p><strong>The last reload was refused; the set below stays in force.</strong> {p.lastReloadError.file}
                {p.lastReloadError.line !== null ? `:${p.lastReloadError.line}` : ''}: {p.lastReloadError.message}</p>
              <p>Fix the file; Conductor reads the folder again by itself.</p>
            </div>
          )}
          {p.policies.length === 0
            ? <Empty><p><strong>No policies are loaded</strong>, so every action is denied. Add <code>.cedar</code> files to the policy folder.</p></Empty>
            : p.policies.map((policy) => (
              <article key={`${policy.file}:${policy.id}`} className="policy" aria-labelledby={`policy-${policy.id}`}>
                <h2 id={`policy-${policy.id}`}><code>{policy.id}</code> <span className={`pill ${policy.effect === 'forbid' ? 'forbid' : 'permit'}`}>{policy.effect}</span></h2>
                <p className="muted small">{policy.file}{policy.line !== null ? `:${policy.line}` : ''}</p>
                <pre className="code">{policy.text}</pre>
              </article>
            ))}
        </>
      )}
    </section>
  )
}
