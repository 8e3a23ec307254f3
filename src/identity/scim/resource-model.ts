import { scimInvalid, type ScimType } from './errors.ts'
import type { AttrPath, CompareValue, Filter } from './filter.ts'
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, SCIM_URN, USER_SCHEMA, type AttributeDefinition, type SchemaDefinition } from './schemas.ts'

/** A stored SCIM resource body: core attributes at the top, each extension's attributes under its URN. No id, meta or computed attributes. */
export type ScimObject = Record<string, unknown>

/** The shape of one resource type: its core schema and extensions. */
export interface ResourceModel {
  resourceType: 'User' | 'Group'
  core: SchemaDefinition
  extensions: readonly SchemaDefinition[]
  /** Every URN an attribute path may start with. */
  urns: readonly string[]
}

/** The attributes every resource has (RFC 7643 §3.1), resolvable in filters and paths. */
const COMMON: AttributeDefinition[] = [
  { name: 'id', type: 'string', multiValued: false, description: 'Unique identifier', required: false, caseExact: true, mutability: 'readOnly', returned: 'always', uniqueness: 'server' },
  { name: 'externalId', type: 'string', multiValued: false, description: 'Identifier from the provisioning client', required: false, caseExact: true, mutability: 'readWrite', returned: 'default', uniqueness: 'none' },
  {
    name: 'meta', type: 'complex', multiValued: false, description: 'Resource metadata', required: false, caseExact: false, mutability: 'readOnly', returned: 'default', uniqueness: 'none',
    subAttributes: ['resourceType', 'created', 'lastModified', 'location', 'version'].map((name) => ({
      name, type: name === 'created' || name === 'lastModified' ? 'dateTime' as const : 'string' as const, multiValued: false, description: name,
      required: false, caseExact: true, mutability: 'readOnly' as const, returned: 'default' as const, uniqueness: 'none' as const,
    })),
  },
]

/** The User resource type: core User plus the Enterprise User extension. */
export const USER_MODEL: ResourceModel = {
  resourceType: 'User', core: USER_SCHEMA, extensions: [ENTERPRISE_USER_SCHEMA], urns: [SCIM_URN.user, SCIM_URN.enterpriseUser],
}

/** The Group resource type. */
export const GROUP_MODEL: ResourceModel = { resourceType: 'Group', core: GROUP_SCHEMA, extensions: [], urns: [SCIM_URN.group] }

/** An attribute path resolved against a model: canonical schema and names, and the definitions. */
export interface ResolvedAttr {
  /** The URN of the schema the attribute belongs to (the core URN for common attributes). */
  schema: string
  /** True when the attribute lives under its extension's URN in the stored object. */
  extension: boolean
  def: AttributeDefinition
  sub: AttributeDefinition | null
}

const byName = (defs: readonly AttributeDefinition[], name: string) => {
  const lower = name.toLowerCase()
  return defs.find((d) => d.name.toLowerCase() === lower)
}

/** Resolves `path` (names case-insensitive) or throws `kind` naming the unknown attribute. */
export function resolveAttr(model: ResourceModel, path: AttrPath, kind: ScimType): ResolvedAttr {
  const schema = path.schema ?? model.core.id
  const extension = model.extensions.find((e) => e.id === schema)
  const defs = extension ? extension.attributes : [...COMMON, ...model.core.attributes]
  if (!extension && schema !== model.core.id) throw scimInvalid(kind, `the schema ${schema} does not apply to ${model.resourceType}`)
  const def = byName(defs, path.attr)
  if (def === undefined) throw scimInvalid(kind, `${model.resourceType} has no attribute "${path.attr}"`)
  let sub: AttributeDefinition | null = null
  if (path.sub !== null) {
    sub = byName(def.subAttributes ?? [], path.sub) ?? null
    if (sub === null) throw scimInvalid(kind, `"${def.name}" has no sub-attribute "${path.sub}"`)
  }
  return { schema, extension: Boolean(extension), def, sub }
}

/** Resolves a sub-attribute of a multi-valued complex attribute (the names inside a value filter). */
export function resolveSub(parent: AttributeDefinition, name: string, kind: ScimType): AttributeDefinition {
  const sub = byName(parent.subAttributes ?? [], name)
  if (sub === undefined) throw scimInvalid(kind, `"${parent.name}" has no sub-attribute "${name}"`)
  return sub
}

const MAX_STRING = 4096

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Checks and canonicalizes one attribute value against its definition: names are matched case-insensitively and
 * rewritten to their canonical case, `"True"`/`"false"` strings become booleans, read-only sub-attributes are dropped,
 * `null` means unassigned (returns undefined). Throws invalidValue for a wrong type, invalidSyntax for an unknown sub-attribute.
 */
export function normalizeValue(def: AttributeDefinition, value: unknown, label: string): unknown {
  if (value === null || value === undefined) return undefined
  if (def.multiValued) {
    if (!Array.isArray(value)) throw scimInvalid('invalidValue', `"${label}" must be an array`)
    const items = value.map((item, i) => normalizeSingle(def, item, `${label}[${i}]`)).filter((item) => item !== undefined)
    if (items.filter((item) => isPlainObject(item) && item.primary === true).length > 1) {
      throw scimInvalid('invalidValue', `at most one of "${label}" may be primary`)
    }
    return items.length ? items : undefined
  }
  return normalizeSingle(def, value, label)
}

function normalizeSingle(def: AttributeDefinition, value: unknown, label: string): unknown {
  if (value === null || value === undefined) return undefined
  switch (def.type) {
    case 'complex': {
      // The Enterprise manager is often sent as a bare id.
      if (typeof value === 'string' && def.subAttributes?.some((s) => s.name === 'value')) value = { value }
      if (!isPlainObject(value)) throw scimInvalid('invalidValue', `"${label}" must be an object`)
      const out: Record<string, unknown> = {}
      for (const [key, item] of Object.entries(value)) {
        const sub = byName(def.subAttributes ?? [], key)
        if (sub === undefined) throw scimInvalid('invalidSyntax', `"${label}" has no sub-attribute "${key}"`)
        if (sub.mutability === 'readOnly') continue
        if (Object.hasOwn(out, sub.name)) throw scimInvalid('invalidSyntax', `"${label}.${sub.name}" is given twice`)
        const normalized = normalizeSingle(sub, item, `${label}.${sub.name}`)
        if (normalized !== undefined) out[sub.name] = normalized
      }
      return Object.keys(out).length ? out : undefined
    }
    case 'boolean':
      if (typeof value === 'boolean') return value
      // Microsoft Entra ID sends "True" / "False" strings.
      if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true'
      throw scimInvalid('invalidValue', `"${label}" must be a boolean`)
    case 'integer':
      if (typeof value === 'number' && Number.isSafeInteger(value)) return value
      throw scimInvalid('invalidValue', `"${label}" must be an integer`)
    case 'decimal':
      if (typeof value === 'number' && Number.isFinite(value)) return value
      throw scimInvalid('invalidValue', `"${label}" must be a number`)
    case 'dateTime':
      if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new Date(value).toISOString()
      throw scimInvalid('invalidValue', `"${label}" must be an xsd:dateTime`)
    default:
      if (typeof value !== 'string') throw scimInvalid('invalidValue', `"${label}" must be a string`)
      if (value.length > MAX_STRING) throw scimInvalid('invalidValue', `"${label}" is longer than ${MAX_STRING} characters`)
      return value
  }
}

/**
 * Checks a whole resource body from a client (POST or PUT) and returns the object to store. Read-only attributes
 * (`id`, `meta`, `groups`, `members.display`…) are ignored as RFC 7644 §3.3 asks, `password` is discarded, unknown
 * attributes and schemas are refused (invalidSyntax), wrong types are refused (invalidValue), required attributes
 * must be present (invalidValue).
 */
export function normalizeResource(model: ResourceModel, input: unknown): ScimObject {
  if (!isPlainObject(input)) throw scimInvalid('invalidSyntax', `the request body must be a ${model.resourceType} object`)
  const out: ScimObject = {}
  const seen = new Set<string>()
  for (const [key, value] of Object.entries(input)) {
    const lower = key.toLowerCase()
    if (seen.has(lower)) throw scimInvalid('invalidSyntax', `"${key}" is given twice`)
    seen.add(lower)
    if (lower === 'schemas') {
      checkSchemas(model, value, 'schemas')
      continue
    }
    const extension = model.extensions.find((e) => e.id.toLowerCase() === lower)
    if (extension) {
      if (value === null) continue
      const ext: Record<string, unknown> = {}
      for (const [name, item] of extensionEntries(model, extension, value)) {
        const def = byName(extension.attributes, name)
        if (def === undefined) throw scimInvalid('invalidSyntax', `${extension.name} has no attribute "${name}"`)
        if (def.mutability === 'readOnly') continue
        const normalized = normalizeValue(def, item, def.name)
        if (normalized !== undefined) ext[def.name] = normalized
      }
      if (Object.keys(ext).length) out[extension.id] = ext
      continue
    }
    const def = byName([...COMMON, ...model.core.attributes], key)
    if (def === undefined) throw scimInvalid('invalidSyntax', `${model.resourceType} has no attribute "${key}"`)
    if (def.mutability === 'readOnly' || def.mutability === 'writeOnly') continue
    const normalized = normalizeValue(def, value, def.name)
    if (normalized !== undefined) out[def.name] = normalized
  }
  checkRequired(model, out)
  return out
}

/** Throws invalidSyntax unless `value` is an array of URNs of `model` (compared case-insensitively). */
function checkSchemas(model: ResourceModel, value: unknown, label: string): void {
  if (!Array.isArray(value) || value.some((s) => typeof s !== 'string')) throw scimInvalid('invalidSyntax', `"${label}" must be an array of URNs`)
  const unknown = (value as string[]).find((s) => !model.urns.some((urn) => urn.toLowerCase() === s.toLowerCase()))
  if (unknown !== undefined) throw scimInvalid('invalidSyntax', `unknown schema "${unknown}" for a ${model.resourceType}`)
}

/**
 * The attributes of an extension's object as a client sent it (in a body, a PATCH value, or a PATCH whose path is a
 * schema's URN, where `extension` may be the core schema), without the `schemas` member Microsoft Entra ID puts in it
 * (`{"schemas": ["urn:…:enterprise:2.0:User"], "department": …}`), which must name only URNs of `model`.
 * @throws ConductorError `invalid_input`: invalidValue when `value` is not an object, invalidSyntax for a bad `schemas`.
 */
export function extensionEntries(model: ResourceModel, extension: SchemaDefinition, value: unknown): [string, unknown][] {
  if (!isPlainObject(value)) throw scimInvalid('invalidValue', `"${extension.id}" must be an object`)
  const entries = Object.entries(value)
  for (const [key, item] of entries) if (key.toLowerCase() === 'schemas') checkSchemas(model, item, `${extension.id}.schemas`)
  return entries.filter(([key]) => key.toLowerCase() !== 'schemas')
}

/** Throws invalidValue when a required attribute is missing or empty. */
export function checkRequired(model: ResourceModel, resource: ScimObject): void {
  for (const def of model.core.attributes) {
    if (!def.required) continue
    const value = resource[def.name]
    if (typeof value !== 'string' || value.trim() === '') throw scimInvalid('invalidValue', `"${def.name}" is required`)
  }
}

/** Compares two attribute values as SCIM does: strings case-insensitively unless `caseExact`. */
export function compareValues(def: AttributeDefinition, actual: unknown, op: string, expected: CompareValue): boolean {
  if (op === 'pr') return actual !== undefined && actual !== null && actual !== '' && !(Array.isArray(actual) && actual.length === 0)
  if (actual === undefined || actual === null) return op === 'ne' ? expected !== null : op === 'eq' && expected === null
  if (typeof actual === 'boolean' || typeof expected === 'boolean') {
    if (op === 'eq') return actual === expected
    if (op === 'ne') return actual !== expected
    return false
  }
  if (typeof actual === 'number' && typeof expected === 'number') {
    return op === 'eq' ? actual === expected : op === 'ne' ? actual !== expected : op === 'gt' ? actual > expected
      : op === 'ge' ? actual >= expected : op === 'lt' ? actual < expected : op === 'le' ? actual <= expected : false
  }
  if (typeof actual !== 'string' || typeof expected !== 'string') return op === 'ne'
  const a = def.caseExact ? actual : actual.toLowerCase()
  const e = def.caseExact ? expected : expected.toLowerCase()
  switch (op) {
    case 'eq': return a === e
    case 'ne': return a !== e
    case 'co': return a.includes(e)
    case 'sw': return a.startsWith(e)
    case 'ew': return a.endsWith(e)
    case 'gt': return a > e
    case 'ge': return a >= e
    case 'lt': return a < e
    default: return a <= e
  }
}

/**
 * True when one element of a multi-valued complex attribute matches a value filter's inner filter (whose paths
 * name sub-attributes of `parent`), e.g. `type eq "work"` against `{ "type": "work", "value": … }`.
 */
export function matchesElement(parent: AttributeDefinition, element: unknown, filter: Filter, kind: ScimType): boolean {
  switch (filter.kind) {
    case 'and': return matchesElement(parent, element, filter.left, kind) && matchesElement(parent, element, filter.right, kind)
    case 'or': return matchesElement(parent, element, filter.left, kind) || matchesElement(parent, element, filter.right, kind)
    case 'not': return !matchesElement(parent, element, filter.filter, kind)
    case 'valuePath': throw scimInvalid(kind, 'value filters cannot be nested')
    default: {
      if (filter.path.schema !== null || filter.path.sub !== null) throw scimInvalid(kind, `"${filter.path.attr}" must be a sub-attribute of "${parent.name}"`)
      const sub = resolveSub(parent, filter.path.attr, kind)
      const actual = isPlainObject(element) ? element[sub.name] : undefined
      return filter.kind === 'present' ? compareValues(sub, actual, 'pr', null) : compareValues(sub, actual, filter.op, filter.value)
    }
  }
}

/** Which attributes to return (RFC 7644 §3.4.2.5), as parsed paths. */
export interface Projection {
  attributes: AttrPath[] | null
  excludedAttributes: AttrPath[] | null
}

/**
 * Applies `attributes` / `excludedAttributes` to a full representation: attributes returned "always" (`id`,
 * `schemas`) stay; "never" ones were never there; paths name attributes or sub-attributes, case-insensitively.
 */
export function project(model: ResourceModel, full: Record<string, unknown>, projection: Projection): Record<string, unknown> {
  const { attributes, excludedAttributes } = projection
  if (attributes === null && excludedAttributes === null) return full
  const keyOf = (path: AttrPath) => {
    const resolved = resolveAttr(model, path, 'invalidValue')
    return { container: resolved.extension ? resolved.schema : null, name: resolved.def.name, sub: resolved.sub?.name ?? null }
  }
  if (attributes !== null) {
    const out: Record<string, unknown> = { schemas: full.schemas, id: full.id }
    for (const path of attributes) {
      if (path.attr === '' && path.schema !== null) {
        if (full[path.schema] !== undefined) out[path.schema] = full[path.schema]
        continue
      }
      const { container, name, sub } = keyOf(path)
      const source = container ? full[container] as Record<string, unknown> | undefined : full
      if (source?.[name] === undefined) continue
      const target = container ? ((out[container] as Record<string, unknown> | undefined) ?? (out[container] = {}) as Record<string, unknown>) : out
      if (sub === null) { target[name] = source[name]; continue }
      const value = source[name]
      const pick = (item: unknown) => (isPlainObject(item) && item[sub] !== undefined ? { [sub]: item[sub] } : undefined)
      if (Array.isArray(value)) {
        const already = Array.isArray(target[name]) ? target[name] as Record<string, unknown>[] : null
        target[name] = value.map((item, i) => ({ ...(already?.[i] ?? {}), ...(pick(item) ?? {}) }))
      } else if (isPlainObject(value)) {
        target[name] = { ...(isPlainObject(target[name]) ? target[name] : {}), ...(pick(value) ?? {}) }
      }
    }
    return withSchemas(model, out)
  }
  const out = structuredClone(full)
  for (const path of excludedAttributes ?? []) {
    if (path.attr === '' && path.schema !== null) { delete out[path.schema]; continue }
    const { container, name, sub } = keyOf(path)
    const resolved = resolveAttr(model, path, 'invalidValue')
    if ((sub === null ? resolved.def : resolved.sub!).returned === 'always') continue
    const source = container ? out[container] as Record<string, unknown> | undefined : out
    if (source === undefined) continue
    if (sub === null) { delete source[name]; continue }
    const value = source[name]
    for (const item of Array.isArray(value) ? value : [value]) if (isPlainObject(item)) delete item[sub]
  }
  return withSchemas(model, out)
}

/** `schemas` lists the core schema and only the extensions the representation still carries. */
function withSchemas(model: ResourceModel, out: Record<string, unknown>): Record<string, unknown> {
  if (Array.isArray(out.schemas)) out.schemas = (out.schemas as string[]).filter((urn) => urn === model.core.id || out[urn] !== undefined)
  return out
}
