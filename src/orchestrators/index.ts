export { createOrchestrator } from './create-orchestrator.ts'
export type { OrchestratorDeps } from './create-orchestrator.ts'
export type {
  DagInfo, Orchestrator, OrchestratorHealth, RunInfo, TaskInstanceInfo, TaskLogChunk, TriggerRunInput,
} from './orchestrator.ts'
