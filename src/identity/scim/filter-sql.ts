import { sql, type RawBuilder, type SqlBool } from 'kysely'
import type { Dialect } from '../../store/index.ts'
import { scimInvalid } from './errors.ts'
import type { CompareOp, CompareValue, Filter } from './filter.ts'
import { resolveAttr, type ResourceModel } from './resource-model.ts'

/** A stored column a filter may compare. Strings in case-insensitive columns are stored lowercased. */
export interface FilterColumn {
  column: string
  type: 'string' | 'boolean' | 'dateTime'
  caseExact: boolean
}

/** A multi-valued attribute kept in a child table, filtered with `exists (…)`. */
export interface FilterChild {
  table: string
  /** The child's column holding the parent's id. */
  parentColumn: string
  /** Sub-attribute (lowercase) → column. */
  subs: Record<string, FilterColumn>
}

/** What a resource type's filters can reach: `attr` or `attr.sub` (lowercase, canonical) → column or child table. */
export interface FilterTarget {
  table: string
  model: ResourceModel
  attributes: Record<string, FilterColumn | FilterChild>
}

const isChild = (x: FilterColumn | FilterChild): x is FilterChild => 'table' in x

/**
 * Compiles a parsed filter to a SQL condition on `target.table`, for either engine. Attributes are resolved against
 * the model first (an unknown one is invalidFilter), then mapped to columns; a known attribute that is not indexed
 * for filtering is also invalidFilter, naming it.
 */
export function compileFilter(filter: Filter, target: FilterTarget, dialect: Dialect): RawBuilder<SqlBool> {
  switch (filter.kind) {
    case 'and': return sql<SqlBool>`(${compileFilter(filter.left, target, dialect)} and ${compileFilter(filter.right, target, dialect)})`
    case 'or': return sql<SqlBool>`(${compileFilter(filter.left, target, dialect)} or ${compileFilter(filter.right, target, dialect)})`
    case 'not': return sql<SqlBool>`(not coalesce(${compileFilter(filter.filter, target, dialect)}, false))`
    default: break
  }
  const resolved = resolveAttr(target.model, filter.path, 'invalidFilter')
  const attrName = resolved.def.name.toLowerCase()
  const subName = resolved.sub?.name.toLowerCase() ?? null
  const label = resolved.sub ? `${resolved.def.name}.${resolved.sub.name}` : resolved.def.name
  const mapped = resolved.extension ? undefined : (target.attributes[subName && !target.attributes[attrName] ? `${attrName}.${subName}` : attrName])
  if (mapped === undefined) throw scimInvalid('invalidFilter', `filtering on "${label}" is not supported`)
  if (isChild(mapped)) {
    const inner = filter.kind === 'valuePath'
      ? compileChild(filter.filter, mapped, dialect, resolved.def.name)
      : compileChildLeaf(filter, mapped, dialect, subName ?? 'value', resolved.def.name)
    return sql<SqlBool>`exists (select 1 from ${sql.table(mapped.table)} as m where m.${sql.ref(mapped.parentColumn)} = ${sql.ref(`${target.table}.id`)} and ${inner})`
  }
  if (filter.kind === 'valuePath') throw scimInvalid('invalidFilter', `"${label}" is not multi-valued; it takes no value filter`)
  return leaf(sql.ref(`${target.table}.${mapped.column}`), mapped, filter, dialect, label)
}

function compileChild(filter: Filter, child: FilterChild, dialect: Dialect, parent: string): RawBuilder<SqlBool> {
  switch (filter.kind) {
    case 'and': return sql<SqlBool>`(${compileChild(filter.left, child, dialect, parent)} and ${compileChild(filter.right, child, dialect, parent)})`
    case 'or': return sql<SqlBool>`(${compileChild(filter.left, child, dialect, parent)} or ${compileChild(filter.right, child, dialect, parent)})`
    case 'not': return sql<SqlBool>`(not coalesce(${compileChild(filter.filter, child, dialect, parent)}, false))`
    case 'valuePath': throw scimInvalid('invalidFilter', 'value filters cannot be nested')
    default:
      if (filter.path.schema !== null || filter.path.sub !== null) throw scimInvalid('invalidFilter', `"${filter.path.attr}" must be a sub-attribute of "${parent}"`)
      return compileChildLeaf(filter, child, dialect, filter.path.attr.toLowerCase(), parent)
  }
}

function compileChildLeaf(filter: Extract<Filter, { kind: 'compare' | 'present' }>, child: FilterChild, dialect: Dialect, sub: string, parent: string): RawBuilder<SqlBool> {
  const column = child.subs[sub]
  if (column === undefined) throw scimInvalid('invalidFilter', `filtering on "${parent}.${sub}" is not supported`)
  return leaf(sql.ref(`m.${column.column}`), column, filter, dialect, `${parent}.${sub}`)
}

function leaf(ref: RawBuilder<unknown>, column: FilterColumn, filter: Extract<Filter, { kind: 'compare' | 'present' }>, dialect: Dialect, label: string): RawBuilder<SqlBool> {
  if (filter.kind === 'present') {
    return column.type === 'string' ? sql<SqlBool>`(${ref} is not null and ${ref} <> '')` : sql<SqlBool>`(${ref} is not null)`
  }
  const { op } = filter
  if (filter.value === null) {
    if (op === 'eq') return sql<SqlBool>`(${ref} is null)`
    if (op === 'ne') return sql<SqlBool>`(${ref} is not null)`
    throw scimInvalid('invalidFilter', `"${op} null" is not meaningful for "${label}"`)
  }
  const value = operand(column, op, filter.value, label)
  const orNull = (condition: RawBuilder<SqlBool>) => sql<SqlBool>`(${ref} is null or ${condition})`
  // PostgreSQL's default collation orders text by locale; SQLite and JavaScript order by code point.
  const ordered = dialect === 'postgres' && column.type !== 'boolean' ? sql`${ref} collate "C"` : ref
  switch (op) {
    case 'eq': return sql<SqlBool>`(${ref} = ${value})`
    case 'ne': return orNull(sql<SqlBool>`${ref} <> ${value}`)
    case 'co': return dialect === 'postgres' ? sql<SqlBool>`(strpos(${ref}, ${value}) > 0)` : sql<SqlBool>`(instr(${ref}, ${value}) > 0)`
    case 'sw': return sql<SqlBool>`(substr(${ref}, 1, length(${value})) = ${value})`
    case 'ew': return sql<SqlBool>`(length(${ref}) >= length(${value}) and substr(${ref}, length(${ref}) - length(${value}) + 1) = ${value})`
    case 'gt': return sql<SqlBool>`(${ordered} > ${value})`
    case 'ge': return sql<SqlBool>`(${ordered} >= ${value})`
    case 'lt': return sql<SqlBool>`(${ordered} < ${value})`
    default: return sql<SqlBool>`(${ordered} <= ${value})`
  }
}

function operand(column: FilterColumn, op: CompareOp, value: Exclude<CompareValue, null>, label: string): string | number {
  if (column.type === 'boolean') {
    if (typeof value !== 'boolean') throw scimInvalid('invalidFilter', `"${label}" is a boolean: compare it with true or false`)
    if (op !== 'eq' && op !== 'ne') throw scimInvalid('invalidFilter', `"${label}" is a boolean: only eq, ne and pr apply`)
    return value ? 1 : 0
  }
  if (typeof value !== 'string') throw scimInvalid('invalidFilter', `"${label}" is a ${column.type === 'dateTime' ? 'date-time' : 'string'}: compare it with a quoted value`)
  if (column.type === 'dateTime') {
    if (op === 'co' || op === 'sw' || op === 'ew') throw scimInvalid('invalidFilter', `"${label}" is a date-time: use eq, ne, gt, ge, lt or le`)
    const ms = Date.parse(value)
    if (Number.isNaN(ms)) throw scimInvalid('invalidFilter', `"${value}" is not a date-time`)
    return new Date(ms).toISOString()
  }
  return column.caseExact ? value : value.toLowerCase()
}

/** How User filters map to the `scim_users` table and its children. */
export function userFilterTarget(model: ResourceModel): FilterTarget {
  const text = (column: string, caseExact: boolean): FilterColumn => ({ column, type: 'string', caseExact })
  return {
    table: 'scim_users',
    model,
    attributes: {
      id: text('id', true),
      username: text('user_name_lower', false),
      externalid: text('external_id', true),
      displayname: text('display_name_lower', false),
      active: { column: 'active', type: 'boolean', caseExact: true },
      'meta.created': { column: 'created_at', type: 'dateTime', caseExact: true },
      'meta.lastmodified': { column: 'updated_at', type: 'dateTime', caseExact: true },
      emails: {
        table: 'scim_user_emails', parentColumn: 'user_id',
        subs: { value: text('value_lower', false), type: text('type_lower', false), primary: { column: 'is_primary', type: 'boolean', caseExact: true } },
      },
      groups: { table: 'scim_memberships', parentColumn: 'user_id', subs: { value: text('group_id', true) } },
    },
  }
}

/** How Group filters map to the `scim_groups` table and its members. */
export function groupFilterTarget(model: ResourceModel): FilterTarget {
  const text = (column: string, caseExact: boolean): FilterColumn => ({ column, type: 'string', caseExact })
  return {
    table: 'scim_groups',
    model,
    attributes: {
      id: text('id', true),
      displayname: text('display_name_lower', false),
      externalid: text('external_id', true),
      'meta.created': { column: 'created_at', type: 'dateTime', caseExact: true },
      'meta.lastmodified': { column: 'updated_at', type: 'dateTime', caseExact: true },
      members: { table: 'scim_memberships', parentColumn: 'group_id', subs: { value: text('user_id', true) } },
    },
  }
}
