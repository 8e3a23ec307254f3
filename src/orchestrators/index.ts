export { createOrchestrator } from './create-orchestrator.ts'
export type { OrchestratorDeps } from './create-orchestrator.ts'
export type {
  DagInfo, DagParam, Orchestrator, OrchestratorHealth, RunInfo, TaskInstanceInfo, TaskLogChunk, TriggerRunInput,
} from './orchestrator.ts'
