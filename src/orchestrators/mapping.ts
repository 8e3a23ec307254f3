import type { AirflowHitlDetail, AirflowHitlResponse, AirflowHitlUser } from './api-versions.ts'
import type { DagParam, HitlResponse, HitlTask, HitlUser } from './orchestrator.ts'

const PAGE = 100

/** Calls `fetch(limit, offset)` until a short page, an empty page, `total` items, or `max` items (default: no bound). */
export async function pageThrough<T>(fetch: (limit: number, offset: number) => Promise<{ items: T[]; total: number | null }>, max = Infinity): Promise<T[]> {
  const all: T[] = []
  for (let guard = 0; guard < 10_000 && all.length < max; guard++) {
    const { items, total } = await fetch(Math.min(PAGE, max - all.length), all.length)
    all.push(...items)
    if (items.length === 0 || items.length < PAGE || (total !== null && all.length >= total)) break
  }
  return all
}

/** Airflow's date string or null. */
export function toDate(value: string | null | undefined): string | null {
  return value ?? null
}

/**
 * Log content as lines of text: Airflow 3 returns structured records (`{timestamp, level, event, …}`),
 * Airflow 2 a string. The UI's `::group::` markers are dropped; an error record keeps its exception.
 */
export function logLines(content: unknown): string[] {
  if (typeof content === 'string') return content.split(/\r?\n/).filter((line, i, all) => !(line === '' && i === all.length - 1))
  if (!Array.isArray(content)) return []
  const lines: string[] = []
  for (const item of content) {
    if (typeof item === 'string') { lines.push(...item.split(/\r?\n/)); continue }
    const record = (item ?? {}) as { timestamp?: string; level?: string; event?: unknown; error_detail?: unknown }
    const event = typeof record.event === 'string' ? record.event : JSON.stringify(record.event ?? '')
    if (/^::(end)?group::/.test(event)) continue
    const parts = [record.timestamp, record.level ? `[${record.level}]` : undefined, event].filter((p) => p !== undefined && p !== '')
    let line = parts.join(' ')
    if (Array.isArray(record.error_detail)) {
      const errors = record.error_detail.map((e) => {
        const detail = (e ?? {}) as { exc_type?: string; exc_value?: string }
        return `${detail.exc_type ?? 'Error'}: ${detail.exc_value ?? ''}`
      })
      if (errors.length) line += ` — ${errors.join('; ')}`
    }
    lines.push(line)
  }
  return lines
}

/** Airflow's serialized params (`{name: {value, schema, description}}` or `{name: value}`) in Conductor's shape. */
export function toDagParams(params: unknown): Record<string, DagParam> {
  const out: Record<string, DagParam> = {}
  if (!params || typeof params !== 'object') return out
  for (const [name, raw] of Object.entries(params as Record<string, unknown>)) {
    if (raw && typeof raw === 'object' && !Array.isArray(raw) && 'value' in raw) {
      const p = raw as { value: unknown; schema?: unknown; description?: unknown }
      out[name] = {
        value: p.value ?? null,
        schema: p.schema && typeof p.schema === 'object' ? p.schema as Record<string, unknown> : {},
        description: typeof p.description === 'string' ? p.description : null,
      }
    } else {
      out[name] = { value: raw ?? null, schema: {}, description: null }
    }
  }
  return out
}

const toHitlUser = (user: AirflowHitlUser): HitlUser => ({ id: String(user.id), name: String(user.name ?? user.id) })

/** A human-in-the-loop detail of `/api/v2` in Conductor's shape. */
export function toHitlTask(detail: AirflowHitlDetail): HitlTask {
  const ti = detail.task_instance
  return {
    dagId: ti.dag_id,
    runId: ti.dag_run_id,
    taskId: ti.task_id,
    mapIndex: ti.map_index ?? -1,
    subject: detail.subject,
    body: detail.body ?? null,
    options: [...detail.options],
    multiple: detail.multiple === true,
    params: toDagParams(detail.params),
    defaults: detail.defaults ? [...detail.defaults] : null,
    assignedUsers: (detail.assigned_users ?? []).map(toHitlUser),
    createdAt: detail.created_at,
    state: ti.state ?? null,
    answered: detail.response_received === true,
    respondedBy: detail.responded_by_user ? toHitlUser(detail.responded_by_user) : null,
    respondedAt: detail.responded_at ?? null,
    chosenOptions: detail.chosen_options ? [...detail.chosen_options] : null,
  }
}

/** Airflow's answer to a human-in-the-loop response in Conductor's shape. */
export function toHitlResponse(response: AirflowHitlResponse): HitlResponse {
  return {
    respondedBy: toHitlUser(response.responded_by),
    respondedAt: response.responded_at,
    chosenOptions: [...response.chosen_options],
    paramsInput: response.params_input ?? {},
  }
}
