import { useCallback, useEffect, useRef, useState } from 'react'
import { ApiError, api, call, setCsrfToken, setSessionEndedHandler, type HitlInbox, type LineageDatasetList, type LogoutResult, type RequestList, type ReviewItemList, type Session } from './api.ts'
import { Link, segments, useLocation } from './router.tsx'
import { ErrorBox, Loading, useApi } from './ui.tsx'
import { AccessPage } from './pages/access.tsx'
import { ApprovalsPage } from './pages/approvals.tsx'
import { MyAccessPage } from './pages/my-access.tsx'
import { RequestPage } from './pages/request.tsx'
import { onInboxChanged } from './requests.ts'
import { AuditPage } from './pages/audit.tsx'
import { ShadowPage } from './pages/shadow.tsx'
import { CatalogPage } from './pages/catalog.tsx'
import { DagPage } from './pages/dag.tsx'
import { DatasetPage } from './pages/dataset.tsx'
import { DatasetsPage } from './pages/datasets.tsx'
import { HomePage } from './pages/home.tsx'
import { PoliciesPage } from './pages/policies.tsx'
import { RunPage } from './pages/run.tsx'
import { ServiceAccountPage } from './pages/service-account.tsx'
import { ServiceAccountsPage } from './pages/service-accounts.tsx'
import { LinksPage } from './pages/links.tsx'
import { SchedulesPage } from './pages/schedules.tsx'
import { MyReviewsPage } from './pages/my-reviews.tsx'
import { ReviewCampaignPage } from './pages/review-campaign.tsx'
import { ReviewsPage } from './pages/reviews.tsx'
import { SignInPage } from './pages/sign-in.tsx'

type SessionState =
  | { state: 'loading' }
  | { state: 'signed-out'; reason: ApiError | null }
  | { state: 'error'; error: unknown }
  | { state: 'signed-in'; session: Session }

/** The console: the session, the layout and the pages. */
export function App() {
  const [session, setSession] = useState<SessionState>({ state: 'loading' })
  const location = useLocation()

  const load = useCallback(async () => {
    try {
      const current = await call<Session>('/auth/session')
      setCsrfToken(current.csrfToken)
      setSession({ state: 'signed-in', session: current })
    } catch (error) {
      setCsrfToken(null)
      if (error instanceof ApiError && error.status === 401) setSession({ state: 'signed-out', reason: null })
      else setSession({ state: 'error', error })
    }
  }, [])

  useEffect(() => {
    void load()
    setSessionEndedHandler((error) => {
      setCsrfToken(null)
      setSession({ state: 'signed-out', reason: error })
    })
    return () => setSessionEndedHandler(null)
  }, [load])

  if (session.state === 'loading') return <main className="centered"><Loading what="your session" /></main>
  if (session.state === 'error') {
    return <main className="centered"><ErrorBox title="Conductor could not tell whether you are signed in." error={session.error} onRetry={() => void load()} /></main>
  }
  if (session.state === 'signed-out') return <SignInPage returnTo={location.href} reason={session.reason} />
  return <Layout session={session.session} path={location.path} search={location.search} onSignedOut={() => setSession({ state: 'signed-out', reason: null })} />
}

/** A nav entry; `needs: 'lineage'` shows it only to whoever may read some environment's lineage. */
interface NavItem { href: string; label: string; match: (p: string) => boolean; needs?: 'lineage' }

const NAV: NavItem[] = [
  { href: '/', label: 'Environments', match: (p: string) => p === '/' },
  { href: '/dags', label: 'DAG catalog', match: (p: string) => p === '/dags' || p.startsWith('/environments/') },
  { href: '/audit', label: 'Audit', match: (p: string) => p.startsWith('/audit') },
  { href: '/shadow', label: 'Shadow activity', match: (p: string) => p.startsWith('/shadow') || /^\/environments\/[^/]+\/shadow$/.test(p) },
  { href: '/policies', label: 'Policies', match: (p: string) => p.startsWith('/policies') },
  { href: '/approvals', label: 'Approvals', match: (p: string) => p.startsWith('/approvals') || p.startsWith('/requests/') },
  { href: '/schedules', label: 'Schedules', match: (p: string) => p.startsWith('/schedules') },
  { href: '/links', label: 'Links', match: (p: string) => p.startsWith('/links') },
  { href: '/lineage/datasets', label: 'Lineage', match: (p: string) => p.startsWith('/lineage'), needs: 'lineage' },
  { href: '/reviews', label: 'Reviews', match: (p: string) => p.startsWith('/reviews') },
  { href: '/my-reviews', label: 'My reviews', match: (p: string) => p === '/my-reviews' },
  { href: '/service-accounts', label: 'Service accounts', match: (p: string) => p.startsWith('/service-accounts') },
  { href: '/me', label: 'My access', match: (p: string) => p === '/me' },
]

/** How often the nav counts what waits for the person. */
const INBOX_POLL_MS = 15_000

/**
 * A number of things waiting for the person, counted again on every navigation, every {@link INBOX_POLL_MS} and after
 * a decision ({@link onInboxChanged}); null until known, or while `count` fails.
 */
function useWaitingCount(path: string, count: (signal: AbortSignal) => Promise<number>): number | null {
  const [value, setValue] = useState<number | null>(null)
  const [tick, setTick] = useState(0)
  const countRef = useRef(count)
  countRef.current = count
  useEffect(() => onInboxChanged(() => setTick((t) => t + 1)), [])
  useEffect(() => {
    const timer = setInterval(() => { if (!document.hidden) setTick((t) => t + 1) }, INBOX_POLL_MS)
    return () => clearInterval(timer)
  }, [])
  useEffect(() => {
    const controller = new AbortController()
    countRef.current(controller.signal).then(
      (n) => { if (!controller.signal.aborted) setValue(n) },
      () => {},
    )
    return () => controller.abort()
  }, [path, tick])
  return value
}

/** The requests and Airflow HITL tasks waiting for the person's decision; HITL tasks count only when that endpoint answers. */
async function inboxCount(signal: AbortSignal): Promise<number> {
  const [requests, hitl] = await Promise.allSettled([
    api<RequestList>('/requests?toApprove=true&limit=100', { signal }),
    api<HitlInbox>('/hitl', { signal }),
  ])
  if (requests.status === 'rejected') throw requests.reason
  return requests.value.requests.length + (hitl.status === 'fulfilled' ? hitl.value.tasks.length : 0)
}

/** The access review items waiting for the person's decision. */
async function reviewCount(signal: AbortSignal): Promise<number> {
  return (await api<ReviewItemList>('/reviews/mine', { signal })).items.length
}

/** A nav item's count badge, read out as ", N waiting for you". */
function WaitingBadge(props: { count: number | null; testId: string }) {
  if (props.count === null || props.count === 0) return null
  return <span className="count" data-testid={props.testId} aria-label={`, ${props.count} waiting for you`}>{props.count}</span>
}

function Layout(props: { session: Session; path: string; search: URLSearchParams; onSignedOut: () => void }) {
  const { principal } = props.session
  const [signingOut, setSigningOut] = useState<{ error: unknown } | 'busy' | null>(null)
  const inbox = useWaitingCount(props.path, inboxCount)
  const reviews = useWaitingCount(props.path, reviewCount)
  // Whether policy lets the person read some environment's lineage (`lineage:read`): the Lineage entry shows then only.
  const lineage = useApi(`lineage-nav:${principal.type}:${principal.id}`, (signal) => api<LineageDatasetList>('/lineage/datasets?limit=1', { signal }))
  const shown = NAV.filter((item) => item.needs !== 'lineage' || (lineage.data?.environments.length ?? 0) > 0)
  const signOut = async () => {
    setSigningOut('busy')
    try {
      const { redirectTo } = await call<LogoutResult>('/auth/logout', { method: 'POST' })
      setCsrfToken(null)
      window.location.assign(redirectTo || '/')
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        props.onSignedOut()
        return
      }
      setSigningOut({ error })
    }
  }
  return (
    <>
      <a className="skip" href="#main">Skip to content</a>
      <header className="topbar">
        <Link href="/" className="brand">Airflow Conductor</Link>
        <nav aria-label="Main">
          <ul>
            {shown.map((item) => (
              <li key={item.href}>
                <Link href={item.href} aria-current={item.match(props.path) ? 'page' : undefined}>
                  {item.label}
                  {item.href === '/approvals' && <WaitingBadge count={inbox} testId="inbox-count" />}
                  {item.href === '/my-reviews' && <WaitingBadge count={reviews} testId="reviews-count" />}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="whoami">
          <span data-testid="whoami" title={principal.email ?? undefined}>
            {principal.displayName ?? principal.username ?? principal.id}
            <span className="muted"> · {principal.groups.length ? principal.groups.join(', ') : 'no groups'}</span>
          </span>
          <button type="button" onClick={() => void signOut()} disabled={signingOut === 'busy'}>{signingOut === 'busy' ? 'Signing out…' : 'Sign out'}</button>
        </div>
      </header>
      {signingOut && signingOut !== 'busy' && <div className="banner"><ErrorBox title="Signing out failed." error={signingOut.error} /></div>}
      <main id="main" tabIndex={-1}>
        <Page path={props.path} search={props.search} session={props.session} />
      </main>
    </>
  )
}

function Page(props: { path: string; search: URLSearchParams; session: Session }) {
  const parts = segments(props.path)
  if (parts.length === 0) return <HomePage />
  if (parts[0] === 'dags' && parts.length === 1) return <CatalogPage search={props.search} />
  if (parts[0] === 'audit' && parts.length === 1) return <AuditPage search={props.search} />
  if (parts[0] === 'shadow' && parts.length === 1) return <ShadowPage search={props.search} />
  if (parts[0] === 'environments' && parts[2] === 'shadow' && parts.length === 3) return <ShadowPage search={new URLSearchParams({ environment: parts[1]! })} />
  if (parts[0] === 'policies' && parts.length === 1) return <PoliciesPage />
  if (parts[0] === 'approvals' && parts.length === 1) return <ApprovalsPage />
  if (parts[0] === 'requests' && parts.length === 2) return <RequestPage id={parts[1]!} session={props.session} />
  if (parts[0] === 'schedules' && parts.length === 1) return <SchedulesPage />
  if (parts[0] === 'links' && parts.length === 1) return <LinksPage />
  if (parts[0] === 'lineage' && parts[1] === 'datasets' && parts.length === 2) return <DatasetsPage search={props.search} />
  if (parts[0] === 'lineage' && parts[1] === 'datasets' && parts[2] === 'view' && parts.length === 3) return <DatasetPage search={props.search} />
  if (parts[0] === 'reviews' && parts.length === 1) return <ReviewsPage search={props.search} />
  if (parts[0] === 'reviews' && parts.length === 2) return <ReviewCampaignPage id={parts[1]!} session={props.session} />
  if (parts[0] === 'my-reviews' && parts.length === 1) return <MyReviewsPage session={props.session} />
  if (parts[0] === 'service-accounts' && parts.length === 1) return <ServiceAccountsPage session={props.session} search={props.search} />
  if (parts[0] === 'service-accounts' && parts.length === 2) return <ServiceAccountPage name={parts[1]!} />
  if (parts[0] === 'me' && parts.length === 1) return <MyAccessPage session={props.session} />
  if (parts[0] === 'environments' && parts[2] === 'dags' && parts.length >= 4) {
    const env = parts[1]!
    const dag = parts[3]!
    if (parts.length === 4) return <DagPage environment={env} dagId={dag} session={props.session} />
    if (parts.length === 5 && parts[4] === 'access') return <AccessPage environment={env} dagId={dag} />
    if (parts.length === 6 && parts[4] === 'runs') return <RunPage environment={env} dagId={dag} runId={parts[5]!} />
  }
  if (parts[0] === 'environments' && parts.length === 2) return <CatalogPage search={new URLSearchParams({ environment: parts[1]! })} />
  return (
    <section>
      <h1>Page not found</h1>
      <p>The console has no page at <code>{props.path}</code>. Start from the <Link href="/dags">DAG catalog</Link>.</p>
    </section>
  )
}
