export { createScimService } from './scim-service.ts'
export type { ScimService, ScimServiceDeps } from './scim-service.ts'
export type {
  ScimChange, ScimClaims, ScimEvents, ScimListQuery, ScimListResult, ScimReconciliation, ScimResult, ScimSearchQuery, ScimUserSummary,
} from './scim.types.ts'
export { createScimTokenStore } from './scim-tokens.ts'
export type { ScimTokenInfo, ScimTokenStore } from './scim-tokens.ts'
export type { ScimTables } from './scim.tables.ts'
export { parseAttrPath, parseFilter, parsePatchPath } from './filter.ts'
export type { AttrPath, Filter, PatchPath } from './filter.ts'
export { applyPatch, parsePatchRequest } from './patch.ts'
export type { PatchOperation } from './patch.ts'
export { GROUP_MODEL, USER_MODEL, normalizeResource, project } from './resource-model.ts'
export type { Projection, ResourceModel, ScimObject } from './resource-model.ts'
export { scimInvalid } from './errors.ts'
export type { ScimType } from './errors.ts'
export {
  DEFAULT_COUNT, ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, MAX_RESULTS, RESOURCE_TYPES, SCHEMAS, SCIM_URN, USER_SCHEMA, serviceProviderConfig,
} from './schemas.ts'
export type { AttributeDefinition, SchemaDefinition } from './schemas.ts'
