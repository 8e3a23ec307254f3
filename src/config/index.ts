export { configJsonSchema, loadConfig, parseConfig } from './load-config.ts'
export { configSummary } from './config-summary.ts'
export { secretReferences } from './secret-references.ts'
export type { SecretReferenceUse } from './secret-references.ts'
export type { ConfigOverrides } from './load-config.ts'
export { configSchema, CREDENTIAL_KINDS, environmentIssues, environmentSchema, secretRefSchema } from './config.schema.ts'
export type {
  AirflowTokensConfig, AwsIdentityConfig, Config, CredentialKind, DevIssuerConfig, EnvironmentConfig, GroupMappingConfig, IdentityConfig, IssuerConfig, LoginConfig, MetricsConfig, NotificationsConfig,
  ScimConfig, SessionsConfig, SecretProviderConfig, SecretRef, TokensConfig, TracingConfig, AuditStreamConfig, AuditSinkConfig, WorkloadIssuerConfig, VaultProviderConfig, AwsProviderConfig,
} from './config.schema.ts'
export type { LineageConfig } from './lineage.schema.ts'
