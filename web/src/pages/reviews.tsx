import { useId, useState, type FormEvent } from 'react'
import { api } from '../api.ts'
import {
  CAMPAIGN_STATES, REVIEW_HINTS, campaignHref, campaignsPath, dayFromNow, endOfDay, mayManageReviews, progressText,
  type Campaign, type CampaignAnswer, type CampaignList,
} from '../reviews.ts'
import { Link, navigate, replaceSearch } from '../router.tsx'
import { Empty, ErrorBox, Loading, PageHeader, Relative, StateBadge, Time, errorField, useApi } from '../ui.tsx'
import { splitList } from './service-accounts.tsx'

/** The scope of a campaign in words: "everything", or its environments, zones and tags. */
export function scopeText(scope: Campaign['scope']): string {
  const parts = [
    scope.environments?.length ? `environments ${scope.environments.join(', ')}` : '',
    scope.zones?.length ? `zones ${scope.zones.join(', ')}` : '',
    scope.tags?.length ? `DAG tags ${scope.tags.join(', ')}` : '',
  ].filter(Boolean)
  return parts.length ? parts.join('; ') : 'everything'
}

/** A campaign's progress: a bar and "3 pending · 5 certified · 1 revoked of 9". */
export function CampaignProgress(props: { campaign: Campaign }) {
  const { counts, name } = props.campaign
  const decided = counts.certified + counts.revoked
  return (
    <span className="progress">
      <progress max={Math.max(counts.items, 1)} value={decided} aria-label={`${name}: ${decided} of ${counts.items} decided`} />{' '}
      <span data-testid="campaign-progress">{progressText(counts)}</span>
    </span>
  )
}

/** A filter of a list by one of `options`, or "any" (the empty value). */
export function Choice(props: { label: string; value: string; options: readonly string[]; onChange(value: string): void }) {
  return (
    <label>{props.label}{' '}
      <select value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        <option value="">any</option>
        {props.options.map((o) => <option key={o} value={o}>{o}</option>)}
      </select>
    </label>
  )
}

/** "Reviews": the access review campaigns the person may see, by state, and a form to start one for those who may. */
export function ReviewsPage(props: { search: URLSearchParams }) {
  const [state, setState] = useState(() => props.search.get('state') ?? 'open')
  const campaigns = useApi(`reviews:${state}`, (signal) => api<CampaignList>(campaignsPath(state), { signal }))
  const manage = useApi('reviews-manage', mayManageReviews)
  const choose = (next: string) => {
    setState(next)
    replaceSearch({ state: next })
  }
  return (
    <section>
      <PageHeader title="Reviews">
        <p className="lead">
          An access review campaign freezes who can do what, and why, in its scope; reviewers named by policy certify or revoke each
          access (never their own). Items waiting for you are on <Link href="/my-reviews">My reviews</Link>.
        </p>
      </PageHeader>
      <section aria-labelledby="campaigns-h">
        <div className="section-head">
          <h2 id="campaigns-h">Campaigns</h2>
          <Choice label="State" value={state} options={CAMPAIGN_STATES} onChange={choose} />
          <button type="button" onClick={() => campaigns.reload()} disabled={campaigns.loading}>Refresh</button>
        </div>
        {campaigns.loading && !campaigns.data && <Loading what="campaigns" />}
        {campaigns.error != null && <ErrorBox title="The campaigns could not be loaded." error={campaigns.error} hints={REVIEW_HINTS} onRetry={() => campaigns.reload()} />}
        {campaigns.data && campaigns.data.campaigns.length === 0 && (
          <Empty><p><strong>No {state ? `${state} ` : ''}campaign you may see.</strong> Campaigns are shown to reviewers with items in them, their managers and auditors.</p></Empty>
        )}
        {campaigns.data && campaigns.data.campaigns.length > 0 && <CampaignsTable campaigns={campaigns.data.campaigns} />}
      </section>
      {manage.data === true && <StartCampaignForm onStarted={(c) => navigate(campaignHref(c.id))} />}
    </section>
  )
}

function CampaignsTable(props: { campaigns: Campaign[] }) {
  return (
    <table className="grid" aria-label="Campaigns">
      <thead><tr><th scope="col">Name</th><th scope="col">Scope</th><th scope="col">Due</th><th scope="col">State</th><th scope="col">Progress</th><th scope="col">Started</th></tr></thead>
      <tbody>
        {props.campaigns.map((c) => (
          <tr key={c.id} data-campaign={c.id}>
            <td><Link href={campaignHref(c.id)}>{c.name}</Link>{c.description && <><br /><span className="muted small">{c.description}</span></>}</td>
            <td className="small">{scopeText(c.scope)}</td>
            <td><Time value={c.dueAt} /><br /><span className="muted small"><Relative value={c.dueAt} /></span></td>
            <td data-testid="campaign-state"><StateBadge state={c.state} /></td>
            <td><CampaignProgress campaign={c} /></td>
            <td className="small">by <strong>{c.createdBy.id}</strong> <Relative value={c.createdAt} /></td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function StartCampaignForm(props: { onStarted(campaign: Campaign): void }) {
  const id = useId()
  const [name, setName] = useState('')
  const [description, setDescription] = useState('')
  const [due, setDue] = useState(() => dayFromNow(14))
  const [environments, setEnvironments] = useState('')
  const [zones, setZones] = useState('')
  const [tags, setTags] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const field = errorField(error)
  const invalid = (...names: string[]) => (field !== null && names.some((n) => field === n || field.startsWith(`${n}.`))) || undefined

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (busy) return
    setBusy(true)
    setError(null)
    const scope = {
      ...(splitList(environments).length ? { environments: splitList(environments) } : {}),
      ...(splitList(zones).length ? { zones: splitList(zones) } : {}),
      ...(splitList(tags).length ? { tags: splitList(tags) } : {}),
    }
    const body = { name: name.trim(), ...(description.trim() ? { description: description.trim() } : {}), scope, dueAt: endOfDay(due) ?? due }
    try {
      const { campaign } = await api<CampaignAnswer>('/reviews/campaigns', { method: 'POST', body })
      props.onStarted(campaign)
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }

  return (
    <form className="panel" onSubmit={(e) => void submit(e)} aria-labelledby={`${id}-h`} noValidate>
      <h2 id={`${id}-h`}>Start a campaign</h2>
      <div className="form-grid">
        <label htmlFor={`${id}-name`}>Name
          <input id={`${id}-name`} type="text" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} placeholder="e.g. Q4 data-eng access" aria-invalid={invalid('name')} />
        </label>
        <label htmlFor={`${id}-due`}>Due date
          <input id={`${id}-due`} type="date" value={due} onChange={(e) => setDue(e.target.value)} aria-invalid={invalid('dueAt')} />
        </label>
        <label htmlFor={`${id}-description`}>Description
          <input id={`${id}-description`} type="text" value={description} maxLength={1000} onChange={(e) => setDescription(e.target.value)} aria-invalid={invalid('description')} />
        </label>
      </div>
      <fieldset aria-describedby={`${id}-scope-help`}>
        <legend>Scope</legend>
        <div className="form-grid">
          <label htmlFor={`${id}-envs`}>Environments
            <input id={`${id}-envs`} type="text" value={environments} onChange={(e) => setEnvironments(e.target.value)} placeholder="all" aria-invalid={invalid('scope.environments')} />
          </label>
          <label htmlFor={`${id}-zones`}>Zones
            <input id={`${id}-zones`} type="text" value={zones} onChange={(e) => setZones(e.target.value)} placeholder="all" aria-invalid={invalid('scope.zones')} />
          </label>
          <label htmlFor={`${id}-tags`}>DAG tags
            <input id={`${id}-tags`} type="text" value={tags} onChange={(e) => setTags(e.target.value)} placeholder="all, e.g. team:data-eng" aria-invalid={invalid('scope.tags')} />
          </label>
        </div>
        <p id={`${id}-scope-help`} className="muted small">
          Comma-separated. Left empty, the campaign reviews everything, Conductor-wide actions included. The items (who can do what,
          and why) are computed from policy and the directory when it starts, and frozen.
        </p>
      </fieldset>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy || name.trim() === '' || due === ''}>{busy ? 'Starting…' : 'Start campaign'}</button>
      </div>
      {error != null && <ErrorBox title="The campaign was not started." error={error} hints={REVIEW_HINTS} />}
    </form>
  )
}
