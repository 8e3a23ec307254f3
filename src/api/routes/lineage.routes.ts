import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Governance, Lineage } from '../../governance/index.ts'
import type { Principal } from '../../identity/index.ts'
import { apiErrors } from '../responses.ts'
import { MAX_SEGMENT_LENGTH, requestParams, segment, text } from '../schemas.ts'

const dataset = z.strictObject({ namespace: z.string(), name: z.string() })
const job = z.strictObject({ namespace: z.string(), name: z.string() })

const received = z.strictObject({
  stored: z.boolean().describe('False when the same event (run id, type, time, job) was received before: nothing was done again.'),
  runId: z.string(),
  environment: z.string(),
  requestId: z.string().nullable().describe('The request the event is joined to: its parent is Conductor\'s run for it, or its Airflow run is one that request created.'),
  forwardedTo: z.array(z.string()).describe('The `lineage.endpoints` it was put in the outbox for, with the `conductor` facet when joined.'),
}).meta({ id: 'LineageReceived' })

const person = {
  principal: z.strictObject({ type: z.string(), id: z.string() }).describe('Who the request was for (an owned schedule or link: its owner).'),
  action: z.string().describe('What the request did to the run: `dag:trigger` (started it) or `dag:rerun` (ran its tasks again).'),
  policyIds: z.array(z.string()).describe('The policies that allowed it.'),
  approvals: z.array(z.strictObject({ by: z.string(), at: z.string() })).describe('Who approved it, and when (empty without approval).'),
  reason: z.string().nullable(),
  via: z.string().describe('The door: `api` (API, console, CLI, proxy), `mcp`, `schedule`, `link`, …'),
  tool: z.string().nullable().describe('The MCP tool, when `via` is `mcp`.'),
}

const task = z.strictObject({
  job: z.string().describe('The OpenLineage job: `dag_id.task_id` for a task, the DAG id for the DAG run.'),
  task: z.string().nullable().describe('The task id, when the job is a task of the request\'s DAG.'),
  runId: z.string(),
  requestId: z.string().nullable().describe('The request its newest event is joined to: the trigger, or a rerun of the run through Conductor (see `reruns`).'),
  eventType: z.string().nullable().describe('The type of its newest event (START, RUNNING, COMPLETE, FAIL, ABORT, OTHER).'),
  firstEventAt: z.string(),
  lastEventAt: z.string(),
  inputs: z.array(dataset),
  outputs: z.array(dataset),
})

const conductorRun = z.strictObject({
  runId: z.string(), namespace: z.string(), name: z.string(), outcome: z.string().nullable(), startedAt: z.string(), endedAt: z.string().nullable(),
}).meta({ id: 'LineageConductorRun' })
const lineagePerson = z.strictObject({ ...person, groups: z.array(z.string()), decision: z.string() }).meta({ id: 'LineagePerson' })

const requestLineage = z.strictObject({
  enabled: z.boolean().describe('True when the environment has lineage (an entry of `lineage.endpoints` takes it, or `lineage.environments` names it).'),
  requestId: z.string().nullable().describe('The request that started the run; null for a run not started through Conductor.'),
  run: conductorRun.nullable().describe('Conductor\'s own OpenLineage run for the request: the parent of the events Airflow emits for its run.'),
  startedBy: lineagePerson.nullable()
    .describe('The `conductor` facet of Conductor\'s run: who started it, through which policy, approved by whom; null without Conductor\'s run.'),
  reruns: z.array(z.strictObject({ requestId: z.string(), run: conductorRun, by: lineagePerson }))
    .describe('A run\'s lineage: its reruns through Conductor, oldest first, each with who asked and through which policy; the task events after a rerun are joined to it. A request\'s lineage: empty.'),
  events: z.array(z.strictObject({
    id: z.string(), source: z.string(), eventType: z.string().nullable(), eventTime: z.string(), runId: z.string(), parentRunId: z.string().nullable(), job,
  })),
  tasks: z.array(task).describe('Airflow\'s jobs (its tasks, and the DAG run) in the order first seen, with the datasets each read and wrote.'),
  datasets: z.strictObject({ inputs: z.array(dataset), outputs: z.array(dataset) }),
}).meta({ id: 'RequestLineage' })

const datasetSummary = z.strictObject({
  namespace: z.string(), name: z.string(),
  tags: z.array(z.string()).describe('The tags the newest event naming it gave it (its `tags` dataset facet).'),
  lastWrittenAt: z.string().nullable().describe('The newest write; null when it was only read.'),
  lastSeenAt: z.string(),
  writes: z.number().int(),
})

const datasetList = z.strictObject({
  datasets: z.array(datasetSummary),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last.'),
  environments: z.array(z.string()).describe('The environments whose lineage you may read (`lineage:read`); only their events count.'),
}).meta({ id: 'LineageDatasetList' })

const datasetUse = z.strictObject({
  eventTime: z.string(), environment: z.string(), dagId: z.string().nullable(),
  airflowRunId: z.string().nullable().describe('The Airflow run (the event\'s `airflowDagRun` facet, else the run the joined request created).'),
  job: z.string().describe('The event\'s job: for Airflow, the task (`dag_id.task_id`).'),
  eventType: z.string().nullable(),
  requestId: z.string().nullable(),
  startedBy: z.strictObject(person).nullable().describe('The person behind the run (the joined request\'s `conductor` facet); null: not started through Conductor.'),
}).meta({ id: 'LineageDatasetUse' })

const datasetDetail = z.strictObject({
  namespace: z.string(), name: z.string(), tags: z.array(z.string()),
  writes: z.array(datasetUse).describe('The events that wrote it, newest first.'),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page of writes; null on the last.'),
  reads: z.array(datasetUse).describe('The newest events that read it (at most 20).'),
}).meta({ id: 'LineageDataset' })

const limit = z.coerce.number().int().min(1).max(100).default(50)

const datasetsQuery = z.strictObject({
  q: text(200).optional().describe('Only datasets whose namespace or name holds this text (any case).'),
  limit,
  cursor: z.string().regex(/^\d{1,9}$/, 'a nextCursor of this API').optional(),
})

const datasetQuery = z.strictObject({
  namespace: text(1024).min(1).describe('The dataset\'s namespace (e.g. `postgres://db:5432`).'),
  name: text(1024).min(1).describe('The dataset\'s name (e.g. `analytics.public.orders`); may hold slashes.'),
  limit,
  cursor: z.string().max(2048).regex(/^[A-Za-z0-9_-]+$/, 'a nextCursor of this API').optional(),
})

/** A run's path: the DAG and run ids are looked up in the database as given (no control characters: PostgreSQL text cannot hold NUL). */
const lineageRunParams = z.object({ env: segment, dag: text(MAX_SEGMENT_LENGTH).min(1), runId: text(MAX_SEGMENT_LENGTH).min(1) })

const intakeQuery = z.strictObject({
  environment: z.string().min(1).max(MAX_SEGMENT_LENGTH).optional()
    .describe('The environment the event comes from; absent, the event\'s `job.namespace` names it (set `[openlineage] namespace` to the environment\'s name).'),
})

/** OpenLineage under /api/v1 (docs/lineage.md): the intake for Airflow's OpenLineage provider, a request's lineage, and the datasets. */
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

    app.get('/environments/:env/dags/:dag/runs/:runId/lineage', {
      schema: {
        tags: ['runs'], summary: 'An Airflow run\'s lineage: who started it and through which policy (when through Conductor), and what each task read and wrote (run:read and lineage:read)',
        params: lineageRunParams, response: { 200: requestLineage, ...apiErrors(400, 404) },
      },
    }, async (request) => {
      const { env, dag, runId } = request.params
      return deps.lineage.ofRun(deps.who(request), { environment: env, dagId: dag, runId })
    })

    app.get('/lineage/datasets', {
      schema: { tags: ['lineage'], summary: 'Datasets seen in the lineage you may read (lineage:read per environment), newest write first', querystring: datasetsQuery, response: { 200: datasetList, ...apiErrors(400) } },
    }, async (request) => deps.lineage.datasets(deps.who(request), request.query))

    app.get('/lineage/dataset', {
      schema: {
        tags: ['lineage'], summary: 'One dataset: who wrote it, when, through what (newest first, paged), and its recent reads (lineage:read per environment)',
        querystring: datasetQuery, response: { 200: datasetDetail, ...apiErrors(400, 404) },
      },
    }, async (request) => {
      const { namespace, name, ...page } = request.query
      return deps.lineage.dataset(deps.who(request), { namespace, name }, page)
    })
  }
}
