import { useId, useState, type ChangeEvent, type FormEvent } from 'react'
import { api, type PolicyImpactView, type PolicySetView } from '../api.ts'
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
          <CheckChange />
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

type ImpactTarget = PolicyImpactView['principals'][number]['actions'][number]['gains'][number]

function targetText(t: ImpactTarget): string {
  if (t.environment === null) return 'Conductor'
  return t.dagId === null ? t.environment : `${t.environment}/${t.dagId}`
}

/**
 * "Check a change": a policy file (pasted or uploaded) laid over the loaded set, and who would gain and who would lose
 * which actions on which DAGs and environments (`POST /policies/impact`, policy:write or audit:read).
 */
export function CheckChange() {
  const id = useId()
  const [file, setFile] = useState('')
  const [text, setText] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const [impact, setImpact] = useState<PolicyImpactView | null>(null)
  const name = file.trim() === '' ? '' : file.trim().endsWith('.cedar') ? file.trim() : `${file.trim()}.cedar`

  async function upload(e: ChangeEvent<HTMLInputElement>) {
    const chosen = e.target.files?.[0]
    if (!chosen) return
    setFile(chosen.name)
    setText(await chosen.text())
  }

  async function submit(e: FormEvent) {
    e.preventDefault()
    setBusy(true)
    setError(null)
    setImpact(null)
    try {
      setImpact(await api<PolicyImpactView>('/policies/impact', { method: 'POST', body: { files: { [name]: text } } }))
    } catch (caught) {
      setError(caught)
    } finally {
      setBusy(false)
    }
  }

  return (
    <section className="panel" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Check a change</h2>
      <p className="muted small">
        Paste or upload a policy file: a new name adds it, the name of a loaded file replaces that file, empty text removes it.
        Nothing changes here; you see who would gain and who would lose what. Needs policy:write or audit:read.
      </p>
      <form onSubmit={(e) => void submit(e)} aria-label="Check a policy change" noValidate>
        <label htmlFor={`${id}-file`}>File name<input id={`${id}-file`} type="text" value={file} onChange={(e) => setFile(e.target.value)} placeholder="e.g. analysts.cedar" /></label>
        <label htmlFor={`${id}-upload`}>Or upload<input id={`${id}-upload`} type="file" accept=".cedar,text/plain" onChange={(e) => void upload(e)} /></label>
        <label htmlFor={`${id}-text`}>Policy text<textarea id={`${id}-text`} rows={10} className="code" value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} /></label>
        <button type="submit" className="primary" disabled={name === '' || busy}>{busy ? 'Checking…' : 'Check the change'}</button>
      </form>
      {error != null && <ErrorBox title="The change could not be checked." error={error} />}
      {impact && <ImpactList impact={impact} />}
    </section>
  )
}

function ImpactList(props: { impact: PolicyImpactView }) {
  const { impact } = props
  const c = impact.counts
  return (
    <div role="status" aria-label="Impact of the change">
      <p><strong>{c.gains} gain{c.gains === 1 ? '' : 's'}, {c.losses} loss{c.losses === 1 ? '' : 'es'}</strong> for {impact.principals.length} principal{impact.principals.length === 1 ? '' : 's'}
        {' '}(of {c.principals} seen, over {c.dags} DAGs in {c.environments} environment{c.environments === 1 ? '' : 's'}; compared with version {impact.policyVersion}).
        {impact.truncated && ' The list is cut short.'}</p>
      {impact.principals.length === 0 && <p>No one gains or loses anything.</p>}
      {impact.principals.map((p) => (
        <article key={`${p.type}:${p.id}`} className="impact">
          <h3>{p.id} <span className="muted small">{p.type}{p.groups.length ? ` · ${p.groups.join(', ')}` : ''}</span></h3>
          <ul>
            {p.actions.flatMap((a) => [
              ...(a.gains.length ? [<li key={`${a.action}+`} className="gain"><span className="pill permit">gains</span> <code>{a.action}</code> on {a.gains.map(targetText).join(', ')}</li>] : []),
              ...(a.losses.length ? [<li key={`${a.action}-`} className="loss"><span className="pill forbid">loses</span> <code>{a.action}</code> on {a.losses.map(targetText).join(', ')}</li>] : []),
            ])}
          </ul>
        </article>
      ))}
    </div>
  )
}
