import type { PipelineContext } from './context.ts'

/**
 * The approval step. Policy cannot yet mark an action as needing a second person, so every
 * allowed call proceeds; this is where a pending approval will stop a sensitive one.
 */
export async function approve<T>(_ctx: PipelineContext<T>): Promise<void> {}
