export { createLineage, LINEAGE_LEASE } from './lineage.ts'
export type { Lineage, LineageDeps } from './lineage.ts'
export type { LineageStartedBy, LineageTask, RequestLineage } from './request-lineage.ts'
export type { DatasetDetail, DatasetList, DatasetPerson, DatasetSummary, DatasetUse } from './datasets.ts'
export type { ReceivedEvent } from './intake.ts'
export { parseRunEvent, enriched } from './intake.ts'
export {
  CONDUCTOR_FACET_KEY, CONDUCTOR_FACET_SCHEMA_URL, CONDUCTOR_NAMESPACE, CONDUCTOR_PRODUCER, conductorFacet, conductorJobName, openLineageConf, parentRunId, withOpenLineageConf,
} from './identity-facet.ts'
export type { ConductorFacet, OpenLineageConf } from './identity-facet.ts'
export { EVENT_TYPES, OPENLINEAGE_SPEC, RUN_EVENT_SCHEMA_URL, runEventSchema } from './openlineage.ts'
export type { RunEvent } from './openlineage.ts'
export type { LineageTables } from './lineage.tables.ts'
