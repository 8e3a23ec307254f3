export { computeAccess, principalsSeen } from './access/index.ts'
export type { AccessClass, AccessEntry, AccessInput, AccessMatrix, AccessPrincipal, DirectoryLookup } from './access/index.ts'
