import { z } from 'zod'

/** The OpenLineage spec version Conductor's events and schemas follow. */
export const OPENLINEAGE_SPEC = '2-0-2'
/** The `schemaURL` of a RunEvent of that spec. */
export const RUN_EVENT_SCHEMA_URL = `https://openlineage.io/spec/${OPENLINEAGE_SPEC}/OpenLineage.json#/$defs/RunEvent`

/** The event types a RunEvent may carry. */
export const EVENT_TYPES = ['START', 'RUNNING', 'COMPLETE', 'ABORT', 'FAIL', 'OTHER'] as const

/**
 * A namespace or name Conductor stores in its own columns: no control characters (PostgreSQL text cannot hold NUL;
 * no OpenLineage producer names a job or dataset with one).
 */
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const label = z.string().min(1).max(1024).regex(/^[^\u0000-\u001f\u007f]*$/, 'no control characters')

const uri = z.string().min(1).max(2048).refine((value) => URL.canParse(value), 'a URI')

/** A facet: any object carrying `_producer` and `_schemaURL` (BaseFacet); its other fields are the facet's own. */
const facet = z.looseObject({ _producer: uri, _schemaURL: uri })
const facets = z.record(z.string().min(1).max(200), facet)

/** A dataset of a RunEvent; the spec's `inputFacets` and `outputFacets` belong to inputs and outputs respectively. */
const dataset = z.looseObject({
  namespace: label,
  name: label,
  facets: facets.optional(),
})

/** A RunEvent of the OpenLineage spec 2-0-2, as the Airflow provider's HTTP transport posts it. Unknown fields are kept. */
export const runEventSchema = z.looseObject({
  eventType: z.enum(EVENT_TYPES).optional(),
  eventTime: z.iso.datetime({ offset: true }),
  run: z.looseObject({ runId: z.uuid(), facets: facets.optional() }),
  job: z.looseObject({ namespace: label, name: label, facets: facets.optional() }),
  inputs: z.array(dataset.extend({ inputFacets: facets.optional() })).max(10_000).optional(),
  outputs: z.array(dataset.extend({ outputFacets: facets.optional() })).max(10_000).optional(),
  producer: uri,
  schemaURL: uri,
})

/** One OpenLineage RunEvent. */
export type RunEvent = z.output<typeof runEventSchema>

/** The `parent` run facet: the run that started this one, and the root of the chain. */
export interface ParentRef {
  runId: string
  namespace: string
  name: string
  rootRunId: string | null
}

/** An id a facet gives that Conductor may store and look up: a string of 1–1024 characters, none a control character. */
function wellFormed(value: unknown): value is string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  return typeof value === 'string' && value.length > 0 && value.length <= 1024 && !/[\u0000-\u001f\u007f]/.test(value)
}

/** The parent a RunEvent names in its `parent` run facet, when it names one that is well formed. */
export function parentOf(event: RunEvent): ParentRef | null {
  const parent = event.run.facets?.parent as { run?: { runId?: unknown }; job?: { namespace?: unknown; name?: unknown }; root?: { run?: { runId?: unknown } } } | undefined
  const runId = parent?.run?.runId
  if (!wellFormed(runId)) return null
  const rootRunId = parent?.root?.run?.runId
  return {
    runId, namespace: String(parent?.job?.namespace ?? ''), name: String(parent?.job?.name ?? ''),
    rootRunId: wellFormed(rootRunId) ? rootRunId : null,
  }
}

/** The Airflow DAG run an event of the Airflow provider belongs to (its `airflowDagRun` or `airflow` run facet), when it says so in well-formed ids. */
export function airflowRunOf(event: RunEvent): { dagId: string; runId: string } | null {
  for (const key of ['airflowDagRun', 'airflow']) {
    const dagRun = (event.run.facets?.[key] as { dagRun?: { dag_id?: unknown; run_id?: unknown } } | undefined)?.dagRun
    if (wellFormed(dagRun?.dag_id) && wellFormed(dagRun.run_id)) return { dagId: dagRun.dag_id, runId: dagRun.run_id }
  }
  return null
}

/** Datasets each once (the first of a repeated namespace and name), in the order given. */
export function uniqueDatasets<D extends { namespace: string; name: string }>(datasets: readonly D[] | undefined): D[] {
  const seen = new Map<string, D>()
  for (const d of datasets ?? []) {
    const key = JSON.stringify([d.namespace, d.name])
    if (!seen.has(key)) seen.set(key, d)
  }
  return [...seen.values()]
}

/** The names (`namespace/name`) of an event's datasets. */
export function datasetNames(datasets: readonly { namespace: string; name: string }[] | undefined): { namespace: string; name: string }[] {
  return (datasets ?? []).map((d) => ({ namespace: d.namespace, name: d.name }))
}

/**
 * The tags a dataset's `tags` facet (OpenLineage TagsDatasetFacet: `{ tags: [{ key, value, source }] }`) gives it:
 * a tag whose value is empty or `true` is its key (`pii`), any other is `key:value` (`classification:restricted`).
 */
export function datasetTags(dataset: { facets?: Record<string, unknown> | undefined }): string[] {
  const tags = (dataset.facets?.tags as { tags?: unknown } | undefined)?.tags
  if (!Array.isArray(tags)) return []
  const out = new Set<string>()
  for (const tag of tags as { key?: unknown; value?: unknown }[]) {
    if (typeof tag?.key !== 'string' || tag.key === '') continue
    const value = typeof tag.value === 'string' ? tag.value : ''
    out.add(value === '' || value.toLowerCase() === 'true' ? tag.key : `${tag.key}:${value}`)
  }
  return [...out].slice(0, 100)
}
