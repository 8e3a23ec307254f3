import { CronExpressionParser } from 'cron-parser'
import { ConductorError } from '../../core/index.ts'

/** The shortest interval a schedule may have, in seconds. */
export const MIN_INTERVAL_SECONDS = 60
/** The longest interval a schedule may have, in seconds (a year). */
export const MAX_INTERVAL_SECONDS = 366 * 24 * 3600

/** When a schedule fires: by cron in a time zone, or every so many seconds from creation. */
export type Timing = { cron: string; timezone: string; intervalSeconds?: undefined } | { intervalSeconds: number; cron?: undefined; timezone?: undefined }

// Airflow's cron presets; the library's second-level ones (@secondly, @minutely…) are not offered.
const PRESETS = new Set(['@hourly', '@daily', '@weekly', '@monthly', '@yearly', '@annually'])

const invalid = (field: string, message: string) => new ConductorError('invalid_input', `${field}: ${message}`, { details: { field } })

/** Throws `invalid_input` (field `timezone`) unless `timezone` is an IANA time zone this runtime knows. */
export function checkTimezone(timezone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone })
  } catch {
    throw invalid('timezone', `unknown time zone "${timezone}" (an IANA name, e.g. Europe/Paris or UTC)`)
  }
}

/**
 * Checks a timing: a five-field cron expression (minute hour day-of-month month day-of-week) or one of @hourly, @daily,
 * @weekly, @monthly, @yearly, with a known time zone; or a whole number of seconds between 60 and a year.
 * Throws `invalid_input` naming the field (`cron`, `timezone`, `intervalSeconds`).
 */
export function checkTiming(timing: Timing): void {
  if (timing.cron !== undefined) {
    checkTimezone(timing.timezone)
    const cron = timing.cron.trim()
    if (cron.startsWith('@') ? !PRESETS.has(cron) : cron.split(/\s+/).length !== 5) {
      throw invalid('cron', 'a five-field cron expression (minute hour day-of-month month day-of-week) or @hourly, @daily, @weekly, @monthly, @yearly')
    }
    try {
      CronExpressionParser.parse(cron, { tz: timing.timezone, strict: false })
    } catch (error) {
      throw invalid('cron', `not a valid cron expression: ${error instanceof Error ? error.message : 'unreadable'}`)
    }
    return
  }
  const seconds = timing.intervalSeconds
  if (!Number.isSafeInteger(seconds) || seconds < MIN_INTERVAL_SECONDS || seconds > MAX_INTERVAL_SECONDS) {
    throw invalid('intervalSeconds', `whole seconds from ${MIN_INTERVAL_SECONDS} to ${MAX_INTERVAL_SECONDS}`)
  }
}

/**
 * The first firing strictly after `afterMs` (epoch ms): the next cron match in its time zone (daylight-saving changes
 * as the library resolves them), or the next multiple of the interval counted from `startMs`.
 */
export function nextFiring(timing: Timing, startMs: number, afterMs: number): number {
  if (timing.cron !== undefined) {
    return CronExpressionParser.parse(timing.cron.trim(), { tz: timing.timezone, currentDate: new Date(afterMs) }).next().getTime()
  }
  const step = timing.intervalSeconds * 1000
  const k = Math.max(1, Math.floor((afterMs - startMs) / step) + 1)
  return startMs + k * step
}
