import { api, dagPath, type AccessView } from '../api.ts'
import { Link } from '../router.tsx'
import { ACTION_LABELS, Empty, ErrorBox, Loading, PageHeader, useApi } from '../ui.tsx'

/** "Who can run this?": per action, the groups and principals policy allows, and the policies that grant it. */
export function AccessPage(props: { environment: string; dagId: string }) {
  const { environment, dagId } = props
  const path = dagPath(environment, dagId)
  const access = useApi(`access:${path}`, (signal) => api<AccessView>(`${path}/access`, { signal }))
  const crumbs = <><Link href="/dags">DAG catalog</Link> › <Link href={path}>{dagId}</Link> › who can run this</>
  return (
    <section>
      <PageHeader title={<>Who can run <code>{dagId}</code>?</>} crumbs={crumbs}>
        <p className="lead">What the loaded policies allow on this DAG in <strong>{environment}</strong>, per action: the groups and the
          principals named, and the policies that grant it. A forbid policy or a condition on time or request context can still deny a single request.</p>
      </PageHeader>
      {access.loading && !access.data && <Loading what="who may act on this DAG" />}
      {access.error != null && <ErrorBox title="Access could not be worked out." error={access.error} onRetry={() => access.reload()} />}
      {access.data && (
        Object.keys(access.data.actions).length === 0
          ? <Empty><p><strong>No action is granted to anyone</strong> on this DAG. Policy denies by default; a policy author adds a permit in the policy folder.</p></Empty>
          : (
            <table className="grid" aria-label="Who may do what">
              <thead><tr><th scope="col">Action</th><th scope="col">Groups</th><th scope="col">Principals</th></tr></thead>
              <tbody>
                {Object.entries(access.data.actions).map(([action, who]) => (
                  <tr key={action} data-action={action}>
                    <th scope="row">{ACTION_LABELS[action] ?? action} <span className="muted small"><code>{action}</code></span></th>
                    <td>
                      {who.groups.length === 0 ? <span className="muted">no group</span> : (
                        <ul className="plain">{who.groups.map((g) => <li key={g.group}><strong>{g.group}</strong> <span className="muted small">by {g.policyIds.join(', ')}</span></li>)}</ul>
                      )}
                    </td>
                    <td>
                      {who.principals.length === 0 ? <span className="muted">none named</span> : (
                        <ul className="plain">{who.principals.map((p) => <li key={`${p.type}:${p.id}`}>{p.id} <span className="muted small">({p.type}) by {p.policyIds.join(', ')}</span></li>)}</ul>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
      )}
      <p><Link href={path}>← Back to {dagId}</Link> · <Link href="/policies">Read the policies</Link></p>
    </section>
  )
}
