/** A refresh run on a timer: {@link createPollTimer}. */
export interface PollTimer {
  /** Runs the round every `intervalMs` (0: never; a second start does nothing). */
  start(intervalMs: number): void
  stop(): void
}

/**
 * Runs `round` on a timer that does not keep the process alive, one round at a time: a slow database skips ticks
 * rather than piling reads up. A failed round goes to `onError`; the next tick tries again.
 */
export function createPollTimer(round: () => Promise<void>, onError: (error: unknown) => void): PollTimer {
  let timer: NodeJS.Timeout | undefined
  return {
    start(intervalMs) {
      if (timer || intervalMs <= 0) return
      let busy = false
      timer = setInterval(() => {
        if (busy) return
        busy = true
        round().catch(onError).finally(() => { busy = false })
      }, intervalMs)
      timer.unref()
    },
    stop() {
      if (timer) clearInterval(timer)
      timer = undefined
    },
  }
}
