import { z } from 'zod'
import { name, secretRefSchema } from './common.schema.ts'

const endpointSchema = z.strictObject({
  name: name.describe('Names the endpoint in logs, the lineage outbox and `lineage.failed` audit events.'),
  url: z.url({ protocol: /^https?$/ })
    .describe('Where each OpenLineage event is POSTed, the full URL (Marquez: `http://marquez:5000/api/v1/lineage`; DataHub: `https://datahub/openapi/openlineage/api/v1/lineage`).'),
  apiKey: secretRefSchema.optional().describe('Sent as `Authorization: Bearer <key>`, read from the secrets provider at each attempt (a rotated key is used at once).'),
  environments: z.array(name).min(1).optional()
    .describe('The environments whose lineage goes here (config or API defined, by name); absent: every environment.'),
})

const datasetTagsSchema = z.strictObject({
  dataset: z.string().min(1).max(1024)
    .describe('A dataset\'s `namespace/name` (e.g. `postgres://warehouse:5432/crm.customers`); `*` matches any run of characters (`s3://lake/pii/*`).'),
  tags: z.array(z.string().min(1).max(128)).min(1).max(64).describe('The tags the datasets it matches have (beside their events\' `tags` facet), e.g. `[pii]`.'),
})

/** OpenLineage: where Conductor's events and the events it receives from Airflow go (docs/lineage.md). */
export const lineageSchema = z.strictObject({
  endpoints: z.array(endpointSchema).default([])
    .describe('OpenLineage HTTP endpoints. An environment has lineage when at least one endpoint takes it (or `environments` names it): then its triggers carry `conf.openlineage` and Conductor emits its own run.'),
  environments: z.array(z.union([name, z.literal('*')])).optional()
    .describe('Environments that have lineage even when no endpoint takes them (`["*"]`: every environment): Conductor is the lineage parent of their runs and keeps its run and the events Airflow posts for the console and policy, sending them nowhere. For Conductor as the only lineage store, or before a backend is set up.'),
  deliveryIntervalSeconds: z.number().int().min(1).max(3600).default(5)
    .describe('How often the lineage outbox is looked at for due deliveries, and Conductor\'s open runs for their Airflow run\'s end, on the replica holding the `lineage-outbox` lease.'),
  initialRetryDelaySeconds: z.number().int().min(1).max(3600).default(1).describe('The wait after a first failed attempt; it doubles after each failure.'),
  maxRetryDelaySeconds: z.number().int().min(1).max(86_400).default(300).describe('The longest wait between two attempts.'),
  maxAttempts: z.number().int().min(1).max(1000).default(100)
    .describe('Attempts per event and endpoint, the first included; then it is given up, audited as `lineage.failed`, and the endpoint\'s next event goes.'),
  timeoutSeconds: z.number().int().min(1).max(60).default(5).describe('How long one attempt waits for the endpoint\'s answer.'),
  maxEventBytes: z.number().int().min(1024).max(8_388_608).default(262_144)
    .describe('The largest event `POST /api/v1/lineage` accepts (bytes of JSON); a larger one is refused with 413 and not stored.'),
  writesRefreshMs: z.number().int().min(100).max(60_000).default(1000)
    .describe('How often each replica reads the lineage other replicas stored, for what DAGs are known to write (`context.lineage`); this replica\'s own intake counts at once.'),
  retentionDays: z.number().int().min(1).max(36_500).optional()
    .describe('How long stored lineage is kept: events, their dataset rows and Conductor\'s ended runs older than this are deleted hourly (audited `lineage.pruned`), on the replica holding the `lineage-outbox` lease. What each DAG last wrote is kept, with its event and run, so policy\'s `context.lineage` and the dataset pages\' last writes stay. Absent: kept for ever.'),
  datasetTags: z.array(datasetTagsSchema).max(1000).default([])
    .describe('Tags for datasets by name, so a platform team can classify data without touching DAGs: a dataset\'s tags are its events\' `tags` facet and those of every entry matching it. Policy sees them as `context.lineage.writeTags` of `dag:trigger` and `dag:rerun`. A config reload applies them.'),
}).describe('OpenLineage (docs/lineage.md): Conductor\'s own run per trigger, the parent ids it passes to Airflow, and the intake of Airflow\'s events.')

/** What is wrong with the `lineage` settings beyond their shape, given the secrets providers (paths from the config's root). */
export function lineageIssues(lineage: z.output<typeof lineageSchema>, providers: ReadonlySet<string>): { path: (string | number)[]; message: string }[] {
  return lineage.endpoints.flatMap((endpoint, i) => endpoint.apiKey && !providers.has(endpoint.apiKey.provider)
    ? [{ path: ['lineage', 'endpoints', i, 'apiKey', 'provider'], message: `unknown secrets provider "${endpoint.apiKey.provider}"` }]
    : [])
}

/** The validated `lineage` settings. */
export type LineageConfig = z.output<typeof lineageSchema>
