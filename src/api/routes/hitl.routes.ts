import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Governance } from '../../governance/index.ts'
import type { Principal } from '../../identity/index.ts'
import { apiErrors } from '../responses.ts'
import { MAX_SEGMENT_LENGTH, taskParams } from '../schemas.ts'

const hitlTaskFields = {
  environment: z.string(),
  dagId: z.string(),
  runId: z.string(),
  taskId: z.string(),
  mapIndex: z.number().int().describe('-1 for unmapped tasks.'),
  subject: z.string(),
  body: z.string().nullable().describe('Markdown; null when the task gives none.'),
  options: z.array(z.string()),
  multiple: z.boolean().describe('Whether more than one option may be chosen.'),
  params: z.record(z.string(), z.unknown()).describe('Form fields to fill in, by name: `{ value, schema, description }` like DAG params.'),
  defaults: z.array(z.string()).nullable().describe('The options Airflow takes when the task times out; null when none.'),
  createdAt: z.string().describe('When the task began waiting (ISO 8601).'),
  assignedUsers: z.array(z.string()).describe('The only user ids Airflow lets answer; empty when anyone policy allows may.'),
}

const hitlTaskView = z.strictObject(hitlTaskFields).meta({ id: 'HitlTaskView', description: 'An Airflow human-in-the-loop task waiting for an answer.' })

const hitlInbox = z.strictObject({
  tasks: z.array(hitlTaskView),
  unavailable: z.array(z.strictObject({ environment: z.string(), code: z.string() })).describe('Environments that could not be asked; their tasks are missing.'),
}).meta({ id: 'HitlInbox' })

const hitlAnswered = z.strictObject({
  task: z.strictObject({
    ...hitlTaskFields,
    respondedBy: z.string().describe('The principal who answered.'),
    chosenOptions: z.array(z.string()),
  }),
}).meta({ id: 'HitlAnswered' })

const hitlParams = taskParams.extend({
  mapIndex: z.coerce.number().int().min(-1).max(1_000_000).describe('-1 for unmapped tasks.'),
})

const hitlBody = z.strictObject({
  chosenOptions: z.array(z.string().min(1).max(MAX_SEGMENT_LENGTH)).min(1).max(100).describe('At least one; each one of the task\'s options (exactly one unless it allows several).'),
  params: z.record(z.string().max(MAX_SEGMENT_LENGTH), z.unknown()).optional().describe('Values for every param of the task (all of them or none).'),
})

/** Airflow's human-in-the-loop tasks under /api/v1: the inbox (hitl:respond) and answering one. */
export function hitlRoutes(deps: { governance: Governance; who: (request: FastifyRequest) => Principal }): FastifyPluginAsyncZod {
  const { governance: g, who } = deps
  return async (app) => {
    app.get('/hitl', {
      schema: {
        tags: ['hitl'], summary: 'Airflow human-in-the-loop tasks waiting in any environment that you may answer (hitl:respond, and one of the assigned users when the task names them)',
        response: { 200: hitlInbox, ...apiErrors() },
      },
    }, async (request) => g.hitl.list(who(request)))

    app.post('/environments/:env/dags/:dag/runs/:runId/hitl/:taskId/:mapIndex', {
      schema: {
        tags: ['hitl'], summary: 'Answer a human-in-the-loop task: sent to Airflow as you where the environment supports it, else as Conductor\'s service account; audited either way',
        params: hitlParams, body: hitlBody, response: { 200: hitlAnswered, ...apiErrors(400, 404, 409, 429) },
      },
    }, async (request) => {
      const { env, dag, runId, taskId, mapIndex } = request.params
      const task = await g.hitl.respond(who(request), { environment: env, dagId: dag, runId, taskId, mapIndex }, request.body, { httpRequestId: String(request.id) })
      return { task }
    })
  }
}
