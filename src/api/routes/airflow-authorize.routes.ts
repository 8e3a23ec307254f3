import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { AIRFLOW_DAG_ENTITIES, AIRFLOW_RESOURCES, MAX_AIRFLOW_QUESTIONS, type AirflowDecisions } from '../../governance/index.ts'
import type { Principal } from '../../identity/index.ts'
import { envParams, text } from '../schemas.ts'
import { airflowDecisionBatch, airflowSignedIn, apiErrors } from '../responses.ts'

const airflowQuestion = z.strictObject({
  resource: z.enum(AIRFLOW_RESOURCES),
  method: z.string().min(1).max(64).describe('GET, POST, PUT, DELETE or MENU; a custom view may name its own method (denied).'),
  accessEntity: z.enum(AIRFLOW_DAG_ENTITIES).nullable().optional().describe('For `dag`: Airflow\'s DagAccessEntity; absent for the DAG itself.'),
  id: text(1000).min(1).nullable().optional()
    .describe('The DAG id, connection id, variable key, pool name, asset or alias id, configuration section, view, custom view, menu item name or team; absent for "any".'),
  team: text(250).min(1).nullable().optional()
    .describe('For `dag` with an id: the DAG\'s team in Airflow\'s multi-team mode (null: none), as Airflow\'s DagDetails.team_name names it.'),
})

const authorizeBody = z.strictObject({
  user: z.strictObject({
    id: text(250).min(1),
    type: z.enum(['User', 'ServiceAccount', 'Agent']).optional(),
    request: text(250).min(1).optional()
      .describe('The `conductor_request` claim of the user\'s token: the approved request Conductor is dispatching as them (set only on tokens Conductor signs).'),
  }).describe('The Airflow user, by Conductor principal id.'),
  questions: z.array(airflowQuestion).max(MAX_AIRFLOW_QUESTIONS),
})

/**
 * The Conductor auth manager's decision endpoint: answers Airflow's authorization questions for one user, in one call.
 * Only a caller allowed `airflow:authorize` on the environment may ask.
 */
export function airflowAuthorizeRoutes(deps: { decisions: AirflowDecisions; who: (request: FastifyRequest) => Principal }): FastifyPluginAsyncZod {
  return async (app) => {
    app.post('/airflow/:env/authorize', {
      schema: {
        tags: ['airflow'],
        summary: `Answer Airflow's authorization questions for one of its users (airflow:authorize; at most ${MAX_AIRFLOW_QUESTIONS} questions)`,
        params: envParams, body: authorizeBody, response: { 200: airflowDecisionBatch, ...apiErrors(400, 404) },
      },
    }, async (request) => {
      const { user, questions } = request.body
      return deps.decisions.decide(deps.who(request), request.params.env, {
        id: user.id, ...(user.type ? { type: user.type } : {}), ...(user.request ? { request: user.request } : {}),
      }, questions)
    })

    app.post('/airflow/:env/sign-in', {
      schema: {
        tags: ['airflow'],
        summary: 'Redeem a one-time Airflow sign-in code for the person it stands for (airflow:authorize; the auth manager\'s `/auth/callback`)',
        params: envParams, body: z.strictObject({ code: z.string().min(1).max(512) }), response: { 200: airflowSignedIn, ...apiErrors(400, 404) },
      },
    }, async (request) => ({ user: await deps.decisions.signIn(deps.who(request), request.params.env, request.body.code) }))
  }
}
