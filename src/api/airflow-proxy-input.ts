import { z } from 'zod'
import { ConductorError } from '../core/index.ts'

/** Airflow's list paging: `limit` (at most 100, default `defaultLimit`) and `offset`. */
export function airflowPage(defaultLimit: number) {
  return {
    limit: z.coerce.number().int().min(0).max(100).default(defaultLimit),
    offset: z.coerce.number().int().min(0).default(0),
  }
}

/** Parses `value` with `schema`, or refuses it as `invalid_input` naming the first field, in the caller's words. */
export function parse<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value ?? {})
  if (result.success) return result.data
  const issue = result.error.issues[0]
  const field = [where, ...(issue?.path ?? []).map(String)].join('.')
  throw new ConductorError('invalid_input', `${field}: ${issue?.message ?? 'invalid'}`, { details: { field } })
}

/** Airflow's `dag_id_pattern`: SQL LIKE, `%` any run of characters and `_` one character, case-insensitive. */
export function likePattern(pattern: string): RegExp {
  const source = [...pattern].map((c) => (c === '%' ? '.*' : c === '_' ? '.' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('')
  return new RegExp(`^${source}$`, 'i')
}

/** A query parameter that may repeat (`?a=1&a=2`) or list values with commas (`?a=1,2`), as its values. */
export function listParam(value: unknown): string[] | undefined {
  if (value === undefined) return undefined
  return [value].flat().flatMap((item) => String(item).split(',')).map((item) => item.trim()).filter(Boolean)
}
