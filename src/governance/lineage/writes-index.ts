import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import { createPollTimer } from '../../core/index.ts'
import { dagLineage, NO_LINEAGE, type DagLineage, type LineageSource } from '../../policy/index.ts'
import { datasetClassifier, datasetKey, type DatasetClassifier, type DatasetTagRule } from './dataset-tags.ts'
import { listWrittenDatasets } from './lineage.repository.ts'
import type { LineageTables } from './lineage.tables.ts'

/** One dataset a DAG wrote, as the intake stores it. */
export interface WrittenDataset {
  namespace: string
  name: string
  /** Its `tags` facet in the event. */
  tags: readonly string[]
}

/**
 * What each DAG is known to write, by environment and DAG: the policy engine's lineage source (`context.lineage`).
 * Loaded from `lineage_datasets` at start, told at once of what this replica's intake stores, and refreshed from the
 * database for what other replicas store.
 */
export interface LineageIndex extends LineageSource {
  /** Reads the output rows stored since the last refresh (all of them the first time; see {@link WRITES_WINDOW_MS}). */
  refresh(): Promise<void>
  /** Notes what an event just stored on this replica wrote (after its transaction committed). */
  wrote(environment: string, dagId: string, outputs: readonly WrittenDataset[]): void
  /** Puts `lineage.datasetTags` in force (at start and on a config reload). */
  setDatasetTags(rules: readonly DatasetTagRule[]): void
  /** Refreshes every `intervalMs` (0: never). */
  start(intervalMs: number): void
  stop(): void
  /** DAGs and datasets held, for diagnostics and tests. */
  size(): { dags: number; datasets: number }
}

/**
 * How far back each refresh reads again (ms, by the stored rows' ids, which begin with the time they were stored):
 * a row another replica stored with a clock behind, or committed late, is still seen.
 */
export const WRITES_WINDOW_MS = 10_000

/** The most datasets kept per DAG by default: the most recently written ones. */
export const MAX_DATASETS_PER_DAG = 1000

interface DagWrites {
  /** Dataset (`namespace/name`) → its facet tags; Map order is least recently written first. */
  datasets: Map<string, Set<string>>
  /** `context.lineage` as last computed, for `generation`; null after a change. */
  lineage: DagLineage | null
  generation: number
}

/** Creates the index over `lineage_datasets`, holding at most `maxDatasetsPerDag` (default 1,000) datasets per DAG. */
export function createLineageIndex(deps: {
  db: Kysely<LineageTables>
  logger: Pick<Logger, 'warn'>
  datasetTags?: readonly DatasetTagRule[]
  maxDatasetsPerDag?: number
}): LineageIndex {
  const cap = Math.max(1, deps.maxDatasetsPerDag ?? MAX_DATASETS_PER_DAG)
  const dags = new Map<string, DagWrites>()
  let classify: DatasetClassifier = datasetClassifier(deps.datasetTags ?? [])
  let generation = 0
  let cursor: string | null = null
  let refreshing: Promise<void> | null = null
  const keyOf = (environment: string, dagId: string) => `${environment}\0${dagId}`

  const note = (environment: string, dagId: string, dataset: string, tags: readonly string[]) => {
    let entry = dags.get(keyOf(environment, dagId))
    if (!entry) dags.set(keyOf(environment, dagId), entry = { datasets: new Map(), lineage: null, generation })
    const known = entry.datasets.get(dataset)
    if (known) {
      entry.datasets.delete(dataset)
      entry.datasets.set(dataset, known)
      for (const tag of tags) if (!known.has(tag)) { known.add(tag); entry.lineage = null }
      return
    }
    entry.datasets.set(dataset, new Set(tags))
    if (entry.datasets.size > cap) entry.datasets.delete(entry.datasets.keys().next().value as string)
    entry.lineage = null
  }

  const refreshNow = async () => {
    // The first refresh reads every row; later ones the rows stored since a little before the newest one seen.
    const after = cursor === null ? '' : new Date(Date.parse(cursor.slice(0, 24)) - WRITES_WINDOW_MS).toISOString()
    const newest = await listWrittenDatasets(deps.db, after, (row) => {
      let tags: string[] = []
      try { tags = JSON.parse(row.tags) as string[] } catch { /* a row without readable tags adds none */ }
      note(row.environment, row.dag_id, datasetKey(row.namespace, row.name), Array.isArray(tags) ? tags.filter((t) => typeof t === 'string') : [])
    })
    if (newest !== null && (cursor === null || newest > cursor)) cursor = newest
    if (cursor === null) cursor = new Date(0).toISOString()
  }

  const self: LineageIndex = {
    of(environment, dagId) {
      const entry = dags.get(keyOf(environment, dagId))
      if (!entry) return NO_LINEAGE
      if (entry.lineage === null || entry.generation !== generation) {
        const writes = [...entry.datasets.keys()]
        const tags = [...entry.datasets].flatMap(([dataset, facet]) => [...facet, ...classify(dataset)])
        entry.lineage = dagLineage(writes, tags)
        entry.generation = generation
      }
      return entry.lineage
    },
    refresh() {
      // One refresh at a time: a caller asking during one waits for it.
      refreshing ??= refreshNow().finally(() => { refreshing = null })
      return refreshing
    },
    wrote(environment, dagId, outputs) {
      for (const d of outputs) note(environment, dagId, datasetKey(d.namespace, d.name), d.tags)
    },
    setDatasetTags(rules) {
      classify = datasetClassifier(rules)
      generation++
    },
    start: (intervalMs) => poll.start(intervalMs),
    stop: () => poll.stop(),
    size() {
      let datasets = 0
      for (const entry of dags.values()) datasets += entry.datasets.size
      return { dags: dags.size, datasets }
    },
  }
  const poll = createPollTimer(() => self.refresh(), (error) => deps.logger.warn({ err: error }, 'lineage writes refresh failed'))
  return self
}
