import { useId, useState, type FormEvent } from 'react'
import { CONDUCTOR_ACTIONS, api, type ConductorAction, type ServiceAccount, type ServiceAccountAnswer, type ServiceAccountList, type Session } from '../api.ts'
import { Link } from '../router.tsx'
import { Empty, ErrorBox, Loading, PageHeader, StateBadge, errorField, useApi } from '../ui.tsx'

/** The MCP tools an agent may be allowed, as the MCP server names them: reading ones, then ones that change something. */
export const AGENT_TOOLS = {
  read: ['list_environments', 'list_dags', 'describe_dag', 'get_run_status', 'read_task_logs', 'list_my_requests'],
  write: ['trigger_dag', 'rerun_failed_tasks', 'request_approval'],
} as const

/** "Service accounts": the accounts and agents the person may see, and a form to create one. */
export function ServiceAccountsPage(props: { session: Session; search: URLSearchParams }) {
  const deleted = props.search.get('deleted')
  const accounts = useApi('service-accounts', (signal) => api<ServiceAccountList>('/service-accounts', { signal }))
  const [created, setCreated] = useState<ServiceAccount | null>(null)
  return (
    <section>
      <PageHeader title="Service accounts">
        <p className="lead">
          Workloads and AI agents that act in Conductor under their own name. An agent acts as an <code>Agent</code> principal with a
          person who sponsors it, the MCP tools it may use and budgets. You see the accounts your groups own, those you own, or all if
          you administer the platform.
        </p>
      </PageHeader>
      {deleted && <p className="success" role="status">Deleted <strong>{deleted}</strong>: its tokens were revoked and its name will not be used again.</p>}
      <section aria-labelledby="accounts-h">
        <div className="section-head">
          <h2 id="accounts-h">Accounts and agents</h2>
          <button type="button" onClick={() => accounts.reload()} disabled={accounts.loading}>Refresh</button>
        </div>
        {accounts.loading && !accounts.data && <Loading what="service accounts" />}
        {accounts.error != null && <ErrorBox title="The service accounts could not be loaded." error={accounts.error} onRetry={() => accounts.reload()} />}
        {accounts.data && accounts.data.serviceAccounts.length === 0 && (
          <Empty>
            <p><strong>No service account or agent you may see.</strong></p>
            <p>Accounts are shown to the members of their owning group, their owner and platform administrators. Create one below.</p>
          </Empty>
        )}
        {accounts.data && accounts.data.serviceAccounts.length > 0 && <AccountsTable accounts={accounts.data.serviceAccounts} />}
      </section>
      {created && (
        <p className="success" role="status">
          Created {created.kind === 'agent' ? 'agent' : 'service account'} <Link href={`/service-accounts/${encodeURIComponent(created.name)}`}><strong>{created.name}</strong></Link>.
          Open it to create its API tokens.
        </p>
      )}
      <CreateAccountForm session={props.session} onCreated={(account) => { setCreated(account); accounts.reload(true) }} />
    </section>
  )
}

/** Who owns an account, in words. */
export function OwnerText(props: { owner: ServiceAccount['owner'] }) {
  return <span>{props.owner.type === 'Group' ? 'group' : 'person'} <strong>{props.owner.id}</strong></span>
}

function AccountsTable(props: { accounts: ServiceAccount[] }) {
  return (
    <table className="grid" aria-label="Service accounts and agents">
      <thead><tr><th scope="col">Name</th><th scope="col">Kind</th><th scope="col">Owner</th><th scope="col">Groups</th><th scope="col">Sponsor</th><th scope="col">State</th></tr></thead>
      <tbody>
        {props.accounts.map((a) => (
          <tr key={a.name} data-account={a.name}>
            <td>
              <Link href={`/service-accounts/${encodeURIComponent(a.name)}`}><strong>{a.name}</strong></Link>
              {a.description && <><br /><span className="muted small">{a.description}</span></>}
            </td>
            <td>{a.kind === 'agent' ? 'agent' : 'service'}</td>
            <td><OwnerText owner={a.owner} /></td>
            <td>{a.groups.length ? a.groups.map((g) => <span key={g} className="pill">{g}</span>) : <span className="muted">none</span>}</td>
            <td>{a.sponsor ?? <span className="muted">—</span>}</td>
            <td data-testid="account-state"><StateBadge state={a.state} /></td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

/** One budget row of a form: what the inputs hold. */
export interface BudgetRow { key: number; action: ConductorAction; max: string; perHours: string }

let budgetKeys = 0

/** Form rows for an account's budgets. */
export function budgetRows(budgets: readonly { action: string; max: number; perHours: number }[]): BudgetRow[] {
  return budgets.map((b) => ({ key: ++budgetKeys, action: b.action as ConductorAction, max: String(b.max), perHours: String(b.perHours) }))
}

/** The budgets the rows say, as the API takes them. */
export function budgetsOf(rows: readonly BudgetRow[]): { action: ConductorAction; max: number; perHours: number }[] {
  return rows.map((b) => ({ action: b.action, max: Number(b.max), perHours: Number(b.perHours) }))
}

/** The ticked tools in the order the form lists them. */
export function orderedTools(tools: readonly string[]): string[] {
  return [...AGENT_TOOLS.read, ...AGENT_TOOLS.write].filter((t) => tools.includes(t))
}

/** The MCP tools an agent may use, as checkboxes (read tools, then write tools). */
export function ToolsField(props: { tools: string[]; onChange(tools: string[]): void; invalid: true | undefined }) {
  const toggle = (tool: string, on: boolean) => props.onChange(on ? [...props.tools, tool] : props.tools.filter((t) => t !== tool))
  const boxes = (tools: readonly string[]) => tools.map((tool) => (
    <label key={tool} className="inline"><input type="checkbox" checked={props.tools.includes(tool)} onChange={(e) => toggle(tool, e.target.checked)} /> <code>{tool}</code></label>
  ))
  return (
    <fieldset className="choices" aria-invalid={props.invalid}>
      <legend>Allowed tools</legend>
      <p className="muted small">The MCP tools the agent may use; none ticked means every tool its policy allows.</p>
      <div><span className="muted small">Read: </span>{boxes(AGENT_TOOLS.read)}</div>
      <div><span className="muted small">Write: </span>{boxes(AGENT_TOOLS.write)}</div>
    </fieldset>
  )
}

/** An agent's budgets as rows of action, "at most" and "per hours", with Add and Remove. */
export function BudgetsField(props: { budgets: BudgetRow[]; onChange(rows: BudgetRow[]): void; invalid: true | undefined }) {
  const id = useId()
  const set = (key: number, patch: Partial<BudgetRow>) => props.onChange(props.budgets.map((r) => (r.key === key ? { ...r, ...patch } : r)))
  return (
    <fieldset className="choices" aria-invalid={props.invalid}>
      <legend>Budgets</legend>
      <p className="muted small">At most so many requests of an action in a sliding window; one more is refused with <code>budget_exceeded</code>.</p>
      <ul className="rows">
        {props.budgets.map((b, index) => (
          <li key={b.key} aria-label={`Budget ${index + 1}`}>
            <label htmlFor={`${id}-b${b.key}-action`}>Budget action
              <select id={`${id}-b${b.key}-action`} value={b.action} onChange={(e) => set(b.key, { action: e.target.value as ConductorAction })}>
                {CONDUCTOR_ACTIONS.map((a) => <option key={a} value={a}>{a}</option>)}
              </select>
            </label>
            <label htmlFor={`${id}-b${b.key}-max`}>At most<input id={`${id}-b${b.key}-max`} className="narrow" type="number" min={0} step={1} value={b.max} onChange={(e) => set(b.key, { max: e.target.value })} /></label>
            <label htmlFor={`${id}-b${b.key}-hours`}>Per hours<input id={`${id}-b${b.key}-hours`} className="narrow" type="number" min={1} step={1} value={b.perHours} onChange={(e) => set(b.key, { perHours: e.target.value })} /></label>
            <button type="button" onClick={() => props.onChange(props.budgets.filter((r) => r.key !== b.key))} aria-label={`Remove budget ${index + 1}`}>Remove</button>
          </li>
        ))}
      </ul>
      <button type="button" onClick={() => props.onChange([...props.budgets, { key: ++budgetKeys, action: 'dag:trigger', max: '20', perHours: '1' }])}>Add budget</button>
    </fieldset>
  )
}

/** What to try when managing a service account is refused, beyond the general hints. */
export const ACCOUNT_HINTS: Readonly<Record<string, string>> = {
  policy_denied: 'Policy does not let you manage service accounts of this owner: members of the owning group, the owning person and platform administrators may. Choose an owner you belong to.',
}

/** `"a, b ,, c"` → `['a', 'b', 'c']`. */
export function splitList(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter(Boolean)
}

function CreateAccountForm(props: { session: Session; onCreated(account: ServiceAccount): void }) {
  const id = useId()
  const me = props.session.principal
  const [name, setName] = useState('')
  const [kind, setKind] = useState<'service' | 'agent'>('service')
  const [description, setDescription] = useState('')
  const [ownerType, setOwnerType] = useState<'Group' | 'User'>(me.groups.length ? 'Group' : 'User')
  const [ownerId, setOwnerId] = useState(me.groups[0] ?? me.id)
  const [groups, setGroups] = useState(me.groups[0] ?? '')
  const [sponsor, setSponsor] = useState(me.id)
  const [tools, setTools] = useState<string[]>([])
  const [budgets, setBudgets] = useState<BudgetRow[]>([])
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const field = errorField(error)
  const invalid = (...names: string[]) => (field !== null && names.includes(field)) || undefined

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (busy) return
    setBusy(true)
    setError(null)
    const body = {
      name: name.trim(), kind,
      ...(description.trim() ? { description: description.trim() } : {}),
      owner: { type: ownerType, id: ownerId.trim() },
      groups: splitList(groups),
      ...(kind === 'agent'
        ? {
          ...(sponsor.trim() ? { sponsor: sponsor.trim() } : {}),
          tools: orderedTools(tools),
          budgets: budgetsOf(budgets),
        }
        : {}),
    }
    try {
      const { serviceAccount } = await api<ServiceAccountAnswer>('/service-accounts', { method: 'POST', body })
      setName('')
      setDescription('')
      setTools([])
      setBudgets([])
      props.onCreated(serviceAccount)
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }

  return (
    <form className="panel" onSubmit={(e) => void submit(e)} aria-labelledby={`${id}-h`} noValidate>
      <h2 id={`${id}-h`}>Create a service account or agent</h2>
      <fieldset className="choices">
        <legend>Kind</legend>
        <label className="inline"><input type="radio" name={`${id}-kind`} value="service" checked={kind === 'service'} onChange={() => setKind('service')} /> Service (a workload: CI, a scheduler)</label>
        <label className="inline"><input type="radio" name={`${id}-kind`} value="agent" checked={kind === 'agent'} onChange={() => setKind('agent')} /> Agent (an AI agent with a sponsor)</label>
      </fieldset>
      <div className="form-grid">
        <label htmlFor={`${id}-name`}>Name<input id={`${id}-name`} type="text" value={name} maxLength={63} onChange={(e) => setName(e.target.value)} placeholder="e.g. nightly-agent" aria-invalid={invalid('name')} /></label>
        <label htmlFor={`${id}-description`}>Description<input id={`${id}-description`} type="text" value={description} maxLength={1000} onChange={(e) => setDescription(e.target.value)} aria-invalid={invalid('description')} /></label>
        <label htmlFor={`${id}-owner-type`}>Owner is a
          <select id={`${id}-owner-type`} value={ownerType} onChange={(e) => setOwnerType(e.target.value as 'Group' | 'User')}>
            <option value="Group">group</option>
            <option value="User">person</option>
          </select>
        </label>
        <label htmlFor={`${id}-owner`}>Owner<input id={`${id}-owner`} type="text" value={ownerId} onChange={(e) => setOwnerId(e.target.value)} placeholder={ownerType === 'Group' ? 'e.g. data-eng' : 'e.g. alice'} aria-invalid={invalid('owner', 'owner.id', 'owner.type')} /></label>
        <label htmlFor={`${id}-groups`}>Groups (comma-separated)<input id={`${id}-groups`} type="text" value={groups} onChange={(e) => setGroups(e.target.value)} placeholder="e.g. data-eng" aria-invalid={invalid('groups')} /></label>
        {kind === 'agent' && (
          <label htmlFor={`${id}-sponsor`}>Sponsor<input id={`${id}-sponsor`} type="text" value={sponsor} onChange={(e) => setSponsor(e.target.value)} aria-describedby={`${id}-sponsor-help`} aria-invalid={invalid('sponsor')} /></label>
        )}
      </div>
      {kind === 'agent' && (
        <>
          <p id={`${id}-sponsor-help`} className="muted small">The sponsor answers for the agent: when they leave, it is disabled. It is you unless you may write policy.</p>
          <ToolsField tools={tools} onChange={setTools} invalid={invalid('tools')} />
          <BudgetsField budgets={budgets} onChange={setBudgets} invalid={invalid('budgets', 'budgets.action', 'budgets.max', 'budgets.perHours')} />
        </>
      )}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy || name.trim() === ''}>{busy ? 'Creating…' : kind === 'agent' ? 'Create agent' : 'Create service account'}</button>
      </div>
      {error != null && <ErrorBox title="The account was not created." error={error} hints={ACCOUNT_HINTS} />}
    </form>
  )
}
