import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { FastifyRequest } from 'fastify'
import { z } from 'zod'
import { environmentSchema } from '../../config/index.ts'
import { refuseSecretValues, type ManagedEnvironments } from '../../governance/index.ts'
import type { Principal } from '../../identity/index.ts'
import { apiErrors } from '../responses.ts'
import { envParams } from '../schemas.ts'

const isoTime = z.string().describe('ISO 8601')

/** An environment defined through the API (`ManagedEnvironmentView`). */
export const managedEnvironmentView = z.strictObject({
  name: z.string(),
  kind: z.enum(['airflow3', 'airflow2']),
  url: z.string(),
  publicUrl: z.string().nullable(),
  zone: z.string(),
  tier: z.string(),
  team: z.string().nullable(),
  fullyGoverned: z.boolean(),
  credentials: environmentSchema.shape.credentials,
  timeoutMs: z.number().int(),
  retries: z.number().int(),
  source: z.literal('api'),
  generation: z.number().int().describe('1 at creation, one more at each change'),
  createdBy: z.string(),
  createdAt: isoTime,
  updatedBy: z.string(),
  updatedAt: isoTime,
}).meta({ id: 'ManagedEnvironmentView' })
const environmentAnswer = z.strictObject({ environment: managedEnvironmentView }).meta({ id: 'ManagedEnvironmentAnswer' })
const patchBody = z.record(z.string(), z.unknown())
  .describe('The fields of an `environments[]` entry to change (not `name`); `credentials` is replaced as a whole and must be a secret reference.')

/** Refuses a secret's value in the body before anything else looks at it (`secret_value_refused`, naming the field). */
const noSecretValues = async (request: FastifyRequest) => { refuseSecretValues(request.body) }

/** Environments defined through the API under /api/v1 (docs/environments.md); `GET /environments` lists both kinds. */
export function environmentsRoutes(deps: { environments: ManagedEnvironments; who: (request: FastifyRequest) => Principal }): FastifyPluginAsyncZod {
  const { environments: e, who } = deps
  return async (app) => {
    app.post('/environments', {
      preValidation: noSecretValues,
      schema: {
        tags: ['environments'], summary: 'Define an environment (environment:create): the fields of an `environments[]` entry in config, credentials a secret reference; in force on every replica within seconds',
        body: environmentSchema, response: { 201: environmentAnswer, ...apiErrors(400, 409) },
      },
    }, async (request, reply) => {
      const environment = await e.create(who(request), request.body)
      reply.code(201).header('location', `/api/v1/environments/${encodeURIComponent(environment.name)}/dags`)
      return { environment }
    })

    app.patch('/environments/:env', {
      preValidation: noSecretValues,
      schema: {
        tags: ['environments'], summary: 'Change an environment defined through the API (environment:manage); config\'s own answer 409 environment_config_owned',
        params: envParams, body: patchBody, response: { 200: environmentAnswer, ...apiErrors(400, 404, 409) },
      },
    }, async (request) => {
      return { environment: await e.update(who(request), request.params.env, request.body) }
    })

    app.delete('/environments/:env', {
      schema: {
        tags: ['environments'], summary: 'Delete an environment defined through the API (environment:manage); it stops answering, its requests and audit stay readable. Answers it as it was',
        params: envParams, response: { 200: environmentAnswer, ...apiErrors(400, 404, 409) },
      },
    }, async (request) => {
      return { environment: await e.delete(who(request), request.params.env) }
    })
  }
}
