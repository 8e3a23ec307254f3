import type { DagLineage } from './lineage-context.ts'

/** Every action a policy can permit or forbid, as Cedar `Action::"<name>"` ids. */
export const ACTIONS = [
  'dag:read',
  'dag:trigger',
  'dag:rerun',
  'dag:pause',
  'run:read',
  'run:logs',
  'request:approve',
  'audit:read',
  'policy:write',
  'environment:read',
  'dag:delete',
  'hitl:respond',
  'xcom:write',
  'connection:read',
  'connection:write',
  'variable:read',
  'variable:write',
  'pool:read',
  'pool:write',
  'asset:read',
  'asset:write',
  'config:read',
  'view:read',
  'airflow:authorize',
  'request:auto_approve',
  'grant:request',
  'grant:revoke',
  'service_account:read',
  'service_account:manage',
  'schedule:create',
  'schedule:read',
  'schedule:manage',
  'schedule:transfer',
  'link:create',
  'link:read',
  'link:manage',
  'environment:create',
  'environment:manage',
  'asset:post_event',
  'lineage:write',
  'lineage:read',
  'access:review',
  'review:manage',
  'review:read',
] as const

/** One of {@link ACTIONS}. */
export type Action = (typeof ACTIONS)[number]

/** What an action targets: a DAG, an environment, Conductor itself (`Conductor::"conductor"`), or a group (`Group::"<name>"`, grants). */
export type ActionTarget = 'dag' | 'environment' | 'application' | 'group'

/** The kind of resource each action targets, as declared in `conductor.cedarschema`. */
export const ACTION_TARGETS: Readonly<Record<Action, ActionTarget>> = {
  'dag:read': 'dag',
  'dag:trigger': 'dag',
  'dag:rerun': 'dag',
  'dag:pause': 'dag',
  'run:read': 'dag',
  'run:logs': 'dag',
  'request:approve': 'dag',
  'audit:read': 'application',
  'policy:write': 'application',
  'environment:read': 'environment',
  'dag:delete': 'dag',
  'hitl:respond': 'dag',
  'xcom:write': 'dag',
  'connection:read': 'environment',
  'connection:write': 'environment',
  'variable:read': 'environment',
  'variable:write': 'environment',
  'pool:read': 'environment',
  'pool:write': 'environment',
  'asset:read': 'environment',
  'asset:write': 'environment',
  'config:read': 'environment',
  'view:read': 'environment',
  'airflow:authorize': 'environment',
  'request:auto_approve': 'dag',
  'grant:request': 'group',
  'grant:revoke': 'group',
  'service_account:read': 'application',
  'service_account:manage': 'application',
  'schedule:create': 'dag',
  'schedule:read': 'dag',
  'schedule:manage': 'dag',
  'schedule:transfer': 'dag',
  'link:create': 'dag',
  'link:read': 'dag',
  'link:manage': 'dag',
  'environment:create': 'application',
  'environment:manage': 'environment',
  'asset:post_event': 'environment',
  'lineage:write': 'environment',
  'lineage:read': 'environment',
  'access:review': 'dag',
  'review:manage': 'application',
  'review:read': 'application',
}

/**
 * DAG actions also asked on the environment itself when no DAG is given (`Environment::"<name>"`): the `link:*`
 * questions about a link whose target is an asset rather than a DAG, and approving a request that targets no DAG
 * (`asset:post_event`), and reviewing an item of environment-level access (`access:review`).
 */
export const ENVIRONMENT_FALLBACK_ACTIONS: ReadonlySet<Action> = new Set(['link:create', 'link:read', 'link:manage', 'request:approve', 'request:auto_approve', 'access:review'])

/** The actions asked on `Group::"<name>"` when {@link AuthorizationRequest.group} names one (approving a grant request). */
export const GROUP_RESOURCE_ACTIONS: ReadonlySet<Action> = new Set(['grant:request', 'grant:revoke', 'request:approve', 'request:auto_approve'])

/** The kinds of principal policy knows (Cedar entity types). */
export type PrincipalKind = 'User' | 'ServiceAccount' | 'Agent'

/** What a presented credential allows at most; `null` on an axis = no limit on it. */
export interface CredentialScopeRef {
  actions: string[] | null
  environments: string[] | null
}

/** Who acts. `groups` are Conductor group names (after group mapping); each becomes a `Group::"<name>"` parent. */
export interface PrincipalRef {
  type: PrincipalKind
  id: string
  groups: string[]
  /**
   * Extra attributes; only those the schema declares reach Cedar (`username`, `email`; for an `Agent` `username` and
   * `sponsor`). `username` defaults to `id`.
   */
  attributes?: Record<string, unknown>
  /**
   * The presented credential's scope. The engine denies, before any policy, an action outside `scope.actions` and a
   * DAG or environment action on an environment outside `scope.environments`.
   */
  scope?: CredentialScopeRef
}

/** The environment a request targets (`Environment::"<name>"`). */
export interface EnvironmentRef {
  name: string
  zone: string
  tier: string
  team: string | null
  /** `environments[].fullyGoverned` (Cedar `resource.fullyGoverned`, `resource.environment.fullyGoverned`); default false. */
  fullyGoverned?: boolean
}

/** The DAG a request targets (`Dag::"<env>/<dagId>"`, whose parent is its environment). */
export interface DagRef {
  dagId: string
  tags: string[]
  owners: string[]
  paused: boolean
  /** The DAG's team in Airflow (multi-team); Cedar `resource.team`, absent when null. */
  team?: string | null
  /** The run types Airflow allows for the DAG; Cedar `resource.allowedRunTypes`, absent when null (every type). */
  allowedRunTypes?: string[] | null
}

/** The target of a request. `dag` is required for DAG and run actions; application actions ignore the whole resource. */
export interface ResourceRef {
  environment: EnvironmentRef
  dag?: DagRef
}

/** One question to the policy engine: may `principal` do `action` on `resource`? */
export interface AuthorizationRequest {
  principal: PrincipalRef
  action: Action
  /** Required for DAG, run and environment actions; may be omitted for `audit:read` and `policy:write`. */
  resource?: ResourceRef
  /** Request facts. The time (`context.now`) comes from the engine's clock, never from the caller. */
  context?: RequestContext
  /**
   * The group a grant question is about: the resource becomes `Group::"<group>"` (required for `grant:request` and
   * `grant:revoke`; for `request:approve` and `request:auto_approve` it marks the pending request as a grant request).
   */
  group?: string
}

/** The kinds of Airflow object whose name policy sees (`context.airflow`). */
export const AIRFLOW_OBJECT_KINDS = ['connection', 'variable', 'pool'] as const

/** One of {@link AIRFLOW_OBJECT_KINDS}. */
export type AirflowObjectKind = (typeof AIRFLOW_OBJECT_KINDS)[number]

/** What a request says beyond its principal, action and resource. */
export interface RequestContext {
  conf?: Record<string, unknown>
  reason?: string
  /** The connection, variable or pool a `connection:*`, `variable:*` or `pool:*` question is about (`context.airflow`); absent for "any of them". */
  airflow?: { kind: AirflowObjectKind; name: string }
  /** For `request:approve` and `request:auto_approve`: the request waiting for approval (`context.request`). */
  request?: ApprovalRequestContext
  /** For grant actions (and approving a grant request): the grant asked for (`context.grant`). */
  grant?: { group: string; hours: number }
  /** For `service_account:read` and `service_account:manage`: the account asked about (`context.serviceAccount`). */
  serviceAccount?: ServiceAccountContext
  /** For `schedule:*`: the owned schedule asked about, by its owner (`context.schedule`; for a transfer, the new owner). */
  schedule?: ScheduleContext
  /** For `link:*`: the cross-deployment link asked about, by its owner (`context.link`, docs/links.md). */
  link?: ScheduleContext
  /** For `environment:create` and `environment:manage`: the environment asked about, as it would be (`context.environment`, docs/environments.md). */
  environment?: EnvironmentContext
  /** For `asset:post_event` (and `link:*` about a link whose target is an asset): the asset, by its URI (`context.asset`). */
  asset?: { uri: string }
  /** For `access:review`: the principal whose access is reviewed (`context.subject`, docs/reviews.md). */
  subject?: { type: string; id: string; groups: string[] }
  /**
   * For `dag:trigger` and `dag:rerun`, when the engine has no lineage source (policy test cases): what the DAG is known
   * to write (`context.lineage`). An engine with a source ignores it (see `PolicyEngineOptions.lineage`).
   */
  lineage?: { writes: string[]; writeTags: string[] }
}

/** An environment defined through the API as policy sees it in `context.environment`; `team` is absent when none. */
export interface EnvironmentContext {
  name: string
  zone: string
  tier: string
  team?: string
}

/** An owned schedule as policy sees it in `context.schedule`: who it triggers as (docs/schedules.md). */
export interface ScheduleContext {
  ownerType: 'User' | 'ServiceAccount' | 'Agent'
  owner: string
  /** For `schedule:transfer`: the current owner, as `Type:id`; absent otherwise. */
  from?: string
}

/**
 * A service account as policy sees it in `context.serviceAccount`: its owner becomes an entity reference
 * (`ownerGroup`, a `Group`, or `ownerUser`, a `User`) so a policy can say `principal in context.serviceAccount.ownerGroup`.
 */
export interface ServiceAccountContext {
  name: string
  kind: 'service' | 'agent'
  owner: { type: 'User' | 'Group'; id: string }
}

/** The pending request a `request:approve` question is about, as policy sees it in `context.request`. */
export interface ApprovalRequestContext {
  principal: string
  principalGroups: string[]
  action: string
  environment: string
  zone: string
  dagId: string
  reason: string
  /** SHA-256 (hex) of the request's canonical input: environment, DAG, action, conf and logical date. */
  confHash: string
}

/** One group an approval may come from, and how many of its members must approve. */
export interface ApprovalGroup {
  group: string
  count: number
}

/** A group that may approve too once a request has waited `afterMinutes` since it was made (`@escalate`). */
export interface ApprovalEscalation extends ApprovalGroup {
  afterMinutes: number
}

/** What an allow-with-approval waits for: approvals from any one of `groups`, and a reason when `reasonRequired`. */
export interface ApprovalRequirement {
  groups: ApprovalGroup[]
  reasonRequired: boolean
  /** The `@approval` permits that asked for it. */
  policyIds: string[]
  /**
   * Groups that may approve too after a wait (`@escalate`); absent on requests stored before escalation existed.
   * An escalation group counts like any of `groups` once it applies: `count` of its members suffice.
   */
  escalations?: ApprovalEscalation[]
}

/** The answer, with what decided it. */
export interface Decision {
  decision: 'allow' | 'deny'
  /** The determining policies: the permits that allowed, or the forbids that denied; empty for the default deny. */
  policyIds: string[]
  /** Human-readable explanation, e.g. `allowed by policy data-eng-trigger`, `denied: no policy permits dag:trigger on local/etl_daily`. */
  reasons: string[]
  /** Policies that failed to evaluate (they were skipped: an erroring policy never allows), as `policy <id>: <message>`. */
  errors: string[]
  /** The version of the policy set that decided. */
  policyVersion: number
  /**
   * For an allow: null when it may run at once; else what it waits for (every determining permit carries
   * `@approval`). Always null for a deny.
   */
  approval: ApprovalRequirement | null
}

/** Where a bad policy file is wrong. `file` is relative to the policy folder; `line` and `column` are 1-based. */
export interface PolicyErrorLocation {
  file: string
  line: number
  column: number
  message: string
}

/** The result of {@link PolicyEngine.reload}: the old set stays in force on any error. */
export type ReloadResult =
  | { ok: true; version: number; changed: boolean }
  | { ok: false; error: PolicyErrorLocation }

/** What is loaded now. `hash` is the sha256 over the files sorted by name (name and content of each). */
export interface PolicySetInfo {
  version: number
  hash: string
  loadedAt: string
  policyCount: number
  files: string[]
}

/** One loaded policy. `line` is where its text starts (its first annotation or its effect). */
export interface PolicyInfo {
  id: string
  file: string
  line: number
  effect: 'permit' | 'forbid'
  text: string
}

/** Decides requests against the Cedar policies of one folder. */
export interface PolicyEngine {
  /** Decides one request. Default deny; never throws for a policy's evaluation error (it is reported in `errors`). Throws `invalid_input` for a malformed request. */
  authorize(request: AuthorizationRequest): Decision
  /** Re-reads the folder. On any error the current set stays in force. The version only moves when the files changed. */
  reload(): Promise<ReloadResult>
  /** The policy set in force. */
  current(): PolicySetInfo
  /** The policies in force, in file order. */
  policies(): PolicyInfo[]
  /** The names of the groups the policies in force mention (`Group::"…"` in scopes and conditions), sorted, each once. */
  groupsNamed(): string[]
  /** Frees the engine's pre-parsed policy sets inside the Cedar wasm module. The engine must not be used afterwards. */
  close(): void
  /** Hits and misses of the decision cache since start (hit rate = hits / (hits + misses)), for metrics. */
  cacheStats(): DecisionCacheStats
  /** What decisions of the set in force can depend on; callers that memoise decisions over many resources key by it. */
  decisionInputs(): DecisionInputs
  /**
   * What `context.lineage` holds for a `dag:trigger` or `dag:rerun` of the DAG now. Callers that memoise decisions
   * over many DAGs key by its `key` too (two DAGs alike in attributes may write different data).
   */
  lineage(environment: string, dagId: string): DagLineage
}

/** Hits and misses of the decision cache since the engine started (a hit answered without asking Cedar). */
export interface DecisionCacheStats {
  hits: number
  misses: number
  /** Decisions remembered now (for the policy version in force). */
  entries: number
}

/**
 * What the decisions of the policy set in force can depend on beyond the principal's type and groups, the action, the
 * environment's attributes, the DAG's tags, owners and paused state, and the context: read once per version from the
 * policies' text (conservatively: a policy that might look is taken to look).
 */
export interface DecisionInputs {
  version: number
  /** Some policy names a principal (`User::"…"`), reads its attributes or compares it (`principal == …`). */
  principalIdentity: boolean
  /** Some policy names a DAG (`Dag::"…"`) or reads its `dagId`. */
  dagIdentity: boolean
  /**
   * How long a decision holds: `'second'` when some policy reads `context.now.epochSeconds` (or `context.now` whole),
   * `'hour'` when policies read only `context.now.hourUtc` / `dayOfWeekUtc`, null when none reads the time.
   */
  time: 'second' | 'hour' | null
  /**
   * The hour or second (by the engine's clock, per `time`) a decision asked now holds for; null when `time` is null.
   * Memoised decisions are valid only under the same `version` and `period`.
   */
  period: number | null
}

