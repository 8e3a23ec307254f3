import { createHash } from 'node:crypto'
import { ConductorError } from '../core/index.ts'
import type { CedarValueJson } from './cedar.ts'
import type { Action, AuthorizationRequest } from './types.ts'

/**
 * The actions whose policy context always holds `context.lineage`: they run the DAG again, so they write what it is
 * known to write (docs/lineage.md, "Policy on the data a run touches").
 */
export const LINEAGE_ACTIONS: ReadonlySet<Action> = new Set(['dag:trigger', 'dag:rerun'])

/** What is known of the data a DAG writes, as `context.lineage` holds it. */
export interface DagLineage {
  /** `namespace/name` of each dataset the DAG is known to have written, sorted. */
  writes: readonly string[]
  /** The tags of those datasets (their `tags` facet and `lineage.datasetTags`), sorted. */
  writeTags: readonly string[]
  /** Equal for two DAGs exactly when `writes` and `writeTags` are: `''` when nothing is known. */
  key: string
}

/** Nothing known: the lineage of a DAG no event has named. */
export const NO_LINEAGE: DagLineage = Object.freeze({ writes: Object.freeze([]), writeTags: Object.freeze([]), key: '' })

/** Where the policy engine reads what a DAG is known to write (the lineage index, kept fresh across replicas). */
export interface LineageSource {
  /** The DAG's known writes in `environment`; {@link NO_LINEAGE} when none. Synchronous: read on every decision. */
  of(environment: string, dagId: string): DagLineage
}

/** The key of `writes` and `writeTags` (see {@link DagLineage.key}). */
export function lineageKey(writes: readonly string[], writeTags: readonly string[]): string {
  if (writes.length === 0 && writeTags.length === 0) return ''
  return createHash('sha256').update(JSON.stringify([writes, writeTags])).digest('base64url')
}

/** A {@link DagLineage} of the given names and tags (each once, sorted). */
export function dagLineage(writes: Iterable<string>, writeTags: Iterable<string>): DagLineage {
  const w = [...new Set(writes)].sort()
  const t = [...new Set(writeTags)].sort()
  return { writes: w, writeTags: t, key: lineageKey(w, t) }
}

/**
 * What `context.lineage` holds for `request`, or null when its action has none. With a `source` (a running
 * Conductor) the source alone says it: a caller's `context.lineage` is ignored, so no door can hide what a DAG writes.
 * Without one (`conductor policy test`), the request's `context.lineage` is used, else nothing known.
 * @throws ConductorError `invalid_input` (`details.field` `context.lineage`) for a malformed given one.
 */
export function requestLineage(request: AuthorizationRequest, source: LineageSource | undefined): DagLineage | null {
  if (!LINEAGE_ACTIONS.has(request.action)) return null
  const env = request.resource?.environment?.name
  const dagId = request.resource?.dag?.dagId
  if (typeof env !== 'string' || typeof dagId !== 'string') return null
  if (source) return source.of(env, dagId)
  const given = request.context?.lineage
  if (given === undefined) return NO_LINEAGE
  const strings = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === 'string')
  if (!strings(given.writes) || !strings(given.writeTags)) {
    throw new ConductorError('invalid_input', 'context.lineage needs writes and writeTags (lists of strings)', { details: { field: 'context.lineage' } })
  }
  return dagLineage(given.writes, given.writeTags)
}

/** `context.lineage` as Cedar's context holds it (two sets of strings). */
export function lineageValue(lineage: DagLineage): CedarValueJson {
  return { writes: [...lineage.writes], writeTags: [...lineage.writeTags] }
}
