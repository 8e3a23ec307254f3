import type { RawBuilder, SqlBool } from 'kysely'
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
export async function listResources<Row>(query: ScimListQuery, source: ListSource<Row>): Promise<ScimListResult> {
  const { model, target } = source
  const where = query.filter === undefined ? null : compileFilter(parseFilter(query.filter, model.urns), target, source.dialect)
  const startIndex = Math.max(1, Math.trunc(query.startIndex ?? 1))
  const limit = Math.min(MAX_RESULTS, Math.max(0, Math.trunc(query.count ?? DEFAULT_COUNT)))
  const totalResults = await source.count(where)
  let resources: Record<string, unknown>[] = []
  if (limit > 0) {
    const order = query.sortOrder === 'descending' ? 'desc' : 'asc'
    const sortColumn = query.sortBy ? `${target.table}.${sortColumnOf(model, query.sortBy, source.columns)}` : null
    resources = await source.represent(await source.rows({ where, sortColumn, order, limit, offset: startIndex - 1 }))
  }
  return { totalResults, startIndex, itemsPerPage: resources.length, resources }
}

/** The column `sortBy` names, from `columns`; `invalidValue` for an attribute that cannot be sorted by. */
function sortColumnOf(model: ResourceModel, sortBy: string, columns: Record<string, string>): string {
  const resolved = resolveAttr(model, parseAttrPath(sortBy, model.urns, 'invalidValue'), 'invalidValue')
  const key = resolved.sub ? `${resolved.def.name}.${resolved.sub.name}`.toLowerCase() : resolved.def.name.toLowerCase()
  const column = resolved.extension ? undefined : columns[key]
  if (column === undefined) throw scimInvalid('invalidValue', `sorting by "${sortBy}" is not supported`)
  return column
}
