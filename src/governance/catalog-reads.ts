import type { Kysely } from 'kysely'
import type { EnvironmentConfig } from '../config/index.ts'
import { ConductorError } from '../core/index.ts'
import type { Principal } from '../identity/index.ts'
import type { ProtectionStatus } from '../orchestrators/index.ts'
import { noPermitReason, principalRef, type Action, type Decision, type DecisionInputs, type PolicyEngine } from '../policy/index.ts'
import type { Catalog } from './catalog.ts'
import { listCatalogDags } from './catalog.repository.ts'
import type { CatalogDagsTable, EnvironmentStatusTable, GovernanceTables } from './governance.tables.ts'
import { listPrincipals } from './principals.repository.ts'
import { authorizationRequest, policyAttributesKey, type Targets } from './targets.ts'
import { dagView, type AccessView, type DagView, type Permission } from './views.ts'

/** The actions a DAG listing reports for its caller. */
export const DAG_ACTIONS = ['dag:read', 'dag:trigger', 'dag:rerun', 'dag:pause'] as const

/** The actions "who can run this" reports. */
const ACCESS_ACTIONS: Action[] = ['dag:read', 'dag:trigger', 'dag:rerun', 'dag:pause', 'run:read', 'run:logs']

/** The id of the stand-in principal that asks what membership of one group allows. */
const GROUP_PROBE_ID = '__conductor_group_probe__'

/** A principal to ask policy about on someone else's behalf: policy alone, no credential scope of the asker. */
const probe = (type: Principal['type'], id: string, groups: string[]): Principal => ({
  type, id, subject: id, issuer: 'conductor', username: id, displayName: null, email: null, groups, idpGroups: [],
})

/** An environment as its readers see it. */
export interface EnvironmentView {
  name: string
  kind: string
  url: string
  zone: string
  tier: string
  team: string | null
  /** Where it is defined: `config` (conductor.yaml) or `api` (docs/environments.md). */
  source: 'config' | 'api'
  status: { reachable: boolean; version: string | null; dagCount: number; lastSyncAt: string | null; lastError: string | null; checkedAt: string } | null
  /** How Conductor protects the environment now: its circuit and its read and write lanes; absent when it is not guarded. */
  protection?: ProtectionStatus
}

/** What a principal may see of the catalog, and who policy lets act on a DAG. */
export interface CatalogReads {
  /** The environments the principal may read (`environment:read`), with their last sync status and their protection now. */
  environments(principal: Principal): Promise<EnvironmentView[]>
  /** The catalog DAGs the principal may read, with what it may do to each; across environments unless filtered. */
  dags(principal: Principal, filter?: DagFilter): Promise<DagView[]>
  /** One DAG with its params; `dag_not_found` when the principal may not read it. */
  dag(principal: Principal, environment: string, dagId: string): Promise<DagView>
  /** Who policy lets read, trigger, rerun, pause… this DAG: groups and known principals, with the granting policies (needs dag:read). */
  access(principal: Principal, environment: string, dagId: string): Promise<AccessView>
}

/** Creates the catalog reads over the catalog and policy. */
export function createCatalogReads(deps: {
  db: Kysely<GovernanceTables>
  policy: Pick<PolicyEngine, 'authorize' | 'decisionInputs' | 'lineage'>
  catalog: Pick<Catalog, 'statuses'>
  targets: Targets
  /** The group names the loaded policies mention. */
  policyGroups: () => string[]
  /** Where an environment governed now is defined. */
  sourceOf?: (name: string) => 'config' | 'api'
}): CatalogReads {
  const { db, policy, targets } = deps
  const envs = targets.environments
  const listingKinds = createListingKinds(LISTING_KINDS_LIMIT)

  function allowed(principal: Principal, action: Action, env: EnvironmentConfig, dag: CatalogDagsTable | null): boolean {
    return policy.authorize(authorizationRequest(principal, action, env, dag)).decision === 'allow'
  }

  function permissions(principal: Principal, env: EnvironmentConfig, dag: CatalogDagsTable): Record<string, Permission> {
    const out: Record<string, Permission> = {}
    for (const action of DAG_ACTIONS) {
      const d = policy.authorize(authorizationRequest(principal, action, env, dag))
      out[action] = { allowed: d.decision === 'allow', policyIds: d.policyIds, reasons: d.reasons }
    }
    return out
  }

  /** The DAG, when the principal may read it; else `dag_not_found`, as if it did not exist. */
  async function readableDag(principal: Principal, environment: string, dagId: string): Promise<{ env: EnvironmentConfig; row: CatalogDagsTable }> {
    const { env } = targets.environmentOf(environment)
    const row = await targets.dagOf(environment, dagId)
    if (!allowed(principal, 'dag:read', env, row)) {
      throw new ConductorError('dag_not_found', `DAG "${dagId}" not found in environment "${environment}"`, { details: { environment, dagId } })
    }
    return { env, row }
  }

  return {
    async environments(principal) {
      const statuses = new Map((await deps.catalog.statuses()).map((s) => [s.environment, s]))
      return [...envs.values()]
        .filter((env) => allowed(principal, 'environment:read', env, null))
        .map((env) => environmentView(env, deps.sourceOf?.(env.name) ?? 'config', statuses.get(env.name), targets.environmentOf(env.name).orchestrator.protection?.()))
    },

    async dags(principal, filter = {}) {
      if (filter.environment !== undefined) targets.environmentOf(filter.environment)
      const rows = await listCatalogDags(db, filter.environment)
      // DAGs alike in what policy can see of them (environment, tags, owners, paused; and the id when a policy names
      // DAGs) get the same decisions: ask once per kind, and name each DAG in its own default-deny reasons. The kinds
      // of a principal are remembered across listings while the policy version and the decisions' period hold.
      const inputs = policy.decisionInputs()
      const byDagId = inputs.dagIdentity
      const kinds = listingKinds.of(principal, inputs)
      const envKeys = new Map<string, string>()
      const out: DagView[] = []
      for (const row of rows) {
        const env = envs.get(row.environment)
        if (env === undefined) continue
        if ((filter.zone !== undefined && env.zone !== filter.zone) || (filter.tier !== undefined && env.tier !== filter.tier)) continue
        if (filter.team !== undefined && (row.team ?? env.team ?? null) !== filter.team) continue
        let envKey = envKeys.get(env.name)
        if (envKey === undefined) envKeys.set(env.name, envKey = environmentKey(env))
        const key = `${envKey}\u0000${byDagId ? row.dag_id : policyAttributesKey(row, policy.lineage(env.name, row.dag_id).key)}`
        let kind = kinds.get(key)
        if (kind === undefined) {
          const read = policy.authorize(authorizationRequest(principal, 'dag:read', env, row))
          kind = {
            label: `${row.environment}/${row.dag_id}`, tags: JSON.parse(row.tags) as string[], owners: JSON.parse(row.owners) as string[],
            allowedRunTypes: row.allowed_run_types == null ? null : JSON.parse(row.allowed_run_types) as string[], readable: read.decision === 'allow', permissions: null, named: [],
          }
          kinds.set(key, kind)
        }
        if (!kind.readable || (filter.tag !== undefined && !kind.tags.includes(filter.tag))) continue
        if (kind.permissions === null) {
          kind.permissions = {}
          for (const action of DAG_ACTIONS) {
            const d = policy.authorize(authorizationRequest(principal, action, env, row))
            kind.permissions[action] = { allowed: d.decision === 'allow', policyIds: d.policyIds, reasons: d.reasons }
            if (namesResource(d, action, kind.label)) kind.named.push(action)
          }
        }
        out.push({
          environment: row.environment, dagId: row.dag_id, description: row.description, tags: kind.tags, owners: kind.owners, paused: row.paused === 1,
          schedule: row.schedule, syncedAt: row.synced_at, team: row.team, allowedRunTypes: kind.allowedRunTypes,
          permissions: relabelled(kind, `${row.environment}/${row.dag_id}`),
        })
      }
      return out
    },

    async dag(principal, environment, dagId) {
      const { env, row } = await readableDag(principal, environment, dagId)
      const params = await targets.environmentOf(environment).orchestrator.getDagParams(dagId).catch(() => null)
      return { ...dagView(row), permissions: permissions(principal, env, row), params }
    },

    async access(principal, environment, dagId) {
      const { env, row } = await readableDag(principal, environment, dagId)
      const known = (await listPrincipals(db, 1000)).map((p) => ({ type: p.type as Principal['type'], id: p.id, groups: JSON.parse(p.groups) as string[] }))
      const groups = new Set<string>([...deps.policyGroups(), ...known.flatMap((p) => p.groups)])
      // Unless a policy tells principals apart by more than their type and groups, principals alike are asked once.
      const byId = policy.decisionInputs().principalIdentity
      const actions: AccessView['actions'] = {}
      for (const action of ACCESS_ACTIONS) {
        const entry: AccessView['actions'][string] = { groups: [], principals: [] }
        for (const group of [...groups].sort()) {
          const d = policy.authorize(authorizationRequest(probe('User', GROUP_PROBE_ID, [group]), action, env, row))
          if (d.decision === 'allow') entry.groups.push({ group, policyIds: d.policyIds })
        }
        const alike = new Map<string, Decision>()
        for (const p of known) {
          const key = byId ? null : `${p.type}\u0000${[...new Set(p.groups)].sort().join('\u0000')}`
          let d = key === null ? undefined : alike.get(key)
          if (d === undefined) {
            d = policy.authorize(authorizationRequest(probe(p.type, p.id, p.groups), action, env, row))
            if (key !== null) alike.set(key, d)
          }
          if (d.decision === 'allow') entry.principals.push({ type: p.type, id: p.id, policyIds: d.policyIds })
        }
        actions[action] = entry
      }
      return { environment, dagId, actions }
    },
  }
}

/** How many DAG kinds (with their permissions) the listing remembers over every principal: a few tens of MB at most. */
const LISTING_KINDS_LIMIT = 100_000

/**
 * The DAG kinds each principal's listings found, by everything their decisions can depend on beside the DAG: the
 * principal as policy sees it (type, id, groups, attributes, credential scope), the policy version and the decisions'
 * period. Principals least recently listed are dropped first once `limit` kinds are remembered.
 */
function createListingKinds(limit: number): { of(principal: Principal, inputs: DecisionInputs): Map<string, Kind> } {
  const byPrincipal = new Map<string, Map<string, Kind>>()
  return {
    of(principal, inputs) {
      const key = JSON.stringify([inputs.version, inputs.period, principalRef(principal)])
      let kinds = byPrincipal.get(key)
      if (kinds !== undefined) byPrincipal.delete(key)
      else kinds = new Map()
      let total = kinds.size
      for (const other of byPrincipal.values()) total += other.size
      for (const [oldest, other] of byPrincipal) {
        if (total <= limit) break
        total -= other.size
        byPrincipal.delete(oldest)
      }
      byPrincipal.set(key, kinds)
      return kinds
    },
  }
}

/** Which catalog DAGs to list; every given field must match. */
export interface DagFilter {
  environment?: string | undefined
  /** A tag the DAG has. */
  tag?: string | undefined
  /** Its environment's compliance zone. */
  zone?: string | undefined
  /** Its environment's tier. */
  tier?: string | undefined
  /** The DAG's team in Airflow, or, for a DAG with none, its environment's owning team. */
  team?: string | undefined
}

/** An environment as policy sees it: a reloaded config may change its zone, tier or team under the same name. */
function environmentKey(env: EnvironmentConfig): string {
  return JSON.stringify([env.name, env.zone, env.tier, env.team ?? null, env.fullyGoverned === true])
}

/** DAGs alike to policy in one listing: their tags and owners, and the permissions asked for the first of them (labelled `label`). */
interface Kind {
  label: string
  tags: string[]
  owners: string[]
  allowedRunTypes: string[] | null
  readable: boolean
  /** The permissions of {@link DAG_ACTIONS}, once asked. */
  permissions: Record<string, Permission> | null
  /** The actions whose permission is the default deny, whose reason names the DAG. */
  named: Action[]
}

/** Whether the decision is the default deny, whose reason names the resource `label`. */
function namesResource(d: Decision, action: Action, label: string): boolean {
  return d.decision === 'deny' && d.policyIds.length === 0 && d.reasons.length === 1 && d.reasons[0] === noPermitReason(action, label)
}

/** The kind's permissions for one of its DAGs: shared, but for default denials, which name the DAG. */
function relabelled(kind: Kind, label: string): Record<string, Permission> {
  if (kind.named.length === 0 || label === kind.label) return kind.permissions!
  const out = { ...kind.permissions! }
  for (const action of kind.named) out[action] = { allowed: false, policyIds: [], reasons: [noPermitReason(action, label)] }
  return out
}

function environmentView(env: EnvironmentConfig, source: 'config' | 'api', status: EnvironmentStatusTable | undefined, protection: ProtectionStatus | undefined): EnvironmentView {
  return {
    name: env.name, kind: env.kind, url: env.url, zone: env.zone, tier: env.tier, team: env.team ?? null, source,
    status: status
      ? { reachable: status.reachable === 1, version: status.version, dagCount: status.dag_count, lastSyncAt: status.last_sync_at, lastError: status.last_error, checkedAt: status.checked_at }
      : null,
    ...(protection ? { protection } : {}),
  }
}
