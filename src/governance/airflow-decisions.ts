import type { Kysely } from 'kysely'
import type { AuditLog } from '../audit/index.ts'
import type { EnvironmentConfig } from '../config/index.ts'
import { ConductorError, isConductorError } from '../core/index.ts'
import type { AirflowSignInCodes, Principal } from '../identity/index.ts'
import { AIRFLOW_OBJECT_KINDS, type Action, type AirflowObjectKind, type Decision, type PolicyEngine, type RequestContext } from '../policy/index.ts'
import { listCatalogDagAttributes, rememberDagTeams } from './catalog.repository.ts'
import type { GovernanceTables, RequestsTable } from './governance.tables.ts'
import { findPrincipal } from './principals.repository.ts'
import { findRequest } from './requests.repository.ts'
import { authorizationRequest, environmentMap, policyAttributesKey, type EnvironmentsInput, type PolicyDagRow } from './targets.ts'
import { withoutWaiting } from './approvals/without-waiting.ts'

/** The kinds of resource Airflow's auth manager asks about (`BaseAuthManager.is_authorized_*`, plus menu items and teams). */
export const AIRFLOW_RESOURCES = ['dag', 'asset', 'asset_alias', 'connection', 'variable', 'pool', 'configuration', 'view', 'custom_view', 'menu', 'team'] as const

/** Airflow's `DagAccessEntity` values: what part of a DAG a question is about. */
export const AIRFLOW_DAG_ENTITIES = ['AUDIT_LOG', 'CODE', 'DEPENDENCIES', 'HITL_DETAIL', 'RUN', 'TASK', 'TASK_INSTANCE', 'TASK_LOGS', 'VERSION', 'WARNING', 'XCOM'] as const

/** The most questions one batch may carry. */
export const MAX_AIRFLOW_QUESTIONS = 10_000

/** One authorization question as Airflow's auth manager asks it. */
export interface AirflowQuestion {
  resource: (typeof AIRFLOW_RESOURCES)[number]
  /** GET, POST, PUT, DELETE or MENU (a plugin's custom view may use its own word, which is denied). */
  method: string
  /** For `dag`: the part of the DAG (runs, task instances, logs…); absent for the DAG itself. */
  accessEntity?: (typeof AIRFLOW_DAG_ENTITIES)[number] | null
  /**
   * What the question names: the DAG id, connection id, variable key, pool name, asset or alias id, configuration
   * section, view (`AccessView`), custom view name, menu item (`MenuItem` name) or team name. Absent: "any of them".
   */
  id?: string | null
  /**
   * For `dag` with an id: the DAG's team as Airflow knows it in multi-team mode (`DagDetails.team_name`; null: none).
   * Airflow is the authority on it: it decides this question, and the catalog remembers it for Conductor's own decisions.
   */
  team?: string | null
}

/** One answer, in question order. `action` is the Conductor action that decided, or null when none applies (always denied, except team membership). */
export interface AirflowAnswer {
  allowed: boolean
  action: Action | null
  policyIds: string[]
}

/** A batch of answers and the policy version that gave them (the auth manager drops its cache when the version moves). */
export interface AirflowDecisionBatch {
  policyVersion: number
  /** False when Conductor has never seen the user or its directory refuses them (deactivated, deprovisioned): Airflow ends their session. */
  userActive: boolean
  decisions: AirflowAnswer[]
}

/**
 * The user an Airflow question is about, as the auth manager sends it: a Conductor principal id and type, and the
 * approved request Conductor is dispatching as them when their token names one (claim `conductor_request`).
 */
export interface AirflowUser {
  id: string
  type?: 'User' | 'ServiceAccount' | 'Agent'
  request?: string
}

/** The person an Airflow sign-in code stood for, as the auth manager makes its Airflow user of them. */
export interface AirflowSignedInUser {
  id: string
  name: string
  groups: string[]
  type: 'User' | 'ServiceAccount' | 'Agent'
}

/** What an Airflow question becomes in Conductor: an action, and for DAG actions whether it names one DAG or asks about any. */
export interface AirflowMapping {
  action: Action | null
  scope: 'dag' | 'any-dag' | 'environment' | 'team' | 'none'
}

const READS = new Set(['GET', 'MENU'])
const WRITES = new Set(['POST', 'PUT', 'DELETE'])

const DAG_ENTITY_ACTIONS: Record<string, Partial<Record<string, Action>>> = {
  DAG: { GET: 'dag:read', MENU: 'dag:read', PUT: 'dag:pause', DELETE: 'dag:delete' },
  RUN: { GET: 'run:read', MENU: 'run:read', POST: 'dag:trigger', PUT: 'dag:rerun', DELETE: 'dag:delete' },
  TASK_INSTANCE: { GET: 'run:read', MENU: 'run:read', POST: 'dag:rerun', PUT: 'dag:rerun', DELETE: 'dag:delete' },
  TASK_LOGS: { GET: 'run:logs', MENU: 'run:logs' },
  HITL_DETAIL: { GET: 'run:read', MENU: 'run:read', POST: 'hitl:respond', PUT: 'hitl:respond' },
  XCOM: { GET: 'run:read', MENU: 'run:read', POST: 'xcom:write', PUT: 'xcom:write', DELETE: 'xcom:write' },
  AUDIT_LOG: { GET: 'dag:read', MENU: 'dag:read' },
  CODE: { GET: 'dag:read', MENU: 'dag:read' },
  DEPENDENCIES: { GET: 'dag:read', MENU: 'dag:read' },
  TASK: { GET: 'dag:read', MENU: 'dag:read' },
  VERSION: { GET: 'dag:read', MENU: 'dag:read' },
  WARNING: { GET: 'dag:read', MENU: 'dag:read' },
}

const READ_WRITE: Partial<Record<AirflowQuestion['resource'], [Action, Action | null]>> = {
  connection: ['connection:read', 'connection:write'],
  variable: ['variable:read', 'variable:write'],
  pool: ['pool:read', 'pool:write'],
  asset: ['asset:read', 'asset:write'],
  asset_alias: ['asset:read', 'asset:write'],
  configuration: ['config:read', null],
  view: ['view:read', null],
  custom_view: ['view:read', null],
}

/** Airflow's menu items (`MenuItem` names) and the question each stands for. */
const MENU_ITEMS: Record<string, AirflowMapping> = {
  REQUIRED_ACTIONS: { action: 'run:read', scope: 'any-dag' },
  ASSETS: { action: 'asset:read', scope: 'environment' },
  AUDIT_LOG: { action: 'dag:read', scope: 'any-dag' },
  CONFIG: { action: 'config:read', scope: 'environment' },
  CONNECTIONS: { action: 'connection:read', scope: 'environment' },
  DAGS: { action: 'dag:read', scope: 'any-dag' },
  DEADLINES: { action: 'run:read', scope: 'any-dag' },
  DOCS: { action: 'view:read', scope: 'environment' },
  JOBS: { action: 'view:read', scope: 'environment' },
  PLUGINS: { action: 'view:read', scope: 'environment' },
  POOLS: { action: 'pool:read', scope: 'environment' },
  PROVIDERS: { action: 'view:read', scope: 'environment' },
  VARIABLES: { action: 'variable:read', scope: 'environment' },
  XCOMS: { action: 'run:read', scope: 'any-dag' },
}

/**
 * The Conductor action and scope of one Airflow question (the table in docs/airflow-auth-manager.md). A question
 * about a DAG without an id asks "any DAG of the environment"; a method Conductor has no action for maps to null.
 */
export function mapAirflowQuestion(q: AirflowQuestion): AirflowMapping {
  const method = q.method.toUpperCase()
  if (q.resource === 'dag') {
    const action = DAG_ENTITY_ACTIONS[q.accessEntity ?? 'DAG']?.[method] ?? null
    return action ? { action, scope: q.id ? 'dag' : 'any-dag' } : { action: null, scope: 'none' }
  }
  if (q.resource === 'menu') return (q.id ? MENU_ITEMS[q.id] : undefined) ?? { action: null, scope: 'none' }
  if (q.resource === 'team') return { action: null, scope: 'team' }
  const pair = READ_WRITE[q.resource]
  const action = !pair ? null : READS.has(method) ? pair[0] : WRITES.has(method) ? pair[1] : null
  return action ? { action, scope: 'environment' } : { action: null, scope: 'none' }
}

/** Answers Airflow's questions for its users in batches. */
export interface AirflowDecisions {
  /**
   * Answers `questions` for `user` in environment `environment`, in order. The asker must be allowed
   * `airflow:authorize` on the environment (`policy_denied` otherwise); an unknown environment is `environment_not_found`.
   * A user Conductor has never seen, or one the directory refuses (deactivated, deprovisioned), gets every answer false.
   * Questions nothing can wait for: an allow with approval is answered deny, except for the approved request the user
   * names (`user.request`) while Conductor dispatches it: a question about that request's DAG and action, for its
   * principal in its environment, is then allowed. Any other request (unknown, someone else's, another environment,
   * not being dispatched) changes no answer.
   * Appends one `airflow.authorize` audit event per batch with allowed/denied counts per action (and the request named,
   * with how many answers it allowed).
   */
  decide(asker: Principal, environment: string, user: AirflowUser, questions: readonly AirflowQuestion[]): Promise<AirflowDecisionBatch>
  /**
   * Redeems an Airflow sign-in code for the auth manager of `environment` (the asker needs `airflow:authorize` there,
   * checked before the code is taken) and returns the person it stands for, with their current groups. Appends
   * `airflow.sign_in` (or `auth.failed`).
   * @throws ConductorError `airflow_sign_in_invalid` when the code is unknown, used, expired or another environment's,
   * or the directory no longer vouches for the person; `policy_denied`; `environment_not_found`.
   */
  signIn(asker: Principal, environment: string, code: string): Promise<AirflowSignedInUser>
}

/** Dependencies of {@link createAirflowDecisions}. */
export interface AirflowDecisionsDeps {
  db: Kysely<GovernanceTables>
  policy: Pick<PolicyEngine, 'authorize' | 'current' | 'policies' | 'lineage'>
  audit: Pick<AuditLog, 'append'>
  /** A map is read live (config reload). */
  environments: EnvironmentsInput
  /** The directory gate (SCIM), when enabled: returns the principal with its current groups, or throws `session_revoked`. */
  gate?: ((principal: Principal) => Promise<Principal>) | null
  /** A Conductor service account or agent as it stands now (null when there is none; throws `token_owner_disabled` when it may not act). */
  account?: ((type: 'ServiceAccount' | 'Agent', id: string) => Promise<Principal | null>) | null
  /** The one-time codes of sign-in to Airflow's UI; null refuses every code. */
  signInCodes?: Pick<AirflowSignInCodes, 'redeem'> | null
}

/** Resolves the user an Airflow question is about: the principal Conductor last saw under that id, through the directory gate; null when unknown or refused. */
export async function resolveAirflowUser(deps: Pick<AirflowDecisionsDeps, 'db' | 'gate' | 'account'>, user: { id: string; type?: 'User' | 'ServiceAccount' | 'Agent' }): Promise<Principal | null> {
  if ((user.type === 'ServiceAccount' || user.type === 'Agent') && deps.account) {
    // A Conductor service account or agent is what its record says now (disabled, or a sponsor gone: refused).
    try {
      const account = await deps.account(user.type, user.id)
      if (account !== null) return account
    } catch (error) {
      if (isConductorError(error, 'token_owner_disabled')) return null
      throw error
    }
    if (user.type === 'Agent') return null
  }
  const seen = await findPrincipal(deps.db, user.type ?? 'User', user.id)
  if (!seen) return null
  const principal: Principal = {
    type: seen.type as Principal['type'], id: seen.id, subject: seen.subject, issuer: seen.issuer, username: seen.id,
    displayName: seen.display_name, email: seen.email, groups: JSON.parse(seen.groups) as string[], idpGroups: JSON.parse(seen.idp_groups) as string[],
  }
  if (!deps.gate) return principal
  try {
    return await deps.gate(principal)
  } catch (error) {
    if (isConductorError(error, 'session_revoked')) return null
    throw error
  }
}

/** Creates the batch decisions over policy, the catalog and the principals Conductor has seen. */
export function createAirflowDecisions(deps: AirflowDecisionsDeps): AirflowDecisions {
  const environments = environmentMap(deps.environments)
  let identity: { version: number; matters: boolean } | null = null
  // Whether any loaded policy can tell two DAGs with the same tags, owners and paused state apart (by `dagId` or a
  // `Dag::"…"` uid). When none can, one evaluation per distinct set of attributes answers every DAG that has it.
  const dagIdentityMatters = (): boolean => {
    const version = deps.policy.current().version
    if (identity?.version !== version) identity = { version, matters: deps.policy.policies().some((p) => DAG_IDENTITY.test(p.text)) }
    return identity.matters
  }
  // Only the auth manager's own credential (airflow:authorize on the environment) may ask on behalf of Airflow's users.
  const checkAsker = async (asker: Principal, environment: string, onBehalfOf: string | null) => {
    const env = environments.get(environment)
    if (!env) throw new ConductorError('environment_not_found', `unknown environment "${environment}"`, { details: { environment } })
    const may = deps.policy.authorize(authorizationRequest(asker, 'airflow:authorize', env, null))
    if (may.decision !== 'allow') {
      await deps.audit.append({ type: 'authz.decision', principal: asker.id, principalType: asker.type, environment, action: 'airflow:authorize', decision: 'deny', policyIds: may.policyIds, data: { onBehalfOf } })
      throw new ConductorError('policy_denied', `asking on behalf of Airflow users needs airflow:authorize on ${environment}`, { details: { action: 'airflow:authorize' } })
    }
    return env
  }
  return {
    async signIn(asker, environment, code) {
      await checkAsker(asker, environment, null)
      try {
        if (!deps.signInCodes) throw new ConductorError('airflow_sign_in_invalid', 'sign-in to Airflow through Conductor is not set up here')
        const ref = await deps.signInCodes.redeem(code, environment)
        const type = ref.type === 'ServiceAccount' ? 'ServiceAccount' : 'User'
        const person = await resolveAirflowUser(deps, { id: ref.id, type })
        if (!person) throw new ConductorError('airflow_sign_in_invalid', `${ref.id} may no longer sign in; sign in to Airflow again`)
        await deps.audit.append({
          type: 'airflow.sign_in', principal: person.id, principalType: person.type, environment,
          data: { asker: { type: asker.type, id: asker.id }, groups: person.groups },
        })
        return { id: person.id, name: person.displayName ?? person.id, groups: person.groups, type }
      } catch (error) {
        await deps.audit.append({
          type: 'auth.failed', environment,
          data: { reason: isConductorError(error) ? error.code : 'internal', message: error instanceof Error ? error.message : 'sign-in failed', route: 'airflow sign-in', asker: { type: asker.type, id: asker.id } },
        })
        throw error
      }
    },

    async decide(asker, environment, user, questions) {
      const env = await checkAsker(asker, environment, user.id)
      const subject = conductorItself(env, user) ?? await resolveAirflowUser(deps, user)
      const dispatching = subject && user.request ? await dispatchingRequest(deps.db, user.request, subject, environment) : null
      let allowedByRequest = 0
      let policyVersion = deps.policy.current().version
      const counts: Record<string, { allowed: number; denied: number }> = {}
      const tally = (key: string, allowed: boolean) => {
        const c = (counts[key] ??= { allowed: 0, denied: 0 })
        if (allowed) c.allowed++; else c.denied++
      }
      let decisions: AirflowAnswer[]
      if (!subject) {
        decisions = questions.map((q) => {
          const { action } = mapAirflowQuestion(q)
          tally(action ?? 'none', false)
          return { allowed: false, action, policyIds: [] }
        })
      } else {
        let dags: Map<string, PolicyDagRow> | null = null
        const catalog = async () => (dags ??= new Map((await listCatalogDagAttributes(deps.db, environment)).map((d) => [d.dag_id, d])))
        const memo = new Map<string, AirflowAnswer>()
        const byAttributes = !dagIdentityMatters()
        const ask = (action: Action, dag: PolicyDagRow | null, context: RequestContext = {}, approved = false): Decision => {
          const decided = deps.policy.authorize(authorizationRequest(subject, action, env, dag, context))
          policyVersion = decided.policyVersion
          if (approved && decided.decision === 'allow' && decided.approval !== null) {
            // The approval policy asks for was given on the request Conductor is dispatching right now.
            allowedByRequest++
            return { ...decided, approval: null }
          }
          return withoutWaiting(decided, 'Airflow\'s own UI and API')
        }
        decisions = []
        const teams = new Map<string, string | null>()
        for (const q of questions) {
          const mapping = mapAirflowQuestion(q)
          let dag = mapping.scope === 'dag' ? (await catalog()).get(q.id!) ?? null : null
          if (mapping.scope === 'dag' && q.team !== undefined && (dag?.team ?? null) !== q.team) {
            dag = { ...(dag ?? unseenDag(q.id!)), team: q.team }
            teams.set(q.id!, q.team)
          }
          // Two DAGs alike in attributes may still write different data (`context.lineage`): its key is part of theirs.
          const lineage = mapping.scope === 'dag' && byAttributes ? deps.policy.lineage(environment, q.id ?? '').key : ''
          const target = mapping.scope !== 'dag' || !byAttributes ? q.id ?? '' : dag ? policyAttributesKey(dag, lineage) : `unseen\u0000${lineage}`
          const approved = dispatching !== null && mapping.scope === 'dag' && q.id === dispatching.dag_id && mapping.action === dispatching.action
          const key = `${mapping.scope}\u0000${mapping.action}\u0000${target}\u0000${approved}`
          let answer = memo.get(key)
          if (!answer) {
            answer = await answerOne(mapping, q, subject, (action, row, context) => ask(action, row, context, approved), catalog, (d) => deps.policy.lineage(environment, d).key, byAttributes, dag)
            memo.set(key, answer)
          }
          tally(mapping.action ?? (mapping.scope === 'team' ? 'team:member' : 'none'), answer.allowed)
          decisions.push(answer)
        }
        // The teams Airflow named that the catalog did not hold: remembered, for Conductor's own decisions about those DAGs.
        if (teams.size > 0) await rememberDagTeams(deps.db, environment, teams)
      }
      await deps.audit.append({
        type: 'airflow.authorize', principal: user.id, principalType: user.type ?? 'User', environment, action: 'airflow:authorize',
        ...(user.request ? { requestId: user.request } : {}),
        data: {
          asker: { type: asker.type, id: asker.id }, known: subject !== null, questions: questions.length, counts, policyVersion,
          ...(user.request ? { request: { id: user.request, dispatching: dispatching !== null, allowed: allowedByRequest } } : {}),
        },
      })
      return { policyVersion, userActive: subject !== null, decisions }
    },
  }
}

async function answerOne(
  mapping: AirflowMapping,
  q: AirflowQuestion,
  subject: Principal,
  ask: (action: Action, dag: PolicyDagRow | null, context?: RequestContext) => Decision,
  catalog: () => Promise<Map<string, PolicyDagRow>>,
  /** The key of what a DAG of the environment is known to write. */
  lineageKey: (dagId: string) => string,
  byAttributes: boolean,
  /** For `dag`: the DAG as policy sees it (the catalog's row, with the team Airflow named), or null when unseen. */
  dagRow: PolicyDagRow | null = null,
): Promise<AirflowAnswer> {
  const { action, scope } = mapping
  if (scope === 'team') return { allowed: q.id ? subject.groups.includes(q.id) : subject.groups.length > 0, action: null, policyIds: [] }
  if (!action) return { allowed: false, action: null, policyIds: [] }
  if (scope === 'environment') return fromDecision(action, ask(action, null, namedObject(q)))
  if (scope === 'dag') {
    // A DAG the catalog has not seen is judged with no tags and no owners: only policies that do not look at them can allow it.
    return fromDecision(action, ask(action, dagRow ?? unseenDag(q.id!)))
  }
  const tried = new Set<string>()
  for (const dag of (await catalog()).values()) {
    if (byAttributes) {
      const key = policyAttributesKey(dag, lineageKey(dag.dag_id))
      if (tried.has(key)) continue
      tried.add(key)
    }
    const decision = ask(action, dag)
    if (decision.decision === 'allow') return fromDecision(action, decision)
  }
  // A DAG not yet in the catalog (none at all before the first sync): allowed to whoever policy allows it regardless
  // of tags, owners and id, such as Conductor's own catalog sync. (`*` is no Airflow DAG id: no real DAG's rule matches it.)
  return fromDecision(action, ask(action, unseenDag('*')))
}

const DAG_IDENTITY = /dagId|\bDag\s*::/

/**
 * The request named by an Airflow user's token, when it is an approved request of `subject` in `environment` that
 * Conductor is dispatching right now (state `dispatching`); null otherwise, whatever the reason, so the answer tells
 * the asker nothing about someone else's requests. Once dispatched (succeeded, failed, unknown) it lets nothing through.
 */
async function dispatchingRequest(db: Kysely<GovernanceTables>, id: string, subject: Principal, environment: string): Promise<RequestsTable | null> {
  const row = await findRequest(db, id)
  if (!row || row.state !== 'dispatching' || row.approval == null) return null
  if (row.principal_type !== subject.type || row.principal_id !== subject.id || row.environment !== environment || row.dag_id === null) return null
  return row
}

/** The group Conductor's own service account is in, in an Airflow it signs its own tokens for (policy decides what it may do). */
export const CONDUCTOR_SERVICE_GROUP = 'conductor-service'

/**
 * Conductor itself, when the user is the service account an environment signs its own tokens as
 * (`serviceAccountKind: conductor-signed`): only Conductor's key can sign such a token; null for anyone else.
 */
function conductorItself(env: EnvironmentConfig, user: { id: string; type?: string }): Principal | null {
  const c = env.credentials
  if (c.kind !== 'conductor-identity' || c.serviceAccountKind !== 'conductor-signed' || user.type !== 'ServiceAccount') return null
  if (user.id !== (c.serviceAccount ?? 'conductor')) return null
  return { type: 'ServiceAccount', id: user.id, subject: user.id, issuer: 'conductor', username: user.id, displayName: 'Airflow Conductor', email: null, groups: [CONDUCTOR_SERVICE_GROUP], idpGroups: [] }
}

/** A question about one connection, variable or pool carries its name to policy, as the proxy's calls do (`context.airflow`). */
function namedObject(q: AirflowQuestion): RequestContext {
  const kind = (AIRFLOW_OBJECT_KINDS as readonly string[]).includes(q.resource) ? q.resource as AirflowObjectKind : null
  return kind && q.id ? { airflow: { kind, name: q.id } } : {}
}


function fromDecision(action: Action, decision: Decision): AirflowAnswer {
  return { allowed: decision.decision === 'allow', action, policyIds: decision.policyIds }
}

function unseenDag(dagId: string): PolicyDagRow {
  return { dag_id: dagId, tags: '[]', owners: '[]', paused: 0, team: null, allowed_run_types: null }
}
