import { createHash } from 'node:crypto'
import type { AuditLog } from '../../audit/index.ts'
import type { EnvironmentConfig } from '../../config/index.ts'
import { ConductorError, isConductorError } from '../../core/index.ts'
import type { Principal } from '../../identity/index.ts'
import type { HitlRef, HitlResponse, HitlTask, HitlUser, Orchestrator } from '../../orchestrators/index.ts'
import type { Decision, PolicyEngine } from '../../policy/index.ts'
import { canonicalJson } from '../approvals/input-hash.ts'
import { withoutWaiting } from '../approvals/without-waiting.ts'
import type { CallMeta } from '../governed-actions.ts'
import type { CatalogDagsTable } from '../governance.tables.ts'
import { authorizationRequest, type Targets } from '../targets.ts'

/** A human-in-the-loop task waiting in one environment, as the inbox shows it. */
export interface HitlTaskView {
  environment: string
  dagId: string
  runId: string
  taskId: string
  /** -1 for unmapped tasks. */
  mapIndex: number
  subject: string
  /** Markdown; null when the task gives none. */
  body: string | null
  options: string[]
  /** Whether more than one option may be chosen. */
  multiple: boolean
  /** Form fields to fill in, by name: `{ value, schema, description }` as DAG params. */
  params: Record<string, unknown>
  /** The options Airflow takes when the task times out; null when none. */
  defaults: string[] | null
  /** ISO 8601: when the task began waiting. */
  createdAt: string
  /** The ids of the only users Airflow lets answer; empty when anyone policy allows may. */
  assignedUsers: string[]
}

/** A task once answered: who answered it in Conductor, and what they chose. */
export interface HitlAnsweredView extends HitlTaskView {
  /** The principal who answered (Conductor's id). */
  respondedBy: string
  chosenOptions: string[]
}

/** Where a task is, in Conductor's words. */
export interface HitlTarget extends HitlRef {
  environment: string
}

/** An answer as a caller sends it. */
export interface HitlAnswerInput {
  /** At least one; each one of the task's options; exactly one unless the task allows several. */
  chosenOptions: string[]
  /** Values of the task's params (Airflow wants all of them or none). */
  params?: Record<string, unknown>
}

/** The inbox: what waits for the caller, and the environments that could not be asked. */
export interface HitlInbox {
  tasks: HitlTaskView[]
  /** Environments that did not answer (unreachable, circuit open, …): their tasks are missing from `tasks`. */
  unavailable: { environment: string; code: string }[]
}

/**
 * Airflow's own human-in-the-loop tasks (Airflow 3.1+ `HITLOperator`, `ApprovalOperator`, …) in Conductor's inbox.
 * Who may answer a task: policy permits `hitl:respond` on its DAG (a permit that asks for approval does not count:
 * an answer cannot wait for one) and, when the task names assigned users, the caller is one of them (by principal id
 * or username: what the environment's auth manager records as a user id). Answers are sent as the person where the
 * environment's credentials can speak for one (`conductor-identity`), else as Conductor's service account; either way
 * they are audited as `hitl.responded`, Conductor's refusals as `hitl.refused`, Airflow's refusals and failures as `hitl.failed`.
 */
export interface Hitl {
  /** The waiting tasks of every environment the caller may answer, oldest first; each environment asked at once. */
  list(principal: Principal): Promise<HitlInbox>
  /**
   * Answers one task. `environment_not_found`, `dag_not_found`, `hitl_not_found` (404); `policy_denied`,
   * `hitl_not_assigned` (403); `invalid_input` with `details.field` for options that are not the task's (400);
   * `hitl_already_answered` (409); `hitl_not_supported` on Airflow 2.
   */
  respond(principal: Principal, target: HitlTarget, answer: HitlAnswerInput, meta?: CallMeta): Promise<HitlAnsweredView>
}

/** Dependencies of {@link createHitl}. */
export interface HitlDeps {
  policy: Pick<PolicyEngine, 'authorize'>
  audit: Pick<AuditLog, 'append'>
  targets: Pick<Targets, 'environments' | 'environmentOf' | 'dagOf'>
}

const ACTION = 'hitl:respond'

/** Creates the human-in-the-loop inbox over the environments' orchestrators. */
export function createHitl(deps: HitlDeps): Hitl {
  const { policy, audit, targets } = deps

  const decide = (principal: Principal, env: EnvironmentConfig, dag: CatalogDagsTable): Decision =>
    withoutWaiting(policy.authorize(authorizationRequest(principal, ACTION, env, dag)), 'a human-in-the-loop answer')

  /** Whether the task leaves the answer to the caller as far as Airflow's assigned users go. */
  const assignedTo = (principal: Principal, users: readonly HitlUser[]) =>
    users.length === 0 || users.some((u) => u.id === principal.id || u.id === principal.username)

  async function waitingIn(principal: Principal, env: EnvironmentConfig, orchestrator: Orchestrator): Promise<HitlTaskView[]> {
    const tasks = await orchestrator.listHitl()
    const dags = new Map<string, Promise<CatalogDagsTable | null>>()
    const dagOf = (dagId: string) => dags.get(dagId) ?? dags.set(dagId, targets.dagOf(env.name, dagId).catch(() => null)).get(dagId)!
    const out: HitlTaskView[] = []
    for (const task of tasks) {
      const dag = await dagOf(task.dagId)
      if (!dag || !assignedTo(principal, task.assignedUsers)) continue
      if (decide(principal, env, dag).decision === 'allow') out.push(view(env.name, task))
    }
    return out
  }

  return {
    async list(principal) {
      const environments = [...targets.environments.values()]
      const answers = await Promise.allSettled(environments.map((env) => waitingIn(principal, env, targets.environmentOf(env.name).orchestrator)))
      const tasks: HitlTaskView[] = []
      const unavailable: HitlInbox['unavailable'] = []
      answers.forEach((answer, i) => {
        if (answer.status === 'fulfilled') tasks.push(...answer.value)
        else if (!isConductorError(answer.reason, 'hitl_not_supported')) {
          unavailable.push({ environment: environments[i]!.name, code: isConductorError(answer.reason) ? answer.reason.code : 'internal' })
        }
      })
      tasks.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.environment.localeCompare(b.environment))
      return { tasks, unavailable }
    },

    async respond(principal, target, answer, meta) {
      const { env, orchestrator } = targets.environmentOf(target.environment)
      const dag = await targets.dagOf(env.name, target.dagId)
      const ref: HitlRef = { dagId: target.dagId, runId: target.runId, taskId: target.taskId, mapIndex: target.mapIndex }
      const decision = decide(principal, env, dag)
      const where = { principal: principal.id, principalType: principal.type, environment: env.name, dag: target.dagId, action: ACTION }
      const refused = async (code: string, reasons: string[]) => audit.append({
        ...where, type: 'hitl.refused', decision: 'deny', policyIds: decision.policyIds,
        data: { ...ref, code, reasons, httpRequestId: meta?.httpRequestId ?? null },
      })
      if (decision.decision !== 'allow') {
        await refused('policy_denied', decision.reasons)
        throw new ConductorError('policy_denied', `${principal.type} ${principal.id} may not ${ACTION} on ${env.name}/${target.dagId}: ${decision.reasons.join('; ')}`, {
          details: { action: ACTION, reasons: decision.reasons, policyIds: decision.policyIds },
        })
      }
      const task = await orchestrator.getHitl(ref)
      if (task.answered) {
        throw new ConductorError('hitl_already_answered', `The human-in-the-loop task "${ref.taskId}" of run "${ref.runId}" was already answered${task.respondedBy ? ` by ${task.respondedBy.name}` : ''}`, {
          details: { environment: env.name, ...ref },
        })
      }
      if (!assignedTo(principal, task.assignedUsers)) {
        const assignedUsers = task.assignedUsers.map((u) => u.id)
        await refused('hitl_not_assigned', [`the task is assigned to ${assignedUsers.join(', ')}`])
        throw new ConductorError('hitl_not_assigned', `Only ${assignedUsers.join(', ')} may answer the human-in-the-loop task "${ref.taskId}" of run "${ref.runId}"`, {
          details: { environment: env.name, ...ref, assignedUsers },
        })
      }
      checkAnswer(task, answer)
      const asPerson = orchestrator.as?.(principal)
      let response: HitlResponse
      try {
        response = await (asPerson ?? orchestrator).respondHitl(ref, { chosenOptions: answer.chosenOptions, ...(answer.params ? { paramsInput: answer.params } : {}) })
      } catch (error) {
        // Airflow's own refusals (its assigned-users check, an answer that beat this one) and failures are on record too.
        await audit.append({
          ...where, type: 'hitl.failed', decision: 'allow', policyIds: decision.policyIds,
          data: { ...ref, code: isConductorError(error) ? error.code : 'internal', asPerson: asPerson !== undefined, httpRequestId: meta?.httpRequestId ?? null },
        })
        throw error
      }
      await audit.append({
        ...where, type: 'hitl.responded', decision: 'allow', policyIds: decision.policyIds,
        data: {
          ...ref, subject: task.subject, chosenOptions: response.chosenOptions,
          // Params may carry anything a person typed: only their names and a hash of the values are kept.
          params: answer.params ? { names: Object.keys(answer.params).sort(), sha256: paramsHash(answer.params) } : null,
          airflowUser: response.respondedBy.name, asPerson: asPerson !== undefined, respondedAt: response.respondedAt, httpRequestId: meta?.httpRequestId ?? null,
        },
      })
      return { ...view(env.name, task), respondedBy: principal.id, chosenOptions: response.chosenOptions }
    },
  }
}

/** The task in the inbox's shape. */
export function view(environment: string, task: HitlTask): HitlTaskView {
  return {
    environment, dagId: task.dagId, runId: task.runId, taskId: task.taskId, mapIndex: task.mapIndex, subject: task.subject, body: task.body,
    options: task.options, multiple: task.multiple, params: task.params, defaults: task.defaults, createdAt: task.createdAt,
    assignedUsers: task.assignedUsers.map((u) => u.id),
  }
}

/** SHA-256 (hex) of params input in canonical JSON: proves what was sent without keeping it. */
export function paramsHash(params: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(params)).digest('hex')
}

/**
 * Refuses, before anything is sent, options that are not the task's or several for a task that takes one, and params
 * that are not exactly the task's (Airflow stores any, then fails the task when it resumes).
 */
function checkAnswer(task: HitlTask, answer: HitlAnswerInput): void {
  const chosen = answer.chosenOptions
  const unknown = chosen.filter((o) => !task.options.includes(o))
  if (chosen.length === 0 || unknown.length > 0) {
    throw new ConductorError('invalid_input', `chosenOptions: ${chosen.length === 0 ? 'choose at least one option' : `${unknown.map((o) => JSON.stringify(o)).join(', ')} is not an option`}; the options are ${task.options.map((o) => JSON.stringify(o)).join(', ')}`, {
      details: { field: 'chosenOptions', options: task.options },
    })
  }
  if (!task.multiple && chosen.length > 1) {
    throw new ConductorError('invalid_input', 'chosenOptions: this task takes exactly one option', { details: { field: 'chosenOptions', options: task.options } })
  }
  if (new Set(chosen).size !== chosen.length) {
    throw new ConductorError('invalid_input', 'chosenOptions: an option is chosen twice', { details: { field: 'chosenOptions', options: task.options } })
  }
  if (answer.params === undefined) return
  const expected = Object.keys(task.params).sort()
  const given = Object.keys(answer.params).sort()
  if (canonicalJson(expected) !== canonicalJson(given)) {
    const field = given.find((name) => !expected.includes(name))
    throw new ConductorError('invalid_input', `params: give every param of the task or none; its params are ${expected.length ? expected.join(', ') : 'none'}`, {
      details: { field: field ? `params.${field}` : 'params', params: expected },
    })
  }
}
