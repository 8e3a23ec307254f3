export { computeAccess } from './access-matrix.ts'
export type { AccessClass, AccessEntry, AccessInput, AccessMatrix } from './access-matrix.ts'
export { principalsSeen } from '../../governance/index.ts'
export type { AccessPrincipal, DirectoryLookup } from '../../governance/index.ts'
