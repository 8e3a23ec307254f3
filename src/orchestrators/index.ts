export { createOrchestrator } from './create-orchestrator.ts'
export type { OrchestratorDeps } from './create-orchestrator.ts'
export { createInMemoryOrchestrator } from './in-memory.ts'
export type { InMemoryDag, InMemoryOrchestrator, InMemoryOrchestratorOptions, OrchestratorMethod } from './in-memory.ts'
export type {
  DagInfo, DagParam, Orchestrator, OrchestratorHealth, RunInfo, TaskInstanceInfo, TaskLogChunk, TriggerRunInput,
} from './orchestrator.ts'
