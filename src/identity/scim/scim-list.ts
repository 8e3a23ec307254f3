import type { RawBuilder, SqlBool } from 'kysely'
import { isConductorError } from '../../core/index.ts'
import type { Dialect } from '../../store/index.ts'
import { scimInvalid } from './errors.ts'
import { compileFilter, type FilterTarget } from './filter-sql.ts'
import { parseAttrPath, parseFilter } from './filter.ts'
import { resolveAttr, type ResourceModel } from './resource-model.ts'
import type { ScimPage } from './scim-users.repository.ts'
import type { ScimListQuery, ScimListResult } from './scim.types.ts'
import { DEFAULT_COUNT, MAX_RESULTS } from './schemas.ts'

/** How to list one resource type: its model and filter target, its sortable columns, and how to read and show rows. */
export interface ListSource<Row> {
  model: ResourceModel
  target: FilterTarget
  dialect: Dialect
  /** Sortable attributes (lowercase, as `sortBy` resolves them) → column of `target.table`. */
  columns: Record<string, string>
  count(where: RawBuilder<SqlBool> | null): Promise<number>
  rows(page: ScimPage): Promise<Row[]>
  represent(rows: Row[]): Promise<Record<string, unknown>[]>
}

/**
 * Answers a list request (RFC 7644 §3.4.2): the filter compiled for the engine, `totalResults` over every match, then
 * (unless `count` is 0) one page sorted by `sortBy`, creation time and id. `startIndex` is 1-based; `count` at most 1000.
 * @throws ConductorError `invalid_input` with scimType `invalidFilter` for a bad filter, `invalidValue` for an unsortable `sortBy`.
 */
export function listResources<Row>(query: ScimListQuery, source: ListSource<Row>): Promise<ScimListResult> {
  return listAcross(query, [source])
}

/**
 * Answers a list request over several resource types as one list, the sources' matches one after the other (a search
 * at the root, RFC 7644 §3.4.3): `totalResults` is their sum and `startIndex`/`count` page over the concatenation. A
 * source the filter cannot apply to (it names an attribute that resource type lacks) is left out, and `sortBy` orders
 * the sources that have that attribute (the others keep creation order); either is refused only when it fits no source.
 * @throws ConductorError `invalid_input` as {@link listResources}, with the first source's refusal.
 */
export async function listAcross(query: ScimListQuery, sources: readonly ListSource<unknown>[]): Promise<ScimListResult> {
  const startIndex = Math.max(1, Math.trunc(query.startIndex ?? 1))
  const limit = Math.min(MAX_RESULTS, Math.max(0, Math.trunc(query.count ?? DEFAULT_COUNT)))
  const order = query.sortOrder === 'descending' ? 'desc' : 'asc'
  const filtered = attempt(sources, (source) => (query.filter === undefined ? null : compileFilter(parseFilter(query.filter, source.model.urns), source.target, source.dialect)))
    .filter(({ ok }) => ok)
  const sortBy = query.sortBy
  const sortColumns = sortBy === undefined
    ? filtered.map(() => null)
    : attempt(filtered.map(({ source }) => source), (source) => `${source.target.table}.${sortColumnOf(source.model, sortBy, source.columns)}`).map(({ value }) => value)

  let totalResults = 0
  const resources: Record<string, unknown>[] = []
  for (const [i, { source, value: where }] of filtered.entries()) {
    const total = await source.count(where)
    // Where this page starts within this source (0-based), and how much of the page is left.
    const offset = Math.max(0, startIndex - 1 - totalResults)
    const room = limit - resources.length
    if (room > 0 && offset < total) {
      resources.push(...await source.represent(await source.rows({ where, sortColumn: sortColumns[i] ?? null, order, limit: room, offset })))
    }
    totalResults += total
  }
  return { totalResults, startIndex, itemsPerPage: resources.length, resources }
}

/** `make` applied to each source, `ok: false` where it refuses (a SCIM `invalid_input`); throws the first refusal when every source refuses. */
function attempt<T>(sources: readonly ListSource<unknown>[], make: (source: ListSource<unknown>) => T): { source: ListSource<unknown>; ok: boolean; value: T | null }[] {
  let refusal: unknown
  const out = sources.map((source) => {
    try {
      return { source, ok: true, value: make(source) }
    } catch (error) {
      if (!isConductorError(error, 'invalid_input')) throw error
      refusal ??= error
      return { source, ok: false, value: null }
    }
  })
  if (out.length > 0 && !out.some(({ ok }) => ok)) throw refusal
  return out
}

/** The column `sortBy` names, from `columns`; `invalidValue` for an attribute that cannot be sorted by. */
function sortColumnOf(model: ResourceModel, sortBy: string, columns: Record<string, string>): string {
  const resolved = resolveAttr(model, parseAttrPath(sortBy, model.urns, 'invalidValue'), 'invalidValue')
  const key = resolved.sub ? `${resolved.def.name}.${resolved.sub.name}`.toLowerCase() : resolved.def.name.toLowerCase()
  const column = resolved.extension ? undefined : columns[key]
  if (column === undefined) throw scimInvalid('invalidValue', `sorting by "${sortBy}" is not supported`)
  return column
}
