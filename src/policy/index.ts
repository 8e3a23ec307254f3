export { createPolicyEngine } from './policy-engine.ts'
export { decisionInputsOf, noPermitReason } from './decision-cache.ts'
export type { PolicyEngineOptions, PolicyEngineStats } from './policy-engine.ts'
export { createPolicyWatcher } from './policy-watcher.ts'
export type { PolicyWatcher, PolicyWatcherDeps } from './policy-watcher.ts'
export { principalRef } from './principal-ref.ts'
export type { PrincipalLike } from './principal-ref.ts'
export { compilePolicies, hashSources, readConductorSchema, readPolicyFolder } from './policy-source.ts'
export type { CompiledPolicy, CompiledPolicySet, PolicySource } from './policy-source.ts'
export { ACTION_TARGETS, ACTIONS, AIRFLOW_OBJECT_KINDS, ENVIRONMENT_FALLBACK_ACTIONS, GROUP_RESOURCE_ACTIONS } from './types.ts'
export type {
  ApprovalEscalation, ApprovalGroup, DecisionCacheStats, DecisionInputs, ApprovalRequestContext, ApprovalRequirement, Action, ActionTarget, AirflowObjectKind, AuthorizationRequest, DagRef, Decision, EnvironmentContext, EnvironmentRef, PolicyEngine, PolicyErrorLocation,
  CredentialScopeRef, PolicyInfo, PolicySetInfo, PrincipalKind, PrincipalRef, ReloadResult, RequestContext, ResourceRef, ScheduleContext, ServiceAccountContext,
} from './types.ts'
export { caseRequest, parsePolicyCases, readPolicyCases, runPolicyCases } from './policy-cases.ts'
export type { PolicyCase, PolicyCaseFile, PolicyCaseResult } from './policy-cases.ts'
export { dagLineage, LINEAGE_ACTIONS, lineageKey, NO_LINEAGE } from './lineage-context.ts'
export type { DagLineage, LineageSource } from './lineage-context.ts'
