import { useId, useMemo, useState, type FormEvent } from 'react'
import { api, type Session } from '../api.ts'
import { REVIEW_HINTS, campaignHref, campaignsPath, type Campaign, type CampaignList, type ReviewDecisionAnswer, type ReviewItem, type ReviewItemList } from '../reviews.ts'
import { inboxChanged } from '../requests.ts'
import { Link } from '../router.tsx'
import { Empty, ErrorBox, Loading, PageHeader, Relative, useApi } from '../ui.tsx'
import { COMMENT_REQUIRED, ItemsTable, mayDecide, useDecide, type Decision, type Viewer } from './review-items.tsx'

/**
 * "My reviews": the items of open campaigns waiting for the person's decision, each with Certify/Revoke, and checkboxes
 * to decide many at once with one comment. Decided items stay on the page with their decision until Refresh.
 */
export function MyReviewsPage(props: { session: Session }) {
  const viewer: Viewer = { type: props.session.principal.type, id: props.session.principal.id }
  const mine = useApi('reviews-mine', (signal) => api<ReviewItemList>('/reviews/mine', { signal }))
  // Campaign names and due dates, when the person may list them (a reviewer without review:read may not).
  const campaigns = useApi('reviews-open', (signal) => api<CampaignList>(campaignsPath('open'), { signal }))
  const [decided, setDecided] = useState<ReadonlyMap<string, ReviewItem>>(new Map())
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set())

  const items = useMemo(() => {
    const listed = (mine.data?.items ?? []).map((item) => decided.get(item.id) ?? item)
    const gone = [...decided.values()].filter((d) => !listed.some((item) => item.id === d.id))
    return [...listed, ...gone]
  }, [mine.data, decided])
  const byId = new Map((campaigns.data?.campaigns ?? []).map((c) => [c.id, c]))
  const pending = items.filter((item) => mayDecide(item, viewer))

  const onDecided = (answer: ReviewDecisionAnswer) => {
    setDecided((d) => new Map([...d, ...answer.items.map((item) => [item.id, item] as const)]))
    setSelected((s) => new Set([...s].filter((id) => !answer.items.some((item) => item.id === id))))
    inboxChanged()
  }
  const refresh = () => {
    setDecided(new Map())
    setSelected(new Set())
    mine.reload()
    campaigns.reload(true)
  }

  return (
    <section>
      <PageHeader title="My reviews">
        <p className="lead">
          Access that policy asks you to review, in open campaigns: certify what is still needed, revoke what is not (with a comment).
          A revoke takes effect in Conductor at once and is listed as a finding to fix at its source. Campaigns are on <Link href="/reviews">Reviews</Link>.
        </p>
      </PageHeader>
      <section aria-labelledby="my-reviews-h">
        <div className="section-head">
          <h2 id="my-reviews-h">Waiting for your decision{mine.data && <> <span className="count" data-testid="my-reviews-count">{pending.length}</span></>}</h2>
          <button type="button" onClick={refresh} disabled={mine.loading}>Refresh</button>
        </div>
        {mine.loading && !mine.data && <Loading what="the items waiting for you" />}
        {mine.error != null && <ErrorBox title="Your review items could not be loaded." error={mine.error} hints={REVIEW_HINTS} onRetry={() => mine.reload()} />}
        {mine.data && items.length === 0 && (
          <Empty><p><strong>Nothing waits for your review.</strong> Items appear here when a campaign starts and policy names you a reviewer of someone&apos;s access (never your own).</p></Empty>
        )}
        {items.length > 0 && (
          <>
            <BulkDecide
              items={pending.filter((item) => selected.has(item.id))} undecided={pending.length} onDecided={onDecided}
              onSelectAll={(all) => setSelected(new Set(all ? pending.map((item) => item.id) : []))}
            />
            <ItemsTable
              items={items} viewer={viewer} label="Items waiting for your review" onDecided={onDecided}
              selected={selected} onSelect={(id, on) => setSelected((s) => { const next = new Set(s); if (on) next.add(id); else next.delete(id); return next })}
              campaignOf={(item) => <CampaignCell campaign={byId.get(item.campaignId)} id={item.campaignId} />}
            />
          </>
        )}
      </section>
    </section>
  )
}

function CampaignCell(props: { campaign: Campaign | undefined; id: string }) {
  const c = props.campaign
  return (
    <span>
      <Link href={campaignHref(props.id)}>{c ? c.name : 'campaign'}</Link>
      {c && <><br /><span className="muted small">due <Relative value={c.dueAt} /></span></>}
    </span>
  )
}

/** Certify or revoke the selected items with one comment (a revoke needs one), one call per campaign. */
function BulkDecide(props: { items: ReviewItem[]; undecided: number; onSelectAll(all: boolean): void; onDecided(answer: ReviewDecisionAnswer): void }) {
  const id = useId()
  const [comment, setComment] = useState('')
  const { busy, error, send } = useDecide(props.onDecided)
  const [missing, setMissing] = useState(false)
  const [done, setDone] = useState<string | null>(null)
  const count = props.items.length

  const decide = async (decision: Decision['decision']) => {
    if (busy || count === 0) return
    if (decision === 'revoke' && !comment.trim()) {
      setMissing(true)
      return
    }
    setMissing(false)
    setDone(null)
    if (await send(props.items, { decision, ...(comment.trim() ? { comment: comment.trim() } : {}) })) {
      setDone(`${decision === 'certify' ? 'Certified' : 'Revoked'} ${count} item${count === 1 ? '' : 's'}.`)
      setComment('')
    }
  }
  const submit = (event: FormEvent) => {
    event.preventDefault()
    void decide('certify')
  }

  return (
    <form className="toolbar" onSubmit={submit} aria-label="Decide on the selected items" noValidate>
      <span data-testid="selected-count">{count} selected</span>
      {props.undecided > 1 && count < props.undecided && <button type="button" onClick={() => props.onSelectAll(true)}>Select all {props.undecided} undecided</button>}
      {count > 0 && <button type="button" onClick={() => props.onSelectAll(false)}>Clear selection</button>}
      <label htmlFor={`${id}-comment`}>Comment for the selected
        <input id={`${id}-comment`} type="text" value={comment} maxLength={2000} onChange={(e) => setComment(e.target.value)} aria-invalid={missing || undefined} placeholder="required to revoke" />
      </label>
      <button type="submit" className="primary" disabled={busy || count === 0}>Certify selected</button>
      {' '}<button type="button" className="danger" disabled={busy || count === 0} onClick={() => void decide('revoke')}>Revoke selected</button>
      {missing && <p className="error-inline" role="alert">{COMMENT_REQUIRED}</p>}
      {done && <p className="success" role="status">{done}</p>}
      {error != null && <ErrorBox title="The decisions were not recorded." error={error} hints={REVIEW_HINTS} />}
    </form>
  )
}
