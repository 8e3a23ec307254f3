import { pino } from 'pino'
import { buildServer, type ServerDeps } from './server.ts'

/** A dependency the document build never calls: the routes are registered, none is run. */
function unused(name: string): never {
  throw new Error(`${name} is not available while building the OpenAPI document`)
}

/**
 * The OpenAPI document of the API, built from the routes' schemas without a database, an identity provider or a
 * listening socket (every optional area, SCIM included, is on). `version` is the API version it names.
 */
export async function buildOpenApiDocument(version: string): Promise<Record<string, unknown>> {
  const inert = new Proxy({}, { get: (_target, key) => (typeof key === 'string' && key !== 'then' ? () => unused(key) : undefined) })
  const deps = {
    logger: pino({ level: 'silent' }),
    authenticator: inert, governance: inert, idempotency: inert, audit: inert, policy: inert,
    ready: async () => {},
    bodyLimitBytes: 1024 * 1024,
    trustProxy: false,
    version,
    auth: {
      login: null, sessions: null, publicUrl: 'http://localhost', cookieName: 'conductor_session', absoluteTimeoutHours: 8,
      verifier: inert, revoker: inert,
      cliConfig: { issuer: null, cliClientId: 'conductor-cli', webClientId: 'conductor-web', audience: 'conductor', resource: null, scopes: [] },
    },
    webRoot: null,
    scim: { service: inert, tokens: inert, reconcile: async () => unused('reconcile') },
    serviceAccounts: { accounts: inert, tokens: inert, environments: () => [] },
    auditCheckpoints: inert,
    schedules: inert,
    links: inert,
    reviews: inert,
    environments: inert,
    policyImpacts: inert,
    federation: { trusts: inert, tokenExchange: { exchange: inert, publicUrl: 'http://localhost', aws: null } },
    airflowJwks: async () => unused('airflowJwks'),
    lastPolicyReloadError: () => null,
    status: { databaseKind: 'sqlite', scimEnabled: true, environments: async () => [], secrets: async () => [] },
  } as unknown as ServerDeps
  const app = await buildServer(deps)
  try {
    await app.ready()
    return app.swagger() as unknown as Record<string, unknown>
  } finally {
    await app.close()
  }
}
