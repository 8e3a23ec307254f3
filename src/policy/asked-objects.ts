import { ConductorError } from '../core/index.ts'
import type { CedarValueJson } from './cedar.ts'
import type { RequestContext } from './types.ts'

/**
 * The objects a question is about, as Cedar's context holds them: `grant`, `airflow`, `serviceAccount`, `asset`,
 * `schedule`, `link`, `environment` and `subject` (each only when given). A malformed one is refused, naming it.
 * @throws ConductorError `invalid_input` with `details.field` `context.<name>`.
 */
export function askedObjects(given: RequestContext | undefined): Record<string, CedarValueJson> {
  const context: Record<string, CedarValueJson> = {}
  const grant = given?.grant
  if (grant !== undefined) {
    if (typeof grant.group !== 'string' || !Number.isSafeInteger(grant.hours)) {
      throw new ConductorError('invalid_input', 'context.grant needs a group and whole hours', { details: { field: 'context.grant' } })
    }
    context.grant = { group: grant.group, hours: grant.hours }
  }
  const airflow = given?.airflow
  if (airflow !== undefined) {
    if (typeof airflow.kind !== 'string' || typeof airflow.name !== 'string') {
      throw new ConductorError('invalid_input', 'context.airflow needs a kind and a name', { details: { field: 'context.airflow' } })
    }
    context.airflow = { kind: airflow.kind, name: airflow.name }
  }
  const account = given?.serviceAccount
  if (account !== undefined) {
    if (typeof account.name !== 'string' || typeof account.kind !== 'string' || (account.owner?.type !== 'User' && account.owner?.type !== 'Group') || typeof account.owner.id !== 'string') {
      throw new ConductorError('invalid_input', 'context.serviceAccount needs a name, a kind and an owner', { details: { field: 'context.serviceAccount' } })
    }
    const owner = { __entity: { type: account.owner.type, id: account.owner.id } }
    context.serviceAccount = { name: account.name, kind: account.kind, ...(account.owner.type === 'Group' ? { ownerGroup: owner } : { ownerUser: owner }) }
  }
  const asset = given?.asset
  if (asset !== undefined && (typeof asset.uri !== 'string' || asset.uri === '')) throw new ConductorError('invalid_input', 'context.asset needs a uri', { details: { field: 'context.asset' } })
  if (asset !== undefined) context.asset = { uri: asset.uri }
  // An owned schedule or link: who it acts as.
  for (const key of ['schedule', 'link'] as const) {
    const owned = given?.[key]
    if (owned === undefined) continue
    if (typeof owned.owner !== 'string' || typeof owned.ownerType !== 'string' || (owned.from !== undefined && typeof owned.from !== 'string')) {
      throw new ConductorError('invalid_input', `context.${key} needs an owner and its type`, { details: { field: `context.${key}` } })
    }
    context[key] = { owner: owned.owner, ownerType: owned.ownerType, ...(owned.from !== undefined ? { from: owned.from } : {}) }
  }
  const asked = given?.environment
  if (asked !== undefined) {
    const bad = typeof asked.name !== 'string' || typeof asked.zone !== 'string' || typeof asked.tier !== 'string' || (asked.team !== undefined && typeof asked.team !== 'string')
    if (bad) throw new ConductorError('invalid_input', 'context.environment needs a name, a zone and a tier', { details: { field: 'context.environment' } })
    context.environment = { name: asked.name, zone: asked.zone, tier: asked.tier, ...(asked.team !== undefined ? { team: asked.team } : {}) }
  }
  const subject = given?.subject
  if (subject !== undefined) {
    if (typeof subject.type !== 'string' || typeof subject.id !== 'string' || !Array.isArray(subject.groups) || subject.groups.some((g) => typeof g !== 'string')) {
      throw new ConductorError('invalid_input', 'context.subject needs a type, an id and groups', { details: { field: 'context.subject' } })
    }
    context.subject = { type: subject.type, id: subject.id, groups: [...subject.groups] }
  }
  return context
}
