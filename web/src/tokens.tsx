import { useId, useState, type FormEvent } from 'react'
import { CONDUCTOR_ACTIONS, api, type AccessToken, type AccessTokenCreated, type AccessTokenList, type CredentialScope, type EnvironmentList } from './api.ts'
import { Empty, ErrorBox, Loading, Relative, RevokeButton, StateBadge, Time, errorField, useApi } from './ui.tsx'

/** How many days a new token lives unless the person says otherwise. */
const DEFAULT_DAYS = 30

/**
 * A list of API tokens (never their secrets) with Revoke, and a form that creates one: the new token is shown once,
 * with a copy button, and only held by this component until the person closes it or leaves the page.
 * `path` is where the tokens are listed and created (`/tokens` for the person's own, `/service-accounts/{name}/tokens`).
 */
export function ApiTokens(props: { path: string; title: string; for: string; canCreate: boolean; cannotCreate?: string }) {
  const id = useId()
  const tokens = useApi(`tokens:${props.path}`, (signal) => api<AccessTokenList>(props.path, { signal }))
  const [created, setCreated] = useState<AccessTokenCreated | null>(null)
  return (
    <section aria-labelledby={`${id}-h`}>
      <div className="section-head">
        <h2 id={`${id}-h`}>{props.title}</h2>
        <button type="button" onClick={() => tokens.reload()} disabled={tokens.loading}>Refresh</button>
      </div>
      {created && <NewToken created={created} onDone={() => setCreated(null)} />}
      {tokens.loading && !tokens.data && <Loading what="the tokens" />}
      {tokens.error != null && <ErrorBox title="The tokens could not be loaded." error={tokens.error} onRetry={() => tokens.reload()} />}
      {tokens.data && tokens.data.tokens.length === 0 && <Empty><p><strong>No API token yet.</strong> {props.canCreate ? 'Create one below.' : null}</p></Empty>}
      {tokens.data && tokens.data.tokens.length > 0 && <TokensTable label={props.title} tokens={tokens.data.tokens} onChanged={() => tokens.reload(true)} />}
      {props.canCreate
        ? <CreateTokenForm path={props.path} for={props.for} onCreated={(answer) => { setCreated(answer); tokens.reload(true) }} />
        : props.cannotCreate && <p className="muted">{props.cannotCreate}</p>}
    </section>
  )
}

/** The token just created: shown this once, with a copy button. */
function NewToken(props: { created: AccessTokenCreated; onDone(): void }) {
  const id = useId()
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null)
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.created.token)
      setCopied('yes')
    } catch {
      setCopied('failed')
    }
  }
  return (
    <div className="secret" role="region" aria-labelledby={`${id}-h`}>
      <p id={`${id}-h`}><strong>New token &ldquo;{props.created.accessToken.name}&rdquo;: copy it now, you will not see it again.</strong></p>
      <code className="token" data-testid="new-token">{props.created.token}</code>
      <p className="small">Conductor keeps only a hash of it. Send it as <code>Authorization: Bearer …</code>; it expires <Time value={props.created.accessToken.expiresAt} />.</p>
      <div className="form-actions">
        <button type="button" className="primary" onClick={() => void copy()}>Copy token</button>
        <button type="button" onClick={props.onDone}>I have stored it</button>
        {copied === 'yes' && <span role="status" className="ok">Copied to the clipboard.</span>}
        {copied === 'failed' && <span role="status">The browser did not allow copying: select the token and copy it by hand.</span>}
      </div>
    </div>
  )
}

/** A token's scope in words. */
export function ScopeText(props: { scope: CredentialScope }) {
  const { actions, environments } = props.scope
  if (actions === null && environments === null) return <span className="muted">whatever policy allows</span>
  return (
    <span>
      {actions === null ? <span className="muted">any action</span> : actions.map((a) => <code key={a} className="pill">{a}</code>)}
      {' in '}
      {environments === null ? <span className="muted">every environment</span> : environments.map((e) => <span key={e} className="pill">{e}</span>)}
    </span>
  )
}

function TokensTable(props: { label: string; tokens: AccessToken[]; onChanged(): void }) {
  return (
    <table className="grid" aria-label={props.label}>
      <thead><tr><th scope="col">Name</th><th scope="col">Scope</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Last used</th><th scope="col">State</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
      <tbody>
        {props.tokens.map((t) => (
          <tr key={t.id} data-token={t.name}>
            <td><strong>{t.name}</strong> <span className="muted small"><code>{t.id}</code></span></td>
            <td><ScopeText scope={t.scope} /></td>
            <td><Time value={t.createdAt} /><br /><span className="muted small">by {t.createdBy}</span></td>
            <td><Relative value={t.expiresAt} /></td>
            <td data-testid="last-used">{t.lastUsedAt ? <Relative value={t.lastUsedAt} /> : <span className="muted">never</span>}</td>
            <td data-testid="token-state">
              <StateBadge state={t.state} />
              {t.revokedAt && <span className="muted small"> <Relative value={t.revokedAt} />{t.revokedReason ? `: ${t.revokedReason}` : ''}</span>}
            </td>
            <td>{t.state === 'active' && <RevokeButton path={`/tokens/${encodeURIComponent(t.id)}/revoke`} body={{ reason: 'revoked in the console' }} label={`Revoke token ${t.name}`} failed="The token was not revoked." onRevoked={props.onChanged} />}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function CreateTokenForm(props: { path: string; for: string; onCreated(answer: AccessTokenCreated): void }) {
  const id = useId()
  const environments = useApi('token-environments', (signal) => api<EnvironmentList>('/environments', { signal }))
  const [name, setName] = useState('')
  const [days, setDays] = useState(String(DEFAULT_DAYS))
  const [actions, setActions] = useState<string[]>([])
  const [envs, setEnvs] = useState<string[]>([])
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const daysNumber = Number(days)
  const valid = name.trim() !== '' && Number.isInteger(daysNumber) && daysNumber >= 1
  const field = errorField(error)

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (!valid || busy) return
    setBusy(true)
    setError(null)
    try {
      const answer = await api<AccessTokenCreated>(props.path, {
        method: 'POST',
        body: { name: name.trim(), expiresInDays: daysNumber, ...(actions.length ? { actions } : {}), ...(envs.length ? { environments: envs } : {}) },
      })
      setName('')
      setActions([])
      setEnvs([])
      props.onCreated(answer)
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }

  const selected = (select: HTMLSelectElement) => Array.from(select.selectedOptions, (o) => o.value)
  return (
    <form className="panel" onSubmit={(e) => void submit(e)} aria-labelledby={`${id}-h`} noValidate>
      <h3 id={`${id}-h`}>Create token</h3>
      <p className="muted small">A bearer token that acts as {props.for}, for scripts and tools. It is shown once. Leave actions and environments empty for whatever policy allows (Ctrl- or ⌘-click picks several).</p>
      <div className="form-grid">
        <label htmlFor={`${id}-name`}>Token name<input id={`${id}-name`} type="text" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} placeholder="e.g. ci" aria-invalid={field === 'name' || undefined} /></label>
        <label htmlFor={`${id}-days`}>Expires in days<input id={`${id}-days`} type="number" min={1} step={1} value={days} onChange={(e) => setDays(e.target.value)} aria-invalid={field === 'expiresInDays' || undefined} /></label>
        <label htmlFor={`${id}-actions`}>Only these actions (optional)
          <select id={`${id}-actions`} multiple size={5} value={actions} onChange={(e) => setActions(selected(e.target))} aria-invalid={field === 'actions' || undefined}>
            {CONDUCTOR_ACTIONS.map((a) => <option key={a} value={a}>{a}</option>)}
          </select>
        </label>
        <label htmlFor={`${id}-envs`}>Only these environments (optional)
          <select id={`${id}-envs`} multiple size={5} value={envs} onChange={(e) => setEnvs(selected(e.target))} aria-invalid={field === 'environments' || undefined}>
            {(environments.data?.environments ?? []).map((e) => <option key={e.name} value={e.name}>{e.name}</option>)}
          </select>
        </label>
      </div>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={!valid || busy}>{busy ? 'Creating…' : 'Create token'}</button>
      </div>
      {error != null && <ErrorBox title="The token was not created." error={error} />}
    </form>
  )
}
