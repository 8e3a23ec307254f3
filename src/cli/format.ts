/** How `conductor` lists things: `table` for people, `json` (the API's answer, unchanged) for programs. */
export type OutputFormat = 'table' | 'json'

/** The output formats, for option validation. */
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json']

/** The width tables are fitted to when stdout is not a terminal. */
export const DEFAULT_WIDTH = 80

/** One column of a table. */
export interface Column<T> {
  header: string
  /** The cell text; newlines and control characters are replaced, long text truncated with `…`. */
  value: (row: T) => string
  /** The narrowest the column may become before other columns lose their last characters (default: 4, or the header's length if shorter). */
  min?: number
  /** The widest it may be even when there is room (default: no limit). */
  max?: number
  /** Right-align (numbers). */
  align?: 'left' | 'right'
  /** When even the minimum widths do not fit, columns with a `drop` are left out, the lowest first. */
  drop?: number
}

const CONTROL = new RegExp(String.raw`\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|[\x00-\x1f\x7f-\x9f]`, 'g')

/**
 * Makes text safe to print on one line of a terminal: terminal escape sequences (which a DAG's
 * description or a log line could carry) are removed and other control characters, newlines and
 * tabs become spaces.
 */
export function oneLine(text: string): string {
  return text.replace(CONTROL, (match) => (match.startsWith('\x1b') ? '' : ' ')).replace(/ {2,}/g, ' ').trim()
}

/** Removes terminal escape sequences and control characters except tab from a line of text (e.g. a log line). */
export function safeLine(text: string): string {
  return text.replace(CONTROL, (match) => (match === '\t' ? '\t' : ''))
}

/** `text` cut to at most `width` characters, ending in `…` when cut. */
export function truncate(text: string, width: number): string {
  const chars = [...text]
  if (chars.length <= width) return text
  if (width <= 0) return ''
  if (width === 1) return '…'
  return `${chars.slice(0, width - 1).join('')}…`
}

/**
 * Lays out `rows` as a table no wider than `width` characters: two spaces between columns, no
 * trailing spaces. When the natural widths do not fit, the widest shrinkable columns lose characters
 * first (never below their `min`); when even the minimums do not fit, droppable columns are left out.
 * An empty list gives just the header line.
 */
export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[], width: number = DEFAULT_WIDTH): string[] {
  const cells = rows.map((row) => columns.map((column) => oneLine(column.value(row))))
  const natural = columns.map((column, i) => {
    const widest = Math.max(column.header.length, ...cells.map((r) => [...r[i]!].length))
    return column.max === undefined ? widest : Math.min(widest, column.max)
  })
  const mins = columns.map((column, i) => Math.min(natural[i]!, column.min ?? Math.min(4, column.header.length)))

  let shown = columns.map((_, i) => i)
  const total = (indexes: number[], widths: number[]) => indexes.reduce((sum, i) => sum + widths[i]!, 0) + 2 * (indexes.length - 1)
  const droppable = columns.map((c, i) => ({ i, drop: c.drop })).filter((c) => c.drop !== undefined).sort((a, b) => a.drop! - b.drop!)
  while (total(shown, mins) > width && droppable.length > 0) {
    const { i } = droppable.shift()!
    shown = shown.filter((j) => j !== i)
  }

  const widths = [...natural]
  while (total(shown, widths) > width) {
    let widest = -1
    for (const i of shown) {
      if (widths[i]! > mins[i]! && (widest === -1 || widths[i]! > widths[widest]!)) widest = i
    }
    if (widest === -1) break
    widths[widest]! -= 1
  }

  const line = (texts: string[]) => shown.map((i, k) => {
    const text = truncate(texts[i]!, widths[i]!)
    const pad = widths[i]! - [...text].length
    if (columns[i]!.align === 'right') return ' '.repeat(pad) + text
    return k === shown.length - 1 ? text : text + ' '.repeat(pad)
  }).join('  ').trimEnd()

  return [line(columns.map((c) => c.header)), ...cells.map(line)]
}

/** An ISO 8601 time as `YYYY-MM-DD HH:MM` (UTC), or `-` when absent. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '-'
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  return date.toISOString().slice(0, 16).replace('T', ' ')
}

/** An ISO 8601 time as `MM-DD HH:MM` (UTC) for narrow columns, or `-` when absent. */
export function formatShortTime(iso: string | null | undefined): string {
  const full = formatTime(iso)
  return /^\d{4}-/.test(full) ? full.slice(5) : full
}

/** An ISO 8601 time as `MM-DD HH:MM:SS` (UTC), for event lists; `-` when absent. */
export function formatStamp(iso: string | null | undefined): string {
  if (!iso) return '-'
  const date = new Date(iso)
  return Number.isNaN(date.getTime()) ? iso : date.toISOString().slice(5, 19).replace('T', ' ')
}

/** A number of seconds as `42s`, `3m05s` or `2h03m`; `-` when absent. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '-'
  const s = Math.round(seconds)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
}

/** Seconds between two ISO times (the second defaulting to `now`), or null when the first is absent. */
export function secondsBetween(start: string | null | undefined, end: string | null | undefined, now: Date = new Date()): number | null {
  if (!start) return null
  const from = new Date(start).getTime()
  const to = end ? new Date(end).getTime() : now.getTime()
  return Number.isNaN(from) || Number.isNaN(to) ? null : Math.max(0, (to - from) / 1000)
}

/** Pretty JSON for `--output json`. */
export function formatJson(value: unknown): string {
  return JSON.stringify(value, null, 2)
}

/** Rows of `label: value` pairs, labels padded to one width (for single objects such as a run). */
export function renderFields(fields: readonly (readonly [string, string])[], width: number = DEFAULT_WIDTH): string[] {
  const labelWidth = Math.max(...fields.map(([label]) => label.length)) + 2
  return fields.map(([label, value]) => truncate(`${`${label}:`.padEnd(labelWidth)}${oneLine(value)}`, width))
}
