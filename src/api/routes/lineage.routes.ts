import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Governance, Lineage } from '../../governance/index.ts'
import type { Principal } from '../../identity/index.ts'
import { apiErrors } from '../responses.ts'
import { MAX_SEGMENT_LENGTH, requestParams } from '../schemas.ts'

const dataset = z.strictObject({ namespace: z.string(), name: z.string() })
const job = z.strictObject({ namespace: z.string(), name: z.string() })

const received = z.strictObject({
  stored: z.boolean().describe('False when the same event (run id, type, time, job) was received before: nothing was done again.'),
  runId: z.string(),
  environment: z.string(),
  requestId: z.string().nullable().describe('The request the event is joined to: its parent is Conductor\'s run for it, or its Airflow run is one that request created.'),
  forwardedTo: z.array(z.string()).describe('The `lineage.endpoints` it was put in the outbox for, with the `conductor` facet when joined.'),
}).meta({ id: 'LineageReceived' })

const requestLineage = z.strictObject({
  run: z.strictObject({
    runId: z.string(), namespace: z.string(), name: z.string(), outcome: z.string().nullable(), startedAt: z.string(), endedAt: z.string().nullable(),
  }).nullable().describe('Conductor\'s own OpenLineage run for the request: the parent of the events Airflow emits for its run.'),
  events: z.array(z.strictObject({
    id: z.string(), source: z.string(), eventType: z.string().nullable(), eventTime: z.string(), runId: z.string(), parentRunId: z.string().nullable(), job,
  })),
  datasets: z.strictObject({ inputs: z.array(dataset), outputs: z.array(dataset) }),
}).meta({ id: 'RequestLineage' })

const intakeQuery = z.strictObject({
  environment: z.string().min(1).max(MAX_SEGMENT_LENGTH).optional()
    .describe('The environment the event comes from; absent, the event\'s `job.namespace` names it (set `[openlineage] namespace` to the environment\'s name).'),
})

/** OpenLineage under /api/v1 (docs/lineage.md): the intake for Airflow's OpenLineage provider and a request's lineage. */
export function lineageRoutes(deps: { lineage: Lineage; governance: Governance; who: (request: FastifyRequest) => Principal; maxEventBytes: number }): FastifyPluginAsyncZod {
  return async (app) => {
    app.post('/lineage', {
      bodyLimit: deps.maxEventBytes,
      schema: {
        tags: ['lineage'], summary: 'Receive an OpenLineage RunEvent (the provider\'s HTTP transport; lineage:write on the environment), store it, join it to its request and forward it',
        querystring: intakeQuery,
        body: z.record(z.string(), z.unknown()).describe('An OpenLineage RunEvent, spec 2-0-2; validated by the handler (`lineage_event_invalid` with `details.field`).'),
        response: { 200: received, ...apiErrors(400, 404, 413) },
      },
    }, async (request) => deps.lineage.receive(deps.who(request), request.body, { environment: request.query.environment }))

    app.get('/requests/:id/lineage', {
      schema: { tags: ['requests'], summary: 'A request\'s lineage: Conductor\'s run for it, the OpenLineage events joined to it and their datasets (who may read the request)', params: requestParams, response: { 200: requestLineage, ...apiErrors(400, 404) } },
    }, async (request) => {
      await deps.governance.approvals.view(deps.who(request), request.params.id)
      return deps.lineage.ofRequest(request.params.id)
    })
  }
}
