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

/**
 * Validates a run's `conf`: a JSON object no larger than `maxBytes` once serialized (absent or null is `{}`).
 * @throws ConductorError `conf_invalid` for anything but an object, `conf_too_large` (with `size` and `limit`) past the limit.
 */
export function checkConf(conf: unknown, maxBytes: number): Record<string, unknown> {
  if (conf === undefined || conf === null) return {}
  if (typeof conf !== 'object' || Array.isArray(conf)) {
    throw new ConductorError('conf_invalid', 'conf must be a JSON object', { details: { field: 'conf' } })
  }
  const size = Buffer.byteLength(JSON.stringify(conf))
  if (size > maxBytes) {
    throw new ConductorError('conf_too_large', `conf is ${size} bytes; the limit is ${maxBytes}`, { details: { field: 'conf', size, limit: maxBytes } })
  }
  return conf as Record<string, unknown>
}

/** The note Airflow shows on a run Conductor created: who, through what, why allowed; cut to Airflow's 1000 characters. */
export function runNote(principal: Principal, request: RequestsTable, input: TriggerInput): string {
  const policies = JSON.parse(request.policy_ids) as string[]
  const lines = [
    `Triggered through Airflow Conductor by ${principal.type} ${principal.id}` + (principal.displayName ? ` (${principal.displayName})` : '') + '.',
    `Request ${request.id}; allowed by ${policies.length ? `policy ${policies.join(', ')}` : 'policy'}.`,
    principal.groups.length ? `Groups: ${principal.groups.join(', ')}.` : '',
    input.reason ? `Reason: ${input.reason}` : '',
    input.note ? `Note: ${input.note}` : '',
  ].filter(Boolean)
  const note = lines.join('\n')
  return note.length <= AIRFLOW_NOTE_LIMIT ? note : `${note.slice(0, AIRFLOW_NOTE_LIMIT - 1)}…`
}
