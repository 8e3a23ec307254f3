import { ConductorError } from '../core/index.ts'
import type { Principal } from '../identity/index.ts'
import type { RequestsTable } from './governance.tables.ts'

/** The longest note Airflow keeps on a run. */
const AIRFLOW_NOTE_LIMIT = 1000

/** What a caller may give when triggering a DAG. */
export interface TriggerInput {
  conf?: unknown
  logicalDate?: string | null
  note?: string
  reason?: string
}

/** How large a run's `conf` may be. */
export interface ConfLimits {
  /** Bytes of JSON (`governance.maxConfBytes`). */
  maxBytes: number
  /** Levels of nested objects and arrays, the conf itself being level 1 (`governance.maxConfDepth`). */
  maxDepth: number
}

/**
 * Validates a run's `conf`: a JSON object nested at most `maxDepth` levels and no larger than `maxBytes` once
 * serialized (absent or null is `{}`). The depth is measured without recursion, so no nesting can overflow the stack.
 * @throws ConductorError `conf_invalid` for anything but an object or past the depth (with `depth` and `limit`),
 * `conf_too_large` (with `size` and `limit`) past the size.
 */
export function checkConf(conf: unknown, limits: ConfLimits): Record<string, unknown> {
  if (conf === undefined || conf === null) return {}
  if (typeof conf !== 'object' || Array.isArray(conf)) {
    throw new ConductorError('conf_invalid', 'conf must be a JSON object', { details: { field: 'conf' } })
  }
  const depth = depthBeyond(conf, limits.maxDepth)
  if (depth !== null) {
    throw new ConductorError('conf_invalid', `conf is nested ${depth} levels deep or more; the limit is ${limits.maxDepth}`, {
      details: { field: 'conf', depth, limit: limits.maxDepth },
    })
  }
  const size = Buffer.byteLength(JSON.stringify(conf))
  if (size > limits.maxBytes) {
    throw new ConductorError('conf_too_large', `conf is ${size} bytes; the limit is ${limits.maxBytes}`, { details: { field: 'conf', size, limit: limits.maxBytes } })
  }
  return conf as Record<string, unknown>
}

/** The first depth past `limit` that `value` reaches (`limit + 1`), or null when it stays within; walks iteratively. */
function depthBeyond(value: object, limit: number): number | null {
  const pending: [object, number][] = [[value, 1]]
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [node, depth] = next
    if (depth > limit) return depth
    for (const child of Object.values(node)) {
      if (child !== null && typeof child === 'object') pending.push([child, depth + 1])
    }
  }
  return null
}

/**
 * The note Airflow shows on a run Conductor created: who, through what, why allowed, and who approved it (when it
 * waited for approval); cut to Airflow's 1000 characters.
 */
export function runNote(principal: Principal, request: RequestsTable, input: TriggerInput, approvers: readonly string[] = []): string {
  const policies = JSON.parse(request.policy_ids) as string[]
  const autoApprovedBy = request.approval ? (JSON.parse(request.approval) as { autoApprovedBy?: string[] }).autoApprovedBy ?? [] : []
  if (autoApprovedBy.length) approvers = [...approvers, `policy ${autoApprovedBy.join(', ')}`]
  const lines = [
    `Triggered through Airflow Conductor by ${principal.type} ${principal.id}` + (principal.displayName ? ` (${principal.displayName})` : '') + '.',
    `Request ${request.id}; allowed by ${policies.length ? `policy ${policies.join(', ')}` : 'policy'}.`,
    principal.groups.length ? `Groups: ${principal.groups.join(', ')}.` : '',
    approvers.length ? `Approved by ${approvers.join(', ')}.` : '',
    input.reason ? `Reason: ${input.reason}` : '',
    input.note ? `Note: ${input.note}` : '',
  ].filter(Boolean)
  const note = lines.join('\n')
  return note.length <= AIRFLOW_NOTE_LIMIT ? note : `${note.slice(0, AIRFLOW_NOTE_LIMIT - 1)}…`
}
