import { CONTROLS, type Control } from './controls.ts'
import { accessEvidence, privilegedAccessEvidence } from './access-evidence.ts'
import { accessChangesEvidence, approvalsEvidence, deniedAttemptsEvidence, reviewsEvidence, shadowActivityEvidence } from './activity-evidence.ts'
import { auditIntegrityEvidence, policyVersionsEvidence } from './change-evidence.ts'
import { deprovisioningEvidence } from './deprovisioning-evidence.ts'
import type { EvidenceContext, EvidenceKind, EvidenceSection } from './evidence-context.ts'

/** One control with the evidence Conductor holds for the period. */
export interface ControlReport extends Control {
  period: { from: string; to: string }
  sections: EvidenceSection[]
}

/** A compliance report: every control, each with its evidence. */
export interface ComplianceReport {
  period: { from: string; to: string }
  asOf: string
  controls: ControlReport[]
  /** Every evidence section once, by kind. */
  sections: Record<EvidenceKind, EvidenceSection>
}

const BUILDERS: Record<EvidenceKind, (ctx: EvidenceContext) => EvidenceSection | Promise<EvidenceSection>> = {
  access: accessEvidence,
  privileged_access: privilegedAccessEvidence,
  access_changes: accessChangesEvidence,
  deprovisioning: deprovisioningEvidence,
  approvals: approvalsEvidence,
  policy_versions: policyVersionsEvidence,
  denied_attempts: deniedAttemptsEvidence,
  shadow_activity: shadowActivityEvidence,
  reviews: reviewsEvidence,
  audit_integrity: auditIntegrityEvidence,
}

/** Builds every evidence section once and maps them to the controls. */
export async function buildComplianceReport(input: EvidenceContext): Promise<ComplianceReport> {
  // Access as of the moment is computed once, whichever sections read it.
  const computed = new Map<string, ReturnType<NonNullable<EvidenceContext['accessAsOf']>>>()
  const accessAsOf = input.accessAsOf
  const ctx: EvidenceContext = accessAsOf === null ? input : {
    ...input,
    accessAsOf: (at) => {
      if (!computed.has(at)) computed.set(at, accessAsOf(at))
      return computed.get(at)!
    },
  }
  const sections = {} as Record<EvidenceKind, EvidenceSection>
  for (const kind of Object.keys(BUILDERS) as EvidenceKind[]) sections[kind] = await BUILDERS[kind](ctx)
  const period = { from: ctx.from, to: ctx.to }
  return { period, asOf: ctx.asOf, sections, controls: CONTROLS.map((c) => ({ ...c, period, sections: c.evidence.map((k) => sections[k]) })) }
}
