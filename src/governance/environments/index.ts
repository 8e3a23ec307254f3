export { createManagedEnvironments, refuseSecretValues } from './managed-environments.ts'
export type { ManagedEnvironments, ManagedEnvironmentsDeps, ManagedEnvironmentView } from './managed-environments.ts'
export type { StoredEnvironmentsTable, StoredEnvironmentTables } from './environments.tables.ts'
