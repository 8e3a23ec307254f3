import { z } from 'zod'
import { name, secretRefSchema } from './common.schema.ts'
import { auditSchema } from './audit.schema.ts'
import { complianceSchema } from './compliance.schema.ts'
import { secretsSchema } from './secrets.schema.ts'

export { secretRefSchema }

const serverSchema = z.strictObject({
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(7700),
  publicUrl: z.url().optional().describe('The URL people and tools reach Conductor at; defaults to http://host:port.'),
  bodyLimitBytes: z.number().int().positive().default(1_048_576),
  trustProxy: z.boolean().default(false),
})

const databaseSchema = z.strictObject({
  url: z.string().default('sqlite:.data/conductor.db')
    .describe('`sqlite:<path>` (embedded default) or `postgres://…`. The DATABASE_URL environment variable overrides it.'),
})

function isRegExp(source: string): boolean {
  try { new RegExp(source); return true } catch { return false }
}

const claimMatchSchema = z.strictObject({
  claim: z.string().min(1).describe('A claim path, dots for nesting.'),
  equals: z.string().optional(),
  pattern: z.string().optional().describe('A regular expression the claim value must match.'),
}).refine((m) => m.pattern === undefined || isRegExp(m.pattern), { message: 'not a valid regular expression', path: ['pattern'] })

const issuerSchema = z.strictObject({
  name,
  issuer: z.url().describe('The `iss` value; OIDC discovery runs against `<issuer>/.well-known/openid-configuration`.'),
  audience: z.union([z.string(), z.array(z.string()).min(1)]).optional()
    .describe('Accepted `aud` values; defaults to `identity.audience`.'),
  jwksUri: z.url().optional().describe('Skips discovery when set.'),
  algorithms: z.array(z.enum(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA']))
    .min(1).default(['RS256', 'ES256'])
    .describe('Signature algorithms accepted. Symmetric algorithms and `none` are never accepted.'),
  subjectClaim: z.string().default('sub'),
  usernameClaim: z.string().default('preferred_username'),
  groupsClaim: z.string().default('groups')
    .describe('Claim path holding the groups: `groups` (Okta, Entra), `roles` (Entra app roles), `realm_access.roles` (Keycloak).'),
  serviceAccountWhen: claimMatchSchema.optional()
    .describe('A token matching this is a ServiceAccount principal; otherwise a User.'),
})

/** An issuer of workload identity tokens (CI jobs, Kubernetes pods, any OIDC workload) that may be exchanged at `/oauth/token`. */
const workloadIssuerSchema = z.strictObject({
  name,
  kind: z.enum(['github', 'kubernetes', 'oidc'])
    .describe('`github` (GitHub Actions, `https://token.actions.githubusercontent.com`), `kubernetes` (a cluster\'s service-account issuer), `oidc` (any other).'),
  issuer: z.url().describe('The exact `iss` value; OIDC discovery runs against `<issuer>/.well-known/openid-configuration` unless `jwksUri` is set.'),
  audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)])
    .describe('Required: the `aud` workload tokens must be minted for (e.g. Conductor\'s URL), so a token meant for another service is refused.'),
  jwksUri: z.url().optional().describe('Skips discovery when set (e.g. a cluster whose discovery is not reachable).'),
  algorithms: z.array(z.enum(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA']))
    .min(1).default(['RS256', 'ES256'])
    .describe('Signature algorithms accepted. Symmetric algorithms and `none` are never accepted.'),
})

/** AWS IAM sign-in: a caller proves its IAM role by a signed `sts:GetCallerIdentity` request that Conductor forwards to STS. */
const awsIdentitySchema = z.strictObject({
  enabled: z.boolean().default(false).describe('Accept signed `sts:GetCallerIdentity` requests at `/oauth/token` (issuer name `aws` in trust rules).'),
  stsEndpoint: z.url().default('https://sts.amazonaws.com/')
    .describe('The only STS URL a signed request may name and be forwarded to.'),
  region: z.string().regex(/^[a-z0-9-]+$/).default('us-east-1').describe('The region callers sign for.'),
  serverId: z.string().min(1).max(255).optional()
    .describe('The value callers must sign into the `X-Conductor-Server-Id` header, so a signed request made for another server is refused; default: the host of `server.publicUrl`.'),
}).describe('AWS IAM roles as workload identities (the pattern of Vault\'s AWS auth method).')

const groupMappingSchema = z.strictObject({
  from: z.string().min(1).describe('An IdP group name, or a regular expression when `pattern: true`.'),
  pattern: z.boolean().default(false),
  to: z.string().min(1).describe('The Conductor group; `$1`… refer to capture groups when `pattern: true`.'),
  issuer: name.optional().describe('Only apply to tokens from this issuer.'),
}).refine((m) => !m.pattern || isRegExp(m.from), { message: 'not a valid regular expression', path: ['from'] })

const devUserSchema = z.strictObject({
  username: name,
  name: z.string().optional(),
  email: z.string().optional(),
  groups: z.array(z.string()).default([]),
})

const devIssuerSchema = z.strictObject({
  enabled: z.boolean().default(false),
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(7701),
  users: z.array(devUserSchema).default([]),
}).describe('A built-in development OIDC issuer with demo users. Never enable it in production.')

const loginSchema = z.strictObject({
  issuer: name.optional().describe('The issuer (by name) people sign in with, in the console and the CLI; default: the development issuer when enabled, else the first issuer.'),
  webClientId: z.string().default('conductor-web').describe('OAuth client of the web console (authorization code + PKCE).'),
  webClientSecret: secretRefSchema.optional().describe('For a confidential web client; a public client with PKCE needs none.'),
  cliClientId: z.string().default('conductor-cli').describe('OAuth client of the CLI (device authorization grant, or loopback redirect).'),
  scopes: z.array(z.string()).default(['openid', 'profile', 'email', 'offline_access']),
  resource: z.string().optional().describe('RFC 8707 resource indicator to request access tokens for Conductor with, when the IdP needs one.'),
}).describe('How people sign in to the web console and the CLI.')

const sessionsSchema = z.strictObject({
  cookieName: z.string().regex(/^[A-Za-z0-9_-]+$/).default('conductor_session'),
  idleTimeoutMinutes: z.number().int().min(1).max(24 * 60).default(30),
  absoluteTimeoutHours: z.number().int().min(1).max(24 * 30).default(12),
  revalidateSeconds: z.number().int().min(0).max(86_400).default(60)
    .describe('How often a session re-checks the user with the IdP (refresh grant); 0 checks on every request.'),
}).describe('Web console sessions, kept server-side in the database.')

const scimSchema = z.strictObject({
  enabled: z.boolean().default(false).describe('Serve the SCIM 2.0 API at /scim/v2 for Okta, Entra ID and other IdPs to provision users and groups.'),
  groupsSource: z.enum(['token', 'scim']).default('token')
    .describe('`scim`: groups come from SCIM memberships and a user must be provisioned and active; token claims only identify the user. `token`: groups come from token claims, but a SCIM-deactivated or deleted user is still refused.'),
  matchBy: z.enum(['userName', 'externalId']).default('userName')
    .describe('How a signed-in principal is found in SCIM: its username claim against SCIM `userName`, or its subject against `externalId`.'),
  reconcileIntervalMinutes: z.number().int().min(0).default(60)
    .describe('How often to compare SCIM with what tokens claim and audit the drift (`scim.reconciliation`); 0 turns it off.'),
}).describe('SCIM 2.0 provisioning and deprovisioning.')

/** Conductor-signed per-person tokens for Airflow deployments that trust Conductor's JWKS (`[api_auth] trusted_jwks_url`). */
const airflowTokensSchema = z.strictObject({
  signingKeys: z.array(secretRefSchema).default([]).describe(
    'Private keys (PEM, PKCS#8 or SEC1/PKCS#1, or a private JWK as JSON; EC P-256 signs ES256, RSA signs RS256), one per secret. '
    + 'The first signs; all are published at `/.well-known/airflow-jwks.json`, so a new key can be added first and the old one removed a minute after it stops signing. '
    + 'Needed by environments whose `credentials.kind` is `conductor-identity`.',
  ),
  extraJwks: z.array(secretRefSchema).default([]).describe(
    'Public keys published beside Conductor\'s, each secret a JWK or a JWKS (`{"keys": [...]}`): the Airflow deployment\'s own token key '
    + '(from `[api_auth] jwt_private_key_path`, with `kid` = its `[api_auth] jwt_kid`), which Airflow needs in the same set once `trusted_jwks_url` is set.',
  ),
  lifetimeSeconds: z.number().int().min(5).max(60).default(60).describe('How long a per-person token is valid (at most 60 s); each call gets a fresh one.'),
}).describe('Per-person tokens for Airflow (credential kind `conductor-identity`).')

/** Conductor-issued bearer credentials: API tokens and exchanged tokens (docs/api-tokens.md). */
const tokensSchema = z.strictObject({
  maxApiTokenDays: z.number().int().min(1).max(3650).default(90)
    .describe('The longest life an API token may be given (`expiresInDays`); asking more is refused with `token_expiry_too_long`.'),
  exchangedTokenMinutes: z.number().int().min(1).max(60).default(15)
    .describe('How long a token obtained by token exchange (`/oauth/token`) lives.'),
}).describe('API tokens and exchanged tokens.')

const identitySchema = z.strictObject({
  audience: z.string().default('conductor'),
  clockSkewSeconds: z.number().int().min(0).max(300).default(30),
  maxTokenBytes: z.number().int().min(512).max(65_536).default(8192),
  jwksCacheSeconds: z.number().int().min(0).default(600),
  jwksCooldownSeconds: z.number().int().min(0).default(30)
    .describe('After a key set fetch, how long a token with an unknown `kid` must wait before it may trigger another fetch (key rotation vs. abuse).'),
  issuers: z.array(issuerSchema).default([]),
  workloadIssuers: z.array(workloadIssuerSchema).default([])
    .describe('Issuers of workload identity tokens exchanged for Conductor tokens at `/oauth/token` (names unique with `identity.issuers`; `aws` is reserved).'),
  aws: awsIdentitySchema.prefault({}),
  groupMappings: z.array(groupMappingSchema).default([]),
  devIssuer: devIssuerSchema.prefault({}),
  login: loginSchema.prefault({}),
  scim: scimSchema.prefault({}),
  airflowTokens: airflowTokensSchema.prefault({}),
  tokens: tokensSchema.prefault({}),
})

const policySchema = z.strictObject({
  folder: z.string().default('policies').describe('Folder of `*.cedar` files, relative to the config file.'),
  reloadIntervalSeconds: z.number().int().min(0).default(5).describe('How often to look for changed policy files; 0 turns reloading off.'),
})

/** How Conductor proves who it is to an orchestrator; see `src/orchestrators/credentials/`. */
export const CREDENTIAL_KINDS = ['basic', 'airflow-token', 'bearer', 'conductor-identity'] as const

/**
 * How the service-account half of `conductor-identity` reaches Airflow: a secret of one of the other kinds, or
 * `conductor-signed` (Conductor signs its own tokens, as `serviceAccount`, for an Airflow running the Conductor auth manager).
 */
export const SERVICE_ACCOUNT_CREDENTIAL_KINDS = ['basic', 'airflow-token', 'bearer', 'conductor-signed'] as const

/** An environment's credentials: a secret reference and how the secret is used. */
const environmentCredentialsSchema = z.strictObject({
  ...secretRefSchema.shape,
  kind: z.enum(CREDENTIAL_KINDS).optional().describe(
    'How the secret is used. `airflow-token` (default for airflow3): `{"username", "password"}` exchanged at Airflow 3\'s `POST /auth/token` for a JWT, refreshed before it expires. '
    + '`basic` (default for airflow2): `{"username", "password"}` sent as HTTP basic auth. '
    + '`bearer`: a static API token (e.g. an Astro deployment API token), the secret\'s whole value or JSON `{"token": …}`, re-read when Airflow refuses it. '
    + '`conductor-identity` (Airflow 3 trusting Conductor\'s JWKS): governed actions are sent as the person with a Conductor-signed token '
    + '(`identity.airflowTokens`); catalog sync and reads keep the service account, whose secret is this one, used as `serviceAccountKind` says.',
  ),
  serviceAccountKind: z.enum(SERVICE_ACCOUNT_CREDENTIAL_KINDS).optional()
    .describe('With `conductor-identity`: how the service account\'s secret is used (default: `airflow-token`). `conductor-signed`: no Airflow '
      + 'password at all; Conductor signs its own short-lived tokens as `serviceAccount` (for an Airflow running the Conductor auth manager, which '
      + 'asks Conductor\'s policy about it like anyone else: the demo policy lets it read DAGs, runs and logs).'),
  serviceAccount: z.string().min(1).max(250).optional()
    .describe('With `serviceAccountKind: conductor-signed`: Conductor\'s own name in Airflow (the tokens\' `sub`, a `ServiceAccount` in group `conductor-service`; default `conductor`).'),
  audience: z.string().min(1).optional()
    .describe('With `conductor-identity`: the `aud` of per-person tokens, Airflow\'s `[api_auth] jwt_audience` (default `apache-airflow`).'),
  role: z.string().min(1).optional().describe(
    'With `conductor-identity`: the `role` claim of per-person tokens, which Airflow\'s SimpleAuthManager reads '
    + '(default `USER`: may read everything and trigger, rerun and pause DAGs, no more); other auth managers may ignore it.',
  ),
}).describe('The secret Conductor reaches this Airflow with, and its kind. The value never appears in config.')

/**
 * How hard Conductor may press on one environment. Writes (trigger, rerun, pause) and reads (everything else) have
 * separate budgets, so a flood of reads never delays a trigger. The defaults keep a small Airflow (`airflow standalone`
 * on SQLite, as the demo's) healthy under a burst of 40 concurrent triggers; raise them for Airflow on PostgreSQL.
 */
const environmentLimitsSchema = z.strictObject({
  maxConcurrentWrites: z.number().int().min(1).max(1000).default(1).describe('Writes (trigger, rerun, pause) in flight at once.'),
  writesPerSecond: z.number().positive().max(10_000).default(1).describe('Writes started per second (a token bucket holding one second\'s worth).'),
  maxConcurrentReads: z.number().int().min(1).max(1000).default(4).describe('Reads in flight at once.'),
  readsPerSecond: z.number().positive().max(10_000).default(20).describe('Reads started per second.'),
  maxWaitMs: z.number().int().min(0).max(60_000).default(5_000)
    .describe('How long a call over the limit waits for its turn before it is refused with 429 `orchestrator_throttled`.'),
}).describe('Per-environment limits on calls to the orchestrator.')

/** When Conductor stops calling an environment that keeps failing, and when it tries again. */
const circuitBreakerSchema = z.strictObject({
  failureThreshold: z.number().int().min(1).max(1000).default(5)
    .describe('Consecutive unavailable failures (unreachable, timeout, 5xx) that open the circuit.'),
  openSeconds: z.number().int().min(1).max(3600).default(30)
    .describe('How long an open circuit refuses calls (503 `environment_circuit_open`) before one probe call is let through.'),
}).describe('Per-environment circuit breaker.')

/** One entry of `environments[]`; environments defined through the API are validated by it too. */
export const environmentSchema = z.strictObject({
  name,
  kind: z.enum(['airflow3', 'airflow2']).default('airflow3'),
  url: z.url().describe('Airflow\'s base URL, e.g. http://airflow.internal:8080'),
  publicUrl: z.url().optional()
    .describe('Airflow\'s URL as people\'s browsers reach it, where sign-in through Conductor returns to (`<publicUrl>/auth/callback`); default `url`.'),
  zone: z.string().default('default').describe('Compliance zone, e.g. `pci`, `eu`.'),
  tier: z.string().default('dev'),
  team: z.string().optional(),
  credentials: environmentCredentialsSchema,
  timeoutMs: z.number().int().positive().default(10_000),
  retries: z.number().int().min(0).max(10).default(2),
  limits: environmentLimitsSchema.prefault({}),
  circuitBreaker: circuitBreakerSchema.prefault({}),
  conductorAuthManager: z.boolean().optional()
    .describe('This Airflow runs the Conductor auth manager (integrations/airflow): what people Conductor knows do in its own UI and API was decided by Conductor\'s policy, so their runs enter the ledger and are audited as `airflow.run`, and their pauses, clears and marks are not shadow activity (default false).'),
  fullyGoverned: z.boolean().optional()
    .describe('Everything here should go through Conductor: any activity found behind its back (shadow activity) is `high` severity, not `warning`/`info` (default false).'),
})

const catalogSchema = z.strictObject({
  syncIntervalSeconds: z.number().int().min(0).default(60),
})

const shadowSchema = z.strictObject({
  conductorUsers: z.array(z.string().min(1)).default(['conductor'])
    .describe('The Airflow usernames Conductor\'s environment credentials use: their pauses, clears and marks in Airflow\'s event log are Conductor\'s own, not shadow activity.'),
  webhookUrl: z.url().optional()
    .describe('Each new shadow activity item is POSTed here as JSON (`{"type": "shadow.run", …}`), beside the sync, with 3 attempts; failures are logged.'),
}).describe('Shadow activity: what is done in the environments behind Conductor\'s back, found at each catalog sync.')

const webhookSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lowercase letters, digits, "-" and "_", starting with a letter or digit')
    .describe('Names the webhook in logs, the outbox and `notification.failed` audit events.'),
  url: z.url({ protocol: /^https?$/ }).describe('Where each notification is POSTed. Never logged or audited (a Slack incoming webhook URL is itself a credential).'),
  secret: secretRefSchema.optional()
    .describe('The signing secret: each request carries `Conductor-Timestamp` and `Conductor-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<body>">` (docs/notifications.md). Required for `format: json`.'),
  events: z.array(z.string().regex(/^[a-z0-9_.*-]+$/, 'event types and "*", e.g. "request.*"')).min(1)
    .describe('Globs of the event types sent here, e.g. `["request.*", "shadow.*"]`; `*` matches any characters.'),
  format: z.enum(['json', 'slack']).default('json')
    .describe('`json`: the versioned envelope `{"version": 1, "id", "type", "occurredAt", "data"}`. `slack`: a Slack-compatible message whose buttons are links to the console.'),
}).refine((w) => w.format !== 'json' || w.secret !== undefined, { message: 'a json webhook needs a signing secret', path: ['secret'] })

/** Outgoing webhook notifications, sent from a durable outbox. */
const notificationsSchema = z.strictObject({
  webhooks: z.array(webhookSchema).default([]),
  deliveryIntervalSeconds: z.number().int().min(1).max(3600).default(5)
    .describe('How often the outbox is looked at for due deliveries (a new notification is also sent at once).'),
  initialRetryDelaySeconds: z.number().int().min(1).max(3600).default(1).describe('The wait after a first failed attempt; it doubles after each failure.'),
  maxRetryDelaySeconds: z.number().int().min(1).max(86_400).default(300).describe('The longest wait between two attempts.'),
  maxAttempts: z.number().int().min(1).max(100).default(10)
    .describe('Attempts per notification, the first included; then it is given up and audited as `notification.failed`.'),
  timeoutSeconds: z.number().int().min(1).max(60).default(5).describe('How long one attempt waits for the receiver\'s answer.'),
}).describe('Outgoing webhook notifications (approvals, shadow activity), signed, retried with backoff from a durable outbox.')

const governanceSchema = z.strictObject({
  maxConfBytes: z.number().int().positive().max(1_048_576).default(65_536),
  idempotencyKeyHours: z.number().int().positive().max(720).default(24)
    .describe('How long an Idempotency-Key is remembered: a retry with it within this time replays the first answer; after it, the key is new again.'),
  maxConfDepth: z.number().int().positive().max(256).default(32).describe('How deeply a run\'s `conf` may nest objects and arrays; deeper is refused with `conf_invalid`.'),
  resolveIntervalSeconds: z.number().int().min(0).default(30)
    .describe('How often requests left unsettled by a stopped Conductor or a lost Airflow answer are resolved (also once at start); 0 resolves only at start.'),
  scheduleTickSeconds: z.number().int().min(0).max(60).default(10)
    .describe('How often owned schedules (docs/schedules.md) are checked for due firings, on the replica holding the `schedules` lease; a firing happens within this long after its time. 0 turns firing off.'),
  linkPollSeconds: z.number().int().min(0).max(600).default(15)
    .describe('How often cross-deployment links (docs/links.md) ask their source environments for newly succeeded runs, on the replica holding the `links` lease. 0 turns links off.'),
  environmentsPollSeconds: z.number().int().min(0).max(60).default(3)
    .describe('How often each replica looks for environments created, changed or deleted through the API (docs/environments.md) and puts them in force; 0 only at start and on its own changes.'),
  dispatchGraceSeconds: z.number().int().positive().default(120)
    .describe('How long an interrupted trigger\'s run may take to appear in Airflow before the request is failed with `dispatch_interrupted`; reruns and pauses are failed after it too.'),
  approvalHours: z.number().positive().max(720).default(24)
    .describe('How long a request waiting for approval stays pending; after it, it is `expired` and never runs.'),
  maxGrantHours: z.number().int().positive().max(720).default(8)
    .describe('The longest just-in-time grant, in whole hours: `POST /api/v1/grants` refuses more (docs/grants.md).'),
})

const replicasSchema = z.strictObject({
  id: z.string().min(1).max(200).optional()
    .describe('This replica\'s name in the `leases` table; default `<hostname>-<pid>`. Must differ between replicas on one database.'),
  leaseSeconds: z.number().int().min(3).max(600).default(15)
    .describe('How long a replica holds background work (catalog sync, dispatch resolution, the webhook outbox, SCIM reconciliation) without renewing it; another replica takes it over within this time (plus a third) after the holder dies.'),
}).describe('Several Conductor replicas on one PostgreSQL database (docs/deployment.md).')
const metricsSchema = z.strictObject({
  enabled: z.boolean().default(true)
    .describe('Serve Prometheus metrics: `GET /metrics` on the API port, for a bearer token whose principal policy allows `audit:read`.'),
  port: z.number().int().min(0).max(65_535).optional()
    .describe('Also serve `GET /metrics` without authentication on this separate port (0 picks a free one), bound to `metrics.host`.'),
  host: z.string().min(1).default('127.0.0.1')
    .describe('The address the separate metrics port binds to; keep it loopback or a network only Prometheus reaches (no authentication there).'),
}).describe('Prometheus metrics (docs/observability.md).')

const tracingSchema = z.strictObject({
  enabled: z.boolean().default(false)
    .describe('Export OpenTelemetry traces: a span per API request, per governance pipeline step and per Airflow call. Off, nothing of OpenTelemetry is loaded.'),
  endpoint: z.url({ protocol: /^https?$/ }).optional()
    .describe('The collector\'s OTLP/HTTP traces URL, e.g. `http://127.0.0.1:4318/v1/traces`. Required when enabled.'),
  serviceName: z.string().min(1).max(200).default('airflow-conductor').describe('The `service.name` resource attribute of every span.'),
  sampleRatio: z.number().min(0).max(1).default(1)
    .describe('The share of new traces recorded (0..1); a request carrying a `traceparent` follows its caller\'s sampling decision.'),
  headers: z.record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/, 'an HTTP header name'), secretRefSchema).default({})
    .describe('Headers sent with each export (e.g. `authorization` for a hosted collector), each value a secret reference, read at start-up.'),
  exportTimeoutSeconds: z.number().int().min(1).max(60).default(5)
    .describe('How long one export, and the flush at shutdown, may take; spans that cannot be sent are dropped, never retried forever.'),
}).refine((t) => !t.enabled || t.endpoint !== undefined, { message: 'tracing.enabled needs an endpoint', path: ['endpoint'] })
  .describe('OpenTelemetry traces over OTLP/HTTP (docs/observability.md).')

const loggingSchema = z.strictObject({
  level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
})

/** The schema of `conductor.yaml`. */
export const configSchema = z.strictObject({
  server: serverSchema.prefault({}),
  database: databaseSchema.prefault({}),
  identity: identitySchema.prefault({}),
  policy: policySchema.prefault({}),
  secrets: secretsSchema.prefault({}),
  environments: z.array(environmentSchema).default([]),
  catalog: catalogSchema.prefault({}),
  shadow: shadowSchema.prefault({}),
  governance: governanceSchema.prefault({}),
  notifications: notificationsSchema.prefault({}),
  logging: loggingSchema.prefault({}),
  metrics: metricsSchema.prefault({}),
  tracing: tracingSchema.prefault({}),
  sessions: sessionsSchema.prefault({}),
  replicas: replicasSchema.prefault({}),
  audit: auditSchema.prefault({}),
  compliance: complianceSchema.prefault({}),
}).superRefine((config, ctx) => {
  const providers = new Set(config.secrets.providers.map((p) => p.name))
  config.environments.forEach((env, i) => {
    for (const issue of environmentIssues(env, { providers, signingKeys: config.identity.airflowTokens.signingKeys.length })) {
      ctx.addIssue({ code: 'custom', path: ['environments', i, ...issue.path], message: issue.message })
    }
  })
  config.secrets.providers.forEach((provider, i) => {
    if (provider.type !== 'vault' || provider.auth.method !== 'approle') return
    const secretId = provider.auth.secretId
    const from = config.secrets.providers.find((p) => p.name === secretId.provider)
    if (!from || from.type !== 'file') {
      ctx.addIssue({ code: 'custom', path: ['secrets', 'providers', i, 'auth', 'secretId', 'provider'], message: `the AppRole secret ID must come from a file provider; "${secretId.provider}" is not one` })
    }
  })
  config.notifications.webhooks.forEach((webhook, i) => {
    if (webhook.secret && !providers.has(webhook.secret.provider)) {
      ctx.addIssue({ code: 'custom', path: ['notifications', 'webhooks', i, 'secret', 'provider'], message: `unknown secrets provider "${webhook.secret.provider}"` })
    }
  })
  config.audit.sinks.forEach((sink, i) => {
    const refs: [(string | number)[], { provider: string }][] = []
    if (sink.type === 'syslog' && sink.tls.ca) refs.push([['tls', 'ca'], sink.tls.ca])
    if (sink.type === 'http' && sink.token) refs.push([['token'], sink.token])
    if (sink.type === 'otlp') for (const [header, ref] of Object.entries(sink.headers)) refs.push([['headers', header], ref])
    for (const [path, ref] of refs) {
      if (!providers.has(ref.provider)) ctx.addIssue({ code: 'custom', path: ['audit', 'sinks', i, ...path, 'provider'], message: `unknown secrets provider "${ref.provider}"` })
    }
  })
  if (config.audit.checkpoints && !providers.has(config.audit.checkpoints.key.provider)) {
    ctx.addIssue({ code: 'custom', path: ['audit', 'checkpoints', 'key', 'provider'], message: `unknown secrets provider "${config.audit.checkpoints.key.provider}"` })
  }
  for (const [header, ref] of Object.entries(config.tracing.headers)) {
    if (!providers.has(ref.provider)) ctx.addIssue({ code: 'custom', path: ['tracing', 'headers', header, 'provider'], message: `unknown secrets provider "${ref.provider}"` })
  }
  for (const list of ['signingKeys', 'extraJwks'] as const) {
    config.identity.airflowTokens[list].forEach((ref, i) => {
      if (!providers.has(ref.provider)) ctx.addIssue({ code: 'custom', path: ['identity', 'airflowTokens', list, i, 'provider'], message: `unknown secrets provider "${ref.provider}"` })
    })
  }
  const issuerNames = new Set(config.identity.issuers.map((issuer) => issuer.name))
  const workloadNames = new Set<string>()
  config.identity.workloadIssuers.forEach((issuer, i) => {
    if (issuer.name === 'aws') {
      ctx.addIssue({ code: 'custom', path: ['identity', 'workloadIssuers', i, 'name'], message: '"aws" is reserved for AWS IAM sign-in (identity.aws)' })
    } else if (issuerNames.has(issuer.name) || workloadNames.has(issuer.name)) {
      ctx.addIssue({ code: 'custom', path: ['identity', 'workloadIssuers', i, 'name'], message: `duplicate issuer name "${issuer.name}" (names are unique across identity.issuers and identity.workloadIssuers)` })
    }
    workloadNames.add(issuer.name)
  })
  config.identity.issuers.forEach((issuer, i) => {
    if (issuer.name === 'aws') ctx.addIssue({ code: 'custom', path: ['identity', 'issuers', i, 'name'], message: '"aws" is reserved for AWS IAM sign-in (identity.aws)' })
  })
  for (const [key, items] of [['environments', config.environments], ['identity.issuers', config.identity.issuers], ['secrets.providers', config.secrets.providers], ['notifications.webhooks', config.notifications.webhooks], ['audit.sinks', config.audit.sinks]] as const) {
    const seen = new Set<string>()
    items.forEach((item, i) => {
      if (seen.has(item.name)) ctx.addIssue({ code: 'custom', path: [...key.split('.'), i, 'name'], message: `duplicate name "${item.name}"` })
      seen.add(item.name)
    })
  }
})

/** What is wrong with one environment beyond its own shape, given the running secrets providers and signing keys (paths relative to it). */
export function environmentIssues(env: z.output<typeof environmentSchema>, known: { providers: ReadonlySet<string>; signingKeys: number }): { path: string[]; message: string }[] {
  const issues: { path: string[]; message: string }[] = []
  if (!known.providers.has(env.credentials.provider)) issues.push({ path: ['credentials', 'provider'], message: `unknown secrets provider "${env.credentials.provider}"` })
  if (env.credentials.kind === 'airflow-token' && env.kind !== 'airflow3') {
    issues.push({ path: ['credentials', 'kind'], message: `"airflow-token" needs an Airflow 3 environment (kind: airflow3); use "basic" or "bearer" for ${env.kind}` })
  }
  if (env.credentials.kind === 'conductor-identity') {
    if (env.kind !== 'airflow3') issues.push({ path: ['credentials', 'kind'], message: `"conductor-identity" needs an Airflow 3 environment (kind: airflow3) trusting Conductor's JWKS` })
    if (known.signingKeys === 0) issues.push({ path: ['credentials', 'kind'], message: '"conductor-identity" needs a signing key in identity.airflowTokens.signingKeys' })
  } else if (env.credentials.serviceAccountKind !== undefined) {
    issues.push({ path: ['credentials', 'serviceAccountKind'], message: 'serviceAccountKind applies only to kind "conductor-identity"' })
  }
  return issues
}

/** The validated, frozen configuration. Paths inside it are absolute. */
export type Config = z.output<typeof configSchema>
export type EnvironmentConfig = Config['environments'][number]
export type IssuerConfig = Config['identity']['issuers'][number]
export type IdentityConfig = Config['identity']
export type GroupMappingConfig = Config['identity']['groupMappings'][number]
export type DevIssuerConfig = Config['identity']['devIssuer']
export type SecretRef = z.output<typeof secretRefSchema>
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number]
export type SecretProviderConfig = Config['secrets']['providers'][number]
export type VaultProviderConfig = Extract<SecretProviderConfig, { type: 'vault' }>
export type AwsProviderConfig = Extract<SecretProviderConfig, { type: 'aws' }>
export type LoginConfig = Config['identity']['login']
export type SessionsConfig = Config['sessions']
export type ScimConfig = Config['identity']['scim']
export type AirflowTokensConfig = Config['identity']['airflowTokens']
export type WorkloadIssuerConfig = Config['identity']['workloadIssuers'][number]
export type AwsIdentityConfig = Config['identity']['aws']
export type TokensConfig = Config['identity']['tokens']
export type NotificationsConfig = Config['notifications']
export type MetricsConfig = Config['metrics']
export type TracingConfig = Config['tracing']
export type AuditStreamConfig = Config['audit']
export type AuditSinkConfig = Config['audit']['sinks'][number]
