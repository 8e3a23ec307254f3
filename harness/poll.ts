/**
 * The one way tests, the demo and benchmarks wait for something that happens elsewhere (a run to finish,
 * a server to answer, a background sync to land): poll a check until it yields a value, within a deadline.
 * Never sleep as synchronisation: wait for the thing itself.
 */
import { setTimeout as delay } from 'node:timers/promises'

/** Options for {@link eventually}. */
export interface EventuallyOptions {
  /** What is awaited, for the failure message: "run etl_daily/r1 to succeed". */
  what: string
  /** Give up after this long (default 10 s). */
  timeoutMs?: number
  /** Pause between checks (default 100 ms). */
  intervalMs?: number
  /**
   * Errors the check throws that mean "never": for them the wait ends at once and the error is rethrown
   * as it is (a server process that exited will not become ready). Other errors count as "not yet".
   */
  fatal?: (error: unknown) => boolean
}

/**
 * Calls `check` until it returns something other than `undefined`, `null` or `false`, and resolves with that.
 * A check that throws counts as "not yet" (unless `fatal` says otherwise); the last error (or the last value)
 * is named when the deadline passes, so a check can say what it saw by throwing (`throw new Error('state is "running"')`).
 */
export async function eventually<T>(check: () => Promise<T | undefined | null | false> | T | undefined | null | false, options: EventuallyOptions): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000
  const intervalMs = options.intervalMs ?? 100
  const deadline = Date.now() + timeoutMs
  let last: string
  for (;;) {
    try {
      const value = await check()
      if (value !== undefined && value !== null && value !== false) return value
      last = `the check gave ${String(value)}`
    } catch (error) {
      if (options.fatal?.(error)) throw error
      last = error instanceof Error ? error.message : String(error)
    }
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${options.what}; last: ${last}`)
    await delay(Math.min(intervalMs, Math.max(0, deadline - Date.now())))
  }
}
