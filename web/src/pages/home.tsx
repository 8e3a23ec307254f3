import { api, query, type EnvironmentList, type EnvironmentView } from '../api.ts'
import { Link } from '../router.tsx'
import { Empty, ErrorBox, Loading, PageHeader, Time, useApi } from '../ui.tsx'

/** Home: the environments the person can see, with their health and compliance zone. */
export function HomePage() {
  const envs = useApi('environments', (signal) => api<EnvironmentList>('/environments', { signal }))
  return (
    <section>
      <PageHeader title="Environments">
        <p className="lead">The Airflow deployments you may see, their health and compliance zone. Open one to see its DAGs.</p>
      </PageHeader>
      <div className="toolbar"><button type="button" onClick={() => envs.reload()} disabled={envs.loading}>Refresh</button></div>
      {envs.loading && !envs.data && <Loading what="environments" />}
      {envs.error != null && <ErrorBox title="The environments could not be loaded." error={envs.error} onRetry={() => envs.reload()} />}
      {envs.data && envs.data.environments.length === 0 && (
        <Empty>
          <p><strong>No environments to show.</strong> Either none is configured, or policy lets you read none of them
            (<code>environment:read</code>). Ask a platform administrator to add you to a group that may, then refresh.</p>
        </Empty>
      )}
      {envs.data && envs.data.environments.length > 0 && (
        <div className="cards">
          {envs.data.environments.map((env) => <EnvironmentCard key={env.name} env={env} />)}
        </div>
      )}
    </section>
  )
}

function EnvironmentCard(props: { env: EnvironmentView }) {
  const { env } = props
  const s = env.status
  const health = s === null ? { label: 'not checked yet', cls: 'unknown' } : s.reachable ? { label: 'reachable', cls: 'ok' } : { label: 'unreachable', cls: 'bad' }
  return (
    <article className="card env" aria-labelledby={`env-${env.name}`}>
      <h2 id={`env-${env.name}`}><Link href={`/dags${query({ environment: env.name })}`}>{env.name}</Link></h2>
      <p><span className={`health ${health.cls}`}>{health.label}</span> <span className="zone" title="compliance zone">zone {env.zone}</span></p>
      <dl className="facts">
        <dt>Airflow</dt><dd>{s?.version ?? <span className="muted">unknown</span>} <span className="muted">({env.kind})</span></dd>
        <dt>Tier</dt><dd>{env.tier}</dd>
        <dt>Team</dt><dd>{env.team ?? <span className="muted">—</span>}</dd>
        <dt>DAGs in Airflow</dt><dd>{s ? s.dagCount : <span className="muted">—</span>}</dd>
        <dt>Last catalog sync</dt><dd><Time value={s?.lastSyncAt} /></dd>
        <dt>Checked</dt><dd><Time value={s?.checkedAt} /></dd>
      </dl>
      {s?.lastError && <p className="error-inline" role="note">Last error: {s.lastError}</p>}
      <p><Link href={`/dags${query({ environment: env.name })}`}>Browse DAGs in {env.name} →</Link></p>
      <p><Link href={`/environments/${encodeURIComponent(env.name)}/shadow`}>Shadow activity in {env.name} →</Link></p>
    </article>
  )
}
