import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { AuditLog } from '../../audit/index.ts'
import { environmentIssues, environmentSchema, type EnvironmentConfig } from '../../config/index.ts'
import { ConductorError, type Clock } from '../../core/index.ts'
import type { Principal } from '../../identity/index.ts'
import { principalRef, type Action, type EnvironmentContext, type PolicyEngine } from '../../policy/index.ts'
import { isUniqueViolation } from '../../store/index.ts'
import { authorizationRequest } from '../targets.ts'
import {
  deleteStoredEnvironment, findStoredEnvironment, insertStoredEnvironment, listStoredEnvironments, storedEnvironmentsStamp, updateStoredEnvironment,
} from './environments.repository.ts'
import type { StoredEnvironmentsTable, StoredEnvironmentTables } from './environments.tables.ts'

/** An environment defined through the API, as shown to callers: its definition (credentials a secret reference) and who changed it when. */
export interface ManagedEnvironmentView {
  name: string
  kind: EnvironmentConfig['kind']
  url: string
  publicUrl: string | null
  zone: string
  tier: string
  team: string | null
  fullyGoverned: boolean
  /** The secret reference Conductor reaches this Airflow with (provider and secret name) and its kind; never the secret. */
  credentials: EnvironmentConfig['credentials']
  timeoutMs: number
  retries: number
  source: 'api'
  /** 1 at creation, one more at each change. */
  generation: number
  createdBy: string
  createdAt: string
  updatedBy: string
  updatedAt: string
}

/**
 * Environments defined through the API, beside those of `conductor.yaml` in one namespace: config owns its own
 * (`environment_config_owned`), a name is defined once (`environment_exists`). Every change is decided by policy
 * (`environment:create` on Conductor, `environment:manage` on the environment, each with `context.environment` as it
 * would be), validated by the schema of `environments[]`, audited (`environment.created|updated|deleted`), and put in
 * force on every replica within `governance.environmentsPollSeconds`.
 */
export interface ManagedEnvironments {
  /** Defines a new environment from an `environments[]` entry; its credentials must be a secret reference (`secret_value_refused`). */
  create(actor: Principal, input: unknown): Promise<ManagedEnvironmentView>
  /** Changes the fields `patch` names (credentials as a whole); the name stays. */
  update(actor: Principal, name: string, patch: unknown): Promise<ManagedEnvironmentView>
  /** Deletes it; it stops answering, its requests and audit stay readable. Answers it as it was. */
  delete(actor: Principal, name: string): Promise<ManagedEnvironmentView>
  /** Every API-defined environment, as config entries (for putting them in force). */
  definitions(): Promise<EnvironmentConfig[]>
  /** Puts the stored environments in force when they changed since the last look; answers whether they had. */
  poll(): Promise<boolean>
  /** Polls every `intervalSeconds` on this replica (0: never); no lease, each replica applies the change itself. */
  start(intervalSeconds: number): void
  stop(): Promise<void>
}

/** Dependencies of {@link createManagedEnvironments}. */
export interface ManagedEnvironmentsDeps {
  db: Kysely<StoredEnvironmentTables>
  policy: Pick<PolicyEngine, 'authorize'>
  audit: Pick<AuditLog, 'append'>
  clock: Clock
  logger: Logger
  /** The names `conductor.yaml` defines now (config reloads change them). */
  configNames: () => ReadonlySet<string>
  /** The secrets providers running and the Airflow-token signing keys configured, as config validation knows them. */
  known: { providers: ReadonlySet<string>; signingKeys: number }
  /** Puts the config and stored environments in force on this replica (the reloader's apply path). */
  apply: () => Promise<{ ok: boolean }>
}

/** Keys of `credentials` that could only hold a secret's value. */
const SECRET_VALUE_KEY = /pass(word)?|passwd|token|value|api[-_]?key|private|bearer|credential/i

/**
 * Refuses a secret's value anywhere a secret reference belongs: credentials given as a string, or with a key that
 * holds a value (`password`, `token`, …), or such a key on the environment itself. Never echoes the value.
 * @throws ConductorError `secret_value_refused` with `details.field`.
 */
export function refuseSecretValues(input: unknown): void {
  if (typeof input !== 'object' || input === null) return
  const record = input as Record<string, unknown>
  const refuse = (field: string) => {
    throw new ConductorError('secret_value_refused', `${field}: environments take a secret reference ({"provider", "secret"}) naming a secret held by a secrets provider, never the secret itself`, {
      details: { field },
    })
  }
  for (const key of Object.keys(record)) if (key !== 'credentials' && SECRET_VALUE_KEY.test(key)) refuse(key)
  const credentials = record.credentials
  if (credentials === undefined || credentials === null) return
  if (typeof credentials !== 'object' || Array.isArray(credentials)) refuse('credentials')
  for (const key of Object.keys(credentials as object)) {
    if (key !== 'serviceAccount' && key !== 'serviceAccountKind' && SECRET_VALUE_KEY.test(key)) refuse(`credentials.${key}`)
  }
}

/** Creates the service over the `stored_environments` table. */
export function createManagedEnvironments(deps: ManagedEnvironmentsDeps): ManagedEnvironments {
  const { db, policy, audit, clock, logger } = deps
  let timer: NodeJS.Timeout | null = null
  let running: Promise<unknown> = Promise.resolve()
  let lastStamp: string | null = null

  const now = () => new Date(clock.now()).toISOString()

  /** Validates an environment as config would; @throws `invalid_input` naming the field. */
  function validate(input: unknown): EnvironmentConfig {
    refuseSecretValues(input)
    const parsed = environmentSchema.safeParse(input)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : []
      const field = [...issue.path, ...(keys.length > 0 ? [keys[0]!] : [])].map(String).join('.') || 'body'
      throw new ConductorError('invalid_input', `${field}: ${issue.message}`, { details: { field } })
    }
    const [issue] = environmentIssues(parsed.data, deps.known)
    if (issue) {
      const field = issue.path.join('.')
      throw new ConductorError('invalid_input', `${field}: ${issue.message}`, { details: { field } })
    }
    return parsed.data
  }

  function asked(env: EnvironmentConfig): EnvironmentContext {
    return { name: env.name, zone: env.zone, tier: env.tier, ...(env.team !== undefined ? { team: env.team } : {}) }
  }

  async function must(actor: Principal, action: Action, env: EnvironmentConfig, existing: EnvironmentConfig | null): Promise<void> {
    const decision = existing
      ? policy.authorize(authorizationRequest(actor, action, existing, null, { environment: asked(env) }))
      : policy.authorize({ principal: principalRef(actor), action, context: { environment: asked(env) } })
    if (decision.decision !== 'allow') {
      await audit.append({
        type: 'environment.denied', principal: actor.id, principalType: actor.type, environment: env.name, action, decision: 'deny', policyIds: decision.policyIds,
        data: { reasons: decision.reasons },
      })
      throw new ConductorError('policy_denied', `${actor.type} ${actor.id} may not ${action} for environment ${env.name}: ${decision.reasons.join('; ')}`, {
        details: { action, reasons: decision.reasons, policyIds: decision.policyIds },
      })
    }
  }

  async function stored(name: string): Promise<{ row: StoredEnvironmentsTable; env: EnvironmentConfig }> {
    if (deps.configNames().has(name)) {
      throw new ConductorError('environment_config_owned', `environment "${name}" is defined in conductor.yaml: change it there (and reload), not through the API`, { details: { name, source: 'config' } })
    }
    const row = await findStoredEnvironment(db, name)
    if (!row) throw new ConductorError('environment_not_found', `environment "${name}" not found`, { details: { environment: name } })
    return { row, env: JSON.parse(row.definition) as EnvironmentConfig }
  }

  function rowOf(env: EnvironmentConfig, by: string, at: string, generation: number, created: { by: string; at: string }): StoredEnvironmentsTable {
    return {
      name: env.name, kind: env.kind, url: env.url, zone: env.zone, tier: env.tier, team: env.team ?? null, fully_governed: env.fullyGoverned === true ? 1 : 0,
      credentials: JSON.stringify(env.credentials), definition: JSON.stringify(env), generation, created_by: created.by, created_at: created.at, updated_by: by, updated_at: at,
    }
  }

  /** What the audit trail keeps of a change: the definition's public facts and the credentials' reference, never a value. */
  const summary = (env: EnvironmentConfig) => ({
    name: env.name, kind: env.kind, url: env.url, zone: env.zone, tier: env.tier, team: env.team ?? null, fullyGoverned: env.fullyGoverned === true,
    credentials: `${env.credentials.provider}/${env.credentials.secret}`,
  })

  /** Puts the change in force here at once (other replicas follow at their next poll); a failure is logged, the change stays stored. */
  async function applyNow(): Promise<void> {
    try { await deps.apply() } catch (error) { logger.error({ err: error }, 'putting API-defined environments in force failed') }
  }

  async function pollNow(): Promise<boolean> {
    const stamp = await storedEnvironmentsStamp(db)
    if (stamp === lastStamp) return false
    // A failed apply is tried again at the next poll.
    if ((await deps.apply()).ok) lastStamp = stamp
    return true
  }

  return {
    async create(actor, input) {
      const env = validate(input)
      if (deps.configNames().has(env.name)) {
        throw new ConductorError('environment_exists', `environment "${env.name}" is defined in conductor.yaml`, { details: { field: 'name', name: env.name, source: 'config' } })
      }
      await must(actor, 'environment:create', env, null)
      const at = now()
      const row = rowOf(env, actor.id, at, 1, { by: actor.id, at })
      try {
        await insertStoredEnvironment(db, row)
      } catch (error) {
        if (isUniqueViolation(error)) throw new ConductorError('environment_exists', `environment "${env.name}" already exists`, { details: { field: 'name', name: env.name, source: 'api' } })
        throw error
      }
      await audit.append({ type: 'environment.created', principal: actor.id, principalType: actor.type, environment: env.name, action: 'environment:create', decision: 'allow', data: summary(env) })
      await applyNow()
      return view(row)
    },

    async update(actor, name, patch) {
      const { row, env: before } = await stored(name)
      if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw new ConductorError('invalid_input', 'the body must be a JSON object', { details: { field: 'body' } })
      refuseSecretValues(patch)
      if ('name' in patch && (patch as { name: unknown }).name !== name) {
        throw new ConductorError('invalid_input', 'name: an environment cannot be renamed; create the new one and delete this one', { details: { field: 'name' } })
      }
      const env = validate({ ...before, ...patch, name })
      await must(actor, 'environment:manage', env, before)
      const next = rowOf(env, actor.id, now(), row.generation + 1, { by: row.created_by, at: row.created_at })
      if (!await updateStoredEnvironment(db, next, row.generation)) {
        throw new ConductorError('conflict', `environment "${name}" changed meanwhile; read it again and retry`, { details: { name } })
      }
      await audit.append({
        type: 'environment.updated', principal: actor.id, principalType: actor.type, environment: name, action: 'environment:manage', decision: 'allow',
        data: { ...summary(env), changed: Object.keys(patch).sort(), generation: next.generation },
      })
      await applyNow()
      return view(next)
    },

    async delete(actor, name) {
      const { row, env } = await stored(name)
      await must(actor, 'environment:manage', env, env)
      if (!await deleteStoredEnvironment(db, name, row.generation)) {
        throw new ConductorError('conflict', `environment "${name}" changed meanwhile; read it again and retry`, { details: { name } })
      }
      await audit.append({ type: 'environment.deleted', principal: actor.id, principalType: actor.type, environment: name, action: 'environment:manage', decision: 'allow', data: summary(env) })
      await applyNow()
      return view(row)
    },

    async definitions() {
      return (await listStoredEnvironments(db)).map((row) => JSON.parse(row.definition) as EnvironmentConfig)
    },

    poll() {
      const run = running.then(pollNow, pollNow)
      running = run.catch(() => undefined)
      return run
    },

    start(intervalSeconds) {
      if (intervalSeconds <= 0 || timer) return
      timer = setInterval(() => {
        this.poll().catch((error: unknown) => logger.warn({ err: error }, 'looking for API-defined environments failed'))
      }, intervalSeconds * 1000)
      timer.unref()
    },

    async stop() {
      if (timer) clearInterval(timer)
      timer = null
      await running
    },
  }
}

/** The caller's view of a stored row. */
function view(row: StoredEnvironmentsTable): ManagedEnvironmentView {
  const env = JSON.parse(row.definition) as EnvironmentConfig
  return {
    name: env.name, kind: env.kind, url: env.url, publicUrl: env.publicUrl ?? null, zone: env.zone, tier: env.tier, team: env.team ?? null,
    fullyGoverned: env.fullyGoverned === true, credentials: env.credentials, timeoutMs: env.timeoutMs, retries: env.retries, source: 'api',
    generation: row.generation, createdBy: row.created_by, createdAt: row.created_at, updatedBy: row.updated_by, updatedAt: row.updated_at,
  }
}
