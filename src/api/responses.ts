import { z } from 'zod'
import { ERROR_CODES, type ErrorCode } from '../core/index.ts'
import { ACTIONS } from '../policy/index.ts'

/*
 * The answers of the API, one zod schema each. Routes declare them as response schemas, so each real answer is
 * checked against its schema before it leaves (a mismatch is a 500 and a failing test, never a silent drift), and
 * the OpenAPI document describes every answer. Objects are strict: a field the server sends must be declared here.
 * Each schema with an `id` becomes a named component of `/openapi.json` and a type of `contract/api-types.ts`.
 * They mirror the domain views (`governance/views.ts`, `orchestrators/orchestrator.ts`, `audit/types.ts`,
 * `policy/types.ts`); the routes' handlers are type-checked against them.
 */

const isoTime = z.string().describe('ISO 8601')
const json = z.record(z.string(), z.unknown())

/** The body of every error answer, as `handleError` sends it. */
export const errorBody = z.strictObject({
  error: z.strictObject({
    code: z.enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]]).describe('Stable; see docs/errors.md.'),
    message: z.string(),
    details: json.optional().describe('Facts a program may act on, e.g. `field`.'),
    requestId: z.string().describe('Find the answer in the server log by this id.'),
  }),
}).meta({ id: 'ErrorBody', description: 'An error answer.' })

/**
 * The error answers a route declares, by status: each is {@link errorBody}. Routes under /api/v1 always list
 * 401, 403 (refused CSRF or policy), 500 and 503 (identity provider or database down), see {@link apiErrors}.
 */
export function errors<const S extends readonly number[]>(...statuses: S): { [K in S[number]]: typeof errorBody } {
  return Object.fromEntries(statuses.map((s) => [s, errorBody])) as { [K in S[number]]: typeof errorBody }
}

/** How each route's answers declare `Retry-After`: always on 429, and on 503 when an environment's circuit is open. */
const RETRY_AFTER: Record<string, string> = {
  429: 'Seconds until the call may be retried (`details.retryAfterSeconds`).',
  503: 'Seconds until the environment\'s next probe, when its circuit is open (`environment_circuit_open`).',
}

/**
 * Declares the `Retry-After` header on the 429 and 503 answers of every operation of an OpenAPI document that may
 * answer 429 (those that call an orchestrator); the error handler sets it from `details.retryAfterSeconds`.
 */
export function withRetryAfterHeaders<D extends object>(document: D): D {
  const paths = (document as { paths?: Record<string, Record<string, { responses?: Record<string, Record<string, unknown>> }>> }).paths ?? {}
  for (const operation of Object.values(paths).flatMap((operations) => Object.values(operations))) {
    if (!operation?.responses?.['429']) continue
    for (const [status, description] of Object.entries(RETRY_AFTER)) {
      const response = operation.responses[status]
      if (response) response.headers = { 'Retry-After': { description, schema: { type: 'integer', minimum: 1 } } }
    }
  }
  return document
}

/** The error answers of an authenticated /api/v1 route, plus the route's own `extra` statuses. */
export function apiErrors<const S extends readonly number[]>(...extra: S) {
  return errors(401, 403, 500, 503, ...extra)
}

/** Who the caller is (`GET /api/v1/me`). */
export const me = z.strictObject({
  type: z.enum(['User', 'ServiceAccount', 'Agent']),
  agent: z.strictObject({
    sponsor: z.string().describe('The person who answers for this agent'),
    tools: z.array(z.string()).describe('The MCP tools it may use (empty: all that policy allows)'),
    budgets: z.array(z.strictObject({
      action: z.string(), max: z.number().int(), perHours: z.number().int(),
      used: z.number().int().describe('Non-denied requests of the action within the window now'),
      retryAfterSeconds: z.number().int().describe('0 while under the budget; else when one more request fits'),
    })),
  }).optional().describe('For an Agent: its sponsor, tools and budgets with how much is used'),
  credential: z.strictObject({
    kind: z.enum(['api-token', 'exchanged']),
    id: z.string(),
    scope: z.strictObject({ actions: z.array(z.string()).nullable(), environments: z.array(z.string()).nullable() }).describe('null: no limit on that axis'),
    expiresAt: z.string().nullable().describe('ISO 8601'),
  }).optional().describe('When you called with a Conductor token: which, its scope and expiry'),
  id: z.string(),
  username: z.string(),
  displayName: z.string().nullable(),
  email: z.string().nullable(),
  issuer: z.string(),
  groups: z.array(z.string()),
  idpGroups: z.array(z.string()).describe('The groups exactly as the identity provider sent them.'),
}).meta({ id: 'Me' })

const laneCounters = z.strictObject({
  inFlight: z.number().int().describe('Calls to the environment in flight now.'),
  queued: z.number().int().describe('Calls waiting for their turn now.'),
  throttled: z.number().int().describe('Calls refused with `orchestrator_throttled` since Conductor started.'),
})

/** How Conductor protects one environment right now (`environments[].limits` and `circuitBreaker`). */
export const protectionStatus = z.strictObject({
  circuit: z.strictObject({
    state: z.enum(['closed', 'open', 'half-open']).describe('`open`: calls are refused unsent (503 `environment_circuit_open`); `half-open`: the next call is a probe.'),
    consecutiveFailures: z.number().int(),
    openedAt: isoTime.nullable(),
    nextProbeAt: isoTime.nullable().describe('When one probe call will be let through; null while closed.'),
  }),
  reads: laneCounters,
  writes: laneCounters,
}).meta({ id: 'ProtectionStatus', description: 'Absent when the environment is not guarded.' })

/** An environment with its health. */
export const environmentView = z.strictObject({
  name: z.string(),
  kind: z.string(),
  url: z.string(),
  zone: z.string(),
  tier: z.string(),
  team: z.string().nullable(),
  source: z.enum(['config', 'api']).describe('Where it is defined: `config` (conductor.yaml) or `api` (POST /api/v1/environments).'),
  status: z.strictObject({
    reachable: z.boolean(),
    version: z.string().nullable(),
    dagCount: z.number().int(),
    lastSyncAt: isoTime.nullable(),
    lastError: z.string().nullable(),
    checkedAt: isoTime,
  }).nullable().describe('Null until the first sync.'),
  protection: protectionStatus.optional(),
}).meta({ id: 'EnvironmentView' })

/** The environments the caller may read. */
export const environmentList = z.strictObject({ environments: z.array(environmentView) }).meta({ id: 'EnvironmentList' })

/** One DAG param as Airflow declares it. */
export const dagParam = z.strictObject({
  value: z.unknown(),
  schema: json.describe('A JSON Schema for the value; `{}` when Airflow gives none.'),
  description: z.string().nullable(),
}).meta({ id: 'DagParam' })

/** One action's decision for the caller. */
export const permission = z.strictObject({
  allowed: z.boolean(),
  policyIds: z.array(z.string()),
  reasons: z.array(z.string()),
}).meta({ id: 'Permission' })

/** A DAG from the catalog. */
export const dagView = z.strictObject({
  environment: z.string(),
  dagId: z.string(),
  description: z.string().nullable(),
  tags: z.array(z.string()),
  owners: z.array(z.string()),
  paused: z.boolean(),
  schedule: z.string().nullable(),
  syncedAt: isoTime,
  team: z.string().nullable().describe('The DAG\'s team in Airflow (Airflow 3 multi-team); null when Airflow names none.'),
  allowedRunTypes: z.array(z.string()).nullable().describe('The run types Airflow allows for this DAG (`allowed_run_types`, Airflow 3.2+); null when every type is allowed. A DAG without `manual` cannot be triggered.'),
  permissions: z.record(z.string(), permission).optional().describe('What the caller may do with this DAG, and why, by action.'),
  params: z.record(z.string(), dagParam).nullable().optional().describe('The DAG\'s params (single-DAG reads only); null when Airflow cannot be asked.'),
}).meta({ id: 'DagView' })

/** DAGs the caller may read. */
export const dagList = z.strictObject({ dags: z.array(dagView) }).meta({ id: 'DagList' })

/** Who policy lets do each action on a DAG. */
export const accessView = z.strictObject({
  environment: z.string(),
  dagId: z.string(),
  actions: z.record(z.string(), z.strictObject({
    groups: z.array(z.strictObject({ group: z.string(), policyIds: z.array(z.string()) })),
    principals: z.array(z.strictObject({ type: z.string(), id: z.string(), policyIds: z.array(z.string()) })),
  })),
}).meta({ id: 'AccessView' })

/** Who started a run: a principal through Conductor, or Airflow itself. */
export const startedBy = z.discriminatedUnion('via', [
  z.strictObject({ via: z.literal('conductor'), principalType: z.string(), principalId: z.string(), requestId: z.string() }),
  z.strictObject({ via: z.literal('airflow'), runType: z.string().nullable(), triggeredBy: z.string().nullable() }),
]).meta({ id: 'StartedBy' })

const runFields = {
  environment: z.string(),
  dagId: z.string(),
  runId: z.string(),
  state: z.string().describe('`queued`, `running`, `success`, `failed`.'),
  runType: z.string().nullable(),
  logicalDate: isoTime.nullable(),
  queuedAt: isoTime.nullable(),
  startDate: isoTime.nullable(),
  endDate: isoTime.nullable(),
  conf: json,
  note: z.string().nullable(),
  triggeredBy: z.string().nullable(),
  startedBy,
}

/** A run with who started it. */
export const runView = z.strictObject(runFields).meta({ id: 'RunView' })

/** Recent runs of a DAG. */
export const runList = z.strictObject({ runs: z.array(runView) }).meta({ id: 'RunList' })

/** One task instance of a run. */
export const taskInstance = z.strictObject({
  taskId: z.string(),
  state: z.string().nullable().describe('Null when not yet scheduled.'),
  tryNumber: z.number().int(),
  mapIndex: z.number().int().describe('-1 for unmapped tasks.'),
  startDate: isoTime.nullable(),
  endDate: isoTime.nullable(),
  durationSeconds: z.number().nullable(),
}).meta({ id: 'TaskInstance' })

/** A run with its task instances. */
export const runDetail = z.strictObject({ ...runFields, tasks: z.array(taskInstance) }).meta({ id: 'RunDetail' })

/** A request (one attempted action) with its decision and outcome. */
export const requestView = z.strictObject({
  id: z.string(),
  createdAt: isoTime,
  updatedAt: isoTime,
  principal: z.strictObject({ type: z.string(), id: z.string(), issuer: z.string(), groups: z.array(z.string()) }),
  action: z.string(),
  environment: z.string(),
  dagId: z.string().nullable(),
  runId: z.string().nullable(),
  input: json,
  decision: z.strictObject({ decision: z.string(), policyIds: z.array(z.string()), reasons: z.array(z.string()), policyVersion: z.number().int() }),
  state: z.string(),
  error: z.strictObject({ code: z.string(), message: z.string() }).nullable(),
  approval: z.strictObject({
    groups: z.array(z.strictObject({ group: z.string(), count: z.number().int() })).describe('Approvals from any one of these groups, each `count` people'),
    reasonRequired: z.boolean(),
    policyIds: z.array(z.string()),
    expiresAt: isoTime.nullable(),
    escalations: z.array(z.strictObject({
      group: z.string(), count: z.number().int(), afterMinutes: z.number().int(), from: isoTime, escalatedAt: isoTime.nullable(),
    })).describe('Groups that may approve too from `from` on (`@escalate`); `escalatedAt` is when Conductor recorded the escalation'),
    verdicts: z.array(z.strictObject({ approverType: z.string(), approverId: z.string(), verdict: z.enum(['approve', 'deny']), comment: z.string().nullable(), at: isoTime })),
  }).nullable().describe('What the request waits for (or waited for) when policy asked for approval; null when it did not'),
  grantId: z.string().nullable().describe('The grant a `grant:request` request made once granted (docs/grants.md); null otherwise'),
}).meta({ id: 'RequestView' })

/** One step of a request's lifecycle, read from the audit trail. */
export const requestEvent = z.strictObject({
  seq: z.number().int().describe('The audit event\'s sequence number'),
  type: z.string().describe('`authz.decision`, `request.pending`, `request.approved`, `request.denied`, `request.expired`, `request.cancelled`, `request.auto_approved`, `dispatch.sent`, `dispatch.result`, …'),
  at: isoTime,
  actor: z.strictObject({ type: z.string(), id: z.string() }).nullable().describe('Who acted: the requester, the approver, the auto-approving policy; null for Conductor itself'),
  comment: z.string().nullable().describe('The approver\'s comment, or why it was cancelled'),
  outcome: z.string().nullable().describe('What it came to, when the step says: `run <id>`, an error code and message, …'),
}).meta({ id: 'RequestEvent' })

/** A request's lifecycle, oldest first. */
export const requestEvents = z.strictObject({ events: z.array(requestEvent) }).meta({ id: 'RequestEvents' })

/** Requests, newest first. */
export const requestList = z.strictObject({ requests: z.array(requestView) }).meta({ id: 'RequestList' })

/** What triggering a DAG answers. */
export const triggerResult = z.strictObject({ request: requestView, run: runView }).meta({ id: 'TriggerResult' })

/** What triggering a DAG answers when policy asks for approval first: the `pending` request. */
export const pendingResult = z.strictObject({ request: requestView }).meta({ id: 'PendingResult' })

/** What rerunning a run answers. */
export const rerunResult = z.strictObject({ request: requestView, clearedTaskIds: z.array(z.string()) }).meta({ id: 'RerunResult' })

/** What pausing or unpausing a DAG answers. */
export const pauseResult = z.strictObject({ request: requestView, dag: dagView }).meta({ id: 'PauseResult' })

/** One page of a task log. */
export const taskLogPage = z.strictObject({
  tryNumber: z.number().int(),
  lines: z.array(z.string()),
  continuationToken: z.string().nullable().describe('Pass back to read what the task wrote since; null when there is none.'),
  requestId: z.string(),
}).meta({ id: 'TaskLogPage' })

/** A policy decision explained. */
export const explanation = z.strictObject({
  decision: z.enum(['allow', 'deny']),
  policyIds: z.array(z.string()),
  reasons: z.array(z.string()),
  errors: z.array(z.string()),
  policyVersion: z.number().int(),
  approval: z.strictObject({
    groups: z.array(z.strictObject({ group: z.string(), count: z.number().int() })), reasonRequired: z.boolean(), policyIds: z.array(z.string()),
    escalations: z.array(z.strictObject({ group: z.string(), count: z.number().int(), afterMinutes: z.number().int() })).optional(),
  }).nullable().describe('For an allow: null when it runs at once; else the approvals it would wait for (`@approval`, `@escalate`)'),
  principal: z.strictObject({ type: z.string(), id: z.string(), groups: z.array(z.string()) }),
  action: z.enum(ACTIONS),
  environment: z.string(),
  dagId: z.string().nullable(),
  context: z.strictObject({
    lineage: z.strictObject({ writes: z.array(z.string()), writeTags: z.array(z.string()) }).optional()
      .describe('For dag:trigger and dag:rerun: what the DAG is known to write, as policy saw it (`context.lineage`, docs/lineage.md)'),
  }).describe('What Conductor added to the policy context for this question (beyond the time and the conf)'),
}).meta({ id: 'Explanation' })

/** One hash-chained audit event. */
export const auditEvent = z.strictObject({
  seq: z.number().int(),
  at: isoTime,
  type: z.string(),
  principal: z.string().nullable(),
  principalType: z.string().nullable(),
  environment: z.string().nullable(),
  dag: z.string().nullable(),
  action: z.string().nullable(),
  requestId: z.string().nullable(),
  decision: z.enum(['allow', 'deny']).nullable(),
  policyIds: z.array(z.string()),
  data: json,
  prevHash: z.string(),
  hash: z.string(),
}).meta({ id: 'AuditEvent' })

/** A page of audit events. */
export const auditPage = z.strictObject({
  events: z.array(auditEvent),
  nextAfterSeq: z.number().int().nullable().describe('Pass as `afterSeq` for the next page; null on the last.'),
}).meta({ id: 'AuditPage' })

const shadowKind = z.enum(['run', 'pause', 'clear', 'mark', 'unowned_schedule'])

/** One thing found done in an environment behind Conductor's back. */
export const shadowItem = z.strictObject({
  environment: z.string(),
  key: z.string().describe('Unique per environment: `run:<dag>/<run id>` or `event:<Airflow event log id>`.'),
  kind: shadowKind,
  severity: z.enum(['info', 'warning', 'high']).describe('`high` for anything in a fully governed environment; else `warning`, and `info` for unowned schedules.'),
  dagId: z.string().nullable(),
  runId: z.string().nullable(),
  actor: z.string().nullable().describe('The Airflow user who acted, when Airflow says.'),
  detail: json.describe('Run type and state, or Airflow\'s event name and its extra.'),
  occurredAt: isoTime,
  detectedAt: isoTime,
}).meta({ id: 'ShadowItem' })

/** Shadow activity: counts per kind over every match, and the most recent items. */
export const shadowList = z.strictObject({
  counts: z.strictObject({ run: z.number().int(), pause: z.number().int(), clear: z.number().int(), mark: z.number().int(), unowned_schedule: z.number().int() })
    .describe('How many items of each kind match `environment` and `since` (whatever `kind` and `limit` say).'),
  items: z.array(shadowItem).describe('Newest found first, at most `limit`.'),
}).meta({ id: 'ShadowList' })

/** The outcome of verifying the audit chain. */
export const auditVerifyResult = z.union([
  z.strictObject({ ok: z.literal(true), count: z.number().int(), lastSeq: z.number().int(), lastHash: z.string() }),
  z.strictObject({ ok: z.literal(false), firstBadSeq: z.number().int(), reason: z.string(), count: z.number().int() }),
]).meta({ id: 'AuditVerifyResult' })

/** A signed audit checkpoint (docs/audit.md, Checkpoints). */
export const auditCheckpoint = z.strictObject({
  seq: z.number().int().describe('The chain head signed: the last event\'s seq.'),
  hash: z.string().describe('That event\'s hash.'),
  at: z.string().describe('When the checkpoint was taken, ISO 8601.'),
  keyId: z.string().describe('The RFC 7638 thumbprint of the signing key\'s public JWK.'),
  signature: z.string().describe('Ed25519, base64url, over the RFC 8785 canonical JSON of {at, hash, keyId, seq}.'),
}).meta({ id: 'AuditCheckpoint' })

/** The checkpoints and the public key that verifies them. */
export const auditCheckpointList = z.strictObject({
  key: z.strictObject({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string(), kid: z.string() }).nullable()
    .describe('The public key (JWK) of `audit.checkpoints.key`; null when checkpoints are off.'),
  checkpoints: z.array(auditCheckpoint),
}).meta({ id: 'AuditCheckpointList' })

/** The answer to taking a checkpoint: null when the trail is empty. */
export const auditCheckpointTaken = z.strictObject({ checkpoint: auditCheckpoint.nullable() }).meta({ id: 'AuditCheckpointTaken' })

/** Where a bad policy file is wrong. */
export const policyErrorLocation = z.strictObject({
  file: z.string(), line: z.number().int(), column: z.number().int(), message: z.string(),
}).meta({ id: 'PolicyErrorLocation' })

/** The loaded policy set. */
export const policySetView = z.strictObject({
  version: z.number().int(),
  hash: z.string(),
  loadedAt: isoTime,
  policyCount: z.number().int(),
  files: z.array(z.string()),
  lastReloadError: policyErrorLocation.nullable().describe('Why the files on disk do not load; the set above stays in force.'),
  policies: z.array(z.strictObject({ id: z.string(), file: z.string(), line: z.number().int(), effect: z.enum(['permit', 'forbid']), text: z.string() })),
}).meta({ id: 'PolicySetView' })

const impactTarget = z.strictObject({
  environment: z.string().nullable().describe('null for an action on Conductor itself'),
  dagId: z.string().nullable().describe('null for an environment-level action'),
  before: z.array(z.string()).describe('The policies that decided before (empty: default deny).'),
  after: z.array(z.string()).describe('The policies that decide after the change.'),
})

/** Who gains and who loses what under a proposed policy set. */
export const policyImpactView = z.strictObject({
  policyVersion: z.number().int().describe('The version of the loaded set compared against.'),
  files: z.array(z.string()).describe('The files of the proposed set.'),
  principals: z.array(z.strictObject({
    type: z.string(),
    id: z.string(),
    groups: z.array(z.string()),
    actions: z.array(z.strictObject({ action: z.string(), gains: z.array(impactTarget), losses: z.array(impactTarget) })),
  })),
  counts: z.strictObject({
    principals: z.number().int(), dags: z.number().int(), environments: z.number().int(), evaluations: z.number().int(),
    gains: z.number().int(), losses: z.number().int(),
  }),
  truncated: z.boolean().describe('More targets changed than listed; the counts stay exact.'),
}).meta({ id: 'PolicyImpactView' })

/** The drift between SCIM and what tokens claim. */
export const reconciliationReport = z.strictObject({
  at: isoTime,
  checked: z.number().int(),
  inSync: z.number().int(),
  drifted: z.array(z.strictObject({
    principal: z.strictObject({ type: z.string(), id: z.string(), issuer: z.string() }),
    scimUser: z.strictObject({ id: z.string(), active: z.boolean(), deleted: z.boolean() }).nullable(),
    missingFromClaims: z.array(z.string()),
    notInScim: z.array(z.string()),
    lastSeenAt: isoTime,
  })),
}).meta({ id: 'ReconciliationReport' })

/** The signed-in browser session. */
export const session = z.strictObject({
  principal: z.strictObject({
    type: z.enum(['User', 'ServiceAccount', 'Agent']), id: z.string(), username: z.string(), displayName: z.string().nullable(), email: z.string().nullable(), groups: z.array(z.string()),
  }),
  csrfToken: z.string().describe('Send as `x-csrf-token` on every state-changing request.'),
  expiresAt: isoTime,
  idleExpiresAt: isoTime,
}).meta({ id: 'Session' })

/** Public sign-in facts for the CLI. */
export const cliConfig = z.strictObject({
  issuer: z.string().nullable(),
  cliClientId: z.string(),
  webClientId: z.string(),
  audience: z.string(),
  resource: z.string().nullable(),
  scopes: z.array(z.string()),
}).meta({ id: 'CliConfig' })

/** Where the browser goes after logout. */
export const logoutResult = z.strictObject({ redirectTo: z.string() }).meta({ id: 'LogoutResult' })

/** An OpenID Connect error answer (back-channel logout speaks OIDC, not Conductor's error body). */
export const oidcError = z.strictObject({ error: z.string(), error_description: z.string() }).meta({ id: 'OidcError' })

/** The answers to one batch of Airflow auth-manager questions (`POST /api/v1/airflow/{env}/authorize`). */
export const airflowDecisionBatch = z.strictObject({
  policyVersion: z.number().int().describe('The policy version that decided; an auth manager drops its cached answers when it moves.'),
  userActive: z.boolean().describe('False when Conductor has never seen the user or its directory refuses them (deactivated, deprovisioned): the auth manager ends their Airflow session.'),
  decisions: z.array(z.strictObject({
    allowed: z.boolean(),
    action: z.enum(ACTIONS).nullable().describe('The Conductor action the question maps to; null when none does (denied), or for team membership.'),
    policyIds: z.array(z.string()).describe('The policies that allowed or forbade; empty for the default deny.'),
  })).describe('One answer per question, in question order.'),
}).meta({ id: 'AirflowDecisionBatch' })

/** The person an Airflow sign-in code stood for (`POST /api/v1/airflow/{env}/sign-in`). */
export const airflowSignedIn = z.strictObject({
  user: z.strictObject({
    id: z.string().describe('The Conductor principal id: the Airflow user\'s id, `triggering_user_name` of what they start.'),
    name: z.string(),
    groups: z.array(z.string()).describe('Current groups (token claims and SCIM).'),
    type: z.enum(['User', 'ServiceAccount', 'Agent']),
  }),
}).meta({ id: 'AirflowSignedIn' })
