import { useState } from 'react'
import { ApiError, api, query, type Session } from '../api.ts'
import {
  FINDING_STATES, ITEM_DECISIONS, REVIEW_HINTS, campaignPath, itemsPath, mayManageReviews, principalKind,
  type Campaign, type CampaignAnswer, type ReviewFinding, type ReviewFindingList, type ReviewItemList,
} from '../reviews.ts'
import { inboxChanged } from '../requests.ts'
import { Link } from '../router.tsx'
import { Empty, ErrorBox, Loading, PageHeader, PostButton, Relative, StateBadge, Time, useApi } from '../ui.tsx'
import { DagsText, ItemsTable, WhyText, type Viewer } from './review-items.tsx'
import { CampaignProgress, Choice, scopeText } from './reviews.tsx'

/** One campaign: its facts and counts, Complete/Cancel for managers, its items filtered by decision, and its findings. */
export function ReviewCampaignPage(props: { id: string; session: Session }) {
  const viewer: Viewer = { type: props.session.principal.type, id: props.session.principal.id }
  const campaign = useApi(`review:${props.id}`, (signal) => api<CampaignAnswer>(campaignPath(props.id), { signal }))
  const manage = useApi('reviews-manage', mayManageReviews)
  const [decision, setDecision] = useState('')
  const items = useApi(`review-items:${props.id}:${decision}`, (signal) => api<ReviewItemList>(itemsPath(props.id, decision), { signal }))
  const [findingState, setFindingState] = useState('')
  const findings = useApi(`review-findings:${props.id}:${findingState}`, (signal) => api<ReviewFindingList>(`/reviews/findings${query({ state: findingState })}`, { signal }))
  const c = campaign.data?.campaign ?? null

  const changed = () => {
    campaign.reload(true)
    items.reload(true)
    findings.reload(true)
    inboxChanged()
  }

  const crumbs = <><Link href="/reviews">Reviews</Link> / </>
  if (campaign.loading && !c) return <section><PageHeader title="Campaign" crumbs={crumbs} /><Loading what="the campaign" /></section>
  if (!c) {
    return (
      <section>
        <PageHeader title="Campaign" crumbs={crumbs} />
        <ErrorBox title="The campaign could not be loaded." error={campaign.error} hints={REVIEW_HINTS} onRetry={() => campaign.reload()} />
      </section>
    )
  }
  return (
    <section>
      <PageHeader title={c.name} crumbs={crumbs}>
        {c.description && <p className="lead">{c.description}</p>}
        <CampaignFacts campaign={c} />
        {c.state === 'open' && manage.data === true && (
          <div className="form-actions" role="group" aria-label="Close the campaign">
            <PostButton path={campaignPath(c.id, 'complete')} text="Complete campaign" busyText="Completing…" failed="The campaign was not completed." onDone={changed} />
            {' '}<PostButton path={campaignPath(c.id, 'cancel')} text="Cancel campaign" busyText="Cancelling…" failed="The campaign was not cancelled." danger onDone={changed} />
          </div>
        )}
      </PageHeader>

      <section aria-labelledby="items-h">
        <div className="section-head">
          <h2 id="items-h">Items</h2>
          <Choice label="Decision" value={decision} options={ITEM_DECISIONS} onChange={setDecision} />
          <button type="button" onClick={() => { campaign.reload(); items.reload() }} disabled={items.loading}>Refresh</button>
        </div>
        {items.loading && !items.data && <Loading what="the items" />}
        {items.error != null && <ErrorBox title="The items could not be loaded." error={items.error} hints={REVIEW_HINTS} onRetry={() => items.reload()} />}
        {items.data && items.data.items.length === 0 && <Empty><p><strong>No {decision ? `${decision} ` : ''}item you may see in this campaign.</strong></p></Empty>}
        {items.data && items.data.items.length > 0 && (
          <ItemsTable items={items.data.items} viewer={viewer} label="Campaign items" {...(c.state === 'open' ? { onDecided: changed } : {})} />
        )}
      </section>

      <section aria-labelledby="findings-h">
        <div className="section-head">
          <h2 id="findings-h">Findings</h2>
          <Choice label="Finding state" value={findingState} options={FINDING_STATES} onChange={setFindingState} />
        </div>
        <p className="muted small">Each revoke is a finding to fix at its source (the IdP group, the policy, the grant); it is resolved when policy and the directory alone no longer grant the access.</p>
        <Findings findings={findings.data?.findings.filter((f) => f.campaignId === c.id) ?? null} error={findings.error} loading={findings.loading} onRetry={() => findings.reload()} />
      </section>
    </section>
  )
}

function CampaignFacts(props: { campaign: Campaign }) {
  const c = props.campaign
  return (
    <dl className="facts">
      <dt>State</dt><dd data-testid="campaign-state"><StateBadge state={c.state} />{c.completedAt && <> <Relative value={c.completedAt} /></>}</dd>
      <dt>Progress</dt><dd><CampaignProgress campaign={c} /></dd>
      <dt>Due</dt><dd><Time value={c.dueAt} /> (<Relative value={c.dueAt} />)</dd>
      <dt>Scope</dt><dd>{scopeText(c.scope)}</dd>
      <dt>Started</dt><dd>by <strong>{c.createdBy.id}</strong>, <Time value={c.createdAt} />, policy version {c.policyVersion}</dd>
    </dl>
  )
}

function Findings(props: { findings: ReviewFinding[] | null; error: unknown; loading: boolean; onRetry(): void }) {
  if (props.loading && !props.findings) return <Loading what="the findings" />
  if (props.error instanceof ApiError && props.error.code === 'policy_denied') {
    return <Empty><p><strong>You may not read findings.</strong> They are shown to campaign managers and auditors.</p></Empty>
  }
  if (props.error != null) return <ErrorBox title="The findings could not be loaded." error={props.error} hints={REVIEW_HINTS} onRetry={props.onRetry} />
  if (!props.findings) return null
  if (props.findings.length === 0) return <Empty><p><strong>No finding here.</strong> Each revoke in this campaign is listed (open until fixed at its source, then resolved).</p></Empty>
  return (
    <table className="grid" aria-label="Findings">
      <thead><tr><th scope="col">Principal</th><th scope="col">Action</th><th scope="col">Environment</th><th scope="col">DAGs</th><th scope="col">Fix at the source</th><th scope="col">State</th><th scope="col">Found</th></tr></thead>
      <tbody>
        {props.findings.map((f) => (
          <tr key={f.id} data-finding={f.id}>
            <td>{principalKind(f.principal.type)} <strong>{f.principal.id}</strong></td>
            <td><code>{f.action}</code></td>
            <td>{f.environment ?? <span className="muted">—</span>}</td>
            <td><DagsText environment={f.environment} dagIds={f.dagIds} /></td>
            <td><WhyText why={f.source} /></td>
            <td data-testid="finding-state"><StateBadge state={f.state} />{f.resolution && <><br /><span className="muted small">{f.resolution}</span></>}</td>
            <td><Relative value={f.createdAt} />{f.resolvedAt && <><br /><span className="muted small">resolved <Relative value={f.resolvedAt} /></span></>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
