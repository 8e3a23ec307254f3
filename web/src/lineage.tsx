import { ApiError, api, datasetPagePath, type LineageDatasetUse, type RequestLineage } from './api.ts'
import { Link } from './router.tsx'
import { Empty, ErrorBox, Loading, StateBadge, Time, useApi } from './ui.tsx'

/** A dataset's name. */
type DatasetName = { namespace: string; name: string }

/** What an OpenLineage event type says of a task, as a state the console's badges know. */
const EVENT_STATES: Record<string, string> = { START: 'running', RUNNING: 'running', COMPLETE: 'success', FAIL: 'failed', ABORT: 'failed', OTHER: 'unknown' }

/** A task's state from its newest OpenLineage event type. */
export function eventState(eventType: string | null): string | null {
  return eventType ? (EVENT_STATES[eventType] ?? eventType.toLowerCase()) : null
}

/** A link to a dataset's page, showing its name (and its namespace on hover and for screen readers). */
export function DatasetLink(props: { dataset: DatasetName }) {
  const { dataset } = props
  return (
    <Link href={datasetPagePath(dataset)} title={`${dataset.namespace} ${dataset.name}`} data-dataset={dataset.name}>
      <code>{dataset.name}</code><span className="sr-only"> in {dataset.namespace}</span>
    </Link>
  )
}

/** Datasets as links, one per line; a dash for none. */
function DatasetLinks(props: { datasets: DatasetName[] }) {
  if (props.datasets.length === 0) return <span className="muted">—</span>
  return <ul className="plain">{props.datasets.map((d) => <li key={`${d.namespace}\n${d.name}`}><DatasetLink dataset={d} /></li>)}</ul>
}

/** Who was behind a run and through what: the `conductor` facet's fields, in one sentence ("Rerun by …" for a rerun). */
export function StartedBySentence(props: { person: NonNullable<LineageDatasetUse['startedBy']> }) {
  const p = props.person
  const approvals = p.approvals.map((a) => a.by)
  return (
    <span>
      {p.action === 'dag:rerun' ? 'Rerun by' : 'Started by'} <strong>{p.principal.id}</strong> <span className="muted">({p.principal.type})</span>
      {p.policyIds.length > 0 && <> through {p.policyIds.length === 1 ? 'policy' : 'policies'} {p.policyIds.map((id, i) => <span key={id}>{i > 0 && ', '}<code>{id}</code></span>)}</>}
      {approvals.length > 0 && <>, approved by <strong>{approvals.join(', ')}</strong></>}
      {' '}via {p.via}{p.tool ? ` (${p.tool})` : ''}
      {p.reason && <>, reason “{p.reason}”</>}
    </span>
  )
}

/**
 * The "Lineage" section of a run or request: who started it and through which policy, and what each task read and
 * wrote, from the API path `path` of the run's lineage (`…/runs/{run}/lineage`) or the request's (`/requests/{id}/lineage`).
 */
export function LineageSection(props: { path: string }) {
  const { path } = props
  const lineage = useApi(`lineage:${path}`, (signal) => api<RequestLineage>(path, { signal }))
  return (
    <section aria-labelledby="lineage-h" data-testid="lineage">
      <div className="section-head">
        <h2 id="lineage-h">Lineage</h2>
        <button type="button" onClick={() => lineage.reload()} disabled={lineage.loading}>Refresh lineage</button>
      </div>
      <LineageBody data={lineage.data} loading={lineage.loading} error={lineage.error} onRetry={() => lineage.reload()} />
    </section>
  )
}

/** Who ran a task as it last ran, in a run that was rerun: the rerun's person, the trigger's, or no one. */
function ranBy(data: RequestLineage, requestId: string | null) {
  const rerun = data.reruns.find((r) => r.requestId === requestId)
  if (rerun) return <>{rerun.by.principal.id} <span className="muted small">(rerun)</span></>
  if (requestId !== null && requestId === data.requestId && data.startedBy) return data.startedBy.principal.id
  return <span className="muted">not through Conductor</span>
}

function LineageBody(props: { data: RequestLineage | null; loading: boolean; error: unknown; onRetry(): void }) {
  const { data } = props
  if (props.loading && !data) return <Loading what="the lineage" />
  if (!data) {
    if (props.error instanceof ApiError && props.error.code === 'request_not_found') {
      return <p className="muted">Its lineage belongs to the request that started it, which you may not read (its requester, its approvers and auditors may).</p>
    }
    if (props.error instanceof ApiError && props.error.code === 'policy_denied') {
      return <p className="muted" data-testid="lineage-denied">You may not read this environment&apos;s lineage (<code>lineage:read</code>).</p>
    }
    return <ErrorBox title="The lineage could not be loaded." error={props.error} onRetry={props.onRetry} />
  }
  if (!data.enabled && data.events.length === 0) {
    return <p className="muted" data-testid="lineage-none">No lineage: this environment has none (no <code>lineage.endpoints</code> entry takes it and <code>lineage.environments</code> does not name it), so Conductor records no OpenLineage run for its triggers.</p>
  }
  const notThroughConductor = data.requestId === null
  return (
    <>
      {data.startedBy
        ? <p data-testid="lineage-started-by"><StartedBySentence person={data.startedBy} /></p>
        : notThroughConductor
          ? <p className="muted" data-testid="lineage-no-person">Not started through Conductor (a scheduled run, or one started in Airflow itself): no person and no policy decision are joined to it.</p>
          : <p className="muted">Conductor emitted no run for this request (nothing was dispatched to Airflow).</p>}
      {data.run && <p className="muted small">OpenLineage run <code>{data.run.runId}</code> ({data.run.name}){data.run.outcome ? `: ${data.run.outcome}` : ', open'}, started <Time value={data.run.startedAt} />.</p>}
      {data.reruns.length > 0 && (
        <ul className="plain spaced" aria-label="Reruns" data-testid="lineage-reruns">
          {data.reruns.map((r) => (
            <li key={r.requestId} data-rerun={r.requestId}>
              <StartedBySentence person={r.by} />, <Time value={r.run.startedAt} /> (<Link href={`/requests/${encodeURIComponent(r.requestId)}`}>request</Link>)
            </li>
          ))}
        </ul>
      )}
      {data.tasks.length === 0
        ? <Empty><p data-testid="lineage-none"><strong>No events from Airflow yet.</strong> Airflow&apos;s OpenLineage provider posts each task&apos;s events to Conductor (<code>POST /api/v1/lineage</code>) as the tasks run.</p></Empty>
        : (
          <table className="grid" aria-label="Lineage by task">
            <thead><tr><th scope="col">Task</th><th scope="col">State</th><th scope="col">Last event</th><th scope="col">Reads</th><th scope="col">Writes</th>{data.reruns.length > 0 && <th scope="col">Last run by</th>}</tr></thead>
            <tbody>
              {data.tasks.map((t) => (
                <tr key={t.job} data-lineage-task={t.task ?? t.job}>
                  <td><code>{t.task ?? t.job}</code>{t.task === null && <span className="muted small"> (DAG run)</span>}</td>
                  <td><StateBadge state={eventState(t.eventType)} /></td>
                  <td><Time value={t.lastEventAt} /></td>
                  <td><DatasetLinks datasets={t.inputs} /></td>
                  <td><DatasetLinks datasets={t.outputs} /></td>
                  {data.reruns.length > 0 && <td>{ranBy(data, t.requestId)}</td>}
                </tr>
              ))}
            </tbody>
          </table>
        )}
    </>
  )
}
