import type { Config, IdentityConfig } from './config.schema.ts'

/**
 * What the audit trail keeps of the config (`config.loaded`): the database engine, issuers, environments and counts,
 * never a secret (config holds only references to secrets) nor a database password. `identity` is the identity
 * settings in force when they differ from config (e.g. with the development issuer added).
 */
export function configSummary(config: Config, identity: IdentityConfig = config.identity): Record<string, unknown> {
  return {
    database: config.database.url.split(':')[0],
    issuers: identity.issuers.map((i) => ({ name: i.name, issuer: i.issuer, algorithms: i.algorithms })),
    groupMappings: config.identity.groupMappings.length,
    workloadIssuers: config.identity.workloadIssuers.map((i) => ({ name: i.name, kind: i.kind, issuer: i.issuer, audience: i.audience })),
    aws: config.identity.aws.enabled ? { stsEndpoint: config.identity.aws.stsEndpoint, serverId: config.identity.aws.serverId ?? null } : false,
    devIssuer: config.identity.devIssuer.enabled,
    environments: config.environments.map((e) => ({ name: e.name, kind: e.kind, url: e.url, zone: e.zone, tier: e.tier, credentials: `${e.credentials.provider}/${e.credentials.secret}` })),
    policyFolder: config.policy.folder,
    // Where secrets come from and how Conductor signs in there; never a token or a secret ID.
    secretsProviders: config.secrets.providers.map((p) => ({
      name: p.name, type: p.type, ttlSeconds: p.ttlSeconds ?? null, maxStaleSeconds: p.maxStaleSeconds,
      ...(p.type === 'vault' ? { address: p.address, namespace: p.namespace ?? null, mount: p.mount, auth: p.auth.method } : {}),
      ...(p.type === 'aws' ? { region: p.region, endpoint: p.endpoint ?? null, versionStage: p.versionStage } : {}),
    })),
    // Webhook URLs stay out: a Slack incoming-webhook URL is itself a credential.
    notifications: config.notifications.webhooks.map((w) => ({ name: w.name, events: w.events, format: w.format, signed: w.secret !== undefined })),
    // Where lineage goes: each endpoint's origin (no path, query or user info), never its key.
    lineage: config.lineage.endpoints.map((e) => ({ name: e.name, destination: new URL(e.url).origin, environments: e.environments ?? null, authenticated: e.apiKey !== undefined })),
    // An unauthenticated metrics port is worth a line in the evidence.
    metrics: { enabled: config.metrics.enabled, port: config.metrics.port ?? null, host: config.metrics.host },
    // The collector's origin only (no path, query or user info) and the names of the export headers, never their values.
    tracing: config.tracing.enabled
      ? { enabled: true, collector: config.tracing.endpoint ? new URL(config.tracing.endpoint).origin : null, sampleRatio: config.tracing.sampleRatio, headers: Object.keys(config.tracing.headers) }
      : { enabled: false },
    // Where the audit trail is streamed: each sink's host or URL origin (no path, query or user info), never a token.
    auditSinks: config.audit.sinks.map((sink) => sink.type === 'syslog'
      ? { name: sink.name, type: sink.type, destination: `${sink.host}:${sink.port}`, tls: sink.tls.enabled }
      : { name: sink.name, type: sink.type, destination: new URL(sink.type === 'http' ? sink.url : sink.endpoint).origin, ...(sink.type === 'http' ? { format: sink.format } : {}) }),
  }
}
