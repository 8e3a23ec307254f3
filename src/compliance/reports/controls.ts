import type { EvidenceKind } from './evidence-context.ts'

/** A control of a framework and the evidence kinds Conductor offers for it. */
export interface Control {
  id: string
  framework: 'SOC 2' | 'ISO/IEC 27001:2022'
  title: string
  evidence: EvidenceKind[]
}

/** The controls reports cover, in report order. */
export const CONTROLS: readonly Control[] = [
  { id: 'CC6.1', framework: 'SOC 2', title: 'Logical access security: access is restricted by policy', evidence: ['access', 'privileged_access', 'policy_versions', 'denied_attempts'] },
  { id: 'CC6.2', framework: 'SOC 2', title: 'Users are registered, authorized and removed', evidence: ['access_changes', 'approvals', 'deprovisioning'] },
  { id: 'CC6.3', framework: 'SOC 2', title: 'Access is granted, changed and removed by role, with least privilege', evidence: ['access_changes', 'deprovisioning', 'approvals', 'reviews'] },
  { id: 'CC7.2', framework: 'SOC 2', title: 'Anomalies and security events are monitored', evidence: ['denied_attempts', 'shadow_activity', 'audit_integrity'] },
  { id: 'CC8.1', framework: 'SOC 2', title: 'Changes are authorized, recorded and traceable', evidence: ['policy_versions'] },
  { id: 'A.5.15', framework: 'ISO/IEC 27001:2022', title: 'Access control', evidence: ['access', 'policy_versions', 'denied_attempts'] },
  { id: 'A.5.16', framework: 'ISO/IEC 27001:2022', title: 'Identity management', evidence: ['access_changes', 'deprovisioning'] },
  { id: 'A.5.17', framework: 'ISO/IEC 27001:2022', title: 'Authentication information', evidence: ['denied_attempts', 'deprovisioning'] },
  { id: 'A.5.18', framework: 'ISO/IEC 27001:2022', title: 'Access rights: provisioned, reviewed, removed', evidence: ['access_changes', 'approvals', 'reviews', 'deprovisioning'] },
  { id: 'A.8.2', framework: 'ISO/IEC 27001:2022', title: 'Privileged access rights', evidence: ['privileged_access', 'approvals'] },
  { id: 'A.8.15', framework: 'ISO/IEC 27001:2022', title: 'Logging', evidence: ['audit_integrity', 'shadow_activity'] },
]
