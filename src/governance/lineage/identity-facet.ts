import { createHash } from 'node:crypto'

/** The job namespace of Conductor's own runs (one per request). */
export const CONDUCTOR_NAMESPACE = 'conductor'
/** The `producer` of Conductor's events and the `_producer` of its facets. */
export const CONDUCTOR_PRODUCER = 'https://github.com/airflow-conductor/airflow-conductor'
/** The `_schemaURL` of the `conductor` run facet (docs/lineage.md). */
export const CONDUCTOR_FACET_SCHEMA_URL = 'https://github.com/airflow-conductor/airflow-conductor/blob/main/docs/lineage.md#the-conductor-run-facet'
/** The key of Conductor's identity facet in `run.facets`. */
export const CONDUCTOR_FACET_KEY = 'conductor'

/** Fixed namespace of the v5 UUIDs Conductor derives from request ids (a random UUID, chosen once; never change it). */
const REQUEST_RUN_NAMESPACE = '6f1c0a4e-2b9d-4e8a-9c53-1d7b0f2a8e61'

/**
 * Who ran what, why it was allowed: the `conductor` run facet of Conductor's events, and the facet Conductor adds to
 * the events it forwards from Airflow. Never holds a token or a secret.
 */
export interface ConductorFacet {
  _producer: string
  _schemaURL: string
  principal: { type: string; id: string }
  groups: string[]
  /**
   * What the request did to the run: `dag:trigger` (started it) or `dag:rerun` (cleared its tasks to run again).
   * Absent from facets stored before it was added: those are triggers'.
   */
  action?: string
  requestId: string
  decision: string
  policyIds: string[]
  approvals: { by: string; at: string }[]
  reason: string | null
  /** The door the request came through: `api` (API, console, CLI), `mcp`, `proxy`, `schedule`, `link`, … */
  via: string
  /** The MCP tool, when `via` is `mcp`. */
  tool: string | null
}

/** The facts of a request a {@link ConductorFacet} is made of. */
export type FacetFacts = Omit<ConductorFacet, '_producer' | '_schemaURL' | 'action'> & { action: string }

/** The `conductor` run facet for `facts`. */
export function conductorFacet(facts: FacetFacts): ConductorFacet {
  return { _producer: CONDUCTOR_PRODUCER, _schemaURL: CONDUCTOR_FACET_SCHEMA_URL, ...facts }
}

/**
 * The OpenLineage run id of request `requestId`: a name-based (v5) UUID, so every retry, replay or restart that
 * emits for one request uses one run id, and Airflow's task events name the same parent.
 */
export function parentRunId(requestId: string): string {
  const namespace = Buffer.from(REQUEST_RUN_NAMESPACE.replace(/-/g, ''), 'hex')
  const bytes = createHash('sha1').update(namespace).update(requestId, 'utf8').digest().subarray(0, 16)
  bytes[6] = (bytes[6]! & 0x0f) | 0x50
  bytes[8] = (bytes[8]! & 0x3f) | 0x80
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** The job name of Conductor's run for an action on a target: `<action>/<environment>/<dag>` (e.g. `dag:trigger/prod/etl_daily`). */
export function conductorJobName(action: string, environment: string, dagId: string | null): string {
  return [action, environment, ...(dagId === null ? [] : [dagId])].join('/')
}

/** The keys Conductor adds under `conf.openlineage`, which the Airflow OpenLineage provider reads as the parent of its events. */
export interface OpenLineageConf {
  parentRunId: string
  parentJobNamespace: string
  parentJobName: string
  rootParentRunId: string
  rootParentJobNamespace: string
  rootParentJobName: string
}

/** Conductor's `conf.openlineage` for its run `runId` of job `jobName`: Conductor is both the parent and the root. */
export function openLineageConf(runId: string, jobName: string): OpenLineageConf {
  return {
    parentRunId: runId, parentJobNamespace: CONDUCTOR_NAMESPACE, parentJobName: jobName,
    rootParentRunId: runId, rootParentJobNamespace: CONDUCTOR_NAMESPACE, rootParentJobName: jobName,
  }
}

/**
 * The conf sent to Airflow: the caller's `conf` with Conductor's `openlineage` keys added where the caller set none.
 * The caller's keys always win: an `openlineage` that is an object keeps every key it has and gains only the missing
 * ones; an `openlineage` that is not an object (null, a string, an array) is left as it is. `conf` itself is not changed (a copy is returned).
 */
export function withOpenLineageConf(conf: Record<string, unknown>, ours: OpenLineageConf): Record<string, unknown> {
  const given = conf.openlineage
  if (given === undefined) return { ...conf, openlineage: { ...ours } }
  if (given === null || typeof given !== 'object' || Array.isArray(given)) return { ...conf }
  return { ...conf, openlineage: { ...ours, ...(given as Record<string, unknown>) } }
}

