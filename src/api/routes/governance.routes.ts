import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { Governance } from '../../governance/index.ts'
import type { AccessTokens, Principal } from '../../identity/index.ts'
import type { FastifyRequest } from 'fastify'
import {
  authorizeBody, dagListQuery, dagParams, envParams, logQuery, pageQuery, pauseBody, requestParams, requestsQuery, rerunBody,
  runParams, taskParams, triggerBody,
} from '../schemas.ts'
import {
  accessView, apiErrors, dagList, dagView, environmentList, explanation, me, pauseResult, pendingResult, requestList, requestView, rerunResult, runDetail,
  runList, taskLogPage, triggerResult,
} from '../responses.ts'
import { idempotent } from '../idempotency.ts'
import { callMeta } from '../call-meta.ts'

/** What a route that calls an orchestrator may answer besides success: bad input, no such target, Airflow's refusal, conflict, Conductor's limits (429) or failure. */
const governedErrors = apiErrors(400, 404, 409, 429, 502)

/** The governed routes under /api/v1. `who` returns the authenticated principal of a request. */
export function governanceRoutes(deps: { governance: Governance; who: (request: FastifyRequest) => Principal; tokens?: Pick<AccessTokens, 'get'> }): FastifyPluginAsyncZod {
  const { governance: g, who } = deps
  const meta = callMeta

  return async (app) => {
    app.get('/me', { schema: { tags: ['identity'], summary: 'Who you are, as Conductor sees you', response: { 200: me, ...apiErrors() } } }, async (request) => {
      const p = who(request)
      const credential = p.credential ? await deps.tokens?.get(p.credential.id) : null
      return {
        type: p.type, id: p.id, username: p.username, displayName: p.displayName, email: p.email, issuer: p.issuer, groups: p.groups, idpGroups: p.idpGroups,
        ...(p.agent ? { agent: { sponsor: p.agent.sponsor, tools: p.agent.tools, budgets: await g.budgets(p) } } : {}),
        ...(p.credential ? { credential: { kind: p.credential.kind, id: p.credential.id, scope: p.scope ?? { actions: null, environments: null }, expiresAt: credential?.expiresAt ?? null } } : {}),
      }
    })

    app.get('/environments', { schema: { tags: ['catalog'], summary: 'Environments you may read, with health', response: { 200: environmentList, ...apiErrors() } } }, async (request) => {
      return { environments: await g.environments(who(request)) }
    })

    app.get('/dags', { schema: { tags: ['catalog'], summary: 'DAGs you may read, across environments', querystring: dagListQuery, response: { 200: dagList, ...apiErrors(400, 404) } } }, async (request) => {
      return { dags: await g.dags(who(request), request.query) }
    })

    app.get('/environments/:env/dags', { schema: { tags: ['catalog'], summary: 'DAGs of an environment you may read', params: envParams, querystring: dagListQuery.omit({ environment: true }), response: { 200: dagList, ...apiErrors(400, 404) } } }, async (request) => {
      return { dags: await g.dags(who(request), { ...request.query, environment: request.params.env }) }
    })

    app.get('/environments/:env/dags/:dag', { schema: { tags: ['catalog'], summary: 'One DAG', params: dagParams, response: { 200: dagView, ...apiErrors(400, 404, 429, 502) } } }, async (request) => {
      return g.dag(who(request), request.params.env, request.params.dag)
    })

    app.get('/environments/:env/dags/:dag/access', { schema: { tags: ['catalog'], summary: 'Who can run this: groups and principals policy allows per action, with the granting policies', params: dagParams, response: { 200: accessView, ...apiErrors(400, 404, 429, 502) } } }, async (request) => {
      return g.access(who(request), request.params.env, request.params.dag)
    })

    app.patch('/environments/:env/dags/:dag', { schema: { tags: ['governed'], summary: 'Pause or unpause a DAG (dag:pause)', params: dagParams, body: pauseBody, response: { 200: pauseResult, ...governedErrors } } }, async (request) => {
      return g.setPaused(who(request), request.params.env, request.params.dag, request.body.paused, meta(request))
    })

    app.post('/environments/:env/dags/:dag/runs', { config: idempotent, schema: { tags: ['governed'], summary: 'Trigger a run (dag:trigger); 202 with the pending request when policy asks for approval first', params: dagParams, body: triggerBody, response: { 201: triggerResult, 202: pendingResult, ...governedErrors } } }, async (request, reply) => {
      const { env, dag } = request.params
      const body = request.body
      const result = await g.requestTrigger(who(request), env, dag, {
        conf: body.conf, logicalDate: body.logicalDate ?? null,
        ...(body.note !== undefined ? { note: body.note } : {}), ...(body.reason !== undefined ? { reason: body.reason } : {}),
      }, meta(request))
      if (result.run === null) {
        reply.code(202).header('location', `/api/v1/requests/${encodeURIComponent(result.request.id)}`)
        return { request: result.request }
      }
      reply.code(201).header('location', `/api/v1/environments/${env}/dags/${dag}/runs/${encodeURIComponent(result.run.runId)}`)
      return result
    })

    app.get('/environments/:env/dags/:dag/runs', { schema: { tags: ['runs'], summary: 'Recent runs with who started them (run:read)', params: dagParams, querystring: pageQuery, response: { 200: runList, ...governedErrors } } }, async (request) => {
      return { runs: await g.runs(who(request), request.params.env, request.params.dag, request.query, meta(request)) }
    })

    app.get('/environments/:env/dags/:dag/runs/:runId', { schema: { tags: ['runs'], summary: 'One run with its task instances (run:read)', params: runParams, response: { 200: runDetail, ...governedErrors } } }, async (request) => {
      const { env, dag, runId } = request.params
      return g.run(who(request), env, dag, runId, meta(request))
    })

    app.post('/environments/:env/dags/:dag/runs/:runId/rerun', { config: idempotent, schema: { tags: ['governed'], summary: 'Rerun the failed tasks of a run (dag:rerun)', params: runParams, body: rerunBody, response: { 200: rerunResult, ...governedErrors } } }, async (request) => {
      const { env, dag, runId } = request.params
      const { request: done, clearedTaskIds } = await g.rerun(who(request), env, dag, runId, { ...(request.body?.reason ? { reason: request.body.reason } : {}) }, meta(request))
      return { request: done, clearedTaskIds }
    })

    app.get('/environments/:env/dags/:dag/runs/:runId/tasks/:taskId/logs', { schema: { tags: ['runs'], summary: 'A task\'s log, paged (run:logs)', params: taskParams, querystring: logQuery, response: { 200: taskLogPage, ...governedErrors } } }, async (request) => {
      const { env, dag, runId, taskId } = request.params
      return g.taskLog(who(request), env, dag, runId, taskId, request.query, meta(request))
    })

    app.post('/authorize', { schema: { tags: ['policy'], summary: 'Explain what policy decides', body: authorizeBody, response: { 200: explanation, ...apiErrors(400, 404, 429, 502) } } }, async (request) => {
      const b = request.body
      return g.explain(who(request), { action: b.action, environment: b.environment, ...(b.dag ? { dagId: b.dag } : {}), ...(b.as ? { as: b.as } : {}) })
    })

    app.get('/requests', { schema: { tags: ['requests'], summary: 'Requests: your own, or everyone\'s with audit:read', querystring: requestsQuery, response: { 200: requestList, ...apiErrors(400) } } }, async (request) => {
      const q = request.query
      if (q.toApprove === 'true') return { requests: await g.approvals.toApprove(who(request), q.limit) }
      return { requests: await g.requests(who(request), { principalId: q.principal, environment: q.environment, dagId: q.dag, action: q.action, decision: q.decision, state: q.state, before: q.before, limit: q.limit }) }
    })

    app.get('/requests/:id', { schema: { tags: ['requests'], summary: 'One request with its decision and outcome: yours, one you decided or may decide on, or any with audit:read', params: requestParams, response: { 200: requestView, ...apiErrors(400, 404) } } }, async (request) => {
      return g.approvals.view(who(request), request.params.id)
    })
  }
}
