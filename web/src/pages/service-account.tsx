import { useId, useState, type FormEvent } from 'react'
import { ApiError, api, type ServiceAccount, type ServiceAccountAnswer, type TrustRuleAnswer, type TrustRuleList, type TrustRuleView } from '../api.ts'
import { Link, navigate } from '../router.tsx'
import { ApiTokens } from '../tokens.tsx'
import { Empty, ErrorBox, Loading, PageHeader, StateBadge, Time, errorField, useApi } from '../ui.tsx'
import { ACCOUNT_HINTS, BudgetsField, OwnerText, ToolsField, budgetRows, budgetsOf, orderedTools, splitList } from './service-accounts.tsx'

/** One service account or agent: its facts, Disable / Enable / Delete, its API tokens and its trust rules. */
export function ServiceAccountPage(props: { name: string }) {
  const path = `/service-accounts/${encodeURIComponent(props.name)}`
  const account = useApi(`service-account:${props.name}`, (signal) => api<ServiceAccountAnswer>(path, { signal }))
  const crumbs = <><Link href="/service-accounts">Service accounts</Link> / {props.name}</>
  const hidden = account.error instanceof ApiError && (account.error.status === 404 || account.error.status === 403)
  if (account.loading && !account.data) return <section><PageHeader title={props.name} crumbs={crumbs} /><Loading what="the service account" /></section>
  if (hidden) {
    return (
      <section>
        <PageHeader title={props.name} crumbs={crumbs} />
        <Empty>
          <p><strong>You may not see or manage this service account, or it does not exist.</strong></p>
          <p>Service accounts are shown to the members of their owning group, their owner and platform administrators.</p>
        </Empty>
        <ErrorBox title="Conductor answered:" error={account.error} />
      </section>
    )
  }
  if (!account.data) {
    return <section><PageHeader title={props.name} crumbs={crumbs} /><ErrorBox title="The service account could not be loaded." error={account.error} onRetry={() => account.reload()} /></section>
  }
  const a = account.data.serviceAccount
  const changed = () => account.reload(true)
  return (
    <section>
      <PageHeader title={<>{a.name} <span data-testid="account-state"><StateBadge state={a.state} /></span></>} crumbs={crumbs}>
        <p className="lead">{a.description || <span className="muted">No description.</span>}</p>
      </PageHeader>
      <Facts account={a} />
      {a.state !== 'deleted' && <Manage account={a} path={path} onChanged={changed} />}
      {a.state !== 'deleted' && <Edit key={a.updatedAt} account={a} path={path} onChanged={changed} />}
      <ApiTokens
        path={`${path}/tokens`} title="API tokens" for={`${a.kind === 'agent' ? 'the agent' : 'the service account'} ${a.name}`}
        canCreate={a.state === 'active'} cannotCreate={`New tokens need the account to be active; it is ${a.state}.`}
      />
      {a.state !== 'deleted' && <TrustRules path={`${path}/trusts`} />}
    </section>
  )
}

function Facts(props: { account: ServiceAccount }) {
  const a = props.account
  return (
    <dl className="facts">
      <dt>Kind</dt><dd>{a.kind === 'agent' ? 'agent' : 'service account'} <span className="muted">(acts as a <code>{a.principalType}</code> principal)</span></dd>
      <dt>State</dt><dd><StateBadge state={a.state} />{a.disabledReason && <> <span data-testid="disabled-reason">{a.disabledReason}</span></>}</dd>
      <dt>Owner</dt><dd><OwnerText owner={a.owner} /></dd>
      <dt>Groups</dt><dd>{a.groups.length ? a.groups.map((g) => <span key={g} className="pill">{g}</span>) : <span className="muted">none</span>}</dd>
      {a.kind === 'agent' && (
        <>
          <dt>Sponsor</dt><dd data-testid="sponsor">{a.sponsor}</dd>
          <dt>Allowed tools</dt><dd>{a.tools.length ? a.tools.map((t) => <code key={t} className="pill">{t}</code>) : <span className="muted">every tool its policy allows</span>}</dd>
          <dt>Budgets</dt>
          <dd>{a.budgets.length
            ? <ul className="rows">{a.budgets.map((b) => <li key={b.action}><span><code>{b.action}</code>: at most {b.max} per {b.perHours === 1 ? 'hour' : `${b.perHours} hours`}</span></li>)}</ul>
            : <span className="muted">none</span>}</dd>
        </>
      )}
      <dt>Created</dt><dd><Time value={a.createdAt} /> <span className="muted">by {a.createdBy}</span></dd>
      <dt>Updated</dt><dd><Time value={a.updatedAt} /></dd>
    </dl>
  )
}

/** Disable (with a reason) or Enable, and Delete after a confirmation. */
function Manage(props: { account: ServiceAccount; path: string; onChanged(): void }) {
  const id = useId()
  const a = props.account
  const [reason, setReason] = useState('')
  const [confirming, setConfirming] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const run = async (what: () => Promise<unknown>, then: () => void) => {
    setBusy(true)
    setError(null)
    try {
      await what()
      then()
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }
  const disable = (event: FormEvent) => {
    event.preventDefault()
    if (reason.trim() === '' || busy) return
    void run(() => api(`${props.path}/disable`, { method: 'POST', body: { reason: reason.trim() } }), () => { setReason(''); props.onChanged() })
  }
  const enable = () => void run(() => api(`${props.path}/enable`, { method: 'POST', body: {} }), props.onChanged)
  const remove = () => void run(() => api(props.path, { method: 'DELETE' }), () => navigate(`/service-accounts?deleted=${encodeURIComponent(a.name)}`))
  return (
    <section className="panel danger-zone" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Manage</h2>
      {a.state === 'active' && (
        <form className="inline-form" onSubmit={disable} aria-label="Disable" noValidate>
          <label htmlFor={`${id}-reason`}>Reason for disabling<input id={`${id}-reason`} type="text" maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} placeholder="e.g. incident 4711" aria-invalid={errorField(error) === 'reason' || undefined} /></label>
          <button type="submit" className="danger" disabled={busy || reason.trim() === ''}>Disable</button>
        </form>
      )}
      {a.state === 'active' && <p className="muted small">Disabling stops its tokens at once; enabling lets them work again.</p>}
      {a.state === 'disabled' && (
        <div className="form-actions"><button type="button" className="primary" onClick={enable} disabled={busy}>Enable</button></div>
      )}
      {!confirming && <div className="form-actions"><button type="button" className="danger" onClick={() => setConfirming(true)} disabled={busy}>Delete…</button></div>}
      {confirming && (
        <div className="notice" role="alertdialog" aria-labelledby={`${id}-confirm`}>
          <p id={`${id}-confirm`}><strong>Delete {a.name} for good?</strong> Its tokens are revoked and its name can never be used again.</p>
          <div className="form-actions">
            <button type="button" className="danger" onClick={remove} disabled={busy}>{busy ? 'Deleting…' : `Delete ${a.name}`}</button>
            <button type="button" onClick={() => setConfirming(false)} disabled={busy}>Cancel</button>
          </div>
        </div>
      )}
      {error != null && <ErrorBox error={error} hints={ACCOUNT_HINTS} />}
    </section>
  )
}

/** Changes description, owner, groups, and an agent's sponsor, tools and budgets: only what was changed is sent. */
function Edit(props: { account: ServiceAccount; path: string; onChanged(): void }) {
  const id = useId()
  const a = props.account
  const [open, setOpen] = useState(false)
  const [description, setDescription] = useState(a.description)
  const [ownerType, setOwnerType] = useState(a.owner.type)
  const [ownerId, setOwnerId] = useState(a.owner.id)
  const [groups, setGroups] = useState(a.groups.join(', '))
  const [sponsor, setSponsor] = useState(a.sponsor ?? '')
  const [tools, setTools] = useState<string[]>(a.tools)
  const [budgets, setBudgets] = useState(() => budgetRows(a.budgets))
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const field = errorField(error)
  const invalid = (...names: string[]) => (field !== null && names.includes(field)) || undefined
  if (!open) return <div className="form-actions"><button type="button" onClick={() => setOpen(true)}>Edit…</button></div>

  const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y)
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (busy) return
    const patch: Record<string, unknown> = {}
    if (description.trim() !== a.description) patch.description = description.trim()
    if (ownerType !== a.owner.type || ownerId.trim() !== a.owner.id) patch.owner = { type: ownerType, id: ownerId.trim() }
    const nextGroups = [...new Set(splitList(groups))].sort()
    if (!same(nextGroups, [...a.groups].sort())) patch.groups = nextGroups
    if (a.kind === 'agent') {
      if (sponsor.trim() !== (a.sponsor ?? '')) patch.sponsor = sponsor.trim()
      if (!same(orderedTools(tools), orderedTools(a.tools))) patch.tools = orderedTools(tools)
      if (!same(budgetsOf(budgets), a.budgets)) patch.budgets = budgetsOf(budgets)
    }
    setBusy(true)
    setError(null)
    try {
      if (Object.keys(patch).length > 0) await api<ServiceAccountAnswer>(props.path, { method: 'PATCH', body: patch })
      setOpen(false)
      props.onChanged()
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }
  return (
    <form className="panel" onSubmit={(e) => void submit(e)} aria-labelledby={`${id}-h`} noValidate>
      <h2 id={`${id}-h`}>Edit {a.name}</h2>
      <div className="form-grid">
        <label htmlFor={`${id}-description`}>Description<input id={`${id}-description`} type="text" maxLength={1000} value={description} onChange={(e) => setDescription(e.target.value)} aria-invalid={invalid('description')} /></label>
        <label htmlFor={`${id}-owner-type`}>Owner is a
          <select id={`${id}-owner-type`} value={ownerType} onChange={(e) => setOwnerType(e.target.value as 'Group' | 'User')}>
            <option value="Group">group</option>
            <option value="User">person</option>
          </select>
        </label>
        <label htmlFor={`${id}-owner`}>Owner<input id={`${id}-owner`} type="text" value={ownerId} onChange={(e) => setOwnerId(e.target.value)} aria-invalid={invalid('owner', 'owner.id', 'owner.type')} /></label>
        <label htmlFor={`${id}-groups`}>Groups (comma-separated)<input id={`${id}-groups`} type="text" value={groups} onChange={(e) => setGroups(e.target.value)} aria-invalid={invalid('groups')} /></label>
        {a.kind === 'agent' && <label htmlFor={`${id}-sponsor`}>Sponsor<input id={`${id}-sponsor`} type="text" value={sponsor} onChange={(e) => setSponsor(e.target.value)} aria-invalid={invalid('sponsor')} /></label>}
      </div>
      {a.kind === 'agent' && (
        <>
          <ToolsField tools={tools} onChange={setTools} invalid={invalid('tools')} />
          <BudgetsField budgets={budgets} onChange={setBudgets} invalid={invalid('budgets', 'budgets.action', 'budgets.max', 'budgets.perHours')} />
        </>
      )}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>{busy ? 'Saving…' : 'Save changes'}</button>
        <button type="button" onClick={() => setOpen(false)} disabled={busy}>Cancel</button>
      </div>
      {error != null && <ErrorBox title="The changes were not saved." error={error} hints={ACCOUNT_HINTS} />}
    </form>
  )
}

/** The workload identities trusted to act as the account (token exchange), with a form to add one and Remove. */
function TrustRules(props: { path: string }) {
  const id = useId()
  const trusts = useApi(`trusts:${props.path}`, (signal) => api<TrustRuleList>(props.path, { signal }))
  // A Conductor without workload identity has no trust-rule routes: the generic not_found, not service_account_not_found.
  if (trusts.error instanceof ApiError && trusts.error.code === 'not_found') return null
  return (
    <section aria-labelledby={`${id}-h`}>
      <div className="section-head">
        <h2 id={`${id}-h`}>Trust rules</h2>
        <button type="button" onClick={() => trusts.reload()} disabled={trusts.loading}>Refresh</button>
      </div>
      <p className="muted small">Workloads (GitHub Actions, Kubernetes, an OIDC issuer, AWS IAM) whose tokens match a rule may exchange them at <code>/oauth/token</code> for a short-lived token of this account.</p>
      {trusts.loading && !trusts.data && <Loading what="the trust rules" />}
      {trusts.error != null && <ErrorBox title="The trust rules could not be loaded." error={trusts.error} onRetry={() => trusts.reload()} />}
      {trusts.data && trusts.data.trusts.length === 0 && <Empty><p><strong>No workload is trusted.</strong> Add a rule below.</p></Empty>}
      {trusts.data && trusts.data.trusts.length > 0 && <TrustsTable path={props.path} trusts={trusts.data.trusts} onChanged={() => trusts.reload(true)} />}
      <AddTrustForm path={props.path} onAdded={() => trusts.reload(true)} />
    </section>
  )
}

function TrustsTable(props: { path: string; trusts: TrustRuleView[]; onChanged(): void }) {
  return (
    <table className="grid" aria-label="Trust rules">
      <thead><tr><th scope="col">Issuer</th><th scope="col">Conditions</th><th scope="col">Description</th><th scope="col">Created</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
      <tbody>
        {props.trusts.map((t) => (
          <tr key={t.id} data-trust={t.id}>
            <td><strong>{t.issuer}</strong></td>
            <td><ul className="rows">{Object.entries(t.conditions).map(([key, glob]) => <li key={key}><code>{key} = {glob}</code></li>)}</ul></td>
            <td>{t.description || <span className="muted">—</span>}</td>
            <td><Time value={t.createdAt} /><br /><span className="muted small">by {t.createdBy}</span></td>
            <td><RemoveTrust path={props.path} trust={t} onRemoved={props.onChanged} /></td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function RemoveTrust(props: { path: string; trust: TrustRuleView; onRemoved(): void }) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const remove = async () => {
    setBusy(true)
    setError(null)
    try {
      await api<TrustRuleAnswer>(`${props.path}/${encodeURIComponent(props.trust.id)}`, { method: 'DELETE' })
      props.onRemoved()
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }
  return (
    <>
      <button type="button" className="danger" onClick={() => void remove()} disabled={busy} aria-label={`Remove trust rule ${props.trust.issuer} ${Object.entries(props.trust.conditions).map(([k, v]) => `${k}=${v}`).join(' ')}`}>{busy ? 'Removing…' : 'Remove'}</button>
      {error != null && <ErrorBox title="The trust rule was not removed." error={error} />}
    </>
  )
}

interface ConditionRow { key: number; claim: string; glob: string }

function AddTrustForm(props: { path: string; onAdded(): void }) {
  const id = useId()
  const [issuer, setIssuer] = useState('')
  const [rows, setRows] = useState<ConditionRow[]>([{ key: 0, claim: '', glob: '' }])
  const [nextKey, setNextKey] = useState(1)
  const [description, setDescription] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const field = errorField(error)
  const setRow = (key: number, patch: Partial<ConditionRow>) => setRows((all) => all.map((r) => (r.key === key ? { ...r, ...patch } : r)))
  const addRow = () => {
    setRows((all) => [...all, { key: nextKey, claim: '', glob: '' }])
    setNextKey((k) => k + 1)
  }
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (busy || issuer.trim() === '') return
    setBusy(true)
    setError(null)
    const conditions = Object.fromEntries(rows.filter((r) => r.claim.trim() !== '').map((r) => [r.claim.trim(), r.glob]))
    try {
      await api<TrustRuleAnswer>(props.path, { method: 'POST', body: { issuer: issuer.trim(), conditions, ...(description.trim() ? { description: description.trim() } : {}) } })
      setRows([{ key: nextKey, claim: '', glob: '' }])
      setNextKey((k) => k + 1)
      setDescription('')
      props.onAdded()
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }
  return (
    <form className="panel" onSubmit={(e) => void submit(e)} aria-labelledby={`${id}-h`} noValidate>
      <h3 id={`${id}-h`}>Add a trust rule</h3>
      <div className="form-grid">
        <label htmlFor={`${id}-issuer`}>Issuer
          <input id={`${id}-issuer`} type="text" value={issuer} onChange={(e) => setIssuer(e.target.value)} placeholder="e.g. github, or aws" aria-describedby={`${id}-issuer-help`} aria-invalid={field === 'issuer' || undefined} />
        </label>
        <label htmlFor={`${id}-description`}>Description<input id={`${id}-description`} type="text" maxLength={500} value={description} onChange={(e) => setDescription(e.target.value)} /></label>
      </div>
      <p id={`${id}-issuer-help`} className="muted small">A workload issuer&apos;s name from <code>identity.workloadIssuers</code> in the configuration, or <code>aws</code>.</p>
      <fieldset className="choices" aria-invalid={(field !== null && field.startsWith('conditions')) || undefined}>
        <legend>Conditions (all must match; <code>*</code> matches any run of characters)</legend>
        <ul className="rows">
          {rows.map((r, index) => (
            <li key={r.key} aria-label={`Condition ${index + 1}`}>
              <label htmlFor={`${id}-c${r.key}-claim`}>Claim<input id={`${id}-c${r.key}-claim`} type="text" value={r.claim} onChange={(e) => setRow(r.key, { claim: e.target.value })} placeholder="e.g. repository" aria-invalid={field === `conditions.${r.claim.trim()}` || undefined} /></label>
              <span aria-hidden="true">=</span>
              <label htmlFor={`${id}-c${r.key}-glob`}>Glob<input id={`${id}-c${r.key}-glob`} type="text" value={r.glob} onChange={(e) => setRow(r.key, { glob: e.target.value })} placeholder="e.g. acme/pipelines" /></label>
              {rows.length > 1 && <button type="button" onClick={() => setRows((all) => all.filter((x) => x.key !== r.key))} aria-label={`Remove condition ${index + 1}`}>Remove</button>}
            </li>
          ))}
        </ul>
        <button type="button" onClick={addRow}>Add condition</button>
      </fieldset>
      <div className="form-actions"><button type="submit" className="primary" disabled={busy || issuer.trim() === ''}>{busy ? 'Adding…' : 'Add trust rule'}</button></div>
      {error != null && <ErrorBox title="The trust rule was not added." error={error} />}
    </form>
  )
}
