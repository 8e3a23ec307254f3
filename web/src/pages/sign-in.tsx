import type { ApiError } from '../api.ts'
import { query } from '../api.ts'

/** Shown when there is no session: one way in, through the organisation's identity provider. */
export function SignInPage(props: { returnTo: string; reason: ApiError | null }) {
  const returnTo = props.returnTo.startsWith('/') && !props.returnTo.startsWith('//') ? props.returnTo : '/'
  const ended = props.reason
    ? props.reason.code === 'session_expired' ? 'Your session expired.'
      : props.reason.code === 'session_revoked' ? 'Your session was ended by the identity provider (for example, your account or a group changed).'
        : 'Your session has ended.'
    : null
  return (
    <main className="centered" id="main">
      <section className="card signin">
        <h1>Airflow Conductor</h1>
        <p>The identity-aware control plane in front of Airflow: see and run the DAGs policy allows you, with every action on the audit trail.</p>
        {ended && <p className="notice" role="status">{ended} Sign in again to continue. <span className="muted">({props.reason!.code})</span></p>}
        <p><a className="button primary" href={`/auth/login${query({ returnTo })}`}>Sign in with your identity provider</a></p>
        <p className="muted small">You will be sent to your organisation&apos;s sign-in page and brought back here.</p>
      </section>
    </main>
  )
}
