export { createApprovals } from './approvals.ts'
export type { Approvals, ApprovalsDeps } from './approvals.ts'
export { canonicalJson, inputHash } from './input-hash.ts'
