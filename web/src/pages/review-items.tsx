import { useId, useState, type FormEvent, type ReactNode } from 'react'
import { api, type ReviewWhy } from '../api.ts'
import { REVIEW_HINTS, campaignPath, itemLabel, principalKind, principalName, type ReviewDecisionAnswer, type ReviewItem } from '../reviews.ts'
import { ErrorBox, Relative, StateBadge, Time } from '../ui.tsx'

/** Who is looking: to say "you" and to know which items they may decide. */
export interface Viewer { type: string; id: string }

/** One decision as the API takes it. */
export interface Decision { itemId: string; decision: 'certify' | 'revoke'; comment?: string }

/** The refusal of a revoke without a comment, before anything is sent. */
export const COMMENT_REQUIRED = 'A revoke needs a comment: say why the access should go (it is kept with the decision and the finding).'

/** Sends decisions on items of one campaign (all or nothing); answers the decided items and the campaign. */
export function sendDecisions(campaignId: string, decisions: Decision[]): Promise<ReviewDecisionAnswer> {
  return api<ReviewDecisionAnswer>(campaignPath(campaignId, 'decisions'), { method: 'POST', body: { decisions } })
}

/**
 * Sending decisions from a form: `send` posts them campaign by campaign (each all or nothing), hands every answer to
 * `onDecided`, and answers whether all went through; `busy` meanwhile, the refusal in `error`.
 */
export function useDecide(onDecided: (answer: ReviewDecisionAnswer) => void) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const send = async (items: readonly ReviewItem[], decision: Omit<Decision, 'itemId'>): Promise<boolean> => {
    const perCampaign = new Map<string, Decision[]>()
    for (const item of items) perCampaign.set(item.campaignId, [...(perCampaign.get(item.campaignId) ?? []), { itemId: item.id, ...decision }])
    setBusy(true)
    setError(null)
    try {
      for (const [campaignId, decisions] of perCampaign) onDecided(await sendDecisions(campaignId, decisions))
      return true
    } catch (e) {
      setError(e)
      return false
    } finally {
      setBusy(false)
    }
  }
  return { busy, error, send }
}

const isViewer = (viewer: Viewer, ref: { type: string; id: string }) => ref.type === viewer.type && ref.id === viewer.id

/** Whether `viewer` is named a reviewer of a still undecided item. */
export function mayDecide(item: ReviewItem, viewer: Viewer): boolean {
  return item.decision === null && item.reviewers.some((r) => isViewer(viewer, r))
}

/** Why a principal has an access: the groups, policies and grants behind it. */
export function WhyText(props: { why: ReviewWhy }) {
  const { policies, groups, grants } = props.why
  return (
    <ul className="plain small">
      {groups.length > 0 && <li>groups <strong>{groups.join(', ')}</strong></li>}
      {policies.length > 0 && <li>policies {policies.map((p, i) => <span key={p}>{i > 0 && ', '}<code>{p}</code></span>)}</li>}
      {grants.length > 0 && <li>grants {grants.map((g, i) => <span key={g.id}>{i > 0 && ', '}<strong>{g.group}</strong> until <Time value={g.expiresAt} /></span>)}</li>}
      {groups.length + policies.length + grants.length === 0 && <li className="muted">not recorded</li>}
    </ul>
  )
}

/** The DAGs of an access: a list, "every DAG" (environment-level) or Conductor-wide. */
export function DagsText(props: { environment: string | null; dagIds: string[] | null }) {
  if (props.environment === null) return <span className="muted">Conductor-wide</span>
  if (props.dagIds === null) return <span className="muted">the environment itself</span>
  const shown = props.dagIds.slice(0, 6)
  const more = props.dagIds.length - shown.length
  return <span title={props.dagIds.join(', ')}>{shown.join(', ')}{more > 0 && <span className="muted"> and {more} more</span>}</span>
}

/** The decision on an item: pending, or certified/revoked by whom, when, with the comment. */
export function DecisionText(props: { item: ReviewItem; viewer: Viewer }) {
  const d = props.item.decision
  if (!d) return <StateBadge state="pending" />
  return (
    <span>
      <StateBadge state={d.decision === 'certify' ? 'certified' : 'revoked'} /> by <strong>{d.by.id}</strong>{isViewer(props.viewer, d.by) && <span className="muted"> (you)</span>}
      {' '}<Relative value={d.at} />
      {d.comment && <><br /><q className="small">{d.comment}</q></>}
    </span>
  )
}

/** Certify, or Revoke with a comment (refused here when empty, and by the API), for one item. */
export function DecideButtons(props: { item: ReviewItem; onDecided(answer: ReviewDecisionAnswer): void }) {
  const id = useId()
  const label = itemLabel(props.item)
  const [revoking, setRevoking] = useState(false)
  const [comment, setComment] = useState('')
  const { busy, error, send } = useDecide(props.onDecided)
  const [missing, setMissing] = useState(false)
  const revoke = (event: FormEvent) => {
    event.preventDefault()
    if (busy) return
    if (!comment.trim()) {
      setMissing(true)
      return
    }
    setMissing(false)
    void send([props.item], { decision: 'revoke', comment: comment.trim() })
  }

  return (
    <div className="review-decide">
      {!revoking && (
        <span role="group" aria-label={`Decide on ${label}`}>
          <button type="button" className="primary" disabled={busy} onClick={() => void send([props.item], { decision: 'certify' })} aria-label={`Certify ${label}`}>{busy ? 'Sending…' : 'Certify'}</button>
          {' '}<button type="button" className="danger" disabled={busy} onClick={() => setRevoking(true)} aria-label={`Revoke ${label}`}>Revoke</button>
        </span>
      )}
      {revoking && (
        <form onSubmit={revoke} aria-label={`Revoke ${label}`} noValidate>
          <label htmlFor={`${id}-comment`}>Why revoke?
            <input id={`${id}-comment`} type="text" value={comment} maxLength={2000} onChange={(e) => setComment(e.target.value)} aria-invalid={missing || undefined} placeholder="e.g. left the team" />
          </label>
          <button type="submit" className="danger" disabled={busy}>{busy ? 'Revoking…' : 'Confirm revoke'}</button>
          {' '}<button type="button" disabled={busy} onClick={() => { setRevoking(false); setMissing(false) }}>Keep</button>
          {missing && <p className="error-inline" role="alert">{COMMENT_REQUIRED}</p>}
        </form>
      )}
      {error != null && <ErrorBox title="The decision was not recorded." error={error} hints={REVIEW_HINTS} />}
    </div>
  )
}

/**
 * The items of one or more campaigns: principal, access, why, reviewers and decision. With `selected`, a checkbox per
 * item the viewer may decide; with `onDecided`, Certify/Revoke on those items; `campaignOf` adds a campaign column.
 */
export function ItemsTable(props: {
  items: ReviewItem[]; viewer: Viewer; label: string
  selected?: ReadonlySet<string>; onSelect?(itemId: string, selected: boolean): void
  onDecided?(answer: ReviewDecisionAnswer): void
  campaignOf?(item: ReviewItem): ReactNode
}) {
  const { viewer } = props
  return (
    <table className="grid" aria-label={props.label}>
      <thead>
        <tr>
          {props.selected && <th scope="col"><span className="sr-only">Select</span></th>}
          <th scope="col">Principal</th><th scope="col">Action</th><th scope="col">Environment</th><th scope="col">DAGs</th>
          <th scope="col">Why</th>{props.campaignOf && <th scope="col">Campaign</th>}<th scope="col">Reviewers</th><th scope="col">Decision</th>
        </tr>
      </thead>
      <tbody>
        {props.items.map((item) => {
          const open = mayDecide(item, viewer)
          return (
            <tr key={item.id} data-item={item.id}>
              {props.selected && (
                <td>
                  {open && (
                    <input
                      type="checkbox" aria-label={`Select ${itemLabel(item)}`} checked={props.selected.has(item.id)}
                      onChange={(e) => props.onSelect?.(item.id, e.target.checked)}
                    />
                  )}
                </td>
              )}
              <td data-testid="item-principal">{principalKind(item.principal.type)} <strong>{principalName(item.principal)}</strong><div className="muted small">{item.principal.groups.join(', ') || 'no groups'}</div></td>
              <td><code>{item.action}</code></td>
              <td>{item.environment ?? <span className="muted">—</span>}</td>
              <td><DagsText environment={item.environment} dagIds={item.dagIds} /></td>
              <td><WhyText why={item.why} /></td>
              {props.campaignOf && <td>{props.campaignOf(item)}</td>}
              <td className="small">
                {item.reviewers.length === 0 ? <span className="muted">nobody</span> : item.reviewers.map((r, i) => (
                  <span key={`${r.type}:${r.id}`}>{i > 0 && ', '}{r.id}{isViewer(viewer, r) && <span className="muted"> (you)</span>}</span>
                ))}
              </td>
              <td data-testid="item-decision">
                <DecisionText item={item} viewer={viewer} />
                {open && props.onDecided && <DecideButtons item={item} onDecided={props.onDecided} />}
              </td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}
