import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { ConductorError } from '../../core/index.ts'
import type { Governance, IdempotencyKeys } from '../../governance/index.ts'
import type { Principal } from '../../identity/index.ts'
import type { Authenticator } from '../authenticate.ts'
import { airflowPage, likePattern, parse } from '../airflow-proxy-input.ts'
import { registerAirflowObjectRoutes } from '../airflow-proxy-objects.ts'
import { idempotent, useIdempotency } from '../idempotency.ts'
import { AIRFLOW_PROXY_ROUTES, runKnownById } from '../airflow-proxy-map.ts'
import type { AirflowProxyDialect } from '../airflow-proxy-v1.ts'

const triggerBody = z.looseObject({
  dag_run_id: z.string().max(250).nullable().optional(),
  logical_date: z.string().nullable().optional(),
  /** Airflow 2's older name for `logical_date`. */
  execution_date: z.string().nullable().optional(),
  conf: z.record(z.string(), z.unknown()).nullable().optional(),
  note: z.string().max(1000).nullable().optional(),
})
const patchBody = z.looseObject({ is_paused: z.boolean() })
// Airflow's defaults: a clear without `dry_run: false` only says what it would clear.
const clearBody = z.looseObject({
  dry_run: z.boolean().default(true),
  only_failed: z.boolean().default(false),
  only_new: z.boolean().optional(),
  run_on_latest_version: z.boolean().nullable().optional(),
  note: z.string().max(1000).nullable().optional(),
})
const logQuery = z.looseObject({ token: z.string().max(4096).optional() })

/** Where each dialect is served, below `/airflow/:env`. */
const PREFIX = { airflow3: '/api/v2', airflow2: '/api/v1' } as const

/**
 * Airflow's REST API served through Conductor, registered under `/airflow/:env/api/v2` with {@link AIRFLOW3_DIALECT}
 * and `/airflow/:env/api/v1` with {@link AIRFLOW2_DIALECT}: the routes of {@link AIRFLOW_PROXY_ROUTES} and
 * {@link AIRFLOW_OBJECT_ROUTES}, each answered by the governed call it names (policy, audit, ledger, limits) in that
 * API's JSON shapes; every other route is refused with 403. An environment running the other Airflow is 404
 * `airflow_api_mismatch`. The caller is authenticated by its Conductor bearer token (a session cookie is not
 * accepted here). Errors answer in Airflow's shape, `{"detail": message, "code": registry code, "requestId"}`, with
 * the status of the Conductor error code.
 */
export function airflowProxyRoutes(deps: { authenticator: Authenticator; governance: Governance; idempotency: IdempotencyKeys; dialect: AirflowProxyDialect }): FastifyPluginAsync {
  const g = deps.governance
  const dialect = deps.dialect
  const page = airflowPage(dialect.defaultLimit)
  const dagsQuery = z.looseObject({
    ...page,
    tags: z.union([z.string(), z.array(z.string())]).optional(),
    paused: z.enum(['true', 'false']).optional(),
    dag_id_pattern: z.string().max(250).optional(),
  })
  const runsQuery = z.looseObject(page)
  return async (app) => {
    const callers = new WeakMap<FastifyRequest, Principal>()
    const who = (request: FastifyRequest): Principal => {
      const principal = callers.get(request)
      if (!principal) throw new ConductorError('token_missing', 'not authenticated')
      return principal
    }
    const meta = (request: FastifyRequest) => ({ httpRequestId: String(request.id) })
    const env = (request: FastifyRequest) => (request.params as { env: string }).env
    const param = (request: FastifyRequest, name: string) => (request.params as Record<string, string>)[name]!

    app.addHook('onRequest', async (request) => {
      const caller = await deps.authenticator.authenticate(request)
      // A browser session would let another site's page act here without the console's CSRF check.
      if (caller.session) throw new ConductorError('token_missing', 'send your Conductor token as "Authorization: Bearer <token>"; the console\'s session is not accepted here')
      callers.set(request, caller.principal)
      request.log = request.log.child({ principal: `${caller.principal.type}:${caller.principal.id}` })
      const runs = g.airflowObjects.apiOf(env(request))
      if (runs !== dialect.kind) {
        const use = `/airflow/${env(request)}${PREFIX[runs]}`
        throw new ConductorError('airflow_api_mismatch', `environment "${env(request)}" runs ${runs === 'airflow2' ? 'Airflow 2' : 'Airflow 3'}: call its REST API at ${use}`, {
          details: { environment: env(request), use },
        })
      }
    })
    // Airflow clients read `detail`; the body keeps Conductor's code and request id beside it.
    app.addHook('onSend', async (request, reply, payload) => {
      if (reply.statusCode < 400 || typeof payload !== 'string') return payload
      try {
        const body = JSON.parse(payload) as { error?: { code: string; message: string; details?: unknown; requestId: string } }
        if (!body.error) return payload
        return JSON.stringify({ detail: body.error.message, code: body.error.code, ...(body.error.details ? { details: body.error.details } : {}), requestId: body.error.requestId })
      } catch {
        return payload
      }
    })

    // The trigger and the clear take `Idempotency-Key` as Conductor's own routes do; the answer kept is Airflow's shape.
    useIdempotency(app, { keys: deps.idempotency, who })
    const hidden = { schema: { hide: true } }
    const [listDags, getDag, patchDag, listRuns, trigger, getRun, clearRun, listTasks, getLog] = AIRFLOW_PROXY_ROUTES

    app.route({ method: listDags.method, url: listDags.path, ...hidden, handler: async (request) => {
      const q = parse(dagsQuery, request.query, 'query')
      const tags = q.tags === undefined ? [] : [q.tags].flat()
      const pattern = q.dag_id_pattern ? likePattern(q.dag_id_pattern) : null
      const dags = (await g.dags(who(request), { environment: env(request) }))
        .filter((d) => (tags.length === 0 || tags.some((t) => d.tags.includes(t))) && (q.paused === undefined || String(d.paused) === q.paused) && (!pattern || pattern.test(d.dagId)))
        .sort((a, b) => a.dagId.localeCompare(b.dagId))
      return { dags: dags.slice(q.offset, q.offset + q.limit).map(dialect.dag), total_entries: dags.length }
    } })

    app.route({ method: getDag.method, url: getDag.path, ...hidden, handler: async (request) => {
      return dialect.dag(await g.dag(who(request), env(request), param(request, 'dag_id')))
    } })

    app.route({ method: patchDag.method, url: patchDag.path, ...hidden, handler: async (request) => {
      const mask = (request.query as { update_mask?: unknown }).update_mask
      if (mask !== undefined && [mask].flat().some((field) => field !== 'is_paused')) {
        throw new ConductorError('invalid_input', 'only is_paused can be changed through Conductor', { details: { field: 'query.update_mask' } })
      }
      const body = parse(patchBody, request.body, 'body')
      const { dag } = await g.setPaused(who(request), env(request), param(request, 'dag_id'), body.is_paused, meta(request))
      return dialect.dag(dag)
    } })

    app.route({ method: listRuns.method, url: listRuns.path, ...hidden, handler: async (request) => {
      const q = parse(runsQuery, request.query, 'query')
      const runs = await g.runs(who(request), env(request), param(request, 'dag_id'), { limit: Math.max(1, q.limit), offset: q.offset }, meta(request))
      const shown = q.limit === 0 ? [] : runs
      return { dag_runs: shown.map(dialect.run), total_entries: q.offset + runs.length }
    } })

    app.route({ method: trigger.method, url: trigger.path, ...hidden, config: idempotent, handler: async (request) => {
      const body = parse(triggerBody, request.body, 'body')
      // Conductor names the run (`conductor__<request id>`); a run id the client chose is kept in the note.
      const note = [body.dag_run_id ? `Client run id: ${body.dag_run_id}` : '', body.note ?? ''].filter(Boolean).join('\n')
      const { run } = await g.trigger(who(request), env(request), param(request, 'dag_id'), {
        conf: body.conf ?? {}, logicalDate: body.logical_date ?? body.execution_date ?? null, ...(note ? { note } : {}),
      }, meta(request))
      return dialect.run(run)
    } })

    app.route({ method: getRun.method, url: getRun.path, ...hidden, handler: async (request) => {
      const { tasks: _tasks, ...run } = await g.run(who(request), env(request), param(request, 'dag_id'), param(request, 'dag_run_id'), meta(request))
      return dialect.run(run)
    } })

    app.route({ method: clearRun.method, url: clearRun.path, ...hidden, config: idempotent, handler: async (request) => {
      const body = parse(clearBody, request.body, 'body')
      for (const field of dialect.clearsOnlyFailed ? ['only_new', 'run_on_latest_version'] as const : ['only_failed', 'only_new', 'run_on_latest_version'] as const) {
        if (body[field]) throw new ConductorError('invalid_input', `${field} is not supported through Conductor`, { details: { field: `body.${field}` } })
      }
      const [dagId, runId] = [param(request, 'dag_id'), param(request, 'dag_run_id')]
      // Airflow answers a clear with the run: one the caller may not read (run:read) is refused before anything is cleared.
      if (!body.dry_run) await g.run(who(request), env(request), dagId, runId, meta(request))
      const { clearedTasks } = await g.rerun(who(request), env(request), dagId, runId, {
        onlyFailed: dialect.clearsOnlyFailed && body.only_failed, dryRun: body.dry_run, ...(body.note ? { reason: body.note } : {}),
      }, meta(request))
      if (body.dry_run) return dialect.clearedTasks(runKnownById(env(request), dagId, runId), clearedTasks)
      const { tasks: _tasks, ...run } = await g.run(who(request), env(request), dagId, runId, meta(request))
      return dialect.run(run)
    } })

    app.route({ method: listTasks.method, url: listTasks.path, ...hidden, handler: async (request) => {
      const { tasks, ...run } = await g.run(who(request), env(request), param(request, 'dag_id'), param(request, 'dag_run_id'), meta(request))
      return { task_instances: tasks.map((ti) => dialect.taskInstance(run, ti)), total_entries: tasks.length }
    } })

    app.route({ method: getLog.method, url: getLog.path, ...hidden, handler: async (request) => {
      const tryNumber = parse(z.coerce.number().int().min(1), param(request, 'try_number'), 'params.try_number')
      const q = parse(logQuery, request.query, 'query')
      const log = await g.taskLog(who(request), env(request), param(request, 'dag_id'), param(request, 'dag_run_id'), param(request, 'task_id'), {
        tryNumber, ...(q.token ? { continuationToken: q.token } : {}),
      }, meta(request))
      return dialect.log(log.lines, log.continuationToken)
    } })

    registerAirflowObjectRoutes(app, { objects: g.airflowObjects, who, env, meta, createdStatus: dialect.createdStatus, defaultLimit: dialect.defaultLimit })

    app.all('/*', hidden, async (request) => {
      const path = request.url.split('?')[0]!
      throw new ConductorError('policy_denied', `${request.method} ${path} is not served through Conductor: only the routes in docs/airflow-proxy.md are`, {
        details: { reason: 'route_not_mapped', method: request.method },
      })
    })
  }
}
