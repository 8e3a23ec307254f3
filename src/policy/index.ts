export { createPolicyEngine } from './policy-engine.ts'
export type { PolicyEngineOptions, PolicyEngineStats } from './policy-engine.ts'
export { createPolicyWatcher } from './policy-watcher.ts'
export type { PolicyWatcher, PolicyWatcherDeps } from './policy-watcher.ts'
export { compilePolicies, readConductorSchema, readPolicyFolder } from './policy-source.ts'
export type { CompiledPolicy, CompiledPolicySet, PolicySource } from './policy-source.ts'
export { ACTION_TARGETS, ACTIONS, AIRFLOW_OBJECT_KINDS, GROUP_RESOURCE_ACTIONS } from './types.ts'
export type {
  ApprovalGroup, ApprovalRequestContext, ApprovalRequirement, Action, ActionTarget, AirflowObjectKind, AuthorizationRequest, DagRef, Decision, EnvironmentRef, PolicyEngine, PolicyErrorLocation,
  PolicyInfo, PolicySetInfo, PrincipalRef, ReloadResult, RequestContext, ResourceRef,
} from './types.ts'
