import { useId, useMemo, useState, type FormEvent } from 'react'
import { api, dagPath, type DagList, type EnvironmentList, type ScheduleAnswer, type ScheduleFindings, type ScheduleList, type ScheduleView } from '../api.ts'
import { Link } from '../router.tsx'
import { Empty, ErrorBox, Loading, PageHeader, PostButton, Relative, StateBadge, Time, errorField, shortSpan, useApi } from '../ui.tsx'

/** What to try when creating or changing a schedule is refused, beyond the general hints. */
const SCHEDULE_HINTS: Readonly<Record<string, string>> = {
  schedule_owner_not_allowed: 'A schedule triggers as its owner, so its owner must be allowed to trigger the DAG now (and be someone Conductor has seen). Choose another owner or DAG.',
  policy_denied: 'Policy does not let you do this with schedules of this owner: people manage the schedules they own, platform administrators every one.',
  schedule_not_found: 'It may have been deleted meanwhile, or you may not see it. Refresh the list.',
}

/** How a schedule's owner reads: "person alice", "service account etl-bot". */
export function ScheduleOwnerText(props: { owner: ScheduleView['owner'] }) {
  const kind = props.owner.type === 'User' ? 'person' : props.owner.type === 'Agent' ? 'agent' : 'service account'
  return <span>{kind} <strong>{props.owner.id}</strong></span>
}

/** A schedule's timing in words: the cron expression with its time zone, or "every 1h 0m". */
export function timingText(s: Pick<ScheduleView, 'cron' | 'timezone' | 'intervalSeconds'>): string {
  if (s.cron !== null) return `${s.cron} (${s.timezone ?? 'UTC'})`
  return `every ${shortSpan(s.intervalSeconds ?? 0)}`
}

/** "Schedules": the owned schedules the person may see, with their firings, Suspend/Resume/Delete, and a form to create one. */
export function SchedulesPage() {
  const schedules = useApi('schedules', (signal) => api<ScheduleList>('/schedules', { signal }))
  const [created, setCreated] = useState<ScheduleView | null>(null)
  const [deleted, setDeleted] = useState<ScheduleView | null>(null)
  return (
    <section>
      <PageHeader title="Schedules">
        <p className="lead">
          An owned schedule triggers a DAG on a cron expression or an interval, as its owner: every firing goes through policy, approval
          and audit like a trigger of theirs. It stops (suspended) when its owner loses access or may no longer trigger the DAG.
        </p>
      </PageHeader>
      <section aria-labelledby="schedules-h">
        <div className="section-head">
          <h2 id="schedules-h">Owned schedules</h2>
          <button type="button" onClick={() => schedules.reload()} disabled={schedules.loading}>Refresh</button>
        </div>
        {deleted && <p className="success" role="status">Deleted the schedule of <strong>{deleted.environment}/{deleted.dagId}</strong> ({timingText(deleted)}).</p>}
        {schedules.loading && !schedules.data && <Loading what="schedules" />}
        {schedules.error != null && <ErrorBox title="The schedules could not be loaded." error={schedules.error} onRetry={() => schedules.reload()} />}
        {schedules.data && schedules.data.schedules.length === 0 && (
          <Empty>
            <p><strong>No schedule you may see.</strong></p>
            <p>Schedules are shown to their owner, platform administrators and auditors. Create one below, or with <code>conductor schedules create ENV/DAG --cron CRON</code>.</p>
          </Empty>
        )}
        {schedules.data && schedules.data.schedules.length > 0 && (
          <SchedulesTable
            schedules={schedules.data.schedules} onChanged={() => schedules.reload(true)}
            onDeleted={(s) => { setDeleted(s); setCreated(null); schedules.reload(true) }}
          />
        )}
      </section>
      {created && (
        <p className="success" role="status">
          Created a schedule of <strong>{created.environment}/{created.dagId}</strong> ({timingText(created)}), firing next <Time value={created.nextFireAt} />.
        </p>
      )}
      <CreateScheduleForm onCreated={(s) => { setCreated(s); setDeleted(null); schedules.reload(true) }} />
    </section>
  )
}

function SchedulesTable(props: { schedules: ScheduleView[]; onChanged(): void; onDeleted(s: ScheduleView): void }) {
  return (
    <table className="grid" aria-label="Schedules">
      <thead>
        <tr>
          <th scope="col">DAG</th><th scope="col">Owner</th><th scope="col">Timing</th><th scope="col">Next firing</th><th scope="col">Last firing</th>
          <th scope="col">State</th><th scope="col"><span className="sr-only">Actions</span></th>
        </tr>
      </thead>
      <tbody>
        {props.schedules.map((s) => (
          <tr key={s.id} data-schedule={s.id}>
            <td>
              <Link href={dagPath(s.environment, s.dagId)}>{s.environment}/{s.dagId}</Link>
              {s.description && <><br /><span className="muted small">{s.description}</span></>}
            </td>
            <td data-testid="schedule-owner"><ScheduleOwnerText owner={s.owner} /></td>
            <td data-testid="schedule-timing"><code>{timingText(s)}</code></td>
            <td data-testid="schedule-next">{s.nextFireAt ? <><Time value={s.nextFireAt} /><br /><span className="muted small"><Relative value={s.nextFireAt} /></span></> : <span className="muted">not while suspended</span>}</td>
            <td data-testid="schedule-last">
              {s.lastFiredAt ? <><Relative value={s.lastFiredAt} />{s.lastRequestId && <> · <Link href={`/requests/${encodeURIComponent(s.lastRequestId)}`}>request</Link></>}</> : <span className="muted">none yet</span>}
            </td>
            <td data-testid="schedule-state"><StateBadge state={s.state} />{s.suspendedReason && <><br /><span className="muted small">{s.suspendedReason.replace(/_/g, ' ')}</span></>}</td>
            <td className="actions">
              <SuspendResume schedule={s} onChanged={props.onChanged} />
              {' '}<DeleteButton schedule={s} onDeleted={() => props.onDeleted(s)} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function SuspendResume(props: { schedule: ScheduleView; onChanged(): void }) {
  const s = props.schedule
  const suspend = s.state === 'active'
  return (
    <PostButton
      path={`/schedules/${encodeURIComponent(s.id)}/${suspend ? 'suspend' : 'resume'}`} text={suspend ? 'Suspend' : 'Resume'} busyText={suspend ? 'Suspending…' : 'Resuming…'}
      label={`${suspend ? 'Suspend' : 'Resume'} schedule of ${s.environment}/${s.dagId}`} failed={`The schedule could not be ${suspend ? 'suspended' : 'resumed'}.`} onDone={props.onChanged}
    />
  )
}

/** "Delete", then "Delete for good" / "Keep" before the DELETE is sent. */
function DeleteButton(props: { schedule: ScheduleView; onDeleted(): void }) {
  const s = props.schedule
  const [asking, setAsking] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const remove = async () => {
    setBusy(true)
    setError(null)
    try {
      await api<ScheduleAnswer>(`/schedules/${encodeURIComponent(s.id)}`, { method: 'DELETE' })
      props.onDeleted()
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
      setAsking(false)
    }
  }
  return (
    <>
      {!asking && <button type="button" className="danger" onClick={() => setAsking(true)} aria-label={`Delete schedule of ${s.environment}/${s.dagId}`}>Delete</button>}
      {asking && (
        <span role="group" aria-label="Confirm deletion">
          <button type="button" className="danger" onClick={() => void remove()} disabled={busy}>{busy ? 'Deleting…' : 'Delete for good'}</button>
          {' '}<button type="button" onClick={() => setAsking(false)} disabled={busy}>Keep</button>
        </span>
      )}
      {error != null && <ErrorBox title="The schedule could not be deleted." error={error} hints={SCHEDULE_HINTS} />}
    </>
  )
}

/** The IANA time zones the browser knows, for the form's suggestions. */
function timeZones(): string[] {
  try {
    return Intl.supportedValuesOf('timeZone')
  } catch {
    return ['UTC']
  }
}

function CreateScheduleForm(props: { onCreated(schedule: ScheduleView): void }) {
  const id = useId()
  const envs = useApi('environments', (signal) => api<EnvironmentList>('/environments', { signal }))
  const dags = useApi('dags', (signal) => api<DagList>('/dags', { signal }))
  const zones = useMemo(timeZones, [])
  const [environment, setEnvironment] = useState('')
  const [dagId, setDagId] = useState('')
  const [timing, setTiming] = useState<'cron' | 'interval'>('cron')
  const [cron, setCron] = useState('')
  const [timezone, setTimezone] = useState('UTC')
  const [every, setEvery] = useState('3600')
  const [ownerType, setOwnerType] = useState<'User' | 'ServiceAccount' | 'Agent'>('User')
  const [ownerId, setOwnerId] = useState('')
  const [description, setDescription] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const field = errorField(error)
  const invalid = (...names: string[]) => (field !== null && names.includes(field)) || undefined

  const env = environment || envs.data?.environments[0]?.name || ''
  const dagIds = (dags.data?.dags ?? []).filter((d) => d.environment === env).map((d) => d.dagId).sort()

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (busy) return
    setBusy(true)
    setError(null)
    const body = {
      environment: env, dagId: dagId.trim(),
      ...(timing === 'cron' ? { cron: cron.trim(), timezone: timezone.trim() || 'UTC' } : { intervalSeconds: Number(every) }),
      ...(description.trim() ? { description: description.trim() } : {}),
      ...(ownerId.trim() ? { owner: { type: ownerType, id: ownerId.trim() } } : {}),
    }
    try {
      const { schedule } = await api<ScheduleAnswer>('/schedules', { method: 'POST', body })
      setDagId('')
      setCron('')
      setDescription('')
      setOwnerId('')
      props.onCreated(schedule)
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }

  const ready = env !== '' && dagId.trim() !== '' && (timing === 'cron' ? cron.trim() !== '' : every.trim() !== '')
  return (
    <form className="panel" onSubmit={(e) => void submit(e)} aria-labelledby={`${id}-h`} noValidate>
      <h2 id={`${id}-h`}>Create a schedule</h2>
      <fieldset className="choices">
        <legend>Timing</legend>
        <label className="inline"><input type="radio" name={`${id}-timing`} value="cron" checked={timing === 'cron'} onChange={() => setTiming('cron')} /> Cron expression in a time zone</label>
        <label className="inline"><input type="radio" name={`${id}-timing`} value="interval" checked={timing === 'interval'} onChange={() => setTiming('interval')} /> Every so many seconds</label>
      </fieldset>
      <div className="form-grid">
        <label htmlFor={`${id}-env`}>Environment
          <select id={`${id}-env`} value={env} onChange={(e) => setEnvironment(e.target.value)} aria-invalid={invalid('environment')}>
            {(envs.data?.environments ?? []).map((e) => <option key={e.name} value={e.name}>{e.name}</option>)}
          </select>
        </label>
        <label htmlFor={`${id}-dag`}>DAG
          <input id={`${id}-dag`} type="text" list={`${id}-dags`} value={dagId} onChange={(e) => setDagId(e.target.value)} placeholder="e.g. etl_daily" aria-invalid={invalid('dagId')} />
        </label>
        <datalist id={`${id}-dags`}>{dagIds.map((d) => <option key={d} value={d} />)}</datalist>
        {timing === 'cron' && (
          <>
            <label htmlFor={`${id}-cron`}>Cron
              <input id={`${id}-cron`} type="text" value={cron} onChange={(e) => setCron(e.target.value)} placeholder="e.g. 30 2 * * * or @daily" aria-describedby={`${id}-cron-help`} aria-invalid={invalid('cron')} />
            </label>
            <label htmlFor={`${id}-tz`}>Time zone
              <input id={`${id}-tz`} type="text" list={`${id}-zones`} value={timezone} onChange={(e) => setTimezone(e.target.value)} placeholder="e.g. Europe/Paris" aria-invalid={invalid('timezone')} />
            </label>
            <datalist id={`${id}-zones`}>{zones.map((z) => <option key={z} value={z} />)}</datalist>
          </>
        )}
        {timing === 'interval' && (
          <label htmlFor={`${id}-interval`}>Every (seconds)
            <input id={`${id}-interval`} type="number" min={60} step={1} value={every} onChange={(e) => setEvery(e.target.value)} aria-invalid={invalid('intervalSeconds')} />
          </label>
        )}
        <label htmlFor={`${id}-owner-type`}>Owner is a
          <select id={`${id}-owner-type`} value={ownerType} onChange={(e) => setOwnerType(e.target.value as 'User' | 'ServiceAccount' | 'Agent')}>
            <option value="User">person</option>
            <option value="ServiceAccount">service account</option>
            <option value="Agent">agent</option>
          </select>
        </label>
        <label htmlFor={`${id}-owner`}>Owner (optional)
          <input id={`${id}-owner`} type="text" value={ownerId} onChange={(e) => setOwnerId(e.target.value)} placeholder="you, when left empty" aria-invalid={invalid('owner', 'owner.id', 'owner.type')} />
        </label>
        <label htmlFor={`${id}-description`}>Description
          <input id={`${id}-description`} type="text" value={description} maxLength={500} onChange={(e) => setDescription(e.target.value)} aria-invalid={invalid('description')} />
        </label>
      </div>
      {timing === 'cron' && (
        <p id={`${id}-cron-help`} className="muted small">
          Five fields (minute hour day-of-month month day-of-week) or <code>@hourly</code>, <code>@daily</code>, <code>@weekly</code>, <code>@monthly</code>, <code>@yearly</code>,
          read in the time zone (daylight-saving changes included).
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy || !ready}>{busy ? 'Creating…' : 'Create schedule'}</button>
      </div>
      {error != null && <ErrorBox title="The schedule was not created." error={error} hints={SCHEDULE_HINTS} />}
    </form>
  )
}

/**
 * Who answers for a DAG's schedules, for the DAG page: its active owned schedules (with their timing when the person may
 * read them) and, when Airflow schedules it by itself, its Airflow owners that are principals; "nobody" for an unowned
 * Airflow schedule (the findings of `GET /schedules/findings`).
 */
export function DagScheduleOwners(props: { environment: string; dagId: string; airflowSchedule: string | null }) {
  const { environment, dagId } = props
  const findings = useApi('schedule-findings', (signal) => api<ScheduleFindings>('/schedules/findings', { signal }))
  const own = useApi(`schedules:${environment}/${dagId}`, (signal) => api<ScheduleList>(`/schedules?environment=${encodeURIComponent(environment)}&dagId=${encodeURIComponent(dagId)}`, { signal }))
  if ((findings.loading && !findings.data) || (own.loading && !own.data)) return <span className="muted">…</span>
  const entry = findings.data?.scheduled.find((d) => d.environment === environment && d.dagId === dagId) ?? null
  const readable = new Map((own.data?.schedules ?? []).map((s) => [s.id, s]))
  const owned: { key: string; owner: ScheduleView['owner']; schedule: ScheduleView | null }[] = entry
    ? entry.ownedBy.map((o) => ({ key: o.scheduleId, owner: o.owner, schedule: readable.get(o.scheduleId) ?? null }))
    : [...readable.values()].filter((s) => s.state === 'active').map((s) => ({ key: s.id, owner: s.owner, schedule: s }))
  const airflowOwners = entry?.ownerPrincipals ?? []
  const scheduled = props.airflowSchedule !== null && props.airflowSchedule !== '' && props.airflowSchedule !== 'None'
  if (owned.length === 0 && airflowOwners.length === 0) {
    return scheduled
      ? <span><span className="pill severity-warning">nobody</span> Airflow schedules it and no principal answers for it. <Link href="/schedules">Create an owned schedule →</Link></span>
      : <span className="muted">no owned schedule</span>
  }
  return (
    <ul className="plain">
      {owned.map((o) => (
        <li key={o.key}>
          <ScheduleOwnerText owner={o.owner} /> <span className="muted">via a Conductor schedule</span>
          {o.schedule && <> <code>{timingText(o.schedule)}</code>, next <Relative value={o.schedule.nextFireAt} /></>}
        </li>
      ))}
      {airflowOwners.map((id) => <li key={`airflow:${id}`}><strong>{id}</strong> <span className="muted">as its Airflow owner</span></li>)}
      <li><Link href="/schedules">Schedules →</Link></li>
    </ul>
  )
}
