import { createHash } from 'node:crypto'
import type { RequestsTable } from '../governance.tables.ts'

/** JSON with object keys sorted at every level, so equal values always give the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined)
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

/**
 * SHA-256 (hex) of what an approval is bound to: the request's environment, DAG, action, target run, and of its input
 * the conf, logical date and paused flag, or a grant request's group and hours (the reason and note are not what runs). Anything different is a new request.
 */
export function inputHash(row: Pick<RequestsTable, 'environment' | 'dag_id' | 'action' | 'run_id' | 'input'>): string {
  const input = JSON.parse(row.input) as Record<string, unknown>
  const bound = {
    environment: row.environment, dagId: row.dag_id, action: row.action, runId: row.run_id,
    conf: input.conf ?? null, logicalDate: input.logicalDate ?? null, paused: input.paused ?? null,
    // A grant request is bound to the group and duration asked (absent for other actions, so their hashes stay as they were).
    group: input.group, hours: input.hours,
  }
  return createHash('sha256').update(canonicalJson(bound)).digest('hex')
}
