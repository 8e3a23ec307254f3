export { createOrchestrator } from './create-orchestrator.ts'
export { guardOrchestrator } from './guarded-orchestrator.ts'
export type { GuardSettings } from './guarded-orchestrator.ts'
export type { OrchestratorDeps } from './create-orchestrator.ts'
export { createInMemoryOrchestrator } from './in-memory.ts'
export { AIRFLOW_OBJECTS } from './orchestrator.ts'
export type { InMemoryDag, InMemoryOrchestrator, InMemoryOrchestratorOptions, OrchestratorMethod } from './in-memory.ts'
export type {
  Actor, ActorTokenSigner, AirflowObject, AirflowObjectKind, AssetEventInfo, ClearOptions, ClearResult, DagInfo, DagParam, EventLogEntry, HitlAnswer, HitlRef, HitlResponse, HitlTask, HitlUser, LaneCounters, Orchestrator, OrchestratorHealth, ProtectionStatus, RunInfo, RunSince, SinceOptions, TaskInstanceInfo, TaskLogChunk, TriggerRunInput,
} from './orchestrator.ts'
