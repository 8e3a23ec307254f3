import { pino, type Logger } from 'pino'
import { buildServer, createAuthenticator } from './api/index.ts'
import { createAuditCheckpointService, createAuditLog, createAuditStream, createSinks, type AuditStream } from './audit/index.ts'
import { configSummary, secretReferences, type Config, type EnvironmentConfig } from './config/index.ts'
import { ConductorError, randomIds, systemClock } from './core/index.ts'
import type { App, AppOptions, Tables } from './app-types.ts'
import { createEnvironmentsReloader } from './environments-reload.ts'
import {
  createAirflowDecisions, createGovernance, createLineageIndex, createPolicyImpacts, listCatalogDagAttributes, resolveAirflowUser, createIdempotencyKeys,
  createNotifications, createSchedules, type Schedules, createLinks, type Links, createLineage, createManagedEnvironments, type ManagedEnvironments,
} from './governance/index.ts'
import {
  chainScimEvents, createAccessRevoker, createAirflowSignInCodes, createAirflowTokenSigner, createDirectory, createOidcLogin, createRevocations,
  createScimService, createScimTokenStore, createSessionStore, createTokenVerifier, reconcile, scimRevocationEvents, signInTarget, startDevIssuer,
  startReconciliation, withDevIssuer, type OidcLogin, createAccessTokens, createServiceAccounts, SPONSOR_LOST, type ServiceAccountAuthorizer,
  createServiceAccountTrusts, createTokenExchange, createWorkloadVerifier,
} from './identity/index.ts'
import { createMcpServer } from './mcp/index.ts'
import { createAccessAsOf, createEvidence, createHistoryRecorders, createSuspensions } from './compliance/index.ts'
import { startReviews } from './reviews-wiring.ts'
import { createMetrics, startMetricsServer, type Metrics, type MetricsServer } from './metrics/index.ts'
import { environmentStatuses, instrumentAudit, instrumentOrchestrator, instrumentPolicy, registerGauges, traceAudit, traceOrchestrator } from './observability.ts'
import { createOrchestrator, type ActorTokenSigner, type Orchestrator } from './orchestrators/index.ts'
import { ACTIONS, createPolicyEngine, createPolicyWatcher, principalRef } from './policy/index.ts'
import { createSecrets, redactionPaths, type Secrets } from './secrets/index.ts'
import { createKeyedLock, createLeases, migrateToLatest, openDatabase, redactUrl } from './store/index.ts'
import type { Tracing } from './tracing/index.ts'

/** The name the built-in development issuer gets in `identity.issuers` (it lives in identity; kept here for the app's callers). */
export { DEV_ISSUER_NAME } from './identity/index.ts'

export type { App, AppOptions, Tables } from './app-types.ts'

const DEFAULT_WEB_ROOT = new URL('../web/dist', import.meta.url).pathname

/** Creates a pino logger that never writes secrets or tokens. */
export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: [...redactionPaths], censor: '[redacted]' } })
}

/**
 * Starts OpenTelemetry tracing. The module is imported here, only when `tracing.enabled`, so with tracing off nothing
 * of OpenTelemetry is loaded. The export headers' values are read from the secrets provider once, at start-up.
 */
async function startTracing(config: Config, secrets: Secrets, version: string): Promise<Tracing> {
  const { createTracing } = await import('./tracing/index.ts')
  const headers: Record<string, string> = {}
  for (const [name, ref] of Object.entries(config.tracing.headers)) headers[name] = await secrets.get(ref)
  return createTracing({ config: { ...config.tracing, endpoint: config.tracing.endpoint! }, headers, version })
}

/** The audit sinks' lag (read from the database at each scrape) and this replica's delivered and failed counts. */
function registerAuditSinkGauges(metrics: Metrics, stream: AuditStream): void {
  if (stream.counts().length === 0) return
  const lag = async () => stream.status()
  metrics.registerGauge('conductor_audit_sink_lag_events', 'Audit events appended and not yet accepted, by sink.', async () => (await lag()).map((s) => ({ labels: { sink: s.name }, value: s.lagEvents })), ['sink'])
  metrics.registerGauge('conductor_audit_sink_lag_seconds', 'Age of the oldest audit event not yet accepted, by sink (0 when caught up).', async () => (await lag()).map((s) => ({ labels: { sink: s.name }, value: s.lagSeconds })), ['sink'])
  metrics.registerGauge('conductor_audit_sink_cursor', 'The last audit seq each sink accepted.', async () => (await lag()).map((s) => ({ labels: { sink: s.name }, value: s.cursor ?? 0 })), ['sink'])
  metrics.registerGauge('conductor_audit_sink_delivered_events', 'Audit events this replica delivered, by sink, since it started.', () => stream.counts().map((c) => ({ labels: { sink: c.name }, value: c.delivered })), ['sink'])
  metrics.registerGauge('conductor_audit_sink_failures', 'Batches this replica failed to deliver, by sink, since it started.', () => stream.counts().map((c) => ({ labels: { sink: c.name }, value: c.failures })), ['sink'])
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
    const database = await openDatabase<Tables>({ url: config.database.url, clock })
    cleanup.push(() => database.close())
    await migrateToLatest(database)
    const db = database.db
    const metrics = config.metrics.enabled ? createMetrics() : null
    const secrets = createSecrets({ providers: config.secrets.providers, clock, environment: options.environment ?? {} })
    cleanup.push(() => secrets.close())
    const version = options.version ?? '0.1.0'
    const tracing = config.tracing.enabled ? await startTracing(config, secrets, version) : null
    // Flushed late: after the server and background work have stopped, so their last spans are exported too.
    if (tracing) cleanup.push(() => tracing.shutdown())
    const audit = traceAudit(instrumentAudit(createAuditLog({ database, clock }), metrics), tracing ? () => tracing.activeTraceId() : null)
    // Background work runs on one replica at a time: each loop below claims its lease; the keeper starts once all have.
    const leases = createLeases({
      database, clock, leaseSeconds: config.replicas.leaseSeconds, ...(config.replicas.id ? { holder: config.replicas.id } : {}),
      onError: (error, lease) => logger.warn({ err: error, lease }, 'lease renewal failed'),
    })
    cleanup.push(() => leases.stop())
    // The sinks only read the stored trail, after it is committed: an append never waits for a sink.
    const auditStream = createAuditStream({ db, sinks: createSinks(config.audit.sinks, (ref) => secrets.get(ref)), logger, clock, leases })
    auditStream.start(config.audit.streamIntervalSeconds)
    cleanup.push(() => auditStream.stop())
    const checkpointConfig = config.audit.checkpoints
    const checkpointKey = checkpointConfig ? () => secrets.get(checkpointConfig.key) : undefined
    const auditCheckpoints = createAuditCheckpointService({
      database, auditLog: audit, logger, leases, clock, intervalSeconds: checkpointConfig?.intervalSeconds ?? 0,
      readKey: checkpointKey,
    })
    auditCheckpoints.start()
    cleanup.push(() => auditCheckpoints.stop())

    const devIssuer = config.identity.devIssuer.enabled
      ? await startDevIssuer({ config: config.identity.devIssuer, audience: config.identity.audience, publicUrl: config.server.publicUrl })
      : null
    if (devIssuer) cleanup.push(() => devIssuer.close())
    const identity = withDevIssuer(config.identity, devIssuer)
    const verifier = createTokenVerifier({ identity, clock })
    cleanup.push(() => verifier.close())

    // Access review revokes turn allows into denies in every door (docs/reviews.md); `grantingPolicy` is the policy alone.
    const suspensions = createSuspensions({ db, logger })
    // What each DAG is known to write (policy's `context.lineage`, docs/lineage.md): loaded now, kept fresh across replicas.
    const lineageWrites = createLineageIndex({ db, logger, datasetTags: config.lineage.datasetTags })
    await lineageWrites.refresh()
    lineageWrites.start(config.lineage.writesRefreshMs)
    cleanup.push(() => lineageWrites.stop())
    const grantingPolicy = instrumentPolicy(await createPolicyEngine({ folder: config.policy.folder, clock, lineage: lineageWrites }), metrics)
    const policy = suspensions.wrap(grantingPolicy)
    cleanup.push(() => policy.close())
    await audit.append({ type: 'config.loaded', data: configSummary(config, identity) })
    await audit.append({ type: 'policy.loaded', data: { ...policy.current() } })
    // Compliance history: each policy set loaded, and each principal's directory state as it changes.
    const history = createHistoryRecorders({ db, clock, ids, policyFolder: config.policy.folder })
    await history.policyLoaded(policy.current())
    const policyWatcher = createPolicyWatcher({
      policy, logger, seconds: config.policy.reloadIntervalSeconds,
      onLoaded: async (info) => {
        await audit.append({ type: 'policy.loaded', data: { ...info } })
        await history.policyLoaded(info).catch((error: unknown) => logger.error({ err: error }, 'cannot record the policy version in the compliance history'))
      },
      onReloadFailed: async (error, keptVersion) => { await audit.append({ type: 'policy.reload_failed', data: { error, keptVersion } }) },
    })
    cleanup.push(() => policyWatcher.stop())

    const orchestrators = new Map<string, Orchestrator>()
    const airflowTokens = createAirflowTokenSigner({ config: config.identity.airflowTokens, getSecret: (ref) => secrets.get(ref), issuer: config.server.publicUrl!, clock })
    const actorTokenSigner: ActorTokenSigner = (actor, audience, claims) => airflowTokens.sign(actor, audience, claims)
    const callHeaders = tracing ? { callHeaders: () => tracing.outgoingHeaders() } : {}
    const buildOrchestrator = (env: EnvironmentConfig) => traceOrchestrator(instrumentOrchestrator(createOrchestrator(env, { secrets, clock, actorTokenSigner, ...callHeaders }), metrics), tracing?.spans ?? null)
    for (const env of config.environments) orchestrators.set(env.name, buildOrchestrator(env))

    const n = config.notifications
    const notifications = createNotifications({
      db, audit, clock, ids, logger, webhooks: n.webhooks, getSecret: (ref) => secrets.get(ref), publicUrl: config.server.publicUrl!, timeoutMs: n.timeoutSeconds * 1000,
      retry: { initialDelaySeconds: n.initialRetryDelaySeconds, maxDelaySeconds: n.maxRetryDelaySeconds, maxAttempts: n.maxAttempts }, leases,
    })
    notifications.start(n.deliveryIntervalSeconds)
    cleanup.push(() => notifications.stop())
    const lineage = createLineage({
      db, audit, policy, clock, ids, logger, settings: config.lineage, getSecret: (ref) => secrets.get(ref), leases, writes: lineageWrites,
      fleet: () => governance.fleet,
    })
    const governance = createGovernance({
      db, policy, audit, environments: config.environments, orchestrators, clock, ids, logger, maxConfBytes: config.governance.maxConfBytes, maxConfDepth: config.governance.maxConfDepth,
      policyGroups: () => policy.groupsNamed(), dispatchGraceSeconds: config.governance.dispatchGraceSeconds, approvalHours: config.governance.approvalHours,
      maxGrantHours: config.governance.maxGrantHours,
      shadow: { conductorUsers: config.shadow.conductorUsers, webhookUrl: config.shadow.webhookUrl }, notify: notifications.notify,
      leases, budgetLock: createKeyedLock(database), ...(tracing ? { spans: tracing.spans } : {}), lineage: lineage.dispatch,
    })
    const fleet = governance.fleet
    lineage.start(config.lineage.deliveryIntervalSeconds)
    cleanup.push(() => lineage.stop())
    // The orchestrators in force when Conductor stops (a reload may have replaced those built above).
    cleanup.push(async () => { for (const o of fleet.orchestrators.values()) await o.close() })
    // Environments defined through the API join the config's through the reloader's apply path, on every replica.
    const managedEnvironments: ManagedEnvironments = createManagedEnvironments({
      db, policy, audit, clock, logger, configNames: () => reloader.configNames(), apply: () => reloader.refresh(),
      known: { providers: new Set(config.secrets.providers.map((p) => p.name)), signingKeys: config.identity.airflowTokens.signingKeys.length },
    })
    const reloader = createEnvironmentsReloader({
      load: options.loadConfig ?? (() => { throw new ConductorError('config_invalid', 'this Conductor was not started from a config file: nothing to reload') }),
      running: config, fleet, build: buildOrchestrator, catalog: governance.catalog, audit, logger, stored: () => managedEnvironments.definitions(),
      datasetTags: (rules) => lineageWrites.setDatasetTags(rules),
    })
    cleanup.push(() => reloader.close())
    await managedEnvironments.poll()
    managedEnvironments.start(config.governance.environmentsPollSeconds)
    cleanup.push(() => managedEnvironments.stop())
    if (options.backgroundSync !== false) governance.catalog.start(config.catalog.syncIntervalSeconds)
    cleanup.push(() => governance.catalog.stop())
    governance.resolver.start(config.governance.resolveIntervalSeconds)
    cleanup.push(() => governance.resolver.stop())

    const publicUrl = config.server.publicUrl!
    const { issuer: loginIssuer, resource } = signInTarget(identity, devIssuer)
    const webClientSecretRef = config.identity.login.webClientSecret
    // Read now so a missing secret stops the start; then before each token call, through the cache (rotation needs no restart).
    if (webClientSecretRef) await secrets.get(webClientSecretRef)
    const login: OidcLogin | null = loginIssuer
      ? createOidcLogin({
        issuer: loginIssuer, clientId: config.identity.login.webClientId, redirectUri: new URL('/auth/callback', publicUrl).href,
        scopes: config.identity.login.scopes, resource, clock,
        ...(webClientSecretRef ? { clientSecret: () => secrets.get(webClientSecretRef), onClientSecretRejected: () => secrets.invalidate(webClientSecretRef) } : {}),
      })
      : null
    const sessions = loginIssuer
      ? createSessionStore({
        db, clock, config: config.sessions, login,
        toPrincipal: (token) => authenticator.principalFromToken(token),
        onEvent: async (event) => {
          await audit.append({ type: event.type, principal: event.principal.id, principalType: event.principal.type, data: { session: event.sessionId, ...(event.reason ? { reason: event.reason } : {}) } })
        },
      })
      : null
    const accessTokens = createAccessTokens({
      db, audit, clock, maxApiTokenDays: config.identity.tokens.maxApiTokenDays, exchangedTokenMinutes: config.identity.tokens.exchangedTokenMinutes,
    })
    const authorizeServiceAccount: ServiceAccountAuthorizer = (actor, action, account) => policy.authorize({
      principal: principalRef(actor), action, ...(account ? { context: { serviceAccount: account } } : {}),
    })
    // Schedules are created below (they need the authenticator to rebuild their owners); an account that stops acting suspends its own.
    const late: { schedules?: Schedules; links?: Links } = {}
    // What an owner loses with its access: its schedules and links stop acting for it.
    const suspendOwned = async (owner: { type: 'User' | 'ServiceAccount' | 'Agent'; id: string }) => {
      await late.schedules?.suspendOwnedBy(owner, 'owner_deprovisioned')
      await late.links?.suspendOwnedBy(owner, 'owner_deprovisioned')
    }
    const serviceAccounts = createServiceAccounts({
      db, audit, clock, authorize: authorizeServiceAccount, tokens: accessTokens, actions: ACTIONS,
      onDeactivated: suspendOwned,
    })
    const revocations = createRevocations({ db, clock })
    const revoker = createAccessRevoker({ sessions, revocations, audit })
    const scim = config.identity.scim.enabled
      ? {
        service: createScimService({
          database, clock,
          // The history row first: it marks when the IdP's change arrived, before access is revoked.
          events: chainScimEvents(history.scimEvents, chainScimEvents(scimRevocationEvents({
            revoker, seen: (userName) => governance.seenPrincipals(userName),
            onRevoked: async (p, reason) => {
              await governance.approvals.withdraw({ type: p.type, id: p.id }, reason)
              await governance.grants.revokeAllOf({ type: p.type, id: p.id }, reason)
              await suspendOwned({ type: p.type as 'User', id: p.id })
              // A person's API tokens die with their access, and so do the agents they sponsor.
              if (p.type === 'User') {
                await accessTokens.revokeAllOf({ type: 'User', id: p.id }, reason)
                await serviceAccounts.disableSponsoredBy(p.id, SPONSOR_LOST)
              }
            },
          }), options.scimObserver)),
          onEventError: (error, event) => logger.error({ err: error, event }, 'SCIM event handling failed'),
        }),
        tokens: createScimTokenStore({ db, clock }),
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
    if (scimApi) {
      const reconciliation = startReconciliation({ reconcile: scimApi.reconcile, minutes: config.identity.scim.reconcileIntervalMinutes, audit, logger, leases })
      cleanup.push(() => reconciliation.stop())
    }
    const directory = scim ? createDirectory({ scim: scim.service, config: config.identity.scim, groupMappings: config.identity.groupMappings }) : null
    const authenticator = createAuthenticator({
      verifier, revocations, identity, audit, clock, sessions, directory, cookieName: config.sessions.cookieName, onPrincipal: async (p) => { await governance.recordPrincipal(p); await history.principalSeen(p) },
      withGrants: (p) => governance.grants.withGrants(p),
      conductorTokens: { tokens: accessTokens, serviceAccounts, knownUser: (id) => resolveAirflowUser({ db }, { id, type: 'User' }) },
    })
    // The owner of a schedule or link as Conductor would see them now: a person by the directory's word and their grants; an account by its record.
    const ownerPrincipal = (owner: { type: 'User' | 'ServiceAccount' | 'Agent'; id: string }) => resolveAirflowUser({
      db,
      gate: async (p) => governance.grants.withGrants(directory ? await directory.apply(p) : p),
      account: async (type, id) => {
        const account = await authenticator.principalOfAccount(type, id)
        return account ? governance.grants.withGrants(account) : null
      },
    }, owner)
    const ownedDeps = {
      db, policy, audit, clock, ids, logger, environments: governance.fleet.environments, orchestrators: governance.fleet.orchestrators, catalog: governance.catalog,
      requestTrigger: (...args: Parameters<typeof governance.requestTrigger>) => governance.requestTrigger(...args),
      postAssetEvent: (...args: Parameters<typeof governance.postAssetEvent>) => governance.postAssetEvent(...args), notify: notifications.notify, leases, maxConfBytes: config.governance.maxConfBytes, principalOf: ownerPrincipal,
    }
    const ownedSchedules = createSchedules(ownedDeps)
    const links = createLinks(ownedDeps)
    late.links = links
    links.start(config.governance.linkPollSeconds)
    cleanup.push(() => links.stop())
    late.schedules = ownedSchedules
    ownedSchedules.start(config.governance.scheduleTickSeconds)
    cleanup.push(() => ownedSchedules.stop())
    const workloads = createWorkloadVerifier({
      issuers: config.identity.workloadIssuers, aws: config.identity.aws, identity: config.identity, publicUrl: config.server.publicUrl!, clock,
    })
    cleanup.push(() => workloads.close())
    const trusts = createServiceAccountTrusts({ db, audit, clock, ids, serviceAccounts, issuers: config.identity })
    const tokenExchange = createTokenExchange({
      workloads, trusts, serviceAccounts, accessTokens, principalFromToken: (token) => authenticator.principalFromToken(token), audit, clock,
      exchangedTokenMinutes: config.identity.tokens.exchangedTokenMinutes, targets: [config.server.publicUrl!, config.identity.audience], actions: ACTIONS,
      groupMappings: config.identity.groupMappings,
    })
    const signInCodes = createAirflowSignInCodes({ db, clock })
    if (metrics) {
      registerGauges(metrics, {
        version, orchestrators: fleet.orchestrators, catalog: governance.catalog, policy,
        lastPolicyReloadError: () => policyWatcher.lastReloadError(), now: () => clock.now(),
      })
      metrics.registerCache('policy_decisions', () => policy.cacheStats())
      metrics.registerCache('verified_tokens', () => verifier.cacheStats())
      registerAuditSinkGauges(metrics, auditStream)
    }
    const reviews = await startReviews({
      database, policy, grantingPolicy, suspensions, environments: fleet.environments, directory: directory ? (p) => directory.apply(p) : undefined,
      audit, clock, ids, logger, leases, config: config.compliance.reviews, getSecret: (ref) => secrets.get(ref),
    })
    cleanup.push(() => reviews.stop())
    const evidence = createEvidence({
      db, audit, checkpoints: auditCheckpoints, readKey: checkpointKey, sinks: () => auditStream.status(), clock,
      accessAsOf: createAccessAsOf({ db, environments: () => [...fleet.environments.values()], dags: (env) => listCatalogDagAttributes(db, env), lineage: lineageWrites }),
      pdf: { chromium: config.compliance.evidence.chromium, timeoutMs: config.compliance.evidence.pdfTimeoutSeconds * 1000 },
    })
    const server = await buildServer({
      logger, authenticator, reviews: reviews.reviews, governance, audit, auditCheckpoints, evidence,
      idempotency: createIdempotencyKeys({ db, audit, clock, ttlHours: config.governance.idempotencyKeyHours }),
      ready: async () => { await db.selectFrom('requests').select('id').limit(1).execute() },
      bodyLimitBytes: config.server.bodyLimitBytes, trustProxy: config.server.trustProxy, version,
      webRoot: options.webRoot === undefined ? DEFAULT_WEB_ROOT : options.webRoot,
      policy, lastPolicyReloadError: () => policyWatcher.lastReloadError(), scim: scimApi, airflowJwks: () => airflowTokens.jwks(),
      // Impacts compare policy sets: the policy alone, without access review suspensions (they outlive any change).
      policyImpacts: createPolicyImpacts({ db, policy: grantingPolicy, lineage: lineageWrites, audit, clock, environments: fleet.environments, directory: directory ? (p) => directory.apply(p) : undefined }),
      federation: {
        trusts,
        tokenExchange: {
          exchange: tokenExchange, publicUrl: config.server.publicUrl!,
          aws: workloads.awsServerId === null ? null : { serverId: workloads.awsServerId, stsEndpoint: config.identity.aws.stsEndpoint, region: config.identity.aws.region },
        },
      },
      airflowDecisions: createAirflowDecisions({
        db, policy, audit, environments: fleet.environments, signInCodes,
        // The directory's word first (a deprovisioned user is refused), then the groups of the user's active grants.
        gate: async (p) => governance.grants.withGrants(directory ? await directory.apply(p) : p),
        // A service account or agent: its record (and an agent's sponsor), then the groups of its active grants.
        account: async (type, id) => {
          const account = await authenticator.principalOfAccount(type, id)
          return account ? governance.grants.withGrants(account) : null
        },
      }),
      mcp: { createServer: (api) => createMcpServer({ api, version, onError: (error, tool) => logger.error({ err: error, tool }, 'MCP tool failed') }) },
      serviceAccounts: { accounts: serviceAccounts, tokens: accessTokens, environments: () => fleet.environments.keys() },
      schedules: ownedSchedules, lineage: { service: lineage, maxEventBytes: config.lineage.maxEventBytes },
      links,
      environments: managedEnvironments,
      ...(metrics ? { metrics: { recorder: metrics, scrape: () => metrics.scrape(), serve: true } } : {}),
      ...(tracing ? { tracing: tracing.requests } : {}),
      status: {
        databaseKind: database.dialect, scimEnabled: scim !== null,
        environments: () => environmentStatuses({ environments: [...fleet.environments.values()], catalog: governance.catalog, orchestrators: fleet.orchestrators, secrets, now: clock.now() }),
        // The environments in force now (a reload may have changed them); every other section is as at start.
        secrets: () => Promise.all(secretReferences({ ...config, environments: [...fleet.environments.values()] }).map(async ({ ref, usedBy }) => {
          const { provider, type, secret, version, fetchedAt, ageSeconds, ok, stale, error, errorCode } = await secrets.check(ref)
          return { provider, type, secret, usedBy, version, fetchedAt, ageSeconds, ok, stale, error, errorCode }
        })),
        auditSinks: () => auditStream.status(),
        // The replicas that hold background work now (from the leases), and this one even when it holds none.
        replicas: async () => {
          const now = new Date(clock.now()).toISOString()
          const byHolder = new Map<string, { id: string; lastSeenAt: string | null; leases: string[] }>([[leases.holder, { id: leases.holder, lastSeenAt: now, leases: [] }]])
          for (const lease of await leases.list()) {
            if (lease.expiresAt <= now) continue
            const replica = byHolder.get(lease.holder) ?? { id: lease.holder, lastSeenAt: lease.renewedAt, leases: [] }
            replica.leases.push(lease.name)
            if (replica.lastSeenAt === null || lease.renewedAt > replica.lastSeenAt) replica.lastSeenAt = lease.renewedAt
            byHolder.set(lease.holder, replica)
          }
          return [...byHolder.values()]
        },
      },
      airflowSignIn: { codes: signInCodes, environments: () => [...fleet.environments.values()].map((e) => ({ name: e.name, publicUrl: e.publicUrl ?? e.url })) },
      circuits: () => [...fleet.orchestrators.values()].flatMap((o) => {
        const circuit = o.protection?.().circuit
        return circuit ? [{ environment: o.environment, state: circuit.state, nextProbeAt: circuit.nextProbeAt }] : []
      }),
      auth: {
        login, sessions, verifier, revoker, publicUrl, cookieName: config.sessions.cookieName, absoluteTimeoutHours: config.sessions.absoluteTimeoutHours,
        cliConfig: {
          issuer: loginIssuer, cliClientId: config.identity.login.cliClientId, webClientId: config.identity.login.webClientId,
          audience: config.identity.audience, resource, scopes: config.identity.login.scopes,
        },
      },
    })
    cleanup.push(() => server.close())
    await leases.start()

    logger.info({ database: redactUrl(config.database.url), environments: config.environments.map((e) => e.name), devIssuer: devIssuer?.issuer ?? null, policyVersion: policy.current().version, replica: leases.holder }, 'conductor ready')
    let metricsServer: MetricsServer | null = null
    return {
      reviews, config, server, database, audit, policy, governance, notifications, lineage, devIssuer, identity, sessions, revoker, serviceAccounts, accessTokens, trusts, schedules: ownedSchedules, links, environments: managedEnvironments, scim: scimApi, logger, leases, auditStream,
      metrics,
      metricsUrl: () => metricsServer?.url ?? null,
      tokenCacheStats: () => verifier.cacheStats(),
      reloadConfig: () => reloader.reload(),
      async listen() {
        const url = await server.listen({ host: config.server.host, port: config.server.port })
        if (metrics && config.metrics.port !== undefined && !metricsServer) {
          const started = await startMetricsServer({ metrics, host: config.metrics.host, port: config.metrics.port })
          metricsServer = started
          cleanup.push(() => started.close())
          logger.info({ url: `${started.url}/metrics` }, 'metrics listening')
        }
        return url
      },
      close: closeAll,
    }
  } catch (error) {
    await closeAll()
    throw error
  }
}
