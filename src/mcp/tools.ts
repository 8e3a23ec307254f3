import { z } from 'zod'
import { ApiError, type ApiClient } from '../client/index.ts'
import { boundLog, decodeLogCursor, DEFAULT_LOG_BYTES, encodeLogCursor, MAX_LOG_BYTES, type LogCursor } from './log-bounds.ts'
import type { ToolName } from './tool-set.ts'

/** The caller as `GET /api/v1/me` answers (the fields the tools use). */
export interface Me {
  type: string
  id: string
  username: string
  groups: string[]
  agent?: { sponsor: string; tools: string[] } | null
}

/** What a tool works with: a REST client whose calls are marked as this tool's, and the caller. */
export interface ToolContext {
  api: ApiClient
  me: Me
}

/** One tool: its input schema, whether it writes, and what it does over the REST API. */
export interface ToolDefinition {
  name: ToolName
  title: string
  description: string
  write: boolean
  input: z.ZodObject
  run(ctx: ToolContext, args: Record<string, unknown>): Promise<Record<string, unknown>>
}

const id = (what: string) => z.string().min(1).max(250).describe(what)
const env = id('The environment (an Airflow deployment), as list_environments names it')
const dag = id('The DAG id')
const runId = id('The run id, e.g. conductor__… or manual__…')
const reason = z.string().max(500).optional().describe('Why; recorded, shown to approvers, and available to policy')
const seg = encodeURIComponent

function dagPath(args: Record<string, unknown>): string {
  return `/api/v1/environments/${seg(String(args.env))}/dags/${seg(String(args.dag))}`
}

function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) if (value !== undefined) search.set(key, String(value))
  const text = search.toString()
  return text ? `?${text}` : ''
}

interface RequestView {
  id: string
  createdAt: string
  action: string
  environment: string
  dagId: string | null
  runId: string | null
  state: string
  input: Record<string, unknown>
  decision: { decision: string; reasons: string[]; policyIds: string[] }
  approval: { groups: { group: string; count: number }[]; reasonRequired: boolean; expiresAt: string | null } | null
  grantId: string | null
}

/**
 * The answer of a call that waits for a person's approval: not an error. The agent is told to wait, not to retry.
 */
export function pendingAnswer(requestId: string, approval: { groups: { group: string; count: number }[]; reasonRequired?: boolean; expiresAt?: string | null }, what: string) {
  const from = approval.groups.map((g) => `${g.count} of ${g.group}`).join(' or ')
  return {
    state: 'pending' as const,
    requestId,
    needs: { approvals: approval.groups, reasonRequired: approval.reasonRequired ?? false },
    expiresAt: approval.expiresAt ?? null,
    message: `${what} waits for approval by ${from || 'an approver'} (request ${requestId}). Do not retry: it runs once approved. Check list_my_requests for its state.`,
  }
}

/** A request as the tools show it. */
function requestSummary(r: RequestView) {
  return {
    requestId: r.id, createdAt: r.createdAt, action: r.action, environment: r.environment || null, dagId: r.dagId, runId: r.runId, state: r.state,
    reason: typeof r.input.reason === 'string' ? r.input.reason : null,
    ...(r.input.group !== undefined ? { group: r.input.group, hours: r.input.hours } : {}),
    needs: r.approval ? { approvals: r.approval.groups, reasonRequired: r.approval.reasonRequired } : null,
    expiresAt: r.approval?.expiresAt ?? null,
    grantId: r.grantId,
  }
}

/** Turns a 403 `approval_pending` (a rerun waiting for approval) into the pending answer; rethrows anything else. */
function pendingOrThrow(error: unknown, what: string) {
  if (error instanceof ApiError && error.code === 'approval_pending' && typeof error.details?.requestId === 'string') {
    const groups = Array.isArray(error.details.groups) ? error.details.groups as { group: string; count: number }[] : []
    return pendingAnswer(error.details.requestId, { groups, expiresAt: typeof error.details.expiresAt === 'string' ? error.details.expiresAt : null }, what)
  }
  throw error
}

/** Conductor's MCP tools, each implemented once over the REST API. */
export const TOOLS: readonly ToolDefinition[] = [
  {
    name: 'list_environments', title: 'List environments', write: false,
    description: 'The Airflow deployments (environments) you may read, with their zone, tier and health.',
    input: z.strictObject({}),
    async run({ api }) {
      const { environments } = await api.request<{ environments: { name: string; kind: string; zone: string; tier: string; team: string | null; status: unknown }[] }>('GET', '/api/v1/environments')
      return { environments: environments.map((e) => ({ name: e.name, kind: e.kind, zone: e.zone, tier: e.tier, team: e.team, status: e.status })) }
    },
  },
  {
    name: 'list_dags', title: 'List DAGs', write: false,
    description: 'The DAGs you may read in an environment (all environments when env is left out), optionally only those with a tag.',
    input: z.strictObject({ env: env.optional(), tag: z.string().min(1).max(250).optional().describe('Only DAGs with this tag') }),
    async run({ api }, args) {
      const { dags } = await api.request<{ dags: { environment: string; dagId: string; description: string | null; tags: string[]; owners: string[]; paused: boolean; schedule: string | null }[] }>(
        'GET', `/api/v1/dags${query({ environment: args.env as string | undefined, tag: args.tag as string | undefined })}`)
      return { dags: dags.map((d) => ({ environment: d.environment, dagId: d.dagId, description: d.description, tags: d.tags, owners: d.owners, paused: d.paused, schedule: d.schedule })) }
    },
  },
  {
    name: 'describe_dag', title: 'Describe a DAG', write: false,
    description: 'One DAG: description, tags, owners, schedule, its params with their JSON schemas (what trigger_dag\'s conf may hold), and what you may do with it (by action, allowed or not and why).',
    input: z.strictObject({ env, dag }),
    async run({ api }, args) {
      return api.request<Record<string, unknown>>('GET', dagPath(args))
    },
  },
  {
    name: 'get_run_status', title: 'Get a run\'s status', write: false,
    description: 'One run of a DAG: its state, who started it, and each task instance with its state and try number.',
    input: z.strictObject({ env, dag, runId }),
    async run({ api }, args) {
      return api.request<Record<string, unknown>>('GET', `${dagPath(args)}/runs/${seg(String(args.runId))}`)
    },
  },
  {
    name: 'read_task_logs', title: 'Read a task\'s log', write: false,
    description: 'A bounded part of a task instance\'s log (at most maxBytes, default 16 KiB, at most 64 KiB), cut at a line end. When more remains, `truncated` is true and `continuation` is set: pass it back to read on. A continuation without truncation reads what a running task writes later.',
    input: z.strictObject({
      env, dag, runId, taskId: id('The task id'),
      tryNumber: z.number().int().min(1).optional().describe('The try (default: the latest)'),
      continuation: z.string().min(1).max(8192).optional().describe('The `continuation` of the previous answer'),
      maxBytes: z.number().int().min(1024).max(MAX_LOG_BYTES).optional().describe(`At most this many bytes of log text (default ${DEFAULT_LOG_BYTES}, at most ${MAX_LOG_BYTES})`),
    }),
    async run({ api }, args) {
      const cursor: LogCursor | null = typeof args.continuation === 'string' ? decodeLogCursor(args.continuation) : null
      const tryNumber = cursor?.tryNumber ?? (args.tryNumber as number | undefined)
      const page = await api.request<{ tryNumber: number; lines: string[]; continuationToken: string | null; requestId: string }>(
        'GET', `${dagPath(args)}/runs/${seg(String(args.runId))}/tasks/${seg(String(args.taskId))}/logs${query({ tryNumber, continuationToken: cursor?.token ?? undefined })}`)
      const { text, nextOffset } = boundLog(page.lines.join('\n'), cursor?.offset ?? 0, (args.maxBytes as number | undefined) ?? DEFAULT_LOG_BYTES)
      const next: LogCursor | null = nextOffset !== null
        ? { token: cursor?.token ?? null, offset: nextOffset, tryNumber: page.tryNumber }
        : page.continuationToken ? { token: page.continuationToken, offset: 0, tryNumber: page.tryNumber } : null
      return {
        tryNumber: page.tryNumber, text, bytes: Buffer.byteLength(text, 'utf8'), truncated: nextOffset !== null,
        continuation: next ? encodeLogCursor(next) : null, requestId: page.requestId,
      }
    },
  },
  {
    name: 'list_my_requests', title: 'List my requests', write: false,
    description: 'Your requests that wait for approval (state `pending`, the default), or your recent requests of any state (`all`), newest first.',
    input: z.strictObject({
      state: z.enum(['pending', 'all']).optional().describe('pending (default) or all'),
      limit: z.number().int().min(1).max(100).optional().describe('At most this many (default 20)'),
    }),
    async run({ api, me }, args) {
      const state = args.state === 'all' ? undefined : 'pending'
      const { requests } = await api.request<{ requests: RequestView[] }>('GET', `/api/v1/requests${query({ principal: me.id, state, limit: (args.limit as number | undefined) ?? 20 })}`)
      return { requests: requests.map(requestSummary) }
    },
  },
  {
    name: 'trigger_dag', title: 'Trigger a DAG', write: true,
    description: 'Starts a run of a DAG, as you, when policy allows. When policy asks a person to approve first, answers state `pending` with the request id instead of running: wait, do not retry.',
    input: z.strictObject({
      env, dag,
      conf: z.record(z.string(), z.unknown()).optional().describe('The run\'s conf (see describe_dag for the params)'),
      logicalDate: z.iso.datetime({ offset: true }).optional().describe('ISO 8601; leave out for a normal manual run'),
      reason,
    }),
    async run({ api }, args) {
      const answer = await api.request<{ request: RequestView; run?: Record<string, unknown> }>('POST', `${dagPath(args)}/runs`, {
        ...(args.conf !== undefined ? { conf: args.conf } : {}), ...(args.logicalDate !== undefined ? { logicalDate: args.logicalDate } : {}),
        ...(args.reason !== undefined ? { reason: args.reason } : {}),
      })
      if (!answer.run) return pendingAnswer(answer.request.id, answer.request.approval ?? { groups: [] }, `Triggering ${String(args.env)}/${String(args.dag)}`)
      return { state: 'triggered', requestId: answer.request.id, runId: answer.run.runId, run: answer.run }
    },
  },
  {
    name: 'rerun_failed_tasks', title: 'Rerun failed tasks', write: true,
    description: 'Clears the failed tasks of a run so Airflow runs them again, when policy allows; `pending` with the request id when a person must approve first.',
    input: z.strictObject({ env, dag, runId, reason }),
    async run({ api }, args) {
      try {
        const answer = await api.request<{ request: RequestView; clearedTaskIds: string[] }>(
          'POST', `${dagPath(args)}/runs/${seg(String(args.runId))}/rerun`, args.reason !== undefined ? { reason: args.reason } : {})
        return { state: 'rerun', requestId: answer.request.id, clearedTaskIds: answer.clearedTaskIds }
      } catch (error) {
        return pendingOrThrow(error, `Rerunning ${String(args.env)}/${String(args.dag)} ${String(args.runId)}`)
      }
    },
  },
  {
    name: 'request_approval', title: 'Ask a person for a just-in-time grant', write: true,
    description: 'Asks for a time-bound membership of a group (a just-in-time grant) so you may do what that group may: `pending` with the request id while a person decides, or `granted` when policy grants it at once.',
    input: z.strictObject({
      group: z.string().min(1).max(250).describe('The group, e.g. jit-prod-rerun'),
      hours: z.number().int().min(1).describe('Whole hours, from when it is approved'),
      reason: z.string().min(1).max(2000).describe('Why you need it; the approver reads it'),
    }),
    async run({ api }, args) {
      const answer = await api.request<{ grant?: Record<string, unknown>; request?: RequestView }>('POST', '/api/v1/grants', { group: args.group, hours: args.hours, reason: args.reason })
      if (answer.grant) return { state: 'granted', grant: answer.grant }
      return pendingAnswer(answer.request!.id, answer.request!.approval ?? { groups: [] }, `A grant of ${String(args.group)} for ${String(args.hours)}h`)
    },
  },
]
