import { randomUUID } from 'node:crypto'
import fastifySwagger from '@fastify/swagger'
import Fastify, { type FastifyRequest } from 'fastify'
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod'
import type { Logger } from 'pino'
import type { AuditLog } from '../audit/index.ts'
import { ConductorError } from '../core/index.ts'
import type { Governance } from '../governance/index.ts'
import type { Principal } from '../identity/index.ts'
import type { Authenticator } from './authenticate.ts'
import { handleError } from './error-handler.ts'
import { auditRoutes } from './routes/audit.routes.ts'
import { governanceRoutes } from './routes/governance.routes.ts'

/** What the HTTP face needs from the domains. */
export interface ServerDeps {
  logger: Logger
  authenticator: Authenticator
  governance: Governance
  audit: AuditLog
  /** Readiness: resolves when the database and policy are usable; rejects with the reason otherwise. */
  ready: () => Promise<void>
  bodyLimitBytes: number
  trustProxy: boolean
  version: string
}

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

/** Builds the Fastify server: REST API, OpenAPI document, health routes. Does not listen. */
export async function buildServer(deps: ServerDeps) {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: deps.bodyLimitBytes,
    trustProxy: deps.trustProxy,
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : randomUUID()
    },
  }).withTypeProvider<ZodTypeProvider>()
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  app.setErrorHandler(handleError)
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ error: { code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}`, requestId: String(request.id) } })
  })
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', String(request.id))
    reply.header('cache-control', 'no-store')
  })

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Airflow Conductor API', version: deps.version, description: 'The identity-aware control plane in front of Airflow.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  })

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
  app.get('/healthz', { schema: { tags: ['health'], summary: 'Liveness', security: [] } }, async () => ({ status: 'ok' }))
  app.get('/readyz', { schema: { tags: ['health'], summary: 'Readiness: database and policy usable', security: [] } }, async (_request, reply) => {
    try {
      await deps.ready()
      return { status: 'ready' }
    } catch (error) {
      return reply.code(503).send({ status: 'not ready', reason: error instanceof Error ? error.message : String(error) })
    }
  })

  const principals = new WeakMap<FastifyRequest, Principal>()
  const who = (request: FastifyRequest): Principal => {
    const principal = principals.get(request)
    if (!principal) throw new ConductorError('token_missing', 'not authenticated')
    return principal
  }

  await app.register(async (api) => {
    api.addHook('onRequest', async (request) => {
      const principal = await deps.authenticator.authenticate(request)
      principals.set(request, principal)
      request.log = request.log.child({ principal: `${principal.type}:${principal.id}` })
    })
    await api.register(governanceRoutes({ governance: deps.governance, who }))
    await api.register(auditRoutes({ audit: deps.audit, governance: deps.governance, who }))
  }, { prefix: '/api/v1' })

  return app
}

/** The built server. */
export type ConductorServer = Awaited<ReturnType<typeof buildServer>>
