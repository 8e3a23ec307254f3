import { z } from 'zod'
import { name, secretRefSchema } from './common.schema.ts'

/** What every audit sink shares: its name, batching and retry. */
const sinkCommon = {
  name: name.describe('Names the sink in `conductor status`, metrics (`sink` label) and logs; its cursor is kept under this name.'),
  batchSize: z.number().int().min(1).max(1000).default(100).describe('Events sent per batch; the cursor moves after each accepted batch.'),
  timeoutSeconds: z.number().int().min(1).max(60).default(5).describe('How long one batch may take to be accepted.'),
  initialRetryDelaySeconds: z.number().int().min(1).max(3600).default(1).describe('The wait after a first failed batch; it doubles after each failure.'),
  maxRetryDelaySeconds: z.number().int().min(1).max(3600).default(60).describe('The longest wait between two attempts.'),
  startAt: z.enum(['beginning', 'now']).default('beginning')
    .describe('Where a new sink (no cursor yet) starts: `beginning` sends the whole stored trail, `now` only events appended from then on.'),
}

const syslogSinkSchema = z.strictObject({
  ...sinkCommon,
  type: z.literal('syslog'),
  host: z.string().min(1).describe('The syslog receiver\'s host name or address.'),
  port: z.number().int().min(1).max(65_535).default(6514),
  tls: z.strictObject({
    enabled: z.boolean().default(true),
    ca: secretRefSchema.optional().describe('The PEM certificate(s) of the CA that signed the receiver\'s certificate, as a secret reference.'),
    caFile: z.string().min(1).optional().describe('Or a PEM file with them. Without either, the system\'s trusted CAs.'),
    serverName: z.string().min(1).optional().describe('The name the receiver\'s certificate must carry; default `host`.'),
  }).refine((t) => t.ca === undefined || t.caFile === undefined, { message: 'give ca or caFile, not both', path: ['caFile'] })
    .prefault({}).describe('TLS to the receiver (on by default; set `enabled: false` only for a receiver on loopback or a trusted network).'),
  facility: z.number().int().min(0).max(23).default(13).describe('The syslog facility (13: log audit).'),
  appName: z.string().regex(/^[!-~]{1,48}$/, 'printable ASCII without spaces, at most 48').default('airflow-conductor'),
}).describe('RFC 5424 messages over TCP with octet-counting framing (RFC 6587), optionally TLS (RFC 5425).')

const httpSinkSchema = z.strictObject({
  ...sinkCommon,
  type: z.literal('http'),
  url: z.url({ protocol: /^https?$/ }).describe('Where each batch is POSTed. Any 2xx answer accepts it.'),
  format: z.enum(['jsonl', 'splunk-hec']).default('jsonl')
    .describe('`jsonl`: one audit event (JSON) per line. `splunk-hec`: one `{"time", "host", "source", "sourcetype", "event"}` per line, for a Splunk HTTP Event Collector (`…/services/collector/event`).'),
  token: secretRefSchema.optional()
    .describe('Sent as `Authorization: Bearer <token>` (`jsonl`) or `Authorization: Splunk <token>` (`splunk-hec`).'),
  source: z.string().min(1).max(200).default('airflow-conductor').describe('`splunk-hec` only: the `source` field.'),
  sourcetype: z.string().min(1).max(200).default('conductor:audit').describe('`splunk-hec` only: the `sourcetype` field.'),
  index: z.string().min(1).max(200).optional().describe('`splunk-hec` only: the `index` field, when set.'),
}).describe('JSON lines over HTTP(S), or a Splunk-HEC-compatible endpoint.')

const otlpSinkSchema = z.strictObject({
  ...sinkCommon,
  type: z.literal('otlp'),
  endpoint: z.url({ protocol: /^https?$/ }).describe('The collector\'s OTLP/HTTP logs URL, e.g. `http://127.0.0.1:4318/v1/logs` (JSON encoding).'),
  serviceName: z.string().min(1).max(200).default('airflow-conductor').describe('The `service.name` resource attribute.'),
  headers: z.record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/, 'an HTTP header name'), secretRefSchema).default({})
    .describe('Headers sent with each batch (e.g. `authorization`), each value a secret reference.'),
}).describe('OpenTelemetry log records over OTLP/HTTP (JSON).')

/** Audit streaming: where audit events are delivered, at least once and in order (docs/audit.md). */
export const auditSchema = z.strictObject({
  sinks: z.array(z.discriminatedUnion('type', [syslogSinkSchema, httpSinkSchema, otlpSinkSchema])).default([])
    .describe('Sinks every audit event is streamed to, from a durable cursor per sink, by the replica holding the `audit-stream` lease.'),
  streamIntervalSeconds: z.number().int().min(1).max(600).default(2)
    .describe('How often the sinks are sent the events appended since their cursor.'),
  checkpoints: z.strictObject({
    key: secretRefSchema.describe('The Ed25519 private key that signs checkpoints, PEM (PKCS #8) or JWK, as a secret reference. Its public half is published by `GET /api/v1/audit/checkpoints`.'),
    intervalSeconds: z.number().int().min(0).max(86_400 * 7).default(3600)
      .describe('How often the replica holding the `audit-checkpoints` lease signs the chain head (skipped when nothing was appended since); 0: only on demand.'),
  }).optional().describe('Signed audit checkpoints (docs/audit.md, Checkpoints); absent: none are taken.'),
  archive: z.strictObject({
    s3: z.strictObject({
      region: z.string().regex(/^[a-z0-9-]+$/).describe('The bucket\'s AWS region, e.g. `eu-west-1`.'),
      endpoint: z.url({ protocol: /^https?$/ }).optional().describe('An S3-compatible endpoint (MinIO, a VPC endpoint), addressed path-style; default: AWS S3, virtual-hosted.'),
      stsEndpoint: z.url({ protocol: /^https?$/ }).optional().describe('STS\'s endpoint for web identity (default `https://sts.<region>.amazonaws.com`).'),
      profile: z.string().min(1).max(200).optional().describe('The shared credentials file\'s profile (default `AWS_PROFILE` or `default`).'),
      timeoutMs: z.number().int().min(1000).max(600_000).default(60_000).describe('How long one upload or download may take.'),
    }).optional().describe('Where `conductor audit archive --to s3://BUCKET/KEY` writes (and `verify-archive s3://…` reads), with the standard AWS credential chain: '
      + 'AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, then AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN, then the shared credentials file.'),
  }).default({}).describe('Where audit archives may go besides a file (docs/audit.md, Archive and prune).'),
}).describe('Audit streaming to syslog, HTTP and OTLP sinks, signed checkpoints and archives (docs/audit.md).')
