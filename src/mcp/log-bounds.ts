import { ConductorError } from '../core/index.ts'

/** The log bytes `read_task_logs` returns when not told otherwise. */
export const DEFAULT_LOG_BYTES = 16 * 1024
/** The most log bytes one `read_task_logs` call returns. */
export const MAX_LOG_BYTES = 64 * 1024

/**
 * Where the next `read_task_logs` call goes on: the REST API's continuation token of the page (null for the first
 * page), how many bytes of that page were already returned, and the try.
 */
export interface LogCursor {
  token: string | null
  offset: number
  tryNumber: number
}

/** The opaque continuation string an agent passes back. */
export function encodeLogCursor(cursor: LogCursor): string {
  return Buffer.from(JSON.stringify([cursor.token, cursor.offset, cursor.tryNumber]), 'utf8').toString('base64url')
}

/** Reads a continuation string; throws `invalid_input` (field `continuation`) for anything this server did not make. */
export function decodeLogCursor(text: string): LogCursor {
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'))
  } catch {
    value = null
  }
  if (Array.isArray(value) && value.length === 3 && (value[0] === null || typeof value[0] === 'string')
    && Number.isSafeInteger(value[1]) && (value[1] as number) >= 0 && Number.isSafeInteger(value[2]) && (value[2] as number) >= 1) {
    return { token: value[0] as string | null, offset: value[1] as number, tryNumber: value[2] as number }
  }
  throw new ConductorError('invalid_input', 'continuation: pass back exactly what the previous read_task_logs answered', { details: { field: 'continuation' } })
}

/**
 * At most `maxBytes` UTF-8 bytes of `text` from byte `offset` on, cut after the last whole line that fits (or, for a
 * line longer than `maxBytes`, at a character boundary), and the offset to go on from (null when nothing remains).
 */
export function boundLog(text: string, offset: number, maxBytes: number): { text: string; nextOffset: number | null } {
  const bytes = Buffer.from(text, 'utf8')
  const start = Math.min(offset, bytes.length)
  if (bytes.length - start <= maxBytes) return { text: bytes.subarray(start).toString('utf8'), nextOffset: null }
  let end = start + maxBytes
  const newline = bytes.lastIndexOf(0x0a, end - 1)
  if (newline >= start) end = newline + 1
  else while (end > start + 1 && (bytes[end]! & 0xc0) === 0x80) end-- // not inside a multi-byte character
  return { text: bytes.subarray(start, end).toString('utf8'), nextOffset: end }
}
