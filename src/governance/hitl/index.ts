export { createHitl, paramsHash } from './hitl.ts'
export type { Hitl, HitlAnsweredView, HitlAnswerInput, HitlDeps, HitlInbox, HitlTarget, HitlTaskView } from './hitl.ts'
