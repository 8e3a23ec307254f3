import type { Kysely } from 'kysely'
import type { z } from 'zod'
import type { AuditEventInput } from '../../audit/index.ts'
import type { EnvironmentConfig } from '../../config/index.ts'
import { ConductorError } from '../../core/index.ts'
import type { Principal } from '../../identity/index.ts'
import type { PolicyEngine } from '../../policy/index.ts'
import { authorizationRequest } from '../targets.ts'
import { endpointsFor, eventKey, recordEvent, type LineageEndpoint } from './emit.ts'
import { CONDUCTOR_FACET_KEY, type ConductorFacet } from './identity-facet.ts'
import { findRunByRunId, findRunOfAirflowRun, hasEvent } from './lineage.repository.ts'
import type { LineageRunsTable, LineageTables } from './lineage.tables.ts'
import { airflowRunOf, datasetTags, parentOf, runEventSchema, type RunEvent } from './openlineage.ts'
import type { WrittenDataset } from './writes-index.ts'

/** What `POST /api/v1/lineage` did with an event. */
export interface ReceivedEvent {
  /** False when the same event (run id, type, time, job) was stored before: nothing was done again. */
  stored: boolean
  runId: string
  environment: string
  /**
   * The request the event is joined to: the newest rerun through Conductor of its Airflow run started by the event's
   * time, else the trigger that created the run (its parent is Conductor's run for it); null when none.
   */
  requestId: string | null
  /** The endpoints it is forwarded to. */
  forwardedTo: string[]
}

/** Dependencies of {@link receiveEvent}. */
export interface IntakeDeps {
  db: Kysely<LineageTables>
  policy: Pick<PolicyEngine, 'authorize'>
  endpoints: readonly LineageEndpoint[]
  /** The environments governed now, by name (a live view). */
  environments: () => ReadonlyMap<string, EnvironmentConfig>
  now: () => string
  id: (now: string) => string
  /** Writes in one transaction with the audit events (the audit log's group commit). */
  committed: (events: AuditEventInput[], write: (db: Kysely<LineageTables>) => Promise<void>) => Promise<void>
  /** Told, once the event is stored, what the DAG it belongs to wrote (the writes index of this replica). */
  wrote?: (environment: string, dagId: string, outputs: WrittenDataset[]) => void
}

/** The JSON path of a zod issue: `run.runId`, `inputs[0].name`. */
function fieldOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key), '') || '(event)'
}

/** Parses an OpenLineage RunEvent; `lineage_event_invalid` naming the first bad field (`details.field`) otherwise. */
export function parseRunEvent(body: unknown): RunEvent {
  const parsed = runEventSchema.safeParse(body)
  if (parsed.success) return parsed.data
  const issue = (parsed.error as z.ZodError).issues[0]!
  const field = fieldOf(issue.path)
  throw new ConductorError('lineage_event_invalid', `not an OpenLineage RunEvent (spec 2-0-2): ${field}: ${issue.message}`, { details: { field } })
}

/**
 * `event` as Conductor forwards it: with Conductor's identity facet `facet` in its run facets, or, without one (not
 * joined to a request), with none: a `conductor` facet the sender put there is dropped, so only Conductor speaks for it.
 */
export function enriched(event: RunEvent, facet: ConductorFacet | null): RunEvent {
  const { [CONDUCTOR_FACET_KEY]: _sent, ...facets } = event.run.facets ?? {}
  if (facet === null && _sent === undefined) return event
  return { ...event, run: { ...event.run, facets: facet ? { ...facets, [CONDUCTOR_FACET_KEY]: { ...facet } } : facets } }
}

/**
 * Receives one event from an OpenLineage HTTP transport: validates it, finds its environment (`environment`, else
 * the event's job namespace), asks policy whether `principal` may `lineage:write` there, joins it to a request, and
 * stores it and puts it (with the `conductor` facet when joined) in the outbox, in one transaction with its audit event.
 * @throws ConductorError `lineage_event_invalid` (nothing stored), `environment_not_found`, `policy_denied`.
 */
export async function receiveEvent(deps: IntakeDeps, principal: Principal, body: unknown, options: { environment?: string | undefined }): Promise<ReceivedEvent> {
  const event = parseRunEvent(body)
  const name = options.environment ?? event.job.namespace
  const env = deps.environments().get(name)
  if (!env) {
    throw new ConductorError('environment_not_found', `no environment "${name}" (named by ${options.environment ? 'the environment parameter' : 'the event\'s job namespace'})`, {
      details: { environment: name, field: options.environment ? 'environment' : 'job.namespace' },
    })
  }
  const decision = deps.policy.authorize(authorizationRequest(principal, 'lineage:write', env, null))
  if (decision.decision !== 'allow') {
    throw new ConductorError('policy_denied', `lineage:write on environment "${env.name}" is not allowed`, { details: { action: 'lineage:write', environment: env.name, reasons: decision.reasons } })
  }
  const parent = parentOf(event)
  const airflowRun = airflowRunOf(event)
  // The parent names the trigger's run; a rerun of that Airflow run since then is who caused this event.
  const byParent: LineageRunsTable | undefined = parent ? await findRunByRunId(deps.db, [parent.runId, ...(parent.rootRunId ? [parent.rootRunId] : [])]) : undefined
  const airflowRunId = airflowRun?.runId ?? byParent?.run_id ?? null
  const run = (airflowRunId !== null
    ? await findRunOfAirflowRun(deps.db, env.name, airflowRun?.dagId ?? byParent?.dag_id ?? null, airflowRunId, new Date(event.eventTime).toISOString())
    : undefined) ?? byParent
  const endpoints = endpointsFor(deps.endpoints, env.name)
  const duplicate = { stored: false, runId: event.run.runId, environment: env.name, requestId: run?.request_id ?? null, forwardedTo: [] }
  if (await hasEvent(deps.db, eventKey(event))) return duplicate
  const now = deps.now()
  const forward = enriched(event, run ? JSON.parse(run.facet) as ConductorFacet : null)
  let stored = false
  const dagId = airflowRun?.dagId ?? run?.dag_id ?? null
  await deps.committed([{
    type: 'lineage.received', principal: principal.id, principalType: principal.type, environment: env.name, dag: dagId,
    requestId: run?.request_id ?? null,
    data: { runId: event.run.runId, eventType: event.eventType ?? null, job: `${event.job.namespace}/${event.job.name}`, parentRunId: parent?.runId ?? null },
  }], async (db) => {
    stored = await recordEvent(db, event, {
      source: 'intake', environment: env.name, dagId, airflowRunId: airflowRun?.runId ?? run?.run_id ?? null, requestId: run?.request_id ?? null, parentRunId: parent?.runId ?? null, principalId: principal.id,
    }, { endpoints, now, id: deps.id, forward })
  })
  if (stored && dagId !== null && event.outputs?.length) {
    deps.wrote?.(env.name, dagId, event.outputs.map((d) => ({ namespace: d.namespace, name: d.name, tags: datasetTags(d) })))
  }
  return { stored, runId: event.run.runId, environment: env.name, requestId: run?.request_id ?? null, forwardedTo: stored ? endpoints.map((e) => e.name) : [] }
}
