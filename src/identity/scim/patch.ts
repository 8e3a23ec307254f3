import { scimInvalid } from './errors.ts'
import { parseAttrPath, parsePatchPath, type Filter, type PatchPath } from './filter.ts'
import { checkRequired, extensionEntries, matchesElement, normalizeResource, normalizeValue, resolveAttr, resolveSub, type ResourceModel, type ScimObject } from './resource-model.ts'
import { MAX_PATCH_OPERATIONS, SCIM_URN, type AttributeDefinition } from './schemas.ts'

/** One PATCH operation as received, `op` lowercased. */
export interface PatchOperation {
  op: 'add' | 'replace' | 'remove'
  path: string | null
  value: unknown
}

type Element = Record<string, unknown>

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * Checks a PatchOp request body (RFC 7644 §3.5.2): its `schemas`, and `Operations` (name case-insensitive) with
 * `op` add / replace / remove in any case (Entra sends "Replace"). Throws invalidSyntax / invalidValue.
 */
export function parsePatchRequest(body: unknown): PatchOperation[] {
  if (!isPlainObject(body)) throw scimInvalid('invalidSyntax', 'the request body must be a PatchOp object')
  const entries = Object.entries(body)
  const schemas = entries.find(([k]) => k.toLowerCase() === 'schemas')?.[1]
  if (schemas !== undefined && (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === SCIM_URN.patchOp.toLowerCase()))) {
    throw scimInvalid('invalidSyntax', `"schemas" must contain ${SCIM_URN.patchOp}`)
  }
  const unknown = entries.find(([k]) => !['schemas', 'operations'].includes(k.toLowerCase()))
  if (unknown) throw scimInvalid('invalidSyntax', `a PatchOp has no attribute "${unknown[0]}"`)
  const operations = entries.find(([k]) => k.toLowerCase() === 'operations')?.[1]
  if (!Array.isArray(operations) || operations.length === 0) throw scimInvalid('invalidSyntax', '"Operations" must be a non-empty array')
  if (operations.length > MAX_PATCH_OPERATIONS) throw scimInvalid('tooMany', `at most ${MAX_PATCH_OPERATIONS} operations per PATCH`)
  return operations.map((raw, i) => {
    if (!isPlainObject(raw)) throw scimInvalid('invalidSyntax', `Operations[${i}] must be an object`)
    let op: unknown
    let path: unknown = null
    let value: unknown
    for (const [key, item] of Object.entries(raw)) {
      const lower = key.toLowerCase()
      if (lower === 'op') op = item
      else if (lower === 'path') path = item
      else if (lower === 'value') value = item
      else throw scimInvalid('invalidSyntax', `Operations[${i}] has no attribute "${key}"`)
    }
    const name = typeof op === 'string' ? op.toLowerCase() : ''
    if (name !== 'add' && name !== 'replace' && name !== 'remove') throw scimInvalid('invalidSyntax', `Operations[${i}].op must be add, replace or remove`)
    if (path !== null && path !== undefined && typeof path !== 'string') throw scimInvalid('invalidPath', `Operations[${i}].path must be a string`)
    const text = typeof path === 'string' && path.trim() !== '' ? path.trim() : null
    if (name !== 'remove' && value === undefined) throw scimInvalid('invalidValue', `Operations[${i}] (${name}) needs a value`)
    if (name === 'remove' && text === null) throw scimInvalid('noTarget', `Operations[${i}] (remove) needs a path`)
    return { op: name, path: text, value }
  })
}

/**
 * Applies PATCH operations to a stored resource and returns the new resource, checked like a full PUT body.
 * Supports paths with value filters (`members[value eq "…"]`, `emails[type eq "work"].value`), no-path operations
 * whose value is an object (including Entra's keys that are themselves paths, e.g. `"name.givenName"`), removal of
 * listed values (`{"op":"remove","path":"members","value":[{"value":"…"}]}`), and automatic demotion of other
 * `primary` values. A filtered add/replace that matches nothing creates the element when the filter is a
 * conjunction of `eq` tests (what Okta and Entra mean by `emails[type eq "work"].value`).
 * Throws invalidPath, invalidFilter, invalidValue, noTarget or mutability; the input object is not modified.
 */
export function applyPatch(model: ResourceModel, resource: ScimObject, operations: readonly PatchOperation[]): ScimObject {
  const out = structuredClone(resource)
  for (const operation of operations) {
    if (operation.path === null) {
      if (!isPlainObject(operation.value)) throw scimInvalid('invalidValue', `a ${operation.op} without a path needs an object value`)
      for (const [key, value] of Object.entries(operation.value)) {
        const lower = key.toLowerCase()
        if (['schemas', 'id', 'meta', 'groups'].includes(lower)) continue
        const extension = model.extensions.find((e) => e.id.toLowerCase() === lower)
        if (extension) {
          if (value === null && operation.op === 'replace') { delete out[extension.id]; continue }
          for (const [name, item] of extensionEntries(model, extension, value)) applyOne(model, out, operation.op, { path: { schema: extension.id, attr: name, sub: null }, filter: null, sub: null }, item)
          continue
        }
        applyOne(model, out, operation.op, parsePatchPath(key, model.urns), value)
      }
      continue
    }
    applyOne(model, out, operation.op, parsePatchPath(operation.path, model.urns), operation.value)
  }
  for (const extension of model.extensions) {
    if (isPlainObject(out[extension.id]) && Object.keys(out[extension.id] as object).length === 0) delete out[extension.id]
  }
  checkRequired(model, out)
  return normalizeResource(model, out)
}

function applyOne(model: ResourceModel, out: ScimObject, op: PatchOperation['op'], target: PatchPath, value: unknown): void {
  const { path, filter } = target
  if (path.attr === '' && path.schema !== null) {
    // A whole schema, e.g. path "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User".
    if (op === 'remove') { delete out[path.schema]; return }
    const schema = model.extensions.find((e) => e.id === path.schema) ?? model.core
    for (const [name, item] of extensionEntries(model, schema, value)) applyOne(model, out, op, { path: parseAttrPath(`${path.schema}:${name}`, model.urns, 'invalidPath'), filter: null, sub: null }, item)
    return
  }
  const resolved = resolveAttr(model, path, 'invalidPath')
  const { def } = resolved
  if (def.mutability === 'readOnly') throw scimInvalid('mutability', `"${def.name}" is read-only`)
  if (def.mutability === 'writeOnly') return // password: accepted and discarded
  const container: Record<string, unknown> = resolved.extension
    ? (isPlainObject(out[resolved.schema]) ? out[resolved.schema] as Record<string, unknown> : (out[resolved.schema] = {}) as Record<string, unknown>)
    : out
  const name = def.name
  const subName = filter ? target.sub : path.sub
  const sub = subName === null ? null : resolveSub(def, subName, 'invalidPath')
  if (sub?.mutability === 'readOnly') throw scimInvalid('mutability', `"${name}.${sub.name}" is read-only`)

  if (filter !== null) {
    if (!def.multiValued || def.type !== 'complex') throw scimInvalid('invalidPath', `"${name}" is not a multi-valued complex attribute; it takes no value filter`)
    const elements = (Array.isArray(container[name]) ? container[name] : []) as Element[]
    const matched = elements.filter((element) => matchesElement(def, element, filter, 'invalidFilter'))
    if (op === 'remove') {
      if (sub === null) container[name] = elements.filter((element) => !matched.includes(element))
      else for (const element of matched) delete element[sub.name]
      tidy(container, name)
      return
    }
    if (matched.length === 0) {
      const seed = equalities(filter)
      if (seed === null) throw scimInvalid('noTarget', `no value of "${name}" matches the filter`)
      const created = normalizeValue(def, [seed], name) as Element[]
      elements.push(created[0]!)
      matched.push(elements.at(-1)!)
      container[name] = elements
    }
    for (const element of matched) {
      if (sub !== null) {
        const normalized = normalizeValue(sub, value, `${name}.${sub.name}`)
        if (normalized === undefined) delete element[sub.name]
        else element[sub.name] = normalized
      } else {
        const normalized = normalizeValue({ ...def, multiValued: false }, value, name) as Element | undefined
        if (op === 'replace') for (const key of Object.keys(element)) delete element[key]
        Object.assign(element, normalized ?? {})
      }
    }
    demoteOtherPrimaries(container, name, matched)
    tidy(container, name)
    return
  }

  if (sub !== null) {
    if (def.multiValued) {
      // `emails.value` without a filter addresses every value.
      const elements = (Array.isArray(container[name]) ? container[name] : []) as Element[]
      if (op === 'remove') for (const element of elements) delete element[sub.name]
      else {
        const normalized = normalizeValue(sub, value, `${name}.${sub.name}`)
        if (elements.length === 0 && normalized !== undefined) elements.push({})
        for (const element of elements) {
          if (normalized === undefined) delete element[sub.name]
          else element[sub.name] = normalized
        }
        container[name] = elements
      }
      tidy(container, name)
      return
    }
    const object = isPlainObject(container[name]) ? container[name] as Element : {}
    if (op === 'remove') delete object[sub.name]
    else {
      const normalized = normalizeValue(sub, value, `${name}.${sub.name}`)
      if (normalized === undefined) delete object[sub.name]
      else object[sub.name] = normalized
    }
    container[name] = object
    tidy(container, name)
    return
  }

  if (op === 'remove') {
    if (def.multiValued && value !== undefined && value !== null) {
      // Entra removes members by listing them: {"op":"Remove","path":"members","value":[{"value":"id"}]}.
      const listed = normalizeValue(def, Array.isArray(value) ? value : [value], name) as Element[] | undefined ?? []
      const elements = (Array.isArray(container[name]) ? container[name] : []) as Element[]
      container[name] = elements.filter((element) => !listed.some((gone) => sameValue(def, element, gone)))
      tidy(container, name)
      return
    }
    if (def.required) throw scimInvalid('mutability', `"${name}" is required and cannot be removed`)
    delete container[name]
    return
  }

  if (def.multiValued) {
    const given = normalizeValue(def, Array.isArray(value) ? value : [value], name) as Element[] | undefined ?? []
    if (op === 'replace') {
      container[name] = given
    } else {
      const elements = (Array.isArray(container[name]) ? container[name] : []) as Element[]
      for (const item of given) {
        const existing = elements.find((element) => sameValue(def, element, item))
        if (existing) Object.assign(existing, item)
        else elements.push(item)
      }
      container[name] = elements
      demoteOtherPrimaries(container, name, given.map((item) => elements.find((element) => sameValue(def, element, item))!))
    }
    tidy(container, name)
    return
  }
  const normalized = normalizeValue(def, value, name)
  if (def.type === 'complex' && isPlainObject(normalized) && isPlainObject(container[name])) {
    // Sub-attributes not given are left unchanged (RFC 7644 §3.5.2.1 and §3.5.2.3).
    container[name] = { ...(container[name] as Element), ...normalized }
  } else if (normalized === undefined) {
    if (def.required) throw scimInvalid('invalidValue', `"${name}" is required`)
    delete container[name]
  } else {
    container[name] = normalized
  }
}

/** Two values of a multi-valued attribute are the same value: equal `value` (and `type`, when both have one), else equal JSON. */
function sameValue(def: AttributeDefinition, a: Element, b: Element): boolean {
  if (a.value === undefined || b.value === undefined) return JSON.stringify(a) === JSON.stringify(b)
  const valueDef = def.subAttributes?.find((s) => s.name === 'value')
  const eq = (x: unknown, y: unknown) => (typeof x === 'string' && typeof y === 'string' && !valueDef?.caseExact ? x.toLowerCase() === y.toLowerCase() : x === y)
  if (!eq(a.value, b.value)) return false
  return a.type === undefined || b.type === undefined || eq(a.type, b.type)
}

function demoteOtherPrimaries(container: Record<string, unknown>, name: string, touched: Element[]): void {
  const elements = container[name]
  if (!Array.isArray(elements) || !touched.some((element) => element.primary === true)) return
  const keep = touched.findLast((element) => element.primary === true)
  for (const element of elements as Element[]) if (element !== keep && element.primary === true) element.primary = false
}

function tidy(container: Record<string, unknown>, name: string): void {
  const value = container[name]
  if (Array.isArray(value)) {
    const kept = value.filter((element) => !isPlainObject(element) || Object.keys(element).length > 0)
    if (kept.length === 0) delete container[name]
    else container[name] = kept
  } else if (isPlainObject(value) && Object.keys(value).length === 0) delete container[name]
}

/** The sub-attribute values a filter made only of `and`-ed `eq` tests pins down, or null. */
function equalities(filter: Filter): Record<string, unknown> | null {
  if (filter.kind === 'compare' && filter.op === 'eq' && filter.path.sub === null && filter.path.schema === null && filter.value !== null) {
    return { [filter.path.attr]: filter.value }
  }
  if (filter.kind === 'and') {
    const left = equalities(filter.left)
    const right = equalities(filter.right)
    return left && right ? { ...left, ...right } : null
  }
  return null
}
