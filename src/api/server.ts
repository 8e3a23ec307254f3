import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import { join } from 'node:path'
import fastifyCookie from '@fastify/cookie'
import fastifyStatic from '@fastify/static'
import fastifySwagger from '@fastify/swagger'
import Fastify, { type FastifyInstance, type FastifyRequest, type FastifyServerOptions } from 'fastify'
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Logger } from 'pino'
import type { AuditCheckpointService, AuditLog } from '../audit/index.ts'
import type { Evidence } from '../compliance/index.ts'
import { ConductorError, type RequestSpan, type RequestTracer } from '../core/index.ts'
import type { Reviews } from '../compliance/index.ts'
import type { AirflowDecisions, Governance, IdempotencyKeys, Lineage, Links, ManagedEnvironments, PolicyImpacts, Schedules } from '../governance/index.ts'
import type { Principal } from '../identity/index.ts'
import type { Authenticator, Caller } from './authenticate.ts'
import { authRoutes, headerValue, type AuthRoutesDeps } from './routes/auth.routes.ts'
import { handleError, sendError, statusOf, type ErrorBody } from './error-handler.ts'
import { useIdempotency } from './idempotency.ts'
import { clientError, noRoute, poisonedBody } from './framework-errors.ts'
import { MAX_SEGMENT_LENGTH } from './schemas.ts'
import { errors, withRetryAfterHeaders } from './responses.ts'
import { auditRoutes } from './routes/audit.routes.ts'
import { complianceRoutes } from './routes/compliance.routes.ts'
import { governanceRoutes } from './routes/governance.routes.ts'
import { approvalsRoutes } from './routes/approvals.routes.ts'
import { grantsRoutes } from './routes/grants.routes.ts'
import { serviceAccountsRoutes } from './routes/service-accounts.routes.ts'
import { schedulesRoutes } from './routes/schedules.routes.ts'
import { linksRoutes } from './routes/links.routes.ts'
import { reviewsRoutes } from './routes/reviews.routes.ts'
import { environmentsRoutes } from './routes/environments.routes.ts'
import { hitlRoutes } from './routes/hitl.routes.ts'
import { policyRoutes } from './routes/policy.routes.ts'
import { scimRoutes } from './routes/scim.routes.ts'
import { directoryRoutes } from './routes/directory.routes.ts'
import { shadowRoutes } from './routes/shadow.routes.ts'
import { lineageRoutes } from './routes/lineage.routes.ts'
import type { AccessTokens, AirflowJwks, ReconciliationReport, ScimService, ScimTokenStore, ServiceAccounts } from '../identity/index.ts'
import { airflowJwksRoutes } from './routes/airflow-jwks.routes.ts'
import { airflowAuthorizeRoutes } from './routes/airflow-authorize.routes.ts'
import { airflowSignInRoutes, type AirflowSignInRoutesDeps } from './routes/airflow-sign-in.routes.ts'
import { airflowProxyRoutes } from './routes/airflow-proxy.routes.ts'
import { AIRFLOW2_DIALECT, AIRFLOW3_DIALECT } from './airflow-proxy-v1.ts'
import { ACTIONS, type PolicyEngine } from '../policy/index.ts'
import { mcpRoutes, type McpRoutesDeps } from './routes/mcp.routes.ts'
import type { ServiceAccountTrusts } from '../identity/index.ts'
import { tokenExchangeRoutes, type TokenExchangeRoutesDeps } from './routes/token-exchange.routes.ts'
import { trustsRoutes } from './routes/trusts.routes.ts'
import { statusRoutes, type StatusDeps } from './routes/status.routes.ts'
import { secretsRoutes } from './routes/secrets.routes.ts'
import type { HttpRecorder, Metrics } from '../metrics/index.ts'

/** What the HTTP face needs from the domains. */
export interface ServerDeps {
  logger: Logger
  authenticator: Authenticator
  governance: Governance
  /** The idempotency keys of routes that opt in with `config: idempotent`. */
  idempotency: IdempotencyKeys
  audit: AuditLog
  /** Signed audit checkpoints (`/audit/checkpoints`); absent: those routes are not served. */
  auditCheckpoints?: AuditCheckpointService
  /** Compliance evidence bundles and access as of a moment (`/compliance/*`); absent: those routes are not served. */
  evidence?: Evidence
  /** Readiness: resolves when the database and policy are usable; rejects with the reason otherwise. */
  ready: () => Promise<void>
  bodyLimitBytes: number
  trustProxy: boolean
  version: string
  /** Sign-in routes; see {@link AuthRoutesDeps}. */
  auth: Omit<AuthRoutesDeps, 'authenticator' | 'audit'>
  /** The built web console (web/dist), served at / when it exists. */
  webRoot: string | null
  policy: Pick<PolicyEngine, 'current' | 'policies'>
  /** What a proposed policy change would do (`POST /api/v1/policies/impact`); the route is absent without it. */
  policyImpacts?: PolicyImpacts
  /** The SCIM 2.0 service provider, when enabled. */
  scim: { service: ScimService; tokens: Pick<ScimTokenStore, 'verify'>; reconcile: () => Promise<ReconciliationReport> } | null
  /** The last refused policy reload, if the current files do not load. */
  lastPolicyReloadError: () => unknown
  /** Each guarded environment's circuit, for `/readyz`. */
  circuits?: () => EnvironmentCircuit[]
  /** The keys Airflow trusts for per-person tokens, served at `/.well-known/airflow-jwks.json`. */
  airflowJwks?: () => Promise<AirflowJwks>
  /** Batch decisions for the Conductor auth manager in Airflow (`POST /api/v1/airflow/{env}/authorize`); the route is absent without it. */
  airflowDecisions?: AirflowDecisions
  /** Sign-in to Airflow's own UI through Conductor (`GET /auth/airflow/{env}/login`); the route is absent without it. */
  airflowSignIn?: Pick<AirflowSignInRoutesDeps, 'codes' | 'environments'>
  /** Conductor's MCP server over streamable HTTP at `/mcp` (docs/mcp.md); the routes are absent without it. */
  mcp?: Pick<McpRoutesDeps, 'createServer'>
  /** Workload identity: trust-rule routes under /api/v1 and the RFC 8693 token endpoint `/oauth/token`; absent without it. */
  federation?: { trusts: ServiceAccountTrusts; tokenExchange: TokenExchangeRoutesDeps }
  /** Service accounts, agents and API tokens (`/api/v1/service-accounts`, `/api/v1/tokens`); the routes are absent without it. */
  serviceAccounts?: { accounts: ServiceAccounts; tokens: AccessTokens; environments: () => Iterable<string> }
  /** Owned schedules (`/api/v1/schedules`, docs/schedules.md); the routes are absent without it. */
  schedules?: Schedules
  /** Cross-deployment links (`/api/v1/links`, docs/links.md); the routes are absent without it. */
  links?: Links
  /** OpenLineage (`POST /api/v1/lineage`, `GET /api/v1/requests/:id/lineage`, `GET /api/v1/lineage/datasets`, `…/dataset`, docs/lineage.md); the routes are absent without it. */
  lineage?: { service: Lineage; maxEventBytes: number }
  /** Access review campaigns (docs/reviews.md). */
  reviews?: Reviews
  /** Environments defined through the API (`POST|PATCH|DELETE /api/v1/environments`, docs/environments.md); the routes are absent without it. */
  environments?: ManagedEnvironments
  /**
   * Prometheus metrics: every answered request is recorded by its route pattern and status; with `serve`,
   * `GET /metrics` answers a bearer whose principal policy allows `audit:read` (docs/observability.md).
   */
  metrics?: { recorder: HttpRecorder; scrape: Metrics['scrape']; serve: boolean }
  /** `GET /api/v1/status`; absent without it. */
  status?: StatusDeps
  /**
   * OpenTelemetry traces (`tracing.enabled`): a span per request, continuing a caller's `traceparent`, active while the
   * request is handled; its `traceId` and `spanId` are on every log line of the request. Absent, nothing is traced.
   */
  tracing?: RequestTracer
}

/** One environment's circuit as `/readyz` shows it. */
export interface EnvironmentCircuit {
  environment: string
  state: 'closed' | 'open' | 'half-open'
  /** When the next probe call goes through (ISO 8601); null while closed. */
  nextProbeAt: string | null
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

/**
 * Wires the zod schemas of every route into `app`: requests are validated (a bad one is a 400 naming the field), and
 * every answer with a declared schema is checked against it before it leaves (a mismatch is a logged 500, never a
 * silent drift); errors answer as {@link handleError} says.
 */
export function useSchemas(app: {
  setValidatorCompiler(compiler: typeof validatorCompiler): unknown
  setSerializerCompiler(compiler: typeof serializerCompiler): unknown
  setErrorHandler(handler: typeof handleError): unknown
}): void {
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  app.setErrorHandler(handleError)
}

/**
 * Fastify's per-request logger factory when tracing: it starts the request's span (the earliest point Fastify offers,
 * so even the `incoming request` line carries `traceId` and `spanId`) and keeps it in `spans` under the raw request.
 */
function traceRequests(tracer: RequestTracer, spans: WeakMap<object, RequestSpan>): NonNullable<FastifyServerOptions['childLoggerFactory']> {
  return (logger, bindings, options, raw) => {
    const span = tracer.start(raw.method ?? 'GET', raw.headers)
    spans.set(raw, span)
    return logger.child({ ...bindings, traceId: span.traceId, spanId: span.spanId }, options)
  }
}

/** Builds the Fastify server: REST API, OpenAPI document, health routes. Does not listen. */
export async function buildServer(deps: ServerDeps) {
  const spans = new WeakMap<object, RequestSpan>()
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: deps.bodyLimitBytes,
    trustProxy: deps.trustProxy,
    // The longest id the API's schemas accept: a longer segment is 414 `uri_too_long`, a shorter one reaches validation.
    routerOptions: { maxParamLength: MAX_SEGMENT_LENGTH },
    frameworkErrors: (error, request, reply) => handleError(error, request, reply),
    clientErrorHandler: answerClientError,
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : randomUUID()
    },
    ...(deps.tracing ? { childLoggerFactory: traceRequests(deps.tracing, spans) } : {}),
  }).withTypeProvider<ZodTypeProvider>()
  if (deps.tracing) {
    // The span is active from the first hook, and again once the body is read (its stream's events lose the context).
    const enter = (request: FastifyRequest, _reply: unknown, done: () => void) => {
      const span = spans.get(request.raw)
      if (span) span.enter(done)
      else done()
    }
    app.addHook('onRequest', enter)
    app.addHook('preHandler', enter)
    const end = async (request: FastifyRequest, status: number) => {
      const span = spans.get(request.raw)
      spans.delete(request.raw)
      span?.end(request.routeOptions.url ?? 'unmatched', status)
    }
    app.addHook('onResponse', async (request, reply) => end(request, reply.statusCode))
    app.addHook('onRequestAbort', async (request) => end(request, 499))
  }
  useSchemas(app)
  useJsonParser(app)
  const startedAt = Date.now()
  if (deps.metrics) {
    const recorder = deps.metrics.recorder
    // The route's pattern (`/api/v1/requests/:id`), never the raw URL: bounded label values, no ids or secrets in them.
    app.addHook('onResponse', async (request, reply) => {
      recorder.observeRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000)
    })
  }
  const routes: { method: string; pattern: RegExp }[] = []
  app.addHook('onRoute', (route) => {
    const pattern = new RegExp(`^${route.url.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z0-9_]+/g, '[^/]+').replace(/\*$/, '.*')}$`)
    for (const method of [route.method].flat()) routes.push({ method, pattern })
  })
  const webIndex = deps.webRoot && existsSync(join(deps.webRoot, 'index.html')) ? deps.webRoot : null
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!
    const isApi = /^\/(api|airflow|auth|scim|oauth|openapi\.json|healthz|readyz|metrics)(\/|$)/.test(path)
    if (webIndex && request.method === 'GET' && !isApi && !/\.[a-z0-9]+$/i.test(path)) {
      return reply.header('cache-control', 'no-cache').sendFile('index.html')
    }
    const allowed = [...new Set(routes.filter((r) => r.pattern.test(path)).map((r) => r.method))]
    if (allowed.length > 0) reply.header('allow', allowed.join(', '))
    return sendError(noRoute(request.method, path, allowed), request, reply)
  })
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', String(request.id))
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store')
    reply.header('x-content-type-options', 'nosniff')
    reply.header('referrer-policy', 'same-origin')
    reply.header('x-frame-options', 'DENY')
  })
  await app.register(fastifyCookie)
  if (webIndex) {
    // Only the built files get routes (wildcard off), so unknown paths under /api, /auth and /scim reach their own 404 handlers.
    await app.register(fastifyStatic, { root: webIndex, prefix: '/', wildcard: false, index: ['index.html'], cacheControl: false })
    app.addHook('onSend', async (request, reply) => {
      if (request.url.startsWith('/assets/')) reply.header('cache-control', 'public, max-age=31536000, immutable')
      if (String(reply.getHeader('content-type') ?? '').startsWith('text/html')) {
        reply.header('content-security-policy', "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
      }
    })
  }

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Airflow Conductor API', version: deps.version, description: 'The identity-aware control plane in front of Airflow.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: (document) => withRetryAfterHeaders(withoutUnusedSchemas(jsonSchemaTransformObject(document))),
  })

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
  app.get('/healthz', { schema: { tags: ['health'], summary: 'Liveness', security: [], response: { 200: z.strictObject({ status: z.literal('ok') }), ...errors(500) } } }, async () => ({ status: 'ok' as const }))
  const circuits = z.array(z.strictObject({
    environment: z.string(),
    state: z.enum(['closed', 'open', 'half-open']),
    nextProbeAt: z.string().nullable().describe('ISO 8601; null while closed.'),
  })).describe('Each environment\'s circuit breaker. An open circuit does not make Conductor unready: it still serves the other environments and its own records.')
  app.get('/readyz', {
    schema: {
      tags: ['health'], summary: 'Readiness: database and policy usable; each environment\'s circuit', security: [],
      response: {
        200: z.strictObject({ status: z.literal('ready'), environments: circuits }),
        503: z.strictObject({ status: z.literal('not ready'), reason: z.string(), environments: circuits }),
        ...errors(500),
      },
    },
  }, async (_request, reply) => {
    const environments = deps.circuits?.() ?? []
    try {
      await deps.ready()
      return { status: 'ready' as const, environments }
    } catch (error) {
      return reply.code(503).send({ status: 'not ready' as const, reason: error instanceof Error ? error.message : String(error), environments })
    }
  })

  if (deps.metrics?.serve) {
    const scrape = deps.metrics.scrape
    app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
      const caller = await deps.authenticator.authenticate(request)
      if (!deps.governance.mayReadAudit(caller.principal)) {
        throw new ConductorError('policy_denied', 'reading the metrics needs audit:read', { details: { action: 'audit:read' } })
      }
      const { contentType, body } = await scrape()
      return reply.type(contentType).send(body)
    })
  }

  if (deps.airflowJwks) await app.register(airflowJwksRoutes({ jwks: deps.airflowJwks }))
  if (deps.federation) await app.register(tokenExchangeRoutes(deps.federation.tokenExchange))
  await app.register(authRoutes({ ...deps.auth, authenticator: deps.authenticator, audit: deps.audit }), { prefix: '/auth' })
  if (deps.airflowSignIn) await app.register(airflowSignInRoutes({ ...deps.airflowSignIn, authenticator: deps.authenticator, audit: deps.audit }), { prefix: '/auth' })
  if (deps.scim) {
    await app.register(scimRoutes({
      scim: deps.scim.service, tokens: deps.scim.tokens, audit: deps.audit, bodyLimitBytes: deps.bodyLimitBytes,
      baseUrl: new URL('/scim/v2', deps.auth.publicUrl).href,
    }), { prefix: '/scim/v2' })
  }

  const callers = new WeakMap<FastifyRequest, Caller>()
  const who = (request: FastifyRequest): Principal => {
    const caller = callers.get(request)
    if (!caller) throw new ConductorError('token_missing', 'not authenticated')
    return caller.principal
  }
  const publicOrigin = new URL(deps.auth.publicUrl).origin

  await app.register(async (api) => {
    api.addHook('onRequest', async (request) => {
      const caller = await deps.authenticator.authenticate(request)
      if (caller.session && UNSAFE_METHODS.has(request.method)) {
        const origin = headerValue(request.headers.origin)
        if ((origin && origin !== publicOrigin) || !deps.auth.sessions?.checkCsrf(caller.session, headerValue(request.headers['x-csrf-token']))) {
          await deps.audit.append({ type: 'auth.csrf_refused', principal: caller.principal.id, principalType: caller.principal.type, data: { method: request.method, route: request.url.split('?')[0], origin: origin ?? null, httpRequestId: String(request.id) } })
          throw new ConductorError('csrf_invalid', 'a state-changing request with the session cookie needs the x-csrf-token header from /auth/session, from the console\'s own origin')
        }
      }
      callers.set(request, caller)
      request.log = request.log.child({ principal: `${caller.principal.type}:${caller.principal.id}` })
    })
    useIdempotency(api, { keys: deps.idempotency, who })
    await api.register(governanceRoutes({ governance: deps.governance, who, ...(deps.serviceAccounts ? { tokens: deps.serviceAccounts.tokens } : {}) }))
    await api.register(approvalsRoutes({ governance: deps.governance, audit: deps.audit, who }))
    await api.register(grantsRoutes({ governance: deps.governance, who }))
    if (deps.serviceAccounts) {
      await api.register(serviceAccountsRoutes({ serviceAccounts: deps.serviceAccounts.accounts, accessTokens: deps.serviceAccounts.tokens, who, environments: deps.serviceAccounts.environments }))
    }
    if (deps.schedules) await api.register(schedulesRoutes({ schedules: deps.schedules, who }))
    if (deps.links) await api.register(linksRoutes({ links: deps.links, who }))
    if (deps.lineage) await api.register(lineageRoutes({ lineage: deps.lineage.service, maxEventBytes: deps.lineage.maxEventBytes, governance: deps.governance, who }))
    if (deps.reviews) await api.register(reviewsRoutes({ reviews: deps.reviews, who }))
    if (deps.environments) await api.register(environmentsRoutes({ environments: deps.environments, who }))
    await api.register(hitlRoutes({ governance: deps.governance, who }))
    await api.register(auditRoutes({ audit: deps.audit, checkpoints: deps.auditCheckpoints, governance: deps.governance, who }))
    if (deps.evidence) await api.register(complianceRoutes({ evidence: deps.evidence, governance: deps.governance, who }))
    await api.register(shadowRoutes({ governance: deps.governance, who }))
    await api.register(policyRoutes({ policy: deps.policy, lastReloadError: deps.lastPolicyReloadError, impacts: deps.policyImpacts, who }))
    if (deps.status) {
      await api.register(statusRoutes({
        ...deps.status, version: deps.version, startedAt, ready: deps.ready, policy: deps.policy, lastReloadError: deps.lastPolicyReloadError, governance: deps.governance, who,
      }))
      if (deps.status.secrets) await api.register(secretsRoutes({ check: deps.status.secrets, governance: deps.governance, who }))
    }
    if (deps.airflowDecisions) await api.register(airflowAuthorizeRoutes({ decisions: deps.airflowDecisions, who }))
    if (deps.scim) await api.register(directoryRoutes({ governance: deps.governance, who, reconcile: deps.scim.reconcile }))
    if (deps.federation) await api.register(trustsRoutes({ trusts: deps.federation.trusts, who }))
  }, { prefix: '/api/v1' })
  if (deps.mcp) {
    await app.register(mcpRoutes({
      createServer: deps.mcp.createServer, authenticator: deps.authenticator, publicUrl: deps.auth.publicUrl, scopes: ACTIONS,
      authorizationServers: [deps.auth.publicUrl, ...(deps.auth.cliConfig.issuer ? [deps.auth.cliConfig.issuer] : [])],
      inject: (options) => app.inject(options),
    }))
  }
  for (const [dialect, prefix] of [[AIRFLOW3_DIALECT, '/airflow/:env/api/v2'], [AIRFLOW2_DIALECT, '/airflow/:env/api/v1']] as const) {
    await app.register(airflowProxyRoutes({ authenticator: deps.authenticator, governance: deps.governance, idempotency: deps.idempotency, dialect }), { prefix })
  }

  return app
}

/**
 * Replaces Fastify's JSON parser by one that says why a body is refused: prototype poisoning (`__proto__`,
 * `constructor.prototype`) is named as such rather than reported as invalid JSON.
 */
function useJsonParser(app: Pick<FastifyInstance, 'getDefaultJsonParser' | 'removeContentTypeParser' | 'addContentTypeParser'>): void {
  const parse = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    parse(request, String(body), (error, value) => {
      if (!error) { done(null, value); return }
      done(parsesAsPlainJson(String(body)) ? poisonedBody() : error, undefined)
    })
  })
}

function parsesAsPlainJson(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

/** Answers what Node's HTTP parser refused (e.g. 431) in the envelope on the raw socket, then closes it. */
function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const refusal = clientError(error)
  const status = statusOf(refusal.code)
  // There is no Fastify request yet: the id is fresh, and only in this answer.
  const body = JSON.stringify({ error: { code: refusal.code, message: refusal.message, details: refusal.details!, requestId: randomUUID() } } satisfies ErrorBody)
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`)
  }
  socket.destroy(error)
}

/**
 * The document without the component schemas nothing refers to. Every registered schema gets an input and an
 * output variant (`DagViewInput`, `DagView`); only those the routes use stay.
 */
function withoutUnusedSchemas<D extends object>(document: D): D {
  const { components, ...rest } = document as { components?: { schemas?: Record<string, unknown> } }
  const all = components?.schemas
  if (!all) return document
  const used = new Set<string>()
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) { value.forEach(visit); return }
    if (value === null || typeof value !== 'object') return
    for (const [key, child] of Object.entries(value)) {
      const name = key === '$ref' && typeof child === 'string' ? /^#\/components\/schemas\/(.+)$/.exec(child)?.[1] : undefined
      if (name !== undefined && !used.has(name)) { used.add(name); visit(all[name]) } else visit(child)
    }
  }
  visit(rest)
  return { ...document, components: { ...components, schemas: Object.fromEntries(Object.entries(all).filter(([name]) => used.has(name))) } }
}

/** The built server. */
export type ConductorServer = Awaited<ReturnType<typeof buildServer>>
