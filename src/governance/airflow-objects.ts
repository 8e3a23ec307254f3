import type { AuditLog } from '../audit/index.ts'
import type { EnvironmentConfig } from '../config/index.ts'
import { ConductorError, isConductorError } from '../core/index.ts'
import type { Principal } from '../identity/index.ts'
import { AIRFLOW_OBJECTS, type AirflowObject, type AirflowObjectKind, type Orchestrator } from '../orchestrators/index.ts'
import type { Action, Decision, PolicyEngine } from '../policy/index.ts'
import type { CallMeta } from './governed-actions.ts'
import { authorizationRequest, type Targets } from './targets.ts'
import { withoutWaiting } from './approvals/without-waiting.ts'

/** The fields of a connection or variable whose values are secrets: never audited, logged or echoed in an error. */
const SECRET_FIELDS = ['password', 'extra', 'value'] as const

/**
 * Airflow's connections, variables and pools, read and written for a principal: each call is decided by policy
 * (`connection:read|write`, `variable:read|write`, `pool:read|write` on the environment, with the object's kind and
 * name in `context.airflow`) and answered by the environment's Airflow, called as the principal where the
 * environment's credentials can speak for a person, else with Conductor's. Reads of one object and every write are
 * audited (`airflow.proxy.read`, `airflow.proxy.write`) with the kind, the name and the names of the fields sent,
 * never a password, an `extra` or a variable's value; those values are also scrubbed from error messages.
 */
export interface AirflowObjects {
  /** Which Airflow the environment runs, and so which REST API it speaks. @throws ConductorError `environment_not_found`. */
  apiOf(environment: string): EnvironmentConfig['kind']
  /** Every object of `kind` the principal may read (by name), as Airflow answered them. */
  list(principal: Principal, environment: string, kind: AirflowObjectKind): Promise<AirflowObject[]>
  /** One object; `policy_denied` when the principal may not read it (Airflow is not asked). */
  get(principal: Principal, environment: string, kind: AirflowObjectKind, name: string, meta?: CallMeta): Promise<AirflowObject>
  /** Creates an object named by its id field in `body` (`connection_id`, `key`, `name`). */
  create(principal: Principal, environment: string, kind: AirflowObjectKind, body: AirflowObject, meta?: CallMeta): Promise<AirflowObject>
  /** Changes the fields of `body` (only those in `updateMask` when given); the id field may not change. */
  update(principal: Principal, environment: string, kind: AirflowObjectKind, name: string, body: AirflowObject, updateMask: readonly string[] | undefined, meta?: CallMeta): Promise<AirflowObject>
  /** Deletes an object. */
  remove(principal: Principal, environment: string, kind: AirflowObjectKind, name: string, meta?: CallMeta): Promise<void>
}

/** Dependencies of {@link createAirflowObjects}. */
export interface AirflowObjectsDeps {
  policy: Pick<PolicyEngine, 'authorize'>
  audit: Pick<AuditLog, 'append'>
  targets: Pick<Targets, 'environmentOf'>
}

type Operation = 'read' | 'create' | 'update' | 'delete'

/** Creates the governed access to Airflow's connections, variables and pools. */
export function createAirflowObjects(deps: AirflowObjectsDeps): AirflowObjects {
  const { policy, audit, targets } = deps

  const decide = (principal: Principal, env: EnvironmentConfig, kind: AirflowObjectKind, write: boolean, name: string): { action: Action; decision: Decision } => {
    const action = `${kind}:${write ? 'write' : 'read'}` as Action
    return { action, decision: withoutWaiting(policy.authorize(authorizationRequest(principal, action, env, null, { airflow: { kind, name } })), 'Airflow\'s connections, variables and pools') }
  }

  /** Decides, audits and performs one call about one named object, scrubbing `body`'s secret values from any error. */
  async function governed<T>(
    principal: Principal, environment: string, kind: AirflowObjectKind, name: string, operation: Operation,
    body: AirflowObject | null, meta: CallMeta | undefined, perform: (orchestrator: Orchestrator) => Promise<T>,
  ): Promise<T> {
    const { env, orchestrator } = targets.environmentOf(environment)
    const { action, decision } = decide(principal, env, kind, operation !== 'read', name)
    const record = (outcome: 'succeeded' | 'denied' | 'failed', errorCode?: string) => audit.append({
      type: operation === 'read' ? 'airflow.proxy.read' : 'airflow.proxy.write',
      principal: principal.id, principalType: principal.type, environment, action, decision: decision.decision, policyIds: decision.policyIds,
      data: {
        kind, name, operation, outcome, ...(errorCode ? { errorCode } : {}), ...(body ? { fields: Object.keys(body).sort() } : {}),
        ...(outcome === 'denied' ? { reasons: decision.reasons } : {}), httpRequestId: meta?.httpRequestId ?? null,
      },
    })
    if (decision.decision !== 'allow') {
      await record('denied')
      throw new ConductorError('policy_denied', `${principal.type} ${principal.id} may not ${action} ${kind} "${name}" in ${environment}: ${decision.reasons.join('; ')}`, {
        details: { action, kind, name, reasons: decision.reasons, policyIds: decision.policyIds },
      })
    }
    try {
      const result = await perform(orchestrator.as?.(principal) ?? orchestrator)
      await record('succeeded')
      return result
    } catch (error) {
      await record('failed', isConductorError(error) ? error.code : 'internal')
      throw scrubbed(error, body)
    }
  }

  return {
    apiOf: (environment) => targets.environmentOf(environment).env.kind,

    async list(principal, environment, kind) {
      const { env, orchestrator } = targets.environmentOf(environment)
      const all = await (orchestrator.as?.(principal) ?? orchestrator).listObjects(kind)
      const idField = AIRFLOW_OBJECTS[kind].idField
      return all.filter((item) => {
        const name = item[idField]
        return typeof name === 'string' && decide(principal, env, kind, false, name).decision.decision === 'allow'
      })
    },

    get: (principal, environment, kind, name, meta) => governed(principal, environment, kind, name, 'read', null, meta, (o) => o.getObject(kind, name)),

    create(principal, environment, kind, body, meta) {
      const idField = AIRFLOW_OBJECTS[kind].idField
      const name = body[idField]
      if (typeof name !== 'string' || name === '') {
        throw new ConductorError('invalid_input', `body.${idField}: a ${kind} needs a ${idField}`, { details: { field: `body.${idField}` } })
      }
      return governed(principal, environment, kind, name, 'create', body, meta, (o) => o.createObject(kind, name, body))
    },

    update(principal, environment, kind, name, body, updateMask, meta) {
      const idField = AIRFLOW_OBJECTS[kind].idField
      if (idField in body && body[idField] !== name) {
        throw new ConductorError('invalid_input', `body.${idField}: a ${kind} cannot be renamed (the path names "${name}")`, { details: { field: `body.${idField}` } })
      }
      return governed(principal, environment, kind, name, 'update', body, meta, (o) => o.updateObject(kind, name, body, updateMask))
    },

    remove: (principal, environment, kind, name, meta) => governed(principal, environment, kind, name, 'delete', null, meta, (o) => o.deleteObject(kind, name)),
  }
}

/** A secret field's value and, for a JSON `extra`, every string in it: what must never be echoed (3 characters or more). */
function secretStrings(value: unknown): string[] {
  if (typeof value !== 'string') return []
  const inner: string[] = []
  try {
    const walk = (v: unknown): void => {
      if (typeof v === 'string') inner.push(v)
      else if (v && typeof v === 'object') Object.values(v).forEach(walk)
    }
    walk(JSON.parse(value))
  } catch {
    // Not JSON: the value itself is the secret.
  }
  return [value, ...inner].filter((s) => s.length >= 3)
}

/** `error` with the secret values of `body` replaced by `[redacted]` in its message and details (the cause is dropped when anything was). */
function scrubbed(error: unknown, body: AirflowObject | null): unknown {
  const secrets = SECRET_FIELDS.map((field) => body?.[field]).flatMap(secretStrings).sort((a, b) => b.length - a.length)
  if (!isConductorError(error) || secrets.length === 0) return error
  const scrub = (text: string) => secrets.reduce((out, secret) => out.split(secret).join('[redacted]'), text)
  const message = scrub(error.message)
  const details = error.details ? JSON.parse(scrub(JSON.stringify(error.details))) as Record<string, unknown> : undefined
  if (message === error.message && JSON.stringify(details) === JSON.stringify(error.details)) return error
  return new ConductorError(error.code, message, details ? { details } : {})
}
