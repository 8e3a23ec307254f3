import type { Kysely } from 'kysely'
import { pino, type Logger } from 'pino'
import { buildServer, createAuthenticator, type ConductorServer } from './api/index.ts'
import { createAuditLog, type AuditLog, type AuditTables } from './audit/index.ts'
import type { Config, IdentityConfig } from './config/index.ts'
import { ConductorError, randomIds, systemClock, type Clock, type IdGenerator } from './core/index.ts'
import { createGovernance, type Governance, type GovernanceTables } from './governance/index.ts'
import {
  createAccessRevoker, createDirectory, createOidcLogin, createRevocations, createScimService, createScimTokenStore, createSessionStore,
  createTokenVerifier, reconcile, scimRevocationEvents, startDevIssuer,
  type AccessRevoker, type DevIssuer, type IdentityTables, type OidcLogin, type RevocationTables, type ScimService, type ScimTables,
  type ReconciliationReport, type ScimEvents, type ScimTokenStore, type SessionStore,
} from './identity/index.ts'
import { createOrchestrator, type Orchestrator } from './orchestrators/index.ts'
import { createPolicyEngine, type PolicyEngine } from './policy/index.ts'
import { createSecrets, redactionPaths } from './secrets/index.ts'
import { migrateToLatest, openDatabase, redactUrl, type Database } from './store/index.ts'

/** Every table of Conductor. */
export interface AppTables extends AuditTables, GovernanceTables, IdentityTables, RevocationTables, ScimTables {}

/** The name the built-in development issuer gets in `identity.issuers`. */
export const DEV_ISSUER_NAME = 'dev'

/** The running application: its server (not yet listening) and how to stop everything. */
export interface App {
  config: Config
  server: ConductorServer
  database: Database<AppTables>
  audit: AuditLog
  policy: PolicyEngine
  governance: Governance
  /** The development issuer, when config enables it. */
  devIssuer: DevIssuer | null
  /** The identity settings in force (config plus the development issuer). */
  identity: IdentityConfig
  /** Browser sessions, when a sign-in issuer is configured. */
  sessions: SessionStore | null
  /** Ends a principal's sessions and refuses its tokens. */
  revoker: AccessRevoker
  /** SCIM provisioning and its bearer tokens, when `identity.scim.enabled`. */
  scim: { service: ScimService; tokens: ScimTokenStore; reconcile: () => Promise<ReconciliationReport> } | null
  logger: Logger
  /** Starts listening; resolves with the base URL. */
  listen(): Promise<string>
  /** Stops background work, the server, the issuer and the database, in that order. */
  close(): Promise<void>
}

/** Options for {@link createApp}; tests pin time and ids here. */
export interface AppOptions {
  logger?: Logger
  clock?: Clock
  ids?: IdGenerator
  version?: string
  /** Starts catalog syncing in the background (default true). */
  backgroundSync?: boolean
  /** The built web console to serve; default `web/dist` of this checkout. */
  webRoot?: string | null
  /** Also told of every SCIM change after Conductor has acted on it (tests observe provisioning here). */
  scimObserver?: Partial<ScimEvents>
}

const DEFAULT_WEB_ROOT = new URL('../web/dist', import.meta.url).pathname

/** Creates a pino logger that never writes secrets or tokens. */
export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: [...redactionPaths], censor: '[redacted]' } })
}

/** The composition root: builds every service from config, runs migrations, and wires the HTTP face. */
export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config.logging.level)
  const clock = options.clock ?? systemClock
  const ids = options.ids ?? randomIds
  const cleanup: (() => Promise<void> | void)[] = []
  const closeAll = async () => {
    for (const step of cleanup.reverse()) {
      try { await step() } catch (error) { logger.warn({ err: error }, 'error while closing') }
    }
  }

  try {
    const database = await openDatabase<AppTables>({ url: config.database.url, clock })
    cleanup.push(() => database.close())
    await migrateToLatest(database)
    const db = database.db
    const audit = createAuditLog({ database: database as Database<AuditTables>, clock })

    const devIssuer = config.identity.devIssuer.enabled
      ? await startDevIssuer({ config: config.identity.devIssuer, audience: config.identity.audience, publicUrl: config.server.publicUrl })
      : null
    if (devIssuer) cleanup.push(() => devIssuer.close())
    const identity: IdentityConfig = devIssuer && !config.identity.issuers.some((i) => i.name === DEV_ISSUER_NAME)
      ? { ...config.identity, issuers: [...config.identity.issuers, { name: DEV_ISSUER_NAME, issuer: devIssuer.issuer, algorithms: ['RS256', 'ES256'], subjectClaim: 'sub', usernameClaim: 'preferred_username', groupsClaim: 'groups' }] }
      : config.identity
    const verifier = createTokenVerifier({ identity, clock })
    cleanup.push(() => verifier.close())

    const policy = await createPolicyEngine({ folder: config.policy.folder, clock })
    cleanup.push(() => policy.close())
    await audit.append({ type: 'config.loaded', data: configSummary(config, identity) })
    await audit.append({ type: 'policy.loaded', data: { ...policy.current() } })
    const policyStatus: PolicyStatus = { lastReloadError: null }
    const policyTimer = watchPolicies(policy, audit, logger, config.policy.reloadIntervalSeconds, policyStatus)
    cleanup.push(() => clearInterval(policyTimer))

    const secrets = createSecrets({ providers: config.secrets.providers })
    cleanup.push(() => secrets.close())
    const orchestrators = new Map<string, Orchestrator>()
    for (const env of config.environments) orchestrators.set(env.name, createOrchestrator(env, { secrets, clock }))
    cleanup.push(async () => { for (const o of orchestrators.values()) await o.close() })

    const governance = createGovernance({
      db: db as unknown as Kysely<GovernanceTables>, policy, audit, environments: config.environments, orchestrators,
      clock, ids, logger, maxConfBytes: config.governance.maxConfBytes,
      policyGroups: () => [...new Set(policy.policies().flatMap((p) => [...p.text.matchAll(/Group::"([^"\\]+)"/g)].map((m) => m[1]!)))],
    })
    if (options.backgroundSync !== false) governance.catalog.start(config.catalog.syncIntervalSeconds)
    cleanup.push(() => governance.catalog.stop())

    const publicUrl = config.server.publicUrl!
    const loginIssuer = signInIssuer(config, identity, devIssuer)
    const resource = config.identity.login.resource ?? (devIssuer && loginIssuer === devIssuer.issuer ? devIssuer.resource : null)
    const webClientSecret = config.identity.login.webClientSecret ? await secrets.get(config.identity.login.webClientSecret) : undefined
    const login: OidcLogin | null = loginIssuer
      ? createOidcLogin({
        issuer: loginIssuer, clientId: config.identity.login.webClientId, redirectUri: new URL('/auth/callback', publicUrl).href,
        scopes: config.identity.login.scopes, resource, clock, ...(webClientSecret ? { clientSecret: webClientSecret } : {}),
      })
      : null
    const sessions = loginIssuer
      ? createSessionStore({
        db: db as unknown as Kysely<IdentityTables>, clock, config: config.sessions, login,
        toPrincipal: (token) => authenticator.principalFromToken(token),
        onEvent: async (event) => {
          await audit.append({ type: event.type, principal: event.principal.id, principalType: event.principal.type, data: { session: event.sessionId, ...(event.reason ? { reason: event.reason } : {}) } })
        },
      })
      : null
    const revocations = createRevocations({ db: db as unknown as Kysely<RevocationTables>, clock })
    const revoker = createAccessRevoker({ sessions, revocations, audit })
    const scim = config.identity.scim.enabled
      ? {
        service: createScimService({
          database: database as unknown as Database<ScimTables>, clock,
          events: withObserver(scimRevocationEvents({ revoker, seen: (userName) => governance.seenPrincipals(userName) }), options.scimObserver),
          onEventError: (error, event) => logger.error({ err: error, event }, 'SCIM event handling failed'),
        }),
        tokens: createScimTokenStore({ db: db as unknown as Kysely<ScimTables>, clock }),
      }
      : null
    const scimApi = scim
      ? {
        ...scim,
        reconcile: async () => reconcile({
          scim: scim.service, config: config.identity.scim, principals: await governance.knownPrincipals(10_000), now: new Date(clock.now()).toISOString(),
        }),
      }
      : null
    if (scimApi && config.identity.scim.reconcileIntervalMinutes > 0) {
      const timer = setInterval(() => {
        scimApi.reconcile()
          .then((report) => audit.append({ type: 'scim.reconciliation', data: { checked: report.checked, inSync: report.inSync, drifted: report.drifted.length, sample: report.drifted.slice(0, 20) } }))
          .catch((error: unknown) => logger.error({ err: error }, 'SCIM reconciliation failed'))
      }, config.identity.scim.reconcileIntervalMinutes * 60_000)
      timer.unref()
      cleanup.push(() => clearInterval(timer))
    }
    const directory = scim ? createDirectory({ scim: scim.service, config: config.identity.scim, groupMappings: config.identity.groupMappings }) : null
    const authenticator = createAuthenticator({
      verifier, revocations, identity, audit, clock, sessions, directory, cookieName: config.sessions.cookieName, onPrincipal: (p) => governance.recordPrincipal(p),
    })
    const server = await buildServer({
      logger, authenticator, governance, audit,
      ready: async () => { await db.selectFrom('requests').select('id').limit(1).execute() },
      bodyLimitBytes: config.server.bodyLimitBytes, trustProxy: config.server.trustProxy, version: options.version ?? '0.1.0',
      webRoot: options.webRoot === undefined ? DEFAULT_WEB_ROOT : options.webRoot,
      policy, lastPolicyReloadError: () => policyStatus.lastReloadError, scim: scimApi,
      auth: {
        login, sessions, verifier, revoker, publicUrl, cookieName: config.sessions.cookieName, absoluteTimeoutHours: config.sessions.absoluteTimeoutHours,
        cliConfig: {
          issuer: loginIssuer, cliClientId: config.identity.login.cliClientId, webClientId: config.identity.login.webClientId,
          audience: config.identity.audience, resource, scopes: config.identity.login.scopes,
        },
      },
    })
    cleanup.push(() => server.close())

    logger.info({ database: redactUrl(config.database.url), environments: config.environments.map((e) => e.name), devIssuer: devIssuer?.issuer ?? null, policyVersion: policy.current().version }, 'conductor ready')
    return {
      config, server, database, audit, policy, governance, devIssuer, identity, sessions, revoker, scim: scimApi, logger,
      async listen() {
        return server.listen({ host: config.server.host, port: config.server.port })
      },
      close: closeAll,
    }
  } catch (error) {
    await closeAll()
    throw error
  }
}

/** SCIM event handlers that run `handlers` first, then `observer`. */
function withObserver(handlers: Partial<ScimEvents>, observer: Partial<ScimEvents> | undefined): Partial<ScimEvents> {
  if (!observer) return handlers
  const names = ['userDeactivated', 'userDeleted', 'userReactivated', 'membershipsRemoved', 'membershipsAdded'] as const
  const out: Partial<ScimEvents> = {}
  for (const name of names) {
    const first = handlers[name] as ((...args: unknown[]) => unknown) | undefined
    const then = observer[name] as ((...args: unknown[]) => unknown) | undefined
    if (first || then) {
      (out as Record<string, unknown>)[name] = async (...args: unknown[]) => { await first?.(...args); await then?.(...args) }
    }
  }
  return out
}

/** The issuer URL people sign in with: `identity.login.issuer` by name, else the development issuer, else the first issuer. */
function signInIssuer(config: Config, identity: IdentityConfig, devIssuer: DevIssuer | null): string | null {
  const named = config.identity.login.issuer
  if (named) {
    const issuer = identity.issuers.find((i) => i.name === named)
    if (!issuer) throw new ConductorError('config_invalid', `identity.login.issuer: no issuer named "${named}"`, { details: { path: 'identity.login.issuer' } })
    return issuer.issuer
  }
  return devIssuer?.issuer ?? identity.issuers[0]?.issuer ?? null
}

/** Re-reads policy files every `seconds`, auditing each new version and each refused reload once. */
interface PolicyStatus { lastReloadError: unknown }

function watchPolicies(policy: PolicyEngine, audit: AuditLog, logger: Logger, seconds: number, status: PolicyStatus): NodeJS.Timeout | undefined {
  if (seconds <= 0) return undefined
  let lastFailure = ''
  let busy = false
  const timer = setInterval(async () => {
    if (busy) return
    busy = true
    try {
      const before = policy.current().hash
      const result = await policy.reload()
      if (result.ok) {
        lastFailure = ''
        status.lastReloadError = null
        if (policy.current().hash !== before) {
          logger.info({ version: policy.current().version }, 'policies reloaded')
          await audit.append({ type: 'policy.loaded', data: { ...policy.current() } })
        }
      } else {
        status.lastReloadError = result.error
        const failure = JSON.stringify(result.error)
        if (failure !== lastFailure) {
          lastFailure = failure
          logger.warn({ error: result.error }, 'policy reload refused; keeping the previous set')
          await audit.append({ type: 'policy.reload_failed', data: { error: result.error, keptVersion: policy.current().version } })
        }
      }
    } catch (error) {
      logger.error({ err: error }, 'policy reload failed')
    } finally {
      busy = false
    }
  }, seconds * 1000)
  timer.unref()
  return timer
}

/** What the audit trail keeps of the config: names and shapes, never secrets (config holds only references). */
function configSummary(config: Config, identity: IdentityConfig): Record<string, unknown> {
  return {
    database: redactUrl(config.database.url).split(':')[0],
    issuers: identity.issuers.map((i) => ({ name: i.name, issuer: i.issuer, algorithms: i.algorithms })),
    groupMappings: config.identity.groupMappings.length,
    devIssuer: config.identity.devIssuer.enabled,
    environments: config.environments.map((e) => ({ name: e.name, kind: e.kind, url: e.url, zone: e.zone, tier: e.tier, credentials: `${e.credentials.provider}/${e.credentials.secret}` })),
    policyFolder: config.policy.folder,
  }
}
