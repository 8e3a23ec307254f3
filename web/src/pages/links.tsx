import { api, type LinkList, type LinkView } from '../api.ts'
import { Link } from '../router.tsx'
import { Empty, ErrorBox, Loading, PageHeader, PostButton, Relative, StateBadge, useApi } from '../ui.tsx'

type LinkEnd = LinkView['source']
const dagHref = (d: LinkEnd) => `/environments/${encodeURIComponent(d.environment)}/dags/${encodeURIComponent(d.dagId ?? '')}`
const endName = (d: LinkEnd) => d.assetUri ?? d.dagId ?? ''

/** One end of a link: a DAG (a link to its page) or an Airflow 3 asset (its URI). */
function End(props: { end: LinkEnd }) {
  const d = props.end
  if (d.assetUri !== undefined) return <span data-testid="link-asset">asset <code>{d.assetUri}</code> in {d.environment}</span>
  return <Link href={dagHref(d)}>{d.environment}/{d.dagId}</Link>
}

/** "Links": the cross-deployment links the person may see, with owner, source → target, state and last firings. */
export function LinksPage() {
  const links = useApi('links', (signal) => api<LinkList>('/links', { signal }))
  return (
    <section>
      <PageHeader title="Links">
        <p className="lead">
          When a DAG succeeds (or an asset is updated) in one environment, a link triggers a DAG (or posts an asset event) in another,
          as its owner: every firing goes through policy, approval and audit like an action of theirs. A link stops when its owner
          loses access or may no longer act on the target.
        </p>
      </PageHeader>
      <section aria-labelledby="links-h">
        <div className="section-head">
          <h2 id="links-h">Cross-deployment links</h2>
          <button type="button" onClick={() => links.reload()} disabled={links.loading}>Refresh</button>
        </div>
        {links.loading && !links.data && <Loading what="links" />}
        {links.error != null && <ErrorBox title="The links could not be loaded." error={links.error} onRetry={() => links.reload()} />}
        {links.data && links.data.links.length === 0 && (
          <Empty>
            <p><strong>No link you may see.</strong></p>
            <p>Links are shown to their owner, platform administrators and auditors. Create one with <code>conductor links create SOURCE TARGET</code>.</p>
          </Empty>
        )}
        {links.data && links.data.links.length > 0 && <LinksTable links={links.data.links} onChanged={() => links.reload(true)} />}
      </section>
    </section>
  )
}

function LinksTable(props: { links: LinkView[]; onChanged(): void }) {
  return (
    <table className="grid" aria-label="Links">
      <thead><tr><th scope="col">Source → target</th><th scope="col">Owner</th><th scope="col">State</th><th scope="col">Last firings</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
      <tbody>
        {props.links.map((l) => (
          <tr key={l.id} data-link={l.id}>
            <td>
              <End end={l.source} /> → <End end={l.target} />
              {l.description && <><br /><span className="muted small">{l.description}</span></>}
            </td>
            <td>{l.owner.type === 'User' ? 'person' : l.owner.type === 'Agent' ? 'agent' : 'service account'} <strong>{l.owner.id}</strong></td>
            <td data-testid="link-state"><StateBadge state={l.state} />{l.suspendedReason && <><br /><span className="muted small">{l.suspendedReason.replace(/_/g, ' ')}</span></>}</td>
            <td>
              {l.lastFirings.length === 0 ? <span className="muted">none yet</span> : (
                <ul className="plain">
                  {l.lastFirings.map((f) => (
                    <li key={f.sourceAssetEventId ?? f.sourceRunId ?? f.at}>
                      <StateBadge state={f.outcome} /> <Relative value={f.at} />{' '}
                      <span className="muted small">after {f.sourceAssetEventId !== null ? `asset event ${f.sourceAssetEventId}` : f.sourceRunId}</span>
                      {f.requestId && <> · <Link href={`/requests/${encodeURIComponent(f.requestId)}`}>request</Link></>}
                    </li>
                  ))}
                </ul>
              )}
            </td>
            <td><SuspendResume link={l} onChanged={props.onChanged} /></td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function SuspendResume(props: { link: LinkView; onChanged(): void }) {
  const suspend = props.link.state === 'active'
  return (
    <PostButton
      path={`/links/${encodeURIComponent(props.link.id)}/${suspend ? 'suspend' : 'resume'}`} text={suspend ? 'Suspend' : 'Resume'} busyText={suspend ? 'Suspending…' : 'Resuming…'}
      label={`${suspend ? 'Suspend' : 'Resume'} link ${endName(props.link.source)} → ${endName(props.link.target)}`} failed={`The link could not be ${suspend ? 'suspended' : 'resumed'}.`} onDone={props.onChanged}
    />
  )
}
